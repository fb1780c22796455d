//! Test vectors: lines `{"case": …, "expect": …}` of `spec/vectors/*.jsonl` (rules-eval.md).
//!
//! [`check_vector`] answers the case exactly as `kmo rules eval` does (JSON text in, JSON answer
//! out) and compares every expected key; `reasons_include` means the answer's reasons contain
//! each listed code. Used by the test suite and by `kmo rules eval --check`.

use kmo_domain::codes::Lang;
use serde_json::Value;

use crate::output::eval_json_case;
use crate::ruleset::RuleBook;
use crate::trace::Trace;

/// The outcome of one vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorOutcome {
    /// The case's id, or `line N`.
    pub name: String,
    /// The answer as written by `kmo rules eval`.
    pub answer: String,
    /// One sentence per expectation not met; empty when the vector passes.
    pub failures: Vec<String>,
}

/// Checks one vector line. `line_number` names vectors without an id.
#[must_use]
pub fn check_vector(
    book: &RuleBook,
    line: &str,
    line_number: usize,
    trace: &mut Trace,
) -> VectorOutcome {
    let fallback = format!("line {line_number}");
    let vector: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return VectorOutcome {
                name: fallback,
                answer: String::new(),
                failures: vec![format!("not a JSON vector: {e}")],
            };
        }
    };
    let name = vector
        .pointer("/case/id")
        .and_then(Value::as_str)
        .map_or(fallback, str::to_owned);
    let (Some(case), Some(expect)) = (
        vector.get("case"),
        vector.get("expect").and_then(Value::as_object),
    ) else {
        return VectorOutcome {
            name,
            answer: String::new(),
            failures: vec!["a vector needs \"case\" and an \"expect\" object".into()],
        };
    };
    let mut bytes = Vec::new();
    eval_json_case(book, &case.to_string(), trace, Lang::En, &mut bytes);
    let answer = String::from_utf8_lossy(&bytes).trim_end().to_owned();
    let parsed: Value = match serde_json::from_str(&answer) {
        Ok(v) => v,
        Err(e) => {
            return VectorOutcome {
                name,
                answer,
                failures: vec![format!("the answer is not JSON: {e}")],
            };
        }
    };
    let failures = compare(&parsed, expect);
    VectorOutcome {
        name,
        answer,
        failures,
    }
}

/// One sentence per expected key the answer does not have (`reasons_include`: each listed code
/// is among the answer's reasons); empty when the answer meets the expectation.
#[must_use]
pub fn compare(parsed: &Value, expect: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut failures = Vec::new();
    for (key, want) in expect {
        let ok = if key == "reasons_include" {
            let got = parsed.get("reasons").and_then(Value::as_array);
            want.as_array()
                .is_some_and(|w| w.iter().all(|r| got.is_some_and(|g| g.contains(r))))
        } else {
            parsed.get(key) == Some(want)
        };
        if !ok {
            let got = if key == "reasons_include" {
                parsed.get("reasons")
            } else {
                parsed.get(key)
            };
            failures.push(format!(
                "{key}: expected {want}, got {}",
                got.map_or("nothing".to_owned(), Value::to_string)
            ));
        }
    }
    failures
}
