//! The scenario language of lifecycle.md: JSON Lines of commands and `expect` lines, run against
//! the real services on a real store, with the observable state of §8.1 after every command.

use std::collections::{BTreeMap, BTreeSet};

use kmo_domain::{Cents, Date, EnterpriseId};
use kmo_ledger::TransferCode;
use serde_json::{Map, Value, json};

use kmo_app::lifecycle::{Application, Closing};
use kmo_app::platform::{
    CommandError, DepositTarget, Platform, ServiceRequest, Submission, costs_from_json,
};
use kmo_app::store::{Store, StoreError, StoreRead};

/// The provider every scenario's submissions name (lifecycle.md §1).
pub const SCENARIO_PROVIDER: &str = "scenario-provider";
/// Its registration numbers (training, advice).
pub const SCENARIO_PROVIDER_NUMBERS: [&str; 2] = ["DV.O000001", "DV.A000002"];

/// One scenario: its name and its lines `(line number, JSON object)`.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub lines: Vec<(usize, Value)>,
}

/// A scenario file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ScenarioFileError {
    pub line: usize,
    pub message: String,
}

/// Splits a scenario file into scenarios (lifecycle.md §1).
pub fn parse_file(text: &str) -> Result<Vec<Scenario>, ScenarioFileError> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut current: Option<Scenario> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            if let Some(s) = current.take() {
                scenarios.push(s);
            }
            continue;
        }
        let value: Value = serde_json::from_str(raw).map_err(|e| ScenarioFileError {
            line,
            message: format!("not JSON: {e}"),
        })?;
        let Some(obj) = value.as_object() else {
            return Err(ScenarioFileError {
                line,
                message: "a line must be a JSON object".into(),
            });
        };
        if obj.contains_key("scenario") && !obj.contains_key("cmd") {
            if let Some(s) = current.take() {
                scenarios.push(s);
            }
            let name = obj
                .get("scenario")
                .and_then(Value::as_str)
                .map_or_else(|| obj["scenario"].to_string(), str::to_owned);
            current = Some(Scenario {
                name,
                lines: Vec::new(),
            });
            continue;
        }
        match current.as_mut() {
            Some(s) => s.lines.push((line, value)),
            None => {
                let rank = scenarios.len() + 1;
                current = Some(Scenario {
                    name: format!("#{rank} (line {line})"),
                    lines: vec![(line, value)],
                });
            }
        }
    }
    if let Some(s) = current.take() {
        scenarios.push(s);
    }
    Ok(scenarios)
}

/// The result of one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandResult {
    pub code: Option<String>,
    pub reasons: Vec<String>,
    pub field: Option<String>,
}

impl CommandResult {
    fn accepted() -> Self {
        CommandResult {
            code: None,
            reasons: Vec::new(),
            field: None,
        }
    }

    fn from_error(e: &CommandError) -> Self {
        let reasons = match e {
            CommandError::SubmissionRejected { reasons } => {
                let mut r: Vec<String> = reasons.iter().map(|r| r.code().to_owned()).collect();
                r.sort();
                r
            }
            _ => Vec::new(),
        };
        CommandResult {
            code: Some(e.code().to_owned()),
            reasons,
            field: e.field().map(str::to_owned),
        }
    }

    fn invalid(field: &str, message: &str) -> Self {
        let _ = message;
        CommandResult {
            code: Some("INVALID_COMMAND".into()),
            reasons: Vec::new(),
            field: Some(field.to_owned()),
        }
    }

    /// `R` of lifecycle.md §8.3.
    #[must_use]
    pub fn to_json(&self) -> Value {
        match &self.code {
            None => json!({"status": "accepted"}),
            Some(code) if code == "SUBMISSION_REJECTED" => {
                json!({"status": "rejected", "code": code, "reasons": self.reasons})
            }
            Some(code) => json!({"status": "rejected", "code": code}),
        }
    }
}

/// How to print a run (lifecycle.md §8.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One line per command with the state.
    State,
    /// One line per command without state, and the final state per scenario.
    Final,
}

/// What running one scenario produced.
#[derive(Clone, Debug, Default)]
pub struct ScenarioRun {
    /// Output lines (§8.3).
    pub output: Vec<Value>,
    /// `expect` lines that failed, one sentence each.
    pub failures: Vec<String>,
    pub expects: usize,
}

fn str_field<'a>(cmd: &'a Map<String, Value>, name: &str) -> Result<&'a str, CommandResult> {
    cmd.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| CommandResult::invalid(name, "must be a string"))
}

