//! The pages in a real browser: headless Chromium driven over WebDriver (chromedriver, spoken
//! to with plain HTTP), against the real server on 127.0.0.1:0 with the demo. Each main page is
//! checked with axe-core (no serious or critical WCAG 2.1 A/AA violation) and saved as a
//! screenshot under `test-output/screenshots/`.
//!
//! Needs `chromedriver` and `chromium` (Debian's packages; `.ci/run` installs them) and
//! axe-core (`KMO_AXE_JS`, the path of `axe.min.js`; `.ci/run` installs it from npm). Without
//! them the test says so and passes — unless `KMO_REQUIRE_BROWSER=1` (CI), when it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

mod common;

use base64::Engine;
use common::DemoServer;
use kmo_rules::RuleBook;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn required() -> bool {
    std::env::var("KMO_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

fn tool(var: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.exists().then_some(path)
}

/// chromedriver on a free port (it prints the one it took).
struct Driver {
    child: Child,
    base: String,
}

impl Driver {
    fn start(exe: &PathBuf) -> Driver {
        let mut child = Command::new(exe)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("chromedriver said nothing").unwrap();
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                break rest.trim_end_matches('.').trim().to_owned();
            }
        };
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session, spoken to in the W3C WebDriver protocol.
struct Browser {
    http: reqwest::Client,
    session: String,
    shots: PathBuf,
    axe: String,
}

impl Browser {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(v["value"]["error"].is_null(), "{path}: {v}");
        v["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    async fn script(&self, js: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": js, "args": []})),
        )
        .await
    }

    /// Clicks a link or a submit button and waits until the next page has loaded: the old
    /// document is marked, and the new one is the one without the mark (asked every 50 ms, for
    /// up to 20 s).
    async fn click(&self, css: &str) {
        self.script("window.__kmo_old_page = true; return true;")
            .await;
        self.pick(css).await;
        for _ in 0..400 {
            let done = self
                .script("return window.__kmo_old_page === undefined && document.readyState === 'complete';")
                .await;
            if done == json!(true) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("clicking {css} led to no new page");
    }

    /// Clicks something that stays on the page (an option of a list).
    async fn pick(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        let v = self
            .cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await;
        v.as_str().unwrap().to_owned()
    }

    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Saves the page as `name.png` and checks it with axe-core.
    async fn check_page(&self, name: &str) {
        let png = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), bytes).unwrap();
        if self.axe.is_empty() {
            return;
        }
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": self.axe, "args": []})),
        )
        .await;
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));";
        let found = self
            .cmd(
                reqwest::Method::POST,
                "/execute/async",
                Some(json!({"script": script, "args": []})),
            )
            .await;
        assert_eq!(found, json!([]), "{name}: accessibility violations");
    }
}

