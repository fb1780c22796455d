//! Whole journeys through the API with the demo's users, on SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{backends, shared_dir, spawn_demo};

#[tokio::test]
async fn apply_deposit_release_pay_out_with_the_right_people() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let owner = app.login("ondernemer@demo.kmo").await;
        let accountant = app.login("boekhouder@demo.kmo").await;
        let agency = app.login("agentschap@demo.kmo").await;
        let trainer = app.login("opleider@demo.kmo").await;
        let adviser = app.login("adviseur@demo.kmo").await;

        let (status, me) = app
            .call(Method::GET, "/api/v1/me", Some(&owner), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(me["mandates"].as_array().unwrap().len(), 2, "{me}");

        // The provider's catalogue is public.
        let (status, services) = app
            .call(
                Method::GET,
                "/api/v1/providers/0811.111.129/services",
                None,
                None,
            )
            .await;
        assert_eq!(status, 200);
        let service = services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["theme"] == "digitalisation")
            .unwrap()
            .clone();

        // The legal representative applies for a listed service.
        let submit = json!({"enterprise": "0403.199.702", "application": "API-1",
            "provider": "0811.111.129", "service_id": service["id"], "start_date": "2025-03-01",
            "participants": [{"name": "An", "status": "employee"}]});
        let (status, a) = app
            .call(
                Method::POST,
                "/api/v1/applications",
                Some(&owner),
                Some(&submit),
            )
            .await;
        assert_eq!(status, 201, "{a}");
        assert_eq!(a["state"], "submitted");
        assert_eq!(a["eligible_cents"], service["price_cents"]);
        assert_eq!(a["deposit_deadline"], "2025-03-17");

        // The accountant may see it but not apply or stop.
        let (status, _) = app
            .call(
                Method::GET,
                "/api/v1/applications/API-1",
                Some(&accountant),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/applications/API-1/stop",
                Some(&accountant),
                Some(&json!({})),
            )
            .await;
        assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));

        // The agency matches the bank statement: one right line, one with a wrong amount.
        let statement = json!({"lines": [
            {"reference": a["reference"], "amount_cents": a["own_share_cents"], "bank_ref": "BANK-1"},
            {"reference": a["reference"], "amount_cents": 1, "bank_ref": "BANK-2"}]});
        let (status, lines) = app
            .call(
                Method::POST,
                "/api/v1/deposits",
                Some(&agency),
                Some(&statement),
            )
            .await;
        assert_eq!(status, 200, "{lines}");
        assert_eq!(lines[0]["outcome"], "OK");
        assert_eq!(lines[0]["application"]["state"], "funded");
        assert_ne!(lines[1]["outcome"], "OK");

        // The accountant releases part of the invoice; the provider named may look.
        let half = a["eligible_cents"].as_i64().unwrap() / 2;
        let (status, paid) = app
            .call(
                Method::POST,
                "/api/v1/applications/API-1/payments",
                Some(&accountant),
                Some(&json!({"amount_cents": half, "invoice": "F-2025-1"})),
            )
            .await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(paid["state"], "partially_paid");
        assert_eq!(paid["paid_cents"], half);
        let (status, seen) = app
            .call(
                Method::GET,
                "/api/v1/applications/API-1",
                Some(&trainer),
                None,
            )
            .await;
        assert_eq!((status, &seen["state"]), (200, &json!("partially_paid")));
        // Another provider does not even learn that it exists.
        let (status, body) = app
            .call(
                Method::GET,
                "/api/v1/applications/API-1",
                Some(&adviser),
                None,
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("UNKNOWN_APPLICATION"))
        );

        // Paying more than is left is refused and changes nothing.
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/applications/API-1/payments",
                Some(&accountant),
                Some(&json!({"amount_cents": half * 2, "invoice": "F-2025-2"})),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("PAYMENT_EXCEEDS_BALANCE")),
            "{body}"
        );

        // The payout run pays the provider; the same run id again answers the same run.
        let (status, run) = app
            .call(
                Method::POST,
                "/api/v1/payout-runs",
                Some(&agency),
                Some(&json!({"run": "R-1"})),
            )
            .await;
        assert_eq!(status, 200, "{run}");
        assert!(run["total_cents"].as_i64().unwrap() >= half);
        let (_, again) = app
            .call(
                Method::POST,
                "/api/v1/payout-runs",
                Some(&agency),
                Some(&json!({"run": "R-1"})),
            )
            .await;
        assert_eq!(run, again);

        // The provider finds the run's payout among the payouts it received; another provider
        // may not look.
        let (status, payouts) = app
            .call(
                Method::GET,
                "/api/v1/providers/0811.111.129/payouts",
                Some(&trainer),
                None,
            )
            .await;
        assert_eq!(status, 200, "{payouts}");
        let ours: Vec<&Value> = payouts["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["run"] == "R-1")
            .collect();
        assert_eq!(ours.len(), 1, "{payouts}");
        let in_run = run["payouts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["transfer"] == ours[0]["transfer"])
            .unwrap();
        assert_eq!(in_run["amount_cents"], ours[0]["amount_cents"]);
        assert!(ours[0]["amount_cents"].as_i64().unwrap() >= half);
        let (status, _) = app
            .call(
                Method::GET,
                "/api/v1/providers/0811.111.129/payouts",
                Some(&adviser),
                None,
            )
            .await;
        assert_eq!(status, 403);

        // The stopped demo application's refund went out in the same run: its enterprise sees it.
        let (_, stopped) = app
            .call(
                Method::GET,
                "/api/v1/applications/DEMO-GESTOPT",
                Some(&owner),
                None,
            )
            .await;
        let (status, refunds) = app
            .call(
                Method::GET,
                "/api/v1/enterprises/0417.497.106/refunds",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(status, 200, "{refunds}");
        let refund: i64 = refunds["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["application"] == "DEMO-GESTOPT")
            .map(|r| {
                assert!(
                    run["payouts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["transfer"] == r["transfer"] && p["kind"] == "refund"),
                    "{r} is not in the run"
                );
                r["amount_cents"].as_i64().unwrap()
            })
            .sum();
        assert!(refund > 0, "{refunds}");
        assert_eq!(refund, stopped["refunded_cents"].as_i64().unwrap());

        // The wallet view of the year.
        let (status, e) = app
            .call(
                Method::GET,
                "/api/v1/enterprises/0403.199.702",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert!(e["wallet"]["reserved_cents"].as_i64().unwrap() > 0, "{e}");
        assert_eq!(
            e["wallet"]["left_cents"].as_i64().unwrap(),
            e["wallet"]["ceiling_cents"].as_i64().unwrap()
                - e["wallet"]["reserved_cents"].as_i64().unwrap()
        );

        // The provider refuses another application naming it, with a reason.
        let (status, r) = app
            .call(
                Method::POST,
                "/api/v1/applications/DEMO-GESTORT/refuse",
                Some(&trainer),
                Some(&json!({"reason": "geen plaats meer"})),
            )
            .await;
        // A reason outside the rule book's list (rules.md §4.9) is refused with its field.
        assert_eq!((status, r["field"].as_str()), (422, Some("reason")), "{r}");
        let (status, r) = app
            .call(
                Method::POST,
                "/api/v1/applications/DEMO-GESTORT/refuse",
                Some(&trainer),
                Some(&json!({"reason": "incorrect_application"})),
            )
            .await;
        assert_eq!((status, &r["state"]), (200, &json!("refused")), "{r}");
        app.stop().await;
    }
}

#[tokio::test]
async fn tokens_are_listed_revoked_and_then_refused() {
    let app = spawn_demo(None).await;
    let token = app.login("ondernemer@demo.kmo").await;
    let (status, made) = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&token),
            Some(&json!({"name": "boekhoudpakket"})),
        )
        .await;
    assert_eq!(status, 201);
    let second = made["token"].as_str().unwrap().to_owned();
    let (_, list) = app
        .call(Method::GET, "/api/v1/me/tokens", Some(&second), None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let id = made["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/tokens/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = app
        .call(Method::GET, "/api/v1/me", Some(&second), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let (status, body) = app
        .call(
            Method::DELETE,
            "/api/v1/me/tokens/999999",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("UNKNOWN_TOKEN"))
    );
    app.stop().await;
}

#[tokio::test]
async fn failed_logins_are_limited_across_servers_and_say_nothing_about_who_exists() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        // A second server on the same database: the limit is one for both.
        let other = app.another_server().await;
        let bad = |email: &str| json!({"email": email, "password": "wrong-password-1", "token_name": "x"});
        let (s1, b1) = app
            .call(
                Method::POST,
                "/api/v1/auth/tokens",
                None,
                Some(&bad("ondernemer@demo.kmo")),
            )
            .await;
        let (s2, b2) = app
            .call(
                Method::POST,
                "/api/v1/auth/tokens",
                None,
                Some(&bad("niemand@demo.kmo")),
            )
            .await;
        assert_eq!((s1, s2), (401, 401));
        assert_eq!(b1, b2);
        for i in 0..9 {
            // Alternating servers, and the address in another case: one count.
            let (server, email) = if i % 2 == 0 {
                (&other, "Ondernemer@Demo.KMO")
            } else {
                (&app, "ondernemer@demo.kmo")
            };
            let (status, _) = server
                .call(Method::POST, "/api/v1/auth/tokens", None, Some(&bad(email)))
                .await;
            assert_eq!(status, 401, "attempt {}", i + 2);
        }
        let good = json!({"email": "ondernemer@demo.kmo", "password": kmo_sim::demo::DEMO_PASSWORD, "token_name": "x"});
        for server in [&app, &other] {
            let (status, body) = server
                .call(Method::POST, "/api/v1/auth/tokens", None, Some(&good))
                .await;
            assert_eq!((status, body["code"].as_str()), (429, Some("RATE_LIMITED")));
        }
        // Someone else's address is not blocked.
        let (status, _) = other
            .call(Method::POST, "/api/v1/auth/tokens", None,
                Some(&json!({"email": "boekhouder@demo.kmo", "password": kmo_sim::demo::DEMO_PASSWORD, "token_name": "x"})))
            .await;
        assert_eq!(status, 201);
        // A day later the window has passed; a success clears the count.
        app.clock
            .set(kmo_domain::Date::parse("2025-03-04").unwrap());
        let (status, _) = other
            .call(Method::POST, "/api/v1/auth/tokens", None, Some(&good))
            .await;
        assert_eq!(status, 201);
        other.stop().await;
        app.stop().await;
    }
}

#[tokio::test]
async fn mandates_are_granted_by_the_agency_or_delegated_by_a_legal_representative() {
    let app = spawn_demo(None).await;
    let agency = app.login("agentschap@demo.kmo").await;
    let owner = app.login("ondernemer@demo.kmo").await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&agency),
            Some(&json!({"email": "nieuw@demo.kmo",
            "name": "Nieuwe Boekhouder", "password": "een-lang-wachtwoord", "role": "enterprise"})),
        )
        .await;
    assert_eq!(status, 201);
    // A legal representative delegates a scope, but cannot make a legal representative.
    let grant = |scope: &str| json!({"email": "nieuw@demo.kmo", "enterprise": "0403.199.702", "scope": scope, "valid_until": "2025-12-31"});
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/mandates",
            Some(&owner),
            Some(&grant("legal_representative")),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
    let (status, m) = app
        .call(
            Method::POST,
            "/api/v1/mandates",
            Some(&owner),
            Some(&grant("view_and_apply")),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let new = app
        .login_with("nieuw@demo.kmo", "een-lang-wachtwoord")
        .await;
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/enterprises/0403.199.702",
            Some(&new),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/mandates/{}", m["id"]),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/enterprises/0403.199.702",
            Some(&new),
            None,
        )
        .await;
    assert_eq!(status, 404);
    // Bad input: a password too short, an unknown role, a duplicate address.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&agency),
            Some(&json!({"email": "x@demo.kmo",
            "name": "X", "password": "kort", "role": "enterprise"})),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")));
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&agency),
            Some(&json!({"email": "nieuw@demo.kmo",
            "name": "X", "password": "een-lang-wachtwoord", "role": "enterprise"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("DUPLICATE_USER"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&agency),
            Some(&json!({"email": "y@demo.kmo",
            "name": "Y", "password": "een-lang-wachtwoord", "role": "koning"})),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("role")));
    app.stop().await;
}

