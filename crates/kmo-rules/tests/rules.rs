//! One test per rule of rules.md and per edge semantic of rules-eval.md, plus the property tests
//! the rule book implies. Each test starts from one eligible case and changes what it is about.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should stop the test"
)]

use kmo_domain::{Cents, Date};
use kmo_rules::sample::SampleCases;
use kmo_rules::{Decision, InputError, Reason, RuleBook, evaluate, parse_case};
use proptest::prelude::*;
use serde_json::{Value, json};

fn book() -> RuleBook {
    RuleBook::embedded().unwrap()
}

/// A small NV training of €1,000 submitted 2024-03-10, five days after its start: eligible.
fn base() -> Value {
    json!({
        "id": "T",
        "submitted_on": "2024-03-10",
        "enterprise": {"legal_form": "NV", "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": "small"},
        "service": {"kind": "training", "theme": "digitalisation", "sub_theme": null, "start_date": "2024-03-05", "topics": []},
        "costs": [{"type": "fee", "amount_cents": 100000}],
        "history": {"ceiling_reserved_cents": 0, "de_minimis_cents": 0}
    })
}

fn decide(case: &Value) -> Decision {
    let b = book();
    let text = case.to_string();
    let parsed = parse_case(&b, &text);
    evaluate(&b, &parsed.case.unwrap_or_else(|e| panic!("{e}")))
}

fn input_error(case: &Value) -> InputError {
    parse_case(&book(), &case.to_string()).case.unwrap_err()
}

/// `case` with the value at `pointer` set (an object key is added when absent).
fn with(mut case: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = case.pointer_mut(pointer) {
        *slot = value;
        return case;
    }
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    case.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no {parent}"))
        .insert(key.to_owned(), value);
    case
}

fn reasons(d: &Decision) -> Vec<Reason> {
    d.reasons.iter().collect()
}

#[test]
fn the_base_case_is_eligible_at_30_percent() {
    let d = decide(&base());
    assert!(d.is_eligible());
    assert_eq!(
        (d.subsidy, d.own_share, d.rate_bp),
        (Cents::new(30_000), Cents::new(70_000), Some(3000))
    );
}

#[test]
fn before_april_2016_the_only_reason_is_no_rules_in_force() {
    let case = with(
        with(base(), "/submitted_on", json!("2016-03-31")),
        "/enterprise/legal_form",
        json!("VZW"),
    );
    let case = with(case, "/service/start_date", json!("2016-03-30"));
    let d = decide(&case);
    assert_eq!(reasons(&d), [Reason::NoRulesInForce]);
    assert_eq!(d.rule_set, None);
}

#[test]
fn every_failing_rule_is_listed_not_only_the_first() {
    let case = with(base(), "/enterprise/legal_form", json!("vzw"));
    let case = with(case, "/enterprise/flemish_establishment", json!(false));
    let case = with(case, "/service/related_to_provider", json!(true));
    let case = with(case, "/costs/0/amount_cents", json!(5000));
    assert_eq!(
        reasons(&decide(&case)),
        [
            Reason::LegalFormNotAccepted,
            Reason::NotInFlanders,
            Reason::RelatedProvider,
            Reason::BelowMinimumTraining
        ]
    );
}

#[test]
fn public_participation_of_25_percent_is_rejected_and_24_99_is_not() {
    assert_eq!(
        reasons(&decide(&with(
            base(),
            "/enterprise/public_bodies_pct",
            json!(25)
        ))),
        [Reason::PublicParticipation25]
    );
    assert!(decide(&with(base(), "/enterprise/public_bodies_pct", json!(24.99))).is_eligible());
}

#[test]
fn agriculture_and_fishing_main_activities_are_excluded() {
    assert_eq!(
        reasons(&decide(&with(base(), "/enterprise/nace", json!("01.110")))),
        [Reason::MainActivityNotAccepted]
    );
    assert_eq!(
        reasons(&decide(&with(base(), "/enterprise/nace", json!("03.120")))),
        [Reason::MainActivityNotAccepted]
    );
    assert!(decide(&with(base(), "/enterprise/nace", json!("02.100"))).is_eligible());
}

