//! `kmo simulate`: the deterministic simulation of the money path.

use clap::Args;
use kmo_rules::RuleBook;

use super::Cli;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 10_000)]
    pub steps: u64,
    /// Replay the whole journal and verify the audit log every N steps.
    #[arg(long, default_value_t = 1_000)]
    pub full_check_every: u64,
}

pub fn run(cli: &Cli, args: &SimulateArgs) -> anyhow::Result<u8> {
    crate::wallet::block_on(async {
        let scratch = kmo_store::scratch::Scratch::create(cli.database_url.as_deref(), 2).await?;
        let platform = kmo_app::platform::Platform::new(scratch.db.clone(), RuleBook::embedded()?);
        let result =
            kmo_sim::simulation::simulate(&platform, args.seed, args.steps, args.full_check_every)
                .await;
        scratch.drop_it().await;
        match result {
            Ok(r) => {
                println!(
                    "simulation seed {}: {} steps ({} accepted, {} rejected), {} applications, {} full checks: every invariant held",
                    r.seed, r.steps, r.accepted, r.rejected, r.applications, r.full_checks
                );
                Ok(0)
            }
            Err(f) => {
                println!("{f}");
                Ok(1)
            }
        }
    })?
}
