//! `kmo rules eval`: cases in (a JSON array, or JSON Lines), one answer per case out, in order.
//!
//! JSON Lines are streamed: a reader cuts standard input into chunks of whole lines, worker
//! threads parse, evaluate and write each chunk's answers, and the writer puts the chunks back in
//! order. Every queue is bounded, so memory stays flat whatever the input size. A JSON array is
//! read whole (its size is bounded by [`ARRAY_BYTES_MAX`]).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use kmo_domain::codes::Lang;
use kmo_rules::input::InputError;
use kmo_rules::output::{LineKind, eval_json_case, write_error};
use kmo_rules::{RuleBook, Trace};

/// Target size of one chunk of input lines handed to a worker.
pub const CHUNK_BYTES: usize = 256 * 1024;
/// Longest single line (one case) accepted; a longer one gets an error answer and is skipped.
pub const LINE_BYTES_MAX: usize = 1024 * 1024;
/// Initial capacity of a chunk's answers: with traces, answers are about three times the input.
const ANSWER_BYTES: usize = CHUNK_BYTES * 4;
/// Largest JSON array input (read whole).
pub const ARRAY_BYTES_MAX: usize = 512 * 1024 * 1024;

/// Options of one run.
#[derive(Clone, Copy, Debug)]
pub struct EvalOptions {
    /// Worker threads (at least 1; 1 runs everything on the calling thread).
    pub threads: usize,
    /// Language of the trace details.
    pub lang: Lang,
}

/// What a run saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvalSummary {
    /// Non-blank lines or array elements answered.
    pub answered: u64,
    pub decisions: u64,
    pub input_errors: u64,
    /// Lines that were not JSON at all.
    pub not_json: u64,
    /// Lines that were not UTF-8.
    pub not_utf8: u64,
    /// Lines longer than [`LINE_BYTES_MAX`].
    pub oversized: u64,
}

impl EvalSummary {
    fn add(&mut self, other: &EvalSummary) {
        self.answered += other.answered;
        self.decisions += other.decisions;
        self.input_errors += other.input_errors;
        self.not_json += other.not_json;
        self.not_utf8 += other.not_utf8;
        self.oversized += other.oversized;
    }

    /// Exit status per rules-eval.md: 2 when the input is not UTF-8, or when no line parsed as
    /// JSON at all; 0 otherwise (also when some answers are errors or rejections).
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        let json_lines = self.answered - self.not_json - self.not_utf8 - self.oversized;
        if self.not_utf8 > 0 || (self.answered > 0 && json_lines == 0) {
            2
        } else {
            0
        }
    }
}

/// A piece of input for a worker.
enum Job {
    Lines { seq: u64, data: Vec<u8> },
    Oversized { seq: u64 },
}

/// Answers every case of `input` on `output`.
pub fn eval_stream<R: Read + Send, W: Write>(
    book: &RuleBook,
    mut input: R,
    output: W,
    options: EvalOptions,
) -> io::Result<EvalSummary> {
    let mut head = Vec::with_capacity(CHUNK_BYTES);
    (&mut input)
        .take(u64::try_from(CHUNK_BYTES).unwrap_or(u64::MAX))
        .read_to_end(&mut head)?;
    let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'[') {
        let limit = u64::try_from(ARRAY_BYTES_MAX).unwrap_or(u64::MAX);
        (&mut input).take(limit).read_to_end(&mut head)?;
        if head.len() >= ARRAY_BYTES_MAX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a JSON array input is limited to {ARRAY_BYTES_MAX} bytes; use JSON Lines"),
            ));
        }
        if let Ok(text) = std::str::from_utf8(&head)
            && let Ok(elements) = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(text)
        {
            return eval_array(book, &elements, output, options.lang);
        }
        // Not one array after all (JSON Lines whose first line is an array): answer line by line.
    }
    eval_lines(book, head, input, output, options)
}

fn eval_array<W: Write>(
    book: &RuleBook,
    elements: &[&serde_json::value::RawValue],
    mut output: W,
    lang: Lang,
) -> io::Result<EvalSummary> {
    let mut summary = EvalSummary::default();
    let mut trace = Trace::new();
    let mut out = Vec::with_capacity(CHUNK_BYTES);
    for element in elements {
        let kind = eval_json_case(book, element.get(), &mut trace, lang, &mut out);
        count(&mut summary, kind);
        if out.len() >= CHUNK_BYTES {
            output.write_all(&out)?;
            out.clear();
        }
    }
    output.write_all(&out)?;
    output.flush()?;
    Ok(summary)
}

fn count(summary: &mut EvalSummary, kind: LineKind) {
    summary.answered += 1;
    match kind {
        LineKind::Decision => summary.decisions += 1,
        LineKind::InputError => summary.input_errors += 1,
        LineKind::NotJson => summary.not_json += 1,
    }
}

