//! "Today" for the platform: the system clock in Europe/Brussels, or a clock a test sets. The
//! pure crates never read a clock; the server, the tick and the CLI ask one of these and pass
//! the date into commands.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use kmo_domain::Date;

/// Where the server gets today's date. The lifecycle never reads a clock: handlers and the
/// deadline tick ask this and pass the date on.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    fn today(&self) -> Date;
    /// The moment, in Unix seconds (session expiry; never business dates).
    fn now_unix(&self) -> i64;
}

/// The machine's clock, as a calendar date in Europe/Brussels.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        // Only a clock outside the years 1000–9999 fails; it falls back to the epoch rather
        // than panicking (every command would then be refused as before the platform's clock).
        Date::brussels_from_unix_seconds(secs).unwrap_or(Date::EPOCH)
    }

    fn now_unix(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

/// A clock that says what it is told (tests, demos).
#[derive(Debug)]
pub struct FixedClock(Mutex<Date>);

impl FixedClock {
    #[must_use]
    pub fn new(date: Date) -> Self {
        FixedClock(Mutex::new(date))
    }

    pub fn set(&self, date: Date) {
        if let Ok(mut d) = self.0.lock() {
            *d = date;
        }
    }
}

impl Clock for FixedClock {
    fn today(&self) -> Date {
        match self.0.lock() {
            Ok(d) => *d,
            Err(poisoned) => **poisoned.get_ref(),
        }
    }

    /// Noon of the fixed day.
    fn now_unix(&self) -> i64 {
        i64::from(self.today().day_number()) * 86_400 + 43_200
    }
}
