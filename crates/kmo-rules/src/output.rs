//! Writing answers as JSON (rules-eval.md, "Output"), by hand: one answer is a few hundred bytes
//! and `kmo rules eval` writes millions of them, so no intermediate `Value` is built.

use kmo_domain::codes::Lang;

use crate::evaluate::{Decision, evaluate_traced};
use crate::input::{InputError, parse_case};
use crate::ruleset::RuleBook;
use crate::trace::Trace;

/// Appends `s` as a JSON string literal (with quotes).
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, ch) in s.char_indices() {
        let escape = match ch {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            c if u32::from(c) < 0x20 => None,
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or(""));
        match escape {
            Some(e) => out.push_str(e),
            None => {
                out.push_str("\\u00");
                let v = u32::from(ch);
                for nibble in [v >> 4, v & 0xf] {
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
        }
        start = i + ch.len_utf8();
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

fn push_int(out: &mut String, n: i64) {
    let mut buf = itoa::Buffer::new();
    out.push_str(buf.format(n));
}

fn push_id(out: &mut String, id: Option<&str>) {
    out.push_str("{\"id\":");
    match id {
        Some(id) => push_json_str(out, id),
        None => out.push_str("null"),
    }
}

/// Appends the error answer for a case that could not be evaluated (no newline).
pub fn write_error(out: &mut String, id: Option<&str>, error: &InputError) {
    push_id(out, id);
    out.push_str(",\"decision\":\"error\",\"error\":{\"field\":");
    push_json_str(out, &error.field);
    out.push_str(",\"message\":");
    push_json_str(out, &error.message);
    out.push_str("}}");
}

/// Appends the answer for an evaluated case (no newline). With a trace, its steps are written
/// as `{"rule", "result", "detail"}` objects in the given language.
pub fn write_decision(
    out: &mut String,
    book: &RuleBook,
    id: Option<&str>,
    d: &Decision,
    trace: Option<&Trace>,
    lang: Lang,
) {
    push_id(out, id);
    out.push_str(if d.is_eligible() {
        ",\"decision\":\"eligible\""
    } else {
        ",\"decision\":\"rejected\""
    });
    out.push_str(",\"rule_set\":");
    match d.rule_set.and_then(|i| book.get(i)) {
        Some(rs) => push_json_str(out, &rs.id),
        None => out.push_str("null"),
    }
    if let Some(size) = d.size {
        out.push_str(",\"size\":\"");
        out.push_str(size.code());
        out.push('"');
    }
    if d.rule_set.is_some() {
        if let Some(bp) = d.rate_bp {
            out.push_str(",\"rate_bp\":");
            push_int(out, i64::from(bp));
        }
        out.push_str(",\"eligible_cents\":");
        push_int(out, d.eligible.get());
        out.push_str(",\"ineligible_cents\":");
        push_int(out, d.ineligible.get());
        if d.is_eligible() {
            out.push_str(",\"subsidy_cents\":");
            push_int(out, d.subsidy.get());
            out.push_str(",\"own_share_cents\":");
            push_int(out, d.own_share.get());
        }
        out.push_str(",\"ceiling_year\":");
        push_int(out, i64::from(d.ceiling_year()));
    }
    out.push_str(",\"reasons\":[");
    for (i, r) in d.reasons.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(r.code());
        out.push('"');
    }
    out.push(']');
    if let Some(trace) = trace {
        out.push_str(",\"trace\":[");
        for (i, step) in trace.steps().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"rule\":\"");
            out.push_str(step.rule());
            out.push_str("\",\"result\":\"");
            out.push_str(step.outcome().code());
            out.push_str("\",\"detail\":\"");
            step.write_detail(book, lang, out);
            out.push_str("\"}");
        }
        out.push(']');
    }
    out.push('}');
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
    out: &mut String,
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
    out.push('\n');
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\nd\u{1}é€");
        assert_eq!(s, r#""a\"b\\c\nd\u0001é€""#);
        let v: String = serde_json::from_str(&s).unwrap();
        assert_eq!(v, "a\"b\\c\nd\u{1}é€");
    }
}
