//! Every line of `../shared/spec/vectors/public.jsonl` passes, read from the shared folder (never
//! copied), through the same path `kmo rules eval` takes: JSON text in, JSON answer out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should stop the test"
)]

use std::path::PathBuf;

use kmo_rules::vectors::check_vector;
use kmo_rules::{RuleBook, Trace};
use serde_json::Value;

fn shared_dir() -> PathBuf {
    std::env::var_os("KMO_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

#[test]
fn every_public_vector_passes() {
    let path = shared_dir().join("spec/vectors/public.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let book = RuleBook::embedded().unwrap();
    let mut trace = Trace::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        count += 1;
        let outcome = check_vector(&book, line, n + 1, &mut trace);
        for f in &outcome.failures {
            failures.push(format!("{}: {f} — answer {}", outcome.name, outcome.answer));
        }
        // Invariants of every answer (rules-eval.md "Output").
        let answer: Value = serde_json::from_str(&outcome.answer).unwrap();
        let vector: Value = serde_json::from_str(line).unwrap();
        let id = &outcome.name;
        assert_eq!(answer["id"], vector["case"]["id"], "{id}: the id is echoed");
        match answer["decision"].as_str().unwrap() {
            "eligible" => {
                let (e, s, o) = (
                    answer["eligible_cents"].as_i64().unwrap(),
                    answer["subsidy_cents"].as_i64().unwrap(),
                    answer["own_share_cents"].as_i64().unwrap(),
                );
                assert_eq!(s + o, e, "{id}: subsidy + own share = eligible");
                assert!(answer["reasons"].as_array().unwrap().is_empty(), "{id}");
                assert!(
                    !answer["trace"].as_array().unwrap().is_empty(),
                    "{id}: a trace is present"
                );
            }
            "rejected" => {
                assert!(!answer["reasons"].as_array().unwrap().is_empty(), "{id}");
                assert!(
                    !answer["trace"].as_array().unwrap().is_empty(),
                    "{id}: a trace is present"
                );
            }
            "error" => {
                assert!(
                    !answer["error"]["message"].as_str().unwrap().is_empty(),
                    "{id}"
                );
                assert!(answer["error"]["field"].is_string(), "{id}");
            }
            other => panic!("{id}: decision {other}"),
        }
    }
    assert!(
        count >= 70,
        "expected the full public vector file, read {count} lines"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
