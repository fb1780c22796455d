//! `kmo rules eval | show | explain`: the rules engine.

use std::io::{self, BufRead, Read, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use kmo_domain::codes::Lang;
use kmo_rules::RuleBook;
use kmo_rules::explain::{describe_rule_set, explain};
use kmo_rules::input::parse_case;

use super::{cores, date_or_today};
use crate::eval_stream::{EvalOptions, eval_stream};

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

pub fn run(command: &RulesCommand) -> anyhow::Result<u8> {
    match command {
        RulesCommand::Eval(args) if args.check => check_vectors(),
        RulesCommand::Eval(args) => eval(args),
        RulesCommand::Show(args) => show(args),
        RulesCommand::Explain(args) => explain_case(args),
    }
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

/// `kmo rules eval`: cases on standard input, answers on standard output.
fn eval(args: &EvalArgs) -> anyhow::Result<u8> {
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

/// `kmo rules show`: a rule set's parameters, or every rule set.
fn show(args: &ShowArgs) -> anyhow::Result<u8> {
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
    let date = date_or_today(args.date.as_deref())?;
    match book.index_in_force(date) {
        Some(index) => write!(out, "{}", describe_rule_set(&book, index, lang))?,
        None => {
            let first = book
                .first_valid_from()
                .map(|d| d.to_string())
                .unwrap_or_default();
            anyhow::bail!("no rule set is in force on {date}; the first one starts on {first}");
        }
    }
    Ok(0)
}

/// `kmo rules explain`: one case explained in plain language.
fn explain_case(args: &ExplainArgs) -> anyhow::Result<u8> {
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
