//! Belgian structured payment references (*gestructureerde mededeling*, OGM/VCS), the reference
//! an enterprise puts on the transfer of its own share (rules.md D11, lifecycle.md L14).
//!
//! A structured reference is 12 digits: a 10-digit base followed by 2 check digits equal to
//! `base mod 97`, with a remainder of 0 written as `97` (so `00` is never valid). It is written
//! `+++123/4567/89002+++` (here `1234567890 mod 97 = 2`).
//!
//! Input is accepted with or without the `+++…+++` or `***…***` delimiters (both ends the same),
//! with or without the slashes, and with whitespace anywhere (`123456789002`,
//! `***123/4567/89002***`, `+++ 123 / 4567 / 89002 +++`). The wallet derives each application's
//! deposit reference from a sequence number with [`PaymentReference::from_base`].

use std::fmt;
use std::str::FromStr;

/// A valid structured payment reference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaymentReference {
    /// The 12 ASCII digits: base and verified check digits.
    digits: String,
    /// The value of the first 10 digits, derived from `digits`.
    base: u64,
}

/// Why a structured payment reference was rejected or could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentReferenceError {
    #[error("the structured reference is empty")]
    Empty,
    #[error("structured reference {0:?} must be enclosed in +++…+++ or ***…***, or not at all")]
    UnbalancedDelimiters(String),
    #[error(
        "character {0:?} is not allowed in a structured reference (digits, slashes and spaces)"
    )]
    InvalidCharacter(char),
    #[error("a structured reference has 12 digits, found {0}")]
    WrongDigitCount(usize),
    #[error("check digits {found} do not match {expected:02} ({base} mod 97)")]
    CheckDigits {
        /// The last two digits of the input.
        found: String,
        /// The check digits the base calls for (1 to 97).
        expected: u64,
        /// The first ten digits.
        base: String,
    },
    #[error("base {0} of a structured reference has more than 10 digits")]
    BaseOutOfRange(u64),
}

/// The largest base (10 digits) plus one.
const BASE_LIMIT: u64 = 10_000_000_000;

impl PaymentReference {
    /// Parses a structured reference in any accepted form (see the module documentation).
    ///
    /// # Errors
    /// The first reason found, in this order: empty input, a delimiter at one end only (or
    /// different delimiters), a character other than a digit, slash or whitespace between them, a
    /// digit count other than 12, wrong check digits.
    pub fn parse(input: &str) -> Result<Self, PaymentReferenceError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PaymentReferenceError::Empty);
        }
        let body = strip_delimiters(trimmed)
            .ok_or_else(|| PaymentReferenceError::UnbalancedDelimiters(trimmed.to_owned()))?;

        let mut digits = String::with_capacity(12);
        for c in body.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else if c != '/' && !c.is_whitespace() {
                return Err(PaymentReferenceError::InvalidCharacter(c));
            }
        }
        match digits.len() {
            0 => return Err(PaymentReferenceError::Empty),
            12 => {}
            n => return Err(PaymentReferenceError::WrongDigitCount(n)),
        }

        let Some((base_digits, check)) = digits.split_at_checked(10) else {
            return Err(PaymentReferenceError::WrongDigitCount(digits.len()));
        };
        let base = base_digits
            .chars()
            .filter_map(|c| c.to_digit(10))
            .fold(0_u64, |acc, d| acc * 10 + u64::from(d));
        let expected = check_digits(base);
        if check != format!("{expected:02}") {
            return Err(PaymentReferenceError::CheckDigits {
                found: check.to_owned(),
                expected,
                base: base_digits.to_owned(),
            });
        }
        Ok(PaymentReference { digits, base })
    }

    /// The reference with base `base` (at most 10 digits) and its computed check digits.
    ///
    /// # Errors
    /// [`PaymentReferenceError::BaseOutOfRange`] when `base` ≥ 10¹⁰.
    pub fn from_base(base: u64) -> Result<Self, PaymentReferenceError> {
        if base >= BASE_LIMIT {
            return Err(PaymentReferenceError::BaseOutOfRange(base));
        }
        let digits = format!("{base:010}{:02}", check_digits(base));
        Ok(PaymentReference { digits, base })
    }

    /// The 12 digits without delimiters or slashes, e.g. `123456789002`.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The base: the value of the first 10 digits (`1234567890`).
    #[must_use]
    pub fn base(&self) -> u64 {
        self.base
    }
}

/// The check digits (1 to 97) of a base.
fn check_digits(base: u64) -> u64 {
    match base % 97 {
        0 => 97,
        remainder => remainder,
    }
}

/// The text between matching `+++` or `***` delimiters, the text itself when it has none, or
/// `None` when the delimiters do not match.
fn strip_delimiters(input: &str) -> Option<&str> {
    for delimiter in ["+++", "***"] {
        if let Some(inner) = input.strip_prefix(delimiter) {
            return inner.strip_suffix(delimiter);
        }
    }
    if input.ends_with("+++") || input.ends_with("***") {
        None
    } else {
        Some(input)
    }
}

impl fmt::Display for PaymentReference {
    /// The canonical form `+++123/4567/89002+++`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        f.write_str("+++")?;
        for (i, c) in self.digits.chars().enumerate() {
            if i == 3 || i == 7 {
                f.write_char('/')?;
            }
            f.write_char(c)?;
        }
        f.write_str("+++")
    }
}

impl FromStr for PaymentReference {
    type Err = PaymentReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn example_reference_is_valid_because_1234567890_mod_97_is_2() {
        assert_eq!(1_234_567_890_u64 % 97, 2);
        let reference = PaymentReference::parse("+++123/4567/89002+++").unwrap();
        assert_eq!(reference.digits(), "123456789002");
        assert_eq!(reference.base(), 1_234_567_890);
        assert_eq!(reference.to_string(), "+++123/4567/89002+++");
    }

