//! Money: integer euro cents, never a float.
//!
//! [`Cents`] wraps an `i64` (the widest integer both SQLite and PostgreSQL store natively). There
//! is deliberately no `impl Add`: every sum goes through [`Cents::checked_add`] so an overflow is
//! an error, never a wrapped amount. Rates are basis points (1 % = 100 bp) and are applied with
//! [`Cents::apply_rate_half_up`], the rounding convention of rules.md D4.

use std::fmt;

/// An amount in euro cents. May be negative (a balance), but amounts on transfers and cost lines
/// are checked to be positive where they are parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(i64);

/// Why an amount could not be parsed or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("amount {0:?} is not a number of euros with at most 2 decimals")]
    Malformed(String),
    #[error("amount {0:?} has more than 2 decimals")]
    TooManyDecimals(String),
    #[error("amount is too large")]
    Overflow,
}

impl Cents {
    /// Zero euro.
    pub const ZERO: Cents = Cents(0);

    /// The amount `cents` euro cents.
    #[must_use]
    pub const fn new(cents: i64) -> Self {
        Cents(cents)
    }

    /// The amount in whole euros (`euros * 100` cents); `None` on overflow.
    #[must_use]
    pub const fn from_euros(euros: i64) -> Option<Self> {
        match euros.checked_mul(100) {
            Some(c) => Some(Cents(c)),
            None => None,
        }
    }

