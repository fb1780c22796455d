//! The year planner ("jaarplanner"): an enterprise's planned trainings and advice in; the
//! submission dates and order that get the most subsidy out of its annual ceilings, with every
//! deadline, out.
//!
//! Pure: no I/O, and "today" is the caller's. Every amount is the real rules engine's: each
//! planned item becomes a rules-eval.md case (the way the public simulator builds one) with the
//! `history` the plan has reached by then, and [`kmo_rules::evaluate`] decides it. Every
//! parameter — window, deposit and payment terms, ceilings — comes from the rule set in force
//! on the date concerned, never from a constant here.
//!
//! # The rules used (rules.md §5.2, §6.4, D3, D10, D11, D13)
//! - An application may be submitted from the enrolment (agreement) date, and not before
//!   today, up to start + `submission_days_after_start` days inclusive.
//! - The subsidy is reserved in the ceiling of the calendar year of the *submission*; so an
//!   item whose window crosses 1 January may use next year's ceiling by waiting until then.
//! - The own share is due `deposit_days_after_submission` days after submission; payment
//!   orders are accepted until 31 December of the submission year +
//!   `payment_deadline_years_after_submission`.
//!
//! # The search
//! Candidates per item: the earliest allowed day, and 1 January of each later year inside its
//! window (at most [`CANDIDATES_PER_ITEM_MAX`]). Every combination (at most
//! [`COMBINATIONS_MAX`]; the latest candidates of the longest lists are dropped first) is run
//! forward in submission-date order, then start-date order, each eligible subsidy added to
//! its year's reserved amount and to the de-minimis aid, so the engine caps at what is left.
//! The plan with the most subsidy wins; on a tie, the one with the earlier submission dates.

use std::collections::{BTreeMap, BTreeSet};

use kmo_domain::codes::Lang;
use kmo_domain::{Cents, Date, EnterpriseSize, ServiceKind, SubTheme, Theme};
use kmo_rules::case::History;
use kmo_rules::explain::explain;
use kmo_rules::{Case, Decision, Reason, RuleBook, evaluate, parse_case};
use serde_json::{Value, json};

/// Most planned items in one plan.
pub const PLAN_ITEMS_MAX: usize = 8;
/// Most candidate submission dates tried per item (the earliest day and the next three
/// 1 Januaries: a window longer than that is far beyond any payment deadline anyway).
pub const CANDIDATES_PER_ITEM_MAX: usize = 4;
/// Most combinations of candidates tried (each one evaluates every item once).
pub const COMBINATIONS_MAX: usize = 4096;
/// Longest label of a planned item, in characters.
pub const LABEL_CHARS_MAX: usize = 100;

/// The keys of the rules-eval.md `enterprise` object that give the size (replaced by the size
/// locked for the year or confirmed in the profile, as the platform does at submission).
const SIZE_KEYS: [&str; 4] = ["size", "periods", "partners", "linked"];

/// One planned training or advice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedItem {
    /// Free text, the enterprise's own name for it.
    pub label: String,
    pub kind: ServiceKind,
    pub theme: Theme,
    pub sub_theme: Option<SubTheme>,
    /// Whether the service is on the approved occupation-specific list (theme
    /// `occupation_specific` only).
    pub on_occupation_list: bool,
    /// First lesson (training) or start of the services (advice).
    pub start_date: Date,
    /// Enrolment or agreement date; `None` means today.
    pub enrolled_on: Option<Date>,
    /// The price excluding VAT (one fee line).
    pub cost: Cents,
}

/// What is already known about one calendar year of the enterprise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct YearFacts {
    /// Subsidy already reserved in this year's ceiling.
    pub reserved: Cents,
    /// The size locked at the year's first accepted application (D19), if any.
    pub size_lock: Option<EnterpriseSize>,
}

/// Everything the planner needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInput {
    pub today: Date,
    /// The rules-eval.md `enterprise` object (legal form, Flemish establishment, public
    /// share, NACE code, size or figures), as in the enterprise's profile.
    pub enterprise: Value,
    /// The size confirmed in the profile; `None` when the profile gives figures instead (the
    /// engine then derives the size), unless a year has a size lock.
    pub size: Option<EnterpriseSize>,
    /// Per calendar year: the ceiling already reserved and the size lock. A missing year has
    /// nothing reserved and no lock.
    pub years: BTreeMap<i32, YearFacts>,
    /// De-minimis aid already granted to the single undertaking. The plan's own subsidies are
    /// added to it as they are planned (conservative: none drops out of the window).
    pub de_minimis: Cents,
    pub items: Vec<PlannedItem>,
    /// The language of the engine's explanations.
    pub lang: Lang,
}

