//! `kmo bench rules`: decisions per second of the rules engine on generated cases.
//!
//! (a) in memory without trace and (b) with trace, each on one core, over pre-parsed cases;
//! (c) end to end through the `kmo rules eval` pipeline on a JSON Lines file (parse, evaluate,
//! write the answers with traces), with 1 thread and with every core. (c) runs first, so the
//! process's peak memory reported after it is the streaming pipeline's.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use kmo_domain::codes::Lang;
use kmo_rules::sample::SampleCases;
use kmo_rules::{Case, RuleBook, Trace, evaluate, evaluate_traced, parse_case};

use crate::eval_stream::{EvalOptions, eval_stream};

/// What to run.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    pub cases: usize,
    pub seed: u64,
    /// Where to write the generated JSON Lines (a temporary file when `None`).
    pub file: Option<PathBuf>,
    /// Threads for (c)'s parallel run.
    pub threads: usize,
}

fn rate(n: usize, seconds: f64) -> f64 {
    if seconds > 0.0 {
        f64::from(u32::try_from(n).unwrap_or(u32::MAX)) / seconds
    } else {
        0.0
    }
}

/// Peak resident memory of this process (VmHWM), in KiB, where /proc tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn write_cases(path: &Path, cases: usize, seed: u64) -> anyhow::Result<u64> {
    let mut out = BufWriter::with_capacity(
        1 << 20,
        File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    let mut samples = SampleCases::new(seed);
    let mut line = String::with_capacity(1024);
    let mut bytes = 0u64;
    for _ in 0..cases {
        line.clear();
        samples.write_next(&mut line);
        line.push('\n');
        bytes += u64::try_from(line.len())?;
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(bytes)
}

fn end_to_end(book: &RuleBook, path: &Path, threads: usize) -> anyhow::Result<f64> {
    let input = File::open(path)?;
    let start = Instant::now();
    let summary = eval_stream(
        book,
        input,
        std::io::sink(),
        EvalOptions {
            threads,
            lang: Lang::En,
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        summary.input_errors == 0 && summary.not_json == 0,
        "generated cases must all parse: {summary:?}"
    );
    Ok(seconds)
}

/// Runs the benchmark and prints a readable report and one JSON summary line.
pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    let book = RuleBook::embedded()?;
    let n = options.cases;
    let path = options.file.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kmo-bench-{}.jsonl", std::process::id()))
    });
    eprintln!(
        "generating {n} cases (seed {}) into {} …",
        options.seed,
        path.display()
    );
    let bytes = write_cases(&path, n, options.seed)?;

    eprintln!("(c) end to end through `kmo rules eval`, 1 thread …");
    let c1 = end_to_end(&book, &path, 1)?;
    eprintln!("(c) end to end, {} threads …", options.threads);
    let cn = end_to_end(&book, &path, options.threads)?;
    let peak_after_stream = peak_rss_kib();

    eprintln!("parsing the cases into memory for (a) and (b) …");
    let text = std::fs::read_to_string(&path)?;
    let cases: Vec<Case> = text
        .lines()
        .filter_map(|l| parse_case(&book, l).case.ok())
        .collect();
    drop(text);
    anyhow::ensure!(cases.len() == n, "parsed {} of {n} cases", cases.len());
    if options.file.is_none() {
        let _ = std::fs::remove_file(&path);
    }

    // Warm up, then (a) without trace.
    for case in cases.iter().take(10_000) {
        std::hint::black_box(evaluate(&book, case));
    }
    let mut eligible = 0usize;
    let start = Instant::now();
    let mut subsidy_total: i64 = 0;
    for case in &cases {
        let d = evaluate(&book, std::hint::black_box(case));
        eligible += usize::from(d.is_eligible());
        subsidy_total = subsidy_total.wrapping_add(d.subsidy.get());
    }
    let a = start.elapsed().as_secs_f64();

    // (b) with trace, one reused buffer.
    let mut trace = Trace::new();
    let mut steps = 0usize;
    let start = Instant::now();
    for case in &cases {
        trace.clear();
        let d = evaluate_traced(&book, std::hint::black_box(case), &mut trace);
        steps += trace.steps().len();
        std::hint::black_box(d);
    }
    let b = start.elapsed().as_secs_f64();

    let mib = f64::from(u32::try_from(bytes / 1024).unwrap_or(u32::MAX)) / 1024.0;
    println!(
        "kmo bench rules: {n} generated cases (seed {}), {mib:.1} MiB of JSON Lines, {eligible} eligible",
        options.seed
    );
    println!(
        "(a) in memory, no trace, 1 core:    {:>12.0} decisions/s  ({a:.3} s)",
        rate(n, a)
    );
    println!(
        "(b) in memory, with trace, 1 core:  {:>12.0} decisions/s  ({b:.3} s, {:.1} steps per case)",
        rate(n, b),
        rate(steps, f64::from(u32::try_from(n).unwrap_or(1)))
    );
    println!(
        "(c) end to end, 1 thread:           {:>12.0} decisions/s  ({c1:.3} s, {:.0} MiB/s in)",
        rate(n, c1),
        mib / c1
    );
    println!(
        "(c) end to end, {} threads:          {:>12.0} decisions/s  ({cn:.3} s, {:.0} MiB/s in)",
        options.threads,
        rate(n, cn),
        mib / cn
    );
    if let Some(kib) = peak_after_stream {
        println!("peak resident memory after (c):     {:>12} KiB", kib);
    }
    println!(
        "{{\"cases\":{n},\"seed\":{},\"eligible\":{eligible},\"subsidy_total_cents\":{subsidy_total},\"a_per_s\":{:.0},\"b_per_s\":{:.0},\"c1_per_s\":{:.0},\"cn_per_s\":{:.0},\"threads\":{},\"peak_rss_kib_after_c\":{}}}",
        options.seed,
        rate(n, a),
        rate(n, b),
        rate(n, c1),
        rate(n, cn),
        options.threads,
        peak_after_stream.map_or("null".to_owned(), |k| k.to_string())
    );
    Ok(())
}

