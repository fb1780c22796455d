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