async fn log_in(b: &Browser, site: &str, email: &str) {
    b.open(&format!("{site}/aanmelden")).await;
    b.fill("#email", email).await;
    b.fill("#password", kmo_sim::demo::DEMO_PASSWORD).await;
    b.click("main form button.primary").await;
    assert!(
        b.url().await.ends_with("/portefeuille"),
        "{email} logged in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_in_a_real_browser_with_accessibility_checks_and_screenshots() {
    let (Some(driver_exe), Some(chromium)) = (
        tool("KMO_CHROMEDRIVER", "/usr/bin/chromedriver"),
        // Debian's /usr/bin/chromium is a shell wrapper; the browser itself is under /usr/lib.
        tool("KMO_CHROMIUM", "/usr/lib/chromium/chromium"),
    ) else {
        assert!(
            !required(),
            "KMO_REQUIRE_BROWSER=1 but chromedriver or chromium is missing"
        );
        eprintln!(
            "skipped: no chromedriver/chromium (install Debian's chromium and chromium-driver)"
        );
        return;
    };
    let axe = match std::env::var_os("KMO_AXE_JS") {
        Some(p) => std::fs::read_to_string(p).expect("KMO_AXE_JS names axe.min.js"),
        None => {
            assert!(
                !required(),
                "KMO_REQUIRE_BROWSER=1 but KMO_AXE_JS is not set"
            );
            String::new()
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-output");
    let shots = root.join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    // Chromium does not start on a profile path with `..` in it.
    let root = root.canonicalize().unwrap();
    let profile = root.join(format!("chromium-profile-{}", std::process::id()));

    // The server, with the demo, on a clock fixed at 2025-03-03.
    let demo = DemoServer::start(None).await;
    let site = demo.base.clone();
    let state = demo.state.clone();

    let driver = tokio::task::block_in_place(|| Driver::start(&driver_exe));
    let http = reqwest::Client::new();
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium.display().to_string(),
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            "--window-size=1100,1400", format!("--user-data-dir={}", profile.display())]}}}});
    let v: Value = http
        .post(format!("{}/session", driver.base))
        .json(&caps)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"));
    let b = Browser {
        http,
        session: format!("{}/session/{id}", driver.base),
        shots,
        axe,
    };

    // The simulator, without logging in.
    b.open(&format!("{site}/")).await;
    b.check_page("start").await;
    b.click("a.primary[href='/simulator']").await;
    b.fill("#amount", "1.234,56").await;
    b.click("form button.primary").await;
    let subsidy = b.text("#subsidy").await;
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
    assert_eq!(subsidy, d.subsidy.to_string());
    b.check_page("simulator").await;
    // A mistake is shown next to its field, the input kept.
    b.fill("#amount", "veel").await;
    b.click("form button.primary").await;
    assert!(b.text("#amount-error").await.starts_with("Geef een bedrag"));
    b.check_page("simulator-fout").await;

    // The language switch, remembered.
    b.click("a[hreflang='en']").await;
    assert!(b.source().await.contains("Subsidy simulator"));
    b.check_page("simulator-en").await;
    b.open(&format!("{site}/")).await;
    assert!(b.source().await.contains("Calculate your subsidy"));
    b.click("a[hreflang='nl']").await;

    // The public figures.
    b.click("a[href='/statistieken']").await;
    assert!(b.source().await.contains("<svg"));
    b.check_page("statistieken").await;
    b.click("a[href='/aanbieders']").await;
    b.fill("#naam", "duurzaam").await;
    b.click("main form button.primary").await;
    assert!(b.source().await.contains("Duurzaam Ondernemen CV"));
    b.check_page("aanbieders").await;
    b.click("a[href='/regels']").await;
    b.check_page("regels").await;

    // An enterprise owner logs in and sees the wallet with the next steps.
    b.open(&format!("{site}/aanmelden")).await;
    b.check_page("aanmelden").await;
    log_in(&b, &site, "ondernemer@demo.kmo").await;
    assert!(b.source().await.contains("Geef de factuur vrij"));
    b.check_page("portefeuille").await;
    b.click("a[href='/portefeuille/mandaten']").await;
    assert!(b.source().await.contains("boekhouder@demo.kmo"));
    b.check_page("mandaten").await;
    b.click("a[href='/portefeuille']").await;

    // Plans the year: two trainings, the ceiling used best, every deadline.
    b.click("a[href='/portefeuille/planner']").await;
    b.fill("#label-1", "Boekhouden voor starters").await;
    b.fill("#amount-1", "12.000,00").await;
    b.fill("#label-2", "Excel gevorderd").await;
    b.fill("#amount-2", "9.000,00").await;
    b.script(
        "document.getElementById('start-1').value = '2025-04-01';
         document.getElementById('start-2').value = '2025-12-29';
         document.getElementById('theme-1').value = 'financial_literacy';
         document.getElementById('sub_theme-1').value = 'bookkeeping';
         document.getElementById('theme-2').value = 'digitalisation';
         document.getElementById('sub_theme-2').value = 'software'; return true;",
    )
    .await;
    b.click("main form button.primary").await;
    assert!(b.source().await.contains("id=\"plan\""), "a plan is shown");
    b.check_page("jaarplanner").await;
    b.click("a[href='/portefeuille']").await;
    b.click("a[href='/portefeuille/agenda']").await;
    b.click("main form button").await;
    assert!(b.find("#feed-address").await.len() > 1);
    b.check_page("agenda").await;
    b.click("a[href='/portefeuille']").await;

    // Applies: calculate, then submit.
    b.click("a[href='/aanvragen/nieuw']").await;
    // A training of Syntra's, from the list grouped by theme.
    b.script(
        "const o = [...document.querySelectorAll('#offer optgroup option')]
             .find(o => o.text.includes('Syntra'));
         document.getElementById('offer').value = o.value; return o.value;",
    )
    .await;
    b.fill("#participant", "An Peeters").await;
    b.click("button[value='preview']").await;
    assert!(b.source().await.contains("Komt in aanmerking"));
    b.check_page("aanvraag-nieuw").await;
    b.click("button[value='submit']").await;
    let app_url = b.url().await;
    assert!(app_url.contains("/aanvragen/W-"), "{app_url}");
    let reference = b.text("#deposit-reference").await;
    assert!(reference.starts_with("+++"));
    b.check_page("aanvraag-storten").await;

    let key = app_url.rsplit('/').next().unwrap().to_owned();
    let own_share = b.text("#deposit-amount").await;

    // The agency books the bank statement line (its matching) — twice: booked once.
    b.click(".inline-form button").await;
    log_in(&b, &site, "agentschap@demo.kmo").await;
    b.click("a[href='/agentschap']").await;
    for _ in 0..2 {
        b.fill("#bank_ref", "BANK-BROWSER-1").await;
        b.fill("#reference", &reference).await;
        b.fill("#amount", &own_share).await;
        b.click("form[action='/agentschap/storting'] button").await;
    }
    assert!(b.text("#line-outcome").await.contains("al verwerkt"));
    b.check_page("agentschap").await;
    let app = state.platform.application(&key).await.unwrap();
    assert_eq!(
        (app.state, app.deposited),
        (kmo_app::lifecycle::State::Funded, app.own_share)
    );

    // The provider named on it confirms it checked the application.
    let provider_user =
        if state.platform.provider_key(app.provider).await.unwrap() == "0811.111.129" {
            "opleider@demo.kmo"
        } else {
            "adviseur@demo.kmo"
        };
    b.click(".inline-form button").await;
    log_in(&b, &site, provider_user).await;
    b.open(&app_url).await;
    b.click("form[action$='/bevestigen'] button").await;
    assert!(
        b.text("#confirmed")
            .await
            .starts_with("Bevestigd door de dienstverlener")
    );
    b.check_page("aanvraag-bevestigd").await;

    // The owner releases part of the invoice, then stops the rest.
    b.click(".inline-form button").await;
    log_in(&b, &site, "ondernemer@demo.kmo").await;
    b.open(&app_url).await;
    b.fill("#invoice", "F-2025-001").await;
    b.fill("#release-amount", "200,00").await;
    b.click("form[action$='/vrijgeven'] button").await;
    assert_eq!(
        state.platform.application(&key).await.unwrap().paid().get(),
        20_000
    );
    b.check_page("aanvraag-vrijgeven").await;
    let refund = b.text("#stop-refund").await;
    b.click("form[action$='/stopzetten'] button").await;
    let stopped = state.platform.application(&key).await.unwrap();
    assert_eq!(stopped.refunded.to_string(), refund);
    assert!(b.source().await.contains("Stopgezet"));
    b.check_page("aanvraag-tijdlijn").await;

    // The agency pays out; the provider sees the payment and refuses another application.
    b.click(".inline-form button").await;
    log_in(&b, &site, "agentschap@demo.kmo").await;
    b.open(&format!("{site}/agentschap")).await;
    b.click("form[action='/agentschap/uitbetaling'] button")
        .await;
    assert!(
        b.text("#payout-outcome")
            .await
            .contains("betalingen verstuurd")
    );
    b.click("a[href='/agentschap/boeken']").await;
    assert!(
        b.text("#books-verdict")
            .await
            .starts_with("De boeken kloppen")
    );
    b.check_page("agentschap-boeken").await;
    b.open(&format!("{site}/agentschap/dienstverleners")).await;
    assert!(b.source().await.contains("geregistreerd"));
    b.check_page("agentschap-dienstverleners").await;
    // A provider's request for the occupation-specific list waits in the queue, with its forms.
    let syntra = "0811.111.129";
    let (_, catalogue) = state.platform.provider(syntra).await.unwrap();
    let mut themes = catalogue.themes.clone();
    themes.push("occupation_specific".into());
    state
        .platform
        .set_provider_profile(
            syntra,
            catalogue.enterprise_number.as_deref(),
            catalogue.iban.as_deref(),
            &themes,
        )
        .await
        .unwrap();
    let welding = state
        .platform
        .list_service(
            syntra,
            &kmo_app::store::ListedService {
                name: "TIG-lassen".into(),
                kind: "training".into(),
                theme: "occupation_specific".into(),
                sub_theme: None,
                price: kmo_domain::Cents::new(180_000),
                topics: Vec::new(),
                on_occupation_list: false,
            },
        )
        .await
        .unwrap();
    state
        .platform
        .request_listing(
            syntra,
            welding,
            "Lastechnieken voor roestvrij staal",
            "Lassers in de metaalsector",
            "bottleneck_occupation",
            kmo_domain::Date::parse("2025-03-03").unwrap(),
        )
        .await
        .unwrap();
    b.open(&format!("{site}/agentschap/beroepslijst")).await;
    assert!(b.source().await.contains("TIG-lassen"));
    b.check_page("agentschap-beroepslijst").await;
    b.click(".inline-form button").await;
    log_in(&b, &site, "opleider@demo.kmo").await;
    assert!(b.source().await.contains("Ontvangen betalingen"));
    let paid_out = state
        .platform
        .provider_payouts(
            state.platform.provider("0811.111.129").await.unwrap().0.id,
            0,
            100,
        )
        .await
        .unwrap()
        .iter()
        .map(|m| m.amount_cents)
        .sum::<i64>();
    assert!(paid_out >= 20_000, "the released part was paid out");
    assert!(
        b.source().await.contains(&format!(
            "03/03/2025: <strong>{}</strong>",
            kmo_domain::Cents::new(paid_out)
        )),
        "the provider sees the payout"
    );
    b.check_page("dienstverlener").await;
    b.click("a[href='/dienstverlener/diensten']").await;
    b.check_page("dienstverlener-aanbod").await;
    b.click("main a[href='/dienstverlener/beroepslijst']").await;
    b.check_page("dienstverlener-beroepslijst").await;
    b.open(&format!("{site}/aanvragen/DEMO-INGEDIEND")).await;
    b.pick("input[name='reason'][value='wrong_provider']").await;
    b.click("form[action$='/weigeren'] button").await;
    assert_eq!(
        state
            .platform
            .application("DEMO-INGEDIEND")
            .await
            .unwrap()
            .state,
        kmo_app::lifecycle::State::Refused
    );
    assert!(
        b.source()
            .await
            .contains("geweigerd door de dienstverlener")
    );
    b.check_page("dienstverlener-geweigerd").await;
    b.click(".inline-form button").await;
    log_in(&b, &site, "ondernemer@demo.kmo").await;

    // On a phone.
    b.cmd(
        reqwest::Method::POST,
        "/window/rect",
        Some(json!({"width": 390, "height": 900})),
    )
    .await;
    b.open(&format!("{site}/portefeuille")).await;
    b.check_page("portefeuille-telefoon").await;

    // The wizard's calculation on a phone, with the amount typed as a Belgian types it: the
    // platform's preview (this year's reservations counted) with its explanation.
    b.open(&format!("{site}/aanvragen/nieuw")).await;
    b.script(
        "const o = [...document.querySelectorAll('#offer optgroup option')]
             .find(o => o.text.includes('Syntra'));
         document.getElementById('offer').value = o.value; return o.value;",
    )
    .await;
    b.fill("#amount", "1.500,00").await;
    b.click("button[value='preview']").await;
    let subsidy = b.text("#subsidy").await;
    assert!(subsidy.starts_with("€ "), "{subsidy}");
    assert!(
        b.source().await.contains("Beslissing"),
        "the explanation is shown"
    );
    b.script("document.getElementById('result-title').scrollIntoView(); return 1;")
        .await;
    b.check_page("aanvraag-berekening-telefoon").await;

    b.cmd(reqwest::Method::DELETE, "", None).await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    demo.stop().await;
}
