//! Belgian IBANs, rules.md §10.3.
//!
//! The platform pays subsidies and refunds only to Belgian accounts, so an [`Iban`] is always
//! Belgian: 16 characters, `BE` + 2 ISO check digits + a 12-digit BBAN (3-digit bank code,
//! 7-digit account number, 2 national check digits). Two checks must pass:
//!
//! 1. **ISO 13616 / ISO 7064 MOD 97-10**: move the first four characters to the end, replace each
//!    letter by a number (A = 10 … Z = 35); the resulting number mod 97 must be 1. It is computed
//!    piecewise, digit by digit, so no big integers are needed. The check digits themselves must
//!    lie in 02–98 (00, 01 and 99 are congruent to valid ones but never issued).
//! 2. **Belgian national check**: the last two BBAN digits equal the first ten BBAN digits mod 97,
//!    with a remainder of 0 written as 97 (sepabelgium, rules.md §10.3).
//!
//! Input may contain whitespace anywhere and lower case letters (`be68 5390 0754 7034`). A
//! non-Belgian country code is rejected with its own error. The canonical [`Display`](fmt::Display)
//! is the paper form in groups of four (`BE68 5390 0754 7034`); [`Iban::electronic`] is the form
//! without spaces.

use std::fmt;
use std::str::FromStr;

/// A valid Belgian IBAN.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Iban {
    /// The electronic form: `BE` followed by 14 ASCII digits, both checks verified.
    electronic: String,
}

/// Why an IBAN was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("the IBAN is empty")]
    Empty,
    #[error("an IBAN starts with a two-letter country code, found {0:?}")]
    MissingCountryCode(String),
    #[error("only Belgian IBANs are accepted, not country code {0}")]
    NotBelgian(String),
    #[error("character {0:?} is not allowed in a Belgian IBAN (only digits and spaces after BE)")]
    InvalidCharacter(char),
    #[error("a Belgian IBAN has 16 characters, found {0}")]
    WrongLength(usize),
    #[error("IBAN check digits {0} are outside the range 02 to 98")]
    IsoCheckDigitsOutOfRange(String),
    #[error(
        "IBAN check digits {check_digits} fail the ISO 7064 mod-97 check (remainder {remainder}, expected 1)"
    )]
    IsoCheck {
        /// The two ISO check digits of the input (after `BE`).
        check_digits: String,
        /// The remainder of the rearranged number mod 97.
        remainder: u32,
    },
    #[error("national check digits {found} do not match {expected:02} ({account} mod 97)")]
    NationalCheck {
        /// The last two digits of the BBAN.
        found: String,
        /// The check digits the first ten BBAN digits call for (1 to 97).
        expected: u64,
        /// The first ten BBAN digits (bank code and account number).
        account: String,
    },
    #[error("bank code and account number {0} have more than 10 digits")]
    AccountOutOfRange(u64),
}

/// The largest bank code and account number (10 digits) plus one.
const ACCOUNT_LIMIT: u64 = 10_000_000_000;

impl Iban {
    /// Parses a Belgian IBAN, with or without spaces, in any case.
    ///
    /// # Errors
    /// The first reason found, in this order: empty input, no two-letter country code, a country
    /// code other than `BE`, a character other than a digit or whitespace after it, a length other
    /// than 16, ISO check digits outside 02–98, a failing ISO check, a failing national check.
    pub fn parse(input: &str) -> Result<Self, IbanError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(IbanError::Empty);
        }

        let country: String = compact.chars().take(2).collect();
        if country.chars().count() < 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(IbanError::MissingCountryCode(country));
        }
        let country = country.to_ascii_uppercase();
        if country != "BE" {
            return Err(IbanError::NotBelgian(country));
        }

        let rest: String = compact.chars().skip(2).collect();
        if let Some(c) = rest.chars().find(|c| !c.is_ascii_digit()) {
            return Err(IbanError::InvalidCharacter(c));
        }
        // `rest` is ASCII now, so its byte length is its character count.
        let length = rest.len() + 2;
        if length != 16 {
            return Err(IbanError::WrongLength(length));
        }

        let Some((check_digits, bban)) = rest.split_at_checked(2) else {
            return Err(IbanError::WrongLength(length));
        };
        if matches!(check_digits, "00" | "01" | "99") {
            return Err(IbanError::IsoCheckDigitsOutOfRange(check_digits.to_owned()));
        }
        let remainder = iso_remainder(bban, &country, check_digits);
        if remainder != 1 {
            return Err(IbanError::IsoCheck {
                check_digits: check_digits.to_owned(),
                remainder,
            });
        }

        let Some((account, national)) = bban.split_at_checked(10) else {
            return Err(IbanError::WrongLength(length));
        };
        let expected = national_check(digits_value(account));
        if national != format!("{expected:02}") {
            return Err(IbanError::NationalCheck {
                found: national.to_owned(),
                expected,
                account: account.to_owned(),
            });
        }

        Ok(Iban {
            electronic: format!("{country}{rest}"),
        })
    }

    /// Builds the Belgian IBAN of a bank code and account number (the first ten BBAN digits, e.g.
    /// `5390075470`), computing the national and the ISO check digits. Useful for demo data.
    ///
    /// # Errors
    /// [`IbanError::AccountOutOfRange`] when `bank_and_account` has more than 10 digits.
    pub fn from_bban(bank_and_account: u64) -> Result<Self, IbanError> {
        if bank_and_account >= ACCOUNT_LIMIT {
            return Err(IbanError::AccountOutOfRange(bank_and_account));
        }
        let bban = format!(
            "{bank_and_account:010}{:02}",
            national_check(bank_and_account)
        );
        let iso_check = 98 - iso_remainder(&bban, "BE", "00");
        Self::parse(&format!("BE{iso_check:02}{bban}"))
    }

    /// The electronic form without spaces, e.g. `BE68539007547034`.
    #[must_use]
    pub fn electronic(&self) -> &str {
        &self.electronic
    }
}

