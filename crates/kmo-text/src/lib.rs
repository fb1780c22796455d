//! Every text of kmo-portefeuille for people, in Dutch (nl-BE) and English: the pages', and a
//! sentence per error code that the API's `detail` and the pages show (and, next, the e-mails).
//!
//! The catalogue is `locales/<language>/kmo.ftl` (Fluent syntax, one file per language).
//! `build.rs` checks it — both languages hold the same keys with the same arguments, every text
//! is non-empty, only text and variables are used — and turns it into the struct [`T`] (one
//! field per message, one static per language, [`T::of`]) and, for the messages that take
//! arguments, the structs of [`args`]. So a misspelt key is a compile error, and nothing is
//! parsed or looked up while serving. Texts are plain strings: whoever writes HTML escapes them.
//!
//! The labels of `kmo-domain`'s closed code lists live here too, one message per code, read
//! through [`Label`] ([`codes`]): the pages and the rules engine's explanations show the same
//! words.
//!
//! **Architecture Invariant:** pure — no I/O, no clock, no async; its one dependency is
//! `kmo-domain` (for [`Lang`] and the code lists).

use kmo_domain::Theme;
use kmo_domain::codes::Lang;

pub mod codes;

pub use codes::Label;

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// The themes, in the order the pages list them.
pub const THEMES: [Theme; 8] = [
    Theme::BusinessStrategy,
    Theme::Digitalisation,
    Theme::Sustainability,
    Theme::FinancialLiteracy,
    Theme::Innovation,
    Theme::Internationalisation,
    Theme::PeopleManagement,
    Theme::OccupationSpecific,
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

    /// A theme's name on a page, from its wire code as stored (the code itself when unknown).
    #[must_use]
    pub fn theme_name(&self, code: &str) -> String {
        Theme::parse(code).map_or_else(|| code.to_owned(), |th| th.capitalised_label(self))
    }

    /// `text` with its first letter capitalised, as a label that stands alone or starts a line
    /// on a page (`digitalisering` → `Digitalisering`). Unicode's upper case, not ASCII's; in
    /// Dutch the digraph ij is one letter (`ijzer` → `IJzer`).
    #[must_use]
    pub fn capitalised(&self, text: &str) -> String {
        let mut chars = text.chars();
        let Some(first) = chars.next() else {
            return String::new();
        };
        let rest = chars.as_str();
        let mut out = String::with_capacity(text.len().saturating_add(2));
        out.extend(first.to_uppercase());
        match rest.strip_prefix('j') {
            Some(after) if first == 'i' && self.lang == Lang::Nl => {
                out.push('J');
                out.push_str(after);
            }
            _ => out.push_str(rest),
        }
        out
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
        assert_eq!(nl.theme_name("innovation"), "Innovatie");
        assert_eq!(en.theme_name("unknown_code"), "unknown_code");
        assert_eq!(en.actor("provider:12"), "provider");
        assert_eq!((nl.month(3), en.month(13)), (Some("mrt"), None));
        assert_eq!(
            (nl.planner.title, en.feed.open),
            ("Jaarplanner", "Open in my calendar app")
        );
        assert_eq!(nl.error.keyed().len(), en.error.keyed().len());
        assert!(
            nl.error
                .keyed()
                .iter()
                .all(|(key, _)| key.starts_with("error-"))
        );
    }
}
