#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]
use super::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn book() -> RuleBook {
    RuleBook::embedded().unwrap()
}

fn item(label: &str, start: &str, euros: i64) -> PlannedItem {
    PlannedItem {
        label: label.into(),
        kind: ServiceKind::Training,
        theme: Theme::BusinessStrategy,
        sub_theme: None,
        on_occupation_list: false,
        start_date: d(start),
        enrolled_on: None,
        cost: Cents::from_euros(euros).unwrap(),
    }
}

fn input(items: Vec<PlannedItem>) -> PlanInput {
    PlanInput {
        today: d("2025-03-03"),
        enterprise: json!({"legal_form": "BV", "flemish_establishment": true,
            "public_bodies_pct": 0, "nace": "62.010", "size": "small"}),
        size: Some(EnterpriseSize::Small),
        years: BTreeMap::new(),
        de_minimis: Cents::ZERO,
        items,
        lang: Lang::Nl,
    }
}

fn planned(line: &PlanLine) -> &Planned {
    match &line.outcome {
        LineOutcome::Planned(p) => p,
        other => panic!("not planned: {other:?}"),
    }
}

fn line<'a>(plan: &'a Plan, label: &str) -> &'a PlanLine {
    plan.lines.iter().find(|l| l.label == label).unwrap()
}

#[test]
fn a_bound_ceiling_moves_an_early_january_item_to_next_years_ceiling() {
    let book = book();
    let mut i = input(vec![
        // Starts first in January, listed first: still planned second.
        item("Januari", "2025-12-29", 10_000),
        item("Groot", "2025-03-10", 25_000),
    ]);
    i.years.insert(
        2025,
        YearFacts {
            reserved: Cents::from_euros(1_000).unwrap(),
            size_lock: None,
        },
    );
    let plan = plan(&book, &i).unwrap();
    let big = planned(line(&plan, "Groot"));
    let jan = planned(line(&plan, "Januari"));
    // 2025: € 1.000 reserved, € 6.500 left; the big one takes it all (capped).
    assert_eq!(big.position, Some(1));
    assert_eq!(big.submit_on, d("2025-03-03"));
    assert_eq!(big.subsidy, Cents::from_euros(6_500).unwrap());
    assert!(big.capped && big.moved.is_none());
    assert_eq!(big.last_day, d("2025-03-24"));
    assert_eq!(big.deposit_by, Some(d("2025-03-17")));
    assert_eq!(big.pay_by, Some(d("2026-12-31")));
    // The January one waits for 2026's ceiling: € 3.000 instead of nothing.
    assert_eq!(jan.position, Some(2));
    assert_eq!(jan.submit_on, d("2026-01-01"));
    assert_eq!(jan.last_day, d("2026-01-12"));
    assert_eq!(jan.subsidy, Cents::from_euros(3_000).unwrap());
    assert_eq!(
        jan.moved,
        Some(Moved {
            from: d("2025-03-03"),
            gained: Cents::from_euros(3_000).unwrap()
        })
    );
    assert_eq!(jan.pay_by, Some(d("2027-12-31")));
    assert_eq!(plan.lines[0].label, "Groot");
    assert_eq!(plan.total_subsidy, Cents::from_euros(9_500).unwrap());
    assert_eq!(
        plan.years,
        vec![
            YearUse {
                year: 2025,
                ceiling: Some(Cents::from_euros(7_500).unwrap()),
                reserved_before: Cents::from_euros(1_000).unwrap(),
                planned: Cents::from_euros(6_500).unwrap(),
                left_after: Some(Cents::ZERO),
            },
            YearUse {
                year: 2026,
                ceiling: Some(Cents::from_euros(7_500).unwrap()),
                reserved_before: Cents::ZERO,
                planned: Cents::from_euros(3_000).unwrap(),
                left_after: Some(Cents::from_euros(4_500).unwrap()),
            },
        ]
    );
}

