//! `spawn_app`: the real server on 127.0.0.1:0 over a fresh database (a temporary SQLite file,
//! or a fresh schema of the PostgreSQL named by `KMO_TEST_DATABASE_URL`), with a fixed clock.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use kmo_domain::Date;
use kmo_http::clock::FixedClock;
use kmo_http::settings::Settings;
use kmo_http::{AppState, serve};

use kmo_rules::RuleBook;
use kmo_store::scratch::Scratch;

pub use kmo_store::scratch::backends_under_test as backends;

pub fn shared_dir() -> PathBuf {
    std::env::var_os("KMO_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// The server's clock (tests move it).
    pub clock: Arc<FixedClock>,
    scratch: Option<Scratch>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The database under the running server.
    pub fn db(&self) -> &kmo_store::Db {
        &self.scratch.as_ref().unwrap().db
    }

    /// The database, taken away from the app (to break it under a running server).
    pub fn take_scratch(&mut self) -> Scratch {
        self.scratch.take().unwrap()
    }

    /// Stops the server (waiting for requests in flight) and drops the database.
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

/// A server with default settings.
pub async fn spawn_app(db_url: Option<&str>) -> TestApp {
    spawn_app_with(db_url, |_| {}).await
}

/// A server whose settings `adjust` may change first.
pub async fn spawn_app_with(db_url: Option<&str>, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(db_url, adjust, false).await
}

async fn spawn(db_url: Option<&str>, adjust: impl FnOnce(&mut Settings), demo: bool) -> TestApp {
    let scratch = Scratch::create(db_url, 4).await.unwrap();
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".into();
    adjust(&mut settings);
    let clock = Arc::new(FixedClock::new(Date::parse("2025-03-03").unwrap()));
    let state = AppState::new(
        settings,
        scratch.db.clone(),
        RuleBook::embedded().unwrap(),
        clock.clone(),
    )
    .unwrap();
    if demo {
        // Before the server's first tick moves the clock to today.
        kmo_sim::demo::fill(&state.platform, Date::parse("2025-03-03").unwrap())
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        client: reqwest::Client::new(),
        clock,
        scratch: Some(scratch),
        stop: Some(stop),
        server: Some(server),
    }
}

impl TestApp {
    /// A second server on the same database and clock (as a second process would be; it shares
    /// nothing else). Stopping it leaves the database to the first.
    pub async fn another_server(&self) -> TestApp {
        let mut settings = Settings::default();
        settings.server.listen = "127.0.0.1:0".into();
        let state = AppState::new(
            settings,
            self.db().clone(),
            RuleBook::embedded().unwrap(),
            self.clock.clone(),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            client: reqwest::Client::new(),
            clock: self.clock.clone(),
            scratch: None,
            stop: Some(stop),
            server: Some(server),
        }
    }
}

/// The server with the demo filled in (dated around the test clock's today, 2025-03-03).
pub async fn spawn_demo(db_url: Option<&str>) -> TestApp {
    spawn(db_url, |_| {}, true).await
}

/// The demo server with settings `adjust` may change first.
pub async fn spawn_demo_with(db_url: Option<&str>, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(db_url, adjust, true).await
}

impl TestApp {
    /// Logs in as a demo user; returns the bearer token.
    pub async fn login(&self, email: &str) -> String {
        self.login_with(email, kmo_sim::demo::DEMO_PASSWORD).await
    }

    /// Logs in; returns the bearer token.
    pub async fn login_with(&self, email: &str, password: &str) -> String {
        let r = self
            .post_json(
                "/api/v1/auth/tokens",
                &serde_json::json!({"email": email, "password": password, "token_name": "test"}),
            )
            .await;
        assert_eq!(r.status(), 201, "login {email}");
        let body: serde_json::Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// A request with an optional bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let value = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, value)
    }
}
