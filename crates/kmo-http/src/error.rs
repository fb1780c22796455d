//! The one error type of the API: `{"code": "...", "detail": "...", "field": "..."}` with a
//! stable code (the lifecycle's codes of lifecycle.md §3.1, and the HTTP codes below) and the
//! HTTP status that goes with it. A 5xx never carries internals: the cause is logged once, here,
//! and the answer says only that something went wrong on our side.
//!
//! The `detail` is English by default. An error with nothing more specific to say than its code
//! ([`ApiError::of`], and a refused command that names no field) is answered with the code's
//! sentence from the catalogue (`kmo-text`) in the language the request asks for — `?lang=nl`,
//! else `Accept-Language` ([`answer_lang`]) — by the [`localize`] layer; a specific detail (a
//! field's reason, a bound) is kept as it is.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kmo_app::kernel::ErrorCode;
use kmo_app::platform::CommandError;
use kmo_app::store::StoreError;
use kmo_domain::codes::Lang;
use kmo_text::T;
use serde::Serialize;
use utoipa::ToSchema;

/// The codes the HTTP layer adds to the lifecycle's, each with its sentence (the catalogue's,
/// in English). Every one is produced by a test (`tests/api`), and listed in the OpenAPI
/// document.
pub const HTTP_CODES: &[(ErrorCode, &str)] = &with_sentences([
    ErrorCode::MalformedJson,
    ErrorCode::InvalidBody,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::BodyTooLarge,
    ErrorCode::BatchTooLarge,
    ErrorCode::EmptyBatch,
    ErrorCode::NotFound,
    ErrorCode::Unauthenticated,
    ErrorCode::Forbidden,
    ErrorCode::CsrfFailed,
    ErrorCode::RateLimited,
    ErrorCode::IdempotencyKeyReused,
    ErrorCode::MethodNotAllowed,
    ErrorCode::Timeout,
    ErrorCode::Unavailable,
    ErrorCode::Internal,
]);

/// Each code with its English sentence, at compile time.
const fn with_sentences<const N: usize>(codes: [ErrorCode; N]) -> [(ErrorCode, &'static str); N] {
    let mut out = [(ErrorCode::Internal, ""); N];
    let mut i = 0;
    while i < N {
        #[allow(clippy::indexing_slicing, reason = "i < N, the length of both")]
        {
            out[i] = (codes[i], codes[i].text(T::of(Lang::En)));
        }
        i += 1;
    }
    out
}

/// An error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, upper-case code, e.g. `UNKNOWN_APPLICATION`.
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request field the error is about, when there is one (`costs[1].persons`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    /// In English.
    pub detail: String,
    pub field: Option<String>,
    /// The detail says more than the code's sentence, so it is kept in every language.
    specific: bool,
}

/// On an error response whose detail is its code's sentence: what [`localize`] needs to
/// answer it in another language.
#[derive(Clone, Debug)]
struct Sentence {
    code: ErrorCode,
    field: Option<String>,
}

impl ApiError {
    /// An error with a detail of its own (kept in every language).
    #[must_use]
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            field: None,
            specific: true,
        }
    }

    /// An error whose detail is the code's sentence, in the language the request asks for.
    #[must_use]
    pub fn of(status: StatusCode, code: ErrorCode) -> Self {
        ApiError {
            status,
            code,
            detail: code.text(T::of(Lang::En)).to_owned(),
            field: None,
            specific: false,
        }
    }

    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    #[must_use]
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, what)
    }

    /// An internal failure: logged with its cause, answered without it.
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error.cause = %cause, "internal error");
        ApiError::of(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
    }

    #[must_use]
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error.cause = %cause, "database unavailable");
        ApiError::of(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let sentence = (!self.specific).then(|| Sentence {
            code: self.code,
            field: self.field.clone(),
        });
        let body = ErrorBody {
            code: self.code.as_str().to_owned(),
            detail: self.detail,
            field: self.field,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(sentence) = sentence {
            response.extensions_mut().insert(sentence);
        }
        response
    }
}

/// The language of an answer's `detail`: `?lang=nl|en` (also `nl-BE`…), else the language of
/// `Accept-Language` with the highest q-value among those we speak (`*` is English; the first
/// of equals wins; `q=0` is "not this one"), else English.
#[must_use]
pub fn answer_lang(query: Option<&str>, accept_language: Option<&str>) -> Lang {
    let asked = query
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v));
    if let Some(lang) = asked {
        return lang;
    }
    let mut best: Option<(u16, Lang)> = None;
    for item in accept_language.unwrap_or("").split(',') {
        let mut params = item.split(';');
        let tag = params.next().unwrap_or("").trim();
        let lang = if tag == "*" {
            Some(Lang::En)
        } else {
            Lang::parse(tag)
        };
        let quality = params
            .filter_map(|p| p.trim().strip_prefix("q="))
            .map(quality_thousandths)
            .next()
            .unwrap_or(Some(1000));
        if let (Some(lang), Some(q)) = (lang, quality)
            && q > 0
            && best.is_none_or(|(b, _)| q > b)
        {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::En, |(_, lang)| lang)
}