#[test]
fn a_large_enterprise_is_not_an_sme_and_gets_no_rate_ceiling_or_de_minimis_check() {
    let case = with(base(), "/enterprise/size", json!("large"));
    let case = with(case, "/history/ceiling_reserved_cents", json!(750_000));
    let case = with(case, "/history/de_minimis_cents", json!(1_000_000));
    let d = decide(&case);
    assert_eq!(reasons(&d), [Reason::NotSme]);
    assert_eq!((d.rate_bp, d.subsidy), (None, Cents::ZERO));
    // …but the minimum amount is still judged (edge semantics 4).
    let d = decide(&with(case, "/costs/0/amount_cents", json!(100)));
    assert_eq!(reasons(&d), [Reason::NotSme, Reason::BelowMinimumTraining]);
}

#[test]
fn an_excluded_topic_is_rejected_from_july_2020_but_not_before() {
    let case = with(base(), "/service/topics", json!(["team_building"]));
    assert_eq!(reasons(&decide(&case)), [Reason::ExcludedService]);
    let old = with(
        with(case, "/submitted_on", json!("2020-06-30")),
        "/service/start_date",
        json!("2020-06-29"),
    );
    assert!(decide(&old).is_eligible());
}

#[test]
fn an_unknown_topic_code_is_an_input_error_in_every_rule_set() {
    let case = with(base(), "/service/topics", json!(["yoga"]));
    assert_eq!(input_error(&case).field, "service.topics[0]");
    let old = with(
        with(case, "/submitted_on", json!("2017-01-10")),
        "/service/start_date",
        json!("2017-01-09"),
    );
    assert_eq!(input_error(&old).field, "service.topics[0]");
}

#[test]
fn from_2023_a_missing_or_unknown_theme_is_rejected_and_sub_theme_checks_are_skipped() {
    assert_eq!(
        reasons(&decide(&with(base(), "/service/theme", json!(null)))),
        [Reason::UnknownTheme]
    );
    let case = with(
        with(base(), "/service/theme", json!("astrology_for_managers")),
        "/service/sub_theme",
        json!("taxation"),
    );
    assert_eq!(reasons(&decide(&case)), [Reason::UnknownTheme]);
    // Before 2023 any theme string is accepted.
    let old = with(
        with(case, "/submitted_on", json!("2022-12-31")),
        "/service/start_date",
        json!("2022-12-30"),
    );
    assert!(decide(&old).is_eligible());
}

#[test]
fn a_theme_that_is_not_a_string_is_an_input_error() {
    assert_eq!(
        input_error(&with(base(), "/service/theme", json!(7))).field,
        "service.theme"
    );
}

#[test]
fn themes_with_sub_topics_require_one() {
    for theme in ["sustainability", "financial_literacy", "people_management"] {
        assert_eq!(
            reasons(&decide(&with(base(), "/service/theme", json!(theme)))),
            [Reason::SubThemeRequired],
            "{theme}"
        );
    }
}

#[test]
fn a_sub_theme_of_another_theme_gives_only_sub_theme_not_in_theme() {
    let case = with(
        with(base(), "/service/theme", json!("sustainability")),
        "/service/sub_theme",
        json!("taxation"),
    );
    assert_eq!(reasons(&decide(&case)), [Reason::SubThemeNotInTheme]);
    let case = with(
        with(base(), "/service/theme", json!("innovation")),
        "/service/sub_theme",
        json!("cybersecurity"),
    );
    assert_eq!(reasons(&decide(&case)), [Reason::SubThemeNotInTheme]);
    let case = with(base(), "/service/sub_theme", json!("quantum"));
    assert_eq!(reasons(&decide(&case)), [Reason::SubThemeNotInTheme]);
}

#[test]
fn the_enhanced_rate_follows_the_sub_theme_even_when_it_does_not_fit_the_theme() {
    let case = with(
        with(base(), "/service/theme", json!("innovation")),
        "/service/sub_theme",
        json!("cybersecurity"),
    );
    assert_eq!(decide(&case).rate_bp, Some(4500));
}

