//! `kmo bench rules | wallet | race | http`: the benchmarks.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Cli, cores};
use crate::bench::{BenchOptions, run as run_bench};
use crate::clock::today_brussels;
use crate::json_at::at;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Decisions per second: (a) in memory, (b) with trace, (c) end to end through `rules eval`.
    Rules(BenchRulesArgs),
    /// Wallet commands: single-submission latency and submissions per second with 1, 8 and 32
    /// writers on SQLite and (with --postgres) PostgreSQL, next to pgbench's TPS.
    Wallet(BenchWalletArgs),
    /// Several processes submit for one enterprise at the same moment on one database (a fresh
    /// SQLite file, or a fresh schema of the PostgreSQL --database-url); exit 0 only when its
    /// ceiling held to the cent and the ledger check and audit verify are clean.
    Race(BenchRaceArgs),
    /// The platform over real HTTP: starts `kmo serve` (several on one PostgreSQL database for
    /// scale-out), sets up enterprises through the API, then concurrent clients run submission +
    /// deposit flows; prints flows per second, p50/p99, server memory, and whether the books
    /// are right afterwards. Exit 1 when an error, a double payment or a broken book is seen.
    Http(BenchHttpArgs),
}

#[derive(Debug, Args)]
pub struct BenchHttpArgs {
    /// kmo serve processes (more than one needs a PostgreSQL --database-url).
    #[arg(long, default_value_t = 1)]
    pub servers: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Flows (submission + deposit) in all.
    #[arg(long, default_value_t = 3_200)]
    pub flows: usize,
    /// Enterprises the flows are spread over (each has a ceiling).
    #[arg(long, default_value_t = 40)]
    pub enterprises: usize,
    /// Also send one payment order per application to two servers at once.
    #[arg(long)]
    pub payments: bool,
}

#[derive(Debug, Args)]
pub struct BenchRaceArgs {
    /// Number of processes racing.
    #[arg(long, default_value_t = 4)]
    pub processes: u32,
    /// Submissions per process.
    #[arg(long, default_value_t = 10)]
    pub submissions: u32,
    /// Internal: run as worker N of a race.
    #[arg(long, hide = true)]
    pub worker: Option<u32>,
    /// Internal: the race's barrier folder.
    #[arg(long, hide = true)]
    pub barrier: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchWalletArgs {
    /// A PostgreSQL URL (user with CREATE DATABASE) to include PostgreSQL and pgbench.
    #[arg(long)]
    pub postgres: Option<String>,
    #[arg(long, default_value_t = 2_000)]
    pub latency_submissions: usize,
    #[arg(long, default_value_t = 6_400)]
    pub submissions: usize,
    #[arg(long, default_value_t = 15)]
    pub pgbench_seconds: u32,
}

#[derive(Debug, Args)]
pub struct BenchRulesArgs {
    /// Number of generated cases.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: usize,
    #[arg(long, default_value_t = 20_261_124)]
    pub seed: u64,
    /// Keep the generated JSON Lines in this file (otherwise a temporary file is removed).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Threads for the parallel end-to-end run (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(cli: &Cli, command: &BenchCommand) -> anyhow::Result<u8> {
    match command {
        BenchCommand::Wallet(a) => {
            crate::bench::run_wallet(&crate::bench::WalletBenchOptions {
                postgres: a.postgres.clone(),
                latency_submissions: a.latency_submissions,
                submissions: a.submissions,
                pgbench_seconds: a.pgbench_seconds,
            })?;
            Ok(0)
        }
        BenchCommand::Race(a) => match (a.worker, &a.barrier, &cli.database_url) {
            (Some(worker), Some(barrier), Some(url)) => {
                crate::race::worker(url, worker, a.submissions, barrier)
            }
            (Some(_), _, _) => anyhow::bail!("a race worker needs --barrier and --database-url"),
            (None, _, url) => crate::race::race(url.as_deref(), a.processes, a.submissions),
        },
        BenchCommand::Http(a) => http(cli, a),
        BenchCommand::Rules(args) => {
            run_bench(&BenchOptions {
                cases: args.cases,
                seed: args.seed,
                file: args.file.clone(),
                threads: args.threads.unwrap_or_else(cores).max(1),
            })?;
            Ok(0)
        }
    }
}

/// `kmo bench http`: exit 1 unless the run was clean.
fn http(cli: &Cli, a: &BenchHttpArgs) -> anyhow::Result<u8> {
    if a.servers > 1
        && cli
            .database_url
            .as_deref()
            .is_none_or(|u| !u.starts_with("postgres"))
    {
        anyhow::bail!("--servers {} needs a PostgreSQL --database-url", a.servers);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = rt.block_on(crate::bench_http::run(
        &crate::bench_http::HttpBenchOptions {
            database_url: cli.database_url.clone(),
            servers: a.servers,
            clients: a.clients,
            flows: a.flows,
            enterprises: a.enterprises,
            payments: a.payments,
            today: today_brussels()?,
        },
    ))?;
    println!("{report}");
    let clean = at(&report, "errors") == 0
        && at(&report, "paid_twice") == 0
        && at(&report, "ledger_check") == true
        && at(&report, "audit_verify") == true;
    Ok(if clean { 0 } else { 1 })
}
