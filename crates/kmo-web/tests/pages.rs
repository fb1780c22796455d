//! The pages over real HTTP: the real server (API and pages) on 127.0.0.1:0 over a fresh
//! database with the demo, on SQLite and on PostgreSQL (`KMO_TEST_DATABASE_URL`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use kmo_app::kernel::ErrorCode;
use kmo_domain::Date;
use kmo_domain::codes::Lang;
use kmo_rules::RuleBook;
use kmo_store::scratch::backends_under_test;
use kmo_web::i18n::T;

mod common;

use common::{Site, cookie, hidden, log_in, platform};

/// A refusal answered as a page: 403, HTML, the code's sentence in the page's language as its
/// heading — never the bare code.
fn assert_refused(
    (status, page, headers): &(u16, String, reqwest::header::HeaderMap),
    code: ErrorCode,
    lang: Lang,
) {
    assert_eq!(*status, 403, "{page}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{headers:?}"
    );
    let shown = page.replace("&#39;", "'").replace("&#x27;", "'");
    let sentence = code.text(T::of(lang));
    assert!(
        shown.contains(&format!("<h1 id=\"refused\">{sentence}</h1>")),
        "{sentence}: {page}"
    );
    assert!(
        shown.contains(&format!("<html lang=\"{}\">", lang.code())),
        "{page}"
    );
    assert!(!page.contains(code.as_str()), "no bare code: {page}");
}

#[tokio::test]
async fn the_simulator_answers_without_login_in_dutch_or_english_and_reshows_bad_input() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let (status, page, headers) = site.get("/simulator", None).await;
        assert_eq!(status, 200);
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .contains("charset=utf-8")
        );
        assert!(page.contains("<meta charset=\"utf-8\">") && page.contains("<html lang=\"nl\">"));
        assert!(page.contains("Subsidiesimulator") && page.contains("value=\"2025-03-03\""));

        // The answer is the rules engine's, with its explanation.
        let form = [
            ("size", "small"),
            ("kind", "training"),
            ("theme", "digitalisation"),
            ("start_date", "2025-03-03"),
            ("amount", "1.234,56"),
        ];
        let (status, page, _) = site.post("/simulator", &form, None).await;
        assert_eq!(status, 200);
        let case = kmo_rules::parse_case(
            &RuleBook::embedded().unwrap(),
            r#"{"submitted_on": "2025-03-03", "enterprise": {"legal_form": "BV", "flemish_establishment": true,
                "public_bodies_pct": 0, "size": "small"}, "service": {"kind": "training", "theme": "digitalisation",
                "sub_theme": null, "start_date": "2025-03-03", "topics": []},
                "costs": [{"type": "fee", "amount_cents": 123456}]}"#,
        )
        .case
        .unwrap();
        let d = kmo_rules::evaluate(&RuleBook::embedded().unwrap(), &case);
        assert!(d.is_eligible());
        assert!(page.contains("Komt in aanmerking"), "{page}");
        assert!(
            page.contains(&format!("id=\"subsidy\">{}</span>", d.subsidy)),
            "{page}"
        );
        assert!(page.contains(&format!("id=\"own-share\">{}</span>", d.own_share)));
        assert!(page.contains("Beslissing: KOMT IN AANMERKING"));

        // Bad input: re-shown as typed, the error tied to its field, nothing computed.
        let bad = [
            ("size", "small"),
            ("kind", "training"),
            ("theme", "yoga"),
            ("start_date", "3 maart"),
            ("amount", "<b>veel</b>"),
        ];
        let (status, page, _) = site.post("/simulator", &bad, None).await;
        assert_eq!(status, 200);
        assert!(page.contains("Verbeter de gemarkeerde velden."));
        assert!(page.contains("id=\"amount-error\">Geef een bedrag in euro"));
        assert!(page.contains("aria-describedby=\"amount-hint amount-error\""));
        assert!(page.contains("id=\"start_date-error\"") && page.contains("id=\"theme-error\""));
        assert!(page.contains("value=\"3 maart\""));
        assert!(
            page.contains("value=\"&#60;b&#62;veel&#60;/b&#62;\"")
                || page.contains("value=\"&lt;b&gt;veel&lt;/b&gt;\""),
            "escaped: {page}"
        );
        assert!(!page.contains("<b>veel</b>"));
        assert!(!page.contains("result-title"));

        // English on request, remembered in a cookie.
        let (_, page, headers) = site.get("/simulator?lang=en", None).await;
        assert!(page.contains("<html lang=\"en\">") && page.contains("Subsidy simulator"));
        let lang = cookie(&headers, "kmo_lang").unwrap();
        assert_eq!(lang, "kmo_lang=en");
        let (_, page, _) = site.post("/simulator", &bad, Some(&lang)).await;
        assert!(page.contains("Give an amount in euro"), "{page}");
        site.stop().await;
    }
}

#[tokio::test]
async fn a_user_logs_in_sees_the_wallet_with_next_steps_and_logs_out() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        // Not logged in: to the login page.
        let (status, _, headers) = site.get("/portefeuille", None).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, "/aanmelden")
        );
        let (status, page, _) = site.get("/aanmelden", None).await;
        assert_eq!(status, 200);
        assert!(page.contains("<label for=\"email\">E-mailadres</label>"));
        // The demo's accounts are listed, with what each one is for.
        assert!(
            page.contains("<strong>agentschap@demo.kmo</strong> — agentschap: stortingen boeken")
        );

        // A wrong password: the form again with the address typed, the error tied to it.
        let (status, page, headers) = site
            .post(
                "/aanmelden",
                &[
                    ("email", "ondernemer@demo.kmo"),
                    ("password", "fout-wachtwoord"),
                ],
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert!(cookie(&headers, "kmo_session").is_none());
        assert!(page.contains("Dat e-mailadres of wachtwoord klopt niet."));
        assert!(page.contains("value=\"ondernemer@demo.kmo\""));

        let (status, _, headers) = site
            .post(
                "/aanmelden",
                &[
                    ("email", "ondernemer@demo.kmo"),
                    ("password", kmo_sim::demo::DEMO_PASSWORD),
                ],
                None,
            )
            .await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, "/portefeuille")
        );
        let session = cookie(&headers, "kmo_session").unwrap();
        let set = headers["set-cookie"].to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );

        let (status, page, _) = site.get("/portefeuille", Some(&session)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Bakkerij Janssens BV") && page.contains("Van Damme Logistiek NV"));
        assert!(page.contains("Nog beschikbaar in 2025"), "{page}");
        // The funded demo application: release the invoice, by the payment deadline.
        let at = page.find("DEMO-GESTORT").expect("the funded application");
        let rest = &page[at..];
        assert!(rest.contains("Geef de factuur vrij"), "{rest}");
        assert!(rest.contains("uiterlijk op 31/12/2026"), "{rest}");
        // The deadlines as a calendar file: the funded application's release by 31/12/2026.
        let (status, ics, headers) = site
            .get("/portefeuille/termijnen.ics", Some(&session))
            .await;
        assert_eq!(status, 200);
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        assert!(
            ics.contains("UID:DEMO-GESTORT-release@kmo-portefeuille"),
            "{ics}"
        );
        assert!(ics.contains("DTSTART;VALUE=DATE:20261231"));
        assert!(!ics.contains("DEMO-INGEDIEND"));
        // Another enterprise's application is not on the page.
        assert!(!page.contains("DEMO-INGEDIEND") && !page.contains("Studio Peeters"));

        // Logging out needs the session's CSRF token.
        let refused = site
            .post("/afmelden", &[("csrf", "raden")], Some(&session))
            .await;
        assert_refused(&refused, ErrorCode::CsrfFailed, Lang::Nl);
        let refused = site
            .post("/afmelden?lang=en", &[("csrf", "raden")], Some(&session))
            .await;
        assert_refused(&refused, ErrorCode::CsrfFailed, Lang::En);
        let csrf = hidden(&page, "csrf");
        let (status, _, headers) = site
            .post("/afmelden", &[("csrf", &csrf)], Some(&session))
            .await;
        assert_eq!(status, 303);
        assert_eq!(cookie(&headers, "kmo_session").unwrap(), "kmo_session=");
        let (status, _, _) = site.get("/portefeuille", Some(&session)).await;
        assert_eq!(status, 303, "the session has ended");
        site.stop().await;
    }
}

