//! A deterministic simulation of the money path (TigerBeetle's VOPR, scaled down).
//!
//! A seeded stream of commands — submissions (some rejected), deposits right and wrong, partial
//! and full payments, stops, refusals, clock jumps across deadlines and year ends, duplicated and
//! retried commands — runs against the real services and store. After every step the invariants
//! of every application and every enterprise year are checked; every `full_check_every` steps
//! (and at the end) the whole journal is replayed by the ledger check and the audit log verified.
//! A failure names its seed and step: `kmo simulate --seed S` replays it exactly, and the seed
//! is added to the regression list of the test suite.

use kmo_domain::{Cents, Date};
use kmo_rules::sample::Rng;
use serde_json::json;

use kmo_app::audit::verify;
use kmo_app::check::check_ledger;
use kmo_app::lifecycle::{Closing, State};
use kmo_app::platform::{
    CommandError, CostRequest, DepositTarget, Draft, Inspection, Platform, ServiceRequest,
    Submission,
};
use kmo_app::store::{Store, StoreRead};

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimulationReport {
    pub seed: u64,
    pub steps: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub applications: u64,
    pub full_checks: u64,
}

/// The first broken invariant, with what it takes to replay it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("simulation seed {seed} failed at step {step} ({command}): {message}")]
pub struct SimulationFailure {
    pub seed: u64,
    pub step: u64,
    pub command: String,
    pub message: String,
}

const ENTERPRISES: [&str; 3] = ["E1", "E2", "E3"];
const PROVIDER: &str = "simulation-provider";
const PROVIDER_NUMBERS: [&str; 2] = ["DV.O000001", "DV.A000002"];

