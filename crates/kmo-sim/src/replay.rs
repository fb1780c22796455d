//! `kmo replay`: a synthetic, seeded year of the platform through the full lifecycle.
//!
//! By default 160,000 applications (Flanders' yearly volume) from 40,000 enterprises and 3,000
//! providers, submitted over one calendar year, then followed to their end: deposits (some late
//! or of the wrong amount, some never), refusals, stops (some after a partial payment), invoices
//! in one to three parts, and applications still partly paid when the payment deadline passes,
//! so that the expiry of 1 January two years on is applied too. Every command goes through the
//! same services as the server, each in its own durable transaction; the clock advances day by
//! day and applies the deadlines.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use kmo_domain::{Cents, Date};
use kmo_rules::sample::Rng;
use serde_json::json;

use kmo_app::lifecycle::Closing;
use kmo_app::platform::{
    CommandError, CostRequest, DepositTarget, Platform, ServiceRequest, Submission,
};
use kmo_app::registry::WorkerStatus;
use kmo_app::store::{Store, StoreError, StoreRead};

/// What to replay.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    pub applications: u64,
    pub enterprises: u64,
    pub providers: u64,
    pub seed: u64,
    /// The calendar year of the submissions.
    pub year: i32,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            applications: 160_000,
            enterprises: 40_000,
            providers: 3_000,
            seed: 2025,
            year: 2025,
        }
    }
}

/// The one-line result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    pub submitted: u64,
    pub accepted: u64,
    pub rejected_by_rules: BTreeMap<String, u64>,
    pub commands: u64,
    pub commands_refused: u64,
    pub final_states: BTreeMap<String, u64>,
    pub subsidy_cents: i64,
    pub paid_to_providers_cents: i64,
    pub refunded_cents: i64,
    pub returned_deposits_cents: i64,
    pub subsidy_returned_to_budget_cents: i64,
    pub subsidy_returned_to_ceiling_cents: i64,
    /// Weekly payout runs (each Monday the clock reaches, and one at the end).
    pub payout_runs: u64,
    pub paid_out_cents: i64,
}

impl ReplaySummary {
    fn count_payout(&mut self, run: &kmo_app::platform::PayoutRun) {
        self.payout_runs += 1;
        self.paid_out_cents += run.total_cents;
    }
}

/// A follow-up of an accepted application, due on a date.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Deposit { app: u64, exact: bool },
    Pay { app: u64, part: u8, of: u8 },
    Stop { app: u64 },
    Refuse { app: u64 },
}

/// What happens to an application after submission.
#[derive(Clone, Copy, Debug)]
enum Plan {
    Paid { invoices: u8 },
    Lapse,
    WrongThenRight,
    LateDeposit,
    RefusedBeforeDeposit,
    RefusedAfterDeposit,
    Stopped,
    StoppedAfterPartial,
    Expires,
}

fn plan(r: &mut Rng) -> Plan {
    match r.below(100) {
        0..=3 => Plan::Lapse,
        4..=6 => Plan::WrongThenRight,
        7..=8 => Plan::LateDeposit,
        9..=10 => Plan::RefusedBeforeDeposit,
        11..=12 => Plan::RefusedAfterDeposit,
        13..=15 => Plan::Stopped,
        16..=17 => Plan::StoppedAfterPartial,
        18..=22 => Plan::Expires,
        n => Plan::Paid {
            invoices: u8::try_from(1 + n % 3).unwrap_or(1),
        },
    }
}

/// Progress callback: (applications submitted so far, total).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

fn days(d: Date, n: i64) -> Date {
    d.add_days(i32::try_from(n).unwrap_or(0)).unwrap_or(d)
}