/// Options of `kmo bench wallet`.
#[derive(Clone, Debug)]
pub struct WalletBenchOptions {
    /// PostgreSQL server URL to benchmark on (a fresh schema) and run pgbench against.
    pub postgres: Option<String>,
    /// Sequential submissions for the latency measure.
    pub latency_submissions: usize,
    /// Submissions per concurrency level.
    pub submissions: usize,
    /// Seconds pgbench runs.
    pub pgbench_seconds: u32,
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * f64::from(u32::try_from(sorted.len() - 1).unwrap_or(0))).round();
    // A rank is a whole number in 0..len (p is a fraction): the cast only drops ".0".
    #[allow(clippy::as_conversions, reason = "a non-negative whole f64 below len")]
    let rank = usize::try_from(rank as u64).unwrap_or(0);
    sorted.get(rank).copied().unwrap_or(0.0)
}

fn submission(i: usize, enterprise: usize) -> kmo_app::platform::Submission {
    use kmo_domain::Date;
    let on = Date::from_ymd(2025, 3, 3).unwrap_or(Date::EPOCH);
    kmo_app::platform::Submission {
        enterprise: format!("E{enterprise}"),
        application: format!("B{i}"),
        provider: "P1".into(),
        submitted_on: on,
        service: kmo_app::platform::ServiceRequest::new(
            "training",
            "digitalisation",
            None,
            Date::from_ymd(2025, 3, 1).unwrap_or(Date::EPOCH),
        ),
        costs: vec![kmo_app::platform::CostRequest::new("fee", 50_000)],
        size_group: None,
        participants: Vec::new(),
    }
}

/// The benchmark's provider, registered for both service kinds from 2025.
async fn setup_provider<S: kmo_app::store::Store>(
    platform: &kmo_app::platform::Platform<S>,
) -> Result<(), kmo_app::platform::CommandError> {
    platform
        .register_provider("P1", "Opleidingscentrum")
        .await?;
    let from = kmo_domain::Date::from_ymd(2025, 1, 1).unwrap_or(kmo_domain::Date::EPOCH);
    platform
        .ensure_registered("P1", ["DV.O000001", "DV.A000002"], from)
        .await
}

