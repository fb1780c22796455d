//! The one error type of the API: `{"code": "...", "detail": "...", "field": "..."}` with a
//! stable code (the lifecycle's codes of lifecycle.md §3.1, and the HTTP codes below) and the
//! HTTP status that goes with it. A 5xx never carries internals: the cause is logged once, here,
//! and the answer says only that something went wrong on our side.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kmo_app::kernel::ErrorCode;
use kmo_app::platform::CommandError;
use kmo_app::store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The codes the HTTP layer adds to the lifecycle's. Every one is produced by a test
/// (`tests/api`), and listed in the OpenAPI document.
pub const HTTP_CODES: &[(ErrorCode, &str)] = &[
    (ErrorCode::MalformedJson, "the body is not valid JSON"),
    (
        ErrorCode::InvalidBody,
        "the JSON does not have the expected shape",
    ),
    (
        ErrorCode::UnsupportedMediaType,
        "the body must be application/json",
    ),
    (ErrorCode::BodyTooLarge, "the body is larger than the limit"),
    (
        ErrorCode::BatchTooLarge,
        "more cases in one request than the limit",
    ),
    (ErrorCode::EmptyBatch, "a batch needs at least one case"),
    (ErrorCode::NotFound, "no such resource or route"),
    (
        ErrorCode::Unauthenticated,
        "no valid credentials: log in, or send a valid bearer token",
    ),
    (ErrorCode::Forbidden, "the account may not do this"),
    (
        ErrorCode::CsrfFailed,
        "a change with a session cookie did not echo the session's CSRF token",
    ),
    (ErrorCode::RateLimited, "too many failed logins; wait"),
    (
        ErrorCode::IdempotencyKeyReused,
        "the Idempotency-Key was used for another request",
    ),
    (
        ErrorCode::MethodNotAllowed,
        "the route exists, the method does not",
    ),
    (ErrorCode::Timeout, "the request took too long"),
    (ErrorCode::Unavailable, "the database cannot be reached"),
    (
        ErrorCode::Internal,
        "something went wrong on our side; the details are in the server log",
    ),
];

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
    pub detail: String,
    pub field: Option<String>,
}

impl ApiError {
    #[must_use]
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            field: None,
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
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "something went wrong on our side; it has been logged",
        )
    }

    #[must_use]
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error.cause = %cause, "database unavailable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the platform cannot reach its database; try again shortly",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.as_str().to_owned(),
            detail: self.detail,
            field: self.field,
        };
        (self.status, Json(body)).into_response()
    }
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
        ApiError {
            status,
            code: e.error_code(),
            field: e.field().map(str::to_owned),
            detail: e.to_string(),
        }
    }
}
