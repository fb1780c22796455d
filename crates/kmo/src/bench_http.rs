//! `kmo bench http`: the platform end to end over real HTTP. It starts `kmo serve` processes
//! (one, or several on one PostgreSQL database for scale-out), sets up enterprises with a
//! legal representative through the API, then N concurrent clients each run whole flows — a
//! submission, then the agency matching its own-share deposit — spreading requests over the
//! servers. It reports flows per second, p50/p99 latency per flow, and the servers' memory at
//! idle and under load; with `--payments` every funded application also gets one payment order
//! sent to two servers at once (it must be paid once). Afterwards `kmo ledger check` and
//! `kmo audit verify` must pass on the database.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use kmo_domain::Date;
use serde_json::{Value, json};

use crate::bench::percentile;
use crate::json_at::{NULL, at};

/// What to run.
#[derive(Clone, Debug)]
pub struct HttpBenchOptions {
    /// `postgres://…` of an empty database, or none for a fresh SQLite data directory.
    pub database_url: Option<String>,
    pub servers: usize,
    pub clients: usize,
    pub flows: usize,
    pub enterprises: usize,
    pub payments: bool,
    pub today: Date,
}

/// A running `kmo serve`.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn start(db: &[String], demo: bool) -> anyhow::Result<Server> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .args(db)
        .env("RUST_LOG", "warn")
        .env("KMO_SERVER__LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.spawn().context("starting kmo serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("kmo serve: listening on ")
        .with_context(|| format!("kmo serve said {line:?}"))?
        .to_owned();
    Ok(Server { child, base: addr })
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: &Value,
) -> anyhow::Result<(u16, Value)> {
    let r = client
        .request(method, url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    let value = r.json().await.unwrap_or(Value::Null);
    Ok((status, value))
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let r = client
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&json!({"email": email, "password": password, "token_name": "bench"}))
        .send()
        .await?;
    let v: Value = r.json().await?;
    at(&v, "token")
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("login {email}: {v}"))
}

/// One flow's outcome.
#[derive(Debug, Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    funded: usize,
    refused_by_rules: usize,
    paid_twice: usize,
    payments: usize,
    errors: Vec<String>,
}

