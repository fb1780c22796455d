//! The command tree of `kmo` and its dispatch; each command's arguments and what it does are
//! in its own module.
//!
//! # Layout
//! One module per command: [`rules`], [`bench`], [`scenario`], [`ledger`], [`audit`], [`tick`],
//! [`payout`], [`migrate`], [`replay`], [`serve`], [`demo`], [`user`], [`config`], [`openapi`],
//! [`simulate`]. Each holds its clap arguments and a `run` function.

pub mod audit;
pub mod bench;
pub mod config;
pub mod demo;
pub mod ledger;
pub mod migrate;
pub mod openapi;
pub mod payout;
pub mod replay;
pub mod rules;
pub mod scenario;
pub mod serve;
pub mod simulate;
pub mod tick;
pub mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use kmo_domain::Date;

pub use self::audit::AuditCommand;
pub use self::bench::{
    BenchCommand, BenchHttpArgs, BenchRaceArgs, BenchRulesArgs, BenchWalletArgs,
};
pub use self::config::ConfigCommand;
pub use self::ledger::LedgerCommand;
pub use self::payout::PayoutArgs;
pub use self::replay::ReplayArgs;
pub use self::rules::{EvalArgs, ExplainArgs, LangArg, RulesCommand, ShowArgs};
pub use self::scenario::{ModeArg, ScenarioArgs, ScenarioCommand};
pub use self::serve::ServeArgs;
pub use self::simulate::SimulateArgs;
pub use self::tick::TickArgs;
pub use self::user::{UserAddArgs, UserCommand};
use crate::clock::today_brussels;

/// kmo-portefeuille: the Flemish SME wallet.
#[derive(Debug, Parser)]
#[command(name = "kmo", version, about, long_about = None)]
pub struct Cli {
    /// Database URL: sqlite://PATH or postgres://… (default: sqlite://<data dir>/kmo.sqlite3).
    #[arg(long, global = true, env = "KMO_DATABASE__URL")]
    pub database_url: Option<String>,
    /// Folder of the embedded SQLite database and other data [default: kmo-data].
    #[arg(long, global = true, env = "KMO_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The rules engine: evaluate cases, show the rules in force, explain a decision.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Scenarios in the command language of lifecycle.md.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// The ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Move the platform clock to a date (default: today, Brussels time) and apply every
    /// deadline due: lapses after the deposit window, expiries after the payment deadline.
    Tick(TickArgs),
    /// A payout run: pay out every provider payable and every refund that became payable since
    /// the previous run (the subsidy part settled by the agency per budget year). Prints the
    /// payouts as JSON. The run id makes it idempotent: the same id again prints the same run.
    Payout(PayoutArgs),
    /// Apply the database migrations.
    Migrate,
    /// A synthetic, seeded year of the platform through the full lifecycle, then the ledger
    /// check. Without --database-url it writes a fresh <data dir>/replay.sqlite3; a given
    /// database must be empty.
    Replay(ReplayArgs),
    /// Start the platform: the JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json, browsable
    /// at /api/v1/docs), /healthz, /readyz, /metrics, and the deadline tick on a schedule. On
    /// first start it creates the data directory and migrates the database.
    Serve(ServeArgs),
    /// Fill the database with a believable demo (enterprises, providers, applications in every
    /// state, dated around today) and print what it made. Refused on a database in use.
    Demo,
    /// Accounts (e.g. the first agency account of a new installation).
    #[command(subcommand)]
    User(UserCommand),
    /// Settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the OpenAPI 3.1 document of the API (the committed openapi.json is this output).
    Openapi,
    /// Run the deterministic simulation of the money path on a fresh database (a temporary
    /// SQLite file, or a fresh schema of a PostgreSQL --database-url).
    Simulate(SimulateArgs),
}

/// The data directory when neither `--data-dir` nor `KMO_DATA_DIR` names one.
pub const DEFAULT_DATA_DIR: &str = "kmo-data";

/// Parses the arguments, runs the command, and maps the outcome to an exit code.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kmo: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Runs a parsed command; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let location = crate::wallet::DbLocation {
        url: cli.database_url.clone(),
        data_dir: cli
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        max_connections: kmo_store::ConnectOptions::default().max_connections,
        sqlite_readers: kmo_store::ConnectOptions::default().sqlite_readers,
    };
    match &cli.command {
        Command::Serve(args) => serve::run(&cli, args),
        Command::Demo => demo::run(&location),
        Command::User(command) => user::run(&location, command),
        Command::Config(command) => Ok(config::run(command)),
        Command::Openapi => Ok(openapi::run()),
        Command::Scenario(command) => scenario::run(&cli, command),
        Command::Ledger(command) => ledger::run(&location, command),
        Command::Audit(command) => audit::run(&location, command),
        Command::Tick(args) => tick::run(&location, args),
        Command::Payout(args) => payout::run(&location, args),
        Command::Migrate => migrate::run(&location),
        Command::Replay(args) => replay::run(&location, args),
        Command::Simulate(args) => simulate::run(&cli, args),
        Command::Rules(command) => rules::run(command),
        Command::Bench(command) => bench::run(&cli, command),
    }
}

/// A `--date` (YYYY-MM-DD), or today in Brussels when none is given.
fn date_or_today(date: Option<&str>) -> anyhow::Result<Date> {
    match date {
        Some(d) => Date::parse(d).with_context(|| format!("--date {d}")),
        None => today_brussels(),
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}
