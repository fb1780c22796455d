//! The refusal of a command: one stable code per reason (lifecycle.md §3.1).

use kmo_domain::{Cents, Date};
use kmo_rules::Reason;

use crate::kernel::ErrorCode;
use crate::store::StoreError;
use crate::wallet::lifecycle::TransitionError;

/// Any one amount entering the platform (a deposit, a payment, declared aid, a price) is at
/// least one cent and at most the rules engine's bound for one cost line: an absurd number is
/// refused before it reaches the ledger (whose sums must never overflow).
pub const AMOUNT_CENTS_MAX: i64 = kmo_rules::input::AMOUNT_CENTS_MAX;

pub(crate) fn check_amount(field: &str, amount: Cents) -> Result<(), CommandError> {
    if amount.is_positive() && amount.get() <= AMOUNT_CENTS_MAX {
        Ok(())
    } else {
        Err(CommandError::Invalid {
            field: field.into(),
            message: format!("must be 1 to {AMOUNT_CENTS_MAX} cents"),
        })
    }
}

/// A refused command: the stable code of lifecycle.md §3.1 and what it is about.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("malformed command: {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("the date {date} is before the platform's clock {clock}")]
    DateBeforeClock { date: Date, clock: Date },
    #[error("enterprise {0} is already registered")]
    DuplicateEnterprise(String),
    #[error("the enterprise profile is not valid: {field}: {message}")]
    InvalidEnterprise { field: String, message: String },
    #[error("unknown enterprise {0}")]
    UnknownEnterprise(String),
    #[error("application id {0} is already used")]
    DuplicateApplication(String),
    #[error("the submission is not a valid case: {field}: {message}")]
    InvalidSubmission { field: String, message: String },
    #[error("the submission is rejected: {}", reasons.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))]
    SubmissionRejected { reasons: Vec<Reason> },
    #[error("the reference matches no application; the deposit was returned")]
    UnknownReference,
    #[error("unknown application {0}")]
    UnknownApplication(String),
    #[error("unknown provider {0}")]
    UnknownProvider(String),
    #[error("a user with the e-mail address {0} exists already")]
    DuplicateUser(String),
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("the e-mail address or the password is wrong")]
    AuthenticationFailed,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("unknown token {0}")]
    UnknownToken(i64),
    #[error("unknown mandate {0}")]
    UnknownMandate(i64),
    #[error("provider {provider} holds no active registration for {kind} on {date}")]
    ProviderNotRegistered {
        provider: String,
        kind: &'static str,
        date: Date,
    },
    #[error("participant {index} is a {status}, not a worker who may be trained with support")]
    NotAWorker { index: usize, status: &'static str },
    #[error("there is no draft {0}")]
    UnknownDraft(String),
    #[error("application {0} does not name this provider")]
    NotYourApplication(String),
    #[error(transparent)]
    Registration(#[from] crate::registry::RegistrationError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("the idempotency key was used before for a different command")]
    IdempotencyKeyReused,
    #[error("this command was already handled with the result {code}; nothing was done again")]
    Repeated { code: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommandError {
    /// The stable code, from the one closed list of codes.
    #[must_use]
    pub fn error_code(&self) -> ErrorCode {
        match self {
            CommandError::Invalid { .. } => ErrorCode::InvalidCommand,
            CommandError::DateBeforeClock { .. } => ErrorCode::DateBeforeClock,
            CommandError::DuplicateEnterprise(_) => ErrorCode::DuplicateEnterprise,
            CommandError::InvalidEnterprise { .. } => ErrorCode::InvalidEnterprise,
            CommandError::UnknownEnterprise(_) => ErrorCode::UnknownEnterprise,
            CommandError::DuplicateApplication(_) => ErrorCode::DuplicateApplication,
            CommandError::InvalidSubmission { .. } => ErrorCode::InvalidSubmission,
            CommandError::SubmissionRejected { .. } => ErrorCode::SubmissionRejected,
            CommandError::UnknownReference => ErrorCode::UnknownReference,
            CommandError::UnknownApplication(_) => ErrorCode::UnknownApplication,
            CommandError::UnknownProvider(_) => ErrorCode::UnknownProvider,
            CommandError::DuplicateUser(_) => ErrorCode::DuplicateUser,
            CommandError::UnknownUser(_) => ErrorCode::UnknownUser,
            CommandError::AuthenticationFailed => ErrorCode::AuthenticationFailed,
            CommandError::Forbidden(_) => ErrorCode::Forbidden,
            CommandError::UnknownToken(_) => ErrorCode::UnknownToken,
            CommandError::UnknownMandate(_) => ErrorCode::UnknownMandate,
            CommandError::ProviderNotRegistered { .. } => ErrorCode::ProviderNotRegistered,
            CommandError::NotAWorker { .. } => ErrorCode::NotAWorker,
            CommandError::NotYourApplication(_) => ErrorCode::NotYourApplication,
            CommandError::UnknownDraft(_) => ErrorCode::UnknownDraft,
            CommandError::Registration(_) => ErrorCode::IllegalTransition,
            CommandError::Transition(e) => e.error_code(),
            CommandError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            CommandError::Repeated { code } => {
                ErrorCode::parse(code).unwrap_or(ErrorCode::Repeated)
            }
            CommandError::Store(StoreError::Conflict) => ErrorCode::Conflict,
            CommandError::Store(_) => ErrorCode::StoreError,
        }
    }

    /// The stable code as text; a repeated command answers the code it was answered with
    /// before (`accepted` included).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::Repeated { code } => code,
            other => other.error_code().as_str(),
        }
    }

    /// The field a validation error is about, if any.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        match self {
            CommandError::Invalid { field, .. }
            | CommandError::InvalidEnterprise { field, .. }
            | CommandError::InvalidSubmission { field, .. } => Some(field),
            _ => None,
        }
    }
}
