//! `kmo demo`: a believable demo in an empty database.

use crate::clock::today_brussels;
use crate::wallet::DbLocation;

pub fn run(location: &DbLocation) -> anyhow::Result<u8> {
    crate::wallet::demo(location, today_brussels()?)
}