#[tokio::test]
async fn a_provider_sees_the_applications_naming_it_and_names_are_escaped() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let (_, _, headers) = site
            .post(
                "/aanmelden",
                &[
                    ("email", "opleider@demo.kmo"),
                    ("password", kmo_sim::demo::DEMO_PASSWORD),
                ],
                None,
            )
            .await;
        let session = cookie(&headers, "kmo_session").unwrap();
        let (status, page, _) = site.get("/portefeuille", Some(&session)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Aanvragen die uw organisatie vermelden"));
        assert!(page.contains("DEMO-GESTORT"), "{page}");

        // What users typed is shown as text, never as markup.
        let platform = kmo_app::platform::Platform::new(
            site.server.scratch.as_ref().unwrap().db.clone(),
            RuleBook::embedded().unwrap(),
        );
        let e = platform.enterprise("0403.199.702").await.unwrap();
        platform
            .update_enterprise(
                "0403.199.702",
                Some("<script>alert(1)</script> BV"),
                &e.profile,
                kmo_app::kernel::audit::Actor::Agency,
            )
            .await
            .unwrap();
        let (_, _, headers) = site
            .post(
                "/aanmelden",
                &[
                    ("email", "ondernemer@demo.kmo"),
                    ("password", kmo_sim::demo::DEMO_PASSWORD),
                ],
                None,
            )
            .await;
        let owner = cookie(&headers, "kmo_session").unwrap();
        let (_, page, headers) = site.get("/portefeuille", Some(&owner)).await;
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&#60;script&#62;alert(1)&#60;/script&#62; BV")
                || page.contains("&lt;script&gt;alert(1)&lt;/script&gt; BV"),
            "{page}"
        );
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        site.stop().await;
    }
}

/// The value of the first `<option>` whose label contains `text`.
fn option_with(html: &str, text: &str) -> String {
    let at = html.find(text).expect("the option");
    let start = html[..at].rfind("<option value=\"").unwrap() + "<option value=\"".len();
    html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#124;", "|")
}

#[tokio::test]
async fn an_enterprise_applies_releases_part_and_stops_from_the_pages() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (status, page, _) = site.get("/aanvragen/nieuw", Some(&owner)).await;
        assert_eq!(status, 200);
        let key = hidden(&page, "key");
        let csrf = hidden(&page, "csrf");
        let offer = option_with(&page, "Syntra Vlaanderen Opleidingen");
        let form = |action: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("key", key.clone()),
                ("enterprise", "0403.199.702".to_owned()),
                ("offer", offer.clone()),
                ("start_date", "2025-03-10".to_owned()),
                ("amount", String::new()),
                ("participant", "An Peeters".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            site.post_fields("/aanvragen/nieuw", fields, &owner)
        };
        // Calculate: the decision and its reasons, nothing saved.
        let (status, page, _) = post(form("preview")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Komt in aanmerking"), "{page}");
        // Submit, twice (a double click): one application.
        let (status, _, headers) = post(form("submit")).await;
        assert_eq!(status, 303);
        let location = headers["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/aanvragen/{key}"));
        let (status, _, headers) = post(form("submit")).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, location.as_str())
        );
        let p = platform(&site);
        let bakkerij = p.enterprise("0403.199.702").await.unwrap();
        let apps = p
            .applications_page(kmo_app::store::AppOwner::Enterprise(bakkerij.id), 0, 100)
            .await
            .unwrap();
        assert_eq!(apps.iter().filter(|(k, _)| *k == key).count(), 1);
        let app = p.application(&key).await.unwrap();

        // The deposit instructions: the exact own share, the structured reference, the deadline.
        let (_, page, _) = site.get(&location, Some(&owner)).await;
        assert!(
            page.contains(&format!("id=\"deposit-amount\">{}</span>", app.own_share)),
            "{page}"
        );
        let reference = kmo_domain::PaymentReference::from_base(app.reference_base()).unwrap();
        assert!(page.contains(&reference.to_string()));
        assert!(page.contains("17/03/2025"), "the deposit deadline: {page}");

        // The bank statement brings the own share (the agency's matching).
        p.deposit(
            &kmo_app::platform::DepositTarget::Reference(reference.to_string()),
            app.own_share,
            Date::parse("2025-03-03").unwrap(),
            "BANK-1",
        )
        .await
        .unwrap();
        let (_, page, _) = site.get(&location, Some(&owner)).await;
        assert!(page.contains("id=\"release-amount\""), "{page}");
        let csrf = hidden(&page, "csrf");

        // Too much: the form again, as typed, with the reason.
        let too_much = [
            ("csrf", csrf.as_str()),
            ("invoice", "F-1"),
            ("amount", "99.999,00"),
        ];
        let (status, page, _) = site
            .post(&format!("{location}/vrijgeven"), &too_much, Some(&owner))
            .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Dat is meer dan er nog te betalen is."),
            "{page}"
        );
        assert!(page.contains("value=\"99.999,00\"") && page.contains("value=\"F-1\""));

        // Part of it, posted twice: paid once.
        let part = [
            ("csrf", csrf.as_str()),
            ("invoice", "F-1"),
            ("amount", "100,00"),
        ];
        for _ in 0..2 {
            let (status, _, _) = site
                .post(&format!("{location}/vrijgeven"), &part, Some(&owner))
                .await;
            assert_eq!(status, 303);
        }
        let paid = p.application(&key).await.unwrap();
        assert_eq!(paid.paid(), kmo_domain::Cents::new(10_000));

        // Stop: the page's preview is the refund the stop gives.
        let (_, page, _) = site.get(&location, Some(&owner)).await;
        let preview = page
            .split("id=\"stop-refund\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        let (status, _, _) = site
            .post(
                &format!("{location}/stopzetten"),
                &[("csrf", csrf.as_str())],
                Some(&owner),
            )
            .await;
        assert_eq!(status, 303);
        let stopped = p.application(&key).await.unwrap();
        assert_eq!(stopped.state, kmo_app::lifecycle::State::Stopped);
        assert_eq!(stopped.refunded.to_string(), preview);
        let (_, page, _) = site.get(&location, Some(&owner)).await;
        for step in [
            "Aanvraag ingediend",
            "Eigen aandeel ontvangen",
            "Factuur vrijgegeven",
            "Stopgezet",
        ] {
            assert!(page.contains(step), "timeline {step}: {page}");
        }

        // Someone else's application is not there for this user; no CSRF, no change.
        let (status, _, _) = site.get("/aanvragen/DEMO-INGEDIEND", Some(&owner)).await;
        assert_eq!(status, 404);
        let (status, _, _) = site
            .post(
                "/aanvragen/DEMO-GESTORT/vrijgeven",
                &[("csrf", "x"), ("invoice", "F"), ("amount", "1")],
                Some(&owner),
            )
            .await;
        assert_eq!(status, 403);
        site.stop().await;
    }
}

