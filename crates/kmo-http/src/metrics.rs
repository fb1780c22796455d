//! Prometheus metrics, kept by hand (a few atomics and a mutex-guarded map; no registry crate):
//! requests by route and status, their latency as a histogram, the lifecycle commands answered
//! by outcome, and deadline ticks. `/metrics` renders them in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS_SECONDS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS_SECONDS.len()],
    count: u64,
    sum_micros: u64,
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(String, String), Histogram>,
    /// (command, outcome code) → count.
    commands: BTreeMap<(String, String), u64>,
    ticks: u64,
    lapsed_or_expired: u64,
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut m) = self.inner.lock() else { return };
        *m.requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let h = m
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS_SECONDS.iter().enumerate() {
            if secs <= *bound
                && let Some(c) = h.counts.get_mut(i)
            {
                *c += 1;
            }
        }
        h.count += 1;
        h.sum_micros = h
            .sum_micros
            .saturating_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
    }

    /// A lifecycle command answered: `outcome` is `OK` or the error code.
    pub fn observe_command(&self, command: &str, outcome: &str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.commands
                .entry((command.to_owned(), outcome.to_owned()))
                .or_default() += 1;
        }
    }

    pub fn observe_tick(&self, transitions: usize) {
        if let Ok(mut m) = self.inner.lock() {
            m.ticks += 1;
            m.lapsed_or_expired += u64::try_from(transitions).unwrap_or(u64::MAX);
        }
    }

    /// The text exposition format; `gauges` are extra (name, help, value) lines read at scrape
    /// time (ledger totals).
    #[must_use]
    pub fn render(&self, gauges: &[(&str, &str, i64)]) -> String {
        let mut out = String::new();
        let Ok(m) = self.inner.lock() else {
            return out;
        };
        out.push_str("# HELP kmo_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE kmo_http_requests_total counter\n");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "kmo_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP kmo_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE kmo_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &m.latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, count) in BUCKETS_SECONDS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "kmo_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "kmo_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "kmo_http_request_duration_seconds_sum{{{labels}}} {}.{:06}",
                h.sum_micros / 1_000_000,
                h.sum_micros % 1_000_000
            );
            let _ = writeln!(
                out,
                "kmo_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP kmo_lifecycle_commands_total Lifecycle commands answered, by outcome code.\n",
        );
        out.push_str("# TYPE kmo_lifecycle_commands_total counter\n");
        for ((command, outcome), n) in &m.commands {
            let _ = writeln!(
                out,
                "kmo_lifecycle_commands_total{{command=\"{command}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out.push_str("# HELP kmo_deadline_ticks_total Deadline ticks run by this server.\n");
        out.push_str("# TYPE kmo_deadline_ticks_total counter\n");
        let _ = writeln!(out, "kmo_deadline_ticks_total {}", m.ticks);
        out.push_str(
            "# HELP kmo_deadline_transitions_total Applications lapsed or expired by this server's ticks.\n",
        );
        out.push_str("# TYPE kmo_deadline_transitions_total counter\n");
        let _ = writeln!(
            out,
            "kmo_deadline_transitions_total {}",
            m.lapsed_or_expired
        );
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// The method as a label: the methods HTTP defines, and `OTHER` for any made-up one — so a
/// client cannot grow `/metrics` by sending methods that do not exist (each would be a series).
#[must_use]
pub fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "OTHER",
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lands_in_its_bucket_and_every_larger_one() {
        let m = Metrics::default();
        m.observe_request("GET", "/healthz", 200, Duration::from_micros(3_000));
        let text = m.render(&[("kmo_x", "x", 7)]);
        assert!(text.contains(
            "kmo_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.0025\"} 0"
        ));
        assert!(text.contains(
            "kmo_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "kmo_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ));
        assert!(text.contains("kmo_x 7"));
    }
}