/// An input the planner refuses outright (per-item problems are reported on the item).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{given} planned items; at most {PLAN_ITEMS_MAX}")]
    TooManyItems { given: usize },
    #[error("the label of item {index} is longer than {LABEL_CHARS_MAX} characters")]
    LabelTooLong { index: usize },
}

/// The plan: the items in the order to apply in, each year's ceiling use, and the totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Eligible items in the order to apply in (with their position), then the ones the
    /// engine rejects, then the ones too late, then the ones that cannot be assessed.
    pub lines: Vec<PlanLine>,
    /// Every year the plan touches (and the current year), ascending.
    pub years: Vec<YearUse>,
    pub total_subsidy: Cents,
    pub total_own_share: Cents,
    pub total_eligible: Cents,
}

/// One planned item in the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanLine {
    /// Index of the item in the input.
    pub index: usize,
    pub label: String,
    pub kind: ServiceKind,
    pub start_date: Date,
    pub outcome: LineOutcome,
}

impl PlanLine {
    /// The place in the order to apply in (1 = first); only for eligible items.
    #[must_use]
    pub fn position(&self) -> Option<u32> {
        match &self.outcome {
            LineOutcome::Planned(p) => p.position,
            _ => None,
        }
    }
}

/// What the plan says about one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineOutcome {
    /// The engine decided it on the suggested date.
    Planned(Box<Planned>),
    /// Its submission window is empty: the last allowed day is before today or before the
    /// enrolment date.
    TooLate { last_day: Date },
    /// It cannot be assessed (the engine's input error, or a date out of range).
    Invalid { field: String, message: String },
}

/// An item the engine decided, on its suggested submission date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// 1-based place in the order to apply in; `None` when not eligible.
    pub position: Option<u32>,
    /// The first day it may be submitted (today or the enrolment date).
    pub earliest: Date,
    /// The suggested submission date.
    pub submit_on: Date,
    /// The last day it may be submitted.
    pub last_day: Date,
    pub eligible: bool,
    /// The rule set in force on the submission date (its id).
    pub rule_set: Option<String>,
    pub rate_bp: Option<u32>,
    pub eligible_amount: Cents,
    pub subsidy: Cents,
    pub own_share: Cents,
    /// The annual ceiling cut the subsidy (or left nothing of it).
    pub capped: bool,
    /// Own share to be deposited by this day.
    pub deposit_by: Option<Date>,
    /// Payment orders accepted until this day.
    pub pay_by: Option<Date>,
    /// Every failing rule (empty when eligible).
    pub reasons: Vec<Reason>,
    /// The engine's explanation, when not eligible.
    pub explanation: Option<String>,
    /// Set when the item waits past its earliest day (into a later year's ceiling) because
    /// that gains subsidy.
    pub moved: Option<Moved>,
}

/// Waiting gains subsidy: submitting on the earliest day instead would give the whole plan
/// `gained` less.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moved {
    pub from: Date,
    pub gained: Cents,
}

/// One calendar year's ceiling in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearUse {
    pub year: i32,
    /// `None` when the size is not known (figures without a decision in that year).
    pub ceiling: Option<Cents>,
    pub reserved_before: Cents,
    pub planned: Cents,
    pub left_after: Option<Cents>,
}

/// An item whose window is open: its candidate cases, one per submission date, earliest first.
#[derive(Debug)]
struct Open {
    index: usize,
    start: Date,
    earliest: Date,
    last_day: Date,
    cases: Vec<Case>,
}

/// One run of the plan forward.
#[derive(Debug)]
struct Run {
    total: Cents,
    /// Open-item indices in the order processed.
    order: Vec<usize>,
    /// Per open item: its decision.
    decisions: Vec<Option<Decision>>,
}

