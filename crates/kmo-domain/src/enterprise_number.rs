//! Belgian enterprise numbers (KBO/BCE *ondernemingsnummer*) and establishment unit numbers
//! (*vestigingseenheidsnummer*), rules.md §10.1 and §10.2.
//!
//! Both are 10 digits whose last two digits are a mod-97 check on the first eight:
//! `check = 97 − (first 8 digits mod 97)`, so a remainder of 0 gives check digits `97` and `00` is
//! never valid. They differ in the first digit:
//!
//! - an [`EnterpriseNumber`] starts with **0 or 1** (the 0-series ran out; the first 1-number was
//!   issued on 19 September 2023) and is shown `0566.988.259`;
//! - an [`EstablishmentUnitNumber`] starts with **2 to 8** and is shown `2.147.812.701`.
//!
//! An enterprise number is accepted with or without dots and spaces (`0566.988.259`,
//! `0566988259`, `0566 988 259`), with the VAT prefix `BE` in any case (`BE0566988259`), and in the
//! legacy 9-digit form of the old VAT numbers, which is left-padded with `0` (`566988259`). An
//! establishment unit number is accepted with or without dots and spaces, always with 10 digits.
//! Dots and whitespace are treated as separators wherever they occur between the digits.

use std::fmt;
use std::str::FromStr;

/// A Belgian enterprise number: 10 digits, first digit 0 or 1, valid mod-97 check digits.
///
/// Displays in the canonical form `0566.988.259`; [`EnterpriseNumber::digits`] gives the 10 bare
/// digits (`0566988259`). Ordering is the numeric order of the numbers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnterpriseNumber {
    /// Exactly 10 ASCII digits, first digit 0 or 1, check digits verified.
    digits: String,
}

/// A Belgian establishment unit number: 10 digits, first digit 2 to 8, valid mod-97 check digits.
///
/// Displays in the canonical form `2.147.812.701`; [`EstablishmentUnitNumber::digits`] gives the
/// 10 bare digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EstablishmentUnitNumber {
    /// Exactly 10 ASCII digits, first digit 2–8, check digits verified.
    digits: String,
}

/// Why an enterprise number or an establishment unit number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterpriseNumberError {
    #[error("the number is empty")]
    Empty,
    #[error(
        "character {0:?} is not allowed (only digits, dots and spaces, and a BE prefix on an enterprise number)"
    )]
    InvalidCharacter(char),
    #[error("an enterprise number has 10 digits (or 9 in the legacy form), found {0}")]
    EnterpriseNumberLength(usize),
    #[error("an establishment unit number has 10 digits, found {0}")]
    EstablishmentUnitNumberLength(usize),
    #[error(
        "first digit {0} marks an establishment unit number (first digit 2 to 8), not an enterprise number (first digit 0 or 1)"
    )]
    IsEstablishmentUnitNumber(char),
    #[error(
        "first digit {0} marks an enterprise number (first digit 0 or 1), not an establishment unit number (first digit 2 to 8)"
    )]
    IsEnterpriseNumber(char),
    #[error(
        "first digit {0} is not used: enterprise numbers start with 0 or 1, establishment unit numbers with 2 to 8"
    )]
    UnusedFirstDigit(char),
    #[error("check digits {found} do not match {expected:02} (97 - {base} mod 97)")]
    CheckDigits {
        /// The two check digits of the input.
        found: String,
        /// The check digits the first eight digits call for (1 to 97).
        expected: u32,
        /// The first eight digits.
        base: String,
    },
}

/// Which of the two numbers is being parsed; decides the accepted forms and the first digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Enterprise,
    EstablishmentUnit,
}

impl EnterpriseNumber {
    /// Parses an enterprise number in any accepted form (see the module documentation).
    ///
    /// # Errors
    /// The first reason found, in this order: empty input, a character other than a digit, dot or
    /// space (after an optional `BE`), a digit count other than 10 or 9, a first digit other than
    /// 0 or 1, wrong check digits.
    pub fn parse(input: &str) -> Result<Self, EnterpriseNumberError> {
        parse_digits(input, Kind::Enterprise).map(|digits| EnterpriseNumber { digits })
    }

    /// The 10 digits without separators, e.g. `0566988259`.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The VAT number form `BE0566988259`.
    #[must_use]
    pub fn vat_number(&self) -> String {
        format!("BE{}", self.digits)
    }
}

