//! Registration numbers of service providers (*registratienummer*, formerly *erkenningsnummer*),
//! rules.md §7 and decision D21.
//!
//! A registered provider gets one number per service kind: `DV.O` + 6 digits for training
//! (*opleiding*), `DV.A` + 6 digits for advice (canonical regex `^DV\.[OA]\d{6}$`), e.g.
//! `DV.O223914`, `DV.A236460`. There is no check digit.
//!
//! In the wild the number is mistyped in a few recurring ways, which D21 says to normalise with a
//! warning. Hence two constructors:
//!
//! - [`ProviderNumber::parse_lenient`] for what people type: it accepts the digit `0` typed for
//!   the letter `O` (`DV.0100275` → `DV.O100275`), a missing dot (`DVO242439`, also
//!   `DV0242439` → `DV.O242439`), lower case (`dv.o223914`) and surrounding whitespace, and
//!   returns the number together with one [`NormalisationWarning`] per kind of repair (surrounding
//!   whitespace is trimmed silently: it changes nothing about the number itself);
//! - [`ProviderNumber::parse`] (and [`FromStr`]) for stored and exchanged data: it accepts only
//!   the canonical form, so `parse(&n.to_string()) == Ok(n)` and nothing is repaired silently.
//!
//! Anything else is rejected with the reason: no `DV` prefix, a service letter other than O or
//! A, a non-digit, or a digit count other than 6.

use std::fmt;
use std::str::FromStr;

/// The service kind a provider number is issued for: the letter after `DV.`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderServiceKind {
    /// `DV.O…`: training (*opleiding*).
    Training,
    /// `DV.A…`: advice (*advies*).
    Advice,
}

impl ProviderServiceKind {
    /// The letter of the canonical number: `O` for training, `A` for advice.
    #[must_use]
    pub const fn letter(self) -> char {
        match self {
            ProviderServiceKind::Training => 'O',
            ProviderServiceKind::Advice => 'A',
        }
    }
}

/// A service provider's registration number in its canonical form `DV.O123456` / `DV.A123456`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderNumber {
    /// The canonical form: `DV.`, `O` or `A`, 6 ASCII digits.
    canonical: String,
    kind: ProviderServiceKind,
}

/// A repair [`ProviderNumber::parse_lenient`] made to reach the canonical form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NormalisationWarning {
    /// Lower case letters were upper-cased (`dv.o223914`).
    LowerCase,
    /// The dot after `DV` was missing and was inserted (`DVO242439`).
    MissingDot,
    /// The digit `0` stood where the letter `O` belongs and was read as `O` (`DV.0100275`).
    LetterODigitZero,
}

impl fmt::Display for NormalisationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NormalisationWarning::LowerCase => "lower case letters were changed to upper case",
            NormalisationWarning::MissingDot => "the missing dot after DV was inserted",
            NormalisationWarning::LetterODigitZero => {
                "the digit 0 after DV was read as the letter O (training)"
            }
        })
    }
}

/// The result of [`ProviderNumber::parse_lenient`]: the number and what was repaired to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalised {
    /// The canonical number.
    pub number: ProviderNumber,
    /// The repairs made, each at most once, in the order [`NormalisationWarning::LowerCase`],
    /// [`NormalisationWarning::MissingDot`], [`NormalisationWarning::LetterODigitZero`]. Empty
    /// when the input was canonical (apart from surrounding whitespace).
    pub warnings: Vec<NormalisationWarning>,
}

/// Why a provider number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderNumberError {
    #[error("the provider number is empty")]
    Empty,
    #[error("provider number {0:?} does not start with DV")]
    MissingPrefix(String),
    #[error("provider number {0:?} stops before the service letter (O for training, A for advice)")]
    MissingServiceLetter(String),
    #[error("service letter {0:?} is neither O (training) nor A (advice)")]
    InvalidServiceLetter(char),
    #[error("character {0:?} is not a digit; the service letter is followed by 6 digits")]
    InvalidCharacter(char),
    #[error("a provider number has 6 digits after the service letter, found {0}")]
    WrongDigitCount(usize),
    #[error("provider number {input:?} is not in the canonical form {canonical}")]
    NotCanonical {
        /// The input as given.
        input: String,
        /// The canonical form the lenient parser would make of it.
        canonical: String,
    },
}

