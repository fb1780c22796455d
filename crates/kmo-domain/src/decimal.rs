//! Exact two-decimal quantities: percentages (`24.99` %) and annual work units (`45.5` AWU).
//!
//! The rules-eval contract (rules-eval.md, edge semantics 17) says "at most 2 decimals" is judged
//! by *value*: `25.000` is fine, `25.001` is not. So the value is parsed from the JSON number's
//! text, never through a float, and kept as an integer count of hundredths.

use std::fmt;

/// A non-negative or negative quantity with exactly two decimals, as hundredths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundredths(i64);

/// Why a decimal could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{0:?} has more than 2 decimals")]
    TooManyDecimals(String),
    #[error("{0:?} is too large")]
    TooLarge(String),
}

/// Largest magnitude accepted, in hundredths (10^15): far above any real AWU or percentage,
/// small enough that products with money stay inside `i128` with room to spare.
const MAGNITUDE_MAX: i64 = 1_000_000_000_000_000;

impl Hundredths {
    /// The value `hundredths / 100`.
    #[must_use]
    pub const fn new(hundredths: i64) -> Self {
        Hundredths(hundredths)
    }

    /// A whole number.
    #[must_use]
    pub const fn from_whole(n: i64) -> Self {
        Hundredths(n * 100)
    }

    /// The number of hundredths.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Parses a JSON number's text (`25`, `24.99`, `25.000`, `-1`, `1.5e1`) exactly. Rejects a
    /// value that needs more than two decimals (`12.345`, `1e-3`) and values beyond ±10^13.
    pub fn parse_json_number(text: &str) -> Result<Hundredths, DecimalError> {
        let err_nan = || DecimalError::NotANumber(text.to_owned());
        let b = text.as_bytes();
        let mut i = 0usize;
        let negative = b.first() == Some(&b'-');
        if negative {
            i += 1;
        }
        // Collect significant digits and the position of the decimal point.
        let mut digits: Vec<u8> = Vec::with_capacity(b.len());
        let mut frac_len: i64 = 0;
        let mut seen_point = false;
        let mut seen_digit = false;
        while let Some(&c) = b.get(i) {
            match c {
                b'0'..=b'9' => {
                    seen_digit = true;
                    digits.push(c - b'0');
                    if seen_point {
                        frac_len += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'e' | b'E' => break,
                _ => return Err(err_nan()),
            }
            i += 1;
        }
        if !seen_digit {
            return Err(err_nan());
        }
        let mut exponent: i64 = 0;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exp_negative = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_digits = b.get(i..).unwrap_or_default();
            if exp_digits.is_empty()
                || !exp_digits.iter().all(u8::is_ascii_digit)
                || exp_digits.len() > 6
            {
                return Err(err_nan());
            }
            let e = exp_digits
                .iter()
                .fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0'));
            exponent = if exp_negative { -e } else { e };
        }
        // value = digits × 10^(exponent − frac_len); we want value × 100 as an integer.
        let mut shift = exponent - frac_len + 2;
        // Drop trailing zeros while the shift is negative (25.000 → 2500).
        while shift < 0 && digits.last() == Some(&0) {
            digits.pop();
            shift += 1;
        }
        if shift < 0 {
            // A non-zero digit remains beyond the second decimal — unless the value is zero.
            if digits.iter().all(|&d| d == 0) {
                return Ok(Hundredths(0));
            }
            return Err(DecimalError::TooManyDecimals(text.to_owned()));
        }
        let mut value: i64 = 0;
        for &d in &digits {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(d)))
                .filter(|v| *v <= MAGNITUDE_MAX)
                .ok_or_else(|| DecimalError::TooLarge(text.to_owned()))?;
        }
        for _ in 0..shift {
            if value == 0 {
                break;
            }
            value = value
                .checked_mul(10)
                .filter(|v| *v <= MAGNITUDE_MAX)
                .ok_or_else(|| DecimalError::TooLarge(text.to_owned()))?;
        }
        Ok(Hundredths(if negative { -value } else { value }))
    }
}

/// `24.99`, `25.00`, `-3.50` (machine form, two decimals).
impl fmt::Display for Hundredths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Result<i64, DecimalError> {
        Hundredths::parse_json_number(s).map(Hundredths::get)
    }

    #[test]
    fn two_decimals_are_judged_by_value() {
        assert_eq!(p("25"), Ok(2500));
        assert_eq!(p("24.99"), Ok(2499));
        assert_eq!(p("25.000"), Ok(2500));
        assert_eq!(p("45.5"), Ok(4550));
        assert_eq!(p("0"), Ok(0));
        assert_eq!(p("0.000"), Ok(0));
        assert_eq!(p("-1.5"), Ok(-150));
        assert!(matches!(p("12.345"), Err(DecimalError::TooManyDecimals(_))));
        assert!(matches!(p("25.001"), Err(DecimalError::TooManyDecimals(_))));
    }

    #[test]
    fn exponents_are_read_exactly() {
        assert_eq!(p("1e2"), Ok(10_000));
        assert_eq!(p("1.2345e2"), Ok(12_345));
        assert_eq!(p("2500e-2"), Ok(2_500));
        assert_eq!(p("25E-1"), Ok(250));
        assert!(matches!(p("1e-3"), Err(DecimalError::TooManyDecimals(_))));
        assert!(matches!(p("1e30"), Err(DecimalError::TooLarge(_))));
        assert!(matches!(p("1e9999999"), Err(DecimalError::NotANumber(_))));
    }

    #[test]
    fn non_numbers_are_rejected() {
        for s in ["", "-", "abc", "1.2.3", "\"25\"", "1e", "true"] {
            assert!(matches!(p(s), Err(DecimalError::NotANumber(_))), "{s}");
        }
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identity(h in -10_000_000_000i64..10_000_000_000) {
            let v = Hundredths::new(h);
            prop_assert_eq!(Hundredths::parse_json_number(&v.to_string()), Ok(v));
        }
    }
}