/// Runs the replay on an empty platform.
#[allow(
    clippy::too_many_lines,
    reason = "one synthetic year, read top to bottom"
)]
pub async fn replay<S: Store>(
    platform: &Platform<S>,
    o: &ReplayOptions,
    progress: Progress<'_>,
) -> Result<ReplaySummary, StoreError>
where
    S::Tx: StoreRead,
{
    let err = |e: CommandError| match e {
        CommandError::Store(s) => s,
        other => StoreError::Database(other.to_string()),
    };
    let mut r = Rng::new(o.seed);
    let mut summary = ReplaySummary::default();
    let first = Date::from_ymd(o.year, 1, 1).map_err(|e| StoreError::Database(e.to_string()))?;
    let end = Date::from_ymd(o.year + 2, 1, 1).map_err(|e| StoreError::Database(e.to_string()))?;
    platform.advance_clock(first).await.map_err(err)?;
    for p in 1..=o.providers {
        platform
            .register_provider(&format!("P{p}"), &format!("Dienstverlener {p}"))
            .await
            .map_err(err)?;
        let (training, advice) = (format!("DV.O{p:06}"), format!("DV.A{:06}", 500_000 + p));
        platform
            .ensure_registered(
                &format!("P{p}"),
                [training.as_str(), advice.as_str()],
                first,
            )
            .await
            .map_err(err)?;
    }
    for e in 1..=o.enterprises {
        let size = if r.chance(85) { "small" } else { "medium" };
        let form = *r
            .pick(&["BV", "BV", "NV", "EZ", "VRIJ_BEROEP", "CV", "VOF"])
            .unwrap_or(&"BV");
        let profile = json!({"legal_form": form, "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": size});
        platform
            .register_enterprise(&format!("E{e}"), &format!("Onderneming {e}"), &profile)
            .await
            .map_err(err)?;
    }
    // Submissions spread over the year, in date order; follow-ups in a queue by date.
    let mut submissions: Vec<(Date, u64)> = (1..=o.applications)
        .map(|a| (days(first, r.range(0, 364)), a))
        .collect();
    submissions.sort();
    let mut queue: BinaryHeap<Reverse<(Date, Step)>> = BinaryHeap::new();
    let mut plans: BTreeMap<u64, (Plan, Cents, Cents)> = BTreeMap::new();
    let mut clock = first;
    let mut next_submission = 0usize;
    let mut submitted = 0u64;
    loop {
        let due_step = queue.peek().map(|Reverse((d, _))| *d);
        let due_submission = submissions.get(next_submission).map(|(d, _)| *d);
        let date = match (due_step, due_submission) {
            (None, None) => break,
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
        };
        if date > clock {
            // The financial manager's weekly payout run, on the first day of a new week.
            let new_week = date.day_number().div_euclid(7) != clock.day_number().div_euclid(7);
            clock = date;
            platform.advance_clock(clock).await.map_err(err)?;
            if new_week {
                let id = format!("week-{clock}");
                summary.count_payout(&platform.payout_run(&id, clock).await.map_err(err)?);
            }
        }
        if due_submission == Some(date) && due_step.is_none_or(|s| s >= date) {
            let Some((d, app)) = submissions.get(next_submission).copied() else {
                break;
            };
            next_submission += 1;
            submitted += 1;
            if submitted.is_multiple_of(1_000) || submitted == o.applications {
                progress(submitted, o.applications);
            }
            let enterprise = format!("E{}", 1 + r.below(o.enterprises.max(1)));
            let provider = format!("P{}", 1 + r.below(o.providers.max(1)));
            let kind_advice = r.chance(10);
            let (theme, sub) = match r.below(10) {
                0..=1 => ("digitalisation", Some("cybersecurity")),
                2 => ("sustainability", Some("energy_efficiency")),
                3..=5 => ("people_management", Some("competence_policy")),
                6 => ("financial_literacy", Some("bookkeeping")),
                _ => ("business_strategy", None),
            };
            let (kind, theme, sub) = if kind_advice {
                ("advice", "digitalisation", Some("cybersecurity"))
            } else {
                ("training", theme, sub)
            };
            // About 2 % submitted too late; fees from €80 (some below the minimum) up.
            let start = days(
                d,
                -(if r.chance(2) {
                    r.range(15, 30)
                } else {
                    r.range(0, 14)
                }),
            );
            let fee = match r.below(100) {
                0..=1 => r.range(5_000, 9_999),
                2..=59 => r.range(30_000, 300_000),
                60..=94 => r.range(300_000, 1_500_000),
                _ => r.range(1_500_000, 4_000_000),
            };
            let fee = if kind == "advice" {
                fee.max(60_000)
            } else {
                fee
            };
            let mut costs = vec![CostRequest::new("fee", fee)];
            if kind == "training" && r.chance(30) {
                let persons = r.range(1, 8);
                costs.push(CostRequest {
                    persons: Some(persons),
                    days: Some(1),
                    ..CostRequest::new("catering", persons * r.range(1_500, 3_500))
                });
            }
            // Participants of a training: employees mostly; now and then a job student.
            let participants = if kind == "training" {
                (0..r.range(1, 3))
                    .map(|i| {
                        let status = match r.below(1000) {
                            0..=4 => WorkerStatus::JobStudent,
                            5..=199 => WorkerStatus::ManagerOrActivePartner,
                            _ => WorkerStatus::Employee,
                        };
                        (format!("Deelnemer {app}.{i}"), status)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let s = Submission {
                enterprise,
                application: format!("A{app}"),
                provider,
                submitted_on: d,
                service: ServiceRequest::new(kind, theme, sub, start),
                costs,
                size_group: None,
                participants,
            };
            summary.commands += 1;
            match platform.submit(&s).await {
                Ok(done) => {
                    summary.accepted += 1;
                    let p = plan(&mut r);
                    let a = &done.application;
                    plans.insert(app, (p, a.own_share, a.eligible));
                    let deposit_on = days(d, r.range(0, 13));
                    let pay_on = |r: &mut Rng, after: Date| days(after, r.range(10, 150));
                    match p {
                        Plan::Lapse => {}
                        Plan::WrongThenRight => {
                            queue.push(Reverse((days(d, 1), Step::Deposit { app, exact: false })));
                            queue.push(Reverse((
                                days(d, r.range(2, 14)),
                                Step::Deposit { app, exact: true },
                            )));
                            queue.push(Reverse((
                                days(d, r.range(30, 200)),
                                Step::Pay {
                                    app,
                                    part: 1,
                                    of: 1,
                                },
                            )));
                        }
                        Plan::LateDeposit => queue.push(Reverse((
                            days(d, r.range(15, 25)),
                            Step::Deposit { app, exact: true },
                        ))),
                        Plan::RefusedBeforeDeposit => {
                            queue.push(Reverse((days(d, r.range(0, 10)), Step::Refuse { app })))
                        }
                        Plan::RefusedAfterDeposit => {
                            queue.push(Reverse((deposit_on, Step::Deposit { app, exact: true })));
                            queue.push(Reverse((
                                days(deposit_on, r.range(1, 20)),
                                Step::Refuse { app },
                            )));
                        }
                        Plan::Stopped => {
                            queue.push(Reverse((deposit_on, Step::Deposit { app, exact: true })));
                            queue.push(Reverse((
                                days(deposit_on, r.range(5, 300)),
                                Step::Stop { app },
                            )));
                        }
                        Plan::StoppedAfterPartial => {
                            queue.push(Reverse((deposit_on, Step::Deposit { app, exact: true })));
                            let paid_on = pay_on(&mut r, deposit_on);
                            queue.push(Reverse((
                                paid_on,
                                Step::Pay {
                                    app,
                                    part: 1,
                                    of: 2,
                                },
                            )));
                            queue.push(Reverse((
                                days(paid_on, r.range(1, 200)),
                                Step::Stop { app },
                            )));
                        }
                        Plan::Expires => {
                            queue.push(Reverse((deposit_on, Step::Deposit { app, exact: true })));
                            queue.push(Reverse((
                                pay_on(&mut r, deposit_on),
                                Step::Pay {
                                    app,
                                    part: 1,
                                    of: 2,
                                },
                            )));
                        }
                        Plan::Paid { invoices } => {
                            queue.push(Reverse((deposit_on, Step::Deposit { app, exact: true })));
                            let mut on = deposit_on;
                            for part in 1..=invoices {
                                on = pay_on(&mut r, on)
                                    .min(Date::last_of_year(o.year + 1).unwrap_or(on));
                                queue.push(Reverse((
                                    on,
                                    Step::Pay {
                                        app,
                                        part,
                                        of: invoices,
                                    },
                                )));
                            }
                        }
                    }
                }
                Err(CommandError::SubmissionRejected { reasons }) => {
                    for reason in reasons {
                        *summary
                            .rejected_by_rules
                            .entry(reason.code().to_owned())
                            .or_default() += 1;
                    }
                }
                Err(e @ CommandError::NotAWorker { .. }) => {
                    *summary
                        .rejected_by_rules
                        .entry(e.code().to_owned())
                        .or_default() += 1;
                }
                Err(e) => return Err(err(e)),
            }
            continue;
        }
        let Some(Reverse((d, step))) = queue.pop() else {
            continue;
        };
        summary.commands += 1;
        let result = match step {
            Step::Deposit { app, exact } => {
                let Some((_, own, _)) = plans.get(&app) else {
                    continue;
                };
                let amount = if exact {
                    *own
                } else {
                    own.checked_add(Cents::new(100)).unwrap_or(*own)
                };
                platform
                    .deposit(
                        &DepositTarget::Application(format!("A{app}")),
                        amount,
                        d,
                        &format!("R{app}.{}", u8::from(exact)),
                    )
                    .await
                    .map(|_| ())
            }
            Step::Pay { app, part, of } => {
                let Some((_, _, eligible)) = plans.get(&app) else {
                    continue;
                };
                let share = eligible.get() / i64::from(of);
                let amount = if part == of {
                    eligible.get() - share * i64::from(of - 1)
                } else {
                    share
                };
                platform
                    .pay_order(
                        &format!("A{app}"),
                        Cents::new(amount),
                        d,
                        &format!("F{app}.{part}"),
                    )
                    .await
                    .map(|_| ())
            }
            Step::Stop { app } => platform
                .close(
                    &format!("A{app}"),
                    Closing::Stop,
                    d,
                    Some("plannen gewijzigd"),
                )
                .await
                .map(|_| ()),
            Step::Refuse { app } => platform
                .close(
                    &format!("A{app}"),
                    Closing::Refuse,
                    d,
                    Some("verkeerde dienstverlener"),
                )
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => {}
            Err(CommandError::Store(e)) => return Err(e),
            Err(_) => summary.commands_refused += 1,
        }
    }
    platform.advance_clock(end).await.map_err(err)?;
    let id = format!("final-{end}");
    summary.count_payout(&platform.payout_run(&id, end).await.map_err(err)?);
    summary.submitted = submitted;
    let apps = match platform.snapshot().await {
        Ok(s) => s.applications,
        Err(CommandError::Store(e)) => return Err(e),
        Err(e) => return Err(StoreError::Database(e.to_string())),
    };
    for (_, a) in &apps {
        *summary
            .final_states
            .entry(a.state.code().to_owned())
            .or_default() += 1;
        summary.subsidy_cents += a.subsidy.get();
        summary.paid_to_providers_cents += a.paid().get();
        summary.refunded_cents += a.refunded.get();
        summary.returned_deposits_cents += a.returned_deposits.get();
        summary.subsidy_returned_to_budget_cents += a.returned_to_budget.get();
        summary.subsidy_returned_to_ceiling_cents += a.returned_to_ceiling.get();
    }
    Ok(summary)
}