/// Runs the benchmark; returns its figures as JSON.
pub async fn run(o: &HttpBenchOptions) -> anyhow::Result<Value> {
    let data = std::env::temp_dir().join(format!("kmo-bench-http-{}", std::process::id()));
    let db: Vec<String> = match &o.database_url {
        Some(url) => vec!["--database-url".into(), url.clone()],
        None => {
            let _ = std::fs::remove_dir_all(&data);
            vec!["--data-dir".into(), data.display().to_string()]
        }
    };
    let first = tokio::task::block_in_place(|| start(&db, true))?;
    let mut servers = vec![first];
    for _ in 1..o.servers.max(1) {
        servers.push(tokio::task::block_in_place(|| start(&db, false))?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.clients.max(1))
        .build()?;
    let base0 = bases.first().context("no server")?.clone();
    let agency = login(
        &client,
        &base0,
        "agentschap@demo.kmo",
        kmo_sim::demo::DEMO_PASSWORD,
    )
    .await?;
    // Each enterprise has its own legal representative (as on the platform: the owner applies
    // for the own enterprise), so each request reads one mandate.
    let password = "bench-wachtwoord-123";
    let mut owners = Vec::with_capacity(o.enterprises);
    for e in 0..o.enterprises {
        let email = format!("bench{e}@demo.kmo");
        let (s, v) = call(&client, reqwest::Method::POST, format!("{base0}/api/v1/users"), &agency,
            &json!({"email": email, "name": format!("Bench {e}"), "password": password, "role": "enterprise"})).await?;
        if s != 201 {
            bail!("creating the bench user {email}: {s} {v}");
        }
        let key = format!("BENCH-E{e}");
        let profile = json!({"legal_form": "BV", "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": "small"});
        let (s, v) = call(
            &client,
            reqwest::Method::POST,
            format!("{base0}/api/v1/enterprises"),
            &agency,
            &json!({"key": key, "name": format!("Bench {e}"), "profile": profile}),
        )
        .await?;
        if s != 201 {
            bail!("registering {key}: {s} {v}");
        }
        let (s, v) = call(
            &client,
            reqwest::Method::POST,
            format!("{base0}/api/v1/mandates"),
            &agency,
            &json!({"email": email, "enterprise": key, "scope": "legal_representative"}),
        )
        .await?;
        if s != 201 {
            bail!("mandate for {key}: {s} {v}");
        }
        owners.push(login(&client, &base0, &email, password).await?);
    }
    let idle_kib: Vec<Option<u64>> = servers.iter().map(|s| rss_kib(s.child.id())).collect();

    let start_date = o
        .today
        .add_days(-1)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let shared = Arc::new((client, bases.clone(), agency, owners, start_date));
    let started = Instant::now();
    let per_client = o.flows.div_ceil(o.clients.max(1));
    let mut tasks = Vec::new();
    for c in 0..o.clients.max(1) {
        let shared = Arc::clone(&shared);
        let (enterprises, payments) = (o.enterprises.max(1), o.payments);
        tasks.push(tokio::spawn(async move {
            let (client, bases, agency, owners, start_date) = &*shared;
            let mut t = Tally::default();
            for i in 0..per_client {
                let n = c * per_client + i;
                let key = format!("B{c}-{i}");
                let server = |k: usize| bases.get((n + k) % bases.len()).cloned().unwrap_or_default();
                let owner = owners.get(n % enterprises).cloned().unwrap_or_default();
                let owner = &owner;
                let flow = Instant::now();
                let submit = json!({"enterprise": format!("BENCH-E{}", n % enterprises), "application": key,
                    "provider": "0811.111.129",
                    "service": {"kind": "training", "theme": "digitalisation", "sub_theme": "software",
                        "start_date": start_date, "topics": [], "on_occupation_list": false, "related_to_provider": false},
                    "costs": [{"type": "fee", "amount_cents": 20_000}]});
                let r = call(client, reqwest::Method::POST, format!("{}/api/v1/applications", server(0)), owner, &submit).await;
                let a = match r {
                    Ok((201, a)) => a,
                    Ok((422, v)) if at(&v, "code") == "SUBMISSION_REJECTED" => {
                        t.refused_by_rules += 1;
                        continue;
                    }
                    Ok((s, v)) => {
                        t.errors.push(format!("submit {s} {v}"));
                        continue;
                    }
                    Err(e) => {
                        t.errors.push(format!("submit: {e}"));
                        continue;
                    }
                };
                let statement = json!({"lines": [{"reference": at(&a, "reference"), "amount_cents": at(&a, "own_share_cents"), "bank_ref": format!("BANK-{key}")}]});
                match call(client, reqwest::Method::POST, format!("{}/api/v1/deposits", server(1)), agency, &statement).await {
                    Ok((200, v)) if at(v.get(0).unwrap_or(&NULL), "outcome") == "OK" => t.funded += 1,
                    Ok((s, v)) => t.errors.push(format!("deposit {s} {v}")),
                    Err(e) => t.errors.push(format!("deposit: {e}")),
                }
                t.latencies_ms.push(flow.elapsed().as_secs_f64() * 1000.0);
                if payments {
                    let half = at(&a, "eligible_cents").as_i64().unwrap_or(0) / 2;
                    let order = json!({"amount_cents": half, "invoice": "F-1"});
                    let url = |k: usize| format!("{}/api/v1/applications/{key}/payments", server(k));
                    let (x, y) = tokio::join!(
                        call(client, reqwest::Method::POST, url(0), owner, &order),
                        call(client, reqwest::Method::POST, url(1), owner, &order)
                    );
                    for r in [x, y] {
                        if !matches!(r, Ok((200, _))) {
                            t.errors.push(format!("payment: {r:?}"));
                        }
                    }
                    match call(client, reqwest::Method::GET, format!("{}/api/v1/applications/{key}", server(2)), owner, &Value::Null).await {
                        Ok((200, v)) if at(&v, "paid_cents").as_i64() == Some(half) => t.payments += 1,
                        Ok((200, v)) => {
                            t.paid_twice += 1;
                            t.errors.push(format!("{key} paid {} for one order of {half}", at(&v, "paid_cents")));
                        }
                        other => t.errors.push(format!("reading {key}: {other:?}")),
                    }
                }
            }
            t
        }));
    }
    // Memory under load: sampled while the clients run.
    let mut load_kib: Vec<u64> = vec![0; servers.len()];
    let mut all = Tally::default();
    let mut pending = tasks;
    while !pending.is_empty() {
        for (i, s) in servers.iter().enumerate() {
            if let (Some(slot), Some(kib)) = (load_kib.get_mut(i), rss_kib(s.child.id())) {
                *slot = (*slot).max(kib);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut still = Vec::new();
        for t in pending {
            if t.is_finished() {
                let t = t.await?;
                all.latencies_ms.extend(t.latencies_ms);
                all.funded += t.funded;
                all.refused_by_rules += t.refused_by_rules;
                all.paid_twice += t.paid_twice;
                all.payments += t.payments;
                all.errors.extend(t.errors);
            } else {
                still.push(t);
            }
        }
        pending = still;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(servers);
    // The books, checked by the real command on the database the servers wrote.
    let exe = std::env::current_exe()?;
    let mut books = Vec::new();
    for what in [["ledger", "check"], ["audit", "verify"]] {
        let out = Command::new(&exe).args(what).args(&db).output()?;
        books.push((what.join(" "), out.status.success()));
    }
    let _ = std::fs::remove_dir_all(&data);
    all.latencies_ms.sort_by(f64::total_cmp);
    let flows = all.latencies_ms.len();
    Ok(json!({
        "servers": o.servers, "clients": o.clients,
        "flows": flows, "funded": all.funded, "refused_by_rules": all.refused_by_rules,
        "seconds": (seconds * 100.0).round() / 100.0,
        "flows_per_s": if seconds > 0.0 { (f64::from(u32::try_from(flows).unwrap_or(u32::MAX)) / seconds).round() } else { 0.0 },
        "flow_latency_ms": {"p50": (percentile(&all.latencies_ms, 0.50) * 10.0).round() / 10.0, "p99": (percentile(&all.latencies_ms, 0.99) * 10.0).round() / 10.0},
        "server_rss_mib": {"idle": idle_kib.iter().map(|k| k.map(|k| k / 1024)).collect::<Vec<_>>(), "under_load": load_kib.iter().map(|k| k / 1024).collect::<Vec<_>>()},
        "payments_checked": all.payments, "paid_twice": all.paid_twice,
        "errors": all.errors.len(), "first_errors": all.errors.iter().take(5).collect::<Vec<_>>(),
        "ledger_check": books.first().is_some_and(|b| b.1), "audit_verify": books.get(1).is_some_and(|b| b.1),
    }))
}
