//! The commands that touch storage: `scenario run`, `ledger check`, `audit verify`, `tick`,
//! `migrate`. Each opens the database named by `--database-url` / `KMO_DATABASE__URL`, or the
//! default `sqlite://<data dir>/kmo.sqlite3` (`--data-dir` / `KMO_DATA_DIR`, default
//! `./kmo-data`), and migrates it first.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use kmo_app::audit::verify;
use kmo_app::check::LedgerReport;
use kmo_app::platform::Platform;
use kmo_app::store::{Store, StoreRead};
use kmo_domain::Date;
use kmo_rules::RuleBook;
use kmo_sim::scenario::{Mode, Scenario, parse_file, run};
use kmo_store::scratch::Scratch;
use kmo_store::{ConnectOptions, Db, migrate};

/// Where the database is.
#[derive(Clone, Debug)]
pub struct DbLocation {
    /// The URL given, if any.
    pub url: Option<String>,
    pub data_dir: PathBuf,
    /// Connections to PostgreSQL.
    pub max_connections: u32,
    /// SQLite reader connections (0: reads on the writer).
    pub sqlite_readers: u32,
}

impl DbLocation {
    /// The URL to use, and whether it is the default (whose folder may be created).
    #[must_use]
    pub fn resolve(&self) -> (String, bool) {
        match &self.url {
            Some(url) => (url.clone(), false),
            None => (Db::sqlite_url(&self.data_dir.join("kmo.sqlite3")), true),
        }
    }

    /// Connects (creating the default data directory when it is used). A missing SQLite file is
    /// created, in the default directory or where a `sqlite://` URL says (whose folder must
    /// exist), unless that URL ends in `?mode=rw`.
    pub async fn connect(&self) -> anyhow::Result<Db> {
        let (url, default) = self.resolve();
        if default {
            std::fs::create_dir_all(&self.data_dir).with_context(|| {
                format!("creating the data directory {}", self.data_dir.display())
            })?;
        }
        Ok(Db::connect(
            &url,
            ConnectOptions {
                max_connections: self.max_connections,
                sqlite_readers: self.sqlite_readers,
            },
        )
        .await?)
    }

    /// Connects and migrates.
    pub async fn open(&self) -> anyhow::Result<Db> {
        let db = self.connect().await?;
        migrate(&db).await?;
        Ok(db)
    }
}

/// A single-threaded runtime for one command.
pub fn block_on<F: std::future::Future>(f: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(rt.block_on(f))
}

/// Loads everything and checks the books.
pub async fn ledger_report(db: &Db) -> anyhow::Result<LedgerReport> {
    let mut tx = db.begin().await?;
    Ok(kmo_app::check::ledger_report(&mut tx).await?)
}

/// `kmo ledger check`: prints what it checked; exit 0 only when every invariant holds.
pub fn ledger_check(location: &DbLocation) -> anyhow::Result<u8> {
    block_on(async {
        let db = location.open().await?;
        let report = ledger_report(&db).await?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "ledger check: replayed {} transfers over {} accounts in order (floors, ids, reservations resolved once)",
            report.transfers, report.accounts
        )?;
        writeln!(
            out,
            "  every ledger balances (debits = credits); the bank holds what is owed"
        )?;
        writeln!(
            out,
            "  {} applications: wallets = deposits + subsidy − payments − refunds; invariants of lifecycle.md §9",
            report.applications
        )?;
        writeln!(
            out,
            "  {} enterprise years: ceilings never exceeded, reserved = Σ its applications",
            report.enterprise_years
        )?;
        writeln!(
            out,
            "  de-minimis accounts = aid of applications + declarations; suspense empty"
        )?;
        writeln!(out, "  open reservations: {}", report.open_reservations)?;
        writeln!(
            out,
            "  money: bank {}, in wallets {}, refunds payable {}, provider payables {}",
            kmo_domain::Cents::new(report.bank_cents),
            kmo_domain::Cents::new(report.wallets_cents),
            kmo_domain::Cents::new(report.refunds_payable_cents),
            kmo_domain::Cents::new(report.provider_payable_cents)
        )?;
        for p in &report.problems {
            writeln!(out, "PROBLEM: {p}")?;
        }
        writeln!(
            out,
            "{}",
            if report.is_clean() {
                "ledger check: OK"
            } else {
                "ledger check: FAILED"
            }
        )?;
        db.close().await;
        Ok(if report.is_clean() { 0 } else { 1 })
    })?
}

