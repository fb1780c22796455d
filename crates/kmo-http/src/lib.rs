//! The JSON API of kmo-portefeuille: axum handlers over the same `kmo-app` services the command
//! line uses, its OpenAPI document, the layered settings and the server loop.
//!
//! # Layout
//! - [`settings`]: defaults → TOML file → `KMO_…` environment, validated once.
//! - [`error`]: the one error type, `{code, detail, field}`.
//! - [`extract`]: JSON and query extractors that answer with that error type.
//! - [`routes`]: one module per resource, each a `router()`.
//! - [`openapi`]: the generated OpenAPI 3.1 document and its page.
//! - [`metrics`]: Prometheus counters.
//! - [`clock`]: where "today" comes from.
//!
//! **Architecture Invariant:** handlers are thin — extract, parse, call one `kmo-app` service,
//! map the error. No handler writes SQL or moves money itself.

pub mod auth;
pub mod clock;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod scheduler;
pub mod settings;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kmo_app::platform::Platform;
use kmo_rules::RuleBook;
use kmo_store::Db;
use tokio::net::TcpListener;
use tracing::Instrument as _;

use crate::clock::Clock;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::settings::{LogFormat, Settings, SettingsError, WalletAccount};
use kmo_app::kernel::ErrorCode;

/// What every handler can reach. Cheap to clone (all shared).
#[derive(Clone, Debug)]
pub struct AppState {
    pub settings: Arc<Settings>,
    /// The platform's bank account (`[wallet]` of the settings, checked).
    pub wallet: Arc<WalletAccount>,
    pub db: Db,
    pub platform: Arc<Platform<Db>>,
    pub rules: Arc<RuleBook>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// The state over an opened (migrated) database.
    ///
    /// # Errors
    /// A setting that [`Settings::load`] would have refused too (the wallet's account), named.
    pub fn new(
        settings: Settings,
        db: Db,
        rules: RuleBook,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, SettingsError> {
        Ok(AppState {
            wallet: Arc::new(settings.wallet.account()?),
            settings: Arc::new(settings),
            platform: Arc::new(Platform::new(db.clone(), rules.clone())),
            db,
            rules: Arc::new(rules),
            clock,
            metrics: Arc::new(Metrics::default()),
        })
    }
}

/// Every route, with the request-id, logging, metrics, timeout and body-limit layers, and the
/// errors' `detail` in the language asked for.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// Every route and the given `pages` (the web crate's), all behind the same layers.
pub fn router_with(state: AppState, pages: Router<AppState>) -> Router {
    let body_limit = state.settings.limits.request_body_bytes_max;
    Router::new()
        .merge(pages)
        .merge(routes::health::router())
        .merge(routes::rules::router())
        .merge(routes::accounts::router())
        .merge(routes::applications::router())
        .merge(routes::registry::router())
        .merge(routes::lists::router())
        .merge(routes::statistics::router())
        .merge(routes::drafts::router())
        .merge(openapi::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(error::localize))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Headers every answer carries — the API's, the pages', the API docs', an error's: no type
/// sniffing, no referrer beyond this site, never framed, and not stored by a cache unless the
/// answer says otherwise (every answer here may be personal; a calendar feed's address is a
/// secret).
async fn security_headers(request: axum::extract::Request, next: Next) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

async fn not_found() -> ApiError {
    ApiError::of(StatusCode::NOT_FOUND, ErrorCode::NotFound)
}

async fn method_not_allowed() -> ApiError {
    ApiError::of(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(&"a handler panicked").into_response()
}

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(1);

/// A request id: the caller's `x-request-id` when it is short and plain, else a fresh one.
fn request_id(req: &Request) -> String {
    if let Some(given) = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    {
        return given.to_owned();
    }
    format!(
        "{:x}-{}",
        std::process::id(),
        REQUEST_SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Request id, log line, metrics and the request timeout, around every handler.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = metrics::method_label(req.method()).to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let timeout = Duration::from_secs(state.settings.server.request_timeout_seconds);
    let mut response = match tokio::time::timeout(timeout, next.run(req).instrument(span.clone()))
        .await
    {
        Ok(r) => r,
        Err(_) => ApiError::of(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Timeout).into_response(),
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            status,
            micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            "answered"
        );
    });
    state
        .metrics
        .observe_request(&method, &route, status, elapsed);
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Sets up logging once: JSON lines in production, pretty lines in development. `RUST_LOG`
/// filters (default `info`). Safe to call twice (the second call does nothing).
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Serves on `listener` until `shutdown` completes, then finishes the requests in flight. The
/// [`scheduler`] runs the deadline tick every `server.tick_interval_seconds`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Router::new(), shutdown).await
}

/// [`serve`] with the web pages (or any other routes) merged in.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    pages: Router<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The first tick before the first request: nothing is served on a stale clock.
    scheduler::tick_once(&state).await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ticker = tokio::spawn(scheduler::run(state.clone(), stop_rx));
    let app = router_with(state, pages);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing the requests in flight");
        })
        .await;
    let _ = stop_tx.send(true);
    let _ = ticker.await;
    result
}