/// Makes the plan.
pub fn plan(book: &RuleBook, input: &PlanInput) -> Result<Plan, PlanError> {
    if input.items.len() > PLAN_ITEMS_MAX {
        return Err(PlanError::TooManyItems {
            given: input.items.len(),
        });
    }
    if let Some(index) = input
        .items
        .iter()
        .position(|i| i.label.chars().count() > LABEL_CHARS_MAX)
    {
        return Err(PlanError::LabelTooLong { index });
    }
    let mut open: Vec<Open> = Vec::new();
    let mut closed: Vec<PlanLine> = Vec::new();
    for (index, item) in input.items.iter().enumerate() {
        let line = |outcome| PlanLine {
            index,
            label: item.label.clone(),
            kind: item.kind,
            start_date: item.start_date,
            outcome,
        };
        match candidates(book, input, item) {
            Window::Closed(outcome) => closed.push(line(outcome)),
            Window::Open {
                earliest,
                last_day,
                dates,
            } => match cases(book, input, item, &dates) {
                Ok(cases) => open.push(Open {
                    index,
                    start: item.start_date,
                    earliest,
                    last_day,
                    cases,
                }),
                Err(e) => closed.push(line(LineOutcome::Invalid {
                    field: e.field,
                    message: e.message,
                })),
            },
        }
    }
    trim(&mut open);

    // Every combination, in mixed-radix order from "all earliest"; only a strictly better
    // plan replaces the best, so ties keep the earlier dates.
    let mut choice = vec![0usize; open.len()];
    let mut best: Option<(Cents, i64, Vec<usize>)> = None;
    loop {
        let run = run(book, input, &mut open, &choice);
        let days = day_sum(&open, &choice);
        let better = best.as_ref().is_none_or(|(total, best_days, _)| {
            run.total > *total || (run.total == *total && days < *best_days)
        });
        if better {
            best = Some((run.total, days, choice.clone()));
        }
        if !next(&mut choice, &open) {
            break;
        }
    }
    let (best_total, choice) = best.map_or((Cents::ZERO, Vec::new()), |(t, _, c)| (t, c));

    // What waiting gained: the same plan with that one item on its earliest day.
    let mut gains: Vec<Option<Cents>> = vec![None; open.len()];
    for (k, slot) in gains.iter_mut().enumerate() {
        if choice.get(k).copied().unwrap_or(0) > 0 {
            let mut earlier = choice.clone();
            if let Some(c) = earlier.get_mut(k) {
                *c = 0;
            }
            let base = run(book, input, &mut open, &earlier);
            *slot = best_total.checked_sub(base.total);
        }
    }
    // Last, so that each chosen case keeps the history it was decided with (for the
    // explanation).
    let chosen = run(book, input, &mut open, &choice);
    Ok(assemble(
        book, input, &open, &choice, &chosen, &gains, closed,
    ))
}

enum Window {
    Open {
        earliest: Date,
        last_day: Date,
        dates: Vec<Date>,
    },
    Closed(LineOutcome),
}

/// The submission window of an item and its candidate dates.
fn candidates(book: &RuleBook, input: &PlanInput, item: &PlannedItem) -> Window {
    let earliest = item.enrolled_on.map_or(input.today, |d| d.max(input.today));
    let rule_set = book.in_force(earliest).or_else(|| book.sets().first());
    let Some(last_day) = rule_set.and_then(|rs| rs.last_submission_day(item.start_date)) else {
        return Window::Closed(LineOutcome::Invalid {
            field: "start_date".into(),
            message: "the submission window cannot be computed for this start date".into(),
        });
    };
    if earliest > last_day {
        return Window::Closed(LineOutcome::TooLate { last_day });
    }
    let mut dates = vec![earliest];
    for year in earliest.year().saturating_add(1)..=last_day.year() {
        if dates.len() >= CANDIDATES_PER_ITEM_MAX {
            break;
        }
        if let Ok(d) = Date::first_of_year(year) {
            dates.push(d);
        }
    }
    Window::Open {
        earliest,
        last_day,
        dates,
    }
}

/// The size that applies in a year: its lock, else the profile's.
fn size_in(input: &PlanInput, year: i32) -> Option<EnterpriseSize> {
    input
        .years
        .get(&year)
        .and_then(|y| y.size_lock)
        .or(input.size)
}

