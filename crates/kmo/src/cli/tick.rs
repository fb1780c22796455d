//! `kmo tick`: the platform clock moved, the deadlines due applied.

use clap::Args;

use super::date_or_today;
use crate::wallet::DbLocation;

#[derive(Debug, Args)]
pub struct TickArgs {
    /// The date (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
}

pub fn run(location: &DbLocation, args: &TickArgs) -> anyhow::Result<u8> {
    crate::wallet::tick(location, date_or_today(args.date.as_deref())?)
}
