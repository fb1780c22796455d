//! `kmo migrate`: the database migrations.

use crate::wallet::DbLocation;

pub fn run(location: &DbLocation) -> anyhow::Result<u8> {
    crate::wallet::migrate_only(location)
}
