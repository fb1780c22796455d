//! The refusal of a command: one stable code per reason (lifecycle.md §3.1).

use kmo_domain::{Cents, Date};
use kmo_rules::Reason;

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
    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::Invalid { .. } => "INVALID_COMMAND",
            CommandError::DateBeforeClock { .. } => "DATE_BEFORE_CLOCK",
            CommandError::DuplicateEnterprise(_) => "DUPLICATE_ENTERPRISE",
            CommandError::InvalidEnterprise { .. } => "INVALID_ENTERPRISE",
            CommandError::UnknownEnterprise(_) => "UNKNOWN_ENTERPRISE",
            CommandError::DuplicateApplication(_) => "DUPLICATE_APPLICATION",
            CommandError::InvalidSubmission { .. } => "INVALID_SUBMISSION",
            CommandError::SubmissionRejected { .. } => "SUBMISSION_REJECTED",
            CommandError::UnknownReference => "UNKNOWN_REFERENCE",
            CommandError::UnknownApplication(_) => "UNKNOWN_APPLICATION",
            CommandError::UnknownProvider(_) => "UNKNOWN_PROVIDER",
            CommandError::DuplicateUser(_) => "DUPLICATE_USER",
            CommandError::UnknownUser(_) => "UNKNOWN_USER",
            CommandError::AuthenticationFailed => "AUTHENTICATION_FAILED",
            CommandError::Forbidden(_) => "FORBIDDEN",
            CommandError::UnknownToken(_) => "UNKNOWN_TOKEN",
            CommandError::UnknownMandate(_) => "UNKNOWN_MANDATE",
            CommandError::ProviderNotRegistered { .. } => "PROVIDER_NOT_REGISTERED",
            CommandError::NotAWorker { .. } => "NOT_A_WORKER",
            CommandError::NotYourApplication(_) => "NOT_YOUR_APPLICATION",
            CommandError::UnknownDraft(_) => "UNKNOWN_DRAFT",
            CommandError::Registration(_) => "ILLEGAL_TRANSITION",
            CommandError::Transition(e) => e.code(),
            CommandError::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            CommandError::Repeated { code } => code,
            CommandError::Store(StoreError::Conflict) => "CONFLICT",
            CommandError::Store(_) => "STORE_ERROR",
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