#[tokio::test]
async fn only_the_agency_uses_its_desk_and_only_the_named_provider_refuses() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let (status, _, headers) = site.get("/agentschap", None).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (303, "/aanmelden")
        );
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let refused = site.get("/agentschap", Some(&owner)).await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        let refused = site.get("/agentschap?lang=en", Some(&owner)).await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::En);
        let (_, page, _) = site.get("/portefeuille", Some(&owner)).await;
        let csrf = hidden(&page, "csrf");
        let line = [
            ("csrf", csrf.as_str()),
            ("bank_ref", "B-1"),
            ("reference", "+++000/0000/01010+++"),
            ("amount", "840,00"),
        ];
        // An enterprise user cannot book bank lines.
        let refused = site.post("/agentschap/storting", &line, Some(&owner)).await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        // The owner may not refuse (it is the provider's act); another provider does not see it.
        let (status, _, _) = site
            .post(
                "/aanvragen/DEMO-GESTORT/weigeren",
                &[("csrf", csrf.as_str()), ("reason", "wrong_provider")],
                Some(&owner),
            )
            .await;
        assert_eq!(status, 403);
        let adviser = log_in(&site, "adviseur@demo.kmo").await;
        let (status, _, _) = site.get("/aanvragen/DEMO-GESTORT", Some(&adviser)).await;
        assert_eq!(status, 404);

        // The agency books a line with a wrong amount: sent back, with the reason.
        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let (status, page, _) = site.get("/agentschap", Some(&agency)).await;
        assert_eq!(status, 200);
        let csrf = hidden(&page, "csrf");
        let app = platform(&site).application("DEMO-INGEDIEND").await.unwrap();
        let reference = kmo_domain::PaymentReference::from_base(app.reference_base())
            .unwrap()
            .to_string();
        let wrong = [
            ("csrf", csrf.as_str()),
            ("bank_ref", "B-2"),
            ("reference", reference.as_str()),
            ("amount", "1,00"),
        ];
        let (status, page, _) = site
            .post("/agentschap/storting", &wrong, Some(&agency))
            .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Teruggestort: niet het juiste bedrag"),
            "{page}"
        );
        assert_eq!(
            platform(&site)
                .application("DEMO-INGEDIEND")
                .await
                .unwrap()
                .deposited,
            kmo_domain::Cents::ZERO
        );
        site.stop().await;
    }
}

#[tokio::test]
async fn public_statistics_are_drawn_with_their_figures_and_name_nobody() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let expected = platform(&site).statistics(2024).await.unwrap();
        assert!(expected.totals.applications > 0);
        let (status, page, _) = site.get("/statistieken?year=2024", None).await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!(
                "id=\"st-applications\">{}</span>",
                expected.totals.applications
            )),
            "{page}"
        );
        assert!(page.contains(&format!(
            "id=\"st-subsidy\">{}</span>",
            kmo_domain::Cents::new(expected.totals.subsidy_cents)
        )));
        assert_eq!(page.matches("<svg").count(), 3);
        assert!(!page.contains("Bakkerij") && !page.contains("Studio Peeters"));
        // Not a year: this year's figures.
        let (status, page, _) = site.get("/statistieken?year=twee", None).await;
        assert_eq!(status, 200);
        assert!(page.contains("Cijfers van de kmo-portefeuille 2025"));
        site.stop().await;
    }
}

#[tokio::test]
async fn providers_are_found_by_name_and_theme_and_the_rules_in_force_are_shown() {
    let site = Site::start(None).await;
    let (status, page, _) = site.get("/aanbieders?naam=syntra&thema=", None).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("1 dienstverleners gevonden")
            && page.contains("Syntra Vlaanderen Opleidingen"),
        "{page}"
    );
    let (_, page, _) = site
        .get("/aanbieders?naam=&thema=sustainability", None)
        .await;
    assert!(
        page.contains("Duurzaam Ondernemen CV") && !page.contains("Syntra"),
        "{page}"
    );
    let (_, page, _) = site.get("/aanbieders?naam=%3Cscript%3E", None).await;
    assert!(page.contains("0 dienstverleners gevonden") && !page.contains("<script>"));
    let (status, page, _) = site.get("/regels", None).await;
    assert_eq!(status, 200);
    let book = RuleBook::embedded().unwrap();
    let expected = kmo_rules::explain::describe_rule_set(
        &book,
        book.index_in_force(Date::parse("2025-03-03").unwrap())
            .unwrap(),
        kmo_domain::codes::Lang::Nl,
    );
    let first_line = expected.lines().next().unwrap();
    assert!(page.contains(first_line), "{first_line} in {page}");
    // Every rule set is listed; an earlier one is shown on request, an unknown id shows today's.
    for set in book.sets() {
        assert!(
            page.contains(&format!(">{}<", set.id)),
            "{} in {page}",
            set.id
        );
    }
    assert!(page.contains("(vandaag van kracht)"));
    let (status, page, _) = site.get("/regels?set=R2016", None).await;
    assert_eq!(status, 200);
    let i = book.sets().iter().position(|s| s.id == "R2016").unwrap();
    let old = kmo_rules::explain::describe_rule_set(
        &book,
        u8::try_from(i).unwrap(),
        kmo_domain::codes::Lang::Nl,
    );
    assert!(page.contains(old.lines().next().unwrap()), "{page}");
    assert!(page.contains("<strong aria-current=\"page\">R2016</strong>"));
    let (_, page, _) = site.get("/regels?set=%3Cx%3E", None).await;
    assert!(page.contains(first_line) && !page.contains("<x>"));
    site.stop().await;
}