impl EstablishmentUnitNumber {
    /// Parses an establishment unit number: 10 digits, with or without dots and spaces.
    ///
    /// # Errors
    /// The first reason found, in this order: empty input, a character other than a digit, dot or
    /// space, a digit count other than 10, a first digit other than 2 to 8, wrong check digits.
    pub fn parse(input: &str) -> Result<Self, EnterpriseNumberError> {
        parse_digits(input, Kind::EstablishmentUnit)
            .map(|digits| EstablishmentUnitNumber { digits })
    }

    /// The 10 digits without separators, e.g. `2147812701`.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.digits
    }
}

/// The check digits (1 to 97) that `base` (the first eight digits) calls for.
fn expected_check(base: &str) -> u32 {
    // Piecewise mod 97: the accumulator stays below 97, so `acc * 10 + d` stays below 980.
    let remainder = base
        .chars()
        .filter_map(|c| c.to_digit(10))
        .fold(0_u32, |acc, d| (acc * 10 + d) % 97);
    97 - remainder
}

/// Strips the accepted decorations and checks length, first digit and check digits; returns the
/// 10 bare digits.
fn parse_digits(input: &str, kind: Kind) -> Result<String, EnterpriseNumberError> {
    let trimmed = input.trim();
    let body = match kind {
        Kind::Enterprise => strip_vat_prefix(trimmed),
        Kind::EstablishmentUnit => trimmed,
    };

    let mut digits = String::with_capacity(10);
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c != '.' && !c.is_whitespace() {
            return Err(EnterpriseNumberError::InvalidCharacter(c));
        }
    }

    match (kind, digits.len()) {
        (_, 0) => return Err(EnterpriseNumberError::Empty),
        (_, 10) => {}
        (Kind::Enterprise, 9) => digits.insert(0, '0'),
        (Kind::Enterprise, n) => return Err(EnterpriseNumberError::EnterpriseNumberLength(n)),
        (Kind::EstablishmentUnit, n) => {
            return Err(EnterpriseNumberError::EstablishmentUnitNumberLength(n));
        }
    }

    let Some(first) = digits.chars().next() else {
        return Err(EnterpriseNumberError::Empty);
    };
    match (kind, first) {
        (Kind::Enterprise, '0' | '1') | (Kind::EstablishmentUnit, '2'..='8') => {}
        (Kind::Enterprise, '2'..='8') => {
            return Err(EnterpriseNumberError::IsEstablishmentUnitNumber(first));
        }
        (Kind::EstablishmentUnit, '0' | '1') => {
            return Err(EnterpriseNumberError::IsEnterpriseNumber(first));
        }
        _ => return Err(EnterpriseNumberError::UnusedFirstDigit(first)),
    }

    let (base, check) = digits.split_at(8);
    let expected = expected_check(base);
    if check != format!("{expected:02}") {
        return Err(EnterpriseNumberError::CheckDigits {
            found: check.to_owned(),
            expected,
            base: base.to_owned(),
        });
    }
    Ok(digits)
}

/// Removes a leading `BE` (any case) of the VAT form.
fn strip_vat_prefix(input: &str) -> &str {
    match (input.get(..2), input.get(2..)) {
        (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("BE") => rest,
        _ => input,
    }
}

/// Writes `digits` with `separator` before each position in `breaks`.
fn write_grouped(
    f: &mut fmt::Formatter<'_>,
    digits: &str,
    breaks: &[usize],
    separator: char,
) -> fmt::Result {
    use fmt::Write as _;
    for (i, c) in digits.chars().enumerate() {
        if breaks.contains(&i) {
            f.write_char(separator)?;
        }
        f.write_char(c)?;
    }
    Ok(())
}

impl fmt::Display for EnterpriseNumber {
    /// The canonical form `0566.988.259`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_grouped(f, &self.digits, &[4, 7], '.')
    }
}

impl fmt::Display for EstablishmentUnitNumber {
    /// The canonical form `2.147.812.701`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_grouped(f, &self.digits, &[1, 4, 7], '.')
    }
}

