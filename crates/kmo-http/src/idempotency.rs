//! `Idempotency-Key` on mutating requests (POST, PUT, PATCH, DELETE). The first answer (any
//! status below 500, except 401 and 429, which say nothing about the request itself) is kept per
//! credential and key; the same key with the same method, path and body is answered again from
//! the store (`idempotent-replayed: true`), with another request it is refused
//! `IDEMPOTENCY_KEY_REUSED` (409). Underneath, every lifecycle command is idempotent on its own
//! ids too (application key, bank reference, invoice, payout run), so two racing first requests
//! still move money once.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kmo_app::store::IdempotentAnswer;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// Longest key accepted.
pub const KEY_BYTES_MAX: usize = 100;
/// Largest answer kept.
const ANSWER_BYTES_MAX: usize = 4 * 1024 * 1024;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn invalid_key() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_BODY",
        format!("Idempotency-Key must be 1 to {KEY_BYTES_MAX} visible ASCII characters"),
    )
    .with_field("Idempotency-Key")
}

pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mutating = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(key) = req.headers().get("idempotency-key").cloned() else {
        return next.run(req).await;
    };
    if !mutating {
        return next.run(req).await;
    }
    match handle(&state, key, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(
    state: &AppState,
    key: HeaderValue,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let key = key
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= KEY_BYTES_MAX && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(invalid_key)?
        .to_owned();
    let scope = hex(&Sha256::digest(
        req.headers()
            .get(header::AUTHORIZATION)
            .map_or(&b"anonymous"[..], HeaderValue::as_bytes),
    ));
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, state.settings.limits.request_body_bytes_max)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BODY_TOO_LARGE",
                "the body is larger than the limit",
            )
        })?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(
        parts
            .uri
            .path_and_query()
            .map_or("", |p| p.as_str())
            .as_bytes(),
    );
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hex(&hasher.finalize());

    if let Some(stored) = state.platform.idempotent_answer(&scope, &key).await? {
        if stored.request_hash != request_hash {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used for another request",
            )
            .with_field("Idempotency-Key"));
        }
        let status = u16::try_from(stored.status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        let mut response = (status, stored.body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    if status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ANSWER_BYTES_MAX).await else {
        return Err(ApiError::internal(
            &"an answer too large to keep for its Idempotency-Key",
        ));
    };
    let answer = IdempotentAnswer {
        request_hash,
        status: i64::from(status.as_u16()),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    state
        .platform
        .save_idempotent_answer(&scope, &key, &answer, state.clock.today())
        .await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}
