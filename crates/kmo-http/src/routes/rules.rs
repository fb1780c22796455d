//! `POST /api/v1/rules/evaluate`: the rules engine over HTTP, exactly per rules-eval.md. The body
//! is one case (answered by one decision object) or an array of cases (answered by an array of
//! decisions, in order, at most `limits.rules_batch_max`). The answers are the very bytes
//! `kmo rules eval` writes.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use kmo_domain::codes::Lang;
use kmo_rules::RuleBook;
use kmo_rules::output::{LineKind, eval_json_case};
use kmo_rules::trace::Trace;
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiBytes, ApiQuery, require_json};
use kmo_app::kernel::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/rules/evaluate", post(evaluate))
}

/// Batches larger than this are evaluated off the async workers.
const INLINE_CASES_MAX: usize = 16;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    /// Language of the trace texts: `nl` (default) or `en`.
    pub lang: Option<String>,
}

/// Evaluate one case or a batch of cases.
///
/// The case and decision shapes are those of rules-eval.md. A single case whose input is
/// invalid is answered 422 with the rules-eval.md error object (`"decision": "error"`); in a
/// batch, such a case gets its error object in its place and the others are evaluated.
#[utoipa::path(
    post,
    path = "/api/v1/rules/evaluate",
    tag = "rules",
    params(LangQuery),
    request_body(content = Object, content_type = "application/json",
        description = "A case of rules-eval.md, or an array of cases"),
    responses(
        (status = 200, description = "The decision (or, for an array, the decisions in order)", body = Object),
        (status = 400, description = "Not JSON, or not an object or array", body = ErrorBody),
        (status = 413, description = "Body or batch too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "The single case is not valid input (rules-eval.md error object)", body = Object),
    )
)]
pub async fn evaluate(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LangQuery>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let lang = match query.lang.as_deref() {
        None => Lang::Nl,
        Some(code) => Lang::parse(code).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidBody,
                format!("unknown language {code:?}: use nl or en"),
            )
            .with_field("lang")
        })?,
    };
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            "the body is not UTF-8",
        )
    })?;
    let first = text.trim_start().as_bytes().first().copied();
    match first {
        Some(b'[') => {
            let cases: Vec<&RawValue> = serde_json::from_str(text).map_err(malformed)?;
            let max = state.settings.limits.rules_batch_max;
            if cases.is_empty() {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::EmptyBatch,
                    "the array holds no case",
                ));
            }
            if cases.len() > max {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::BatchTooLarge,
                    format!("{} cases; at most {max} per request", cases.len()),
                ));
            }
            let texts: Vec<String> = cases.iter().map(|c| c.get().to_owned()).collect();
            let book = std::sync::Arc::clone(&state.rules);
            let out = if texts.len() <= INLINE_CASES_MAX {
                evaluate_batch(&book, &texts, lang)
            } else {
                tokio::task::spawn_blocking(move || evaluate_batch(&book, &texts, lang))
                    .await
                    .map_err(|e| ApiError::internal(&e))?
            };
            Ok(json_response(StatusCode::OK, out))
        }
        Some(b'{') => {
            // Syntax first, so that a broken body is a 400 and not a rules-eval.md error object.
            serde_json::from_str::<&RawValue>(text).map_err(malformed)?;
            let mut out = Vec::with_capacity(512);
            let kind = eval_json_case(&state.rules, text, &mut Trace::default(), lang, &mut out);
            if out.last() == Some(&b'\n') {
                out.pop();
            }
            let status = match kind {
                LineKind::Decision => StatusCode::OK,
                LineKind::InputError | LineKind::NotJson => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok(json_response(status, out))
        }
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            "the body must be a JSON object (one case) or array (a batch)",
        )),
    }
}

fn malformed(e: serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedJson,
        format!("the body is not valid JSON: {e}"),
    )
}

fn evaluate_batch(book: &RuleBook, texts: &[String], lang: Lang) -> Vec<u8> {
    let mut out = Vec::with_capacity(texts.len().saturating_mul(512));
    let mut trace = Trace::default();
    out.push(b'[');
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        eval_json_case(book, text, &mut trace, lang, &mut out);
        if out.last() == Some(&b'\n') {
            out.pop();
        }
    }
    out.push(b']');
    out
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