#[tokio::test]
async fn a_legal_representative_invites_an_accountant_until_a_date_and_revokes_it() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (status, page, _) = site.get("/portefeuille/mandaten", Some(&owner)).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("boekhouder@demo.kmo")
                && page.contains("mag inkijken en facturen vrijgeven"),
            "{page}"
        );
        let csrf = hidden(&page, "csrf");
        let invite = |email: &'static str, until: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("enterprise", "0417.497.106".to_owned()),
                ("email", email.to_owned()),
                ("scope", "view_and_release".to_owned()),
                ("until", until.to_owned()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            site.post_fields("/portefeuille/mandaten", fields, &owner)
        };
        // Mistakes are shown next to their field.
        let (status, page, _) = post(invite("niemand@demo.kmo", "2025-12-31")).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Er is geen account met dat e-mailadres"),
            "{page}"
        );
        assert!(page.contains("value=\"niemand@demo.kmo\""));
        let (_, page, _) = post(invite("boekhouder@demo.kmo", "2024-01-01")).await;
        assert!(
            page.contains("id=\"until-error\">Die datum is al voorbij."),
            "{page}"
        );

        // The accountant does not see Van Damme yet; invited until the end of the year, it does.
        let accountant = log_in(&site, "boekhouder@demo.kmo").await;
        let (_, page, _) = site.get("/portefeuille", Some(&accountant)).await;
        assert!(!page.contains("Van Damme Logistiek NV"));
        let (status, _, _) = post(invite("boekhouder@demo.kmo", "2025-12-31")).await;
        assert_eq!(status, 303);
        let (_, page, _) = site.get("/portefeuille", Some(&accountant)).await;
        assert!(page.contains("Van Damme Logistiek NV"), "{page}");
        // It may not manage mandates itself.
        let (_, page, _) = site.get("/portefeuille/mandaten", Some(&accountant)).await;
        assert!(page.contains("Alleen de wettelijk vertegenwoordiger"));

        // Revoked: gone at once.
        let (_, page, _) = site.get("/portefeuille/mandaten", Some(&owner)).await;
        assert!(page.contains("31/12/2025"));
        let at = page.find("Van Damme Logistiek NV").unwrap();
        let action = page[at..]
            .split("action=\"/portefeuille/mandaten/")
            .nth(1)
            .unwrap();
        let id = action.split('/').next().unwrap().to_owned();
        let (status, _, _) = site
            .post(
                &format!("/portefeuille/mandaten/{id}/intrekken"),
                &[("csrf", csrf.as_str())],
                Some(&owner),
            )
            .await;
        assert_eq!(status, 303);
        let (_, page, _) = site.get("/portefeuille", Some(&accountant)).await;
        assert!(!page.contains("Van Damme Logistiek NV"));
        site.stop().await;
    }
}

#[tokio::test]
async fn a_provider_adds_a_service_that_enterprises_can_then_pick() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        // Not a provider's user.
        let refused = site.get("/dienstverlener/diensten", Some(&owner)).await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        let trainer = log_in(&site, "opleider@demo.kmo").await;
        let (status, page, _) = site.get("/dienstverlener/diensten", Some(&trainer)).await;
        assert_eq!(status, 200);
        let csrf = hidden(&page, "csrf");
        let theme = "digitalisation".to_owned();
        let service = |price: &'static str, theme: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("name", "Veilig thuiswerken".to_owned()),
                ("kind", "training".to_owned()),
                ("theme", theme.to_owned()),
                ("sub_theme", "cybersecurity".to_owned()),
                ("price", price.to_owned()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            site.post_fields("/dienstverlener/diensten", fields, &trainer)
        };
        let (status, page, _) = post(service("gratis", &theme)).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"price-error\""), "{page}");
        assert!(page.contains("value=\"Veilig thuiswerken\""));
        let (status, page, _) = post(service("450,00", "yoga")).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"theme-error\">Niet aanvaard"), "{page}");
        let (status, _, _) = post(service("450,00", &theme)).await;
        assert_eq!(status, 303);
        let (_, page, _) = site.get("/dienstverlener/diensten", Some(&trainer)).await;
        assert!(
            page.contains(
                "Veilig thuiswerken — Opleiding, Digitalisering / cybersecurity, € 450,00"
            ),
            "{page}"
        );
        let (_, wizard, _) = site.get("/aanvragen/nieuw", Some(&owner)).await;
        assert!(wizard.contains("Veilig thuiswerken"));
        site.stop().await;
    }
}

#[tokio::test]
async fn the_agency_blocks_and_unblocks_after_an_inspection_and_checks_the_books() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (status, _, _) = site.get("/agentschap/boeken", Some(&owner)).await;
        assert_eq!(status, 403);
        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let (status, page, _) = site.get("/aanvragen/DEMO-GESTORT", Some(&agency)).await;
        assert_eq!(status, 200);
        let csrf = hidden(&page, "csrf");
        let inspect = |action: &'static str, reason: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("action", action.to_owned()),
                ("reason", reason.to_owned()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            site.post_fields("/aanvragen/DEMO-GESTORT/inspectie", fields, &agency)
        };
        let (status, page, _) = post(inspect("block", " ")).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Blokkeren of terugvorderen vraagt een reden."),
            "{page}"
        );
        let (status, _, _) = post(inspect("block", "steekproef 2025")).await;
        assert_eq!(status, 303);
        let p = platform(&site);
        assert_eq!(
            p.application("DEMO-GESTORT").await.unwrap().state,
            kmo_app::lifecycle::State::Blocked
        );
        let (_, page, _) = site.get("/portefeuille", Some(&owner)).await;
        assert!(page.contains("Het agentschap onderzoekt deze aanvraag"));
        // The owner may not inspect.
        let (status, _, _) = site
            .post(
                "/aanvragen/DEMO-GESTORT/inspectie",
                &[("csrf", "x"), ("action", "unblock")],
                Some(&owner),
            )
            .await;
        assert_eq!(status, 403);
        let (status, _, _) = post(inspect("unblock", "")).await;
        assert_eq!(status, 303);
        assert_eq!(
            p.application("DEMO-GESTORT").await.unwrap().state,
            kmo_app::lifecycle::State::Funded
        );

        // The books, checked on the page, as `kmo ledger check` does.
        let report = p.ledger_report().await.unwrap();
        assert!(report.is_clean());
        let (status, page, _) = site.get("/agentschap/boeken", Some(&agency)).await;
        assert_eq!(status, 200);
        assert!(page.contains("De boeken kloppen"));
        assert!(
            page.contains(&format!("id=\"books-transfers\">{}</td>", report.transfers)),
            "{page}"
        );
        site.stop().await;
    }
}