#[tokio::test]
async fn idempotency_keys_belong_to_a_valid_credential_and_never_keep_a_secret() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let owner = app.login("ondernemer@demo.kmo").await;
        let accountant = app.login("boekhouder@demo.kmo").await;
        let post = |path: &'static str,
                    token: Option<String>,
                    key: &'static str,
                    body: serde_json::Value| {
            let mut r = app
                .client
                .post(app.url(path))
                .header("idempotency-key", key)
                .json(&body);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send()
        };
        // Anonymous calls keep nothing: the same key twice is answered live twice, so nobody
        // can claim a key or read an answer without credentials.
        let case = serde_json::from_str::<serde_json::Value>(
            std::fs::read_to_string(shared_dir().join("spec/vectors/public.jsonl"))
                .unwrap()
                .lines()
                .next()
                .unwrap(),
        )
        .unwrap()["case"]
            .clone();
        for _ in 0..2 {
            let r = post("/api/v1/rules/evaluate", None, "anon-1", case.clone())
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert!(
                r.headers().get("idempotent-replayed").is_none(),
                "an anonymous answer was kept"
            );
        }
        // Another tenant's key is another key: the owner's stored answer is never theirs.
        let body = json!({"enterprise": "0403.199.702", "application": "IDEM-T1", "provider": "0811.111.129",
            "service_id": 1, "start_date": "2025-03-01"});
        let first = post(
            "/api/v1/applications",
            Some(owner.clone()),
            "shared-key",
            body.clone(),
        )
        .await
        .unwrap();
        assert_eq!(first.status(), 201);
        let theirs = post(
            "/api/v1/applications",
            Some(accountant.clone()),
            "shared-key",
            body.clone(),
        )
        .await
        .unwrap();
        assert!(theirs.headers().get("idempotent-replayed").is_none());
        assert_eq!(
            theirs.status(),
            403,
            "the accountant may not apply: answered live"
        );
        // The owner's own retry is still answered from the store.
        let again = post(
            "/api/v1/applications",
            Some(owner.clone()),
            "shared-key",
            body.clone(),
        )
        .await
        .unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        // A new token's answer carries its secret: it is never kept, and a retry is told why.
        let made = post(
            "/api/v1/me/tokens",
            Some(owner.clone()),
            "token-key",
            json!({"name": "ci"}),
        )
        .await
        .unwrap();
        assert_eq!(made.status(), 201);
        let made: serde_json::Value = made.json().await.unwrap();
        let secret = made["token"].as_str().unwrap().to_owned();
        let retry = post(
            "/api/v1/me/tokens",
            Some(owner.clone()),
            "token-key",
            json!({"name": "ci"}),
        )
        .await
        .unwrap();
        assert_eq!(retry.status(), 409);
        let text = retry.text().await.unwrap();
        assert!(
            text.contains("IDEMPOTENCY_KEY_REUSED") && !text.contains(&secret),
            "{text}"
        );
        // A revoked token's stored answers are not replayed: it is refused as any revoked token.
        let body2 = json!({"enterprise": "0403.199.702", "application": "IDEM-T2", "provider": "0811.111.129",
            "service_id": 1, "start_date": "2025-03-01"});
        let kept = post(
            "/api/v1/applications",
            Some(secret.clone()),
            "before-revoke",
            body2.clone(),
        )
        .await
        .unwrap();
        assert_eq!(kept.status(), 201);
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/me/tokens/{}", made["id"]),
                Some(&secret),
                None,
            )
            .await;
        assert_eq!(status, 204);
        let revoked = post(
            "/api/v1/applications",
            Some(secret.clone()),
            "before-revoke",
            body2,
        )
        .await
        .unwrap();
        assert_eq!(
            revoked.status(),
            401,
            "a revoked token got its stored answer"
        );
        // Kept answers expire (limits.idempotency_hours, 24 by default): two days on, the owner's
        // key is answered live again (the application exists: 409), not replayed.
        let today = kmo_http::clock::Clock::today(&*app.clock);
        app.clock.set(today.add_days(2).unwrap());
        let later = post(
            "/api/v1/applications",
            Some(owner.clone()),
            "shared-key",
            body.clone(),
        )
        .await
        .unwrap();
        assert!(
            later.headers().get("idempotent-replayed").is_none(),
            "an expired answer was replayed"
        );
        assert_eq!(later.status(), 409);
        app.stop().await;
    }
}

