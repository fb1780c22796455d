//! Writing answers as JSON (rules-eval.md, "Output"), by hand: one answer is a few hundred bytes
//! and `kmo rules eval` writes millions of them, so no intermediate `Value` is built.

use kmo_domain::codes::Lang;

use crate::evaluate::{Decision, evaluate_traced};
use crate::input::{InputError, parse_case};
use crate::ruleset::RuleBook;
use crate::trace::Trace;

/// Appends `s` as a JSON string literal (with quotes). Only `"`, `\\` and control characters
/// are escaped; every other UTF-8 byte is copied as it is.
pub fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            for nibble in [b >> 4, b & 0xf] {
                out.push(if nibble < 10 {
                    b'0' + nibble
                } else {
                    b'a' + nibble - 10
                });
            }
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(n).as_bytes());
}

fn push_id(out: &mut Vec<u8>, id: Option<&str>) {
    out.extend_from_slice(b"{\"id\":");
    match id {
        Some(id) => push_json_str(out, id),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends the error answer for a case that could not be evaluated (no newline).
pub fn write_error(out: &mut Vec<u8>, id: Option<&str>, error: &InputError) {
    push_id(out, id);
    out.extend_from_slice(b",\"decision\":\"error\",\"error\":{\"field\":");
    push_json_str(out, &error.field);
    out.extend_from_slice(b",\"message\":");
    push_json_str(out, &error.message);
    out.extend_from_slice(b"}}");
}

/// Appends the answer for an evaluated case (no newline). With a trace, its steps are written
/// as `{"rule", "result", "detail"}` objects in the given language.
pub fn write_decision(
    out: &mut Vec<u8>,
    book: &RuleBook,
    id: Option<&str>,
    d: &Decision,
    trace: Option<&Trace>,
    lang: Lang,
) {
    push_id(out, id);
    out.extend_from_slice(if d.is_eligible() {
        b",\"decision\":\"eligible\""
    } else {
        b",\"decision\":\"rejected\""
    });
    out.extend_from_slice(b",\"rule_set\":");
    match d.rule_set.and_then(|i| book.get(i)) {
        Some(rs) => push_json_str(out, &rs.id),
        None => out.extend_from_slice(b"null"),
    }
    if let Some(size) = d.size {
        out.extend_from_slice(b",\"size\":\"");
        out.extend_from_slice(size.code().as_bytes());
        out.push(b'"');
    }
    if d.rule_set.is_some() {
        if let Some(bp) = d.rate_bp {
            out.extend_from_slice(b",\"rate_bp\":");
            push_int(out, i64::from(bp));
        }
        out.extend_from_slice(b",\"eligible_cents\":");
        push_int(out, d.eligible.get());
        out.extend_from_slice(b",\"ineligible_cents\":");
        push_int(out, d.ineligible.get());
        if d.is_eligible() {
            out.extend_from_slice(b",\"subsidy_cents\":");
            push_int(out, d.subsidy.get());
            out.extend_from_slice(b",\"own_share_cents\":");
            push_int(out, d.own_share.get());
        }
        out.extend_from_slice(b",\"ceiling_year\":");
        push_int(out, i64::from(d.ceiling_year()));
    }
    out.extend_from_slice(b",\"reasons\":[");
    for (i, r) in d.reasons.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(r.code().as_bytes());
        out.push(b'"');
    }
    out.push(b']');
    if let Some(trace) = trace {
        out.extend_from_slice(b",\"trace\":[");
        for (i, step) in trace.steps().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(step.json_prefix());
            // Fixed-size copy: every outcome code has four letters.
            out.extend_from_slice(step.outcome().code4());
            out.extend_from_slice(b"\",\"detail\":\"");
            step.write_detail(book, lang, out);
            out.extend_from_slice(b"\"}");
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// What evaluating one line of input produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Decision,
    InputError,
    NotJson,
}

/// Parses, evaluates and writes one case (one JSON text) with its trace, followed by a newline.
/// `trace` is a reusable buffer.
pub fn eval_json_case(
    book: &RuleBook,
    text: &str,
    trace: &mut Trace,
    lang: Lang,
    out: &mut Vec<u8>,
) -> LineKind {
    let parsed = parse_case(book, text);
    let kind = match &parsed.case {
        Ok(case) => {
            trace.clear();
            let decision = evaluate_traced(book, case, trace);
            write_decision(
                out,
                book,
                parsed.id.as_deref(),
                &decision,
                Some(trace),
                lang,
            );
            LineKind::Decision
        }
        Err(e) => {
            write_error(out, parsed.id.as_deref(), e);
            if parsed.was_json {
                LineKind::InputError
            } else {
                LineKind::NotJson
            }
        }
    };
    out.push(b'\n');
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let mut bytes = Vec::new();
        push_json_str(&mut bytes, "a\"b\\c\nd\u{1}é€");
        let s = String::from_utf8(bytes).unwrap();
        assert_eq!(s, r#""a\"b\\c\nd\u0001é€""#);
        let v: String = serde_json::from_str(&s).unwrap();
        assert_eq!(v, "a\"b\\c\nd\u{1}é€");
    }
}