#[test]
fn occupation_specific_services_must_be_on_the_list() {
    let case = with(base(), "/service/theme", json!("occupation_specific"));
    assert_eq!(
        reasons(&decide(&case)),
        [Reason::NotOnOccupationSpecificList]
    );
    assert!(decide(&with(case, "/service/on_occupation_list", json!(true))).is_eligible());
}

#[test]
fn from_february_2026_advice_is_eligible_only_for_cybersecurity() {
    let advice = with(base(), "/service/kind", json!("advice"));
    let advice = with(
        with(advice, "/submitted_on", json!("2026-02-01")),
        "/service/start_date",
        json!("2026-01-30"),
    );
    assert_eq!(reasons(&decide(&advice)), [Reason::AdviceOnlyCybersecurity]);
    let cyber = with(advice.clone(), "/service/sub_theme", json!("cybersecurity"));
    assert_eq!(
        (decide(&cyber).is_eligible(), decide(&cyber).rate_bp),
        (true, Some(4500))
    );
    // Training is unchanged.
    assert!(decide(&with(advice, "/service/kind", json!("training"))).is_eligible());
}

#[test]
fn energy_efficiency_is_enhanced_for_advice_until_january_2026_and_for_training_only_after() {
    let case = with(
        with(base(), "/service/theme", json!("sustainability")),
        "/service/sub_theme",
        json!("energy_efficiency"),
    );
    let advice = with(case.clone(), "/service/kind", json!("advice"));
    assert_eq!(decide(&advice).rate_bp, Some(4500));
    let training_2026 = with(
        with(case, "/submitted_on", json!("2026-03-02")),
        "/service/start_date",
        json!("2026-03-01"),
    );
    assert_eq!(decide(&training_2026).rate_bp, Some(4500));
    let energy_2023 = with(
        with(training_2026, "/submitted_on", json!("2023-05-02")),
        "/service/start_date",
        json!("2023-05-01"),
    );
    assert_eq!(decide(&energy_2023).rate_bp, Some(3000));
}

#[test]
fn day_14_after_the_start_is_in_time_and_day_15_is_too_late() {
    let case = with(base(), "/service/start_date", json!("2024-02-25"));
    assert!(decide(&with(case.clone(), "/submitted_on", json!("2024-03-10"))).is_eligible());
    assert_eq!(
        reasons(&decide(&with(case, "/submitted_on", json!("2024-03-11")))),
        [Reason::SubmissionTooLate]
    );
}

#[test]
fn catering_is_capped_per_line_and_separately_invoiced_catering_is_ineligible() {
    let case = with(
        base(),
        "/costs",
        json!([
            {"type": "fee", "amount_cents": 50000},
            {"type": "catering", "amount_cents": 6000, "persons": 2, "days": 1},
            {"type": "catering", "amount_cents": 1000, "persons": 1, "days": 1, "separate_invoice": true},
            {"type": "trainer_travel", "amount_cents": 2000, "separate_invoice": true},
            {"type": "course_material", "amount_cents": 3000, "used_only_in_training": false},
            {"type": "exam_fee", "amount_cents": 4000},
            {"type": "equipment", "amount_cents": 5000},
            {"type": "other_ineligible", "amount_cents": 100}
        ]),
    );
    let d = decide(&case);
    assert_eq!(d.eligible, Cents::new(55_000));
    assert_eq!(
        d.ineligible,
        Cents::new(1000 + 1000 + 2000 + 3000 + 4000 + 5000 + 100)
    );
}

#[test]
fn a_catering_line_needs_persons_and_days_even_on_a_separate_invoice() {
    let case = with(
        base(),
        "/costs/0",
        json!({"type": "catering", "amount_cents": 100, "separate_invoice": true, "days": 1}),
    );
    assert_eq!(input_error(&case).field, "costs[0].persons");
}

#[test]
fn the_advice_minimum_is_500_euro() {
    let case = with(
        with(base(), "/service/kind", json!("advice")),
        "/costs/0/amount_cents",
        json!(49_999),
    );
    assert_eq!(reasons(&decide(&case)), [Reason::BelowMinimumAdvice]);
    assert!(decide(&with(case, "/costs/0/amount_cents", json!(50_000))).is_eligible());
}

