//! Who is calling: `Authorization: Bearer <token>` resolves to a [`Principal`] with its role and
//! the mandates in force today; no header is the anonymous caller; a bad token is 401. Handlers
//! then ask the principal whether it may touch *that* resource (`may_view_enterprise`,
//! `may_apply_for`, `provider()` …) — never only whether it is logged in.
//!
//! Another login (cookie sessions for the web pages, an OpenID Connect provider) only has to
//! produce a `Principal`; no handler changes (ARCHITECTURE.md).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use kmo_app::accounts::Principal;
use subtle::ConstantTimeEq as _;

use crate::AppState;
use crate::error::ApiError;
use kmo_app::kernel::ErrorCode;

/// The caller of this request.
#[derive(Clone, Debug)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return match session_cookie(&parts.headers) {
                Some(secret) => from_session(parts, state, &secret).await,
                None => Ok(Caller(Principal::Anonymous)),
            };
        };
        let token =
            bearer(value).ok_or_else(|| unauthenticated("use Authorization: Bearer <token>"))?;
        let today = state.clock.today();
        match state.platform.principal_by_token(token, today).await? {
            Some(p) => Ok(Caller(p)),
            None => Err(unauthenticated("the token is unknown or revoked")),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
#[must_use]
pub fn bearer(authorization: &HeaderValue) -> Option<&str> {
    authorization
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "kmo_session";
/// The header a session's mutating request echoes its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Starts a browser session for the user: the `Set-Cookie` value (HttpOnly, SameSite=Strict,
/// `Secure` with `server.secure_cookies`), the session's CSRF token and its end (unix seconds).
pub async fn start_session(state: &AppState, user: i64) -> Result<(String, String, i64), ApiError> {
    let seconds = i64::from(state.settings.server.session_hours) * 3_600;
    let expires_at = state.clock.now_unix().saturating_add(seconds);
    let (secret, csrf) = state.platform.create_session(user, expires_at).await?;
    let secure = if state.settings.server.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age={seconds}{secure}"
    );
    Ok((cookie, csrf, expires_at))
}

/// The `Set-Cookie` value that clears the session cookie.
#[must_use]
pub fn ended_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The session cookie's value, if the request carries one.
#[must_use]
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// A browser session: a cookie alone may read; a change must also echo the session's CSRF token
/// (`x-csrf-token`), which another site's page cannot know.
async fn from_session(parts: &Parts, state: &AppState, secret: &str) -> Result<Caller, ApiError> {
    let now = state.clock.now_unix();
    let Some((principal, csrf)) = state
        .platform
        .principal_by_session(secret, now, state.clock.today())
        .await?
    else {
        return Err(unauthenticated("the session has ended; log in again"));
    };
    let safe = matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let echoed = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_time_eq(v.as_bytes(), csrf.as_bytes()));
    if !safe && !echoed {
        return Err(ApiError::of(StatusCode::FORBIDDEN, ErrorCode::CsrfFailed));
    }
    Ok(Caller(principal))
}

/// Equal without a timing that tells how many leading bytes matched (the length may show; the
/// CSRF token's length is no secret).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

/// 401 with a stable code.
#[must_use]
pub fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, detail)
}

impl Caller {
    /// The caller must be logged in.
    pub fn require_user(&self) -> Result<&kmo_app::store::UserRecord, ApiError> {
        self.0
            .user()
            .ok_or_else(|| unauthenticated("log in first: POST /api/v1/auth/tokens"))
    }

    /// The caller must be agency staff.
    pub fn require_agency(&self) -> Result<(), ApiError> {
        self.require_user()?;
        Ok(kmo_app::accounts::policy::check_agency(&self.0)?)
    }
}

/// 403, saying nothing about the resource.
#[must_use]
pub fn forbidden() -> ApiError {
    ApiError::of(StatusCode::FORBIDDEN, ErrorCode::Forbidden)
}

/// Window of the attempt limiter: failures count for 15 minutes after the first.
pub const LOGIN_WINDOW_SECONDS: i64 = 15 * 60;

/// Failed attempts at one thing (an e-mail address's password, a user's activation codes):
/// over `limits.login_failures_max` in the window, further attempts are refused (429) until it
/// has passed. Counted in the database, so several servers apply one limit.
pub async fn check_attempts(state: &AppState, what: &str) -> Result<(), ApiError> {
    let blocked = state
        .platform
        .attempts_blocked(
            what,
            state.clock.now_unix(),
            LOGIN_WINDOW_SECONDS,
            state.settings.limits.login_failures_max,
        )
        .await?;
    if blocked {
        return Err(ApiError::of(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
        ));
    }
    Ok(())
}

pub async fn attempt_failed(state: &AppState, what: &str) -> Result<(), ApiError> {
    Ok(state
        .platform
        .attempt_failed(what, state.clock.now_unix(), LOGIN_WINDOW_SECONDS)
        .await?)
}

pub async fn attempt_succeeded(state: &AppState, what: &str) -> Result<(), ApiError> {
    Ok(state.platform.attempt_succeeded(what).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_equal_only_when_every_byte_and_the_length_match() {
        assert!(constant_time_eq(b"csrf-token", b"csrf-token"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"csrf-token", b"csrf-tokeN"));
        assert!(!constant_time_eq(b"csrf-token", b"Csrf-token"));
        assert!(!constant_time_eq(b"csrf-token", b"csrf-toke"));
        assert!(!constant_time_eq(b"csrf-toke", b"csrf-token"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