#[tokio::test]
async fn the_named_provider_confirms_an_application_once_and_the_enterprise_sees_it() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let trainer = log_in(&site, "opleider@demo.kmo").await;
        let (_, list, _) = site.get("/portefeuille", Some(&trainer)).await;
        assert!(
            list.contains("Te controleren: bevestig of weiger de aanvraag"),
            "{list}"
        );
        let (status, page, _) = site.get("/aanvragen/DEMO-GESTORT", Some(&trainer)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Aanvraag bevestigen"), "{page}");
        let csrf = hidden(&page, "csrf");
        let confirm = || {
            site.post_fields(
                "/aanvragen/DEMO-GESTORT/bevestigen",
                vec![("csrf", csrf.clone())],
                &trainer,
            )
        };
        let (status, _, _) = site
            .post(
                "/aanvragen/DEMO-GESTORT/bevestigen",
                &[("csrf", "forged")],
                Some(&trainer),
            )
            .await;
        assert_eq!(
            status, 403,
            "a form without the session's token changes nothing"
        );
        assert_eq!(confirm().await.0, 303);
        // A double click: still one confirmation.
        assert_eq!(confirm().await.0, 303);
        let p = platform(&site);
        let app = p.application("DEMO-GESTORT").await.unwrap();
        let confirmed = p.confirmations(app.provider, None).await.unwrap();
        assert_eq!(confirmed.len(), 1);
        assert_eq!(confirmed[&app.id.get()], Date::parse("2025-03-03").unwrap());
        let (_, page, _) = site.get("/aanvragen/DEMO-GESTORT", Some(&trainer)).await;
        assert!(page.contains("id=\"confirmed\">Bevestigd door de dienstverlener op 03/03/2025"));
        assert!(!page.contains("bevestigen\""), "no second confirm form");
        let (_, list, _) = site.get("/portefeuille", Some(&trainer)).await;
        assert!(list.contains("U bevestigde ze op 03/03/2025"), "{list}");

        // The enterprise sees it in the timeline, and may not confirm for the provider.
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (_, page, _) = site.get("/aanvragen/DEMO-GESTORT", Some(&owner)).await;
        assert!(page.contains("Bevestigd door de dienstverlener"), "{page}");
        let csrf = hidden(&page, "csrf");
        let (status, _, _) = site
            .post_fields(
                "/aanvragen/DEMO-GESTORT/bevestigen",
                vec![("csrf", csrf)],
                &owner,
            )
            .await;
        assert_eq!(status, 403);
        // The audit log stays a valid chain with the provider's record in it.
        let snapshot = p.snapshot().await.unwrap();
        let (records, transfers) = (snapshot.audit, snapshot.transfers);
        assert!(records.iter().any(|r| r.kind == "application_confirmed"));
        let report = kmo_app::audit::verify(&records, &transfers);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        site.stop().await;
    }
}