/// `kmo audit verify`.
pub fn audit_verify(location: &DbLocation) -> anyhow::Result<u8> {
    block_on(async {
        let db = location.open().await?;
        let mut tx = db.begin().await?;
        let records = tx.all_audit_records().await?;
        let transfers = tx.all_transfers().await?;
        drop(tx);
        db.close().await;
        let report = verify(&records, &transfers);
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "audit verify: {} records in {} hash chains; {} transfers each named by one record",
            report.records, report.streams, report.transfers
        )?;
        for p in &report.problems {
            writeln!(out, "PROBLEM: {p}")?;
        }
        let ok = report.problems.is_empty();
        writeln!(
            out,
            "{}",
            if ok {
                "audit verify: OK"
            } else {
                "audit verify: FAILED"
            }
        )?;
        Ok(if ok { 0 } else { 1 })
    })?
}

/// `kmo tick`: moves the platform clock to `date` and applies the deadlines due.
pub fn tick(location: &DbLocation, date: Date) -> anyhow::Result<u8> {
    block_on(async {
        let db = location.open().await?;
        let platform = Platform::new(db.clone(), RuleBook::embedded()?);
        let applied = platform.advance_clock(date).await?;
        println!("clock at {date}; {applied} deadline event(s) applied");
        db.close().await;
        Ok(0)
    })?
}

/// `kmo payout`.
pub fn payout(location: &DbLocation, run: &str, date: Date) -> anyhow::Result<u8> {
    block_on(async {
        let db = location.open().await?;
        let platform = Platform::new(db.clone(), RuleBook::embedded()?);
        let result = platform.payout_run(run, date).await;
        db.close().await;
        match result {
            Ok(run) => {
                println!("{}", run.to_json());
                Ok(0)
            }
            Err(e) => {
                eprintln!("kmo payout: {} ({})", e, e.code());
                Ok(1)
            }
        }
    })?
}

/// `kmo migrate`.
pub fn migrate_only(location: &DbLocation) -> anyhow::Result<u8> {
    block_on(async {
        let db = location.connect().await?;
        let ran = migrate(&db).await?;
        println!("{ran} migration(s) applied");
        db.close().await;
        Ok(0)
    })?
}

/// What `scenario run` produced.
#[derive(Debug, Default)]
pub struct ScenarioSummary {
    pub scenarios: usize,
    pub passed: usize,
    pub failures: Vec<String>,
}

/// Runs every scenario, each on a fresh database, writing output lines to `out`.
pub async fn run_scenarios(
    scenarios: &[Scenario],
    base_url: Option<&str>,
    mode: Mode,
    check: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ScenarioSummary> {
    let rules = RuleBook::embedded()?;
    let mut summary = ScenarioSummary {
        scenarios: scenarios.len(),
        ..ScenarioSummary::default()
    };
    for (n, scenario) in scenarios.iter().enumerate() {
        let _ = n;
        let scratch = Scratch::create(base_url, 2).await?;
        let platform = Platform::new(scratch.db.clone(), rules.clone());
        let result = run(&platform, scenario, mode, !check).await;
        scratch.drop_it().await;
        let result = result.with_context(|| format!("scenario {}", scenario.name))?;
        for line in &result.output {
            writeln!(out, "{line}")?;
        }
        if result.failures.is_empty() {
            summary.passed += 1;
        }
        summary.failures.extend(result.failures);
    }
    Ok(summary)
}

/// `kmo scenario run`.
pub fn scenario_run(
    input: &str,
    base_url: Option<&str>,
    mode: Mode,
    check: bool,
) -> anyhow::Result<u8> {
    let scenarios = parse_file(input).context("reading the scenario file")?;
    block_on(async {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let summary = run_scenarios(&scenarios, base_url, mode, check, &mut out).await?;
        if check {
            for f in &summary.failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "{}/{} scenarios pass",
                summary.passed, summary.scenarios
            )?;
            return Ok(if summary.passed == summary.scenarios {
                0
            } else {
                1
            });
        }
        Ok(0)
    })?
}

