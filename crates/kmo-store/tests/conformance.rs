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
use kmo_app::platform::{
    CommandError, CostRequest, DepositTarget, Platform, ServiceRequest, Submission,
};
use kmo_app::store::{KernelTx, Store, StoreRead, WalletTx};
use kmo_domain::{Cents, Date, RefusalReason};
use kmo_rules::RuleBook;
use kmo_sim::scenario::{Mode, SCENARIO_PROVIDER, SCENARIO_PROVIDER_NUMBERS, parse_file, run};
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

/// The tables' columns and the named constraints that a sequence of migration scripts leaves (a
/// small interpreter for our own SQL layout: `create table`, `drop table`, `alter table … rename
/// to`, `add column`, `add constraint`, `drop constraint`).
#[derive(Debug, Default, PartialEq, Eq)]
struct ScriptSchema {
    columns: BTreeSet<(String, String)>,
    constraints: BTreeSet<String>,
}

impl ScriptSchema {
    fn apply(&mut self, sql: &str) {
        let mut table: Option<String> = None;
        // Comments are not schema.
        for line in sql
            .lines()
            .map(|l| l.split("--").next().unwrap_or("").trim())
        {
            let words: Vec<&str> = line.trim_end_matches(';').split_whitespace().collect();
            match words.as_slice() {
                ["create", "table", t, ..] => table = Some((*t).to_owned()),
                ["drop", "table", t] => self.columns.retain(|(x, _)| x != t),
                ["alter", "table", a, "rename", "to", b] => {
                    let moved: Vec<_> = self
                        .columns
                        .iter()
                        .filter(|(x, _)| x == a)
                        .cloned()
                        .collect();
                    for (_, c) in moved {
                        self.columns.remove(&((*a).to_owned(), c.clone()));
                        self.columns.insert(((*b).to_owned(), c));
                    }
                }
                ["alter", "table", t, "add", "column", c, ..] => {
                    self.columns.insert(((*t).to_owned(), (*c).to_owned()));
                }
                _ => {}
            }
            if line.starts_with(')') {
                table = None;
            } else if let Some(t) = &table {
                let first = words.first().copied().unwrap_or("");
                if !first.is_empty()
                    && first != "create"
                    && first != "constraint"
                    && !first.starts_with("--")
                {
                    self.columns.insert((t.clone(), first.to_owned()));
                }
            }
            for w in words.windows(3) {
                if w[0] == "drop" && w[1] == "constraint" {
                    self.constraints.remove(w[2]);
                }
            }
            for (i, w) in words.windows(2).enumerate() {
                let dropped = i > 0 && words[i - 1] == "drop";
                if w[0] == "constraint" && !dropped {
                    self.constraints.insert(w[1].to_owned());
                }
            }
        }
    }
}

#[test]
fn migrations_of_both_backends_are_in_step() {
    // After every migration, both backends have the same tables, columns and constraint names.
    let (mut sqlite, mut postgres) = (ScriptSchema::default(), ScriptSchema::default());
    for m in MIGRATIONS {
        sqlite.apply(m.sqlite);
        postgres.apply(m.postgres);
        assert_eq!(sqlite, postgres, "after migration {} {}", m.version, m.name);
    }
    assert!(
        sqlite
            .columns
            .contains(&("application".into(), "recovered_cents".into()))
    );
    assert!(!sqlite.columns.iter().any(|(t, _)| t == "application_new"));
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
        service: ServiceRequest::new("training", "digitalisation", None, d(on)),
        costs: vec![CostRequest::new("fee", fee_cents)],
        size_group: None,
        participants: Vec::new(),
    }
}