impl ProviderNumber {
    /// Parses the canonical form only (`DV.O123456`, `DV.A123456`): for stored or exchanged data.
    ///
    /// # Errors
    /// The errors of [`ProviderNumber::parse_lenient`], and [`ProviderNumberError::NotCanonical`]
    /// when the input is valid only after normalisation (naming the canonical form).
    pub fn parse(input: &str) -> Result<Self, ProviderNumberError> {
        let Normalised { number, .. } = Self::parse_lenient(input)?;
        if number.canonical == input {
            Ok(number)
        } else {
            Err(ProviderNumberError::NotCanonical {
                input: input.to_owned(),
                canonical: number.canonical,
            })
        }
    }

    /// Parses what a person typed, repairing the known mistakes of D21 (see the module
    /// documentation) and reporting each kind of repair as a warning.
    ///
    /// # Errors
    /// The first reason found, in this order: empty input, no `DV` prefix, nothing after it, a
    /// service letter other than O/A (or the digit 0 for O), a non-digit after the service letter,
    /// a digit count other than 6.
    pub fn parse_lenient(input: &str) -> Result<Normalised, ProviderNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ProviderNumberError::Empty);
        }
        let mut warnings = Vec::new();
        if trimmed.chars().any(|c| c.is_ascii_lowercase()) {
            warnings.push(NormalisationWarning::LowerCase);
        }

        let rest = match (trimmed.get(..2), trimmed.get(2..)) {
            (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("DV") => rest,
            _ => return Err(ProviderNumberError::MissingPrefix(trimmed.to_owned())),
        };
        let rest = match rest.strip_prefix('.') {
            Some(after_dot) => after_dot,
            None => {
                warnings.push(NormalisationWarning::MissingDot);
                rest
            }
        };

        let mut chars = rest.chars();
        let kind = match chars.next() {
            None => {
                return Err(ProviderNumberError::MissingServiceLetter(
                    trimmed.to_owned(),
                ));
            }
            Some('O' | 'o') => ProviderServiceKind::Training,
            Some('A' | 'a') => ProviderServiceKind::Advice,
            Some('0') => {
                warnings.push(NormalisationWarning::LetterODigitZero);
                ProviderServiceKind::Training
            }
            Some(other) => return Err(ProviderNumberError::InvalidServiceLetter(other)),
        };

        let digits = chars.as_str();
        if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(ProviderNumberError::InvalidCharacter(c));
        }
        // All ASCII digits now, so the byte length is the digit count.
        if digits.len() != 6 {
            return Err(ProviderNumberError::WrongDigitCount(digits.len()));
        }

        let canonical = format!("DV.{}{digits}", kind.letter());
        Ok(Normalised {
            number: ProviderNumber { canonical, kind },
            warnings,
        })
    }

    /// Whether this is a training (`DV.O`) or an advice (`DV.A`) number.
    #[must_use]
    pub fn kind(&self) -> ProviderServiceKind {
        self.kind
    }

    /// The canonical form, e.g. `DV.O223914`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.canonical
    }
}

impl fmt::Display for ProviderNumber {
    /// The canonical form `DV.O223914`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl AsRef<str> for ProviderNumber {
    fn as_ref(&self) -> &str {
        &self.canonical
    }
}

impl FromStr for ProviderNumber {
    type Err = ProviderNumberError;

    /// Strict: the canonical form only, like [`ProviderNumber::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::NormalisationWarning::{LetterODigitZero, LowerCase, MissingDot};
    use super::*;
    use proptest::prelude::*;