#[tokio::test]
async fn an_idempotency_key_answers_a_retry_and_refuses_another_request() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let owner = app.login("ondernemer@demo.kmo").await;
        let body = json!({"enterprise": "0403.199.702", "application": "IDEM-1", "provider": "0811.111.129",
            "service_id": 1, "start_date": "2025-03-01"});
        let send = |key: &'static str, body: serde_json::Value| {
            app.client
                .post(app.url("/api/v1/applications"))
                .bearer_auth(&owner)
                .header("idempotency-key", key)
                .json(&body)
                .send()
        };
        let first = send("k-1", body.clone()).await.unwrap();
        assert_eq!(first.status(), 201);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: serde_json::Value = first.json().await.unwrap();
        let again = send("k-1", body.clone()).await.unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<serde_json::Value>().await.unwrap(), first);
        let mut other = body.clone();
        other["application"] = json!("IDEM-2");
        let reused = send("k-1", other).await.unwrap();
        assert_eq!(reused.status(), 409);
        let reused: serde_json::Value = reused.json().await.unwrap();
        assert_eq!(reused["code"], "IDEMPOTENCY_KEY_REUSED");
        let bad = app
            .client
            .post(app.url("/api/v1/applications"))
            .bearer_auth(&owner)
            .header("idempotency-key", "")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        // Nothing was submitted twice.
        let (status, a) = app
            .call(
                Method::GET,
                "/api/v1/applications/IDEM-1",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!((status, &a["state"]), (200, &json!("submitted")));
        let (status, _) = app
            .call(
                Method::GET,
                "/api/v1/applications/IDEM-2",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(status, 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn lists_come_in_bounded_pages_and_the_timeline_is_the_audit_chain() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        // Public provider search.
        let (status, page) = app
            .call(Method::GET, "/api/v1/providers?name=SYNTRA", None, None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
        let (_, page) = app
            .call(
                Method::GET,
                "/api/v1/providers?theme=sustainability",
                None,
                None,
            )
            .await;
        assert_eq!(page["items"][0]["name"], "Duurzaam Ondernemen CV");
        let (_, page) = app
            .call(Method::GET, "/api/v1/providers?name=100%25", None, None)
            .await;
        assert_eq!(
            page["items"].as_array().unwrap().len(),
            0,
            "% is literal: {page}"
        );
        let mut seen = Vec::new();
        let mut after = 0;
        loop {
            let (status, page) = app
                .call(
                    Method::GET,
                    &format!("/api/v1/providers?limit=1&after={after}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(status, 200);
            for item in page["items"].as_array().unwrap() {
                seen.push(item["key"].as_str().unwrap().to_owned());
            }
            match page["next_after"].as_i64() {
                Some(n) => after = n,
                None => break,
            }
        }
        assert_eq!(seen.len(), 3);
        for bad in [
            "limit=0",
            "limit=101",
            "after=-1",
            "theme=yoga",
            "colour=red",
            "limit=x",
        ] {
            let (status, body) = app
                .call(Method::GET, &format!("/api/v1/providers?{bad}"), None, None)
                .await;
            assert_eq!(
                (status, body["code"].as_str()),
                (400, Some("INVALID_BODY")),
                "{bad}"
            );
        }

        // An enterprise's applications, for its legal representative.
        let owner = app.login("ondernemer@demo.kmo").await;
        let (status, page) = app
            .call(
                Method::GET,
                "/api/v1/enterprises/0403.199.702/applications",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let keys: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["key"].as_str().unwrap())
            .collect();
        assert!(
            keys.contains(&"DEMO-BETAALD") && keys.contains(&"DEMO-DEELS-BETAALD"),
            "{keys:?}"
        );
        // A provider's applications, for its own user.
        let trainer = app.login("opleider@demo.kmo").await;
        let (status, page) = app
            .call(
                Method::GET,
                "/api/v1/providers/0811.111.129/applications?limit=2",
                Some(&trainer),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        assert!(page["next_after"].is_i64());

        // The timeline of a paid application: submitted, funded, paid, each linked to the last.
        let (status, trail) = app
            .call(
                Method::GET,
                "/api/v1/applications/DEMO-BETAALD/audit",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(status, 200, "{trail}");
        let trail = trail.as_array().unwrap();
        assert!(trail.len() >= 3, "{trail:?}");
        let seqs: Vec<i64> = trail.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(
            seqs,
            (1..=i64::try_from(trail.len()).unwrap()).collect::<Vec<_>>()
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_browser_session_reads_with_its_cookie_and_changes_only_with_its_csrf_token() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let r = app
            .post_json(
                "/api/v1/auth/sessions",
                &json!({"email": "ondernemer@demo.kmo", "password": kmo_sim::demo::DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
            "{set_cookie}"
        );
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let body: serde_json::Value = r.json().await.unwrap();
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        let with_cookie = |method: Method, path: &str| {
            app.client
                .request(method, app.url(path))
                .header("cookie", &cookie)
        };
        let me = with_cookie(Method::GET, "/api/v1/me").send().await.unwrap();
        assert_eq!(me.status(), 200);
        // A change without the CSRF token (what another site's form would send) is refused.
        let forged = with_cookie(Method::POST, "/api/v1/me/tokens")
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let forged: serde_json::Value = forged.json().await.unwrap();
        assert_eq!(forged["code"], "CSRF_FAILED");
        let made = with_cookie(Method::POST, "/api/v1/me/tokens")
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), 201);
        // Logging out ends the session.
        let out = with_cookie(Method::DELETE, "/api/v1/auth/sessions")
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 204);
        let after = with_cookie(Method::GET, "/api/v1/me").send().await.unwrap();
        assert_eq!(after.status(), 401);
        app.stop().await;
    }
}

#[tokio::test]
async fn an_activation_letter_links_a_legal_representative_once_within_a_month() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let agency = app.login("agentschap@demo.kmo").await;
        let (status, _) = app
            .call(Method::POST, "/api/v1/users", Some(&agency), Some(&json!({"email": "zaakvoerder@demo.kmo",
                "name": "Zoë <Zaakvoerder>", "password": "een-lang-wachtwoord", "role": "enterprise"})))
            .await;
        assert_eq!(status, 201);
        let user = app
            .login_with("zaakvoerder@demo.kmo", "een-lang-wachtwoord")
            .await;
        let (status, letter) = app
            .call(
                Method::POST,
                "/api/v1/activation-letters",
                Some(&user),
                Some(&json!({"enterprise": "0555.912.344"})),
            )
            .await;
        assert_eq!(status, 201, "{letter}");
        assert_eq!(letter["valid_until"], "2025-04-03");
        assert!(
            letter.get("code").is_none(),
            "the requester never sees the code"
        );
        // Only the agency prints it, once; the page escapes what users typed.
        let print = format!("/api/v1/activation-letters/{}/print", letter["id"]);
        let (status, _) = app.call(Method::POST, &print, Some(&user), None).await;
        assert_eq!(status, 403);
        let page = app
            .client
            .post(app.url(&print))
            .bearer_auth(&agency)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("<meta charset=\"utf-8\">") && html.contains("Studio Peeters"));
        // The name is escaped (the template writes numeric entities).
        assert!(
            (html.contains("Zoë &lt;Zaakvoerder&gt;")
                || html.contains("Zoë &#60;Zaakvoerder&#62;"))
                && !html.contains("<Zaakvoerder>"),
            "{html}"
        );
        let code = html
            .split("monospace\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        let (status, _) = app.call(Method::POST, &print, Some(&agency), None).await;
        assert_eq!(status, 422, "printed once");
        // Someone else cannot use the code; a wrong code says nothing more.
        let other = app.login("boekhouder@demo.kmo").await;
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/activation-letters/activate",
                Some(&other),
                Some(&json!({"code": code})),
            )
            .await;
        assert_eq!((status, body["field"].as_str()), (422, Some("code")));
        let (status, _) = app
            .call(
                Method::GET,
                "/api/v1/enterprises/0555.912.344",
                Some(&user),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, m) = app
            .call(
                Method::POST,
                "/api/v1/activation-letters/activate",
                Some(&user),
                Some(&json!({"code": code.to_lowercase()})),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        assert_eq!(m["scope"], "legal_representative");
        let (status, _) = app
            .call(
                Method::GET,
                "/api/v1/enterprises/0555.912.344",
                Some(&user),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/activation-letters/activate",
                Some(&user),
                Some(&json!({"code": code})),
            )
            .await;
        assert_eq!(status, 422, "used once");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_draft_is_kept_without_reserving_then_submitted_or_discarded() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let owner = app.login("ondernemer@demo.kmo").await;
        let accountant = app.login("boekhouder@demo.kmo").await;
        let adviser = app.login("adviseur@demo.kmo").await;
        let wallet = |token: String| {
            let app = &app;
            async move {
                let (_, e) = app
                    .call(
                        Method::GET,
                        "/api/v1/enterprises/0403.199.702",
                        Some(&token),
                        None,
                    )
                    .await;
                e["wallet"]["reserved_cents"].as_i64().unwrap()
            }
        };
        let reserved = wallet(owner.clone()).await;
        let draft = |fee: i64| {
            json!({"enterprise": "0403.199.702", "application": "DRAFT-1", "provider": "0811.111.129",
                "service": {"kind": "training", "theme": "digitalisation", "sub_theme": "cybersecurity",
                    "start_date": "2025-03-10", "topics": []},
                "costs": [{"type": "fee", "amount_cents": fee}],
                "participants": [{"name": "An", "status": "employee"}]})
        };
        let (status, saved) = app
            .call(
                Method::POST,
                "/api/v1/drafts",
                Some(&owner),
                Some(&draft(90_000)),
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        // Saving again replaces it; nothing is reserved.
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/drafts",
                Some(&owner),
                Some(&draft(120_000)),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(wallet(owner.clone()).await, reserved);
        let (status, seen) = app
            .call(
                Method::GET,
                "/api/v1/drafts/DRAFT-1",
                Some(&accountant),
                None,
            )
            .await;
        assert_eq!(status, 200, "{seen}");
        assert_eq!(seen["costs"][0]["amount_cents"], 120_000);
        assert_eq!(seen["participants"][0]["status"], "employee");
        // The accountant may look but not submit or discard; a provider does not see it.
        for (method, path) in [
            (Method::POST, "/api/v1/drafts/DRAFT-1/submit"),
            (Method::DELETE, "/api/v1/drafts/DRAFT-1"),
        ] {
            let (status, body) = app.call(method, path, Some(&accountant), None).await;
            assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
        }
        let (status, body) = app
            .call(Method::GET, "/api/v1/drafts/DRAFT-1", Some(&adviser), None)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("UNKNOWN_DRAFT"))
        );
        // A bad participant status is refused with its field; the draft stays as it was.
        let mut bad = draft(1);
        bad["participants"][0]["status"] = json!("stagiair");
        let (status, body) = app
            .call(Method::POST, "/api/v1/drafts", Some(&owner), Some(&bad))
            .await;
        assert_eq!(status, 422);
        assert_eq!(body["field"], "participants[0].status");

        // Submitted: the rules decide, the subsidy is reserved, the draft is gone.
        let (status, a) = app
            .call(
                Method::POST,
                "/api/v1/drafts/DRAFT-1/submit",
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(status, 201, "{a}");
        assert_eq!(
            (a["key"].as_str(), a["eligible_cents"].as_i64()),
            (Some("DRAFT-1"), Some(120_000))
        );
        assert_eq!(
            wallet(owner.clone()).await,
            reserved + a["subsidy_cents"].as_i64().unwrap()
        );
        let (status, body) = app
            .call(Method::GET, "/api/v1/drafts/DRAFT-1", Some(&owner), None)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("UNKNOWN_DRAFT"))
        );
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/drafts",
                Some(&owner),
                Some(&draft(1)),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("DUPLICATE_APPLICATION")),
            "{body}"
        );

        // Another draft, discarded.
        let mut other = draft(50_000);
        other["application"] = json!("DRAFT-2");
        let (status, _) = app
            .call(Method::POST, "/api/v1/drafts", Some(&owner), Some(&other))
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .call(Method::DELETE, "/api/v1/drafts/DRAFT-2", Some(&owner), None)
            .await;
        assert_eq!(status, 204);
        let (status, _) = app
            .call(Method::DELETE, "/api/v1/drafts/DRAFT-2", Some(&owner), None)
            .await;
        assert_eq!(status, 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_preview_shows_what_the_submission_then_records() {
    for db in backends() {
        let app = spawn_demo(db.as_deref()).await;
        let owner = app.login("ondernemer@demo.kmo").await;
        let accountant = app.login("boekhouder@demo.kmo").await;
        // A large training: the enterprise's earlier applications this year decide the cap.
        let submit = json!({"enterprise": "0403.199.702", "application": "PREVIEW-1",
            "provider": "0811.111.129",
            "service": {"kind": "training", "theme": "digitalisation", "sub_theme": null, "start_date": "2025-03-01"},
            "costs": [{"type": "fee", "amount_cents": 3_000_000}]});
        let (status, p) = app
            .call(
                Method::POST,
                "/api/v1/applications/preview?lang=en",
                Some(&owner),
                Some(&submit),
            )
            .await;
        assert_eq!(status, 200, "{p}");
        assert!(p["ceiling_reserved_cents"].as_i64().unwrap() > 0, "{p}");
        assert!(
            p["explanation"].as_str().unwrap().contains("Decision"),
            "{p}"
        );
        let (status, a) = app
            .call(
                Method::POST,
                "/api/v1/applications",
                Some(&owner),
                Some(&submit),
            )
            .await;
        assert_eq!(status, 201, "{a}");
        assert_eq!(p["accepted"], true);
        for field in [
            "eligible_cents",
            "subsidy_cents",
            "own_share_cents",
            "rate_bp",
            "size",
        ] {
            assert_eq!(p[field], a[field], "{field}: {p} {a}");
        }
        // Nothing was written by the preview: the key was free for the submission, and an
        // accountant who may not apply may not preview either.
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/applications/preview",
                Some(&accountant),
                Some(&submit),
            )
            .await;
        assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/applications/preview?lang=fr",
                Some(&owner),
                Some(&submit),
            )
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some("lang")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn refusals_of_the_registries_and_accounts_carry_their_codes() {
    let app = spawn_demo(None).await;
    let agency = app.login("agentschap@demo.kmo").await;
    let owner = app.login("ondernemer@demo.kmo").await;
    let code = |body: &Value| body["code"].as_str().unwrap_or_default().to_owned();
    // A wrong password.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/tokens",
            None,
            Some(&json!({"email": "ondernemer@demo.kmo", "password": "wrong-password-1", "token_name": "x"})),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (401, "AUTHENTICATION_FAILED".to_owned())
    );
    // An enterprise registered twice, and one whose profile the rules cannot read.
    let new = json!({"key": "0202.239.951", "name": "Nieuw BV", "profile": {"legal_form": "NV", "flemish_establishment": true, "public_bodies_pct": 0, "size": "small"}});
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/enterprises",
            Some(&agency),
            Some(&new),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/enterprises",
            Some(&agency),
            Some(&new),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (409, "DUPLICATE_ENTERPRISE".to_owned())
    );
    let bad = json!({"key": "0203.201.340", "name": "Vreemd", "profile": {"legal_form": "NV", "flemish_establishment": true, "public_bodies_pct": 0, "size": "reuzegroot"}});
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/enterprises",
            Some(&agency),
            Some(&bad),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (422, "INVALID_ENTERPRISE".to_owned()),
        "{body}"
    );
    // A mandate for someone who has no account, and revoking a mandate that does not exist.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/mandates",
            Some(&owner),
            Some(&json!({"email": "niemand@demo.kmo", "enterprise": "0403.199.702", "scope": "view_and_release"})),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (404, "UNKNOWN_USER".to_owned()),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::DELETE,
            "/api/v1/mandates/999999",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (404, "UNKNOWN_MANDATE".to_owned()),
        "{body}"
    );
    // The own share of an application already funded, sent again: returned, with the reason.
    let funded = app
        .call(
            Method::GET,
            "/api/v1/applications/DEMO-GESTORT",
            Some(&agency),
            None,
        )
        .await
        .1;
    let statement = json!({"lines": [{"reference": funded["reference"], "amount_cents": funded["own_share_cents"], "bank_ref": "TWICE-1"}]});
    let (status, lines) = app
        .call(
            Method::POST,
            "/api/v1/deposits",
            Some(&agency),
            Some(&statement),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(lines[0]["outcome"], "DEPOSIT_ALREADY_FUNDED", "{lines}");
    app.stop().await;
}