impl FromStr for EnterpriseNumber {
    type Err = EnterpriseNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl FromStr for EstablishmentUnitNumber {
    type Err = EnterpriseNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn en(s: &str) -> Result<EnterpriseNumber, EnterpriseNumberError> {
        EnterpriseNumber::parse(s)
    }

    fn eu(s: &str) -> Result<EstablishmentUnitNumber, EnterpriseNumberError> {
        EstablishmentUnitNumber::parse(s)
    }

    #[test]
    fn rule_book_valid_enterprise_numbers_are_accepted() {
        for s in [
            "0566.988.259",
            "0440.966.354",
            "0831.797.467",
            "0353.456.320",
            "1000.000.021",
        ] {
            assert_eq!(en(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn enterprise_number_with_wrong_check_digits_is_rejected() {
        assert_eq!(
            en("0566.988.258"),
            Err(EnterpriseNumberError::CheckDigits {
                found: "58".to_owned(),
                expected: 59,
                base: "05669882".to_owned(),
            })
        );
        assert!(matches!(
            en("0123.456.789"),
            Err(EnterpriseNumberError::CheckDigits { .. })
        ));
        assert!(matches!(
            en("1000.000.000"),
            Err(EnterpriseNumberError::CheckDigits { .. })
        ));
    }

    #[test]
    fn check_digit_error_message_shows_the_computation() {
        let err = en("0566.988.258").unwrap_err();
        assert_eq!(
            err.to_string(),
            "check digits 58 do not match 59 (97 - 05669882 mod 97)"
        );
    }

    #[test]
    fn enterprise_number_is_accepted_with_or_without_dots_and_spaces() {
        let canonical = en("0566.988.259").unwrap();
        for s in [
            "0566988259",
            "0566 988 259",
            " 0566.988.259 ",
            "0566. 988. 259",
        ] {
            assert_eq!(en(s).unwrap(), canonical, "{s}");
        }
    }

    #[test]
    fn vat_prefix_is_accepted_in_any_case() {
        let canonical = en("0566.988.259").unwrap();
        for s in [
            "BE0566988259",
            "be0566988259",
            "Be 0566.988.259",
            "BE 566.988.259",
        ] {
            assert_eq!(en(s).unwrap(), canonical, "{s}");
        }
        assert_eq!(canonical.vat_number(), "BE0566988259");
    }

    #[test]
    fn legacy_nine_digit_number_is_left_padded_with_zero() {
        let number = en("566988259").unwrap();
        assert_eq!(number.digits(), "0566988259");
        assert_eq!(number.to_string(), "0566.988.259");
    }

    #[test]
    fn enterprise_number_starting_with_2_to_8_is_reported_as_an_establishment_unit_number() {
        let err = en("2.147.812.701").unwrap_err();
        assert_eq!(err, EnterpriseNumberError::IsEstablishmentUnitNumber('2'));
        assert!(err.to_string().contains("establishment unit number"));
    }

    #[test]
    fn first_digit_9_is_neither_kind_of_number() {
        assert_eq!(
            en("9000000000"),
            Err(EnterpriseNumberError::UnusedFirstDigit('9'))
        );
        assert_eq!(
            eu("9000000000"),
            Err(EnterpriseNumberError::UnusedFirstDigit('9'))
        );
    }

    #[test]
    fn enterprise_number_with_wrong_digit_count_is_rejected() {
        assert_eq!(
            en("0566.988.2"),
            Err(EnterpriseNumberError::EnterpriseNumberLength(8))
        );
        // Nine digits are the legacy form, so a 10-digit number missing a digit is read as one
        // and fails its check digits.
        assert!(matches!(
            en("0566.988.25"),
            Err(EnterpriseNumberError::CheckDigits { .. })
        ));
        assert_eq!(
            en("05669882590"),
            Err(EnterpriseNumberError::EnterpriseNumberLength(11))
        );
    }

    #[test]
    fn empty_or_separator_only_input_is_rejected_as_empty() {
        assert_eq!(en(""), Err(EnterpriseNumberError::Empty));
        assert_eq!(en(" . . "), Err(EnterpriseNumberError::Empty));
        assert_eq!(en("BE"), Err(EnterpriseNumberError::Empty));
        assert_eq!(eu(""), Err(EnterpriseNumberError::Empty));
    }

    #[test]
    fn letters_and_other_punctuation_are_rejected() {
        assert_eq!(
            en("0566-988-259"),
            Err(EnterpriseNumberError::InvalidCharacter('-'))
        );
        assert_eq!(
            en("NL0566988259"),
            Err(EnterpriseNumberError::InvalidCharacter('N'))
        );
        assert_eq!(
            en("0566988259BE"),
            Err(EnterpriseNumberError::InvalidCharacter('B'))
        );
    }

    #[test]
    fn rule_book_establishment_unit_numbers_are_accepted() {
        let with_check_01 = eu("2.147.812.701").unwrap();
        assert_eq!(with_check_01.digits(), "2147812701");
        assert_eq!(with_check_01.to_string(), "2.147.812.701");
        // 21478128 mod 97 = 0, so the check digits are 97.
        let with_check_97 = eu("2147812897").unwrap();
        assert_eq!(with_check_97.to_string(), "2.147.812.897");
    }

    #[test]
    fn establishment_unit_number_with_remainder_zero_needs_check_97_not_00() {
        assert_eq!(
            eu("2147812800"),
            Err(EnterpriseNumberError::CheckDigits {
                found: "00".to_owned(),
                expected: 97,
                base: "21478128".to_owned(),
            })
        );
    }

    #[test]
    fn establishment_unit_number_starting_with_0_or_1_is_reported_as_an_enterprise_number() {
        assert_eq!(
            eu("0566.988.259"),
            Err(EnterpriseNumberError::IsEnterpriseNumber('0'))
        );
        assert_eq!(
            eu("1000.000.021"),
            Err(EnterpriseNumberError::IsEnterpriseNumber('1'))
        );
    }

    #[test]
    fn establishment_unit_number_has_no_legacy_or_vat_form() {
        assert_eq!(
            eu("147812701"),
            Err(EnterpriseNumberError::EstablishmentUnitNumberLength(9))
        );
        assert_eq!(
            eu("BE2147812701"),
            Err(EnterpriseNumberError::InvalidCharacter('B'))
        );
    }

    #[test]
    fn from_str_delegates_to_parse() {
        let number: EnterpriseNumber = "0566988259".parse().unwrap();
        assert_eq!(number, en("0566.988.259").unwrap());
        let unit: EstablishmentUnitNumber = "2147812701".parse().unwrap();
        assert_eq!(unit, eu("2.147.812.701").unwrap());
    }

    /// Ten digits with the given first digit and valid check digits.
    fn valid_digits(first: u32, middle: u32) -> String {
        let base = format!("{first}{middle:07}");
        let check = expected_check(&base);
        format!("{base}{check:02}")
    }

    /// `digits` with the digit at `position` replaced by a different one (`offset` in 1..=9).
    fn change_digit(digits: &str, position: usize, offset: u32) -> String {
        digits
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == position {
                    char::from_digit((c.to_digit(10).unwrap() + offset) % 10, 10).unwrap()
                } else {
                    c
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn enterprise_number_round_trips_through_every_accepted_form(
            first in 0_u32..=1, middle in 0_u32..10_000_000,
        ) {
            let digits = valid_digits(first, middle);
            let number = en(&digits).unwrap();
            prop_assert_eq!(number.digits(), digits.as_str());
            prop_assert_eq!(&en(&number.to_string()).unwrap(), &number);
            prop_assert_eq!(&en(&number.vat_number()).unwrap(), &number);
            prop_assert_eq!(&en(&number.vat_number().to_lowercase()).unwrap(), &number);
            let spaced = number.to_string().replace('.', " ");
            prop_assert_eq!(&en(&spaced).unwrap(), &number);
            if first == 0 {
                prop_assert_eq!(&en(&digits[1..]).unwrap(), &number);
            }
        }

        #[test]
        fn enterprise_number_with_one_digit_changed_is_rejected(
            first in 0_u32..=1, middle in 0_u32..10_000_000,
            position in 0_usize..10, offset in 1_u32..=9,
        ) {
            let changed = change_digit(&valid_digits(first, middle), position, offset);
            prop_assert!(en(&changed).is_err(), "{} was accepted", changed);
        }

        #[test]
        fn establishment_unit_number_round_trips_through_every_accepted_form(
            first in 2_u32..=8, middle in 0_u32..10_000_000,
        ) {
            let digits = valid_digits(first, middle);
            let unit = eu(&digits).unwrap();
            prop_assert_eq!(unit.digits(), digits.as_str());
            prop_assert_eq!(&eu(&unit.to_string()).unwrap(), &unit);
            let spaced = unit.to_string().replace('.', " ");
            prop_assert_eq!(&eu(&spaced).unwrap(), &unit);
        }

        #[test]
        fn establishment_unit_number_with_one_digit_changed_is_rejected(
            first in 2_u32..=8, middle in 0_u32..10_000_000,
            position in 0_usize..10, offset in 1_u32..=9,
        ) {
            let changed = change_digit(&valid_digits(first, middle), position, offset);
            prop_assert!(eu(&changed).is_err(), "{} was accepted", changed);
        }
    }
}
