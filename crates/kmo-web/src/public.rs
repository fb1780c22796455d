//! Pages anyone may open: home and the subsidy simulator (the rules engine with its
//! explanation, under the rules in force today; nothing is stored).

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::get;
use kmo_domain::{Cents, Date};
use kmo_http::AppState;
use kmo_rules::explain::explain;
use kmo_rules::parse_case;
use serde::Deserialize;
use serde_json::json;

use crate::html;
use crate::i18n::{Choice, Label, T, THEMES};
use crate::session::Visitor;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/simulator", get(simulator_form).post(simulate))
}

/// What every page's frame needs: texts, the logged-in user's name, the current path (for the
/// language switch).
#[derive(Debug)]
pub struct Frame {
    pub t: &'static T,
    pub user: Option<String>,
    pub csrf: String,
    pub path: &'static str,
}

impl Frame {
    #[must_use]
    pub fn new(lang: &Choice, visitor: &Visitor, path: &'static str) -> Frame {
        Frame {
            t: lang.texts(),
            user: visitor.name().map(str::to_owned),
            csrf: visitor.csrf().to_owned(),
            path,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    f: Frame,
}

async fn home(lang: Choice, visitor: Visitor) -> Response {
    html(
        Home {
            f: Frame::new(&lang, &visitor, "/"),
        }
        .render(),
        &lang,
    )
}

/// The simulator's form as typed (re-shown as typed when something is wrong).
#[derive(Debug, Default, Deserialize)]
pub struct SimForm {
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub amount: String,
}

/// An error next to its field.
#[derive(Debug, Default)]
pub struct FieldErrors {
    pub size: Option<&'static str>,
    pub kind: Option<&'static str>,
    pub theme: Option<&'static str>,
    pub start_date: Option<&'static str>,
    pub amount: Option<&'static str>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.size.is_some()
            || self.kind.is_some()
            || self.theme.is_some()
            || self.start_date.is_some()
            || self.amount.is_some()
    }
}

/// The decision, shown under the form.
#[derive(Debug)]
pub struct Outcome {
    pub eligible: bool,
    pub subsidy: String,
    pub own_share: String,
    pub explanation: String,
}

#[derive(Template)]
#[template(path = "simulator.html")]
struct Simulator {
    f: Frame,
    form: SimForm,
    errors: FieldErrors,
    outcome: Option<Outcome>,
    themes: Vec<(&'static str, String)>,
}

fn themes(t: &T) -> Vec<(&'static str, String)> {
    THEMES
        .iter()
        .map(|th| (th.code(), th.capitalised_label(t)))
        .collect()
}

async fn simulator_form(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    let t = lang.texts();
    let form = SimForm {
        size: "small".into(),
        kind: "training".into(),
        theme: "digitalisation".into(),
        start_date: state.clock.today().to_string(),
        amount: String::new(),
    };
    html(
        Simulator {
            f: Frame::new(&lang, &visitor, "/simulator"),
            form,
            errors: FieldErrors::default(),
            outcome: None,
            themes: themes(t),
        }
        .render(),
        &lang,
    )
}

/// An amount as people type it: `1.234,56`, `1234,56`, `1234.56`, `€ 1 234`.
pub(crate) fn parse_amount(text: &str) -> Option<Cents> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let cents = if cleaned.contains(',') {
        Cents::parse_belgian(&cleaned).ok()
    } else {
        Cents::parse_decimal(&cleaned)
            .ok()
            .or_else(|| Cents::parse_belgian(&cleaned).ok())
    }?;
    (cents.is_positive() && cents.get() <= kmo_app::platform::AMOUNT_CENTS_MAX).then_some(cents)
}

async fn simulate(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<SimForm>,
) -> Response {
    let t = lang.texts();
    let mut errors = FieldErrors::default();
    if !["small", "medium"].contains(&form.size.as_str()) {
        errors.size = Some(t.err_choice);
    }
    if !["training", "advice"].contains(&form.kind.as_str()) {
        errors.kind = Some(t.err_choice);
    }
    if !THEMES.iter().any(|th| th.code() == form.theme) {
        errors.theme = Some(t.err_choice);
    }
    let start = Date::parse(form.start_date.trim()).ok();
    if start.is_none() {
        errors.start_date = Some(t.err_date);
    }
    let amount = parse_amount(&form.amount);
    if amount.is_none() {
        errors.amount = Some(t.err_amount);
    }
    let outcome = match (start, amount) {
        (Some(start), Some(amount)) if !errors.any() => {
            let case = json!({
                "submitted_on": state.clock.today().to_string(),
                "enterprise": {"legal_form": "BV", "flemish_establishment": true,
                    "public_bodies_pct": 0, "size": form.size},
                "service": {"kind": form.kind, "theme": form.theme, "sub_theme": null,
                    "start_date": start.to_string(), "topics": []},
                "costs": [{"type": "fee", "amount_cents": amount.get()}],
            });
            match parse_case(&state.rules, &case.to_string()).case {
                Ok(case) => {
                    let (d, text) = explain(&state.rules, &case, lang.lang);
                    Some(Outcome {
                        eligible: d.is_eligible(),
                        subsidy: d.subsidy.to_string(),
                        own_share: d.own_share.to_string(),
                        explanation: text,
                    })
                }
                Err(e) => Some(Outcome {
                    eligible: false,
                    subsidy: Cents::ZERO.to_string(),
                    own_share: Cents::ZERO.to_string(),
                    explanation: format!("{}: {} — {}", t.err_case, e.field, e.message),
                }),
            }
        }
        _ => None,
    };
    html(
        Simulator {
            f: Frame::new(&lang, &visitor, "/simulator"),
            form,
            errors,
            outcome,
            themes: themes(t),
        }
        .render(),
        &lang,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        for (text, cents) in [
            ("1.234,56", 123_456),
            ("1234,56", 123_456),
            ("1234.56", 123_456),
            ("€ 1 234", 123_400),
            ("1.234", 123_400),
            ("0,5", 50),
        ] {
            assert_eq!(parse_amount(text), Some(Cents::new(cents)), "{text}");
        }
        for bad in ["", "abc", "-5", "0", "1,234,56", "12,345", "99999999999999"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
