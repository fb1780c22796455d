//! The authorization matrix: every protected endpoint × every role, on resources that are not
//! the caller's. A refused caller gets 401, 403 or 404 with an error body and no data of the
//! resource. The resources belong to Studio Peeters (no demo user holds a mandate for it) and
//! to the provider Duurzaam Ondernemen CV (no demo user acts for it).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{backends, spawn_demo};

/// An application of Studio Peeters naming Digitaal Advies BV (the adviser's provider).
const OTHERS_APP: &str = "DEMO-NIET-GESTORT";
const OTHERS_ENTERPRISE: &str = "0555.912.344";
const OTHERS_PROVIDER: &str = "0833.333.334";
/// Studio Peeters' draft.
const OTHERS_DRAFT: &str = "DEMO-CONCEPT-STUDIO";

fn endpoints() -> Vec<(Method, String, Option<Value>)> {
    let app = |suffix: &str| format!("/api/v1/applications/{OTHERS_APP}{suffix}");
    vec![
        (Method::GET, app(""), None),
        (Method::POST, app("/stop"), Some(json!({}))),
        (Method::POST, app("/refuse"), Some(json!({"reason": "x"}))),
        (
            Method::POST,
            app("/payments"),
            Some(json!({"amount_cents": 100, "invoice": "F"})),
        ),
        (
            Method::POST,
            app("/inspections"),
            Some(json!({"action": "block", "reason": "x"})),
        ),
        (
            Method::GET,
            format!("/api/v1/enterprises/{OTHERS_ENTERPRISE}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            Some(
                json!({"enterprise": OTHERS_ENTERPRISE, "application": "X-1", "provider": "0811.111.129",
                "service": {"kind": "training", "theme": "digitalisation", "sub_theme": null, "start_date": "2025-03-01",
                    "topics": [], "on_occupation_list": false, "related_to_provider": false},
                "costs": [{"type": "fee", "amount_cents": 100000}]}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/applications/preview".into(),
            Some(
                json!({"enterprise": OTHERS_ENTERPRISE, "application": "X-1", "provider": "0811.111.129",
                "service": {"kind": "training", "theme": "digitalisation", "sub_theme": null, "start_date": "2025-03-01",
                    "topics": [], "on_occupation_list": false, "related_to_provider": false},
                "costs": [{"type": "fee", "amount_cents": 100000}]}),
            ),
        ),
        (
            Method::PUT,
            format!("/api/v1/enterprises/{OTHERS_ENTERPRISE}/profile"),
            Some(
                json!({"profile": {"legal_form": "EZ", "flemish_establishment": true, "public_bodies_pct": 0, "size": "small"}}),
            ),
        ),
        (
            Method::GET,
            format!("/api/v1/enterprises/{OTHERS_ENTERPRISE}/applications"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/providers/{OTHERS_PROVIDER}/applications"),
            None,
        ),
        (Method::GET, app("/audit"), None),
        (Method::GET, format!("/api/v1/drafts/{OTHERS_DRAFT}"), None),
        (
            Method::POST,
            format!("/api/v1/drafts/{OTHERS_DRAFT}/submit"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/drafts/{OTHERS_DRAFT}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/drafts".into(),
            Some(
                json!({"enterprise": OTHERS_ENTERPRISE, "application": "X-2", "provider": "0811.111.129",
                "service": {"kind": "training", "theme": "digitalisation", "sub_theme": null, "start_date": "2025-03-01",
                    "topics": [], "on_occupation_list": false, "related_to_provider": false},
                "costs": [{"type": "fee", "amount_cents": 100000}]}),
            ),
        ),
        (
            Method::GET,
            format!("/api/v1/providers/{OTHERS_PROVIDER}/payouts"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/enterprises/{OTHERS_ENTERPRISE}/refunds"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/providers/{OTHERS_PROVIDER}/profile"),
            Some(json!({"themes": ["sustainability"]})),
        ),
        (
            Method::POST,
            format!("/api/v1/providers/{OTHERS_PROVIDER}/services"),
            Some(
                json!({"name": "X", "kind": "training", "theme": "sustainability", "sub_theme": "recycling", "price_cents": 1000}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(
                json!({"email": "z@demo.kmo", "name": "Z", "password": "een-lang-wachtwoord", "role": "agency"}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/mandates".into(),
            Some(
                json!({"email": "boekhouder@demo.kmo", "enterprise": OTHERS_ENTERPRISE, "scope": "view_and_release"}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/enterprises".into(),
            Some(
                json!({"key": "0202.239.951", "name": "X", "profile": {"legal_form": "NV", "flemish_establishment": true, "public_bodies_pct": 0, "size": "small"}}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/deposits".into(),
            Some(
                json!({"lines": [{"reference": "+++000/0000/00101+++", "amount_cents": 1, "bank_ref": "B"}]}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/payout-runs".into(),
            Some(json!({"run": "matrix"})),
        ),
    ]
}

/// Who may do what on the resources above (everything else must be refused).
fn may(role: &str, method: &Method, path: &str) -> bool {
    let on_app = path.contains(OTHERS_APP);
    match role {
        // Applying, stopping and releasing are the enterprise's own acts, and refusing is the
        // named provider's (rules.md T5), not the agency's.
        "agency" => {
            !(path.ends_with("/payments")
                || path.ends_with("/stop")
                || path.ends_with("/refuse")
                || path == "/api/v1/applications"
                || path == "/api/v1/applications/preview"
                || (path.starts_with("/api/v1/drafts") && *method != Method::GET))
        }
        // The quality chamber reads and advises: it may read the application and enterprise.
        "quality_chamber" => *method == Method::GET,
        // The adviser's provider is named on the application: it may read and refuse it.
        "adviser" => on_app && (*method == Method::GET || path.ends_with("/refuse")),
        _ => false,
    }
}

#[tokio::test]
async fn every_endpoint_refuses_every_role_on_someone_elses_resource() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let mut callers: Vec<(&str, Option<String>)> = vec![("anonymous", None)];
        for (role, email) in [
            ("owner", "ondernemer@demo.kmo"),
            ("accountant", "boekhouder@demo.kmo"),
            ("trainer", "opleider@demo.kmo"),
            ("adviser", "adviseur@demo.kmo"),
            ("quality_chamber", "kwaliteitskamer@demo.kmo"),
            ("agency", "agentschap@demo.kmo"),
        ] {
            callers.push((role, Some(app.login(email).await)));
        }
        let mut checked = 0;
        for (method, path, body) in endpoints() {
            for (role, token) in &callers {
                let (status, answer) = app
                    .call(method.clone(), &path, token.as_deref(), body.as_ref())
                    .await;
                if may(role, &method, &path) {
                    assert!(
                        !matches!(status, 401 | 403),
                        "{role} {method} {path}: refused ({status} {answer})"
                    );
                    continue;
                }
                let expected: &[u16] = if token.is_none() { &[401] } else { &[403, 404] };
                assert!(
                    expected.contains(&status),
                    "{role} {method} {path}: {status} {answer}"
                );
                let keys: Vec<&String> = answer.as_object().unwrap().keys().collect();
                assert!(
                    keys.iter()
                        .all(|k| ["code", "detail", "field"].contains(&k.as_str())),
                    "{role} {method} {path}: the answer carries data: {answer}"
                );
                let text = answer.to_string();
                assert!(
                    !text.contains("Studio Peeters") && !text.contains("reference"),
                    "{role} {method} {path}: {answer}"
                );
                checked += 1;
            }
        }
        assert!(checked > 60, "{checked} refusals checked");
        app.stop().await;
    }
}