#[test]
fn without_a_bound_ceiling_nothing_waits() {
    let plan = plan(
        &book(),
        &input(vec![
            item("Januari", "2025-12-29", 1_000),
            item("Klein", "2025-03-10", 1_000),
        ]),
    )
    .unwrap();
    for l in &plan.lines {
        let p = planned(l);
        assert_eq!(p.submit_on, d("2025-03-03"), "{}", l.label);
        assert!(p.moved.is_none() && !p.capped);
    }
    // Same day: the earlier start first.
    assert_eq!(plan.lines[0].label, "Klein");
    assert_eq!(plan.years.len(), 1);
}

#[test]
fn an_item_whose_deadline_passed_is_flagged_with_its_deadline() {
    let mut late = item("Te laat", "2025-02-10", 1_000);
    late.enrolled_on = Some(d("2025-01-15"));
    let mut enrolled_after = item("Inschrijving na termijn", "2025-03-01", 1_000);
    enrolled_after.enrolled_on = Some(d("2025-03-20"));
    let plan = plan(&book(), &input(vec![late, enrolled_after])).unwrap();
    assert_eq!(
        line(&plan, "Te laat").outcome,
        LineOutcome::TooLate {
            last_day: d("2025-02-24")
        }
    );
    assert_eq!(
        line(&plan, "Inschrijving na termijn").outcome,
        LineOutcome::TooLate {
            last_day: d("2025-03-15")
        }
    );
    assert_eq!(plan.total_subsidy, Cents::ZERO);
    // A later enrolment date is the earliest day.
    let mut later = item("Later", "2025-04-01", 1_000);
    later.enrolled_on = Some(d("2025-03-20"));
    let plan = super::plan(&book(), &input(vec![later])).unwrap();
    assert_eq!(planned(&plan.lines[0]).submit_on, d("2025-03-20"));
}

#[test]
fn the_enhanced_rate_is_the_engines() {
    let mut cyber = item("Cyber", "2025-04-01", 1_000);
    cyber.theme = Theme::Digitalisation;
    cyber.sub_theme = Some(SubTheme::Cybersecurity);
    let mut energy = item("Energie", "2025-04-01", 1_000);
    energy.theme = Theme::Sustainability;
    energy.sub_theme = Some(SubTheme::EnergyEfficiency);
    let mut medium = input(vec![cyber.clone(), energy]);
    medium.years.insert(
        2025,
        YearFacts {
            reserved: Cents::ZERO,
            size_lock: Some(EnterpriseSize::Medium),
        },
    );
    let plan = plan(&book(), &input(vec![cyber])).unwrap();
    let p = planned(&plan.lines[0]);
    assert_eq!(
        (p.rate_bp, p.subsidy),
        (Some(4_500), Cents::from_euros(450).unwrap())
    );
    assert_eq!(p.rule_set.as_deref(), Some("R2024"));
    // The size locked for the year wins over the profile's: medium, 35 %.
    let plan = super::plan(&book(), &medium).unwrap();
    for l in &plan.lines {
        assert_eq!(planned(l).rate_bp, Some(3_500), "{}", l.label);
    }
}

#[test]
fn de_minimis_counts_the_plans_own_aid() {
    let mut i = input(vec![
        item("Eerste", "2025-04-01", 2_000),
        item("Tweede", "2025-04-02", 2_000),
    ]);
    // € 300.000 over three years (R2024); € 600 of subsidy each.
    i.de_minimis = Cents::from_euros(298_900).unwrap();
    let plan = plan(&book(), &i).unwrap();
    let first = planned(line(&plan, "Eerste"));
    let second = planned(line(&plan, "Tweede"));
    assert!(first.eligible && first.position == Some(1));
    assert!(!second.eligible && second.position.is_none());
    assert_eq!(second.reasons, vec![Reason::DeMinimisCeiling]);
    assert!(
        second
            .explanation
            .as_deref()
            .unwrap()
            .contains("de minimis")
    );
    assert_eq!(plan.lines[1].label, "Tweede");
    assert_eq!(plan.total_subsidy, Cents::from_euros(600).unwrap());
}