/// The item as a rules-eval.md case on each date (history zero: a run fills it in).
fn cases(
    book: &RuleBook,
    input: &PlanInput,
    item: &PlannedItem,
    dates: &[Date],
) -> Result<Vec<Case>, kmo_rules::InputError> {
    let mut out = Vec::with_capacity(dates.len());
    for date in dates {
        let mut enterprise = input.enterprise.clone();
        if let (Some(size), Value::Object(map)) = (size_in(input, date.year()), &mut enterprise) {
            for k in SIZE_KEYS {
                map.remove(k);
            }
            map.insert("size".into(), Value::String(size.code().into()));
        }
        let case = json!({
            "submitted_on": date.to_string(),
            "enterprise": enterprise,
            "service": {"kind": item.kind.code(), "theme": item.theme.code(),
                "sub_theme": item.sub_theme.map(SubTheme::code),
                "start_date": item.start_date.to_string(), "topics": [],
                "on_occupation_list": item.on_occupation_list, "related_to_provider": false},
            "costs": [{"type": "fee", "amount_cents": item.cost.get()}],
        });
        out.push(parse_case(book, &case.to_string()).case?);
    }
    Ok(out)
}

/// Drops the latest candidates of the longest lists until the combinations fit the limit.
fn trim(open: &mut [Open]) {
    loop {
        let combinations = open
            .iter()
            .try_fold(1usize, |n, o| n.checked_mul(o.cases.len().max(1)));
        if combinations.is_some_and(|n| n <= COMBINATIONS_MAX) {
            return;
        }
        let Some(longest) = open.iter_mut().max_by_key(|o| o.cases.len()) else {
            return;
        };
        if longest.cases.len() <= 1 {
            return;
        }
        longest.cases.pop();
    }
}

/// The next combination (mixed radix); false after the last.
fn next(choice: &mut [usize], open: &[Open]) -> bool {
    for (c, o) in choice.iter_mut().zip(open) {
        if *c + 1 < o.cases.len() {
            *c += 1;
            return true;
        }
        *c = 0;
    }
    false
}

fn chosen_case<'a>(open: &'a [Open], choice: &[usize], k: usize) -> Option<&'a Case> {
    open.get(k)?.cases.get(choice.get(k).copied().unwrap_or(0))
}

fn day_sum(open: &[Open], choice: &[usize]) -> i64 {
    (0..open.len())
        .filter_map(|k| chosen_case(open, choice, k))
        .map(|c| i64::from(c.submitted_on.day_number()))
        .sum()
}

/// Runs one combination forward: in submission-date, then start-date order, each eligible
/// subsidy reserved in its year and added to the de-minimis aid before the next item. Each
/// chosen case keeps the history it was decided with.
fn run(book: &RuleBook, input: &PlanInput, open: &mut [Open], choice: &[usize]) -> Run {
    let mut order: Vec<usize> = (0..open.len()).collect();
    order.sort_by_key(|&k| {
        let date = chosen_case(open, choice, k).map(|c| c.submitted_on);
        let start = open.get(k).map(|o| o.start);
        (date, start, k)
    });
    let mut reserved: BTreeMap<i32, Cents> =
        input.years.iter().map(|(y, f)| (*y, f.reserved)).collect();
    let mut de_minimis = input.de_minimis;
    let mut total = Cents::ZERO;
    let mut decisions = vec![None; open.len()];
    for &k in &order {
        let pick = choice.get(k).copied().unwrap_or(0);
        let Some(case) = open.get_mut(k).and_then(|o| o.cases.get_mut(pick)) else {
            continue;
        };
        let year = case.submitted_on.year();
        let before = reserved.get(&year).copied().unwrap_or(Cents::ZERO);
        case.history = History {
            ceiling_reserved: before,
            de_minimis,
        };
        let d = evaluate(book, case);
        if d.is_eligible() {
            let add = |c: Cents| c.checked_add(d.subsidy).unwrap_or(c);
            reserved.insert(year, add(before));
            de_minimis = add(de_minimis);
            total = add(total);
        }
        if let Some(slot) = decisions.get_mut(k) {
            *slot = Some(d);
        }
    }
    Run {
        total,
        order,
        decisions,
    }
}

