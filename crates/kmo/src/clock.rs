//! Today's date for the commands, from the platform's one clock (`kmo_app::kernel::clock`).

use kmo_app::kernel::clock::{Clock, SystemClock};
use kmo_domain::Date;

/// Today's date in Europe/Brussels.
pub fn today_brussels() -> anyhow::Result<Date> {
    Ok(SystemClock.today())
}
