//! Reason codes (rules-eval.md) and the set of reasons a decision carries.

use std::fmt;

use kmo_domain::codes::Lang;

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

    /// One sentence for people.
    #[must_use]
    pub const fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Nl => match self {
                Reason::NoRulesInForce => {
                    "Op de indieningsdatum was er nog geen kmo-portefeuille met deze regels (vóór 1 april 2016)."
                }
                Reason::LegalFormNotAccepted => {
                    "De rechtsvorm van de onderneming komt niet in aanmerking."
                }
                Reason::NotInFlanders => {
                    "De onderneming heeft geen vestiging in het Vlaams Gewest."
                }
                Reason::PublicParticipation25 => {
                    "Overheden bezitten 25 % of meer van het kapitaal of de stemrechten."
                }
                Reason::MainActivityNotAccepted => "De hoofdactiviteit (NACE-code) is uitgesloten.",
                Reason::NotSme => "De onderneming is een grote onderneming, geen kmo.",
                Reason::RelatedProvider => "De onderneming en de dienstverlener zijn verbonden.",
                Reason::ExcludedService => "De dienst staat op de lijst van uitgesloten diensten.",
                Reason::UnknownTheme => "Het thema ontbreekt of is geen van de acht thema's.",
                Reason::SubThemeRequired => "Dit thema vraagt een subthema.",
                Reason::SubThemeNotInTheme => "Het subthema hoort niet bij het gekozen thema.",
                Reason::NotOnOccupationSpecificList => {
                    "De dienst staat niet op de lijst van beroepsspecifieke opleidingen."
                }
                Reason::AdviceOnlyCybersecurity => {
                    "Sinds 1 februari 2026 wordt advies enkel nog gesteund voor cybersecurity."
                }
                Reason::SubmissionTooLate => {
                    "De aanvraag is later dan 14 kalenderdagen na de start ingediend."
                }
                Reason::BelowMinimumTraining => {
                    "Het subsidiabele bedrag van de opleiding ligt onder het minimum."
                }
                Reason::BelowMinimumAdvice => {
                    "Het subsidiabele bedrag van het advies ligt onder het minimum."
                }
                Reason::AnnualCeilingExhausted => {
                    "Het jaarplafond van de onderneming is voor dit jaar opgebruikt."
                }
                Reason::DeMinimisCeiling => "De steun zou het de-minimisplafond overschrijden.",
            },
            Lang::En => match self {
                Reason::NoRulesInForce => {
                    "No rule set of the SME wallet was in force on the submission date (before 1 April 2016)."
                }
                Reason::LegalFormNotAccepted => "The enterprise's legal form is not accepted.",
                Reason::NotInFlanders => {
                    "The enterprise has no establishment in the Flemish Region."
                }
                Reason::PublicParticipation25 => {
                    "Public bodies hold 25 % or more of the capital or voting rights."
                }
                Reason::MainActivityNotAccepted => "The main activity (NACE code) is excluded.",
                Reason::NotSme => "The enterprise is large, not an SME.",
                Reason::RelatedProvider => "The enterprise and the provider are related.",
                Reason::ExcludedService => "The service is on the list of excluded services.",
                Reason::UnknownTheme => "The theme is missing or not one of the eight themes.",
                Reason::SubThemeRequired => "This theme needs a sub-theme.",
                Reason::SubThemeNotInTheme => "The sub-theme does not belong to the theme.",
                Reason::NotOnOccupationSpecificList => {
                    "The service is not on the occupation-specific list."
                }
                Reason::AdviceOnlyCybersecurity => {
                    "Since 1 February 2026 advice is supported only for cybersecurity."
                }
                Reason::SubmissionTooLate => {
                    "The application was submitted more than 14 calendar days after the start."
                }
                Reason::BelowMinimumTraining => {
                    "The eligible amount of the training is below the minimum."
                }
                Reason::BelowMinimumAdvice => {
                    "The eligible amount of the advice is below the minimum."
                }
                Reason::AnnualCeilingExhausted => {
                    "The enterprise's annual ceiling is used up for this year."
                }
                Reason::DeMinimisCeiling => "The aid would exceed the de minimis ceiling.",
            },
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