/// `kmo replay`: a synthetic year on a fresh database, then the ledger check and audit verify.
pub fn replay(
    location: &DbLocation,
    options: &kmo_sim::replay::ReplayOptions,
) -> anyhow::Result<u8> {
    use std::time::Instant;
    block_on(async {
        // Without --database-url: a fresh file in the data directory (never the platform's own
        // database). With one: it must be empty.
        let db = match &location.url {
            None => {
                std::fs::create_dir_all(&location.data_dir)?;
                let path = location.data_dir.join("replay.sqlite3");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                let db = Db::connect(
                    &Db::sqlite_url(&path),
                    ConnectOptions {
                        max_connections: 2,
                        ..ConnectOptions::default()
                    },
                )
                .await?;
                migrate(&db).await?;
                eprintln!("replaying into {}", path.display());
                db
            }
            Some(_) => {
                let db = location.open().await?;
                let mut tx = db.begin().await?;
                let empty = tx.all_enterprises().await?.is_empty();
                drop(tx);
                anyhow::ensure!(
                    empty,
                    "kmo replay needs an empty database; this one has enterprises already"
                );
                db
            }
        };
        let platform = Platform::new(db.clone(), RuleBook::embedded()?);
        let started = Instant::now();
        // A bar redrawn in place on a terminal; a plain line every 10 % in logs.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mut last_pct = u64::MAX;
        let mut progress = |done: u64, total: u64| {
            let pct = done * 100 / total.max(1);
            let step = if terminal { 1 } else { 10 };
            if pct != last_pct && pct.is_multiple_of(step) {
                last_pct = pct;
                let bar = usize::try_from(pct / 2).unwrap_or(0);
                let line = format!(
                    "[{:<50}] {pct:>3}% {done}/{total} applications submitted, {:.1} s",
                    "=".repeat(bar),
                    started.elapsed().as_secs_f64()
                );
                if terminal {
                    eprint!("\r{line}");
                } else {
                    eprintln!("{line}");
                }
            }
        };
        let summary = kmo_sim::replay::replay(&platform, options, &mut progress).await?;
        let seconds = started.elapsed().as_secs_f64();
        eprintln!();
        let report = ledger_report(&db).await?;
        let mut tx = db.begin().await?;
        let audit = verify(&tx.all_audit_records().await?, &tx.all_transfers().await?);
        drop(tx);
        db.close().await;
        for p in report.problems.iter().chain(&audit.problems) {
            eprintln!("PROBLEM: {p}");
        }
        let ok = report.is_clean() && audit.problems.is_empty();
        let line = serde_json::json!({
            "applications_submitted": summary.submitted,
            "accepted": summary.accepted,
            "rejected_by_rules": summary.rejected_by_rules,
            "commands": summary.commands,
            "commands_refused": summary.commands_refused,
            "final_states": summary.final_states,
            "money_cents": {
                "subsidy": summary.subsidy_cents,
                "paid_to_providers": summary.paid_to_providers_cents,
                "refunded_to_enterprises": summary.refunded_cents,
                "deposits_returned": summary.returned_deposits_cents,
                "subsidy_returned_to_ceiling": summary.subsidy_returned_to_ceiling_cents,
                "subsidy_returned_to_budget": summary.subsidy_returned_to_budget_cents,
            },
            "payout_runs": summary.payout_runs,
            "paid_out_cents": summary.paid_out_cents,
            "transfers": report.transfers,
            "audit_records": audit.records,
            "seconds": (seconds * 10.0).round() / 10.0,
            "applications_per_second": (f64::from(u32::try_from(summary.submitted).unwrap_or(u32::MAX)) / seconds).round(),
            "ledger_check": if report.is_clean() { "ok" } else { "failed" },
            "audit_verify": if audit.problems.is_empty() { "ok" } else { "failed" },
        });
        println!("{line}");
        Ok(if ok { 0 } else { 1 })
    })?
}

/// `kmo demo`: fills the database with the demo and prints what it made as JSON.
pub fn demo(location: &DbLocation, today: Date) -> anyhow::Result<u8> {
    block_on(async {
        let db = location.open().await?;
        let platform = Platform::new(db, RuleBook::embedded()?);
        let summary = kmo_sim::demo::fill(&platform, today)
            .await
            .context("filling the demo")?;
        println!("{}", kmo_sim::demo::summary_json(&summary));
        Ok(0)
    })?
}

/// `kmo user add`: creates a user; prints its id, e-mail and role as JSON.
pub fn user_add(
    location: &DbLocation,
    args: &crate::cli::UserAddArgs,
    password: &str,
    today: Date,
) -> anyhow::Result<u8> {
    let role = kmo_app::accounts::Role::parse(&args.role).with_context(|| {
        format!(
            "--role {}: use enterprise, provider, agency or quality_chamber",
            args.role
        )
    })?;
    block_on(async {
        let db = location.open().await?;
        let platform = Platform::new(db, RuleBook::embedded()?);
        let user = platform
            .create_user(
                &kmo_app::accounts::NewUser {
                    email: &args.email,
                    name: &args.name,
                    password,
                    role,
                    provider: args.provider.as_deref(),
                },
                today,
            )
            .await?;
        println!(
            "{}",
            serde_json::json!({"id": user.id, "email": user.email, "role": user.role})
        );
        Ok(0)
    })?
}