#[test]
fn advice_has_a_higher_minimum_than_training() {
    let training = item("Opleiding", "2025-04-01", 100);
    let mut small_advice = item("Klein advies", "2025-04-01", 400);
    small_advice.kind = ServiceKind::Advice;
    let mut advice = item("Advies", "2025-04-01", 500);
    advice.kind = ServiceKind::Advice;
    let plan = plan(&book(), &input(vec![training, small_advice, advice])).unwrap();
    assert!(planned(line(&plan, "Opleiding")).eligible);
    assert!(planned(line(&plan, "Advies")).eligible);
    let small = planned(line(&plan, "Klein advies"));
    assert_eq!(small.reasons, vec![Reason::BelowMinimumAdvice]);
    assert_eq!(small.subsidy, Cents::ZERO);
    assert_eq!(plan.total_subsidy, Cents::new(3_000 + 15_000));
}

#[test]
fn odd_input_is_reported_never_a_panic() {
    let book = book();
    let too_many = input(vec![item("x", "2025-04-01", 100); PLAN_ITEMS_MAX + 1]);
    assert_eq!(
        plan(&book, &too_many),
        Err(PlanError::TooManyItems {
            given: PLAN_ITEMS_MAX + 1
        })
    );
    let long = input(vec![item(
        &"x".repeat(LABEL_CHARS_MAX + 1),
        "2025-04-01",
        100,
    )]);
    assert_eq!(
        plan(&book, &long),
        Err(PlanError::LabelTooLong { index: 0 })
    );
    assert!(plan(&book, &input(Vec::new())).unwrap().lines.is_empty());

    let mut zero = item("Nul", "2025-04-01", 0);
    zero.cost = Cents::ZERO;
    let mut huge = item("Enorm", "2025-04-01", 0);
    huge.cost = Cents::new(i64::MAX);
    let mut negative = item("Negatief", "2025-04-01", 0);
    negative.cost = Cents::new(-5);
    let end_of_time = item("Einde", "9999-12-31", 1_000);
    let mut far = item("Ver", "2031-01-05", 1_000);
    far.enrolled_on = Some(d("2000-01-01"));
    let plan = plan(
        &book,
        &input(vec![zero, huge, negative, end_of_time, far.clone()]),
    )
    .unwrap();
    for label in ["Nul", "Enorm", "Negatief", "Einde"] {
        assert!(
            matches!(line(&plan, label).outcome, LineOutcome::Invalid { .. }),
            "{label}"
        );
    }
    // A window over six years: at most four candidates, earliest first.
    let p = planned(line(&plan, "Ver"));
    assert_eq!(p.submit_on, d("2025-03-03"));

    // Eight items with long windows: the combinations are capped.
    let many = input(vec![far; PLAN_ITEMS_MAX]);
    let plan = super::plan(&book, &many).unwrap();
    assert_eq!(plan.lines.len(), PLAN_ITEMS_MAX);
    assert!(plan.total_subsidy <= Cents::from_euros(7_500 * 4).unwrap());

    // No size anywhere and no figures: the engine's input error on every item.
    let mut unknown = input(vec![item("Zonder grootte", "2025-04-01", 1_000)]);
    unknown.size = None;
    unknown.enterprise = json!({"legal_form": "BV", "flemish_establishment": true,
        "public_bodies_pct": 0});
    let plan = super::plan(&book, &unknown).unwrap();
    assert!(matches!(plan.lines[0].outcome, LineOutcome::Invalid { .. }));
    assert_eq!(plan.years[0].ceiling, None);
    // Not even an object.
    unknown.enterprise = Value::Null;
    unknown.size = Some(EnterpriseSize::Small);
    let plan = super::plan(&book, &unknown).unwrap();
    assert!(matches!(plan.lines[0].outcome, LineOutcome::Invalid { .. }));
    // Reserved above the ceiling: nothing left, never negative.
    let mut over = input(vec![item("Over", "2025-04-01", 1_000)]);
    over.years.insert(
        2025,
        YearFacts {
            reserved: Cents::from_euros(9_000).unwrap(),
            size_lock: None,
        },
    );
    let plan = super::plan(&book, &over).unwrap();
    assert_eq!(plan.years[0].left_after, Some(Cents::ZERO));
    let p = planned(&plan.lines[0]);
    assert!(p.capped && !p.eligible);
    assert_eq!(p.reasons, vec![Reason::AnnualCeilingExhausted]);
}
