//! `kmo serve`: settings layered (defaults, `--config` TOML, `KMO_…` environment, command-line
//! flags), logging, the database opened and migrated, then the HTTP server until Ctrl-C or
//! SIGTERM, finishing the requests in flight.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use kmo_http::clock::SystemClock;
use kmo_http::settings::Settings;
use kmo_http::{AppState, init_logging};
use kmo_rules::RuleBook;

use crate::cli::ServeArgs;
use crate::wallet::DbLocation;

/// The settings `kmo serve` runs with.
pub fn settings(
    database_url: Option<&str>,
    data_dir: Option<&Path>,
    args: &ServeArgs,
) -> anyhow::Result<Settings> {
    let file = match &args.config {
        Some(path) => Some((
            path.display().to_string(),
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the settings file {}", path.display()))?,
        )),
        None => None,
    };
    let mut settings = Settings::load(
        file.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
        std::env::vars(),
    )?;
    if let Some(listen) = &args.listen {
        listen
            .parse::<SocketAddr>()
            .with_context(|| format!("--listen {listen}: must be ADDRESS:PORT"))?;
        settings.server.listen.clone_from(listen);
    }
    if let Some(url) = database_url {
        url.clone_into(&mut settings.database.url);
    }
    if let Some(dir) = data_dir {
        settings.data_dir = dir.to_path_buf();
    }
    Ok(settings)
}

pub fn serve(
    database_url: Option<&str>,
    data_dir: Option<&Path>,
    args: &ServeArgs,
) -> anyhow::Result<u8> {
    let settings = settings(database_url, data_dir, args)?;
    init_logging(settings.server.log_format);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let location = DbLocation {
            url: Some(settings.database.url.clone()).filter(|u| !u.is_empty()),
            data_dir: settings.data_dir.clone(),
            max_connections: settings.database.max_connections,
            sqlite_readers: settings.database.sqlite_readers,
        };
        let db = location.open().await?;
        if args.demo {
            fill_demo_if_empty(&db).await?;
        }
        let addr: SocketAddr = settings
            .server
            .listen
            .parse()
            .with_context(|| format!("server.listen {}", settings.server.listen))?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let bound = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "kmo serve: listening on http://{bound}")?;
            out.flush()?;
        }
        tracing::info!(address = %bound, database = %kmo_http::settings::redact_url(&location.resolve().0), "listening");
        let state = AppState::new(settings, db, RuleBook::embedded()?, Arc::new(SystemClock))?;
        kmo_http::serve_with(listener, state, kmo_web::router(), shutdown_signal()).await?;
        Ok(0)
    })
}

/// Ctrl-C, or SIGTERM (how service managers and containers stop a process).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// `serve --demo`: the demo, unless the database is in use already.
async fn fill_demo_if_empty(db: &kmo_store::Db) -> anyhow::Result<()> {
    let platform = kmo_app::platform::Platform::new(db.clone(), RuleBook::embedded()?);
    if platform.is_empty().await? {
        let today = crate::clock::today_brussels()?;
        kmo_sim::demo::fill(&platform, today)
            .await
            .context("filling the demo")?;
        tracing::info!("demo data filled in");
    }
    Ok(())
}