#[tokio::test]
async fn a_listing_request_is_advised_assessed_and_approved_and_the_service_is_listed() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let trainer = log_in(&site, "opleider@demo.kmo").await;
        let (_, page, _) = site.get("/dienstverlener/diensten", Some(&trainer)).await;
        let csrf = hidden(&page, "csrf");
        // Themes: none is refused; then the provider becomes active in the occupation-specific one.
        let (status, page, _) = site
            .post_fields(
                "/dienstverlener/themas",
                vec![("csrf", csrf.clone())],
                &trainer,
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("id=\"themes-error\">Kies minstens één thema."),
            "{page}"
        );
        let mut themes: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
        for th in ["digitalisation", "people_management", "occupation_specific"] {
            themes.push(("theme", th.to_owned()));
        }
        let (status, _, _) = site
            .post_fields("/dienstverlener/themas", themes, &trainer)
            .await;
        assert_eq!(status, 303);
        let (_, page, _) = site.get("/dienstverlener/diensten", Some(&trainer)).await;
        assert!(
            page.contains("value=\"occupation_specific\" checked"),
            "{page}"
        );
        let p = platform(&site);
        let key = p
            .provider_key(kmo_domain::ProviderId::new(1))
            .await
            .unwrap();
        let (_, profile) = p.provider(&key).await.unwrap();
        assert!(profile.themes.contains(&"occupation_specific".to_owned()));
        let (status, _, _) = site
            .post_fields(
                "/dienstverlener/diensten",
                vec![
                    ("csrf", csrf.clone()),
                    ("name", "TIG-lassen".to_owned()),
                    ("kind", "training".to_owned()),
                    ("theme", "occupation_specific".to_owned()),
                    ("sub_theme", String::new()),
                    ("price", "1.800,00".to_owned()),
                ],
                &trainer,
            )
            .await;
        assert_eq!(status, 303);

        // The request: bad input comes back next to its field; then it is submitted once.
        let (status, page, _) = site
            .get("/dienstverlener/beroepslijst", Some(&trainer))
            .await;
        assert_eq!(status, 200);
        let service = option_with(&page, "TIG-lassen");
        let request = |description: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("service", service.clone()),
                ("description", description.to_owned()),
                ("target_group", "Lassers in de metaalsector".to_owned()),
                ("criterion", "bottleneck_occupation".to_owned()),
            ]
        };
        let (status, page, _) = site
            .post_fields("/dienstverlener/beroepslijst", request("  "), &trainer)
            .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("id=\"description-error\">Vul dit in"),
            "{page}"
        );
        assert!(page.contains("value=\"Lassers in de metaalsector\""));
        let (status, _, _) = site
            .post_fields(
                "/dienstverlener/beroepslijst",
                request("TIG-lassen van rvs"),
                &trainer,
            )
            .await;
        assert_eq!(status, 303);
        let (status, page, _) = site
            .post_fields(
                "/dienstverlener/beroepslijst",
                request("TIG-lassen van rvs"),
                &trainer,
            )
            .await;
        assert_eq!(
            status, 200,
            "the same form again is refused, not a second request"
        );
        assert!(
            page.contains("id=\"service-error\">a request for this service is waiting"),
            "{page}"
        );
        assert_eq!(p.list_requests(None).await.unwrap().len(), 1);

        // Who may see the queue.
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let refused = site.get("/agentschap/beroepslijst", Some(&owner)).await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        let chamber = log_in(&site, "kwaliteitskamer@demo.kmo").await;
        let (status, page, _) = site.get("/agentschap/beroepslijst", Some(&chamber)).await;
        assert_eq!(status, 200);
        assert!(page.contains("TIG-lassen — "), "{page}");
        let request_key = hidden(&page, "request");
        let step = |csrf: String, action: &str, verdict: &str, text: &str| {
            vec![
                ("csrf", csrf),
                ("request", request_key.clone()),
                ("action", action.to_owned()),
                ("verdict", verdict.to_owned()),
                ("text", text.to_owned()),
            ]
        };
        let chamber_csrf = hidden(&page, "csrf");
        // The chamber advises; it may not decide.
        let refused = site
            .post_fields(
                "/agentschap/beroepslijst/stap",
                step(chamber_csrf.clone(), "decide", "yes", ""),
                &chamber,
            )
            .await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        let refused = site
            .post_fields(
                "/agentschap/beroepslijst/stap",
                step("forged".to_owned(), "advise", "yes", "Ja."),
                &chamber,
            )
            .await;
        assert_refused(&refused, ErrorCode::CsrfFailed, Lang::Nl);
        let (status, _, _) = site
            .post_fields(
                "/agentschap/beroepslijst/stap",
                step(
                    chamber_csrf,
                    "advise",
                    "yes",
                    "Lasser is een knelpuntberoep.",
                ),
                &chamber,
            )
            .await;
        assert_eq!(status, 303);

        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let (_, page, _) = site.get("/agentschap/beroepslijst", Some(&agency)).await;
        assert!(
            page.contains("gunstig (03/03/2025) — Lasser is een knelpuntberoep."),
            "{page}"
        );
        let agency_csrf = hidden(&page, "csrf");
        // A decision before the assessment is refused, next to the request.
        let (status, page, _) = site
            .post_fields(
                "/agentschap/beroepslijst/stap",
                step(agency_csrf.clone(), "decide", "yes", ""),
                &agency,
            )
            .await;
        assert_eq!(status, 200);
        // In the page's language: the sentence of an illegal transition, not kmo-app's English.
        let sentence = ErrorCode::IllegalTransition.text(T::of(Lang::Nl));
        assert!(
            page.contains(&format!("class=\"step-error\">{sentence}")),
            "{page}"
        );
        assert!(!page.contains("is not possible"), "{page}");
        for action in ["assess", "decide"] {
            let (status, _, _) = site
                .post_fields(
                    "/agentschap/beroepslijst/stap",
                    step(agency_csrf.clone(), action, "yes", ""),
                    &agency,
                )
                .await;
            assert_eq!(status, 303, "{action}");
        }
        let services = p.services(&key).await.unwrap();
        let (_, listed) = services
            .iter()
            .find(|(_, s)| s.name == "TIG-lassen")
            .unwrap();
        assert!(listed.on_occupation_list);
        let (_, page, _) = site
            .get("/dienstverlener/beroepslijst", Some(&trainer))
            .await;
        assert!(
            page.contains("goedgekeurd: de dienst staat op de lijst"),
            "{page}"
        );
        assert!(
            page.contains("id=\"no-service\""),
            "nothing left to put forward"
        );
        // A provider cannot list a service on the list by itself.
        let mut own = listed.clone();
        own.name = "Zelf op de lijst".into();
        assert!(matches!(
            p.list_service(&key, &own).await,
            Err(kmo_app::platform::CommandError::Invalid { field, .. }) if field == "on_occupation_list"
        ));
        site.stop().await;
    }
}

#[tokio::test]
async fn the_agency_registers_a_provider_for_five_years_suspends_and_excludes_it() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let trainer = log_in(&site, "opleider@demo.kmo").await;
        let refused = site
            .get("/agentschap/dienstverleners", Some(&trainer))
            .await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let (status, page, _) = site.get("/agentschap/dienstverleners", Some(&agency)).await;
        assert_eq!(status, 200);
        assert!(page.contains("geregistreerd"), "{page}");
        let csrf = hidden(&page, "csrf");
        let new = |number: &str, registration: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("name", "Lasschool Gent".to_owned()),
                ("number", number.to_owned()),
                ("registration", registration.to_owned()),
            ]
        };
        let (status, page, _) = site
            .post_fields(
                "/agentschap/dienstverleners",
                new("1234.567.890", "DV.X1"),
                &agency,
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("id=\"number-error\">Dit is geen geldig ondernemingsnummer"),
            "{page}"
        );
        assert!(page.contains("id=\"registration-error\">Dit is geen geldig registratienummer"));
        assert!(page.contains("value=\"Lasschool Gent\""));
        let (status, _, _) = site
            .post_fields(
                "/agentschap/dienstverleners",
                new("1234.567.894", "dv.o654321"),
                &agency,
            )
            .await;
        assert_eq!(status, 303);
        let (status, page, _) = site
            .post_fields(
                "/agentschap/dienstverleners",
                new("1234.567.894", "DV.O654321"),
                &agency,
            )
            .await;
        assert_eq!(status, 200, "a second request for the same kind is refused");
        assert!(
            page.contains("al een registratie voor deze soort dienst"),
            "{page}"
        );

        let p = platform(&site);
        let step = |action: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("provider", "1234.567.894".to_owned()),
                ("kind", "training".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        for (action, expected) in [
            ("audit_pass", "audited"),
            ("register", "registered"),
            ("suspend", "suspended"),
            ("reinstate", "registered"),
            ("exclude", "excluded"),
        ] {
            let (status, _, _) = site
                .post_fields("/agentschap/dienstverleners/stap", step(action), &agency)
                .await;
            assert_eq!(status, 303, "{action}");
            assert_eq!(
                training_registration(&p).await.state.code(),
                expected,
                "{action}"
            );
        }
        let r = training_registration(&p).await;
        assert_eq!(r.valid_until, Some(Date::parse("2030-03-02").unwrap()));
        // An excluded provider stays excluded; the refusal is shown on the page.
        let (status, page, _) = site
            .post_fields(
                "/agentschap/dienstverleners/stap",
                step("reinstate"),
                &agency,
            )
            .await;
        assert_eq!(status, 200);
        let sentence = ErrorCode::IllegalTransition.text(T::of(Lang::Nl));
        assert!(
            page.contains(&format!("id=\"step-error\">Deze stap kan niet: {sentence}")),
            "{page}"
        );
        assert!(!page.contains("is not possible"), "{page}");
        assert_eq!(training_registration(&p).await.state.code(), "excluded");
        site.stop().await;
    }
}