/// The national check digits (1 to 97) of a bank code and account number.
fn national_check(bank_and_account: u64) -> u64 {
    match bank_and_account % 97 {
        0 => 97,
        remainder => remainder,
    }
}

/// The value of a string of ASCII digits (at most 10 here, so it fits a `u64`).
fn digits_value(digits: &str) -> u64 {
    digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .fold(0, |acc, d| acc * 10 + u64::from(d))
}

/// ISO 7064 MOD 97-10 remainder of `bban` followed by `country` and `check_digits`, with letters
/// as two-digit numbers (A = 10 … Z = 35), computed piecewise.
fn iso_remainder(bban: &str, country: &str, check_digits: &str) -> u32 {
    bban.chars()
        .chain(country.chars())
        .chain(check_digits.chars())
        .filter_map(|c| c.to_digit(36))
        // The accumulator stays below 97, so neither step exceeds 97 * 100 + 35.
        .fold(0, |acc, value| {
            if value < 10 {
                (acc * 10 + value) % 97
            } else {
                (acc * 100 + value) % 97
            }
        })
}

impl fmt::Display for Iban {
    /// The paper form in groups of four: `BE68 5390 0754 7034`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        for (i, c) in self.electronic.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                f.write_char(' ')?;
            }
            f.write_char(c)?;
        }
        Ok(())
    }
}

impl FromStr for Iban {
    type Err = IbanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rule_book_example_ibans_are_accepted() {
        let iban = Iban::parse("BE68 5390 0754 7034").unwrap();
        assert_eq!(iban.electronic(), "BE68539007547034");
        assert_eq!(iban.to_string(), "BE68 5390 0754 7034");
        let other = Iban::parse("BE12 3630 6637 2692").unwrap();
        assert_eq!(other.to_string(), "BE12 3630 6637 2692");
    }

    #[test]
    fn iban_is_accepted_without_spaces_and_in_lower_case() {
        let canonical = Iban::parse("BE68 5390 0754 7034").unwrap();
        for s in [
            "BE68539007547034",
            "be68539007547034",
            "be68 5390 0754 7034",
            " BE 68539 0075 47034\t",
        ] {
            assert_eq!(Iban::parse(s).unwrap(), canonical, "{s}");
        }
    }

    #[test]
    fn iban_failing_both_checks_reports_the_iso_check_first() {
        assert_eq!(
            Iban::parse("BE68 5390 0754 7035"),
            Err(IbanError::IsoCheck {
                check_digits: "68".to_owned(),
                remainder: 28
            })
        );
    }

    #[test]
    fn iban_passing_the_iso_check_but_failing_the_national_check_is_rejected() {
        // The BBAN of BE68 5390 0754 7034 with national check 35 instead of 34, and ISO check
        // digits recomputed so that only the national check fails.
        let bban = "539007547035";
        let iso = 98 - iso_remainder(bban, "BE", "00");
        let input = format!("BE{iso:02}{bban}");
        assert_eq!(
            Iban::parse(&input),
            Err(IbanError::NationalCheck {
                found: "35".to_owned(),
                expected: 34,
                account: "5390075470".to_owned(),
            })
        );
        assert_eq!(
            Iban::parse(&input).unwrap_err().to_string(),
            "national check digits 35 do not match 34 (5390075470 mod 97)"
        );
    }