#[test]
fn the_ceiling_caps_the_subsidy_and_more_reserved_than_the_ceiling_leaves_nothing() {
    let d = decide(&with(
        base(),
        "/history/ceiling_reserved_cents",
        json!(740_000),
    ));
    assert_eq!(
        (d.subsidy, d.own_share),
        (Cents::new(10_000), Cents::new(90_000))
    );
    let d = decide(&with(
        base(),
        "/history/ceiling_reserved_cents",
        json!(800_000),
    ));
    assert_eq!(reasons(&d), [Reason::AnnualCeilingExhausted]);
}

#[test]
fn the_2016_ceiling_depends_on_the_size() {
    let case = with(
        with(base(), "/submitted_on", json!("2018-05-10")),
        "/service/start_date",
        json!("2018-05-09"),
    );
    let case = with(case, "/costs/0/amount_cents", json!(5_000_000));
    assert_eq!(decide(&case).subsidy, Cents::new(1_000_000));
    assert_eq!(
        decide(&with(case, "/enterprise/size", json!("medium"))).subsidy,
        Cents::new(1_500_000)
    );
}

#[test]
fn de_minimis_is_all_or_nothing_on_the_capped_subsidy() {
    // Capped subsidy is 0 (ceiling used): fails only if prior aid alone is over the ceiling.
    let used = with(base(), "/history/ceiling_reserved_cents", json!(750_000));
    assert_eq!(
        reasons(&decide(&with(
            used.clone(),
            "/history/de_minimis_cents",
            json!(30_000_000)
        ))),
        [Reason::AnnualCeilingExhausted]
    );
    assert_eq!(
        reasons(&decide(&with(
            used,
            "/history/de_minimis_cents",
            json!(30_000_001)
        ))),
        [Reason::AnnualCeilingExhausted, Reason::DeMinimisCeiling]
    );
    assert!(
        decide(&with(
            base(),
            "/history/de_minimis_cents",
            json!(29_970_000)
        ))
        .is_eligible()
    );
    assert_eq!(
        reasons(&decide(&with(
            base(),
            "/history/de_minimis_cents",
            json!(29_970_001)
        ))),
        [Reason::DeMinimisCeiling]
    );
}

#[test]
fn size_moves_only_when_thresholds_are_crossed_in_two_consecutive_periods() {
    let period = |year: i32, awu: i64| json!({"year": year, "awu": awu, "turnover_cents": 100_000_000, "balance_sheet_cents": 100_000_000});
    let sized = |periods: Value| {
        let mut case = base();
        case["enterprise"].as_object_mut().unwrap().remove("size");
        case["enterprise"]["periods"] = periods;
        decide(&case).size.unwrap().code()
    };
    // large, medium, small → medium (the D15 example).
    assert_eq!(
        sized(json!([
            period(2020, 300),
            period(2021, 100),
            period(2022, 10)
        ])),
        "medium"
    );
    assert_eq!(sized(json!([period(2021, 10), period(2022, 60)])), "small");
    assert_eq!(
        sized(json!([
            period(2021, 10),
            period(2022, 60),
            period(2023, 70)
        ])),
        "medium"
    );
    assert_eq!(
        sized(json!([
            period(2021, 300),
            period(2022, 40),
            period(2023, 300)
        ])),
        "large"
    );
}

#[test]
fn partners_count_at_their_higher_share_and_below_25_percent_not_at_all() {
    let mut case = base();
    case["enterprise"].as_object_mut().unwrap().remove("size");
    case["enterprise"]["periods"] = json!([{"year": 2023, "awu": 30, "turnover_cents": 100_000_000, "balance_sheet_cents": 100_000_000}]);
    let partner = |capital: f64, voting: f64| json!([{"capital_pct": capital, "voting_pct": voting, "figures": {"awu": 80, "turnover_cents": 0, "balance_sheet_cents": 0}}]);
    // 30 + 25 % × 80 = 50 AWU: not small.
    let d = decide(&with(
        case.clone(),
        "/enterprise/partners",
        partner(10.0, 25.0),
    ));
    assert_eq!(d.size.unwrap().code(), "medium");
    // 24.99 %: ignored.
    let d = decide(&with(
        case.clone(),
        "/enterprise/partners",
        partner(24.99, 24.99),
    ));
    assert_eq!(d.size.unwrap().code(), "small");
    // 50.01 %: must be given as linked.
    assert_eq!(
        input_error(&with(case, "/enterprise/partners", partner(50.01, 0.0))).field,
        "enterprise.partners[0]"
    );
}

