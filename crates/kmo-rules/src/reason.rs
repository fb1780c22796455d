//! Reason codes (rules-eval.md) and the set of reasons a decision carries; each code's sentence
//! for people is in the text catalogue (`kmo-text`).

use std::fmt;

use kmo_text::T;

/// Why a case is rejected. Stable wire codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    NoRulesInForce,
    LegalFormNotAccepted,
    NotInFlanders,
    PublicParticipation25,
    MainActivityNotAccepted,
    NotSme,
    RelatedProvider,
    ExcludedService,
    UnknownTheme,
    SubThemeRequired,
    SubThemeNotInTheme,
    NotOnOccupationSpecificList,
    AdviceOnlyCybersecurity,
    SubmissionTooLate,
    BelowMinimumTraining,
    BelowMinimumAdvice,
    AnnualCeilingExhausted,
    DeMinimisCeiling,
}

impl Reason {
    /// Every reason, in the order of rules-eval.md.
    pub const ALL: [Reason; 18] = [
        Reason::NoRulesInForce,
        Reason::LegalFormNotAccepted,
        Reason::NotInFlanders,
        Reason::PublicParticipation25,
        Reason::MainActivityNotAccepted,
        Reason::NotSme,
        Reason::RelatedProvider,
        Reason::ExcludedService,
        Reason::UnknownTheme,
        Reason::SubThemeRequired,
        Reason::SubThemeNotInTheme,
        Reason::NotOnOccupationSpecificList,
        Reason::AdviceOnlyCybersecurity,
        Reason::SubmissionTooLate,
        Reason::BelowMinimumTraining,
        Reason::BelowMinimumAdvice,
        Reason::AnnualCeilingExhausted,
        Reason::DeMinimisCeiling,
    ];

    /// The stable code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Reason::NoRulesInForce => "NO_RULES_IN_FORCE",
            Reason::LegalFormNotAccepted => "LEGAL_FORM_NOT_ACCEPTED",
            Reason::NotInFlanders => "NOT_IN_FLANDERS",
            Reason::PublicParticipation25 => "PUBLIC_PARTICIPATION_25",
            Reason::MainActivityNotAccepted => "MAIN_ACTIVITY_NOT_ACCEPTED",
            Reason::NotSme => "NOT_SME",
            Reason::RelatedProvider => "RELATED_PROVIDER",
            Reason::ExcludedService => "EXCLUDED_SERVICE",
            Reason::UnknownTheme => "UNKNOWN_THEME",
            Reason::SubThemeRequired => "SUB_THEME_REQUIRED",
            Reason::SubThemeNotInTheme => "SUB_THEME_NOT_IN_THEME",
            Reason::NotOnOccupationSpecificList => "NOT_ON_OCCUPATION_SPECIFIC_LIST",
            Reason::AdviceOnlyCybersecurity => "ADVICE_ONLY_CYBERSECURITY",
            Reason::SubmissionTooLate => "SUBMISSION_TOO_LATE",
            Reason::BelowMinimumTraining => "BELOW_MINIMUM_TRAINING",
            Reason::BelowMinimumAdvice => "BELOW_MINIMUM_ADVICE",
            Reason::AnnualCeilingExhausted => "ANNUAL_CEILING_EXHAUSTED",
            Reason::DeMinimisCeiling => "DE_MINIMIS_CEILING",
        }
    }

    /// The reason with this code.
    #[must_use]
    pub fn parse(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    #[allow(
        clippy::as_conversions,
        reason = "a fieldless enum's discriminant, always below 32"
    )]
    const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// One sentence for people, in the language of `t` (the catalogue's `reason-…` messages,
    /// `kmo_text::ReasonTexts`). A reason without its sentence does not compile.
    #[must_use]
    pub const fn text(self, t: &T) -> &'static str {
        let r = &t.reason;
        match self {
            Reason::NoRulesInForce => r.no_rules_in_force,
            Reason::LegalFormNotAccepted => r.legal_form_not_accepted,
            Reason::NotInFlanders => r.not_in_flanders,
            Reason::PublicParticipation25 => r.public_participation_25,
            Reason::MainActivityNotAccepted => r.main_activity_not_accepted,
            Reason::NotSme => r.not_sme,
            Reason::RelatedProvider => r.related_provider,
            Reason::ExcludedService => r.excluded_service,
            Reason::UnknownTheme => r.unknown_theme,
            Reason::SubThemeRequired => r.sub_theme_required,
            Reason::SubThemeNotInTheme => r.sub_theme_not_in_theme,
            Reason::NotOnOccupationSpecificList => r.not_on_occupation_specific_list,
            Reason::AdviceOnlyCybersecurity => r.advice_only_cybersecurity,
            Reason::SubmissionTooLate => r.submission_too_late,
            Reason::BelowMinimumTraining => r.below_minimum_training,
            Reason::BelowMinimumAdvice => r.below_minimum_advice,
            Reason::AnnualCeilingExhausted => r.annual_ceiling_exhausted,
            Reason::DeMinimisCeiling => r.de_minimis_ceiling,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of reasons, as a bit set; iterates in rules-eval.md order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct Reasons(u32);

impl Reasons {
    #[must_use]
    pub const fn empty() -> Self {
        Reasons(0)
    }

    pub fn insert(&mut self, reason: Reason) {
        self.0 |= reason.bit();
    }

    #[must_use]
    pub const fn contains(self, reason: Reason) -> bool {
        self.0 & reason.bit() != 0
    }

    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    #[must_use]
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// The reasons, in rules-eval.md order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Reason> for Reasons {
    fn from_iter<I: IntoIterator<Item = Reason>>(iter: I) -> Self {
        let mut set = Reasons::empty();
        for r in iter {
            set.insert(r);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.code()), Some(r));
        }
    }

    /// `text` reads each code's own message (`NOT_SME` → `reason-not-sme`), in both
    /// languages, and the catalogue has no sentence for a reason that does not exist.
    #[test]
    fn every_reason_has_its_own_sentence_in_both_languages() {
        use kmo_domain::codes::Lang;
        for lang in [Lang::Nl, Lang::En] {
            let t = T::of(lang);
            let keyed = t.reason.keyed();
            for r in Reason::ALL {
                let key = format!("reason-{}", r.code().to_lowercase().replace('_', "-"));
                let found = keyed.iter().find(|(k, _)| *k == key).map(|(_, text)| *text);
                assert_eq!(found, Some(r.text(t)), "{lang:?}: {r} reads {key}");
                assert!(r.text(t).ends_with('.'), "{lang:?}: {r}: a sentence");
            }
            assert_eq!(
                keyed.len(),
                Reason::ALL.len(),
                "{lang:?}: a sentence of no reason"
            );
        }
        assert_eq!(
            Reason::NotSme.text(T::of(Lang::Nl)),
            "De onderneming is een grote onderneming, geen kmo."
        );
    }

    #[test]
    fn a_reason_set_iterates_in_contract_order() {
        let set: Reasons = [Reason::DeMinimisCeiling, Reason::NotSme, Reason::NotSme]
            .into_iter()
            .collect();
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Reason::NotSme, Reason::DeMinimisCeiling]
        );
        assert_eq!(set.len(), 2);
    }
}
