//! Public statistics and enterprise profiles.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{backends, spawn_demo};
use kmo_app::store::{KernelTx, RegistryTx, Store};

const BAKKERIJ: &str = "0403.199.702";

#[tokio::test]
async fn public_statistics_add_up_to_every_accepted_application_and_name_nobody() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        // What the agency sees, application by application, per year of submission.
        let agency = app.login("agentschap@demo.kmo").await;
        let mut expected: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
        for (key, _, _, _) in kmo_sim::demo::ENTERPRISES {
            let (status, page) = app
                .call(
                    Method::GET,
                    &format!("/api/v1/enterprises/{key}/applications?limit=100"),
                    Some(&agency),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{page}");
            for a in page["items"].as_array().unwrap() {
                let year = a["submitted_on"].as_str().unwrap()[..4].to_owned();
                let e = expected.entry(year).or_default();
                e.0 += 1;
                e.1 += a["subsidy_cents"].as_i64().unwrap();
                e.2 += a["paid_cents"].as_i64().unwrap();
            }
        }
        assert!(expected.len() >= 2, "the demo spans years: {expected:?}");
        for (year, (count, subsidy, _)) in &expected {
            let (status, s) = app
                .call(
                    Method::GET,
                    &format!("/api/v1/statistics?year={year}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(status, 200, "{s}");
            assert_eq!(s["totals"]["applications"], *count, "{year}: {s}");
            assert_eq!(s["totals"]["subsidy_cents"], *subsidy, "{year}: {s}");
            let months = s["by_month"].as_array().unwrap();
            assert_eq!(months.len(), 12);
            assert_eq!(months[0]["key"], format!("{year}-01"));
            for group in ["by_month", "by_theme", "by_size", "by_month_and_theme"] {
                let sum: i64 = s[group]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| g["subsidy_cents"].as_i64().unwrap())
                    .sum();
                assert_eq!(sum, *subsidy, "{year} {group}");
            }
            let text = s.to_string();
            for secret in ["Bakkerij", "Studio Peeters", "0403", "+++"] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        // This year by default; a year without applications is all zeros.
        let (_, s) = app
            .call(Method::GET, "/api/v1/statistics", None, None)
            .await;
        assert_eq!(s["year"], 2025);
        let (_, s) = app
            .call(Method::GET, "/api/v1/statistics?year=2030", None, None)
            .await;
        assert_eq!(s["totals"]["applications"], 0);
        assert_eq!(s["by_theme"], json!([]));
        for bad in ["year=1999", "year=2101", "year=twee", "colour=red"] {
            let (status, body) = app
                .call(
                    Method::GET,
                    &format!("/api/v1/statistics?{bad}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(
                (status, body["code"].as_str()),
                (400, Some("INVALID_BODY")),
                "{bad}: {body}"
            );
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn an_enterprise_profile_is_replaced_by_its_legal_representative_and_audited() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let owner = app.login("ondernemer@demo.kmo").await;
        let accountant = app.login("boekhouder@demo.kmo").await;
        let path = format!("/api/v1/enterprises/{BAKKERIJ}/profile");
        let (_, before) = app
            .call(
                Method::GET,
                &format!("/api/v1/enterprises/{BAKKERIJ}"),
                Some(&owner),
                None,
            )
            .await;
        let figures = json!({"legal_form": "BV", "flemish_establishment": true, "public_bodies_pct": 0,
            "nace": "10.711", "periods": [{"year": 2023, "awu": 11.5, "turnover_cents": 140_000_000,
            "balance_sheet_cents": 85_000_000}, {"year": 2024, "awu": 12, "turnover_cents": 150_000_000,
            "balance_sheet_cents": 90_000_000}]});

        // A delegated accountant may view and release, not change the enterprise.
        let (status, body) = app
            .call(
                Method::PUT,
                &path,
                Some(&accountant),
                Some(&json!({"profile": figures})),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("FORBIDDEN")),
            "{body}"
        );

        // Bad profiles and names: 422 with the field, nothing changed.
        for (bad, field) in [
            (
                json!({"profile": {"legal_form": 5}}),
                "enterprise.legal_form",
            ),
            (json!({"profile": []}), "enterprise"),
            (json!({"name": " ", "profile": figures}), "name"),
        ] {
            let (status, body) = app.call(Method::PUT, &path, Some(&owner), Some(&bad)).await;
            assert_eq!(status, 422, "{bad}: {body}");
            assert!(
                body["field"].as_str().is_some_and(|f| f.starts_with(field)),
                "{bad}: {body}"
            );
        }
        let (status, body) = app
            .call(
                Method::PUT,
                &path,
                Some(&owner),
                Some(&json!({"profile": figures, "colour": "red"})),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("INVALID_BODY")),
            "{body}"
        );
        let (_, unchanged) = app
            .call(
                Method::GET,
                &format!("/api/v1/enterprises/{BAKKERIJ}"),
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(unchanged, before);

        // The legal representative replaces it; the year's size lock stays as it was.
        let (status, after) = app
            .call(
                Method::PUT,
                &path,
                Some(&owner),
                Some(&json!({"name": "Bakkerij Janssens & Zonen BV", "profile": figures})),
            )
            .await;
        assert_eq!(status, 200, "{after}");
        assert_eq!(after["name"], "Bakkerij Janssens & Zonen BV");
        assert_eq!(after["profile"], figures);
        assert_eq!(after["wallet"], before["wallet"]);

        // The change is in the enterprise's audit stream, with who made it.
        let mut tx = app.db().begin().await.unwrap();
        let e = tx.enterprise_by_key(BAKKERIJ).await.unwrap().unwrap();
        let stream = tx
            .audit_stream(&format!("enterprise:{}", e.id))
            .await
            .unwrap();
        drop(tx);
        let last = stream.last().unwrap();
        assert_eq!(last.kind, "profile_updated");
        assert!(last.actor.starts_with("user:"), "{}", last.actor);
        let payload: Value = serde_json::from_str(&last.payload).unwrap();
        assert_eq!(payload["profile"], figures);
        app.stop().await;
    }
}
