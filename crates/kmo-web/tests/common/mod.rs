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
        let scratch = Scratch::create(db, 4).await.unwrap();
        let mut settings = Settings::default();
        settings.server.listen = "127.0.0.1:0".into();
        let today = Date::parse(TODAY).unwrap();
        let state = AppState::new(
            settings,
            scratch.db.clone(),
            RuleBook::embedded().unwrap(),
            Arc::new(FixedClock::new(today)),
        );
        kmo_app::demo::fill(&state.platform, today).await.unwrap();
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