    #[test]
    fn foreign_iban_is_rejected_as_not_belgian() {
        let err = Iban::parse("NL91 ABNA 0417 1643 00").unwrap_err();
        assert_eq!(err, IbanError::NotBelgian("NL".to_owned()));
        assert!(err.to_string().contains("only Belgian IBANs are accepted"));
        assert_eq!(
            Iban::parse("fr7630006000011234567890189"),
            Err(IbanError::NotBelgian("FR".to_owned()))
        );
    }

    #[test]
    fn input_without_country_code_is_rejected() {
        assert_eq!(
            Iban::parse("539007547034"),
            Err(IbanError::MissingCountryCode("53".to_owned()))
        );
        assert_eq!(
            Iban::parse("B"),
            Err(IbanError::MissingCountryCode("B".to_owned()))
        );
    }

    #[test]
    fn empty_iban_is_rejected() {
        assert_eq!(Iban::parse(""), Err(IbanError::Empty));
        assert_eq!(Iban::parse("   "), Err(IbanError::Empty));
    }

    #[test]
    fn belgian_iban_with_letters_or_punctuation_in_the_bban_is_rejected() {
        assert_eq!(
            Iban::parse("BE68 5390 0754 703A"),
            Err(IbanError::InvalidCharacter('A'))
        );
        assert_eq!(
            Iban::parse("BE68-5390-0754-7034"),
            Err(IbanError::InvalidCharacter('-'))
        );
    }

    #[test]
    fn belgian_iban_with_wrong_length_is_rejected() {
        assert_eq!(
            Iban::parse("BE68 5390 0754 703"),
            Err(IbanError::WrongLength(15))
        );
        assert_eq!(
            Iban::parse("BE68 5390 0754 7034 1"),
            Err(IbanError::WrongLength(17))
        );
        assert_eq!(Iban::parse("BE"), Err(IbanError::WrongLength(2)));
    }

    #[test]
    fn iso_check_digits_congruent_to_valid_ones_are_still_rejected() {
        // 99 ≡ 02 (mod 97): find an account whose ISO check digits are 02 and write them as 99.
        let iban = (0..ACCOUNT_LIMIT)
            .map(|n| Iban::from_bban(n).unwrap())
            .find(|iban| iban.electronic().get(2..4) == Some("02"))
            .unwrap();
        let disguised = format!("BE99{}", &iban.electronic()[4..]);
        assert_eq!(
            Iban::parse(&disguised),
            Err(IbanError::IsoCheckDigitsOutOfRange("99".to_owned()))
        );
    }

    #[test]
    fn from_bban_computes_both_check_digits() {
        assert_eq!(
            Iban::from_bban(5_390_075_470).unwrap().to_string(),
            "BE68 5390 0754 7034"
        );
        assert_eq!(
            Iban::from_bban(3_630_663_726).unwrap().to_string(),
            "BE12 3630 6637 2692"
        );
    }

    #[test]
    fn from_bban_writes_a_remainder_of_zero_as_national_check_97() {
        let iban = Iban::from_bban(97 * 12_345_678).unwrap();
        assert!(iban.electronic().ends_with("97"), "{iban}");
    }

    #[test]
    fn from_bban_rejects_more_than_ten_digits() {
        assert_eq!(
            Iban::from_bban(ACCOUNT_LIMIT),
            Err(IbanError::AccountOutOfRange(ACCOUNT_LIMIT))
        );
    }

    #[test]
    fn from_str_delegates_to_parse() {
        let iban: Iban = "BE68539007547034".parse().unwrap();
        assert_eq!(iban, Iban::parse("BE68 5390 0754 7034").unwrap());
    }

    proptest! {
        #[test]
        fn iban_round_trips_through_every_accepted_form(account in 0_u64..ACCOUNT_LIMIT) {
            let iban = Iban::from_bban(account).unwrap();
            prop_assert!(iban.electronic().starts_with("BE"));
            prop_assert_eq!(&iban.electronic()[4..14], format!("{account:010}"));
            prop_assert_eq!(&Iban::parse(&iban.to_string()).unwrap(), &iban);
            prop_assert_eq!(&Iban::parse(iban.electronic()).unwrap(), &iban);
            prop_assert_eq!(&Iban::parse(&iban.electronic().to_lowercase()).unwrap(), &iban);
            prop_assert_eq!(&Iban::parse(&iban.to_string().to_lowercase()).unwrap(), &iban);
        }

        #[test]
        fn iban_with_one_digit_changed_is_rejected(
            account in 0_u64..ACCOUNT_LIMIT, position in 2_usize..16, offset in 1_u32..=9,
        ) {
            let iban = Iban::from_bban(account).unwrap();
            let changed: String = iban
                .electronic()
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
            prop_assert!(Iban::parse(&changed).is_err(), "{} was accepted", changed);
        }
    }
}
