//! `Idempotency-Key` on mutating requests (POST, PUT, PATCH, DELETE). The first answer (any
//! status below 500, except 401, 403 and 429, which say who the caller is rather than what the
//! request did) is kept per credential and key: a bearer token or a browser session **valid
//! now**. A request without valid credentials is not kept at all — an anonymous caller cannot
//! claim a key, read another's answer or replay a revoked token's. The same key with the same
//! method, path and body is answered again from the store (`idempotent-replayed: true`), with
//! another request it is refused `IDEMPOTENCY_KEY_REUSED` (409). An answer that carries a secret
//! (a new API token) is never kept: a retry under its key is refused with a sentence that says
//! why. Underneath, every lifecycle command is idempotent on its own
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
use kmo_app::kernel::ErrorCode;

/// Longest key accepted.
pub const KEY_BYTES_MAX: usize = 100;
/// Largest answer kept.
const ANSWER_BYTES_MAX: usize = 4 * 1024 * 1024;

/// Marks an answer that carries a secret (a new token): never kept for replay.
#[derive(Clone, Copy, Debug)]
pub struct SecretAnswer;

/// Whose keys: the SHA-256 of the `Authorization` header (the form kept since the start), in hex.
fn scope_of(authorization: &HeaderValue) -> String {
    hex::encode(Sha256::digest(authorization.as_bytes()))
}

/// The scope of a browser session's keys: the SHA-256 of `session`, a zero byte and its secret.
fn session_scope(secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"session\0");
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// Whose keys, if the request carries credentials that are valid now: a bearer token that is
/// known and not revoked, or a session that has not ended. `None` keeps nothing.
async fn credential_scope(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<String>, ApiError> {
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let Some(token) = crate::auth::bearer(authorization) else {
            return Ok(None);
        };
        let valid = state
            .platform
            .principal_by_token(token, state.clock.today())
            .await?
            .is_some();
        return Ok(valid.then(|| scope_of(authorization)));
    }
    let Some(secret) = crate::auth::session_cookie(headers) else {
        return Ok(None);
    };
    let valid = state
        .platform
        .principal_by_session(&secret, state.clock.now_unix(), state.clock.today())
        .await?
        .is_some();
    Ok(valid.then(|| session_scope(&secret)))
}

/// What was asked under a key: the SHA-256 of method, path with query and body, in hex.
fn request_hash(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update([0]);
    hasher.update(path_and_query.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

fn invalid_key() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidBody,
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
    let Some(scope) = credential_scope(state, req.headers()).await? else {
        // No valid credentials: nothing is kept or replayed; the handler answers as it would.
        return Ok(next.run(req).await);
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, state.settings.limits.request_body_bytes_max)
        .await
        .map_err(|_| ApiError::of(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge))?;
    let request_hash = request_hash(
        parts.method.as_str(),
        parts.uri.path_and_query().map_or("", |p| p.as_str()),
        &bytes,
    );

    let not_before = state
        .settings
        .limits
        .idempotency_not_before(state.clock.today());
    if let Some(stored) = state
        .platform
        .idempotent_answer(&scope, &key, not_before)
        .await?
    {
        if stored.request_hash != request_hash {
            return Err(
                ApiError::of(StatusCode::CONFLICT, ErrorCode::IdempotencyKeyReused)
                    .with_field("Idempotency-Key"),
            );
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
        || status == StatusCode::FORBIDDEN
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        return Ok(response);
    }
    if response.extensions().get::<SecretAnswer>().is_some() {
        // The answer itself is never stored; a retry under the key is told why it gets nothing.
        let refusal = ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::IdempotencyKeyReused,
            "this key's answer carried a secret, which is shown only once: the request was \
             carried out; list or revoke your tokens under /api/v1/me/tokens",
        )
        .with_field("Idempotency-Key");
        let body = serde_json::to_string(&crate::error::ErrorBody {
            code: refusal.code.as_str().to_owned(),
            detail: refusal.detail,
            field: refusal.field,
        })
        .map_err(|e| ApiError::internal(&e))?;
        let answer = IdempotentAnswer {
            request_hash,
            status: 409,
            body,
        };
        state
            .platform
            .save_idempotent_answer(&scope, &key, &answer, state.clock.today())
            .await?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    /// Stored answers are found again by these strings: their form (lower-case hex of SHA-256)
    /// must not change.
    #[test]
    fn scopes_and_request_hashes_are_lower_case_hex_sha256() {
        // SHA-256("anonymous") and SHA-256("abc"), from any reference implementation.
        assert_eq!(
            scope_of(&HeaderValue::from_static("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // SHA-256("POST\0/a?b=1\0{}").
        let hash = request_hash("POST", "/a?b=1", b"{}");
        assert_eq!(
            hash,
            "47f27ceb24cb3b0dcd048ca803708be35f306c627a3fb503f84c4b92d87d50eb"
        );
        assert_ne!(hash, request_hash("POST", "/a?b=1", b"{ }"));
    }
}
