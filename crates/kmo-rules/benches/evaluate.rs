//! `cargo bench -p kmo-rules`: the rules engine on seeded sample cases (see BENCHMARKS.md).
//!
//! - `evaluate_no_trace` and `evaluate_with_trace`: pre-parsed cases, in memory, one core;
//! - `parse_evaluate_write`: one JSON line in, one JSON answer with trace out — the per-case
//!   work of `kmo rules eval` without its I/O.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should stop the test"
)]

use divan::{Bencher, black_box};
use kmo_domain::codes::Lang;
use kmo_rules::output::eval_json_case;
use kmo_rules::sample::SampleCases;
use kmo_rules::{Case, RuleBook, Trace, evaluate, evaluate_traced, parse_case};

const CASES: usize = 100_000;

fn main() {
    divan::main();
}

fn lines() -> Vec<String> {
    let mut samples = SampleCases::new(20_261_124);
    (0..CASES)
        .map(|_| {
            let mut s = String::new();
            samples.write_next(&mut s);
            s
        })
        .collect()
}

fn cases(book: &RuleBook) -> Vec<Case> {
    lines()
        .iter()
        .map(|l| parse_case(book, l).case.unwrap())
        .collect()
}

#[divan::bench(sample_count = 20)]
fn evaluate_no_trace(bencher: Bencher) {
    let book = RuleBook::embedded().unwrap();
    let cases = cases(&book);
    bencher
        .counter(divan::counter::ItemsCount::new(CASES))
        .bench_local(|| {
            let mut eligible = 0usize;
            for case in &cases {
                eligible += usize::from(evaluate(&book, black_box(case)).is_eligible());
            }
            eligible
        });
}

#[divan::bench(sample_count = 20)]
fn evaluate_with_trace(bencher: Bencher) {
    let book = RuleBook::embedded().unwrap();
    let cases = cases(&book);
    let mut trace = Trace::new();
    bencher
        .counter(divan::counter::ItemsCount::new(CASES))
        .bench_local(|| {
            let mut steps = 0usize;
            for case in &cases {
                trace.clear();
                black_box(evaluate_traced(&book, black_box(case), &mut trace));
                steps += trace.steps().len();
            }
            steps
        });
}

#[divan::bench(sample_count = 10)]
fn parse_evaluate_write(bencher: Bencher) {
    let book = RuleBook::embedded().unwrap();
    let lines = lines();
    let mut trace = Trace::new();
    let mut out = Vec::with_capacity(4096);
    bencher
        .counter(divan::counter::ItemsCount::new(CASES))
        .bench_local(|| {
            let mut bytes = 0usize;
            for line in &lines {
                out.clear();
                eval_json_case(&book, black_box(line), &mut trace, Lang::En, &mut out);
                bytes += out.len();
            }
            bytes
        });
}
