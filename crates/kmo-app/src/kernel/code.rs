//! Every error code a caller of the platform can see, as one closed list: the refusals of
//! commands (lifecycle.md §3.1 and the platform's own), and the HTTP layer's. The API answers
//! `{"code": …}` with one of these and nothing else; a test checks that each one is produced.

use std::fmt;

use kmo_text::T;

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

impl ErrorCode {
    /// The sentence for people of this code, in the language of `t` (the catalogue's
    /// `error-…` messages, `kmo_text::Error`): what the pages show and the API's `detail` when
    /// there is nothing more specific to say. A code without its sentence, or a sentence
    /// under a misspelt key, does not compile.
    #[must_use]
    pub const fn text(self, t: &T) -> &'static str {
        let e = &t.error;
        match self {
            ErrorCode::InvalidCommand => e.invalid_command,
            ErrorCode::DateBeforeClock => e.date_before_clock,
            ErrorCode::DuplicateEnterprise => e.duplicate_enterprise,
            ErrorCode::InvalidEnterprise => e.invalid_enterprise,
            ErrorCode::UnknownEnterprise => e.unknown_enterprise,
            ErrorCode::DuplicateApplication => e.duplicate_application,
            ErrorCode::InvalidSubmission => e.invalid_submission,
            ErrorCode::SubmissionRejected => e.submission_rejected,
            ErrorCode::UnknownReference => e.unknown_reference,
            ErrorCode::UnknownApplication => e.unknown_application,
            ErrorCode::UnknownProvider => e.unknown_provider,
            ErrorCode::DuplicateUser => e.duplicate_user,
            ErrorCode::UnknownUser => e.unknown_user,
            ErrorCode::AuthenticationFailed => e.authentication_failed,
            ErrorCode::Forbidden => e.forbidden,
            ErrorCode::UnknownToken => e.unknown_token,
            ErrorCode::UnknownMandate => e.unknown_mandate,
            ErrorCode::ProviderNotRegistered => e.provider_not_registered,
            ErrorCode::NotAWorker => e.not_a_worker,
            ErrorCode::NotYourApplication => e.not_your_application,
            ErrorCode::UnknownDraft => e.unknown_draft,
            ErrorCode::IllegalTransition => e.illegal_transition,
            ErrorCode::IdempotencyKeyReused => e.idempotency_key_reused,
            ErrorCode::Repeated => e.repeated,
            ErrorCode::Conflict => e.conflict,
            ErrorCode::StoreError => e.store_error,
            ErrorCode::DepositAfterDeadline => e.deposit_after_deadline,
            ErrorCode::DepositAlreadyFunded => e.deposit_already_funded,
            ErrorCode::DepositWrongAmount => e.deposit_wrong_amount,
            ErrorCode::PaymentAfterEnd => e.payment_after_end,
            ErrorCode::NotFunded => e.not_funded,
            ErrorCode::PaymentExceedsBalance => e.payment_exceeds_balance,
            ErrorCode::ApplicationBlocked => e.application_blocked,
            ErrorCode::RepaymentExceedsClaim => e.repayment_exceeds_claim,
            ErrorCode::MalformedJson => e.malformed_json,
            ErrorCode::InvalidBody => e.invalid_body,
            ErrorCode::UnsupportedMediaType => e.unsupported_media_type,
            ErrorCode::BodyTooLarge => e.body_too_large,
            ErrorCode::BatchTooLarge => e.batch_too_large,
            ErrorCode::EmptyBatch => e.empty_batch,
            ErrorCode::NotFound => e.not_found,
            ErrorCode::Unauthenticated => e.unauthenticated,
            ErrorCode::CsrfFailed => e.csrf_failed,
            ErrorCode::RateLimited => e.rate_limited,
            ErrorCode::MethodNotAllowed => e.method_not_allowed,
            ErrorCode::Timeout => e.timeout,
            ErrorCode::Unavailable => e.unavailable,
            ErrorCode::Internal => e.internal,
        }
    }
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

    /// `text` reads each code's own message (`UNKNOWN_APPLICATION` →
    /// `error-unknown-application`), in both languages, and the catalogue has no sentence for a
    /// code that does not exist.
    #[test]
    fn every_code_has_its_own_sentence_in_both_languages() {
        use kmo_domain::codes::Lang;
        for lang in [Lang::Nl, Lang::En] {
            let t = T::of(lang);
            let keyed = t.error.keyed();
            for c in ErrorCode::ALL {
                let key = format!("error-{}", c.as_str().to_lowercase().replace('_', "-"));
                let found = keyed.iter().find(|(k, _)| *k == key).map(|(_, text)| *text);
                assert_eq!(found, Some(c.text(t)), "{lang:?}: {c} reads {key}");
                assert!(c.text(t).ends_with('.'), "{lang:?}: {c}: a sentence");
            }
            assert_eq!(
                keyed.len(),
                ErrorCode::ALL.len(),
                "{lang:?}: a sentence of no code"
            );
        }
        assert_ne!(
            ErrorCode::UnknownApplication.text(T::of(Lang::Nl)),
            ErrorCode::UnknownApplication.text(T::of(Lang::En))
        );
    }
}