#[tokio::test]
async fn an_enterprise_subscribes_its_calendar_to_a_secret_address_it_can_replace() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (_, page, _) = site.get("/portefeuille", Some(&owner)).await;
        assert!(page.contains("/portefeuille/agenda"));
        assert!(
            page.contains("De-minimissteun van alle overheden") && page.contains("€ 300.000,00"),
            "{page}"
        );
        let (status, page, _) = site.get("/portefeuille/agenda", Some(&owner)).await;
        assert_eq!(status, 200);
        let csrf = hidden(&page, "csrf");
        let make =
            || site.post_fields("/portefeuille/agenda", vec![("csrf", csrf.clone())], &owner);
        let (status, page, headers) = make().await;
        assert_eq!(status, 200);
        assert_eq!(headers["cache-control"], "no-store");
        let address = |page: &str| {
            let at = page.find("/agenda/").unwrap();
            page[at..].split('"').next().unwrap().to_owned()
        };
        let first = address(&page);
        assert!(first.ends_with(".ics") && first.len() > 40, "{first}");
        // The feed needs no login: the address is the credential.
        let (status, ics, headers) = site.get(&first, None).await;
        assert_eq!(status, 200);
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(
            ics.contains("SUMMARY:DEMO-GESTORT: Geef de factuur vrij"),
            "{ics}"
        );
        // A new address replaces the old one.
        let (_, page, _) = make().await;
        let second = address(&page);
        assert_ne!(first, second);
        assert_eq!(site.get(&first, None).await.0, 404);
        assert_eq!(site.get(&second, None).await.0, 200);
        assert_eq!(site.get("/agenda/nope.ics", None).await.0, 404);
        // Only enterprise users have one.
        let trainer = log_in(&site, "opleider@demo.kmo").await;
        let refused = site.get("/portefeuille/agenda", Some(&trainer)).await;
        assert_refused(&refused, ErrorCode::Forbidden, Lang::Nl);
        site.stop().await;
    }
}

async fn training_registration(
    p: &kmo_app::platform::Platform<kmo_store::Db>,
) -> kmo_app::registry::Registration {
    let (rec, _) = p.provider("1234.567.894").await.unwrap();
    let [training, _] = p.registrations(rec.id).await.unwrap();
    training.unwrap()
}

#[tokio::test]
async fn the_agency_desk_shows_its_queues_and_the_next_payout_run_pays_them() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let (status, page, _) = site.get("/agentschap", Some(&agency)).await;
        assert_eq!(status, 200);
        // Deposits to match: the applications still waiting for their own share.
        let waiting = page.split("id=\"deposits-due\"").nth(1).unwrap();
        let waiting = waiting.split("</table>").next().unwrap();
        assert!(waiting.contains("DEMO-INGEDIEND"), "{page}");
        assert!(!waiting.contains("DEMO-GESTORT"), "funded: not waiting");
        // What the next run sends, and its total: the same as the run then pays.
        let p = platform(&site);
        let due = p.payouts_due().await.unwrap();
        let total: i64 = due.providers.iter().map(|(_, c)| c.get()).sum::<i64>()
            + due.refunds.iter().map(|(_, c)| c.get()).sum::<i64>();
        assert!(
            total > 0,
            "the demo has released invoices and refunds not paid out yet"
        );
        assert!(
            page.contains(&format!(
                "id=\"payout-total\">{}</strong>",
                kmo_domain::Cents::new(total)
            )),
            "{page}"
        );
        let run = p
            .payout_run("QUEUE-TEST", Date::parse("2025-03-03").unwrap())
            .await
            .unwrap();
        assert_eq!(run.total_cents, total);
        let (_, page, _) = site.get("/agentschap", Some(&agency)).await;
        assert!(
            page.contains("id=\"payout-total\">€ 0,00</strong>"),
            "{page}"
        );
        site.stop().await;
    }
}

#[tokio::test]
async fn the_wizard_takes_cost_lines_picks_by_theme_and_the_rules_cap_the_catering() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let (_, page, _) = site.get("/aanvragen/nieuw", Some(&owner)).await;
        // Services are grouped by theme.
        assert!(
            page.contains("<optgroup label=\"Digitalisering\">"),
            "{page}"
        );
        let key = hidden(&page, "key");
        let csrf = hidden(&page, "csrf");
        let offer = option_with(&page, "Syntra Vlaanderen Opleidingen");
        let form = |persons: &str, action: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("key", key.clone()),
                ("enterprise", "0403.199.702".to_owned()),
                ("offer", offer.clone()),
                ("start_date", "2025-03-10".to_owned()),
                ("amount", "1.000,00".to_owned()),
                ("catering_amount", "210,00".to_owned()),
                ("catering_persons", persons.to_owned()),
                ("catering_days", "2".to_owned()),
                ("material_amount", "50,00".to_owned()),
                ("other_amount", "30,00".to_owned()),
                ("participant", "An Peeters".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        // A count that is not one: shown next to its field, the rest kept, nothing saved.
        let (status, page, _) = site
            .post_fields("/aanvragen/nieuw", form("drie", "submit"), &owner)
            .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("id=\"catering_persons-error\">Geef een geheel getal"),
            "{page}"
        );
        assert!(page.contains("value=\"210,00\"") && page.contains("value=\"drie\""));
        let p = platform(&site);
        assert!(p.application(&key).await.is_err(), "nothing saved");
        // The preview shows the rules' cap on catering (€ 25 per person per day).
        let (_, page, _) = site
            .post_fields("/aanvragen/nieuw", form("3", "preview"), &owner)
            .await;
        assert!(page.contains("catering"), "{page}");
        let (status, _, _) = site
            .post_fields("/aanvragen/nieuw", form("3", "submit"), &owner)
            .await;
        assert_eq!(status, 303);
        let app = p.application(&key).await.unwrap();
        // Eligible: the fee, the catering up to 3 × 2 × € 25, the material; not the other costs.
        assert_eq!(app.eligible.get(), 100_000 + 15_000 + 5_000);
        site.stop().await;
    }
}

