//! The real server — API and pages — on 127.0.0.1:0 over a fresh database with the demo, on a
//! clock fixed at 2025-03-03; shared by the page tests and the browser test.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::sync::Arc;

use kmo_domain::Date;
use kmo_http::clock::FixedClock;
use kmo_http::settings::Settings;
use kmo_http::{AppState, serve_with};
use kmo_rules::RuleBook;
use kmo_store::scratch::Scratch;

/// The demo's "today".
pub const TODAY: &str = "2025-03-03";

#[derive(Debug)]
pub struct DemoServer {
    pub base: String,
    pub state: AppState,
    pub scratch: Option<Scratch>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl DemoServer {
    pub async fn start(db: Option<&str>) -> DemoServer {
        DemoServer::start_with(db, |_| {}).await
    }

    /// The demo server with settings that `adjust` may change first.
    pub async fn start_with(db: Option<&str>, adjust: impl FnOnce(&mut Settings)) -> DemoServer {
        let scratch = Scratch::create(db, 4).await.unwrap();
        let mut settings = Settings::default();
        settings.server.listen = "127.0.0.1:0".into();
        adjust(&mut settings);
        let today = Date::parse(TODAY).unwrap();
        let state = AppState::new(
            settings,
            scratch.db.clone(),
            RuleBook::embedded().unwrap(),
            Arc::new(FixedClock::new(today)),
        )
        .unwrap();
        kmo_sim::demo::fill(&state.platform, today).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_with(
            listener,
            state.clone(),
            kmo_web::router(),
            async move {
                let _ = stopped.await;
            },
        ));
        DemoServer {
            base,
            state,
            scratch: Some(scratch),
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Stops the server (finishing requests in flight) and drops the database.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
        if let Some(scratch) = self.scratch.take() {
            scratch.drop_it().await;
        }
    }
}

/// The demo server with an HTTP client that does not follow redirects (they are checked by hand).
pub struct Site {
    pub base: String,
    pub client: reqwest::Client,
    pub server: DemoServer,
}

impl Site {
    pub async fn start(db: Option<&str>) -> Site {
        Site::start_with(db, |_| {}).await
    }

    /// The site with settings that `adjust` may change first.
    pub async fn start_with(db: Option<&str>, adjust: impl FnOnce(&mut Settings)) -> Site {
        let server = DemoServer::start_with(db, adjust).await;
        Site {
            base: server.base.clone(),
            // Redirects are checked by hand.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            server,
        }
    }

    pub async fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (u16, String, reqwest::header::HeaderMap) {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (u16, String, reqwest::header::HeaderMap) {
        let mut req = self.client.post(format!("{}{path}", self.base)).form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    /// A form whose values the test built (owned strings), posted with the session cookie.
    pub async fn post_fields(
        &self,
        path: &str,
        fields: Vec<(&str, String)>,
        cookie: &str,
    ) -> (u16, String, reqwest::header::HeaderMap) {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(path, &pairs, Some(cookie)).await
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}

/// The `name=value` part of a `Set-Cookie` header of the answer.
pub fn cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value of a hidden form field.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Logs a demo user in; the session cookie.
pub async fn log_in(site: &Site, email: &str) -> String {
    let (status, _, headers) = site
        .post(
            "/aanmelden",
            &[("email", email), ("password", kmo_sim::demo::DEMO_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(status, 303);
    cookie(&headers, "kmo_session").unwrap()
}

/// The platform over the site's database, for checks behind the pages.
pub fn platform(site: &Site) -> kmo_app::platform::Platform<kmo_store::Db> {
    kmo_app::platform::Platform::new(
        site.server.scratch.as_ref().unwrap().db.clone(),
        RuleBook::embedded().unwrap(),
    )
}
