//! Every error code a caller of the platform can see, as one closed list: the refusals of
//! commands (lifecycle.md §3.1 and the platform's own), and the HTTP layer's. The API answers
//! `{"code": …}` with one of these and nothing else; a test checks that each one is produced.

use std::fmt;

macro_rules! error_codes {
    ($( $variant:ident = $code:literal, )+) => {
        /// A stable error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $( #[doc = $code] $variant, )+
        }

        impl ErrorCode {
            /// Every code, in this order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as it is written on the wire.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The code with this text.
            #[must_use]
            pub fn parse(text: &str) -> Option<ErrorCode> {
                match text { $($code => Some(ErrorCode::$variant),)+ _ => None }
            }
        }
    };
}

error_codes! {
    // Refusals of commands.
    InvalidCommand = "INVALID_COMMAND",
    DateBeforeClock = "DATE_BEFORE_CLOCK",
    DuplicateEnterprise = "DUPLICATE_ENTERPRISE",
    InvalidEnterprise = "INVALID_ENTERPRISE",
    UnknownEnterprise = "UNKNOWN_ENTERPRISE",
    DuplicateApplication = "DUPLICATE_APPLICATION",
    InvalidSubmission = "INVALID_SUBMISSION",
    SubmissionRejected = "SUBMISSION_REJECTED",
    UnknownReference = "UNKNOWN_REFERENCE",
    UnknownApplication = "UNKNOWN_APPLICATION",
    UnknownProvider = "UNKNOWN_PROVIDER",
    DuplicateUser = "DUPLICATE_USER",
    UnknownUser = "UNKNOWN_USER",
    AuthenticationFailed = "AUTHENTICATION_FAILED",
    Forbidden = "FORBIDDEN",
    UnknownToken = "UNKNOWN_TOKEN",
    UnknownMandate = "UNKNOWN_MANDATE",
    ProviderNotRegistered = "PROVIDER_NOT_REGISTERED",
    NotAWorker = "NOT_A_WORKER",
    NotYourApplication = "NOT_YOUR_APPLICATION",
    UnknownDraft = "UNKNOWN_DRAFT",
    IllegalTransition = "ILLEGAL_TRANSITION",
    IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED",
    Repeated = "REPEATED",
    Conflict = "CONFLICT",
    StoreError = "STORE_ERROR",
    // Refusals of the lifecycle (lifecycle.md §3.1).
    DepositAfterDeadline = "DEPOSIT_AFTER_DEADLINE",
    DepositAlreadyFunded = "DEPOSIT_ALREADY_FUNDED",
    DepositWrongAmount = "DEPOSIT_WRONG_AMOUNT",
    PaymentAfterEnd = "PAYMENT_AFTER_END",
    NotFunded = "NOT_FUNDED",
    PaymentExceedsBalance = "PAYMENT_EXCEEDS_BALANCE",
    ApplicationBlocked = "APPLICATION_BLOCKED",
    RepaymentExceedsClaim = "REPAYMENT_EXCEEDS_CLAIM",
    // The HTTP layer's.
    MalformedJson = "MALFORMED_JSON",
    InvalidBody = "INVALID_BODY",
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE",
    BodyTooLarge = "BODY_TOO_LARGE",
    BatchTooLarge = "BATCH_TOO_LARGE",
    EmptyBatch = "EMPTY_BATCH",
    NotFound = "NOT_FOUND",
    Unauthenticated = "UNAUTHENTICATED",
    CsrfFailed = "CSRF_FAILED",
    RateLimited = "RATE_LIMITED",
    MethodNotAllowed = "METHOD_NOT_ALLOWED",
    Timeout = "TIMEOUT",
    Unavailable = "UNAVAILABLE",
    Internal = "INTERNAL",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_none_is_listed_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(*c));
            assert!(seen.insert(c.as_str()), "{c} twice");
        }
        assert_eq!(ErrorCode::parse("accepted"), None);
    }
}
