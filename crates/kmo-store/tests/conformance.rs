//! One conformance suite, run on SQLite always and on PostgreSQL when `KMO_TEST_DATABASE_URL`
//! names one. With `KMO_REQUIRE_POSTGRES=1` (CI sets it) a missing PostgreSQL fails the tests
//! instead of skipping them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use kmo_app::audit::verify;
use kmo_app::check::check_ledger;
use kmo_app::lifecycle::Closing;
use kmo_app::platform::{CommandError, DepositTarget, Platform, Submission};
use kmo_app::scenario::{Mode, SCENARIO_PROVIDER, SCENARIO_PROVIDER_NUMBERS, parse_file, run};
use kmo_app::store::{Store, StoreRead, StoreTx};
use kmo_domain::{Cents, Date};
use kmo_rules::RuleBook;
use kmo_store::scratch::Scratch;
use kmo_store::{Db, MIGRATIONS};
use serde_json::json;

fn shared_dir() -> PathBuf {
    std::env::var_os("KMO_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

/// The databases to run on: SQLite (None) and, when configured, PostgreSQL.
fn backends() -> Vec<Option<String>> {
    let mut list = vec![None];
    match std::env::var("KMO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => list.push(Some(url)),
        _ => {
            assert!(
                std::env::var("KMO_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
                "KMO_REQUIRE_POSTGRES=1 but KMO_TEST_DATABASE_URL is not set: the PostgreSQL tests must run"
            );
            eprintln!(
                "note: KMO_TEST_DATABASE_URL is not set; PostgreSQL tests run only on SQLite here"
            );
        }
    }
    list
}

fn name(url: Option<&String>) -> &'static str {
    if url.is_some() { "postgres" } else { "sqlite" }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

async fn books_are_right(db: &Db, what: &str) {
    let mut tx = db.begin().await.unwrap();
    let transfers = tx.all_transfers().await.unwrap();
    let apps: Vec<_> = tx
        .all_applications()
        .await
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let years = tx.all_enterprise_years().await.unwrap();
    let audit = tx.all_audit_records().await.unwrap();
    drop(tx);
    let report = check_ledger(&transfers, &apps, &years);
    assert!(
        report.is_clean(),
        "{what}: ledger check: {:#?}",
        report.problems
    );
    let audit = verify(&audit, &transfers);
    assert!(
        audit.problems.is_empty(),
        "{what}: audit verify: {:#?}",
        audit.problems
    );
}

#[test]
fn every_public_lifecycle_scenario_passes_with_clean_books() {
    let text =
        std::fs::read_to_string(shared_dir().join("spec/vectors/lifecycle-public.jsonl")).unwrap();
    let scenarios = parse_file(&text).unwrap();
    assert!(scenarios.len() >= 29, "read {} scenarios", scenarios.len());
    let rules = RuleBook::embedded().unwrap();
    for url in backends() {
        runtime().block_on(async {
            let mut failures = Vec::new();
            for scenario in &scenarios {
                let scratch = Scratch::create(url.as_deref(), 2).await.unwrap();
                let platform = Platform::new(scratch.db.clone(), rules.clone());
                let result = run(&platform, scenario, Mode::Final, false).await.unwrap();
                assert!(
                    result.expects > 0,
                    "{}: no expect lines were checked",
                    scenario.name
                );
                failures.extend(result.failures);
                books_are_right(
                    &scratch.db,
                    &format!("{} on {}", scenario.name, name(url.as_ref())),
                )
                .await;
                scratch.drop_it().await;
            }
            assert!(failures.is_empty(), "{}: {failures:#?}", name(url.as_ref()));
        });
    }
}

/// Every table's column names in a migration script (a small parser for our own SQL layout).
fn columns_in_script(sql: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut table: Option<String> = None;
    for line in sql.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("create table ") {
            table = Some(rest.split_whitespace().next().unwrap().to_owned());
            continue;
        }
        if line.starts_with(')') {
            table = None;
            continue;
        }
        if let Some(t) = &table {
            let first = line.split_whitespace().next().unwrap_or("");
            if !first.is_empty() && first != "constraint" && !first.starts_with("--") {
                out.insert((t.clone(), first.to_owned()));
            }
        }
    }
    out
}

#[test]
fn migrations_of_both_backends_are_in_step() {
    for m in MIGRATIONS {
        assert_eq!(
            columns_in_script(m.sqlite),
            columns_in_script(m.postgres),
            "migration {} {}",
            m.version,
            m.name
        );
        let constraints = |sql: &str| -> BTreeSet<String> {
            sql.split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .filter(|w| w[0] == "constraint")
                .map(|w| w[1].to_owned())
                .collect()
        };
        assert_eq!(
            constraints(m.sqlite),
            constraints(m.postgres),
            "constraint names of migration {}",
            m.version
        );
    }
    // And the live schemas, when PostgreSQL is there.
    runtime().block_on(async {
        let mut schemas = Vec::new();
        for url in backends() {
            let scratch = Scratch::create(url.as_deref(), 1).await.unwrap();
            let cols = scratch.db.schema_columns().await.unwrap();
            scratch.drop_it().await;
            schemas.push(cols);
        }
        for s in &schemas[1..] {
            assert_eq!(
                &schemas[0], s,
                "the migrated schemas differ between backends"
            );
        }
    });
}

async fn platform_with_enterprise(url: Option<&str>, connections: u32) -> (Scratch, Platform<Db>) {
    let scratch = Scratch::create(url, connections).await.unwrap();
    let platform = Platform::new(scratch.db.clone(), RuleBook::embedded().unwrap());
    platform
        .register_provider(SCENARIO_PROVIDER, "Opleidingscentrum")
        .await
        .unwrap();
    platform
        .ensure_registered(
            SCENARIO_PROVIDER,
            SCENARIO_PROVIDER_NUMBERS,
            d("2024-01-01"),
        )
        .await
        .unwrap();
    let profile = json!({"legal_form": "NV", "flemish_establishment": true, "public_bodies_pct": 0, "nace": "62.010", "size": "small"});
    platform
        .register_enterprise("E1", "Bakkerij Peeters", &profile)
        .await
        .unwrap();
    (scratch, platform)
}

fn training(app: &str, on: &str, fee_cents: i64) -> Submission {
    Submission {
        enterprise: "E1".into(),
        application: app.into(),
        provider: SCENARIO_PROVIDER.into(),
        submitted_on: d(on),
        service: json!({"kind": "training", "theme": "digitalisation", "sub_theme": null, "start_date": on}),
        costs: json!([{"type": "fee", "amount_cents": fee_cents}]),
        size_group: None,
        participants: Vec::new(),
    }
}

/// Everything stored, for before/after comparisons.
async fn dump(db: &Db) -> String {
    let mut tx = db.begin().await.unwrap();
    let out = format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        tx.clock().await.unwrap(),
        tx.all_transfers().await.unwrap(),
        tx.all_applications().await.unwrap(),
        tx.all_enterprise_years().await.unwrap(),
        tx.all_audit_records().await.unwrap()
    );
    drop(tx);
    out
}

#[test]
fn a_rejected_command_changes_nothing() {
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            p.submit(&training("A1", "2024-03-01", 100_000))
                .await
                .unwrap();
            p.deposit(
                &DepositTarget::Application("A1".into()),
                Cents::new(70_000),
                d("2024-03-01"),
                "b1",
            )
            .await
            .unwrap();
            p.pay("A1", Cents::new(10_000), d("2024-03-01"))
                .await
                .unwrap();
            let before = dump(&scratch.db).await;
            let rejected: Vec<Result<(), CommandError>> = vec![
                p.pay("A1", Cents::new(90_001), d("2024-03-01"))
                    .await
                    .map(|_| ()),
                p.pay("A9", Cents::new(1), d("2024-03-01"))
                    .await
                    .map(|_| ()),
                p.close("A1", Closing::Refuse, d("2024-03-01"), None)
                    .await
                    .map(|_| ()),
                p.submit(&training("A1", "2024-03-01", 100_000))
                    .await
                    .map(|_| ()),
                p.submit(&training("A2", "2024-03-01", 9_999))
                    .await
                    .map(|_| ()),
                p.submit(&Submission {
                    costs: json!([{"type": "fee"}]),
                    ..training("A3", "2024-03-01", 1)
                })
                .await
                .map(|_| ()),
                p.submit(&Submission {
                    enterprise: "E9".into(),
                    ..training("A4", "2024-03-01", 100_000)
                })
                .await
                .map(|_| ()),
                p.advance_clock(d("2024-02-01")).await.map(|_| ()),
            ];
            let codes: Vec<&str> = rejected
                .iter()
                .map(|r| r.as_ref().unwrap_err().code())
                .collect();
            assert_eq!(
                codes,
                [
                    "PAYMENT_EXCEEDS_BALANCE",
                    "UNKNOWN_APPLICATION",
                    "ILLEGAL_TRANSITION",
                    "DUPLICATE_APPLICATION",
                    "SUBMISSION_REJECTED",
                    "INVALID_SUBMISSION",
                    "UNKNOWN_ENTERPRISE",
                    "DATE_BEFORE_CLOCK"
                ]
            );
            assert_eq!(
                before,
                dump(&scratch.db).await,
                "{}: a rejected command changed stored data",
                name(url.as_ref())
            );
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn concurrent_submissions_never_exceed_the_ceiling() {
    for url in backends() {
        runtime().block_on(async {
            let (scratch, platform) = platform_with_enterprise(url.as_deref(), 8).await;
            platform.advance_clock(d("2024-05-01")).await.unwrap();
            let platform = std::sync::Arc::new(platform);
            // 24 submissions of €10,000 (raw subsidy €3,000 each) against one €7,500 ceiling.
            let tasks: Vec<_> = (0..24)
                .map(|i| {
                    let p = std::sync::Arc::clone(&platform);
                    tokio::spawn(async move {
                        p.submit(&training(&format!("A{i}"), "2024-05-01", 1_000_000))
                            .await
                    })
                })
                .collect();
            let mut accepted = 0i64;
            let mut subsidies = 0i64;
            for t in tasks {
                match t.await.unwrap() {
                    Ok(s) => {
                        accepted += 1;
                        subsidies += s.application.subsidy.get();
                    }
                    Err(CommandError::SubmissionRejected { reasons }) => {
                        assert_eq!(reasons, [kmo_rules::Reason::AnnualCeilingExhausted])
                    }
                    Err(e) => panic!("{}: unexpected {e}", name(url.as_ref())),
                }
            }
            assert_eq!(
                subsidies,
                750_000,
                "{}: the whole ceiling and not a cent more",
                name(url.as_ref())
            );
            assert_eq!(
                accepted,
                3,
                "{}: 300000 + 300000 + 150000",
                name(url.as_ref())
            );
            let year = platform.enterprise_year(1, 2024).await.unwrap();
            assert_eq!(year.ceiling_reserved, Cents::new(750_000));
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn a_database_url_with_an_unknown_scheme_is_refused() {
    let e = Db::backend_of("mysql://localhost/kmo").unwrap_err();
    assert!(e.to_string().contains("unsupported"), "{e}");
    runtime().block_on(async {
        let missing =
            std::env::temp_dir().join(format!("kmo-does-not-exist-{}.sqlite3", std::process::id()));
        let r = Db::connect(
            &Db::sqlite_url(&missing),
            kmo_store::ConnectOptions::default(),
        )
        .await;
        assert!(
            r.is_err(),
            "a missing SQLite file is not created unless asked"
        );
        assert!(!missing.exists());
    });
}

#[test]
fn only_registered_providers_real_workers_and_the_named_provider_count() {
    use kmo_app::registry::WorkerStatus;
    use kmo_domain::ServiceKind;
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            // A provider without a registration.
            p.register_provider("P2", "Niet geregistreerd")
                .await
                .unwrap();
            let unregistered = Submission {
                provider: "P2".into(),
                ..training("A1", "2024-03-01", 100_000)
            };
            assert_eq!(
                p.submit(&unregistered).await.unwrap_err().code(),
                "PROVIDER_NOT_REGISTERED"
            );
            // A job student may not be trained with support (TC-54).
            let student = Submission {
                participants: vec![
                    ("Jan".into(), WorkerStatus::Employee),
                    ("Lien".into(), WorkerStatus::JobStudent),
                ],
                ..training("A2", "2024-03-01", 100_000)
            };
            assert_eq!(p.submit(&student).await.unwrap_err().code(), "NOT_A_WORKER");
            // A suspended registration takes no new applications; reinstated, it does.
            p.sanction(SCENARIO_PROVIDER, ServiceKind::Training, false)
                .await
                .unwrap();
            assert_eq!(
                p.submit(&training("A3", "2024-03-01", 100_000))
                    .await
                    .unwrap_err()
                    .code(),
                "PROVIDER_NOT_REGISTERED"
            );
            p.reinstate(SCENARIO_PROVIDER, ServiceKind::Training)
                .await
                .unwrap();
            let ok = Submission {
                participants: vec![("Jan".into(), WorkerStatus::Employee)],
                ..training("A3", "2024-03-01", 100_000)
            };
            p.submit(&ok).await.unwrap();
            // Only the provider the application names may refuse it.
            assert_eq!(
                p.refuse_as("P2", "A3", d("2024-03-02"), None)
                    .await
                    .unwrap_err()
                    .code(),
                "NOT_YOUR_APPLICATION"
            );
            p.refuse_as(
                SCENARIO_PROVIDER,
                "A3",
                d("2024-03-02"),
                Some("verkeerde dienstverlener"),
            )
            .await
            .unwrap();
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}