/// Runs `steps` seeded steps on an empty platform.
pub async fn simulate<S: Store>(
    platform: &Platform<S>,
    seed: u64,
    steps: u64,
    full_check_every: u64,
) -> Result<SimulationReport, SimulationFailure>
where
    S::Tx: StoreRead,
{
    let fail = |step: u64, command: &str, message: String| SimulationFailure {
        seed,
        step,
        command: command.to_owned(),
        message,
    };
    let mut rng = Rng::new(seed);
    let mut report = SimulationReport {
        seed,
        ..SimulationReport::default()
    };
    platform
        .register_provider(PROVIDER, "Opleidingscentrum")
        .await
        .map_err(|e| fail(0, "setup", e.to_string()))?;
    let start = Date::from_ymd(2024, 1, 2).map_err(|e| fail(0, "setup", e.to_string()))?;
    platform
        .ensure_registered(PROVIDER, PROVIDER_NUMBERS, start)
        .await
        .map_err(|e| fail(0, "setup", e.to_string()))?;
    for (i, key) in ENTERPRISES.iter().enumerate() {
        let size = if i == 1 { "medium" } else { "small" };
        let profile = json!({"legal_form": "BV", "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": size});
        platform
            .register_enterprise(key, key, &profile)
            .await
            .map_err(|e| fail(0, "setup", e.to_string()))?;
    }
    let mut clock = Date::from_ymd(2024, 1, 2).map_err(|e| fail(0, "setup", e.to_string()))?;
    platform
        .advance_clock(clock)
        .await
        .map_err(|e| fail(0, "setup", e.to_string()))?;
    let mut apps: Vec<String> = Vec::new();
    let mut last: Option<(String, u64)> = None;
    for step in 1..=steps {
        // A duplicated command: the same step's choices again (same ids, same bank reference).
        let replay = last.as_ref().is_some_and(|_| rng.chance(5));
        let (label, choice_seed) = match (&last, replay) {
            (Some((label, s)), true) => (format!("repeat of {label}"), *s),
            _ => (String::new(), rng.next_u64()),
        };
        let mut r = Rng::new(choice_seed);
        let pick = |r: &mut Rng, apps: &[String]| -> Option<String> { r.pick(apps).cloned() };
        let kind = r.below(100);
        let (name, result): (String, Result<(), CommandError>) = match kind {
            0..=29 => {
                // Derived from the step's seed, so a repeated step submits the same id again.
                let key = format!("A{:x}", choice_seed & 0xff_ffff);
                let enterprise = (*r.pick(&ENTERPRISES).unwrap_or(&"E1")).to_owned();
                let start = clock
                    .add_days(-i32::try_from(r.range(0, 16)).unwrap_or(0))
                    .unwrap_or(clock);
                let fee = match r.below(10) {
                    0 => r.range(5_000, 12_000),
                    1..=6 => r.range(20_000, 800_000),
                    _ => r.range(800_000, 4_000_000),
                };
                let sub = r.chance(15).then_some("cybersecurity");
                let s = Submission {
                    enterprise,
                    application: key.clone(),
                    provider: PROVIDER.into(),
                    submitted_on: clock,
                    service: ServiceRequest::new("training", "digitalisation", sub, start),
                    costs: vec![CostRequest::new("fee", fee)],
                    size_group: None,
                    participants: Vec::new(),
                };
                // The provider renews its registration when the clock has run past its five years.
                if let Err(e) = platform
                    .ensure_registered(PROVIDER, PROVIDER_NUMBERS, clock)
                    .await
                {
                    return Err(fail(step, "renewal", e.to_string()));
                }
                // Some go through a draft first (T1), saved then submitted.
                let result = if r.chance(10) {
                    let draft = Draft {
                        enterprise: s.enterprise.clone(),
                        application: s.application.clone(),
                        provider: s.provider.clone(),
                        service: s.service.clone(),
                        costs: s.costs.clone(),
                        size_group: None,
                        participants: Vec::new(),
                    };
                    match platform.save_draft(&draft, clock).await {
                        Ok(()) => platform.submit_draft(&key, clock).await.map(|_| ()),
                        Err(e) => Err(e),
                    }
                } else {
                    platform.submit(&s).await.map(|_| ())
                };
                if result.is_ok() && !apps.contains(&key) {
                    apps.push(key.clone());
                }
                (format!("submit {key}"), result)
            }
            30..=49 => {
                let Some(key) = pick(&mut r, &apps) else {
                    continue;
                };
                let app = load(platform, &key)
                    .await
                    .map_err(|e| fail(step, "load", e))?;
                let claim = app
                    .recovered
                    .checked_sub(app.recovery_received)
                    .unwrap_or(Cents::ZERO);
                let amount = match r.below(10) {
                    // A recovered subsidy repaid, in full or in part.
                    _ if app.state == State::Recovered && claim.is_positive() => {
                        Cents::new(r.range(1, claim.get()))
                    }
                    0 => app
                        .own_share
                        .checked_add(Cents::new(1))
                        .unwrap_or(app.own_share),
                    1 => Cents::new(r.range(1, 50_000)),
                    _ => app.own_share,
                };
                let target = if r.chance(5) {
                    DepositTarget::Reference("000000000097".into())
                } else {
                    DepositTarget::Application(key.clone())
                };
                let bank_ref = format!("s{choice_seed}");
                (
                    format!("deposit {key} {amount:?}"),
                    platform
                        .deposit(&target, amount, clock, &bank_ref)
                        .await
                        .map(|_| ()),
                )
            }
            50..=69 => {
                let Some(key) = pick(&mut r, &apps) else {
                    continue;
                };
                let app = load(platform, &key)
                    .await
                    .map_err(|e| fail(step, "load", e))?;
                let left = app
                    .eligible
                    .checked_sub(app.paid())
                    .unwrap_or(Cents::ZERO)
                    .get()
                    .max(1);
                let amount = match r.below(10) {
                    0 => left + 1,
                    1..=4 => left,
                    _ => r.range(1, left),
                };
                let order = format!("inv{choice_seed:x}");
                (
                    format!("pay {key} {amount}"),
                    platform
                        .pay_order(&key, Cents::new(amount), clock, &order)
                        .await
                        .map(|_| ()),
                )
            }
            70..=76 => {
                let Some(key) = pick(&mut r, &apps) else {
                    continue;
                };
                (
                    format!("stop {key}"),
                    platform
                        .close(&key, Closing::Stop, clock, Some("simulation"))
                        .await
                        .map(|_| ()),
                )
            }
            77..=81 => {
                let Some(key) = pick(&mut r, &apps) else {
                    continue;
                };
                (
                    format!("refuse {key}"),
                    platform
                        .close(&key, Closing::Refuse, clock, None)
                        .await
                        .map(|_| ()),
                )
            }
            83..=84 => {
                // An inspection: block, unblock or recover, whatever the state.
                let Some(key) = pick(&mut r, &apps) else {
                    continue;
                };
                let action = match r.below(3) {
                    0 => Inspection::Block,
                    1 => Inspection::Unblock,
                    _ => Inspection::Recover,
                };
                (
                    format!("inspect {key} {action:?}"),
                    platform
                        .inspect(&key, action, clock, "simulation")
                        .await
                        .map(|_| ()),
                )
            }
            85 => {
                // A payout run (a repeated step repeats the run: same id, same answer).
                let run = format!("run{choice_seed:x}");
                (
                    format!("payout {run}"),
                    platform.payout_run(&run, clock).await.map(|_| ()),
                )
            }
            82 => {
                // A date before the clock: always refused.
                let earlier = clock.add_days(-1).unwrap_or(clock);
                (
                    "tick back".into(),
                    platform.advance_clock(earlier).await.map(|_| ()),
                )
            }
            _ => {
                let jump = match r.below(10) {
                    0 => r.range(300, 800),
                    1..=3 => r.range(14, 40),
                    _ => r.range(0, 6),
                };
                clock = clock
                    .add_days(i32::try_from(jump).unwrap_or(0))
                    .unwrap_or(clock);
                (
                    format!("tick +{jump}"),
                    platform.advance_clock(clock).await.map(|_| ()),
                )
            }
        };
        let name = if label.is_empty() { name } else { label };
        match result {
            Ok(()) => report.accepted += 1,
            Err(CommandError::Store(e)) => {
                return Err(fail(step, &name, format!("store error: {e}")));
            }
            Err(_) => report.rejected += 1,
        }
        last = Some((name.clone(), choice_seed));
        report.steps = step;
        check_step(platform)
            .await
            .map_err(|m| fail(step, &name, m))?;
        if full_check_every > 0 && step % full_check_every == 0 {
            full_check(platform)
                .await
                .map_err(|m| fail(step, &name, m))?;
            report.full_checks += 1;
        }
    }
    full_check(platform)
        .await
        .map_err(|m| fail(report.steps, "final check", m))?;
    report.full_checks += 1;
    report.applications = u64::try_from(apps.len()).unwrap_or(0);
    Ok(report)
}

