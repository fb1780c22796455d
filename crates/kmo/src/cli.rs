//! The command tree of `kmo` and what each command does.

use std::io::{self, BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use kmo_domain::Date;
use kmo_domain::codes::Lang;
use kmo_rules::RuleBook;
use kmo_rules::explain::{describe_rule_set, explain};
use kmo_rules::input::parse_case;

use crate::bench::{BenchOptions, run as run_bench};
use crate::clock::today_brussels;
use crate::eval_stream::{EvalOptions, eval_stream};
use crate::json_at::at;

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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default 127.0.0.1:8080); port 0 picks a free port and
    /// prints the address it bound.
    #[arg(long)]
    pub listen: Option<String>,
    /// Fill an empty database with the demo first (as `kmo demo`; nothing happens when the
    /// database is in use).
    #[arg(long)]
    pub demo: bool,
    /// A TOML settings file (see `kmo config print-default`).
    #[arg(long, env = "KMO_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from the first line of standard input (never from
    /// the command line, where other users of the machine could see it).
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// enterprise, provider, agency or quality_chamber.
    #[arg(long)]
    pub role: String,
    /// For a provider user: the provider's key.
    #[arg(long)]
    pub provider: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the default settings as TOML (every key can also be set as KMO_<SECTION>__<KEY>).
    PrintDefault,
}

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

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Run the scenarios on standard input, each from an empty platform on a fresh database
    /// (a temporary SQLite file, or a fresh schema of the PostgreSQL --database-url).
    Run(ScenarioArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    State,
    Final,
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// `state`: one line per command with the state; `final`: the state after each scenario.
    #[arg(long, value_enum, default_value = "state")]
    pub mode: ModeArg,
    /// Verify the `expect` lines and print `N/M scenarios pass`; exit 1 when any fails.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute every balance from the transfers and assert the invariants; exit 0 only when
    /// all hold.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chains of the audit log and that every transfer is in it.
    Verify,
}

#[derive(Debug, Args)]
pub struct PayoutArgs {
    /// The run's id (1–40 letters, digits, '-' or '_'), e.g. the date.
    #[arg(long)]
    pub run: String,
    /// The date (YYYY-MM-DD; default: today, Brussels time).
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct TickArgs {
    /// The date (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Evaluate cases (a JSON array or JSON Lines on standard input); one JSON answer per line
    /// out, in input order (rules-eval.md). Exit 0 when every case was answered, 2 when the input
    /// is not JSON at all or not UTF-8.
    Eval(EvalArgs),
    /// Show the parameters of the rule set in force on a date (default: today, Brussels time).
    Show(ShowArgs),
    /// Explain one case (a JSON object on standard input or in FILE) in plain language.
    Explain(ExplainArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Nl,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Nl => Lang::Nl,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Language of the trace details.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Read test vectors (`{"case": …, "expect": …}` per line) instead of cases, check every
    /// expectation, print the failures and `N/M vectors pass`; exit 1 when any fails.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The date (YYYY-MM-DD) whose rule set to show.
    #[arg(long)]
    pub date: Option<String>,
    /// List every rule set with its validity instead.
    #[arg(long, conflicts_with = "date")]
    pub all: bool,
    #[arg(long, value_enum, default_value = "nl")]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A file holding one case (standard input when absent). A test-vector line
    /// `{"case": …, "expect": …}` is accepted too.
    pub file: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "nl")]
    pub lang: LangArg,
}

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