#[tokio::test]
async fn the_deposit_instructions_and_qr_code_name_the_wallet_account_of_the_settings() {
    for db in backends_under_test() {
        let site = Site::start_with(db.as_deref(), |s| {
            s.wallet.iban = "be68539007547034".into();
            s.wallet.name = "Agentschap Innoveren & Ondernemen".into();
        })
        .await;
        // The demo's application waiting for its own share, as the agency sees it.
        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let (status, page, _) = site.get("/aanvragen/DEMO-INGEDIEND", Some(&agency)).await;
        assert_eq!(status, 200);
        // The account in its paper form, whatever way it was written in the settings.
        assert!(
            page.contains("id=\"deposit-iban\">BE68 5390 0754 7034</dd>"),
            "{page}"
        );
        assert!(
            page.contains("id=\"deposit-beneficiary\">Agentschap Innoveren &#38; Ondernemen</dd>"),
            "{page}"
        );
        assert!(!page.contains("0910"), "not the default account: {page}");
        // The QR code carries the same account and name.
        let app = platform(&site).application("DEMO-INGEDIEND").await.unwrap();
        let reference = kmo_domain::PaymentReference::from_base(app.reference_base()).unwrap();
        let qr = kmo_web::qr::svg_data_url(&kmo_web::qr::epc_payload(
            "Agentschap Innoveren & Ondernemen",
            "BE68539007547034",
            app.own_share,
            &reference.to_string(),
        ))
        .unwrap();
        assert!(page.contains(&format!("<img src=\"{qr}\"")), "{page}");
        site.stop().await;
    }
}

/// A bearer token for a demo user, through the API's log-in.
async fn api_token(site: &Site, email: &str) -> String {
    let r = site
        .client
        .post(format!("{}/api/v1/auth/tokens", site.base))
        .json(&serde_json::json!({"email": email, "password": kmo_sim::demo::DEMO_PASSWORD, "token_name": "test"}))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    v["token"].as_str().unwrap().to_owned()
}

/// The API's answer to a JSON post with a bearer token: status and body.
async fn api_post(
    site: &Site,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = site
        .client
        .post(format!("{}{path}", site.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// The rules that once had a copy in the API and another in the pages now have one home: the
/// same input gets the same answer through both.
#[tokio::test]
async fn the_api_and_the_pages_answer_alike_for_the_rules_they_once_copied() {
    for db in backends_under_test() {
        let site = Site::start(db.as_deref()).await;
        let p = platform(&site);
        let owner = log_in(&site, "ondernemer@demo.kmo").await;
        let owner_token = api_token(&site, "ondernemer@demo.kmo").await;
        let page_of = "/aanvragen/DEMO-GESTORT";
        let (_, page, _) = site.get(page_of, Some(&owner)).await;
        let csrf = hidden(&page, "csrf");
        let paid_before = p.application("DEMO-GESTORT").await.unwrap().paid();

        // An invoice number is counted in characters, not bytes: 101 accented letters are
        // refused by both, 100 (200 bytes) accepted by both.
        let too_long = "é".repeat(101);
        let (status, page, _) = site
            .post_fields(
                &format!("{page_of}/vrijgeven"),
                vec![
                    ("csrf", csrf.clone()),
                    ("invoice", too_long.clone()),
                    ("amount", "1,00".into()),
                ],
                &owner,
            )
            .await;
        assert_eq!(status, 200);
        assert!(page.contains("hoogstens 100 tekens"), "{page}");
        let (status, body) = api_post(
            &site,
            "/api/v1/applications/DEMO-GESTORT/payments",
            &owner_token,
            serde_json::json!({"amount_cents": 100, "invoice": too_long}),
        )
        .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some("invoice")),
            "{body}"
        );
        let (status, _, _) = site
            .post_fields(
                &format!("{page_of}/vrijgeven"),
                vec![
                    ("csrf", csrf.clone()),
                    ("invoice", "é".repeat(100)),
                    ("amount", "1,00".into()),
                ],
                &owner,
            )
            .await;
        assert_eq!(status, 303);
        let (status, body) = api_post(
            &site,
            "/api/v1/applications/DEMO-GESTORT/payments",
            &owner_token,
            serde_json::json!({"amount_cents": 100, "invoice": "è".repeat(100)}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let paid = p.application("DEMO-GESTORT").await.unwrap().paid();
        assert_eq!(
            paid.get() - paid_before.get(),
            200,
            "one cent-exact euro through each channel"
        );

        // A refusal reason outside the rule book's list: refused by both, nothing changes.
        let trainer = log_in(&site, "opleider@demo.kmo").await;
        let trainer_token = api_token(&site, "opleider@demo.kmo").await;
        let (_, page, _) = site.get("/aanvragen/DEMO-INGEDIEND", Some(&trainer)).await;
        let csrf = hidden(&page, "csrf");
        let (status, page, _) = site
            .post(
                "/aanvragen/DEMO-INGEDIEND/weigeren",
                &[("csrf", csrf.as_str()), ("reason", "geen plaats meer")],
                Some(&trainer),
            )
            .await;
        assert_eq!(status, 200);
        assert!(page.contains("Kies een waarde uit de lijst."), "{page}");
        let (status, body) = api_post(
            &site,
            "/api/v1/applications/DEMO-INGEDIEND/refuse",
            &trainer_token,
            serde_json::json!({"reason": "geen plaats meer"}),
        )
        .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some("reason")),
            "{body}"
        );
        let state = p.application("DEMO-INGEDIEND").await.unwrap().state;
        assert_eq!(state.code(), "submitted");

        // A payout run id of 41 characters: the same refusal through both.
        let agency = log_in(&site, "agentschap@demo.kmo").await;
        let agency_token = api_token(&site, "agentschap@demo.kmo").await;
        let (_, page, _) = site.get("/agentschap", Some(&agency)).await;
        let csrf = hidden(&page, "csrf");
        let run = "R".repeat(41);
        let (status, page, _) = site
            .post(
                "/agentschap/uitbetaling",
                &[("csrf", csrf.as_str()), ("run", run.as_str())],
                Some(&agency),
            )
            .await;
        let page: serde_json::Value = serde_json::from_str(&page).unwrap();
        let (api_status, body) = api_post(
            &site,
            "/api/v1/payout-runs",
            &agency_token,
            serde_json::json!({"run": run}),
        )
        .await;
        assert_eq!(
            (status, &page["code"], &page["field"]),
            (api_status, &body["code"], &body["field"])
        );
        assert_eq!(
            (api_status, body["field"].as_str()),
            (422, Some("run")),
            "{body}"
        );
        site.stop().await;
    }
}
