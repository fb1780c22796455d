//! One decision path: for random enterprises with random earlier applications (some stopped,
//! some with another size declared, declared de-minimis aid of other bodies), the preview's
//! decision and amounts are what the submission then records — on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use kmo_app::lifecycle::Closing;
use kmo_app::platform::{CommandError, CostRequest, Platform, ServiceRequest, Submission};
use kmo_domain::codes::Lang;
use kmo_domain::{Cents, Date};
use kmo_rules::RuleBook;
use kmo_sim::scenario::{SCENARIO_PROVIDER, SCENARIO_PROVIDER_NUMBERS};
use kmo_store::scratch::{Scratch, backends_under_test};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::json;

/// The services a case picks from: (theme, sub-theme).
const SERVICES: [(&str, Option<&str>); 4] = [
    ("digitalisation", None),
    ("digitalisation", Some("cybersecurity")),
    ("innovation", None),
    ("sustainability", Some("energy_efficiency")),
];

/// One application of the history, or the one previewed.
#[derive(Clone, Debug)]
struct Planned {
    service: usize,
    fee_cents: i64,
    /// Days after 1 February 2024 (applications are dated in this order).
    day: u32,
    /// Declares another size than the profile's (the year's lock then decides).
    medium: bool,
    /// Stopped after submission (its subsidy returns to the ceiling).
    stopped: bool,
}

fn planned() -> impl Strategy<Value = Planned> {
    (
        0..SERVICES.len(),
        10_000i64..4_000_000,
        0u32..300,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(service, fee_cents, day, medium, stopped)| Planned {
            service,
            fee_cents,
            day,
            medium,
            stopped,
        })
}

#[derive(Clone, Debug)]
struct History {
    medium_profile: bool,
    /// De-minimis aid of other bodies, granted in 2023.
    external_cents: Option<i64>,
    earlier: Vec<Planned>,
    next: Planned,
}

fn history() -> impl Strategy<Value = History> {
    (
        any::<bool>(),
        prop::option::of(prop_oneof![1i64..5_000_000, 29_000_000i64..30_000_000]),
        prop::collection::vec(planned(), 0..5),
        planned(),
    )
        .prop_map(|(medium_profile, external_cents, earlier, next)| History {
            medium_profile,
            external_cents,
            earlier,
            next,
        })
}

fn day(n: u32) -> Date {
    Date::from_ymd(2024, 2, 1)
        .unwrap()
        .add_days(i32::try_from(n).unwrap())
        .unwrap()
}

fn submission(key: &str, p: &Planned) -> Submission {
    let (theme, sub_theme) = SERVICES[p.service];
    let on = day(p.day);
    Submission {
        enterprise: "E1".into(),
        application: key.into(),
        provider: SCENARIO_PROVIDER.into(),
        submitted_on: on,
        service: ServiceRequest::new("training", theme, sub_theme, on),
        costs: vec![CostRequest::new("fee", p.fee_cents)],
        size_group: p
            .medium
            .then(|| json!({"size": "medium"}).as_object().cloned().unwrap()),
        participants: Vec::new(),
    }
}

/// How many cases had a history that mattered: ceiling reserved, a size lock, a refusal.
#[derive(Debug, Default)]
struct Seen {
    reserved: AtomicUsize,
    locked: AtomicUsize,
    refused: AtomicUsize,
}

async fn check(
    rules: &RuleBook,
    url: Option<&str>,
    h: &History,
    seen: &Seen,
) -> Result<(), TestCaseError> {
    let scratch = Scratch::create(url, 2).await.unwrap();
    let p = Platform::new(scratch.db.clone(), rules.clone());
    p.register_provider(SCENARIO_PROVIDER, "Opleidingscentrum")
        .await
        .unwrap();
    p.ensure_registered(
        SCENARIO_PROVIDER,
        SCENARIO_PROVIDER_NUMBERS,
        Date::from_ymd(2022, 1, 1).unwrap(),
    )
    .await
    .unwrap();
    let size = if h.medium_profile { "medium" } else { "small" };
    let profile = json!({"legal_form": "NV", "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": size});
    p.register_enterprise("E1", "Bakkerij Peeters", &profile)
        .await
        .unwrap();
    if let Some(cents) = h.external_cents {
        p.record_external_de_minimis("E1", Date::from_ymd(2023, 6, 1).unwrap(), Cents::new(cents))
            .await
            .unwrap();
    }
    let mut earlier = h.earlier.clone();
    earlier.sort_by_key(|e| e.day);
    let last = earlier.last().map_or(0, |e| e.day);
    for (i, e) in earlier.iter().enumerate() {
        let key = format!("A{i}");
        // Some are refused by the rules (the ceiling is used up, de minimis): that is history too.
        if p.submit(&submission(&key, e)).await.is_ok() && e.stopped {
            p.close(&key, Closing::Stop, day(e.day), None)
                .await
                .unwrap();
        }
    }
    let next = Planned {
        day: h.next.day.max(last),
        ..h.next.clone()
    };
    let s = submission("NEXT", &next);
    let preview = p.preview(&s, Lang::Nl).await.unwrap();
    let d = &preview.decision;
    if preview.ceiling_reserved.is_positive() {
        seen.reserved.fetch_add(1, Ordering::Relaxed);
    }
    if preview.size_lock.is_some() {
        seen.locked.fetch_add(1, Ordering::Relaxed);
    }
    if !d.is_eligible() {
        seen.refused.fetch_add(1, Ordering::Relaxed);
    }
    match p.submit(&s).await {
        Ok(done) => {
            let a = &done.application;
            prop_assert!(
                d.is_eligible(),
                "submitted although the preview said no: {h:?}"
            );
            prop_assert!(preview.refusal.is_none());
            prop_assert_eq!(a.eligible, d.eligible, "eligible amount, {:?}", h);
            prop_assert_eq!(a.subsidy, d.subsidy, "subsidy, {:?}", h);
            prop_assert_eq!(a.own_share, d.own_share, "own share, {:?}", h);
            prop_assert_eq!(Some(a.rate_bp), d.rate_bp, "rate, {:?}", h);
            prop_assert_eq!(Some(a.size), d.size, "size, {:?}", h);
        }
        Err(CommandError::SubmissionRejected { reasons }) => {
            prop_assert!(
                !d.is_eligible(),
                "refused although the preview said yes: {h:?}"
            );
            prop_assert_eq!(reasons, d.reasons.iter().collect::<Vec<_>>());
        }
        Err(other) => {
            prop_assert_eq!(
                preview.refusal.as_ref().map(CommandError::code),
                Some(other.code()),
                "{:?}",
                h
            );
        }
    }
    scratch.drop_it().await;
    Ok(())
}

#[test]
fn the_preview_decides_what_the_submission_then_records() {
    let rules = RuleBook::embedded().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for url in backends_under_test() {
        let seen = Seen::default();
        let config = Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        runner
            .run(&history(), |h| {
                rt.block_on(check(&rules, url.as_deref(), &h, &seen))
            })
            .unwrap();
        // The cases must reach the history the old wizard preview ignored.
        assert!(seen.reserved.load(Ordering::Relaxed) > 3, "{seen:?}");
        assert!(seen.locked.load(Ordering::Relaxed) > 3, "{seen:?}");
        assert!(seen.refused.load(Ordering::Relaxed) > 0, "{seen:?}");
    }
}