/// Submits a training and deposits its exact own share the same day (bank line `b-<key>`).
async fn funded(p: &Platform<Db>, key: &str, on: &str, fee_cents: i64) {
    let s = p.submit(&training(key, on, fee_cents)).await.unwrap();
    p.deposit(
        &DepositTarget::Application(key.into()),
        s.application.own_share,
        d(on),
        &format!("b-{key}"),
    )
    .await
    .unwrap();
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
            funded(&p, "A1", "2024-03-01", 100_000).await;
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
                    costs: vec![CostRequest {
                        cost_type: Some("fee".into()),
                        ..CostRequest::default()
                    }],
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
                // An absurd amount never reaches the ledger (found by schemathesis: its sums
                // would overflow).
                p.deposit(
                    &DepositTarget::Application("A1".into()),
                    Cents::new(i64::MAX),
                    d("2024-03-01"),
                    "BANK-HUGE",
                )
                .await
                .map(|_| ()),
                p.pay("A1", Cents::new(i64::MAX), d("2024-03-01"))
                    .await
                    .map(|_| ()),
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
                    "DATE_BEFORE_CLOCK",
                    "INVALID_COMMAND",
                    "INVALID_COMMAND"
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
            let year = platform
                .enterprise_year(kmo_domain::EnterpriseId::new(1), 2024)
                .await
                .unwrap();
            assert_eq!(year.ceiling_reserved, Cents::new(750_000));
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn an_unknown_scheme_is_refused_and_a_missing_sqlite_file_created_unless_mode_rw() {
    let e = Db::backend_of("mysql://localhost/kmo").unwrap_err();
    assert!(e.to_string().contains("unsupported"), "{e}");
    runtime().block_on(async {
        // A missing SQLite file is created where the URL says, unless it says mode=rw.
        let missing =
            std::env::temp_dir().join(format!("kmo-does-not-exist-{}.sqlite3", std::process::id()));
        let url = Db::sqlite_url(&missing);
        let r = Db::connect(
            &format!("{url}?mode=rw"),
            kmo_store::ConnectOptions::default(),
        )
        .await;
        assert!(r.is_err(), "mode=rw does not create the file");
        assert!(!missing.exists());
        let db = Db::connect(&url, kmo_store::ConnectOptions::default())
            .await
            .unwrap();
        assert!(missing.exists());
        db.close().await;
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", missing.display()));
        }
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
                p.refuse("P2", "A3", d("2024-03-02"), RefusalReason::WrongProvider)
                    .await
                    .unwrap_err()
                    .code(),
                "NOT_YOUR_APPLICATION"
            );
            p.refuse(
                SCENARIO_PROVIDER,
                "A3",
                d("2024-03-02"),
                RefusalReason::WrongProvider,
            )
            .await
            .unwrap();
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

/// A user of `role` (a provider user acts for `provider`), as a principal on `today`.
async fn principal(
    p: &Platform<Db>,
    email: &str,
    role: kmo_app::accounts::Role,
    provider: Option<&str>,
    today: Date,
) -> kmo_app::accounts::Principal {
    let user = p
        .create_user(
            &kmo_app::accounts::NewUser {
                email,
                name: email,
                password: "een lang wachtwoord",
                role,
                provider,
            },
            today,
        )
        .await
        .unwrap();
    p.principal_of(user, today).await.unwrap()
}

#[test]
fn commands_taking_the_caller_refuse_inside_their_own_transaction() {
    use kmo_app::accounts::{Role, Scope};
    use kmo_app::platform::Inspection;
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            let today = d("2024-03-01");
            p.advance_clock(today).await.unwrap();
            p.register_provider("P2", "Een andere").await.unwrap();
            let clerk = principal(&p, "clerk@vlaio.be", Role::Agency, None, today).await;
            let own = principal(
                &p,
                "own@p.be",
                Role::Provider,
                Some(SCENARIO_PROVIDER),
                today,
            )
            .await;
            let other = principal(&p, "other@p.be", Role::Provider, Some("P2"), today).await;
            let stranger = principal(&p, "stranger@e.be", Role::Enterprise, None, today).await;
            let payer_user = principal(&p, "payer@e.be", Role::Enterprise, None, today).await;
            p.grant_mandate(
                &clerk,
                "payer@e.be",
                "E1",
                Scope::ViewAndRelease,
                None,
                today,
            )
            .await
            .unwrap();
            let kmo_app::accounts::Principal::User { user, .. } = payer_user else {
                panic!("a user")
            };
            let payer = p.principal_of(user, today).await.unwrap();
            // Who may act for the enterprise is part of its history: the grant is audited, with
            // the clerk who made it.
            let mut tx = scratch.db.begin().await.unwrap();
            let records = tx.all_audit_records().await.unwrap();
            drop(tx);
            let clerk_id = clerk.user().unwrap().id;
            assert!(
                records.iter().any(|r| r.kind == "mandate_granted"
                    && r.stream.starts_with("enterprise:")
                    && r.actor == format!("user:{clerk_id}")),
                "{records:?}"
            );
            funded(&p, "A1", "2024-03-01", 100_000).await;
            let before = dump(&scratch.db).await;
            let code = |r: Result<(), CommandError>| r.unwrap_err().code();
            let why = RefusalReason::IncorrectApplication;
            let block = Inspection::Block;
            // Who may not even see the application is told it does not exist.
            assert_eq!(
                code(p.refuse_as(&other, "A1", today, why).await.map(|_| ())),
                "UNKNOWN_APPLICATION"
            );
            assert_eq!(
                code(p.confirm_as(&other, "A1", today).await.map(|_| ())),
                "UNKNOWN_APPLICATION"
            );
            assert_eq!(
                code(
                    p.inspect_as(&stranger, "A1", block, today, "x")
                        .await
                        .map(|_| ())
                ),
                "UNKNOWN_APPLICATION"
            );
            assert_eq!(
                code(p.stop_as(&stranger, "A1", today, None).await.map(|_| ())),
                "UNKNOWN_APPLICATION"
            );
            // Who may see it but not do this is forbidden: the agency does not refuse (T5), a
            // mandate to release does not stop or inspect, a provider does not inspect.
            assert_eq!(
                code(p.refuse_as(&clerk, "A1", today, why).await.map(|_| ())),
                "FORBIDDEN"
            );
            assert_eq!(
                code(p.confirm_as(&payer, "A1", today).await.map(|_| ())),
                "FORBIDDEN"
            );
            assert_eq!(
                code(p.stop_as(&payer, "A1", today, None).await.map(|_| ())),
                "FORBIDDEN"
            );
            assert_eq!(
                code(
                    p.inspect_as(&payer, "A1", block, today, "x")
                        .await
                        .map(|_| ())
                ),
                "FORBIDDEN"
            );
            assert_eq!(
                code(
                    p.inspect_as(&own, "A1", block, today, "x")
                        .await
                        .map(|_| ())
                ),
                "FORBIDDEN"
            );
            assert_eq!(
                dump(&scratch.db).await,
                before,
                "a refused command wrote something"
            );
            // Whoever may, does: the provider confirms once, the agency blocks and unblocks.
            assert!(p.confirm_as(&own, "A1", today).await.unwrap());
            assert!(
                !p.confirm_as(&own, "A1", today).await.unwrap(),
                "confirmed once"
            );
            p.inspect_as(&clerk, "A1", block, today, "steekproef")
                .await
                .unwrap();
            p.inspect_as(&clerk, "A1", Inspection::Unblock, today, "")
                .await
                .unwrap();
            p.refuse_as(&own, "A1", today, why).await.unwrap();
            assert_eq!(
                p.application("A1").await.unwrap().state.to_string(),
                "refused"
            );
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn kept_idempotent_answers_expire_and_are_purged() {
    use kmo_app::store::IdempotentAnswer;
    for url in backends() {
        runtime().block_on(async {
            let (scratch, _p) = platform_with_enterprise(url.as_deref(), 2).await;
            let answer = |h: &str| IdempotentAnswer {
                request_hash: h.into(),
                status: 201,
                body: "{}".into(),
            };
            let mut tx = scratch.db.begin().await.unwrap();
            tx.save_idempotent_answer("s", "old", &answer("a"), d("2024-03-01"))
                .await
                .unwrap();
            tx.save_idempotent_answer("s", "new", &answer("b"), d("2024-03-03"))
                .await
                .unwrap();
            // Counted from a day on, the older one is no longer an answer.
            assert!(
                tx.idempotent_answer("s", "old", d("2024-03-02"))
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(
                tx.idempotent_answer("s", "old", d("2024-03-01"))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert_eq!(
                tx.purge_idempotent_answers(d("2024-03-02")).await.unwrap(),
                1
            );
            assert!(
                tx.idempotent_answer("s", "old", d("2024-01-01"))
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(
                tx.idempotent_answer("s", "new", d("2024-03-02"))
                    .await
                    .unwrap()
                    .is_some()
            );
            tx.commit().await.unwrap();
            scratch.drop_it().await;
        });
    }
}

#[test]
fn any_bank_reference_is_booked_and_returned_once() {
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            let day = d("2024-03-01");
            p.advance_clock(day).await.unwrap();
            let wrong = DepositTarget::Reference("000000000097".into());
            // Spaces, accents, a long text: each line is booked to suspense and returned, with
            // transfers of its own (before: 503, nothing booked, the rest of the statement lost).
            for r in ["ref met spatie", "référence-é", &"x".repeat(130), "L1"] {
                let e = p
                    .deposit(&wrong, Cents::new(1_000), day, r)
                    .await
                    .unwrap_err();
                assert_eq!(e.code(), "UNKNOWN_REFERENCE", "{r}");
                // The same line again is recognised, not booked twice.
                let again = p
                    .deposit(&wrong, Cents::new(1_000), day, r)
                    .await
                    .unwrap_err();
                assert_eq!(again.code(), "UNKNOWN_REFERENCE", "{r}");
            }
            let mut tx = scratch.db.begin().await.unwrap();
            let transfers = tx.all_transfers().await.unwrap();
            drop(tx);
            assert_eq!(
                transfers.len(),
                8,
                "two transfers per line, once: {transfers:?}"
            );
            // A reference no bank sends is refused at the door, with nothing written.
            let before = dump(&scratch.db).await;
            for r in ["", "   ", "a\u{7}b", &"é".repeat(141)] {
                let e = p
                    .deposit(&wrong, Cents::new(1_000), day, r)
                    .await
                    .unwrap_err();
                assert_eq!(
                    (e.code(), e.field()),
                    ("INVALID_COMMAND", Some("bank_ref")),
                    "{r:?}"
                );
            }
            assert_eq!(dump(&scratch.db).await, before);
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn a_draft_is_saved_submitted_once_and_kept_when_rejected() {
    use kmo_app::platform::Draft;
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            let draft = |key: &str, amount: i64| {
                let s = training(key, "2024-03-01", amount);
                Draft {
                    enterprise: s.enterprise,
                    application: s.application,
                    provider: s.provider,
                    service: s.service,
                    costs: s.costs,
                    size_group: s.size_group,
                    participants: s.participants,
                }
            };
            // Saved twice (the second replaces the first), read back, nothing reserved yet.
            p.save_draft(&draft("D1", 50_000), d("2024-03-01"))
                .await
                .unwrap();
            p.save_draft(&draft("D1", 100_000), d("2024-03-02"))
                .await
                .unwrap();
            assert_eq!(p.draft("D1").await.unwrap(), draft("D1", 100_000));
            assert_eq!(
                p.enterprise_year(kmo_domain::EnterpriseId::new(1), 2024)
                    .await
                    .unwrap()
                    .ceiling_reserved,
                Cents::ZERO
            );
            // Submitted: an application, and the draft is gone.
            let s = p.submit_draft("D1", d("2024-03-02")).await.unwrap();
            assert_eq!(s.application.subsidy, Cents::new(30_000));
            assert_eq!(p.draft("D1").await.unwrap_err().code(), "UNKNOWN_DRAFT");
            assert_eq!(
                p.submit_draft("D1", d("2024-03-02"))
                    .await
                    .unwrap_err()
                    .code(),
                "UNKNOWN_DRAFT"
            );
            // A draft cannot take an application's key; an unknown enterprise is refused.
            assert_eq!(
                p.save_draft(&draft("D1", 100_000), d("2024-03-02"))
                    .await
                    .unwrap_err()
                    .code(),
                "DUPLICATE_APPLICATION"
            );
            let mut stranger = draft("D3", 100_000);
            stranger.enterprise = "E9".into();
            assert_eq!(
                p.save_draft(&stranger, d("2024-03-02"))
                    .await
                    .unwrap_err()
                    .code(),
                "UNKNOWN_ENTERPRISE"
            );
            // Below the minimum: rejected by the rules, and the draft stays to be corrected.
            p.save_draft(&draft("D2", 9_999), d("2024-03-02"))
                .await
                .unwrap();
            assert_eq!(
                p.submit_draft("D2", d("2024-03-02"))
                    .await
                    .unwrap_err()
                    .code(),
                "SUBMISSION_REJECTED"
            );
            assert!(p.draft("D2").await.is_ok());
            p.discard_draft("D2").await.unwrap();
            assert_eq!(
                p.discard_draft("D2").await.unwrap_err().code(),
                "UNKNOWN_DRAFT"
            );
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn an_inspection_blocks_and_recovers_and_the_repayment_is_booked() {
    use kmo_app::lifecycle::State;
    use kmo_app::platform::Inspection;
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            let s = p
                .submit(&training("A1", "2024-03-01", 200_000))
                .await
                .unwrap();
            let reference = s.reference.to_string();
            p.deposit(
                &DepositTarget::Reference(reference.clone()),
                Cents::new(140_000),
                d("2024-03-02"),
                "b1",
            )
            .await
            .unwrap();
            p.pay("A1", Cents::new(150_000), d("2024-04-01"))
                .await
                .unwrap();
            assert_eq!(
                p.inspect("A1", Inspection::Block, d("2024-05-01"), " ")
                    .await
                    .unwrap_err()
                    .code(),
                "INVALID_COMMAND"
            );
            let app = p
                .inspect("A1", Inspection::Block, d("2024-05-01"), "steekproef")
                .await
                .unwrap();
            assert_eq!(app.state, State::Blocked);
            for code in [
                p.pay("A1", Cents::new(1), d("2024-05-02"))
                    .await
                    .unwrap_err()
                    .code(),
                p.close("A1", Closing::Stop, d("2024-05-02"), None)
                    .await
                    .unwrap_err()
                    .code(),
            ] {
                assert_eq!(code, "APPLICATION_BLOCKED");
            }
            // Blocked applications do not expire while the inspection runs.
            p.advance_clock(d("2026-01-05")).await.unwrap();
            let app = p
                .inspect(
                    "A1",
                    Inspection::Recover,
                    d("2026-01-05"),
                    "opleiding niet gevolgd",
                )
                .await
                .unwrap();
            assert_eq!(app.state, State::Recovered);
            assert_eq!(
                (app.recovered, app.refunded, app.returned_to_budget),
                (Cents::new(45_000), Cents::new(35_000), Cents::new(15_000))
            );
            // Too much is returned; the exact claim with the application's reference is booked.
            assert_eq!(
                p.deposit(
                    &DepositTarget::Reference(reference.clone()),
                    Cents::new(45_001),
                    d("2026-02-01"),
                    "b2"
                )
                .await
                .unwrap_err()
                .code(),
                "REPAYMENT_EXCEEDS_CLAIM"
            );
            let app = p
                .deposit(
                    &DepositTarget::Reference(reference),
                    Cents::new(45_000),
                    d("2026-02-01"),
                    "b3",
                )
                .await
                .unwrap();
            assert_eq!(app.recovery_received, Cents::new(45_000));
            // Aid recovered is no de-minimis aid; the ceiling does not come back.
            assert_eq!(
                p.de_minimis_seen_on(kmo_domain::EnterpriseId::new(1), d("2024-12-31"))
                    .await
                    .unwrap(),
                Cents::ZERO
            );
            assert_eq!(
                p.enterprise_year(kmo_domain::EnterpriseId::new(1), 2024)
                    .await
                    .unwrap()
                    .ceiling_reserved,
                Cents::new(60_000)
            );
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn migration_3_keeps_every_row_and_reference() {
    use kmo_app::lifecycle::State;
    for url in backends() {
        runtime().block_on(async {
            let scratch = Scratch::create_at(url.as_deref(), 1, 2).await.unwrap();
            scratch
                .db
                .execute_script(
                    "insert into enterprise (id, key, name, profile) values (1, 'E1', 'Bakkerij', '{}');
                     insert into provider (id, key, name) values (1, 'P1', 'School');
                     insert into service (id, provider_id, body) values (1, 1, '{}');
                     insert into application (id, key, reference, enterprise_id, provider_id, service_id, submitted_on, state, size, rate_bp, rule_set,
                        eligible_cents, subsidy_cents, own_share_cents, deposited_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, case_json)
                        values (7, 'A7', '000000000797', 1, 1, 1, '2024-03-01', 'funded', 'small', 3000, 'R2024',
                        200000, 60000, 140000, 140000, '2024-03-15', '2025-12-31', '2024-03-16', '2026-01-01', 2, '{}');
                     insert into ledger_transfer (id, debit_account, credit_account, amount_cents, code, kind, application_id, date)
                        values ('a7.2.own_share_deposit', 'bank', 'application:7:own_share', 140000, 'own_share_deposit', 'posted', 7, '2024-03-02');
                     insert into application_participant (application_id, position, name, worker_status) values (7, 0, 'An', 'employee');",
                )
                .await
                .unwrap();
            assert_eq!(kmo_store::migrate(&scratch.db).await.unwrap(), MIGRATIONS.len() - 2);
            let mut tx = scratch.db.begin().await.unwrap();
            let apps = tx.all_applications().await.unwrap();
            assert_eq!(apps.len(), 1);
            let (key, app) = &apps[0];
            assert_eq!((key.as_str(), app.id, app.state), ("A7", kmo_domain::ApplicationId::new(7), State::Funded));
            assert_eq!((app.blocked_from, app.recovered), (None, Cents::ZERO));
            assert_eq!(tx.all_transfers().await.unwrap().len(), 1);
            drop(tx);
            // The rebuilt table is still the one the transfers and participants refer to.
            let e = scratch
                .db
                .execute_script("insert into application_participant (application_id, position, name, worker_status) values (8, 0, 'Bo', 'employee')")
                .await
                .unwrap_err();
            assert!(e.to_string().to_lowercase().contains("foreign key"), "{e}");
            scratch.drop_it().await;
        });
    }
}

#[test]
fn a_payout_run_pays_every_payable_once() {
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            for key in ["A1", "A2"] {
                funded(&p, key, "2024-03-01", 200_000).await;
            }
            p.pay("A1", Cents::new(200_000), d("2024-04-01"))
                .await
                .unwrap();
            p.pay("A2", Cents::new(50_000), d("2024-04-01"))
                .await
                .unwrap();
            p.close("A2", Closing::Stop, d("2024-04-02"), None)
                .await
                .unwrap();
            // A transfer with a reference nobody issued: returned, so refundable too.
            let _ = p
                .deposit(
                    &DepositTarget::Reference("000000000097".into()),
                    Cents::new(12_345),
                    d("2024-04-02"),
                    "b9",
                )
                .await
                .unwrap_err();
            let run = p.payout_run("2024-04-03", d("2024-04-03")).await.unwrap();
            // Provider: 200,000 + 50,000; refunds: A2's unused own share 105,000 and the 12,345.
            let provider: i64 = run
                .payouts
                .iter()
                .filter(|x| x.kind == "provider")
                .map(|x| x.amount_cents)
                .sum();
            let refunds: Vec<i64> = run
                .payouts
                .iter()
                .filter(|x| x.kind == "refund")
                .map(|x| x.amount_cents)
                .collect();
            assert_eq!(provider, 250_000);
            assert_eq!(refunds, [105_000, 12_345]);
            assert_eq!(run.total_cents, 367_345);
            // The same run again: the same answer, nothing moves; another date under its id is refused.
            let before = dump(&scratch.db).await;
            assert_eq!(
                p.payout_run("2024-04-03", d("2024-04-03")).await.unwrap(),
                run
            );
            assert_eq!(before, dump(&scratch.db).await);
            assert_eq!(
                p.payout_run("2024-04-03", d("2024-04-04"))
                    .await
                    .unwrap_err()
                    .code(),
                "IDEMPOTENCY_KEY_REUSED"
            );
            assert_eq!(
                p.payout_run("bad id!", d("2024-04-04"))
                    .await
                    .unwrap_err()
                    .code(),
                "INVALID_COMMAND"
            );
            // Nothing new: an empty run. Then a new payment is paid by the next one only.
            assert!(
                p.payout_run("r2", d("2024-04-04"))
                    .await
                    .unwrap()
                    .payouts
                    .is_empty()
            );
            funded(&p, "A3", "2024-04-04", 100_000).await;
            p.pay("A3", Cents::new(40_000), d("2024-04-05"))
                .await
                .unwrap();
            let r3 = p.payout_run("r3", d("2024-04-05")).await.unwrap();
            assert_eq!(r3.total_cents, 40_000);
            // Everything payable was paid: the bank holds exactly the own share still in A3's
            // wallet (its subsidy stays the agency's until an invoice is paid out).
            let mut tx = scratch.db.begin().await.unwrap();
            let report = kmo_app::check::ledger_report(&mut tx).await.unwrap();
            drop(tx);
            assert_eq!(
                (report.provider_payable_cents, report.refunds_payable_cents),
                (0, 0)
            );
            assert_eq!((report.bank_cents, report.wallets_cents), (42_000, 60_000));
            books_are_right(&scratch.db, name(url.as_ref())).await;
            scratch.drop_it().await;
        });
    }
}

#[test]
fn a_providers_profile_and_catalogue_are_kept_and_bad_input_changes_nothing() {
    use kmo_app::store::ListedService;
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            let themes = vec!["digitalisation".to_owned(), "sustainability".to_owned()];
            let profile = p
                .set_provider_profile(
                    SCENARIO_PROVIDER,
                    Some("0403 199 702"),
                    Some("be68539007547034"),
                    &themes,
                )
                .await
                .unwrap();
            assert_eq!(profile.enterprise_number.as_deref(), Some("0403.199.702"));
            assert_eq!(profile.iban.as_deref(), Some("BE68 5390 0754 7034"));
            let (_, stored) = p.provider(SCENARIO_PROVIDER).await.unwrap();
            assert_eq!(stored, profile, "{}", name(url.as_ref()));

            // A bad IBAN, an unknown theme, an unknown provider: specific errors, nothing kept.
            let e = p
                .set_provider_profile(SCENARIO_PROVIDER, None, Some("BE68539007547035"), &[])
                .await
                .unwrap_err();
            assert_eq!((e.code(), e.field()), ("INVALID_COMMAND", Some("iban")));
            let e = p
                .set_provider_profile(SCENARIO_PROVIDER, None, None, &["yoga".to_owned()])
                .await
                .unwrap_err();
            assert_eq!(e.field(), Some("themes[0]"));
            let e = p
                .set_provider_profile("nobody", None, None, &[])
                .await
                .unwrap_err();
            assert_eq!(e.code(), "UNKNOWN_PROVIDER");
            assert_eq!(p.provider(SCENARIO_PROVIDER).await.unwrap().1, profile);

            let service = ListedService {
                name: "  Cyberweerbaar ondernemen ".into(),
                kind: "training".into(),
                theme: "digitalisation".into(),
                sub_theme: Some("cybersecurity".into()),
                price: Cents::new(320_000),
                topics: vec![],
                on_occupation_list: false,
            };
            let id = p.list_service(SCENARIO_PROVIDER, &service).await.unwrap();
            let not_active = ListedService {
                theme: "innovation".into(),
                sub_theme: None,
                ..service.clone()
            };
            let e = p
                .list_service(SCENARIO_PROVIDER, &not_active)
                .await
                .unwrap_err();
            assert_eq!(e.field(), Some("theme"));
            let free = ListedService {
                price: Cents::new(0),
                ..service.clone()
            };
            let e = p.list_service(SCENARIO_PROVIDER, &free).await.unwrap_err();
            assert_eq!(e.field(), Some("price_cents"));
            let list = p.services(SCENARIO_PROVIDER).await.unwrap();
            assert_eq!(list.len(), 1);
            let (listed_id, listed) = &list[0];
            assert_eq!(*listed_id, id);
            assert_eq!(listed.name, "Cyberweerbaar ondernemen");
            assert_eq!(listed.price, Cents::new(320_000));
            assert_eq!(
                ServiceRequest::of_listed(listed, d("2024-03-01"))
                    .sub_theme
                    .as_deref(),
                Some("cybersecurity")
            );

            // Themes are replaced, not added to.
            let profile = p
                .set_provider_profile(SCENARIO_PROVIDER, None, None, &["innovation".to_owned()])
                .await
                .unwrap();
            assert_eq!(p.provider(SCENARIO_PROVIDER).await.unwrap().1, profile);
            assert_eq!(profile.themes, vec!["innovation".to_owned()]);
            scratch.drop_it().await;
        });
    }
}

#[test]
fn a_change_that_breaks_an_invariant_is_refused_before_anything_is_written() {
    use kmo_app::kernel::runner::write_checked;
    use kmo_app::store::Writes;
    use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferId, TransferKind};
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 2).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            funded(&p, "A1", "2024-03-01", 100_000).await;
            let before = dump(&scratch.db).await;
            // A payment that moves money but forgets the subsidy's share: S + O = E still
            // holds, the paid subsidy no longer equals round_half_up(P·S/E).
            let app = p.application("A1").await.unwrap();
            let mut broken = app.clone();
            broken.seq += 1;
            broken.paid_own = Cents::new(10_000);
            let pay = Transfer {
                id: TransferId::new("a1.forced.payment_own_share").unwrap(),
                debit: AccountKey::OwnShareWallet {
                    application: app.id.get(),
                },
                credit: AccountKey::ProviderPayable {
                    provider: app.provider.get(),
                },
                amount: Cents::new(10_000),
                code: TransferCode::PaymentOwnShare,
                kind: TransferKind::Posted,
                application: Some(app.id.get()),
                date: d("2024-03-01"),
            };
            let mut tx = scratch.db.begin().await.unwrap();
            let refused = write_checked(
                &mut tx,
                &Writes {
                    application: Some(&broken),
                    transfers: std::slice::from_ref(&pay),
                    ..Writes::default()
                },
            )
            .await
            .unwrap_err();
            assert!(refused.to_string().contains("invariant"), "{refused}");
            // Even a caller that commits regardless has written nothing.
            tx.commit().await.unwrap();
            assert_eq!(before, dump(&scratch.db).await, "on {}", name(url.as_ref()));
            // The same change, well formed, is written.
            let mut fixed = broken.clone();
            fixed.paid_own = Cents::ZERO;
            let mut tx = scratch.db.begin().await.unwrap();
            write_checked(
                &mut tx,
                &Writes {
                    application: Some(&fixed),
                    ..Writes::default()
                },
            )
            .await
            .unwrap();
            drop(tx);
            scratch.drop_it().await;
        });
    }
}