    /// The raw number of cents.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    #[must_use]
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self + other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, other: Cents) -> Option<Cents> {
        match self.0.checked_add(other.0) {
            Some(c) => Some(Cents(c)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_sub(self, other: Cents) -> Option<Cents> {
        match self.0.checked_sub(other.0) {
            Some(c) => Some(Cents(c)),
            None => None,
        }
    }

    /// `self * factor`, or `None` on overflow.
    #[must_use]
    pub const fn checked_mul(self, factor: i64) -> Option<Cents> {
        match self.0.checked_mul(factor) {
            Some(c) => Some(Cents(c)),
            None => None,
        }
    }

    /// The smaller of two amounts.
    #[must_use]
    pub fn min(self, other: Cents) -> Cents {
        Cents(self.0.min(other.0))
    }

    /// The larger of two amounts.
    #[must_use]
    pub fn max(self, other: Cents) -> Cents {
        Cents(self.0.max(other.0))
    }

    /// `round_half_up(self × rate_bp / 10 000)` in integer arithmetic (rules.md D4).
    ///
    /// Only defined for non-negative amounts and rates; `None` otherwise or on overflow.
    /// Half-up means 0.5 cent rounds away from zero: 333.35 € × 30 % = 100.005 € → 100.01 €.
    #[must_use]
    pub fn apply_rate_half_up(self, rate_bp: u32) -> Option<Cents> {
        if self.0 < 0 {
            return None;
        }
        if let Some(fast) = self.rate_fast(rate_bp) {
            return Some(fast);
        }
        let scaled = i128::from(self.0).checked_mul(i128::from(rate_bp))?;
        let rounded = (scaled * 2 + 10_000) / 20_000;
        i64::try_from(rounded).ok().map(Cents)
    }

    /// `round_half_up(self × numerator / denominator)` for non-negative values and a positive
    /// denominator, computed exactly in 128-bit integers. Used for pro-rata splits (lifecycle L5).
    #[must_use]
    pub fn mul_div_half_up(self, numerator: Cents, denominator: Cents) -> Option<Cents> {
        if self.0 < 0 || numerator.0 < 0 || denominator.0 <= 0 {
            return None;
        }
        let product = i128::from(self.0) * i128::from(numerator.0);
        let den = i128::from(denominator.0);
        let rounded = (2 * product + den) / (2 * den);
        i64::try_from(rounded).ok().map(Cents)
    }

    /// Parses a euro amount written with a decimal point or comma and at most two decimals:
    /// `1234.56`, `1234,56`, `1234`, `0.5`. Thousands separators are not accepted here (they make
    /// `1.234` ambiguous); use [`Cents::parse_belgian`] for `1.234,56`.
    pub fn parse_decimal(input: &str) -> Result<Cents, MoneyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int_part, frac_part) = match body.find(['.', ',']) {
            Some(pos) => (body.get(..pos).unwrap_or(""), body.get(pos + 1..)),
            None => (body, None),
        };
        if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Malformed(s.to_owned()));
        }
        let mut cents: i64 = 0;
        for b in int_part.bytes() {
            cents = cents
                .checked_mul(10)
                .and_then(|c| c.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::Overflow)?;
        }
        cents = cents.checked_mul(100).ok_or(MoneyError::Overflow)?;
        if let Some(frac) = frac_part {
            if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(MoneyError::Malformed(s.to_owned()));
            }
            let significant = frac.trim_end_matches('0');
            if significant.len() > 2 {
                return Err(MoneyError::TooManyDecimals(s.to_owned()));
            }
            let mut frac_cents: i64 = 0;
            let mut digits = significant.bytes();
            for weight in [10, 1] {
                if let Some(b) = digits.next() {
                    frac_cents += i64::from(b - b'0') * weight;
                }
            }
            cents = cents.checked_add(frac_cents).ok_or(MoneyError::Overflow)?;
        }
        Ok(Cents(if negative { -cents } else { cents }))
    }

    /// Parses the Belgian display form: `€ 1.234,56`, `1.234,56`, `1234,56`, `€1234`.
    pub fn parse_belgian(input: &str) -> Result<Cents, MoneyError> {
        let s = input.trim();
        let s = s.strip_prefix('€').unwrap_or(s).trim();
        let s = s.strip_prefix("EUR").unwrap_or(s).trim();
        // Thousands dots must stand every three digits before the comma.
        let (int_part, frac) = match s.split_once(',') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let (negative, int_part) = match int_part.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, int_part),
        };
        let groups: Vec<&str> = int_part.split('.').collect();
        let well_grouped = groups.len() == 1
            || groups.iter().enumerate().all(|(i, g)| {
                if i == 0 {
                    (1..=3).contains(&g.len())
                } else {
                    g.len() == 3
                }
            });
        if !well_grouped {
            return Err(MoneyError::Malformed(input.trim().to_owned()));
        }
        let mut plain = String::with_capacity(s.len());
        if negative {
            plain.push('-');
        }
        plain.extend(groups.iter().flat_map(|g| g.chars()));
        if let Some(f) = frac {
            plain.push('.');
            plain.push_str(f);
        }
        Cents::parse_decimal(&plain).map_err(|e| match e {
            MoneyError::Malformed(_) => MoneyError::Malformed(input.trim().to_owned()),
            other => other,
        })
    }

    /// The machine form `1234.56` (always two decimals, no thousands separator).
    #[must_use]
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Cents {
    /// Appends the Belgian (nl-BE) display form `€ 1.234,56` to `out`.
    pub fn write_belgian(self, out: &mut String) {
        out.push_str("€ ");
        let (buf, pos) = self.belgian_number();
        out.push_str(
            buf.get(pos..)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
        );
    }

    /// Appends the Belgian display form as UTF-8 bytes, through a stack buffer and one copy (the
    /// rules engine writes millions of these).
    pub fn write_belgian_bytes(self, out: &mut Vec<u8>) {
        out.extend_from_slice("€ ".as_bytes());
        let (buf, pos) = self.belgian_number();
        out.extend_from_slice(buf.get(pos..).unwrap_or_default());
    }

    /// The number part `1.234,56` (ASCII), right-aligned in a buffer, with its start.
    fn belgian_number(self) -> ([u8; 32], usize) {
        // At most "-" + 20 digits + 6 dots + ",00".
        let mut buf = [0u8; 32];
        let mut pos = buf.len();
        let mut put = |b: u8| {
            pos -= 1;
            if let Some(slot) = buf.get_mut(pos) {
                *slot = b;
            }
        };
        let abs = self.0.unsigned_abs();
        let (mut euros, cents) = (abs / 100, abs % 100);
        put(b'0' + u8::try_from(cents % 10).unwrap_or(0));
        put(b'0' + u8::try_from(cents / 10).unwrap_or(0));
        put(b',');
        let mut digits = 0;
        loop {
            if digits > 0 && digits % 3 == 0 {
                put(b'.');
            }
            put(b'0' + u8::try_from(euros % 10).unwrap_or(0));
            digits += 1;
            euros /= 10;
            if euros == 0 {
                break;
            }
        }
        if self.0 < 0 {
            put(b'-');
        }
        (buf, pos)
    }

    /// `round_half_up(self × rate_bp / 10 000)` — see [`Cents::apply_rate_half_up`]; this is
    /// its 64-bit fast path, used when the product cannot overflow.
    fn rate_fast(self, rate_bp: u32) -> Option<Cents> {
        match self.0.checked_mul(i64::from(rate_bp)) {
            Some(p) if p <= i64::MAX / 2 - 10_000 => Some(Cents((p * 2 + 10_000) / 20_000)),
            _ => None,
        }
    }
}