#[test]
fn partner_shares_are_aggregated_exactly_without_rounding() {
    // 49.99 + 33.33 % × 0.03 AWU = 49.9999 AWU: still below 50.
    let mut case = base();
    case["enterprise"].as_object_mut().unwrap().remove("size");
    case["enterprise"]["periods"] =
        json!([{"year": 2023, "awu": 49.99, "turnover_cents": 1, "balance_sheet_cents": 1}]);
    case["enterprise"]["partners"] = json!([{"capital_pct": 33.33, "voting_pct": 0, "figures": {"awu": 0.03, "turnover_cents": 0, "balance_sheet_cents": 0}}]);
    assert_eq!(decide(&case).size.unwrap().code(), "small");
}

#[test]
fn partner_periods_must_cover_every_year_of_the_enterprise() {
    let mut case = base();
    case["enterprise"].as_object_mut().unwrap().remove("size");
    case["enterprise"]["periods"] = json!([
        {"year": 2022, "awu": 1, "turnover_cents": 1, "balance_sheet_cents": 1},
        {"year": 2023, "awu": 1, "turnover_cents": 1, "balance_sheet_cents": 1}
    ]);
    case["enterprise"]["linked"] = json!([{"periods": [{"year": 2023, "awu": 1, "turnover_cents": 1, "balance_sheet_cents": 1}]}]);
    let e = input_error(&case);
    assert_eq!(e.field, "enterprise.linked[0].periods");
    assert!(e.message.contains("2022"), "{}", e.message);
}

#[test]
fn bad_input_names_the_field_and_the_reason() {
    let cases = [
        (
            with(base(), "/enterprise/size", json!("tiny")),
            "enterprise.size",
        ),
        (
            with(base(), "/enterprise/nace", json!("62010")),
            "enterprise.nace",
        ),
        (
            with(base(), "/enterprise/public_bodies_pct", json!(100.01)),
            "enterprise.public_bodies_pct",
        ),
        (
            with(base(), "/enterprise/public_bodies_pct", json!("0")),
            "enterprise.public_bodies_pct",
        ),
        (
            with(base(), "/costs/0/amount_cents", json!(1_000_000_001)),
            "costs[0].amount_cents",
        ),
        (
            with(base(), "/costs/0/amount_cents", json!(0)),
            "costs[0].amount_cents",
        ),
        (
            with(base(), "/history/ceiling_reserved_cents", json!(-1)),
            "history.ceiling_reserved_cents",
        ),
        (with(base(), "/id", json!(12)), "id"),
        (
            with(base(), "/service/kind", json!("coaching")),
            "service.kind",
        ),
        (
            with(base(), "/service/start_date", json!("2024-13-01")),
            "service.start_date",
        ),
        (
            with(base(), "/enterprise/flemish_establishment", json!("yes")),
            "enterprise.flemish_establishment",
        ),
    ];
    for (case, field) in cases {
        let e = input_error(&case);
        assert_eq!(e.field, field, "{e}");
        assert!(!e.message.is_empty());
    }
    let mut both = base();
    both["enterprise"]["periods"] =
        json!([{"year": 2023, "awu": 1, "turnover_cents": 1, "balance_sheet_cents": 1}]);
    assert_eq!(input_error(&both).field, "enterprise");
}

#[test]
fn inputs_are_bounded() {
    let many = json!(
        (0..101)
            .map(|_| json!({"type": "fee", "amount_cents": 100}))
            .collect::<Vec<_>>()
    );
    assert!(
        input_error(&with(base(), "/costs", many))
            .message
            .contains("more than 100")
    );
    let long = "x".repeat(201);
    assert_eq!(input_error(&with(base(), "/id", json!(long))).field, "id");
    let total = json!(
        (0..11)
            .map(|_| json!({"type": "fee", "amount_cents": 100_000_000}))
            .collect::<Vec<_>>()
    );
    assert!(
        input_error(&with(base(), "/costs", total))
            .message
            .contains("absurdly large")
    );
}