    fn lenient(s: &str) -> (String, Vec<NormalisationWarning>) {
        let Normalised { number, warnings } = ProviderNumber::parse_lenient(s).unwrap();
        (number.to_string(), warnings)
    }

    #[test]
    fn canonical_training_number_is_valid() {
        let number = ProviderNumber::parse("DV.O223914").unwrap();
        assert_eq!(number.kind(), ProviderServiceKind::Training);
        assert_eq!(number.as_str(), "DV.O223914");
        assert_eq!(lenient("DV.O223914"), ("DV.O223914".to_owned(), vec![]));
    }

    #[test]
    fn canonical_advice_number_is_valid() {
        let number = ProviderNumber::parse("DV.A236460").unwrap();
        assert_eq!(number.kind(), ProviderServiceKind::Advice);
        assert_eq!(number.to_string(), "DV.A236460");
    }

    #[test]
    fn digit_zero_for_letter_o_is_normalised_with_a_warning() {
        assert_eq!(
            lenient("DV.0100275"),
            ("DV.O100275".to_owned(), vec![LetterODigitZero])
        );
    }

    #[test]
    fn missing_dot_is_normalised_with_a_warning() {
        assert_eq!(
            lenient("DVO242439"),
            ("DV.O242439".to_owned(), vec![MissingDot])
        );
    }

    #[test]
    fn missing_dot_and_digit_zero_together_give_both_warnings() {
        assert_eq!(
            lenient("DV0242439"),
            ("DV.O242439".to_owned(), vec![MissingDot, LetterODigitZero])
        );
    }