/// Belgian (nl-BE) display: `€ 1.234,56`, negative `€ -1.234,56`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(24);
        self.write_belgian(&mut s);
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_are_shown_the_belgian_way() {
        assert_eq!(Cents::new(123_456).to_string(), "€ 1.234,56");
        assert_eq!(Cents::new(5).to_string(), "€ 0,05");
        assert_eq!(Cents::new(75_000_000).to_string(), "€ 750.000,00");
        assert_eq!(
            Cents::new(100_000_000_000).to_string(),
            "€ 1.000.000.000,00"
        );
        assert_eq!(Cents::new(-123_456).to_string(), "€ -1.234,56");
        assert_eq!(Cents::ZERO.to_string(), "€ 0,00");
    }

    #[test]
    fn decimal_amounts_parse_to_cents() {
        assert_eq!(Cents::parse_decimal("1234.56"), Ok(Cents::new(123_456)));
        assert_eq!(Cents::parse_decimal("1234,5"), Ok(Cents::new(123_450)));
        assert_eq!(Cents::parse_decimal("99.170"), Ok(Cents::new(9_917)));
        assert_eq!(Cents::parse_decimal("7500"), Ok(Cents::new(750_000)));
        assert_eq!(Cents::parse_decimal("-3.01"), Ok(Cents::new(-301)));
    }

    #[test]
    fn more_than_two_decimals_is_an_error_not_a_rounding() {
        assert!(matches!(
            Cents::parse_decimal("1.005"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        assert!(matches!(
            Cents::parse_decimal("abc"),
            Err(MoneyError::Malformed(_))
        ));
        assert!(matches!(
            Cents::parse_decimal("1."),
            Err(MoneyError::Malformed(_))
        ));
        assert_eq!(Cents::parse_decimal(""), Err(MoneyError::Empty));
        assert_eq!(
            Cents::parse_decimal("99999999999999999999"),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn belgian_display_form_parses_back() {
        assert_eq!(Cents::parse_belgian("€ 1.234,56"), Ok(Cents::new(123_456)));
        assert_eq!(Cents::parse_belgian("1234,56"), Ok(Cents::new(123_456)));
        assert!(Cents::parse_belgian("1.23,45").is_err());
    }

    #[test]
    fn rate_rounds_half_up_as_rules_d4_says() {
        // TC-28 and TC-29.
        assert_eq!(
            Cents::new(33_333).apply_rate_half_up(3000),
            Some(Cents::new(10_000))
        );
        assert_eq!(
            Cents::new(33_335).apply_rate_half_up(3000),
            Some(Cents::new(10_001))
        );
        assert_eq!(Cents::new(-1).apply_rate_half_up(3000), None);
    }

    #[test]
    fn pro_rata_split_rounds_half_up() {
        // lifecycle.md §11: E = 10000, S = 3000, P = 5 → 1.5 → 2.
        let e = Cents::new(10_000);
        assert_eq!(
            Cents::new(5).mul_div_half_up(Cents::new(3_000), e),
            Some(Cents::new(2))
        );
        assert_eq!(
            Cents::new(10).mul_div_half_up(Cents::new(3_000), e),
            Some(Cents::new(3))
        );
        assert_eq!(
            Cents::new(1).mul_div_half_up(Cents::new(1), Cents::ZERO),
            None
        );
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        assert_eq!(Cents::new(i64::MAX).checked_add(Cents::new(1)), None);
        assert_eq!(Cents::new(i64::MIN).checked_sub(Cents::new(1)), None);
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identity(c in -1_000_000_000_000i64..1_000_000_000_000) {
            let cents = Cents::new(c);
            prop_assert_eq!(Cents::parse_belgian(&cents.to_string()), Ok(cents));
            prop_assert_eq!(Cents::parse_decimal(&cents.to_decimal_string()), Ok(cents));
        }

        #[test]
        fn rate_result_never_exceeds_the_exact_value_by_half_a_cent(c in 0i64..10_000_000_000, bp in 0u32..=10_000) {
            let r = Cents::new(c).apply_rate_half_up(bp).unwrap().get();
            let exact_times_10000 = i128::from(c) * i128::from(bp);
            let diff = i128::from(r) * 10_000 - exact_times_10000;
            prop_assert!((-5_000..5_000).contains(&diff) || diff == 5_000);
        }
    }
}