#[test]
fn null_counts_as_absent_and_unknown_fields_are_ignored() {
    let mut case = base();
    case["history"] = json!(null);
    case["service"]["topics"] = json!(null);
    case["whatever"] = json!({"nested": [1, 2]});
    case["enterprise"]["nace"] = json!(null);
    assert!(decide(&case).is_eligible());
}

#[test]
fn escaped_strings_in_the_input_are_read_correctly() {
    let text = base()
        .to_string()
        .replace("\"digitalisation\"", "\"digitalis\\u0061tion\"");
    let b = book();
    let parsed = parse_case(&b, &text);
    assert!(evaluate(&b, &parsed.case.unwrap()).is_eligible());
}

fn sample_case(seed: u64) -> Value {
    let mut s = String::new();
    SampleCases::new(seed).write_next(&mut s);
    serde_json::from_str(&s).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn subsidy_plus_own_share_is_the_eligible_amount(seed in any::<u64>()) {
        let d = decide(&sample_case(seed));
        if d.rule_set.is_some() {
            prop_assert_eq!(d.subsidy.checked_add(d.own_share), Some(d.eligible));
        }
    }

    #[test]
    fn the_subsidy_never_exceeds_the_remaining_ceiling(seed in any::<u64>(), reserved in 0i64..1_600_000) {
        let case = with(sample_case(seed), "/history/ceiling_reserved_cents", json!(reserved));
        let d = decide(&case);
        if let Some(rs) = d.rule_set.and_then(|i| book().get(i).cloned())
            && let Some(ceiling) = d.size.and_then(|s| rs.annual_ceiling(s))
        {
            let remaining = (ceiling.get() - reserved).max(0);
            prop_assert!(d.subsidy.get() <= remaining);
            prop_assert!(d.subsidy.get() <= d.raw_subsidy.get());
        }
    }

    #[test]
    fn raising_the_eligible_amount_never_lowers_the_subsidy(seed in any::<u64>(), extra in 1i64..2_000_000) {
        let case = sample_case(seed);
        let fee = case["costs"][0]["amount_cents"].as_i64().unwrap();
        let lower = decide(&case);
        let higher = decide(&with(case, "/costs/0/amount_cents", json!(fee + extra)));
        prop_assert!(higher.eligible >= lower.eligible);
        prop_assert!(higher.subsidy >= lower.subsidy);
    }

    #[test]
    fn the_rule_set_applied_is_the_one_in_force_on_the_submission_date(day in 16_000i32..21_000) {
        let date = Date::from_day_number(day).unwrap();
        let start = date.add_days(-3).unwrap();
        let case = with(with(base(), "/submitted_on", json!(date.to_string())), "/service/start_date", json!(start.to_string()));
        let b = book();
        let d = decide(&case);
        let expected = b.sets().iter().enumerate().filter(|(_, s)| s.valid_from <= date).map(|(i, _)| i).next_back();
        prop_assert_eq!(d.rule_set.map(usize::from), expected);
        if let Some(i) = expected {
            let next = b.sets().get(i + 1);
            prop_assert!(b.sets()[i].valid_from <= date && next.is_none_or(|n| date < n.valid_from));
        }
    }

    #[test]
    fn no_input_makes_the_parser_panic(text in "\\PC{0,200}") {
        let _ = parse_case(&book(), &text);
    }

    #[test]
    fn mangled_cases_get_an_answer_never_a_panic(seed in any::<u64>(), cut in 0usize..400) {
        let mut s = String::new();
        SampleCases::new(seed).write_next(&mut s);
        let cut = cut.min(s.len());
        if s.is_char_boundary(cut) {
            let parsed = parse_case(&book(), &s[..cut]);
            if let Ok(case) = parsed.case {
                let _ = evaluate(&book(), &case);
            }
        }
    }
}
