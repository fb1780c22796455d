//! The visitor of a page: anonymous, or the user of the `kmo_session` cookie (the same
//! sessions as the API's, `kmo_http::auth`), with the session's CSRF token. A form that changes
//! something carries that token in a hidden `csrf` field, which another site's page cannot
//! know; the cookie is `SameSite=Strict` besides.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kmo_app::accounts::Principal;
use kmo_http::AppState;
use kmo_http::auth::session_cookie;

/// Who is looking at the page.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub principal: Principal,
    /// The session's secret and CSRF token, when logged in.
    pub session: Option<(String, String)>,
}

impl Visitor {
    /// The display name of the logged-in user.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.principal.user().map(|u| u.name.as_str())
    }

    /// Whether a submitted form's `csrf` field is this session's token.
    #[must_use]
    pub fn csrf_ok(&self, given: &str) -> bool {
        self.session.as_ref().is_some_and(|(_, csrf)| {
            csrf.len() == given.len()
                && csrf
                    .bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
    }

    #[must_use]
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |(_, c)| c.as_str())
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let anonymous = Visitor {
            principal: Principal::Anonymous,
            session: None,
        };
        let Some(secret) = session_cookie(&parts.headers) else {
            return Ok(anonymous);
        };
        match state
            .platform
            .principal_by_session(&secret, state.clock.now_unix(), state.clock.today())
            .await
        {
            Ok(Some((principal, csrf))) => Ok(Visitor {
                principal,
                session: Some((secret, csrf)),
            }),
            // An ended session is simply no session: the page asks to log in again.
            Ok(None) => Ok(anonymous),
            Err(e) => {
                tracing::error!(error = %e, "reading a session failed");
                Err((StatusCode::SERVICE_UNAVAILABLE, "try again in a moment").into_response())
            }
        }
    }
}
