//! `kmo bench race`: several *processes* submit for one enterprise at the same moment, on one
//! database; together they must never exceed its ceiling (issue: the wallet, storage). The
//! parent prepares a fresh database, starts the workers (this binary again, with `--worker`),
//! releases them at once through a file barrier, and checks the outcome and the books.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use kmo_app::audit::verify;
use kmo_app::platform::{CommandError, CostRequest, Platform, ServiceRequest, Submission};
use kmo_app::store::{Store, StoreRead};
use kmo_domain::{Cents, Date};
use kmo_rules::{Reason, RuleBook};
use kmo_sim::scenario::{SCENARIO_PROVIDER, SCENARIO_PROVIDER_NUMBERS};
use kmo_store::Db;
use kmo_store::scratch::Scratch;
use serde_json::{Value, json};

use crate::json_at::at;
use crate::wallet::{block_on, ledger_report};

/// The day everything happens, and the fee of each submission: €10,000, so that the €7,500
/// ceiling of a small enterprise (30 %) takes 2½ of them.
const DAY: &str = "2024-05-02";
const FEE_CENTS: i64 = 1_000_000;
const CEILING_CENTS: i64 = 750_000;
/// How long the workers may take to connect before the race is called off.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

fn day() -> anyhow::Result<Date> {
    Ok(Date::parse(DAY)?)
}

fn submission(worker: u32, n: u32) -> anyhow::Result<Submission> {
    Ok(Submission {
        enterprise: "E1".into(),
        application: format!("W{worker}-{n}"),
        provider: SCENARIO_PROVIDER.into(),
        submitted_on: day()?,
        service: ServiceRequest::new("training", "digitalisation", None, day()?),
        costs: vec![CostRequest::new("fee", FEE_CENTS)],
        size_group: None,
        participants: Vec::new(),
    })
}

/// The parent: prepares, races, checks. Exit 0 only when the ceiling held to the cent and the
/// books are clean.
pub fn race(base: Option<&str>, processes: u32, submissions: u32) -> anyhow::Result<u8> {
    ensure!((2..=64).contains(&processes), "--processes must be 2–64");
    ensure!(
        (1..=1000).contains(&submissions),
        "--submissions must be 1–1000"
    );
    block_on(async {
        let scratch = Scratch::create(base, 2).await?;
        let outcome = run_race(&scratch, processes, submissions).await;
        scratch.drop_it().await;
        outcome
    })?
}

async fn run_race(scratch: &Scratch, processes: u32, submissions: u32) -> anyhow::Result<u8> {
    let platform = Platform::new(scratch.db.clone(), RuleBook::embedded()?);
    platform.advance_clock(day()?).await?;
    platform
        .register_provider(SCENARIO_PROVIDER, "Opleidingscentrum")
        .await?;
    platform
        .ensure_registered(SCENARIO_PROVIDER, SCENARIO_PROVIDER_NUMBERS, day()?)
        .await?;
    let profile = json!({"legal_form": "BV", "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": "small"});
    platform
        .register_enterprise("E1", "Bakkerij Peeters", &profile)
        .await?;

    let barrier = std::env::temp_dir().join(format!("kmo-race-{}", std::process::id()));
    std::fs::create_dir_all(&barrier)?;
    let exe = std::env::current_exe().context("finding the kmo binary")?;
    let mut children = Vec::new();
    for worker in 0..processes {
        let child = Command::new(&exe)
            .args(["bench", "race", "--worker"])
            .arg(worker.to_string())
            .arg("--submissions")
            .arg(submissions.to_string())
            .arg("--barrier")
            .arg(&barrier)
            .arg("--database-url")
            .arg(&scratch.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting a worker")?;
        children.push(child);
    }
    // Every worker has connected: release them together.
    let started = Instant::now();
    while (0..processes).any(|w| !barrier.join(format!("ready.{w}")).exists()) {
        if started.elapsed() > READY_TIMEOUT {
            for c in &mut children {
                let _ = c.kill();
            }
            bail!("the workers did not get ready within {READY_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    std::fs::write(barrier.join("go"), b"")?;
    let (mut accepted, mut rejected, mut subsidy) = (0i64, 0i64, 0i64);
    let mut failed = Vec::new();
    for (w, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output()?;
        let line: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if !out.status.success() || line.is_null() {
            failed.push(format!("worker {w} failed ({})", out.status));
            continue;
        }
        accepted += at(&line, "accepted").as_i64().unwrap_or(0);
        rejected += at(&line, "rejected_ceiling").as_i64().unwrap_or(0);
        subsidy += at(&line, "subsidy_cents").as_i64().unwrap_or(0);
    }
    let _ = std::fs::remove_dir_all(&barrier);

    let year = platform
        .enterprise_year(kmo_domain::EnterpriseId::new(1), 2024)
        .await?;
    let report = ledger_report(&scratch.db).await?;
    let mut tx = scratch.db.begin().await?;
    let audit = verify(&tx.all_audit_records().await?, &tx.all_transfers().await?);
    drop(tx);
    let ok = failed.is_empty()
        && subsidy == CEILING_CENTS
        && year.ceiling_reserved == Cents::new(CEILING_CENTS)
        && report.is_clean()
        && audit.problems.is_empty();
    let backend = match scratch.db {
        Db::Sqlite(_) => "sqlite",
        Db::Postgres(_) => "postgres",
    };
    println!(
        "{}",
        json!({
            "database": backend,
            "processes": processes,
            "submissions": i64::from(processes) * i64::from(submissions),
            "accepted": accepted,
            "rejected_ceiling_exhausted": rejected,
            "subsidy_cents": subsidy,
            "ceiling_cents": CEILING_CENTS,
            "ceiling_reserved_cents": year.ceiling_reserved.get(),
            "ledger_check": if report.is_clean() { "ok" } else { "failed" },
            "audit_verify": if audit.problems.is_empty() { "ok" } else { "failed" },
            "failures": failed,
            "result": if ok { "ok" } else { "failed" },
        })
    );
    for p in report.problems.iter().chain(&audit.problems) {
        eprintln!("PROBLEM: {p}");
    }
    Ok(if ok { 0 } else { 1 })
}

/// One worker: connects, says it is ready, waits for the start, submits, prints its tally.
pub fn worker(url: &str, worker: u32, submissions: u32, barrier: &Path) -> anyhow::Result<u8> {
    block_on(async {
        let db = Db::connect(url, kmo_store::ConnectOptions::default()).await?;
        let platform = Platform::new(db.clone(), RuleBook::embedded()?);
        std::fs::write(barrier.join(format!("ready.{worker}")), b"")?;
        let go: PathBuf = barrier.join("go");
        let started = Instant::now();
        while !go.exists() {
            ensure!(started.elapsed() < READY_TIMEOUT, "no start signal");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let (mut accepted, mut rejected, mut subsidy) = (0u32, 0u32, 0i64);
        for n in 0..submissions {
            match platform.submit(&submission(worker, n)?).await {
                Ok(s) => {
                    accepted += 1;
                    subsidy += s.application.subsidy.get();
                }
                Err(CommandError::SubmissionRejected { reasons })
                    if reasons == [Reason::AnnualCeilingExhausted] =>
                {
                    rejected += 1;
                }
                Err(e) => bail!("worker {worker}: submission {n}: {e} ({})", e.code()),
            }
        }
        db.close().await;
        println!(
            "{}",
            json!({"worker": worker, "accepted": accepted, "rejected_ceiling": rejected, "subsidy_cents": subsidy})
        );
        Ok(0)
    })?
}
