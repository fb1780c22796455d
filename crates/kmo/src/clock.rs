//! The system clock, read in one place and turned into a Europe/Brussels calendar date.

use std::time::{SystemTime, UNIX_EPOCH};

use kmo_domain::Date;

/// Today's date in Europe/Brussels.
pub fn today_brussels() -> anyhow::Result<Date> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    Ok(Date::brussels_from_unix_seconds(i64::try_from(secs)?)?)
}