/// `kmo rules eval --check`: test vectors on standard input.
fn check_vectors() -> anyhow::Result<u8> {
    let book = RuleBook::embedded()?;
    let mut trace = kmo_rules::Trace::new();
    let (mut total, mut passed) = (0usize, 0usize);
    let mut out = io::stdout().lock();
    for (n, line) in io::stdin().lock().lines().enumerate() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        let outcome = kmo_rules::vectors::check_vector(&book, &line, n + 1, &mut trace);
        if outcome.failures.is_empty() {
            passed += 1;
        } else {
            writeln!(
                out,
                "FAIL {}: {}",
                outcome.name,
                outcome.failures.join("; ")
            )?;
            writeln!(out, "     answer: {}", outcome.answer)?;
        }
    }
    writeln!(out, "{passed}/{total} vectors pass")?;
    writeln!(out, "vectors: {passed} passed, {} failed", total - passed)?;
    Ok(if passed == total { 0 } else { 1 })
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
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
    match cli.command {
        Command::Serve(args) => {
            crate::serve::serve(cli.database_url.as_deref(), cli.data_dir.as_deref(), &args)
        }
        Command::Demo => crate::wallet::demo(&location, today_brussels()?),
        Command::User(UserCommand::Add(args)) => {
            let mut password = String::new();
            io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            crate::wallet::user_add(
                &location,
                &args,
                password.trim_end_matches(['\r', '\n']),
                today_brussels()?,
            )
        }
        Command::Config(ConfigCommand::PrintDefault) => {
            print!("{}", kmo_http::settings::Settings::default_toml());
            Ok(0)
        }
        Command::Openapi => {
            println!("{}", kmo_http::openapi::document());
            Ok(0)
        }
        Command::Scenario(ScenarioCommand::Run(args)) => {
            let mut input = String::new();
            io::stdin()
                .lock()
                .read_to_string(&mut input)
                .context("reading the scenarios from standard input")?;
            let mode = match args.mode {
                ModeArg::State => kmo_sim::scenario::Mode::State,
                ModeArg::Final => kmo_sim::scenario::Mode::Final,
            };
            crate::wallet::scenario_run(&input, cli.database_url.as_deref(), mode, args.check)
        }
        Command::Ledger(LedgerCommand::Check) => crate::wallet::ledger_check(&location),
        Command::Audit(AuditCommand::Verify) => crate::wallet::audit_verify(&location),
        Command::Tick(args) => {
            let date = match &args.date {
                Some(d) => Date::parse(d).with_context(|| format!("--date {d}"))?,
                None => today_brussels()?,
            };
            crate::wallet::tick(&location, date)
        }
        Command::Payout(args) => {
            let date = match &args.date {
                Some(d) => Date::parse(d).with_context(|| format!("--date {d}"))?,
                None => today_brussels()?,
            };
            crate::wallet::payout(&location, &args.run, date)
        }
        Command::Migrate => crate::wallet::migrate_only(&location),
        Command::Replay(a) => crate::wallet::replay(
            &location,
            &kmo_sim::replay::ReplayOptions {
                applications: a.applications,
                enterprises: a.enterprises,
                providers: a.providers,
                seed: a.seed,
                year: a.year,
            },
        ),
        Command::Simulate(args) => crate::wallet::block_on(async {
            let scratch =
                kmo_store::scratch::Scratch::create(cli.database_url.as_deref(), 2).await?;
            let platform =
                kmo_app::platform::Platform::new(scratch.db.clone(), RuleBook::embedded()?);
            let result = kmo_sim::simulation::simulate(
                &platform,
                args.seed,
                args.steps,
                args.full_check_every,
            )
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
        })?,
        Command::Rules(RulesCommand::Eval(args)) if args.check => check_vectors(),
        Command::Rules(RulesCommand::Eval(args)) => {
            let book = RuleBook::embedded()?;
            let threads = args.threads.unwrap_or_else(cores).max(1);
            let stdout = io::stdout().lock();
            let summary = match eval_stream(
                &book,
                io::stdin(),
                stdout,
                EvalOptions {
                    threads,
                    lang: args.lang.into(),
                },
            ) {
                Ok(summary) => summary,
                // The reader of our output went away (`| head`): not an error of ours.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(0),
                Err(e) => {
                    return Err(anyhow::Error::new(e).context("reading cases or writing answers"));
                }
            };
            let code = summary.exit_code();
            if code != 0 {
                eprintln!(
                    "kmo rules eval: the input is not JSON or JSON Lines ({} not JSON, {} not UTF-8, of {} lines)",
                    summary.not_json, summary.not_utf8, summary.answered
                );
            }
            Ok(u8::try_from(code).unwrap_or(2))
        }
        Command::Rules(RulesCommand::Show(args)) => {
            let book = RuleBook::embedded()?;
            let lang: Lang = args.lang.into();
            let mut out = io::stdout().lock();
            if args.all {
                for (i, rs) in book.sets().iter().enumerate() {
                    let until = u8::try_from(i)
                        .ok()
                        .and_then(|i| book.valid_until_exclusive(i))
                        .and_then(|d| d.add_days(-1).ok());
                    let until = until.map_or_else(|| "…".to_owned(), |d| d.to_string());
                    writeln!(
                        out,
                        "{:<7} {} – {:<10}  {}",
                        rs.id,
                        rs.valid_from,
                        until,
                        if lang == Lang::Nl {
                            &rs.title_nl
                        } else {
                            &rs.title_en
                        }
                    )?;
                }
                return Ok(0);
            }
            let date = match &args.date {
                Some(d) => Date::parse(d).with_context(|| format!("--date {d}"))?,
                None => today_brussels()?,
            };
            match book.index_in_force(date) {
                Some(index) => write!(out, "{}", describe_rule_set(&book, index, lang))?,
                None => {
                    let first = book
                        .first_valid_from()
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                    anyhow::bail!(
                        "no rule set is in force on {date}; the first one starts on {first}"
                    );
                }
            }
            Ok(0)
        }
        Command::Rules(RulesCommand::Explain(args)) => {
            let mut text = String::new();
            match &args.file {
                Some(path) => {
                    text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?
                }
                None => {
                    io::stdin()
                        .lock()
                        .take(16 * 1024 * 1024)
                        .read_to_string(&mut text)
                        .context("reading standard input")?;
                }
            }
            let book = RuleBook::embedded()?;
            let lang: Lang = args.lang.into();
            // Accept a test-vector line `{"case": {...}, "expect": {...}}` as well.
            let value: Option<serde_json::Value> = serde_json::from_str(text.trim()).ok();
            let case_text = match value.as_ref().and_then(|v| v.get("case")) {
                Some(case) if case.is_object() => case.to_string(),
                _ => text.trim().to_owned(),
            };
            let parsed = parse_case(&book, &case_text);
            match parsed.case {
                Ok(case) => {
                    let (_, explanation) = explain(&book, &case, lang);
                    print!("{explanation}");
                    Ok(0)
                }
                Err(e) => {
                    let (label, field) = if lang == Lang::Nl {
                        ("Fout in de invoer", "veld")
                    } else {
                        ("Input error", "field")
                    };
                    if e.field.is_empty() {
                        eprintln!("{label}: {}", e.message);
                    } else {
                        eprintln!("{label} ({field} {}): {}", e.field, e.message);
                    }
                    Ok(2)
                }
            }
        }
        Command::Bench(BenchCommand::Wallet(a)) => {
            crate::bench::run_wallet(&crate::bench::WalletBenchOptions {
                postgres: a.postgres,
                latency_submissions: a.latency_submissions,
                submissions: a.submissions,
                pgbench_seconds: a.pgbench_seconds,
            })?;
            Ok(0)
        }
        Command::Bench(BenchCommand::Race(a)) => match (a.worker, &a.barrier, &cli.database_url) {
            (Some(worker), Some(barrier), Some(url)) => {
                crate::race::worker(url, worker, a.submissions, barrier)
            }
            (Some(_), _, _) => anyhow::bail!("a race worker needs --barrier and --database-url"),
            (None, _, url) => crate::race::race(url.as_deref(), a.processes, a.submissions),
        },
        Command::Bench(BenchCommand::Http(a)) => {
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
        Command::Bench(BenchCommand::Rules(args)) => {
            run_bench(&BenchOptions {
                cases: args.cases,
                seed: args.seed,
                file: args.file,
                threads: args.threads.unwrap_or_else(cores).max(1),
            })?;
            Ok(0)
        }
    }
}
