//! The year planner over real HTTP: the real server (API and pages) on 127.0.0.1:0 over a
//! fresh database with the demo (clock 2025-03-03), on SQLite and on PostgreSQL
//! (`KMO_TEST_DATABASE_URL`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use kmo_domain::{Cents, Date};
use kmo_rules::RuleBook;
use kmo_store::scratch::backends_under_test;

mod common;

use common::{Site, TODAY, hidden, log_in};

const PLANNER: &str = "/portefeuille/planner";
const BAKERY: &str = "0403.199.702";

#[tokio::test]
async fn a_plan_fills_this_years_ceiling_and_moves_a_january_training_to_next_year() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (_, wallet, _) = site.get("/portefeuille", Some(&owner)).await;
        assert!(
            wallet.contains("href=\"/portefeuille/planner\""),
            "{wallet}"
        );

        let (status, page, _) = site.get(PLANNER, Some(&owner)).await;
        assert_eq!(status, 200);
        assert!(page.contains("<h1>Jaarplanner</h1>"), "{page}");
        assert!(page.contains("Bakkerij Janssens BV (0403.199.702)"));
        assert!(page.contains("Van Damme Logistiek NV"));
        assert!(page.contains("<legend>Opleiding of advies 5</legend>"));
        assert!(page.contains("<label for=\"amount-3\">"));
        let csrf = hidden(&page, "csrf");

        // What the real wallet holds this year: the plan caps at what is left.
        let platform = kmo_app::platform::Platform::new(
            site.server.scratch.as_ref().unwrap().db.clone(),
            RuleBook::embedded().unwrap(),
        );
        let today = Date::parse(TODAY).unwrap();
        let e = platform.enterprise(BAKERY).await.unwrap();
        let w = platform.wallet_year(&e, today).await.unwrap();
        let ceiling = w.ceiling.unwrap();
        assert!(w.reserved.is_positive(), "the demo reserved some of 2025");
        let left = ceiling.checked_sub(w.reserved).unwrap();

        let form = [
            ("csrf", csrf.as_str()),
            ("enterprise", BAKERY),
            ("label_1", "Cyber in januari"),
            ("kind_1", "training"),
            ("theme_1", "digitalisation"),
            ("sub_theme_1", "cybersecurity"),
            ("start_1", "2025-12-29"),
            ("amount_1", "4.000,00"),
            ("label_2", "Groot groeitraject"),
            ("kind_2", "training"),
            ("theme_2", "business_strategy"),
            ("sub_theme_2", ""),
            ("start_2", "10/03/2025"),
            ("enrolled_2", "2025-03-01"),
            ("amount_2", "25000"),
            ("kind_3", "training"),
            ("theme_3", ""),
        ];
        let (status, page, _) = site.post(PLANNER, &form, Some(&owner)).await;
        assert_eq!(status, 200);
        assert!(!page.contains("Verbeter de gemarkeerde velden"), "{page}");
        // The input is shown again.
        assert!(page.contains("value=\"Cyber in januari\""));
        assert!(page.contains("value=\"10/03/2025\""));

        let plan = &page[page.find("id=\"plan\"").expect("the plan")..];
        // Apply order: the big one today (capped at what is left), the January one on
        // 1 January, in 2026's ceiling, at the enhanced rate (45 %).
        let big = plan.find("Groot groeitraject").unwrap();
        let january = plan.find("Cyber in januari").unwrap();
        assert!(big < january, "{plan}");
        let big_row = &plan[big..january];
        assert!(big_row.contains("<strong>03/03/2025</strong>"), "{big_row}");
        assert!(big_row.contains("24/03/2025"), "the last day: {big_row}");
        assert!(big_row.contains(&left.to_string()), "{big_row}");
        assert!(big_row.contains("begrensd door het jaarplafond"));
        assert!(big_row.contains("17/03/2025") && big_row.contains("31/12/2026"));
        let january_row = &plan[january..];
        assert!(
            january_row.contains("<strong>01/01/2026</strong>"),
            "{january_row}"
        );
        assert!(january_row.contains("12/01/2026") && january_row.contains("31/12/2027"));
        assert!(january_row.contains("€ 1.800,00") && january_row.contains("€ 2.200,00"));
        assert!(page.contains(
            "«Cyber in januari»: dien pas in op 01/01/2026 in plaats van 03/03/2025. Dan telt de subsidie in het plafond van 2026 en krijgt u in totaal € 1.800,00 meer."
        ), "{page}");
        let total = left.checked_add(Cents::new(180_000)).unwrap();
        assert!(page.contains(&format!("id=\"total-subsidy\">{total}</span>")));
        // Per year: 2025 used up, 2026 with € 1.800 planned.
        let years = &page[page.find("id=\"years\"").unwrap()..];
        assert!(years.contains(&format!(
            "<th scope=\"row\">2025</th><td class=\"num\">{ceiling}</td><td class=\"num\">{}</td><td class=\"num\">{left}</td><td class=\"num\">€ 0,00</td>",
            w.reserved
        )), "{years}");
        assert!(years.contains(
            "<th scope=\"row\">2026</th><td class=\"num\">€ 7.500,00</td><td class=\"num\">€ 0,00</td><td class=\"num\">€ 1.800,00</td><td class=\"num\">€ 5.700,00</td>"
        ), "{years}");
        // Nothing was stored: the wallet is as before.
        let after = platform.wallet_year(&e, today).await.unwrap();
        assert_eq!(after.reserved, w.reserved);

        // A training that started too long ago is reported with its deadline; English on
        // request.
        let late = [
            ("csrf", csrf.as_str()),
            ("enterprise", BAKERY),
            ("label_1", "Gemist"),
            ("kind_1", "training"),
            ("theme_1", "innovation"),
            ("start_1", "2025-02-01"),
            ("enrolled_1", "2025-01-10"),
            ("amount_1", "1000"),
        ];
        let (status, page, _) = site
            .post(&format!("{PLANNER}?lang=en"), &late, Some(&owner))
            .await;
        assert_eq!(status, 200);
        assert!(page.contains("<h1>Year planner</h1>"), "{page}");
        assert!(
            page.contains("“Gemist”: too late to submit; the last day was 15/02/2025."),
            "{page}"
        );
        site.stop().await;
    }
}

