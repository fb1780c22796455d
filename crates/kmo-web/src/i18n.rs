//! The language of a request — `?lang=en|nl` (remembered in the `kmo_lang` cookie), else the
//! cookie, else Dutch — and every text of the pages in both languages: the catalogue
//! `locales/<language>/kmo.ftl` (Fluent syntax), which `build.rs` checks and turns into the
//! struct [`T`] (one field per message, one static per language) and, for the messages that
//! take arguments, the structs of [`args`]. Texts are plain strings: the templates escape them.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use kmo_app::lifecycle::State;
use kmo_domain::codes::Lang;

/// The name of the language cookie.
pub const LANG_COOKIE: &str = "kmo_lang";

/// The language of this request, and whether the visitor just chose it (then the answer sets
/// the cookie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub lang: Lang,
    chosen: bool,
}

impl Choice {
    #[must_use]
    pub fn texts(&self) -> &'static T {
        T::of(self.lang)
    }

    /// `Set-Cookie` value when the visitor chose the language in this request.
    #[must_use]
    pub fn cookie(&self) -> Option<String> {
        self.chosen.then(|| {
            format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                self.lang.code()
            )
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Choice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let asked = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        if let Some(lang) = asked {
            return Ok(Choice { lang, chosen: true });
        }
        let remembered = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, v)| Lang::parse(v));
        Ok(Choice {
            lang: remembered.unwrap_or(Lang::Nl),
            chosen: false,
        })
    }
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// The theme codes of rules-eval.md, in the order the pages list them.
pub const THEMES: [&str; 8] = [
    "business_strategy",
    "digitalisation",
    "sustainability",
    "financial_literacy",
    "innovation",
    "internationalisation",
    "people_management",
    "occupation_specific",
];

impl T {
    /// The code of the other language, the one the language switch offers.
    #[must_use]
    pub fn other_code(&self) -> &'static str {
        match self.lang {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
        .code()
    }

    /// The home page's steps, in order.
    #[must_use]
    pub fn home_steps(&self) -> [&'static str; 4] {
        [
            self.home_steps_1,
            self.home_steps_2,
            self.home_steps_3,
            self.home_steps_4,
        ]
    }

