//! `kmo replay`: a synthetic, seeded year of the platform, then the ledger check.

use clap::Args;

use crate::wallet::DbLocation;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[arg(long, default_value_t = 160_000)]
    pub applications: u64,
    #[arg(long, default_value_t = 40_000)]
    pub enterprises: u64,
    #[arg(long, default_value_t = 3_000)]
    pub providers: u64,
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Calendar year of the submissions.
    #[arg(long, default_value_t = 2025)]
    pub year: i32,
}

pub fn run(location: &DbLocation, a: &ReplayArgs) -> anyhow::Result<u8> {
    crate::wallet::replay(
        location,
        &kmo_sim::replay::ReplayOptions {
            applications: a.applications,
            enterprises: a.enterprises,
            providers: a.providers,
            seed: a.seed,
            year: a.year,
        },
    )
}
