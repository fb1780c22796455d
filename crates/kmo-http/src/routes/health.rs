//! Liveness, readiness and metrics.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use kmo_app::store::{KernelTx, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` (the process answers) or `ready` (and its database answers).
    pub status: &'static str,
    /// `sqlite` or `postgres` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
    pub version: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server is alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        database: None,
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the database answers a read.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let mut tx = state
        .db
        .begin()
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    tx.clock().await.map_err(|e| ApiError::unavailable(&e))?;
    drop(tx);
    Ok(Json(Health {
        status: "ready",
        database: Some(match state.db.backend() {
            kmo_store::Backend::Sqlite => "sqlite",
            kmo_store::Backend::Postgres => "postgres",
        }),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

/// Prometheus metrics (text exposition format). With `server.metrics_token` set, only for a
/// scraper that sends it as a bearer token.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Metrics", content_type = "text/plain"),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, crate::error::ApiError> {
    let token = &state.settings.server.metrics_token;
    if !token.is_empty() {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(crate::auth::bearer)
            .unwrap_or("");
        if !crate::auth::constant_time_eq(sent.as_bytes(), token.as_bytes()) {
            return Err(crate::auth::unauthenticated(
                "send the metrics token: Authorization: Bearer …",
            ));
        }
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&[]),
    ))
}