    /// A theme's name (the code itself when unknown).
    #[must_use]
    pub fn theme<'a>(&self, code: &'a str) -> &'a str {
        match code {
            "business_strategy" => self.theme_business_strategy,
            "digitalisation" => self.theme_digitalisation,
            "sustainability" => self.theme_sustainability,
            "financial_literacy" => self.theme_financial_literacy,
            "innovation" => self.theme_innovation,
            "internationalisation" => self.theme_internationalisation,
            "people_management" => self.theme_people_management,
            "occupation_specific" => self.theme_occupation_specific,
            _ => code,
        }
    }

    /// The name of an application's state.
    #[must_use]
    pub fn state(&self, s: State) -> &'static str {
        match s {
            State::Submitted => self.state_submitted,
            State::Funded => self.state_funded,
            State::PartiallyPaid => self.state_partially_paid,
            State::Paid => self.state_paid,
            State::Lapsed => self.state_lapsed,
            State::Refused => self.state_refused,
            State::Stopped => self.state_stopped,
            State::Expired => self.state_expired,
            State::Blocked => self.state_blocked,
            State::Recovered => self.state_recovered,
        }
    }

    /// Who made a change, as the timeline names it.
    #[must_use]
    pub fn actor<'a>(&self, actor: &'a str) -> &'a str {
        match actor.split(':').next().unwrap_or(actor) {
            "enterprise" | "user" => self.actor_enterprise,
            "provider" => self.actor_provider,
            "agency" => self.actor_agency,
            "system" => self.actor_system,
            "bank" => self.actor_bank,
            _ => actor,
        }
    }

    /// The name of a mandate's scope.
    #[must_use]
    pub fn scope(&self, code: &str) -> &'static str {
        match code {
            "legal_representative" => self.scope_legal,
            "view_and_release" => self.scope_release,
            _ => self.scope_apply,
        }
    }

    /// A month's short name, `1` to `12`.
    #[must_use]
    pub fn month(&self, month: u8) -> Option<&'static str> {
        Some(match month {
            1 => self.month_1,
            2 => self.month_2,
            3 => self.month_3,
            4 => self.month_4,
            5 => self.month_5,
            6 => self.month_6,
            7 => self.month_7,
            8 => self.month_8,
            9 => self.month_9,
            10 => self.month_10,
            11 => self.month_11,
            12 => self.month_12,
            _ => return None,
        })
    }

    /// A refusal with no sentence of its own: "Dat kan niet (CODE)".
    #[must_use]
    pub fn not_possible(&self, code: &str) -> String {
        (self.not_possible)(&args::NotPossible { code })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]
    use std::collections::BTreeMap;

    use fluent_syntax::ast;

    use super::*;

    /// Every message of a catalogue file with whether its text is non-empty.
    fn messages(source: &str) -> BTreeMap<String, bool> {
        let resource =
            fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| panic!("{errors:?}"));
        let mut out = BTreeMap::new();
        for entry in resource.body {
            match entry {
                ast::Entry::Message(m) => {
                    let filled = m.value.is_some_and(|v| {
                        v.elements.iter().any(|e| match e {
                            ast::PatternElement::TextElement { value } => !value.trim().is_empty(),
                            ast::PatternElement::Placeable { .. } => true,
                        })
                    });
                    assert!(
                        out.insert(m.id.name.to_owned(), filled).is_none(),
                        "{} twice",
                        m.id.name
                    );
                }
                ast::Entry::Comment(_)
                | ast::Entry::GroupComment(_)
                | ast::Entry::ResourceComment(_) => {}
                other => panic!("unexpected entry {other:?}"),
            }
        }
        out
    }

    #[test]
    fn every_key_is_in_both_languages_with_a_text() {
        let nl = messages(include_str!("../locales/nl-BE/kmo.ftl"));
        let en = messages(include_str!("../locales/en/kmo.ftl"));
        let only = |a: &BTreeMap<String, bool>, b: &BTreeMap<String, bool>| {
            a.keys()
                .filter(|k| !b.contains_key(*k))
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(only(&nl, &en), Vec::<String>::new(), "only in Dutch");
        assert_eq!(only(&en, &nl), Vec::<String>::new(), "only in English");
        for (lang, m) in [("nl-BE", &nl), ("en", &en)] {
            let empty: Vec<_> = m.iter().filter(|(_, filled)| !**filled).collect();
            assert!(empty.is_empty(), "{lang}: empty texts {empty:?}");
        }
        assert!(nl.len() > 400, "the whole catalogue is read: {}", nl.len());
    }

    #[test]
    fn the_statics_are_the_catalogue() {
        let (nl, en) = (T::of(Lang::Nl), T::of(Lang::En));
        assert_eq!(
            (nl.code, nl.other_code(), nl.other_name),
            ("nl", "en", "English")
        );
        assert_eq!(
            (en.code, en.other_code(), en.other_name),
            ("en", "nl", "Nederlands")
        );
        assert_eq!(nl.theme("innovation"), "Innovatie");
        assert_eq!(en.theme("unknown_code"), "unknown_code");
        assert_eq!(nl.state(State::PartiallyPaid), "deels uitbetaald");
        assert_eq!(en.actor("provider:12"), "provider");
        assert_eq!(nl.not_possible("X_Y"), "Dat kan niet (X_Y)");
        assert_eq!(en.not_possible("X_Y"), "Not possible (X_Y)");
        assert_eq!((nl.month(3), en.month(13)), (Some("mrt"), None));
        assert_eq!(
            (nl.planner.title, en.feed.open),
            ("Jaarplanner", "Open in my calendar app")
        );
    }
}
