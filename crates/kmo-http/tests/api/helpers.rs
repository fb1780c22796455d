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
    let scratch = Scratch::create(db_url, 4).await.unwrap();
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".into();
    adjust(&mut settings);
    let clock = Arc::new(FixedClock::new(Date::parse("2025-03-03").unwrap()));
    let state = AppState::new(
        settings,
        scratch.db.clone(),
        RuleBook::embedded().unwrap(),
        clock,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        client: reqwest::Client::new(),
        scratch: Some(scratch),
        stop: Some(stop),
        server: Some(server),
    }
}