async fn load<S: Store>(
    platform: &Platform<S>,
    key: &str,
) -> Result<kmo_app::lifecycle::Application, String> {
    match platform.application(key).await {
        Ok(app) => Ok(app),
        Err(CommandError::UnknownApplication(_)) => Err(format!("application {key} vanished")),
        Err(e) => Err(e.to_string()),
    }
}

/// Cheap invariants after every step: every application's, and every ceiling's.
async fn check_step<S: Store>(platform: &Platform<S>) -> Result<(), String>
where
    S::Tx: StoreRead,
{
    let snapshot = platform.snapshot().await.map_err(|e| e.to_string())?;
    let (apps, years) = (snapshot.applications, snapshot.enterprise_years);
    for (_, a) in &apps {
        if let Some(broken) = a.broken_invariant() {
            return Err(broken);
        }
        if a.state == State::Submitted && a.is_funded() {
            return Err(format!("application {} is submitted but funded", a.id));
        }
    }
    for y in &years {
        let reserved: i64 = apps
            .iter()
            .filter(|(_, a)| a.enterprise == y.enterprise && a.submitted_on.year() == y.year)
            .map(|(_, a)| a.subsidy.get() - a.returned_to_ceiling.get())
            .sum();
        if reserved != y.ceiling_reserved.get()
            || y.ceiling_reserved > y.ceiling_granted
            || y.ceiling_reserved.is_negative()
        {
            return Err(format!(
                "enterprise {} year {}: reserved {} (applications say {reserved}), granted {}",
                y.enterprise, y.year, y.ceiling_reserved, y.ceiling_granted
            ));
        }
    }
    Ok(())
}

/// The whole journal replayed and the audit log verified.
async fn full_check<S: Store>(platform: &Platform<S>) -> Result<(), String>
where
    S::Tx: StoreRead,
{
    let snapshot = platform.snapshot().await.map_err(|e| e.to_string())?;
    let transfers = snapshot.transfers;
    let apps: Vec<_> = snapshot.applications.into_iter().map(|(_, a)| a).collect();
    let years = snapshot.enterprise_years;
    let audit = snapshot.audit;
    let report = check_ledger(&transfers, &apps, &years);
    if let Some(p) = report.problems.first() {
        return Err(format!("ledger check: {p}"));
    }
    let audit = verify(&audit, &transfers);
    if let Some(p) = audit.problems.first() {
        return Err(format!("audit verify: {p}"));
    }
    Ok(())
}