/// The plan as reported, from the chosen run.
fn assemble(
    book: &RuleBook,
    input: &PlanInput,
    open: &[Open],
    choice: &[usize],
    chosen: &Run,
    gains: &[Option<Cents>],
    closed: Vec<PlanLine>,
) -> Plan {
    let mut eligible_lines = Vec::new();
    let mut rejected_lines = Vec::new();
    let mut planned_per_year: BTreeMap<i32, (Cents, Option<EnterpriseSize>, Date)> =
        BTreeMap::new();
    let (mut total_subsidy, mut total_own_share, mut total_eligible) =
        (Cents::ZERO, Cents::ZERO, Cents::ZERO);
    for &k in &chosen.order {
        let (Some(o), Some(case), Some(Some(d))) = (
            open.get(k),
            chosen_case(open, choice, k),
            chosen.decisions.get(k),
        ) else {
            continue;
        };
        let Some(item) = input.items.get(o.index) else {
            continue;
        };
        let submit_on = case.submitted_on;
        let rs = d.rule_set.and_then(|i| book.get(i));
        let eligible = d.is_eligible();
        let entry =
            planned_per_year
                .entry(submit_on.year())
                .or_insert((Cents::ZERO, d.size, submit_on));
        if eligible {
            entry.0 = entry.0.checked_add(d.subsidy).unwrap_or(entry.0);
            total_subsidy = total_subsidy
                .checked_add(d.subsidy)
                .unwrap_or(total_subsidy);
            total_own_share = total_own_share
                .checked_add(d.own_share)
                .unwrap_or(total_own_share);
            total_eligible = total_eligible
                .checked_add(d.eligible)
                .unwrap_or(total_eligible);
        }
        let moved = gains
            .get(k)
            .copied()
            .flatten()
            .filter(|g| g.is_positive())
            .map(|gained| Moved {
                from: o.earliest,
                gained,
            });
        let planned = Planned {
            position: None,
            earliest: o.earliest,
            submit_on,
            last_day: o.last_day,
            eligible,
            rule_set: rs.map(|r| r.id.clone()),
            rate_bp: d.rate_bp,
            eligible_amount: d.eligible,
            subsidy: if eligible { d.subsidy } else { Cents::ZERO },
            own_share: if eligible { d.own_share } else { Cents::ZERO },
            capped: d.reasons.contains(Reason::AnnualCeilingExhausted)
                || (eligible && d.subsidy < d.raw_subsidy),
            deposit_by: rs.and_then(|r| submit_on.add_days(r.deposit_days_after_submission).ok()),
            pay_by: rs.and_then(|r| {
                Date::last_of_year(
                    submit_on
                        .year()
                        .saturating_add(r.payment_deadline_years_after_submission),
                )
                .ok()
            }),
            reasons: d.reasons.iter().collect(),
            explanation: (!eligible).then(|| explain(book, case, input.lang).1),
            moved,
        };
        let line = PlanLine {
            index: o.index,
            label: item.label.clone(),
            kind: item.kind,
            start_date: item.start_date,
            outcome: LineOutcome::Planned(Box::new(planned)),
        };
        if eligible {
            eligible_lines.push(line);
        } else {
            rejected_lines.push(line);
        }
    }
    for (n, line) in eligible_lines.iter_mut().enumerate() {
        if let LineOutcome::Planned(p) = &mut line.outcome {
            p.position = u32::try_from(n).ok().map(|n| n.saturating_add(1));
        }
    }
    let (too_late, invalid): (Vec<_>, Vec<_>) = closed
        .into_iter()
        .partition(|l| matches!(l.outcome, LineOutcome::TooLate { .. }));
    let mut lines = eligible_lines;
    lines.extend(rejected_lines);
    lines.extend(too_late);
    lines.extend(invalid);

    let mut year_set: BTreeSet<i32> = planned_per_year.keys().copied().collect();
    year_set.insert(input.today.year());
    let years = year_set
        .into_iter()
        .map(|year| {
            let (planned, decided_size, first) =
                planned_per_year
                    .get(&year)
                    .copied()
                    .unwrap_or((Cents::ZERO, None, input.today));
            // The ceiling of the rule set in force on the year's first planned submission
            // (today for the current year without one).
            let size = size_in(input, year).or(decided_size);
            let ceiling = size.and_then(|s| book.in_force(first)?.annual_ceiling(s));
            let reserved_before = input.years.get(&year).map_or(Cents::ZERO, |f| f.reserved);
            let left_after = ceiling.map(|c| {
                c.checked_sub(reserved_before)
                    .and_then(|l| l.checked_sub(planned))
                    .unwrap_or(Cents::ZERO)
                    .max(Cents::ZERO)
            });
            YearUse {
                year,
                ceiling,
                reserved_before,
                planned,
                left_after,
            }
        })
        .collect();
    Plan {
        lines,
        years,
        total_subsidy,
        total_own_share,
        total_eligible,
    }
}

#[cfg(test)]
mod tests;
