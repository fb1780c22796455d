//! Calendar dates.
//!
//! A [`Date`] is a day of the proleptic Gregorian calendar, stored as the number of days since
//! 1970-01-01. The platform counts calendar days in Europe/Brussels (rules.md: "calendar days, no
//! shift for weekends or holidays"); turning an instant into a Brussels date happens once, in the
//! application layer's clock, never here.
//!
//! Only years 1000–9999 are representable: that keeps `YYYY-MM-DD` a fixed-width format and makes
//! every absurd date an input error instead of a silently strange one.

use std::fmt;

/// A calendar date (no time, no zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i32,
}

/// Why a date could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{0:?} is not a date in the form YYYY-MM-DD")]
    Format(String),
    #[error("{0:?} does not exist in the calendar")]
    Impossible(String),
    #[error("year {0} is outside 1000-9999")]
    YearOutOfRange(i32),
    #[error("date arithmetic left the years 1000-9999")]
    Overflow,
}

const YEAR_MIN: i32 = 1000;
const YEAR_MAX: i32 = 9999;
/// Day numbers of 1000-01-01 and 9999-12-31.
const DAY_MIN: i32 = days_from_civil(YEAR_MIN, 1, 1);
const DAY_MAX: i32 = days_from_civil(YEAR_MAX, 12, 31);

/// Days from 1970-01-01 to the given civil date (H. Hinnant's algorithm, exact for all i32 years).
const fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month.cast_signed();
    let d = day.cast_signed();
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
const fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1).cast_unsigned();
    let m = if mp < 10 { mp + 3 } else { mp - 9 }.cast_unsigned();
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `year` is a Gregorian leap year.
#[must_use]
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in a month of a year.
#[must_use]
pub const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// 1970-01-01, day number 0.
    pub const EPOCH: Date = Date { days: 0 };

    /// The date `year-month-day`, if it exists and the year is within 1000–9999.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        if !(YEAR_MIN..=YEAR_MAX).contains(&year) {
            return Err(DateError::YearOutOfRange(year));
        }
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Impossible(format!(
                "{year:04}-{month:02}-{day:02}"
            )));
        }
        Ok(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Parses exactly `YYYY-MM-DD` (ISO 8601 calendar date, four-digit year).
    pub fn parse(input: &str) -> Result<Date, DateError> {
        let b = input.as_bytes();
        let well_formed = b.len() == 10
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !well_formed {
            return Err(DateError::Format(input.to_owned()));
        }
        let num = |range: std::ops::Range<usize>| -> u32 {
            b.get(range)
                .unwrap_or_default()
                .iter()
                .fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'))
        };
        let year = i32::try_from(num(0..4)).map_err(|_| DateError::Format(input.to_owned()))?;
        let (month, day) = (num(5..7), num(8..10));
        match Date::from_ymd(year, month, day) {
            Err(DateError::Impossible(_)) => Err(DateError::Impossible(input.to_owned())),
            other => other,
        }
    }

    /// The day number (days since 1970-01-01); stable, usable as a storage key.
    #[must_use]
    pub const fn day_number(self) -> i32 {
        self.days
    }

    /// The date with this day number, if its year is within 1000–9999.
    pub fn from_day_number(days: i32) -> Result<Date, DateError> {
        if (DAY_MIN..=DAY_MAX).contains(&days) {
            Ok(Date { days })
        } else {
            Err(DateError::Overflow)
        }
    }

    #[must_use]
    pub const fn year(self) -> i32 {
        civil_from_days(self.days).0
    }

    #[must_use]
    pub const fn month(self) -> u32 {
        civil_from_days(self.days).1
    }

    #[must_use]
    pub const fn day(self) -> u32 {
        civil_from_days(self.days).2
    }

    /// `(year, month, day)`.
    #[must_use]
    pub const fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }

    /// This date plus `n` calendar days (negative goes back).
    pub fn add_days(self, n: i32) -> Result<Date, DateError> {
        let days = self.days.checked_add(n).ok_or(DateError::Overflow)?;
        if (DAY_MIN..=DAY_MAX).contains(&days) {
            Ok(Date { days })
        } else {
            Err(DateError::Overflow)
        }
    }

    /// Calendar days from `self` to `later` (negative if `later` is earlier).
    #[must_use]
    pub const fn days_until(self, later: Date) -> i32 {
        later.days - self.days
    }

    /// The same month and day `n` years earlier; 29 February becomes 28 February in a non-leap
    /// year (lifecycle.md L11).
    pub fn minus_years(self, n: i32) -> Result<Date, DateError> {
        let (y, m, d) = self.ymd();
        let year = y.checked_sub(n).ok_or(DateError::Overflow)?;
        let day = d.min(days_in_month(year, m));
        Date::from_ymd(year, m, day)
    }

    /// Day of the week, 0 = Sunday … 6 = Saturday.
    #[must_use]
    pub const fn weekday_from_sunday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.days + 4).rem_euclid(7).cast_unsigned()
    }

    /// The calendar date in Europe/Brussels at a Unix time in seconds: CET (UTC+1), and CEST
    /// (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC
    /// (the EU rule since 1996). Pure: the caller reads the clock.
    pub fn brussels_from_unix_seconds(secs: i64) -> Result<Date, DateError> {
        let utc_day = i32::try_from(secs.div_euclid(86_400)).map_err(|_| DateError::Overflow)?;
        let year = Date::from_day_number(utc_day)?.year();
        let last_sunday = |month: u32| -> Result<i64, DateError> {
            let end = Date::from_ymd(year, month, 31)?;
            Ok(i64::from(
                end.days - i32::try_from(end.weekday_from_sunday()).unwrap_or(0),
            ))
        };
        let summer_from = last_sunday(3)? * 86_400 + 3_600;
        let summer_until = last_sunday(10)? * 86_400 + 3_600;
        let offset = if (summer_from..summer_until).contains(&secs) {
            7_200
        } else {
            3_600
        };
        let local_day =
            i32::try_from((secs + offset).div_euclid(86_400)).map_err(|_| DateError::Overflow)?;
        Date::from_day_number(local_day)
    }

    /// 1 January of `year`.
    pub fn first_of_year(year: i32) -> Result<Date, DateError> {
        Date::from_ymd(year, 1, 1)
    }

    /// 31 December of `year`.
    pub fn last_of_year(year: i32) -> Result<Date, DateError> {
        Date::from_ymd(year, 12, 31)
    }
}