/// Answers every line of one chunk.
fn eval_chunk(
    book: &RuleBook,
    data: &[u8],
    trace: &mut Trace,
    lang: Lang,
    out: &mut Vec<u8>,
) -> EvalSummary {
    let mut summary = EvalSummary::default();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len())) {
        let line = data.get(start..end).unwrap_or_default().trim_ascii();
        start = end + 1;
        if line.is_empty() {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(text) => count(&mut summary, eval_json_case(book, text, trace, lang, out)),
            Err(e) => {
                summary.answered += 1;
                summary.not_utf8 += 1;
                write_error(
                    out,
                    None,
                    &InputError {
                        field: String::new(),
                        message: format!("the line is not valid UTF-8 ({e})"),
                    },
                );
                out.push(b'\n');
            }
        }
    }
    summary
}

fn oversized_answer(out: &mut Vec<u8>) -> EvalSummary {
    write_error(
        out,
        None,
        &InputError {
            field: String::new(),
            message: format!("the line is longer than {LINE_BYTES_MAX} bytes"),
        },
    );
    out.push(b'\n');
    EvalSummary {
        answered: 1,
        oversized: 1,
        ..EvalSummary::default()
    }
}

/// Cuts input into chunks of whole lines and hands them to `send`, in order.
fn read_chunks<R: Read>(
    head: Vec<u8>,
    mut input: R,
    mut send: impl FnMut(Job) -> bool,
) -> io::Result<()> {
    let mut pending = head;
    let mut seq = 0u64;
    let mut skipping = false;
    let mut eof = false;
    loop {
        if skipping {
            // Drop the rest of an oversized line, up to its newline.
            match memchr::memchr(b'\n', &pending) {
                Some(pos) => {
                    pending.drain(..=pos);
                    skipping = false;
                }
                None => pending.clear(),
            }
        }
        if !skipping {
            if let Some(last_newline) = memchr::memrchr(b'\n', &pending) {
                if pending.len() >= CHUNK_BYTES || eof {
                    // The next buffer starts with the partial line, at full size (no regrowth).
                    let mut next = Vec::with_capacity(CHUNK_BYTES * 2);
                    next.extend_from_slice(pending.get(last_newline + 1..).unwrap_or_default());
                    pending.truncate(last_newline + 1);
                    let data = std::mem::replace(&mut pending, next);
                    if !send(Job::Lines { seq, data }) {
                        return Ok(());
                    }
                    seq += 1;
                    continue;
                }
            } else if pending.len() > LINE_BYTES_MAX {
                if !send(Job::Oversized { seq }) {
                    return Ok(());
                }
                seq += 1;
                skipping = true;
                continue;
            }
        }
        if eof {
            if !pending.is_empty() && !skipping {
                // The last line without a newline.
                let data = std::mem::take(&mut pending);
                if data.len() > LINE_BYTES_MAX {
                    send(Job::Oversized { seq });
                } else {
                    send(Job::Lines { seq, data });
                }
            }
            return Ok(());
        }
        // Read straight into the pending buffer's spare capacity.
        let n = (&mut input)
            .take(u64::try_from(CHUNK_BYTES).unwrap_or(u64::MAX))
            .read_to_end(&mut pending)?;
        if n == 0 {
            eof = true;
        }
    }
}

