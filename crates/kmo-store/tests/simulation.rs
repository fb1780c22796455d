//! The deterministic simulation of the money path, on SQLite and PostgreSQL (see
//! `kmo_sim::simulation`). `KMO_SIM_STEPS` sets the steps per seed (default 1,000); `kmo
//! simulate` runs any number. A failing seed is printed; add it to `REGRESSION_SEEDS`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use kmo_app::platform::Platform;
use kmo_rules::RuleBook;
use kmo_sim::simulation::simulate;
use kmo_store::scratch::Scratch;

/// Seeds that once failed (none yet) and the seeds CI always runs.
const REGRESSION_SEEDS: &[u64] = &[];
const SEEDS: &[u64] = &[1, 20_261_124, 0xC0FFEE];

fn steps() -> u64 {
    std::env::var("KMO_SIM_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000)
}

fn backends() -> Vec<Option<String>> {
    let mut list = vec![None];
    match std::env::var("KMO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => list.push(Some(url)),
        _ => assert!(
            std::env::var("KMO_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "KMO_REQUIRE_POSTGRES=1 but KMO_TEST_DATABASE_URL is not set"
        ),
    }
    list
}

#[test]
fn seeded_command_sequences_keep_every_invariant() {
    let rules = RuleBook::embedded().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for url in backends() {
        for seed in REGRESSION_SEEDS.iter().chain(SEEDS) {
            rt.block_on(async {
                let scratch = Scratch::create(url.as_deref(), 2).await.unwrap();
                let platform = Platform::new(scratch.db.clone(), rules.clone());
                let result = simulate(&platform, *seed, steps(), 100).await;
                scratch.drop_it().await;
                let report = result.unwrap_or_else(|f| {
                    panic!(
                        "{f}\nreplay: kmo simulate --seed {} --steps {}",
                        f.seed, f.step
                    )
                });
                assert!(
                    report.accepted > report.steps / 5 && report.rejected > 0,
                    "a useful mix: {report:?}"
                );
                assert!(report.applications > 10, "{report:?}");
            });
        }
    }
}