fn date_field(cmd: &Map<String, Value>, name: &str) -> Result<Date, CommandResult> {
    Date::parse(str_field(cmd, name)?).map_err(|e| CommandResult::invalid(name, &e.to_string()))
}

fn amount_field(cmd: &Map<String, Value>) -> Result<Cents, CommandResult> {
    match cmd.get("amount_cents").and_then(Value::as_i64) {
        Some(a) if a > 0 && cmd.get("amount_cents").is_some_and(Value::is_i64) => Ok(Cents::new(a)),
        _ => Err(CommandResult::invalid(
            "amount_cents",
            "must be an integer > 0",
        )),
    }
}

/// The command's date, for dated commands.
fn command_date(name: &str, cmd: &Map<String, Value>) -> Result<Option<Date>, CommandResult> {
    match name {
        "submit" => date_field(cmd, "submitted_on").map(Some),
        "deposit" | "pay" | "stop" | "refuse" | "tick" => date_field(cmd, "date").map(Some),
        _ => Ok(None),
    }
}

/// Runs one command; `Err` only for storage failures.
async fn run_command<S: Store>(
    platform: &Platform<S>,
    name: &str,
    cmd: &Map<String, Value>,
    line: usize,
) -> Result<CommandResult, StoreError>
where
    S::Tx: StoreRead,
{
    // 1. Malformed commands: INVALID_COMMAND, and the clock does not move (L18).
    let checked = (|| -> Result<Option<Date>, CommandResult> {
        match name {
            "enterprise" => {
                str_field(cmd, "id")?;
                if !cmd.get("profile").is_some_and(Value::is_object) {
                    return Err(CommandResult::invalid("profile", "must be an object"));
                }
            }
            "external_de_minimis" => {
                str_field(cmd, "enterprise")?;
                date_field(cmd, "granted_on")?;
                amount_field(cmd)?;
            }
            "submit" => {
                str_field(cmd, "enterprise")?;
                str_field(cmd, "application")?;
                let has_group = cmd.contains_key("size") || cmd.contains_key("periods");
                if !has_group && (cmd.contains_key("partners") || cmd.contains_key("linked")) {
                    return Err(CommandResult::invalid(
                        "partners",
                        "partners or linked need size or periods",
                    ));
                }
            }
            "deposit" => {
                amount_field(cmd)?;
                match cmd.get("reference") {
                    None => {
                        str_field(cmd, "application")?;
                    }
                    Some(Value::String(r)) if r == "wrong" => {}
                    Some(_) => {
                        return Err(CommandResult::invalid(
                            "reference",
                            "the only reference a scenario can write is \"wrong\"",
                        ));
                    }
                }
            }
            "pay" => {
                str_field(cmd, "application")?;
                amount_field(cmd)?;
            }
            "stop" | "refuse" => {
                str_field(cmd, "application")?;
            }
            "tick" => {}
            _ => return Err(CommandResult::invalid("cmd", "unknown command")),
        }
        command_date(name, cmd)
    })();
    let date = match checked {
        Ok(d) => d,
        Err(invalid) => return Ok(invalid),
    };
    // 2. Dated commands move the clock first (L1).
    if let Some(date) = date {
        match platform.advance_clock(date).await {
            Ok(_) => {}
            Err(CommandError::Store(e)) => return Err(e),
            Err(e) => return Ok(CommandResult::from_error(&e)),
        }
    }
    let date = date.unwrap_or(Date::EPOCH);
    let outcome: Result<(), CommandError> = match name {
        "enterprise" => {
            let id = str_field(cmd, "id").unwrap_or_default();
            let profile = cmd.get("profile").cloned().unwrap_or(Value::Null);
            platform
                .register_enterprise(id, id, &profile)
                .await
                .map(|_| ())
        }
        "external_de_minimis" => {
            let granted_on = date_field(cmd, "granted_on").unwrap_or(Date::EPOCH);
            let amount = amount_field(cmd).unwrap_or(Cents::ZERO);
            platform
                .record_external_de_minimis(
                    str_field(cmd, "enterprise").unwrap_or_default(),
                    granted_on,
                    amount,
                )
                .await
        }
        "submit" => {
            let mut group = Map::new();
            for k in ["size", "periods", "partners", "linked"] {
                if let Some(v) = cmd.get(k) {
                    group.insert(k.to_owned(), v.clone());
                }
            }
            let service = match cmd.get("service") {
                Some(v) => ServiceRequest::from_json(v),
                None => Ok(ServiceRequest::default()),
            };
            let costs = match cmd.get("costs") {
                Some(v) => costs_from_json(v),
                None => Ok(Vec::new()),
            };
            let s = Submission {
                enterprise: str_field(cmd, "enterprise").unwrap_or_default().to_owned(),
                application: str_field(cmd, "application").unwrap_or_default().to_owned(),
                provider: SCENARIO_PROVIDER.to_owned(),
                submitted_on: date,
                service: ServiceRequest::default(),
                costs: Vec::new(),
                size_group: (!group.is_empty()).then_some(group),
                participants: Vec::new(),
            };
            // The scenario's provider is registered for both kinds on every submission date.
            match platform
                .ensure_registered(SCENARIO_PROVIDER, SCENARIO_PROVIDER_NUMBERS, date)
                .await
            {
                Ok(()) | Err(CommandError::Invalid { .. }) => {}
                Err(CommandError::Store(e)) => return Err(e),
                Err(e) => return Err(StoreError::Database(e.to_string())),
            }
            match (service, costs) {
                (Ok(service), Ok(costs)) => {
                    platform
                        .submit(&Submission {
                            service,
                            costs,
                            ..s
                        })
                        .await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
            .map(|_| ())
        }
        "deposit" => {
            let amount = amount_field(cmd).unwrap_or(Cents::ZERO);
            // The adapter attaches the application's own reference (L14); "wrong" is one the
            // platform never issued (base 0: ids start at 1).
            let target = if cmd.get("reference").is_some() {
                DepositTarget::Reference("000000000097".into())
            } else {
                DepositTarget::Application(
                    str_field(cmd, "application").unwrap_or_default().to_owned(),
                )
            };
            platform
                .deposit(&target, amount, date, &format!("L{line}"))
                .await
                .map(|_| ())
        }
        "pay" => {
            let amount = amount_field(cmd).unwrap_or(Cents::ZERO);
            platform
                .pay(
                    str_field(cmd, "application").unwrap_or_default(),
                    amount,
                    date,
                )
                .await
                .map(|_| ())
        }
        "stop" | "refuse" => {
            let closing = if name == "stop" {
                Closing::Stop
            } else {
                Closing::Refuse
            };
            let reason = cmd.get("reason").and_then(Value::as_str);
            platform
                .close(
                    str_field(cmd, "application").unwrap_or_default(),
                    closing,
                    date,
                    reason,
                )
                .await
                .map(|_| ())
        }
        _ => Ok(()),
    };
    match outcome {
        Ok(()) => Ok(CommandResult::accepted()),
        Err(CommandError::Store(e)) => Err(e),
        Err(e) => Ok(CommandResult::from_error(&e)),
    }
}

/// A store error behind a command error (a snapshot only fails in the store).
fn store_error(e: CommandError) -> StoreError {
    match e {
        CommandError::Store(e) => e,
        other => StoreError::Database(other.to_string()),
    }
}

/// The observable state of lifecycle.md §8.1.
pub async fn observable_state<S: Store>(platform: &Platform<S>) -> Result<Value, StoreError>
where
    S::Tx: StoreRead,
{
    let snapshot = platform.snapshot().await.map_err(store_error)?;
    let clock = snapshot.clock;
    let applications = snapshot.applications;
    let enterprises = snapshot.enterprises;
    let years = snapshot.enterprise_years;
    let transfers = snapshot.transfers;
    let unmatched: i64 = transfers
        .iter()
        .filter(|t| t.code == TransferCode::DepositReturned && t.application.is_none())
        .map(|t| t.amount.get())
        .sum();
    let to_budget: i64 = applications
        .iter()
        .map(|(_, a)| a.returned_to_budget.get())
        .sum();
    let key_of: BTreeMap<EnterpriseId, &str> =
        enterprises.iter().map(|e| (e.id, e.key.as_str())).collect();
    let mut ents = Map::new();
    for e in &enterprises {
        let app_years: BTreeSet<i32> = applications
            .iter()
            .filter(|(_, a)| a.enterprise == e.id)
            .map(|(_, a)| a.submitted_on.year())
            .collect();
        let mut reserved = Map::new();
        let mut locks = Map::new();
        for y in app_years {
            let row = years.iter().find(|r| r.enterprise == e.id && r.year == y);
            reserved.insert(
                y.to_string(),
                json!(row.map_or(0, |r| r.ceiling_reserved.get())),
            );
            locks.insert(
                y.to_string(),
                row.and_then(|r| r.size_lock)
                    .map_or(Value::Null, |s| json!(s.code())),
            );
        }
        let de_minimis = match clock {
            Some(c) => json!(
                platform
                    .de_minimis_seen_on(e.id, c)
                    .await
                    .map_err(|e| StoreError::Database(e.to_string()))?
                    .get()
            ),
            None => Value::Null,
        };
        ents.insert(e.key.clone(), json!({"ceiling_reserved_cents": reserved, "size_lock": locks, "de_minimis_granted_cents": de_minimis}));
    }
    let mut apps = Map::new();
    for (key, a) in &applications {
        apps.insert(
            key.clone(),
            application_json(a, key_of.get(&a.enterprise).copied().unwrap_or("")),
        );
    }
    Ok(json!({
        "platform": {"clock": clock.map(|c| c.to_string()), "unmatched_deposits_returned_cents": unmatched, "subsidy_returned_to_budget_cents": to_budget},
        "enterprises": ents,
        "applications": apps,
    }))
}

/// An application as in lifecycle.md §8.1.
#[must_use]
pub fn application_json(a: &Application, enterprise_key: &str) -> Value {
    json!({
        "enterprise": enterprise_key,
        "submitted_on": a.submitted_on.to_string(),
        "state": a.state.code(),
        "closed_on": a.closed_on.map(|d| d.to_string()),
        "size": a.size.code(),
        "rate_bp": a.rate_bp,
        "eligible_cents": a.eligible.get(),
        "subsidy_cents": a.subsidy.get(),
        "own_share_cents": a.own_share.get(),
        "deposited_cents": a.deposited.get(),
        "paid_to_provider_cents": a.paid().get(),
        "paid_own_cents": a.paid_own.get(),
        "paid_subsidy_cents": a.paid_subsidy.get(),
        "refunded_to_enterprise_cents": a.refunded.get(),
        "subsidy_returned_to_ceiling_cents": a.returned_to_ceiling.get(),
        "subsidy_returned_to_budget_cents": a.returned_to_budget.get(),
        "returned_deposits_cents": a.returned_deposits.get(),
        "own_share_in_wallet_cents": a.own_share_in_wallet().get(),
        "subsidy_outstanding_cents": a.subsidy_outstanding().get(),
    })
}

/// Checks one `expect` line; `Err` is a fault in the scenario file.
async fn check_expect<S: Store>(
    platform: &Platform<S>,
    expect: &Map<String, Value>,
    last: Option<&CommandResult>,
    state: &Value,
) -> Result<Vec<String>, String>
where
    S::Tx: StoreRead,
{
    let mut failures = Vec::new();
    let mut compare = |what: &str, key: &str, want: &Value, got: &Value| {
        if want != got {
            failures.push(format!("{what}: {key} expected {want}, got {got}"));
        }
    };
    let others = |allowed: &[&str]| -> Result<(), String> {
        match expect
            .keys()
            .find(|k| !allowed.contains(&k.as_str()) && *k != "cmd" && *k != "note")
        {
            Some(k) => Err(format!("unknown key {k:?} in an expect line")),
            None => Ok(()),
        }
    };
    if let Some(result) = expect.get("result") {
        others(&["result", "code", "reasons", "field"])?;
        let last = last.ok_or("expect result before any command")?;
        let status = if last.code.is_some() {
            "rejected"
        } else {
            "accepted"
        };
        compare("result", "status", result, &json!(status));
        if result == "rejected" && !expect.contains_key("code") {
            return Err("\"result\": \"rejected\" must name its code".into());
        }
        if let Some(code) = expect.get("code") {
            compare("result", "code", code, &json!(last.code));
        }
        if let Some(reasons) = expect.get("reasons") {
            let mut want: Vec<String> = reasons
                .as_array()
                .ok_or("reasons must be an array")?
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
            want.sort();
            compare("result", "reasons", &json!(want), &json!(last.reasons));
        }
        if let Some(field) = expect.get("field") {
            compare("result", "field", field, &json!(last.field));
        }
    } else if let Some(app) = expect.get("application") {
        let id = app.as_str().ok_or("application must be a string")?;
        let found = state
            .get("applications")
            .and_then(|a| a.get(id))
            .unwrap_or(&Value::Null);
        if expect.get("state") == Some(&Value::Null) {
            compare(
                &format!("application {id}"),
                "exists",
                &json!(false),
                &json!(!found.is_null()),
            );
        }
        for (k, want) in expect {
            if matches!(k.as_str(), "cmd" | "note" | "application")
                || (k == "state" && want.is_null())
            {
                continue;
            }
            let got = found
                .get(k)
                .ok_or_else(|| format!("unknown application field {k:?}"))?;
            compare(&format!("application {id}"), k, want, got);
        }
    } else if let Some(ent) = expect.get("enterprise") {
        others(&[
            "enterprise",
            "year",
            "ceiling_reserved_cents",
            "size_lock",
            "de_minimis_granted_cents",
            "on",
        ])?;
        let key = ent.as_str().ok_or("enterprise must be a string")?;
        let what = format!("enterprise {key}");
        let e = state
            .get("enterprises")
            .and_then(|a| a.get(key))
            .unwrap_or(&Value::Null);
        if let Some(year) = expect.get("year") {
            let y = year.as_i64().ok_or("year must be an integer")?.to_string();
            if let Some(want) = expect.get("ceiling_reserved_cents") {
                let got = e["ceiling_reserved_cents"]
                    .get(&y)
                    .cloned()
                    .unwrap_or(json!(0));
                compare(&what, &format!("ceiling_reserved_cents {y}"), want, &got);
            }
            if let Some(want) = expect.get("size_lock") {
                let got = e["size_lock"].get(&y).cloned().unwrap_or(Value::Null);
                compare(&what, &format!("size_lock {y}"), want, &got);
            }
        }
        if let Some(want) = expect.get("de_minimis_granted_cents") {
            let got = match expect.get("on") {
                Some(on) => {
                    let date = Date::parse(on.as_str().ok_or("on must be a date")?)
                        .map_err(|e| e.to_string())?;
                    let rec = match platform.enterprise(key).await {
                        Ok(r) => Some(r),
                        Err(CommandError::UnknownEnterprise(_)) => None,
                        Err(e) => return Err(e.to_string()),
                    };
                    match rec {
                        Some(r) => json!(
                            platform
                                .de_minimis_seen_on(r.id, date)
                                .await
                                .map_err(|e| e.to_string())?
                                .get()
                        ),
                        None => Value::Null,
                    }
                }
                None => e["de_minimis_granted_cents"].clone(),
            };
            compare(&what, "de_minimis_granted_cents", want, &got);
        }
    } else if expect.get("platform").is_some() {
        for (k, want) in expect {
            if matches!(k.as_str(), "cmd" | "note" | "platform") {
                continue;
            }
            let got = state["platform"]
                .get(k)
                .ok_or_else(|| format!("unknown platform field {k:?}"))?;
            compare("platform", k, want, got);
        }
    } else {
        return Err("an expect line needs result, application, enterprise or platform".into());
    }
    Ok(failures)
}

/// Runs one scenario on `platform` (which must start empty).
pub async fn run<S: Store>(
    platform: &Platform<S>,
    scenario: &Scenario,
    mode: Mode,
    with_output: bool,
) -> Result<ScenarioRun, StoreError>
where
    S::Tx: StoreRead,
{
    platform
        .register_provider(SCENARIO_PROVIDER, "Opleidingscentrum (scenario)")
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let mut run = ScenarioRun::default();
    let mut last: Option<CommandResult> = None;
    let mut state: Option<Value> = None;
    for (line, value) in &scenario.lines {
        let Some(cmd) = value.as_object() else {
            continue;
        };
        let name = cmd.get("cmd").and_then(Value::as_str).unwrap_or("");
        if name == "expect" {
            run.expects += 1;
            if state.is_none() {
                state = Some(observable_state(platform).await?);
            }
            let current = state.as_ref().map_or(Value::Null, Clone::clone);
            match check_expect(platform, cmd, last.as_ref(), &current).await {
                Ok(f) => run.failures.extend(
                    f.into_iter()
                        .map(|f| format!("{} line {line}: {f}", scenario.name)),
                ),
                Err(e) => run.failures.push(format!(
                    "{} line {line}: scenario file error: {e}",
                    scenario.name
                )),
            }
            continue;
        }
        let result = run_command(platform, name, cmd, *line).await?;
        state = None;
        if with_output {
            let mut out = json!({"scenario": scenario.name, "line": line, "cmd": name, "result": result.to_json()});
            if mode == Mode::State {
                let s = observable_state(platform).await?;
                if let Some(o) = out.as_object_mut() {
                    o.insert("state".into(), s.clone());
                }
                state = Some(s);
            }
            run.output.push(out);
        }
        last = Some(result);
    }
    if with_output && mode == Mode::Final {
        let s = match state {
            Some(s) => s,
            None => observable_state(platform).await?,
        };
        run.output
            .push(json!({"scenario": scenario.name, "final": true, "state": s}));
    }
    Ok(run)
}
