//! `POST /api/v1/rules/evaluate` against rules-eval.md and its public vectors.

use serde_json::{Value, json};

use crate::helpers::{backends, shared_dir, spawn_app, spawn_app_with};

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(shared_dir().join("spec/vectors/public.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The answer meets the vector's expectation (as `kmo rules eval --check` judges it).
fn matches(answer: &Value, expect: &Value) -> bool {
    kmo_rules::vectors::compare(answer, expect.as_object().unwrap()).is_empty()
}

#[tokio::test]
async fn every_public_vector_is_answered_as_expected_one_by_one_and_in_a_batch() {
    let vectors = vectors();
    for db in backends() {
        let app = spawn_app(db.as_deref()).await;
        for v in vectors.iter().take(40) {
            let r = app.post_json("/api/v1/rules/evaluate", &v["case"]).await;
            let status = r.status().as_u16();
            let answer: Value = r.json().await.unwrap();
            assert!(
                matches(&answer, &v["expect"]),
                "{} → {answer}",
                v["case"]["id"]
            );
            let expected_status = if v["expect"]["decision"] == "error" {
                422
            } else {
                200
            };
            assert_eq!(status, expected_status, "{answer}");
        }
        let cases: Vec<Value> = vectors.iter().map(|v| v["case"].clone()).collect();
        for chunk in cases.chunks(500) {
            let r = app.post_json("/api/v1/rules/evaluate", &json!(chunk)).await;
            assert_eq!(r.status(), 200);
            let answers: Vec<Value> = r.json().await.unwrap();
            assert_eq!(answers.len(), chunk.len());
            for (case, answer) in chunk.iter().zip(&answers) {
                let v = vectors
                    .iter()
                    .find(|v| v["case"]["id"] == case["id"])
                    .unwrap();
                assert!(matches(answer, &v["expect"]), "{} → {answer}", case["id"]);
            }
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn the_trace_speaks_english_on_request() {
    let app = spawn_app(None).await;
    let case = vectors()[0]["case"].clone();
    let nl: Value = app
        .post_json("/api/v1/rules/evaluate", &case)
        .await
        .json()
        .await
        .unwrap();
    let en: Value = app
        .post_json("/api/v1/rules/evaluate?lang=en", &case)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(nl["subsidy_cents"], en["subsidy_cents"]);
    assert_ne!(nl["trace"], en["trace"]);
    let r = app.post_json("/api/v1/rules/evaluate?lang=fr", &case).await;
    assert_eq!(r.status(), 400);
    let r = app
        .post_json("/api/v1/rules/evaluate?colour=red", &case)
        .await;
    assert_eq!(r.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn bad_bodies_get_specific_codes() {
    let app = spawn_app_with(None, |s| {
        s.limits.rules_batch_max = 3;
        s.limits.request_body_bytes_max = 4096;
    })
    .await;
    let code = |v: Value| v["code"].as_str().unwrap().to_owned();
    let url = "/api/v1/rules/evaluate";

    let r = app
        .post_raw(url, "application/json", b"{\"id\": ".to_vec())
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(code(r.json().await.unwrap()), "MALFORMED_JSON");

    let r = app.post_raw(url, "application/json", b"42".to_vec()).await;
    assert_eq!(r.status(), 400);
    assert_eq!(code(r.json().await.unwrap()), "MALFORMED_JSON");

    let r = app.post_raw(url, "text/plain", b"{}".to_vec()).await;
    assert_eq!(r.status(), 415);
    assert_eq!(code(r.json().await.unwrap()), "UNSUPPORTED_MEDIA_TYPE");

    let r = app.post_raw(url, "application/json", b"[]".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert_eq!(code(r.json().await.unwrap()), "EMPTY_BATCH");

    let r = app.post_json(url, &json!([{}, {}, {}, {}])).await;
    assert_eq!(r.status(), 413);
    assert_eq!(code(r.json().await.unwrap()), "BATCH_TOO_LARGE");

    let big = format!("{{\"id\": \"{}\"}}", "x".repeat(10_000));
    let r = app
        .post_raw(url, "application/json", big.into_bytes())
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(code(r.json().await.unwrap()), "BODY_TOO_LARGE");

    // A case that is JSON but not a valid case: the rules-eval.md error object, naming the field.
    let r = app
        .post_json(url, &json!({"id": "X", "submitted_on": "2024-02-30"}))
        .await;
    assert_eq!(r.status(), 422);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["decision"], "error");
    assert_eq!(answer["id"], "X");
    assert!(answer["error"]["field"].is_string(), "{answer}");

    // SQL and HTML in strings are just strings.
    let r = app
        .post_json(
            url,
            &json!({"id": "'; drop table application; --<script>", "submitted_on": "x"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["id"], "'; drop table application; --<script>");
    app.stop().await;
}