/// One database: latency, then throughput at 1, 8 and 32 writers. Returns JSON.
async fn wallet_bench_on(
    base: Option<&str>,
    o: &WalletBenchOptions,
) -> anyhow::Result<serde_json::Value> {
    use kmo_app::platform::{DepositTarget, Platform};
    use std::sync::Arc;
    let rules = RuleBook::embedded()?;
    let mut results = serde_json::Map::new();
    // Latency: sequential submissions, each its own transaction.
    let scratch = kmo_store::scratch::Scratch::create(base, 2).await?;
    let platform = Platform::new(scratch.db.clone(), rules.clone());
    setup_provider(&platform).await?;
    let profile = serde_json::json!({"legal_form": "BV", "flemish_establishment": true, "public_bodies_pct": 0, "size": "small"});
    let enterprises = o.latency_submissions.max(1);
    for e in 0..enterprises {
        platform
            .register_enterprise(&format!("E{e}"), "Onderneming", &profile)
            .await?;
    }
    let mut lat = Vec::with_capacity(o.latency_submissions);
    for i in 0..o.latency_submissions {
        let t = Instant::now();
        platform.submit(&submission(i, i)).await?;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    lat.sort_by(f64::total_cmp);
    results.insert("submit_latency_us".into(), serde_json::json!({"p50": percentile(&lat, 0.5).round(), "p99": percentile(&lat, 0.99).round()}));
    scratch.drop_it().await;
    // Throughput: submit + deposit per application, with N concurrent writers.
    for writers in [1usize, 8, 32] {
        let scratch =
            kmo_store::scratch::Scratch::create(base, u32::try_from(writers).unwrap_or(8)).await?;
        let platform = Arc::new(Platform::new(scratch.db.clone(), rules.clone()));
        setup_provider(&platform).await?;
        // At most 40 submissions of €500 per enterprise: the ceiling never refuses one.
        let per = o.submissions / writers;
        for e in 0..=(per * writers) / 40 {
            platform
                .register_enterprise(&format!("E{e}"), "Onderneming", &profile)
                .await?;
        }
        let started = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..writers {
            let p = Arc::clone(&platform);
            tasks.push(tokio::spawn(async move {
                for k in 0..per {
                    let i = w * per + k;
                    let s = p.submit(&submission(i, i / 40)).await?;
                    p.deposit(
                        &DepositTarget::Application(format!("B{i}")),
                        s.application.own_share,
                        s.application.submitted_on,
                        &format!("b{i}"),
                    )
                    .await?;
                }
                Ok::<(), kmo_app::platform::CommandError>(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        let seconds = started.elapsed().as_secs_f64();
        let n = per * writers;
        results.insert(
            format!("writers_{writers}"),
            serde_json::json!({"applications": n, "seconds": (seconds * 100.0).round() / 100.0, "submissions_per_s": (rate(n, seconds)).round(), "commands_per_s": rate(2 * n, seconds).round()}),
        );
        scratch.drop_it().await;
    }
    Ok(serde_json::Value::Object(results))
}

/// pgbench (TPC-B) TPS on a fresh database of the server, when pgbench is installed.
pub(crate) fn pgbench(url: &str, clients: u32, seconds: u32) -> anyhow::Result<Option<f64>> {
    use std::process::Command;
    if Command::new("pgbench").arg("--version").output().is_err() {
        return Ok(None);
    }
    let db = format!("kmo_pgbench_{}", std::process::id());
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    let admin = |sql: &str| Command::new("psql").arg(url).arg("-qc").arg(sql).output();
    admin(&format!("create database {db}"))?;
    let target = format!("{base}/{db}");
    let init = Command::new("pgbench")
        .args(["-i", "-q", "-s", "1"])
        .arg(&target)
        .output()?;
    anyhow::ensure!(
        init.status.success(),
        "pgbench -i: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let run = Command::new("pgbench")
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
        ])
        .arg(&target)
        .output()?;
    let _ = admin(&format!("drop database {db}"));
    let text = String::from_utf8_lossy(&run.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok());
    Ok(tps)
}

/// `kmo bench wallet`.
pub fn run_wallet(o: &WalletBenchOptions) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let sqlite = rt.block_on(wallet_bench_on(None, o))?;
    println!("sqlite: {sqlite}");
    if let Some(url) = &o.postgres {
        let pg = rt.block_on(wallet_bench_on(Some(url), o))?;
        println!("postgres: {pg}");
        for clients in [1u32, 8, 32] {
            match pgbench(url, clients, o.pgbench_seconds)? {
                Some(tps) => println!("pgbench (TPC-B, scale 1) {clients} clients: {tps:.0} tps"),
                None => println!("pgbench is not installed"),
            }
        }
    }
    Ok(())
}
