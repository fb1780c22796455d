//! The language of a request — `?lang=en|nl` (remembered in the `kmo_lang` cookie), else the
//! cookie, else Dutch — and every text of the pages in both languages: the catalogue of
//! `kmo-text` (its struct [`T`], one field per message, and the [`args`] of the messages that
//! take some), re-exported here. Texts are plain strings: the templates escape them.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use kmo_app::lifecycle::State;
use kmo_domain::codes::Lang;
pub use kmo_text::{Feed, Label, Listing, Planner, Registry, T, THEMES, args};

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

/// The names the pages give the platform's own types (kmo-text knows only its own).
pub trait PageTexts {
    /// The name of an application's state.
    fn state(&self, s: State) -> &'static str;
}

impl PageTexts for T {
    fn state(&self, s: State) -> &'static str {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_named_in_the_pages_language() {
        assert_eq!(
            T::of(Lang::Nl).state(State::PartiallyPaid),
            "deels uitbetaald"
        );
        assert_eq!(
            T::of(Lang::En).state(State::Paid),
            T::of(Lang::En).state_paid
        );
    }
}