#[tokio::test]
async fn a_bad_amount_and_a_bad_date_are_shown_next_to_their_fields() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (_, page, _) = site.get(PLANNER, Some(&owner)).await;
        let csrf = hidden(&page, "csrf");
        let bad = [
            ("csrf", csrf.as_str()),
            ("enterprise", BAKERY),
            ("label_1", "Goed"),
            ("kind_1", "training"),
            ("theme_1", "innovation"),
            ("start_1", "2025-04-01"),
            ("amount_1", "1.000"),
            ("label_2", "Fout"),
            ("kind_2", "advice"),
            ("theme_2", "innovation"),
            ("start_2", "1 april"),
            ("amount_2", "<b>veel</b>"),
        ];
        let (status, page, _) = site.post(PLANNER, &bad, Some(&owner)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Verbeter de gemarkeerde velden."), "{page}");
        assert!(page.contains("id=\"amount-2-error\">Geef een bedrag in euro"));
        assert!(page.contains("aria-describedby=\"amount-2-hint amount-2-error\""));
        assert!(page.contains("id=\"start-2-error\">Geef een datum"));
        assert!(page.contains("aria-describedby=\"start-2-hint start-2-error\""));
        assert!(!page.contains("amount-1-error") && !page.contains("start-1-error"));
        assert!(page.contains("value=\"1 april\""));
        assert!(!page.contains("<b>veel</b>"), "escaped");
        assert!(!page.contains("id=\"plan\""), "no plan with errors");
        // The advice row keeps its choice.
        assert!(page.contains("<option value=\"advice\" selected>"));

        // In English, from the language cookie.
        let both = format!("{owner}; kmo_lang=en");
        let (_, page, _) = site.post(PLANNER, &bad, Some(&both)).await;
        assert!(
            page.contains("id=\"amount-2-error\">Give an amount in euro"),
            "{page}"
        );

        // Nothing filled in: said next to the first row's start date.
        let empty = [("csrf", csrf.as_str()), ("enterprise", BAKERY)];
        let (_, page, _) = site.post(PLANNER, &empty, Some(&owner)).await;
        assert!(page.contains("id=\"start-1-error\">Vul minstens één opleiding"));
        // Another enterprise than the user's.
        let other = [
            ("csrf", csrf.as_str()),
            ("enterprise", "0555.912.344"),
            ("start_1", "2025-04-01"),
            ("kind_1", "training"),
            ("theme_1", "innovation"),
            ("amount_1", "1000"),
        ];
        let (_, page, _) = site.post(PLANNER, &other, Some(&owner)).await;
        assert!(page.contains("id=\"enterprise-error\""), "{page}");
        assert!(!page.contains("id=\"plan\""));
        // Without the session's CSRF token: refused.
        let (status, _, _) = site.post(PLANNER, &[("csrf", "raden")], Some(&owner)).await;
        assert_eq!(status, 403);
        site.stop().await;
    }
}

#[tokio::test]
async fn only_enterprise_users_reach_the_planner() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let (status, _, headers) = site.get(PLANNER, None).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, "/aanmelden")
        );
        let (status, _, headers) = site.post(PLANNER, &[("csrf", "x")], None).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, "/aanmelden")
        );
        let provider = log_in(&site, "opleider@demo.kmo").await;
        let (status, _, headers) = site.get(PLANNER, Some(&provider)).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, "/aanmelden")
        );
        site.stop().await;
    }
}