    #[test]
    fn reference_is_accepted_with_or_without_delimiters_slashes_and_spaces() {
        let canonical = PaymentReference::parse("+++123/4567/89002+++").unwrap();
        for s in [
            "123456789002",
            "123/4567/89002",
            "***123/4567/89002***",
            "+++123456789002+++",
            " +++ 123 / 4567 / 89002 +++ ",
            "123 4567 89002",
        ] {
            assert_eq!(PaymentReference::parse(s).unwrap(), canonical, "{s}");
        }
    }

    #[test]
    fn reference_with_wrong_check_digits_is_rejected() {
        let err = PaymentReference::parse("+++123/4567/89003+++").unwrap_err();
        assert_eq!(
            err,
            PaymentReferenceError::CheckDigits {
                found: "03".to_owned(),
                expected: 2,
                base: "1234567890".to_owned(),
            }
        );
        assert_eq!(
            err.to_string(),
            "check digits 03 do not match 02 (1234567890 mod 97)"
        );
    }

    #[test]
    fn base_with_remainder_zero_gets_check_digits_97() {
        // 9700000000 = 97 × 100000000.
        let reference = PaymentReference::from_base(9_700_000_000).unwrap();
        assert_eq!(reference.to_string(), "+++970/0000/00097+++");
        assert_eq!(PaymentReference::parse("970000000097").unwrap(), reference);
        assert!(matches!(
            PaymentReference::parse("970000000000"),
            Err(PaymentReferenceError::CheckDigits { expected: 97, .. })
        ));
    }

    #[test]
    fn from_base_computes_the_check_digits_and_pads_the_base() {
        assert_eq!(
            PaymentReference::from_base(1_234_567_890)
                .unwrap()
                .to_string(),
            "+++123/4567/89002+++"
        );
        let first = PaymentReference::from_base(1).unwrap();
        assert_eq!(first.digits(), "000000000101");
        assert_eq!(first.to_string(), "+++000/0000/00101+++");
        assert_eq!(first.base(), 1);
    }

    #[test]
    fn from_base_rejects_more_than_ten_digits() {
        assert_eq!(
            PaymentReference::from_base(BASE_LIMIT),
            Err(PaymentReferenceError::BaseOutOfRange(BASE_LIMIT))
        );
        assert!(PaymentReference::from_base(BASE_LIMIT - 1).is_ok());
    }

    #[test]
    fn delimiter_at_one_end_only_or_mixed_delimiters_are_rejected() {
        for s in [
            "+++123/4567/89002",
            "123/4567/89002***",
            "+++123/4567/89002***",
        ] {
            assert_eq!(
                PaymentReference::parse(s),
                Err(PaymentReferenceError::UnbalancedDelimiters(s.to_owned())),
                "{s}"
            );
        }
    }

    #[test]
    fn letters_and_other_punctuation_are_rejected() {
        assert_eq!(
            PaymentReference::parse("123-4567-89002"),
            Err(PaymentReferenceError::InvalidCharacter('-'))
        );
        assert_eq!(
            PaymentReference::parse("++123456789002++"),
            Err(PaymentReferenceError::InvalidCharacter('+'))
        );
        assert_eq!(
            PaymentReference::parse("RF18539007547034"),
            Err(PaymentReferenceError::InvalidCharacter('R'))
        );
    }

    #[test]
    fn reference_with_wrong_digit_count_is_rejected() {
        assert_eq!(
            PaymentReference::parse("12345678900"),
            Err(PaymentReferenceError::WrongDigitCount(11))
        );
        assert_eq!(
            PaymentReference::parse("+++123/4567/890022+++"),
            Err(PaymentReferenceError::WrongDigitCount(13))
        );
    }

    #[test]
    fn empty_reference_is_rejected() {
        assert_eq!(
            PaymentReference::parse(""),
            Err(PaymentReferenceError::Empty)
        );
        assert_eq!(
            PaymentReference::parse("+++ / / +++"),
            Err(PaymentReferenceError::Empty)
        );
    }

    #[test]
    fn from_str_delegates_to_parse() {
        let reference: PaymentReference = "123456789002".parse().unwrap();
        assert_eq!(reference.base(), 1_234_567_890);
    }

    proptest! {
        #[test]
        fn reference_round_trips_through_every_accepted_form(base in 0_u64..BASE_LIMIT) {
            let reference = PaymentReference::from_base(base).unwrap();
            prop_assert_eq!(reference.base(), base);
            prop_assert_eq!(&reference.digits()[..10], format!("{base:010}"));
            let display = reference.to_string();
            prop_assert_eq!(&PaymentReference::parse(&display).unwrap(), &reference);
            prop_assert_eq!(&PaymentReference::parse(reference.digits()).unwrap(), &reference);
            prop_assert_eq!(&PaymentReference::parse(&display.replace('+', "*")).unwrap(), &reference);
            prop_assert_eq!(&PaymentReference::parse(display.trim_matches('+')).unwrap(), &reference);
            prop_assert_eq!(&PaymentReference::parse(&display.replace('/', " ")).unwrap(), &reference);
        }

        #[test]
        fn reference_with_one_digit_changed_is_rejected(
            base in 0_u64..BASE_LIMIT, position in 0_usize..12, offset in 1_u32..=9,
        ) {
            let reference = PaymentReference::from_base(base).unwrap();
            let changed: String = reference
                .digits()
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i == position {
                        char::from_digit((c.to_digit(10).unwrap() + offset) % 10, 10).unwrap()
                    } else {
                        c
                    }
                })
                .collect();
            prop_assert!(PaymentReference::parse(&changed).is_err(), "{} was accepted", changed);
        }
    }
}
