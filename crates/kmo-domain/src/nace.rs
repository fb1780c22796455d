//! NACE-BEL activity codes, rules.md §10.4.
//!
//! NACE-BEL is the Belgian refinement of the European NACE classification: section letter
//! (A–U), division (2 digits), group (`xx.x`), class (`xx.xx`) and the Belgian **subclass** of 5
//! digits written `xx.xxx` (e.g. `62.010`, `85.592`, `86.905`). The KBO stores subclasses, and the
//! wallet asks for the enterprise's main activity as a subclass. A [`NaceCode`] is such a
//! subclass.
//!
//! Accepted input: exactly `62.010` or `62010` (regex `^\d{2}\.?\d{3}$`); anything else, including
//! surrounding whitespace, is rejected with the reason. Display is the dotted form `62.010`.
//!
//! This type checks the *form* only: whether a code exists in NACE-BEL 2008 or NACE-BEL 2025, and
//! which version a stored code belongs to, is not its concern. The rules engine's JSON contract
//! (rules-eval.md, edge semantics 16) is stricter and accepts only the dotted form; that check
//! lives in the engine.

use std::fmt;
use std::str::FromStr;

/// A NACE-BEL subclass code, `xx.xxx`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NaceCode {
    /// The dotted form: 2 ASCII digits, `.`, 3 ASCII digits.
    code: String,
    /// The first two digits (0–99), derived from `code`.
    division: u8,
}

/// Why a NACE-BEL code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NaceError {
    #[error("the NACE-BEL code is empty")]
    Empty,
    #[error("character {0:?} is not allowed in a NACE-BEL subclass (xx.xxx: digits and one dot)")]
    InvalidCharacter(char),
    #[error("a NACE-BEL subclass has 5 digits (xx.xxx), found {0}")]
    WrongDigitCount(usize),
    #[error("NACE-BEL code {0:?} has its dot out of place; a subclass is written xx.xxx")]
    MisplacedDot(String),
}

impl NaceCode {
    /// Parses a NACE-BEL subclass written `62.010` or `62010`.
    ///
    /// # Errors
    /// The first reason found, in this order: empty input, a character other than a digit or a
    /// dot, a digit count other than 5, a dot anywhere but after the first two digits (or more
    /// than one dot).
    pub fn parse(input: &str) -> Result<Self, NaceError> {
        if input.is_empty() {
            return Err(NaceError::Empty);
        }
        if let Some(c) = input.chars().find(|&c| !c.is_ascii_digit() && c != '.') {
            return Err(NaceError::InvalidCharacter(c));
        }
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 5 {
            return Err(NaceError::WrongDigitCount(digits.len()));
        }
        // The input is ASCII here, so byte positions are character positions.
        let dots: Vec<usize> = input.match_indices('.').map(|(i, _)| i).collect();
        if !(dots.is_empty() || dots == [2]) {
            return Err(NaceError::MisplacedDot(input.to_owned()));
        }

        // ASCII digits: `b - b'0'` is the digit's value and two of them stay below 100.
        let division = digits
            .bytes()
            .take(2)
            .fold(0_u8, |acc, b| acc * 10 + (b - b'0'));
        let mut code = String::with_capacity(6);
        for (i, c) in digits.chars().enumerate() {
            if i == 2 {
                code.push('.');
            }
            code.push(c);
        }
        Ok(NaceCode { code, division })
    }

    /// The division: the first two digits (`62` for `62.010`).
    #[must_use]
    pub fn division(&self) -> u8 {
        self.division
    }

    /// The dotted form, e.g. `62.010`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for NaceCode {
    /// The dotted form `62.010`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl AsRef<str> for NaceCode {
    fn as_ref(&self) -> &str {
        &self.code
    }
}

impl FromStr for NaceCode {
    type Err = NaceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dotted_subclass_is_accepted() {
        let code = NaceCode::parse("62.010").unwrap();
        assert_eq!(code.as_str(), "62.010");
        assert_eq!(code.to_string(), "62.010");
        assert_eq!(code.division(), 62);
    }

    #[test]
    fn undotted_subclass_is_accepted_and_displayed_dotted() {
        assert_eq!(
            NaceCode::parse("62010").unwrap(),
            NaceCode::parse("62.010").unwrap()
        );
        assert_eq!(NaceCode::parse("85592").unwrap().to_string(), "85.592");
    }

    #[test]
    fn division_keeps_a_leading_zero_digit() {
        let agriculture = NaceCode::parse("01.110").unwrap();
        assert_eq!(agriculture.division(), 1);
        assert_eq!(NaceCode::parse("03.120").unwrap().division(), 3);
    }

    #[test]
    fn class_or_group_instead_of_subclass_is_rejected() {
        assert_eq!(NaceCode::parse("62.01"), Err(NaceError::WrongDigitCount(4)));
        assert_eq!(NaceCode::parse("62.0"), Err(NaceError::WrongDigitCount(3)));
        assert_eq!(NaceCode::parse("62"), Err(NaceError::WrongDigitCount(2)));
        assert_eq!(
            NaceCode::parse("62.0100"),
            Err(NaceError::WrongDigitCount(6))
        );
    }

    #[test]
    fn misplaced_or_repeated_dot_is_rejected() {
        assert_eq!(
            NaceCode::parse("620.10"),
            Err(NaceError::MisplacedDot("620.10".to_owned()))
        );
        assert_eq!(
            NaceCode::parse("62.01.0"),
            Err(NaceError::MisplacedDot("62.01.0".to_owned()))
        );
        assert_eq!(
            NaceCode::parse(".62010"),
            Err(NaceError::MisplacedDot(".62010".to_owned()))
        );
    }

    #[test]
    fn section_letters_spaces_and_other_separators_are_rejected() {
        assert_eq!(
            NaceCode::parse("J62.010"),
            Err(NaceError::InvalidCharacter('J'))
        );
        assert_eq!(
            NaceCode::parse(" 62.010"),
            Err(NaceError::InvalidCharacter(' '))
        );
        assert_eq!(
            NaceCode::parse("62,010"),
            Err(NaceError::InvalidCharacter(','))
        );
    }

    #[test]
    fn empty_code_is_rejected() {
        assert_eq!(NaceCode::parse(""), Err(NaceError::Empty));
    }

    #[test]
    fn from_str_delegates_to_parse() {
        let code: NaceCode = "86905".parse().unwrap();
        assert_eq!(code.as_ref(), "86.905");
    }

    proptest! {
        #[test]
        fn nace_code_round_trips_through_both_accepted_forms(division in 0_u8..100, rest in 0_u16..1000) {
            let dotted = format!("{division:02}.{rest:03}");
            let code = NaceCode::parse(&dotted).unwrap();
            prop_assert_eq!(code.as_str(), dotted.as_str());
            prop_assert_eq!(code.division(), division);
            let shown = code.to_string();
            prop_assert_eq!(&NaceCode::parse(&shown).unwrap(), &code);
            prop_assert_eq!(&NaceCode::parse(&dotted.replace('.', "")).unwrap(), &code);
        }

        #[test]
        fn nace_code_with_other_than_five_digits_is_rejected(digits in "[0-9]{1,9}") {
            prop_assume!(digits.len() != 5);
            prop_assert_eq!(NaceCode::parse(&digits), Err(NaceError::WrongDigitCount(digits.len())));
        }
    }
}