#[test]
fn reads_never_wait_for_a_writer_and_never_write() {
    for url in backends() {
        runtime().block_on(async {
            let (scratch, p) = platform_with_enterprise(url.as_deref(), 4).await;
            p.advance_clock(d("2024-03-01")).await.unwrap();
            funded(&p, "A1", "2024-03-01", 100_000).await;
            // A writer holds its transaction open (on SQLite: the write lock) and changes the
            // clock without committing yet.
            let mut writer = scratch.db.begin().await.unwrap();
            writer.set_clock(d("2024-03-05")).await.unwrap();
            // A read still answers at once, from the last committed state.
            let read = tokio::time::timeout(std::time::Duration::from_secs(5), async {
                let mut tx = scratch.db.read().await.unwrap();
                let clock = tx.clock().await.unwrap();
                let app = tx.application_by_key("A1").await.unwrap();
                (clock, app.map(|a| a.deposited))
            })
            .await
            .expect("a read waited for the writer");
            assert_eq!(read.0, Some(d("2024-03-01")), "on {}", name(url.as_ref()));
            assert!(read.1.unwrap().is_positive());
            writer.commit().await.unwrap();
            // The platform's queries read the committed state.
            assert_eq!(p.application("A1").await.unwrap().key, "A1");
            // A write inside a read transaction is refused by the database.
            let mut tx = scratch.db.read().await.unwrap();
            assert!(
                tx.set_clock(d("2024-03-09")).await.is_err(),
                "a read transaction wrote on {}",
                name(url.as_ref())
            );
            drop(tx);
            let mut tx = scratch.db.read().await.unwrap();
            assert_eq!(tx.clock().await.unwrap(), Some(d("2024-03-05")));
            drop(tx);
            scratch.drop_it().await;
        });
    }
}