impl Date {
    /// `YYYY-MM-DD` as ASCII bytes.
    #[must_use]
    pub fn iso_bytes(self) -> [u8; 10] {
        let (y, m, d) = self.ymd();
        let y = y.unsigned_abs();
        let digit = |v: u32| b'0' + u8::try_from(v % 10).unwrap_or(0);
        [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ]
    }

    /// Appends `YYYY-MM-DD` to `out`.
    pub fn write_iso(self, out: &mut String) {
        out.push_str(std::str::from_utf8(&self.iso_bytes()).unwrap_or("0000-00-00"));
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(10);
        self.write_iso(&mut s);
        f.write_str(&s)
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn fourteen_days_after_a_start_crosses_month_and_leap_day() {
        // TC-23, TC-25, TC-26, TC-27.
        assert_eq!(d("2024-03-01").add_days(14).unwrap(), d("2024-03-15"));
        assert_eq!(d("2024-02-20").add_days(14).unwrap(), d("2024-03-05"));
        assert_eq!(d("2024-02-29").add_days(14).unwrap(), d("2024-03-14"));
        assert_eq!(d("2025-02-20").add_days(14).unwrap(), d("2025-03-06"));
        assert_eq!(d("2024-12-25").add_days(14).unwrap(), d("2025-01-08"));
    }

    #[test]
    fn impossible_dates_are_rejected_with_their_text() {
        assert_eq!(
            Date::parse("2024-02-30"),
            Err(DateError::Impossible("2024-02-30".into()))
        );
        assert_eq!(
            Date::parse("2023-02-29"),
            Err(DateError::Impossible("2023-02-29".into()))
        );
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2024-13-01").is_err());
        assert!(Date::parse("2024-00-10").is_err());
    }

    #[test]
    fn other_formats_are_rejected() {
        for s in [
            "05/03/2024",
            "2024-3-5",
            "20240305",
            "2024-03-05T00:00",
            " 2024-03-05",
            "",
        ] {
            assert!(matches!(Date::parse(s), Err(DateError::Format(_))), "{s}");
        }
        assert_eq!(
            Date::parse("0999-01-01"),
            Err(DateError::YearOutOfRange(999))
        );
    }

    #[test]
    fn minus_three_years_maps_leap_day_to_28_february() {
        assert_eq!(d("2027-02-28").minus_years(3).unwrap(), d("2024-02-28"));
        assert_eq!(d("2028-02-29").minus_years(3).unwrap(), d("2025-02-28"));
        assert_eq!(d("2027-06-01").minus_years(3).unwrap(), d("2024-06-01"));
    }

    #[test]
    fn brussels_dates_follow_cet_and_cest() {
        // 2024-03-31 is the last Sunday of March: summer time from 01:00 UTC.
        let at = |y, m, dd, h: i64| {
            i64::from(Date::from_ymd(y, m, dd).unwrap().day_number()) * 86_400 + h * 3_600
        };
        assert_eq!(
            Date::brussels_from_unix_seconds(at(2024, 1, 15, 22)).unwrap(),
            d("2024-01-15")
        );
        assert_eq!(
            Date::brussels_from_unix_seconds(at(2024, 1, 15, 23)).unwrap(),
            d("2024-01-16")
        );
        assert_eq!(
            Date::brussels_from_unix_seconds(at(2024, 7, 1, 21)).unwrap(),
            d("2024-07-01")
        );
        assert_eq!(
            Date::brussels_from_unix_seconds(at(2024, 7, 1, 22)).unwrap(),
            d("2024-07-02")
        );
        assert_eq!(
            Date::brussels_from_unix_seconds(at(2024, 12, 31, 23)).unwrap(),
            d("2025-01-01")
        );
        assert_eq!(d("2024-03-31").weekday_from_sunday(), 0);
    }

    #[test]
    fn epoch_is_day_zero() {
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2000-03-01").day_number(), 11_017);
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identity(n in -354_000i32..2_900_000) {
            let date = Date::from_day_number(n).unwrap();
            prop_assert_eq!(Date::parse(&date.to_string()), Ok(date));
            let (y, m, dd) = date.ymd();
            prop_assert_eq!(Date::from_ymd(y, m, dd), Ok(date));
        }

        #[test]
        fn adding_days_is_consistent_with_ordering(n in 0i32..20_000, k in 0i32..1_000) {
            let a = Date::from_day_number(n).unwrap();
            let b = a.add_days(k).unwrap();
            prop_assert!(b >= a);
            prop_assert_eq!(a.days_until(b), k);
        }
    }
}
