//! The web pages of kmo-portefeuille: server-rendered with askama (compile-time checked,
//! auto-escaping), Dutch first with English on request, usable without JavaScript and on a
//! phone. The pages call the same `kmo-app` services as the JSON API — never the API over
//! HTTP — and are merged into the server by `kmo_http::serve_with` (ARCHITECTURE.md).
//!
//! - [`i18n`] — the language of a request and every text of the pages, per language;
//! - [`session`] — the logged-in user of a page (the `kmo_session` cookie of the API) and the
//!   CSRF token every form that changes something carries;
//! - [`public`] — home and the subsidy simulator (no login);
//! - [`portfolio`] — log in and out, and the wallet of the enterprises a user holds a mandate
//!   for: the ceiling left, and each application's balance and next step with its deadline;
//! - [`planner`] — the year planner: planned trainings and advice in, the order and days to
//!   submit them that use the annual ceilings best, with every deadline (nothing stored).

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kmo_app::kernel::ErrorCode;
use kmo_http::AppState;

pub mod agency;
pub mod application;
pub mod calendar;
pub mod catalogue;
pub mod format;
pub mod i18n;
pub mod listing;
pub mod mandates;
pub mod planner;
pub mod portfolio;
pub mod public;
pub mod qr;
pub mod registry;
pub mod services;
pub mod session;
pub mod statistics;
pub mod wizard;

/// Every page.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(portfolio::router())
        .merge(wizard::router())
        .merge(application::router())
        .merge(agency::router())
        .merge(statistics::router())
        .merge(catalogue::router())
        .merge(calendar::router())
        .merge(mandates::router())
        .merge(services::router())
        .merge(registry::router())
        .merge(listing::router())
        .merge(planner::router())
}

/// A rendered page: HTML with its language cookie when the visitor just chose one. A template
/// that fails to render (it cannot, short of a bug) is a bare 500, logged.
pub(crate) fn html(rendered: askama::Result<String>, lang: &i18n::Choice) -> Response {
    match rendered {
        Ok(body) => {
            let mut response =
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
            if let Some(cookie) = lang.cookie()
                && let Ok(value) = HeaderValue::from_str(&cookie)
            {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
            headers.insert(
                "content-security-policy",
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
                ),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// A refusal as a page: the code's sentence (`ErrorCode::text`) in the page's language, never
/// the bare code, with the status the API gives the code.
#[derive(askama::Template)]
#[template(path = "refused.html")]
struct Refused {
    f: public::Frame,
    sentence: &'static str,
}

pub(crate) fn refused(
    status: StatusCode,
    code: ErrorCode,
    lang: &i18n::Choice,
    visitor: &session::Visitor,
) -> Response {
    let page = Refused {
        // The language switch of a refusal leads home: the refused address may take a form.
        f: public::Frame::new(lang, visitor, "/"),
        sentence: code.text(lang.texts()),
    };
    let mut response = html(askama::Template::render(&page), lang);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// The visitor may not open this page or do this (403 `FORBIDDEN`).
pub(crate) fn forbidden(lang: &i18n::Choice, visitor: &session::Visitor) -> Response {
    refused(StatusCode::FORBIDDEN, ErrorCode::Forbidden, lang, visitor)
}

/// A form that changes something came without the session's CSRF token (403 `CSRF_FAILED`).
pub(crate) fn csrf_failed(lang: &i18n::Choice, visitor: &session::Visitor) -> Response {
    refused(StatusCode::FORBIDDEN, ErrorCode::CsrfFailed, lang, visitor)
}

/// A command the page cannot show as a mistake of the user (a store failure, a refusal of
/// access): the API's answer for it, with its stable code and no internals.
pub(crate) fn failed(e: kmo_app::platform::CommandError) -> Response {
    kmo_http::error::ApiError::from(e).into_response()
}

/// A redirect after a form (303: the browser fetches the target with GET, so reloading the
/// page never posts the form twice).
pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}