fn eval_lines<R: Read + Send, W: Write>(
    book: &RuleBook,
    head: Vec<u8>,
    input: R,
    mut output: W,
    options: EvalOptions,
) -> io::Result<EvalSummary> {
    let mut summary = EvalSummary::default();
    if options.threads <= 1 {
        let mut trace = Trace::new();
        let mut out = Vec::with_capacity(ANSWER_BYTES);
        let mut write_result = Ok(());
        read_chunks(head, input, |job| {
            out.clear();
            let s = match job {
                Job::Lines { data, .. } => {
                    eval_chunk(book, &data, &mut trace, options.lang, &mut out)
                }
                Job::Oversized { .. } => oversized_answer(&mut out),
            };
            summary.add(&s);
            write_result = output.write_all(&out);
            write_result.is_ok()
        })?;
        write_result?;
        output.flush()?;
        return Ok(summary);
    }

    let threads = options.threads;
    let (job_tx, job_rx): (SyncSender<Job>, Receiver<Job>) = sync_channel(threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<u8>, EvalSummary)>(threads * 2);
    // Written answer buffers go back to the workers, so no chunk pays for fresh pages.
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(threads * 4);
    let free_rx = Arc::new(Mutex::new(free_rx));
    std::thread::scope(|scope| -> io::Result<()> {
        let reader = scope.spawn(move || read_chunks(head, input, |job| job_tx.send(job).is_ok()));
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let free_rx = Arc::clone(&free_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut trace = Trace::new();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let mut out = free_rx
                        .lock()
                        .ok()
                        .and_then(|rx| rx.try_recv().ok())
                        .unwrap_or_else(|| Vec::with_capacity(ANSWER_BYTES));
                    out.clear();
                    let (seq, s) = match job {
                        Job::Lines { seq, data } => (
                            seq,
                            eval_chunk(book, &data, &mut trace, options.lang, &mut out),
                        ),
                        Job::Oversized { seq } => (seq, oversized_answer(&mut out)),
                    };
                    if done_tx.send((seq, out, s)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        // Write in input order; at most a few chunks wait here, since the queues are bounded.
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, (Vec<u8>, EvalSummary)> = BTreeMap::new();
        let mut write_error: Option<io::Error> = None;
        for (seq, out, s) in done_rx {
            waiting.insert(seq, (out, s));
            while let Some((out, s)) = waiting.remove(&next) {
                if write_error.is_none()
                    && let Err(e) = output.write_all(&out)
                {
                    write_error = Some(e);
                }
                summary.add(&s);
                next += 1;
                let _ = free_tx.try_send(out);
            }
            if write_error.is_some() {
                break; // dropping the receiver stops the workers, and then the reader
            }
        }
        let read_result = reader
            .join()
            .map_err(|_| io::Error::other("the input reader thread panicked"))?;
        if let Some(e) = write_error {
            return Err(e);
        }
        read_result
    })?;
    output.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmo_rules::sample::SampleCases;

    fn run(input: &[u8], threads: usize) -> (String, EvalSummary) {
        let book = RuleBook::embedded().unwrap();
        let mut out = Vec::new();
        let summary = eval_stream(
            &book,
            input,
            &mut out,
            EvalOptions {
                threads,
                lang: Lang::En,
            },
        )
        .unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    fn sample_lines(n: usize) -> String {
        let mut cases = SampleCases::new(42);
        let mut s = String::new();
        for _ in 0..n {
            cases.write_next(&mut s);
            s.push('\n');
        }
        s
    }

    #[test]
    fn parallel_answers_come_out_in_input_order_and_equal_the_sequential_ones() {
        let input = sample_lines(3_000);
        let (one, s1) = run(input.as_bytes(), 1);
        let (three, s3) = run(input.as_bytes(), 3);
        assert_eq!(one, three);
        assert_eq!(s1, s3);
        assert_eq!(s1.answered, 3_000);
        for (i, line) in one.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["id"], format!("S-{}", i + 1));
        }
    }

    #[test]
    fn a_json_array_gives_the_same_answers_as_json_lines() {
        let lines = sample_lines(50);
        let array = format!("[{}]", lines.trim_end().replace('\n', ",\n"));
        assert_eq!(run(array.as_bytes(), 2).0, run(lines.as_bytes(), 2).0);
    }

    #[test]
    fn a_broken_line_gets_an_error_answer_and_the_run_goes_on() {
        let lines = sample_lines(2);
        let input = format!(
            "{}\n{{not json\n\n42\n{}",
            lines.lines().next().unwrap(),
            lines.lines().nth(1).unwrap()
        );
        let (out, summary) = run(input.as_bytes(), 1);
        let answers: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(answers.len(), 4);
        assert_eq!(answers[1]["decision"], "error");
        assert!(
            answers[1]["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("not valid JSON")
        );
        assert_eq!(
            answers[2]["error"]["message"],
            "a case must be a JSON object"
        );
        assert_eq!(answers[3]["id"], "S-2");
        assert_eq!(summary.exit_code(), 0);
    }

    #[test]
    fn input_that_is_not_json_at_all_exits_with_2() {
        let (_, summary) = run(b"hello\nworld\n", 1);
        assert_eq!(summary.exit_code(), 2);
        let (_, summary) = run(b"{\"id\":\"x\"}\n\xff\xfe\n", 2);
        assert_eq!(summary.not_utf8, 1);
        assert_eq!(summary.exit_code(), 2);
        let (out, summary) = run(b"", 2);
        assert_eq!((out.as_str(), summary.exit_code()), ("", 0));
    }

    #[test]
    fn an_oversized_line_is_answered_and_skipped() {
        let mut input = sample_lines(1);
        input.push_str(&"x".repeat(LINE_BYTES_MAX + CHUNK_BYTES + 10));
        input.push('\n');
        input.push_str(&sample_lines(1));
        for threads in [1, 2] {
            let (out, summary) = run(input.as_bytes(), threads);
            assert_eq!(summary.answered, 3, "{threads}");
            assert_eq!(summary.oversized, 1);
            assert!(out.lines().nth(1).unwrap().contains("longer than"));
        }
    }
}
