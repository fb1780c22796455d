//! `kmo payout --run`: a payout run.

use clap::Args;

use super::date_or_today;
use crate::wallet::DbLocation;

#[derive(Debug, Args)]
pub struct PayoutArgs {
    /// The run's id (1–40 letters, digits, '-' or '_'), e.g. the date.
    #[arg(long)]
    pub run: String,
    /// The date (YYYY-MM-DD; default: today, Brussels time).
    #[arg(long)]
    pub date: Option<String>,
}

pub fn run(location: &DbLocation, args: &PayoutArgs) -> anyhow::Result<u8> {
    crate::wallet::payout(location, &args.run, date_or_today(args.date.as_deref())?)
}