    #[test]
    fn lower_case_is_normalised_with_a_warning() {
        assert_eq!(
            lenient("dv.o223914"),
            ("DV.O223914".to_owned(), vec![LowerCase])
        );
        assert_eq!(
            lenient("dva236460"),
            ("DV.A236460".to_owned(), vec![LowerCase, MissingDot])
        );
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_without_a_warning() {
        assert_eq!(lenient("  DV.O223914\n"), ("DV.O223914".to_owned(), vec![]));
    }

    #[test]
    fn strict_parse_rejects_every_non_canonical_form_and_names_the_canonical_one() {
        for input in ["DV.0100275", "DVO100275", "dv.o100275", " DV.O100275"] {
            assert_eq!(
                ProviderNumber::parse(input),
                Err(ProviderNumberError::NotCanonical {
                    input: input.to_owned(),
                    canonical: "DV.O100275".to_owned(),
                }),
                "{input}"
            );
        }
    }

    #[test]
    fn unknown_service_letter_is_rejected() {
        assert_eq!(
            ProviderNumber::parse_lenient("DV.X123456"),
            Err(ProviderNumberError::InvalidServiceLetter('X'))
        );
        assert_eq!(
            ProviderNumber::parse("DV.X123456"),
            Err(ProviderNumberError::InvalidServiceLetter('X'))
        );
        // Six digits without a service letter: the first digit is not a letter.
        assert_eq!(
            ProviderNumber::parse_lenient("DV.123456"),
            Err(ProviderNumberError::InvalidServiceLetter('1'))
        );
    }

    #[test]
    fn wrong_digit_count_is_rejected() {
        assert_eq!(
            ProviderNumber::parse_lenient("DV.O12345"),
            Err(ProviderNumberError::WrongDigitCount(5))
        );
        assert_eq!(
            ProviderNumber::parse_lenient("DV.A1234567"),
            Err(ProviderNumberError::WrongDigitCount(7))
        );
        assert_eq!(
            ProviderNumber::parse_lenient("DV.O"),
            Err(ProviderNumberError::WrongDigitCount(0))
        );
    }

    #[test]
    fn non_digits_after_the_service_letter_are_rejected() {
        assert_eq!(
            ProviderNumber::parse_lenient("DV.O12345X"),
            Err(ProviderNumberError::InvalidCharacter('X'))
        );
        assert_eq!(
            ProviderNumber::parse_lenient("DV.O 123456"),
            Err(ProviderNumberError::InvalidCharacter(' '))
        );
    }

    #[test]
    fn input_without_dv_prefix_is_rejected() {
        assert_eq!(
            ProviderNumber::parse_lenient("O223914"),
            Err(ProviderNumberError::MissingPrefix("O223914".to_owned()))
        );
        assert_eq!(
            ProviderNumber::parse_lenient("D"),
            Err(ProviderNumberError::MissingPrefix("D".to_owned()))
        );
    }

    #[test]
    fn empty_or_truncated_input_is_rejected() {
        assert_eq!(
            ProviderNumber::parse_lenient("  "),
            Err(ProviderNumberError::Empty)
        );
        assert_eq!(
            ProviderNumber::parse_lenient("DV."),
            Err(ProviderNumberError::MissingServiceLetter("DV.".to_owned()))
        );
    }

    #[test]
    fn warnings_explain_the_repair() {
        assert_eq!(
            LetterODigitZero.to_string(),
            "the digit 0 after DV was read as the letter O (training)"
        );
    }

    #[test]
    fn from_str_is_strict() {
        let number: ProviderNumber = "DV.A236460".parse().unwrap();
        assert_eq!(number.kind(), ProviderServiceKind::Advice);
        assert!("DVA236460".parse::<ProviderNumber>().is_err());
    }

    fn kind_strategy() -> impl Strategy<Value = ProviderServiceKind> {
        prop_oneof![
            Just(ProviderServiceKind::Training),
            Just(ProviderServiceKind::Advice)
        ]
    }

    proptest! {
        #[test]
        fn provider_number_round_trips_through_every_accepted_form(
            kind in kind_strategy(), serial in 0_u32..1_000_000,
        ) {
            let canonical = format!("DV.{}{serial:06}", kind.letter());
            let number = ProviderNumber::parse(&canonical).unwrap();
            prop_assert_eq!(number.kind(), kind);
            let shown = number.to_string();
            prop_assert_eq!(&ProviderNumber::parse(&shown).unwrap(), &number);

            let undotted = canonical.replace('.', "");
            let mut forms = vec![
                (canonical.clone(), vec![]),
                (format!(" {canonical}\t"), vec![]),
                (canonical.to_lowercase(), vec![LowerCase]),
                (undotted.clone(), vec![MissingDot]),
                (undotted.to_lowercase(), vec![LowerCase, MissingDot]),
            ];
            if kind == ProviderServiceKind::Training {
                forms.push((canonical.replace(".O", ".0"), vec![LetterODigitZero]));
                forms.push((undotted.replacen('O', "0", 1), vec![MissingDot, LetterODigitZero]));
            }
            for (form, expected_warnings) in forms {
                let parsed = ProviderNumber::parse_lenient(&form).unwrap();
                prop_assert_eq!(&parsed.number, &number, "{}", form);
                prop_assert_eq!(parsed.warnings, expected_warnings, "{}", form);
            }
        }

        #[test]
        fn provider_number_with_other_than_six_digits_is_rejected(
            kind in kind_strategy(), digits in "[0-9]{0,12}",
        ) {
            prop_assume!(digits.len() != 6);
            let input = format!("DV.{}{digits}", kind.letter());
            prop_assert_eq!(
                ProviderNumber::parse_lenient(&input),
                Err(ProviderNumberError::WrongDigitCount(digits.len()))
            );
        }

        #[test]
        fn provider_number_with_another_service_letter_is_rejected(
            letter in "[B-NP-Zb-np-z1-9]", serial in 0_u32..1_000_000,
        ) {
            let input = format!("DV.{letter}{serial:06}");
            prop_assert!(matches!(
                ProviderNumber::parse_lenient(&input),
                Err(ProviderNumberError::InvalidServiceLetter(_))
            ));
        }
    }
}
