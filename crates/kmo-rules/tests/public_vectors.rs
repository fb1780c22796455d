//! Every line of `../shared/spec/vectors/public.jsonl` passes, read from the shared folder (never
//! copied), through the same path `kmo rules eval` takes: JSON text in, JSON answer out.

use std::path::PathBuf;

use kmo_domain::codes::Lang;
use kmo_rules::output::eval_json_case;
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
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let book = RuleBook::embedded().unwrap();
    let mut trace = Trace::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        count += 1;
        let vector: Value = serde_json::from_str(line).unwrap();
        let case_text = vector["case"].to_string();
        let mut out = String::new();
        eval_json_case(&book, &case_text, &mut trace, Lang::En, &mut out);
        let answer: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("line {}: answer is not JSON ({e}): {out}", n + 1));
        let expect = vector["expect"].as_object().unwrap();
        let id = vector["case"]["id"].as_str().unwrap_or("?");
        for (key, want) in expect {
            let ok = match key.as_str() {
                "reasons_include" => want.as_array().unwrap().iter().all(|r| answer["reasons"].as_array().is_some_and(|got| got.contains(r))),
                _ => &answer[key] == want,
            };
            if !ok {
                failures.push(format!("{id} (line {}): {key} expected {want}, answer {answer}", n + 1));
            }
        }
        // Invariants of every answer (rules-eval.md "Output").
        if answer["decision"] == "eligible" {
            let e = answer["eligible_cents"].as_i64().unwrap();
            let s = answer["subsidy_cents"].as_i64().unwrap();
            let o = answer["own_share_cents"].as_i64().unwrap();
            assert_eq!(s + o, e, "{id}: subsidy + own share = eligible");
            assert!(answer["reasons"].as_array().unwrap().is_empty(), "{id}");
        }
        if answer["decision"] == "error" {
            assert!(!answer["error"]["message"].as_str().unwrap().is_empty(), "{id}");
        } else {
            assert!(!answer["trace"].as_array().unwrap().is_empty(), "{id}: a trace is present");
        }
        assert_eq!(answer["id"], vector["case"]["id"], "{id}: the id is echoed");
    }
    assert!(count >= 70, "expected the full public vector file, read {count} lines");
    assert!(failures.is_empty(), "{} of {count} vectors fail:\n{}", failures.len(), failures.join("\n"));
}