/// A q-value (`1`, `0.8`, `0.125`: at most three decimals, 0 to 1) in thousandths; `None` when
/// it is not one.
fn quality_thousandths(text: &str) -> Option<u16> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let fraction: u16 = format!("{fraction:0<3}").parse().ok()?;
    let q = whole.checked_add(fraction)?;
    (q <= 1000).then_some(q)
}

/// The layer that answers an error's `detail` in the request's language, when the detail is
/// the code's sentence (see the module's documentation). English answers pass untouched.
pub async fn localize(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = answer_lang(
        req.uri().query(),
        req.headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(req).await;
    if lang == Lang::En {
        return response;
    }
    let Some(sentence) = response.extensions().get::<Sentence>().cloned() else {
        return response;
    };
    let body = ErrorBody {
        code: sentence.code.as_str().to_owned(),
        detail: sentence.code.text(T::of(lang)).to_owned(),
        field: sentence.field,
    };
    // The body is the English one rewritten; status, content type and the other headers stay.
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        axum::http::header::CONTENT_LANGUAGE,
        axum::http::HeaderValue::from_static(lang.code()),
    );
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        let status = match &e {
            CommandError::Store(StoreError::Conflict) => StatusCode::CONFLICT,
            CommandError::Store(StoreError::Database(_)) => return ApiError::unavailable(&e),
            CommandError::Store(StoreError::Corrupt(_)) => return ApiError::internal(&e),
            CommandError::UnknownEnterprise(_)
            | CommandError::UnknownApplication(_)
            | CommandError::UnknownProvider(_)
            | CommandError::UnknownUser(_)
            | CommandError::UnknownToken(_)
            | CommandError::UnknownMandate(_)
            | CommandError::UnknownDraft(_) => StatusCode::NOT_FOUND,
            CommandError::DuplicateEnterprise(_)
            | CommandError::DuplicateApplication(_)
            | CommandError::IdempotencyKeyReused
            | CommandError::Repeated { .. }
            | CommandError::Transition(_)
            | CommandError::Registration(_) => StatusCode::CONFLICT,
            CommandError::NotYourApplication(_) | CommandError::Forbidden(_) => {
                StatusCode::FORBIDDEN
            }
            CommandError::AuthenticationFailed => StatusCode::UNAUTHORIZED,
            CommandError::DuplicateUser(_) => StatusCode::CONFLICT,
            CommandError::Invalid { .. }
            | CommandError::InvalidEnterprise { .. }
            | CommandError::InvalidSubmission { .. }
            | CommandError::SubmissionRejected { .. }
            | CommandError::UnknownReference
            | CommandError::ProviderNotRegistered { .. }
            | CommandError::NotAWorker { .. }
            | CommandError::DateBeforeClock { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        };
        // The English detail names what the caller sent ("unknown application A-1"); in
        // another language the code's sentence says it, unless a field's reason is given.
        let field = e.field().map(str::to_owned);
        ApiError {
            status,
            code: e.error_code(),
            specific: field.is_some(),
            field,
            detail: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_asked_for_is_the_query_else_the_best_accepted_else_english() {
        let cases = [
            (None, None, Lang::En),
            (Some("lang=nl"), None, Lang::Nl),
            (Some("a=1&lang=nl-BE"), Some("en"), Lang::Nl),
            (Some("lang=fr"), Some("nl"), Lang::Nl),
            (None, Some("nl-BE"), Lang::Nl),
            (None, Some("NL"), Lang::Nl),
            (None, Some("fr-BE, nl;q=0.8, en;q=0.7"), Lang::Nl),
            (None, Some("nl;q=0.7, en;q=0.8"), Lang::En),
            (None, Some("nl, en"), Lang::Nl),
            (None, Some("en, nl"), Lang::En),
            (None, Some("nl;q=0"), Lang::En),
            (None, Some("nl;q=0.000, en;q=0.001"), Lang::En),
            (None, Some("nl;q=2, en;q=0.1"), Lang::En),
            (None, Some("nl;q=abc"), Lang::En),
            (None, Some("*;q=0.5, nl;q=0.6"), Lang::Nl),
            (None, Some("de, fr"), Lang::En),
            (None, Some(""), Lang::En),
        ];
        for (query, accept, expected) in cases {
            assert_eq!(answer_lang(query, accept), expected, "{query:?} {accept:?}");
        }
    }

    #[test]
    fn quality_values_are_read_exactly() {
        assert_eq!(quality_thousandths("1"), Some(1000));
        assert_eq!(quality_thousandths("1.000"), Some(1000));
        assert_eq!(quality_thousandths("0.8"), Some(800));
        assert_eq!(quality_thousandths("0.125"), Some(125));
        assert_eq!(quality_thousandths("0"), Some(0));
        assert_eq!(quality_thousandths("1.001"), None);
        assert_eq!(quality_thousandths("0.1234"), None);
        assert_eq!(quality_thousandths("-1"), None);
    }

    #[test]
    fn the_http_codes_carry_their_english_sentences() {
        for (code, sentence) in HTTP_CODES {
            assert_eq!(*sentence, code.text(T::of(Lang::En)));
        }
        let e = ApiError::of(StatusCode::FORBIDDEN, ErrorCode::Forbidden);
        assert_eq!(e.detail, "Your account may not do this.");
    }
}
