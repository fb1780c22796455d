//! `kmo demo` on both databases and on awkward days (New Year, a leap day): every state of the
//! lifecycle is shown, and the books are clean.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeSet;

use kmo_app::check::ledger_report;
use kmo_app::lifecycle::State;
use kmo_app::platform::Platform;
use kmo_app::store::Store;
use kmo_domain::Date;
use kmo_rules::RuleBook;
use kmo_sim::demo::fill;
use kmo_store::scratch::{Scratch, backends_under_test};

#[test]
fn the_demo_shows_every_state_with_clean_books_whatever_the_day() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for db in backends_under_test() {
            for today in ["2026-11-24", "2027-01-02", "2028-02-29", "2026-03-01"] {
                let today = Date::parse(today).unwrap();
                let scratch = Scratch::create(db.as_deref(), 2).await.unwrap();
                let platform = Platform::new(scratch.db.clone(), RuleBook::embedded().unwrap());
                let summary = fill(&platform, today)
                    .await
                    .unwrap_or_else(|e| panic!("demo on {today}: {e}"));
                let states: BTreeSet<&str> =
                    summary.applications.values().map(|s| s.code()).collect();
                let all: BTreeSet<&str> = State::ALL.iter().map(|s| s.code()).collect();
                assert_eq!(states, all, "on {today}");
                // A second fill is refused and changes nothing.
                assert!(fill(&platform, today).await.is_err());
                let mut tx = scratch.db.begin().await.unwrap();
                let report = ledger_report(&mut tx).await.unwrap();
                drop(tx);
                assert_eq!(report.applications, summary.applications.len());
                assert!(report.is_clean(), "{:?}", report.problems);
                scratch.drop_it().await;
            }
        }
    });
}
