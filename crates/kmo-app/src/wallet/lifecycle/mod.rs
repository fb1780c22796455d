//! The application lifecycle of lifecycle.md, as pure functions.
//!
//! Each function takes an [`Application`] record and a command's facts, and returns either a
//! [`Change`] — the new record, the ledger transfers and the event to append — or a
//! [`TransitionError`] with its code. Nothing here reads a clock or a database: the services
//! load the record, call these functions and write the change in one transaction.
//!
//! Money per application (§6): E = eligible, S = subsidy, O = own share = E − S. Payments are
//! split by the cumulative half-up rule at the effective rate S / E (L5); closing refunds the own
//! share still in the wallet and returns the outstanding subsidy to the ceiling (same calendar
//! year as the submission, not for expiry) or to the agency budget (D12, D13, L8).

use kmo_domain::{ApplicationId, EnterpriseId, ProviderId};
use std::fmt;

use crate::kernel::ErrorCode;
use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferId, TransferKind};

/// States of lifecycle.md §4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Submitted,
    Funded,
    PartiallyPaid,
    Paid,
    Lapsed,
    Refused,
    Stopped,
    Expired,
    /// Held by the agency after an inspection (T9): nothing moves until it is unblocked or the
    /// subsidy is recovered.
    Blocked,
    /// The subsidy was recovered after an inspection (T9).
    Recovered,
}

impl State {
    pub const ALL: [State; 10] = [
        State::Submitted,
        State::Funded,
        State::PartiallyPaid,
        State::Paid,
        State::Lapsed,
        State::Refused,
        State::Stopped,
        State::Expired,
        State::Blocked,
        State::Recovered,
    ];

    /// The stable code (also the database value).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::Funded => "funded",
            State::PartiallyPaid => "partially_paid",
            State::Paid => "paid",
            State::Lapsed => "lapsed",
            State::Refused => "refused",
            State::Stopped => "stopped",
            State::Expired => "expired",
            State::Blocked => "blocked",
            State::Recovered => "recovered",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            State::Paid
                | State::Lapsed
                | State::Refused
                | State::Stopped
                | State::Expired
                | State::Recovered
        )
    }

    /// Dutch label for people.
    #[must_use]
    pub const fn label_nl(self) -> &'static str {
        match self {
            State::Submitted => "ingediend",
            State::Funded => "gestort",
            State::PartiallyPaid => "gedeeltelijk betaald",
            State::Paid => "betaald",
            State::Lapsed => "vervallen",
            State::Refused => "geweigerd",
            State::Stopped => "stopgezet",
            State::Expired => "verlopen",
            State::Blocked => "geblokkeerd",
            State::Recovered => "teruggevorderd",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An application and its money (the per-application fields of lifecycle.md §8.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    /// The application's own key (its number on the platform).
    pub key: String,
    pub enterprise: EnterpriseId,
    pub provider: ProviderId,
    pub submitted_on: Date,
    pub state: State,
    pub closed_on: Option<Date>,
    pub size: EnterpriseSize,
    pub rate_bp: u32,
    pub rule_set: String,
    pub eligible: Cents,
    pub subsidy: Cents,
    pub own_share: Cents,
    pub deposited: Cents,
    pub paid_own: Cents,
    pub paid_subsidy: Cents,
    pub refunded: Cents,
    pub returned_to_ceiling: Cents,
    pub returned_to_budget: Cents,
    pub returned_deposits: Cents,
    /// Last day of the deposit window (D11), inclusive.
    pub deposit_deadline: Date,
    /// Last day for payment orders (D13), inclusive.
    pub payment_deadline: Date,
    /// Number of events recorded for the application (the next event is `seq + 1`).
    pub seq: i32,
    /// While blocked: the state it was blocked in (and returns to when unblocked).
    pub blocked_from: Option<State>,
    /// Subsidy paid out and claimed back from the enterprise after an inspection (T9).
    pub recovered: Cents,
    /// What the enterprise has repaid of `recovered`.
    pub recovery_received: Cents,
    /// The hash of the latest record of the application's audit stream (whose seq is `seq`);
    /// empty until it is stored. Kept by the store, not by the transitions.
    pub audit_hash: String,
}

fn sub(a: Cents, b: Cents) -> Cents {
    a.checked_sub(b).unwrap_or(Cents::ZERO)
}

fn add(a: Cents, b: Cents) -> Cents {
    a.checked_add(b).unwrap_or(a)
}

impl Application {
    /// Paid to the provider so far (P).
    #[must_use]
    pub fn paid(&self) -> Cents {
        add(self.paid_own, self.paid_subsidy)
    }

    /// Own share still in the wallet: deposited − paid own − refunded.
    #[must_use]
    pub fn own_share_in_wallet(&self) -> Cents {
        sub(sub(self.deposited, self.paid_own), self.refunded)
    }

    /// Subsidy reserved or in the wallet, not paid and not returned.
    #[must_use]
    pub fn subsidy_outstanding(&self) -> Cents {
        sub(
            sub(
                sub(self.subsidy, self.paid_subsidy),
                self.returned_to_ceiling,
            ),
            self.returned_to_budget,
        )
    }

    /// The date of the lapse event: the day after the deposit deadline (L2).
    #[must_use]
    pub fn lapse_on(&self) -> Date {
        self.deposit_deadline
            .add_days(1)
            .unwrap_or(self.deposit_deadline)
    }

    /// The date of the expiry event: the day after the payment deadline (L2).
    #[must_use]
    pub fn expire_on(&self) -> Date {
        self.payment_deadline
            .add_days(1)
            .unwrap_or(self.payment_deadline)
    }

    /// Whether the own share was received.
    #[must_use]
    pub fn is_funded(&self) -> bool {
        self.deposited.is_positive()
    }

    /// The structured-reference base of this application (its id).
    #[must_use]
    pub fn reference_base(&self) -> u64 {
        u64::try_from(self.id.get()).unwrap_or(0)
    }

    /// The structured reference the enterprise's deposit carries (`+++…+++`, rules.md D21), as
    /// the pages, the API and the calendar show it; empty for an id no reference can carry.
    #[must_use]
    pub fn reference_text(&self) -> String {
        kmo_domain::PaymentReference::from_base(self.reference_base())
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    /// The id of the pending subsidy reservation made at submission.
    #[must_use]
    pub fn reservation_id(&self) -> TransferId {
        transfer_id(self.id.get(), 1, "subsidy_reserved")
    }

    /// The invariants of lifecycle.md §9 for one application; the first broken one, if any.
    #[must_use]
    pub fn broken_invariant(&self) -> Option<String> {
        let (e, s, o) = (self.eligible, self.subsidy, self.own_share);
        let p = self.paid();
        let money_state = match (self.state, self.blocked_from) {
            (State::Blocked, Some(from)) => from,
            (state, _) => state,
        };
        let checks: [(bool, &str); 13] = [
            (s.checked_add(o) == Some(e), "S + O = E"),
            (s.is_positive(), "S > 0"),
            (
                self.deposited == Cents::ZERO || self.deposited == o,
                "deposited ∈ {0, O}",
            ),
            (
                self.deposited
                    .checked_sub(self.paid_own)
                    .and_then(|x| x.checked_sub(self.refunded))
                    .is_some_and(|x| !x.is_negative()),
                "own share conserved",
            ),
            (
                s.checked_sub(self.paid_subsidy)
                    .and_then(|x| x.checked_sub(self.returned_to_ceiling))
                    .and_then(|x| x.checked_sub(self.returned_to_budget))
                    .is_some_and(|x| !x.is_negative()),
                "subsidy conserved",
            ),
            (p <= e, "P ≤ E"),
            (
                Some(self.paid_subsidy) == p.mul_div_half_up(s, e),
                "paid subsidy = round_half_up(P·S/E)",
            ),
            (
                !self.state.is_terminal()
                    || (self.own_share_in_wallet() == Cents::ZERO
                        && self.subsidy_outstanding() == Cents::ZERO
                        && self.closed_on.is_some()),
                "a terminal state holds nothing",
            ),
            (
                match money_state {
                    State::Submitted | State::Lapsed => {
                        self.deposited == Cents::ZERO && p == Cents::ZERO
                    }
                    State::Funded => self.deposited == o && p == Cents::ZERO,
                    State::PartiallyPaid => p.is_positive() && p < e,
                    State::Paid => p == e && self.refunded == Cents::ZERO,
                    State::Refused | State::Stopped | State::Expired | State::Recovered => true,
                    State::Blocked => false,
                },
                "state and money agree",
            ),
            (
                (self.state == State::Blocked)
                    == self.blocked_from.is_some_and(|f| {
                        matches!(f, State::Funded | State::PartiallyPaid | State::Paid)
                    }),
                "blocked exactly when held from a paid state",
            ),
            (
                if self.state == State::Recovered {
                    self.recovered == self.paid_subsidy
                } else {
                    self.recovered == Cents::ZERO
                },
                "recovered = paid subsidy, only when recovered",
            ),
            (
                self.recovery_received <= self.recovered,
                "repaid ≤ recovered",
            ),
            (
                self.returned_to_ceiling == Cents::ZERO
                    || self
                        .closed_on
                        .is_some_and(|d| d.year() == self.submitted_on.year()),
                "ceiling returns only in the submission year",
            ),
        ];
        checks
            .iter()
            .find(|(ok, _)| !ok)
            .map(|(_, what)| format!("application {}: {what} is broken", self.id))
    }
}

/// Deterministic transfer id: application, event number, purpose. A retried command recomputes
/// the same ids, so the database's unique key recognises it.
#[must_use]
pub fn transfer_id(application: i64, seq: i32, tag: &str) -> TransferId {
    TransferId::new(format!("a{application}.{seq}.{tag}"))
        .unwrap_or_else(|| fallback_id(application))
}

fn fallback_id(application: i64) -> TransferId {
    // Only reachable with a tag containing spaces; every tag here is a fixed identifier.
    TransferId::new(format!("a{application}.invalid")).unwrap_or_else(|| fallback_id(0))
}

/// Who acts (the audit log's [`Actor`]).
pub use crate::kernel::audit::Actor;

/// What happened to an application (one audit record each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    Submitted,
    Funded,
    DepositReturned { code: &'static str },
    Paid { amount: Cents },
    Lapsed,
    Stopped,
    Refused,
    Expired,
    Blocked,
    Unblocked,
    Recovered { amount: Cents },
    RecoveryReceived { amount: Cents },
}

impl EventKind {
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Funded => "funded",
            EventKind::DepositReturned { .. } => "deposit_returned",
            EventKind::Paid { .. } => "paid",
            EventKind::Lapsed => "lapsed",
            EventKind::Stopped => "stopped",
            EventKind::Refused => "refused",
            EventKind::Expired => "expired",
            EventKind::Blocked => "blocked",
            EventKind::Unblocked => "unblocked",
            EventKind::Recovered { .. } => "recovered",
            EventKind::RecoveryReceived { .. } => "recovery_received",
        }
    }
}

/// An accepted (or money-moving) step: the new record, its transfers, and its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub application: Application,
    pub transfers: Vec<Transfer>,
    pub event: EventKind,
    pub date: Date,
    pub actor: Actor,
}

/// Why a command is refused; the code is the one of lifecycle.md §3.1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the deposit deadline has passed; the application lapsed")]
    DepositAfterDeadline,
    #[error("the own share was already received")]
    DepositAlreadyFunded,
    #[error("the deposit of {got} is not the own share of {expected}")]
    DepositWrongAmount { expected: Cents, got: Cents },
    #[error("the payment deadline has passed; the application expired")]
    PaymentAfterEnd,
    #[error("the own share has not been received yet")]
    NotFunded,
    #[error("the payment of {asked} is more than the {left} left to pay")]
    PaymentExceedsBalance { left: Cents, asked: Cents },
    #[error("{command} is not possible in state {from}")]
    IllegalTransition { from: State, command: &'static str },
    #[error("the application is blocked by the agency after an inspection")]
    Blocked,
    #[error("the repayment of {asked} is more than the {left} still to be repaid")]
    RepaymentExceedsClaim { left: Cents, asked: Cents },
}

impl TransitionError {
    /// The stable code of lifecycle.md §3.1.
    #[must_use]
    pub const fn error_code(&self) -> ErrorCode {
        match self {
            TransitionError::DepositAfterDeadline => ErrorCode::DepositAfterDeadline,
            TransitionError::DepositAlreadyFunded => ErrorCode::DepositAlreadyFunded,
            TransitionError::DepositWrongAmount { .. } => ErrorCode::DepositWrongAmount,
            TransitionError::PaymentAfterEnd => ErrorCode::PaymentAfterEnd,
            TransitionError::NotFunded => ErrorCode::NotFunded,
            TransitionError::PaymentExceedsBalance { .. } => ErrorCode::PaymentExceedsBalance,
            TransitionError::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            TransitionError::Blocked => ErrorCode::ApplicationBlocked,
            TransitionError::RepaymentExceedsClaim { .. } => ErrorCode::RepaymentExceedsClaim,
        }
    }

    /// The code as text.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

fn posted(
    id: TransferId,
    debit: AccountKey,
    credit: AccountKey,
    amount: Cents,
    code: TransferCode,
    application: Option<i64>,
    date: Date,
) -> Transfer {
    Transfer {
        id,
        debit,
        credit,
        amount,
        code,
        kind: TransferKind::Posted,
        application,
        date,
    }
}

/// Longest bank reference of a statement line, in characters (banks use up to 35; CODA's
/// references are shorter).
pub const BANK_REF_CHARS_MAX: usize = 140;

/// The bank's reference of a statement line, as the platform keeps it: trimmed, 1 to
/// [`BANK_REF_CHARS_MAX`] characters, no control characters; the field and reason otherwise.
pub fn bank_ref(text: &str) -> Result<&str, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        Err("the bank's reference of the line is missing")
    } else if text.chars().count() > BANK_REF_CHARS_MAX {
        Err("the bank's reference is longer than 140 characters")
    } else if text.chars().any(char::is_control) {
        Err("the bank's reference contains control characters")
    } else {
        Ok(text)
    }
}

/// What names the transfers of an incoming bank line: `bank.<reference>` when the bank's
/// reference makes valid transfer ids as it is (as every id booked so far did), else
/// `bankh.<SHA-256 of the reference>` — the same for a retried line, and never the same for two
/// references, whatever the bank put in them (spaces, accents, long texts).
#[must_use]
pub fn bank_line_prefix(bank_ref: &str) -> String {
    let plain = format!("bank.{bank_ref}");
    if TransferId::new(format!("{plain}.{RETURN_TAG_LONGEST}")).is_some() {
        plain
    } else {
        use sha2::Digest as _;
        format!(
            "bankh.{}",
            hex::encode(sha2::Sha256::digest(bank_ref.as_bytes()))
        )
    }
}

/// The longest tag [`returned_deposit_transfers`] appends to a line's prefix.
const RETURN_TAG_LONGEST: &str = "received";

/// A deposit that is not accepted: booked to suspense and returned in full at once (D11, L3,
/// L14). `id_prefix` names the incoming bank transfer ([`bank_line_prefix`]: unique per
/// statement line, and a valid id with either tag).
#[must_use]
pub fn returned_deposit_transfers(
    id_prefix: &str,
    amount: Cents,
    application: Option<i64>,
    date: Date,
) -> Vec<Transfer> {
    let id = |tag: &str| {
        TransferId::new(format!("{id_prefix}.{tag}"))
            .unwrap_or_else(|| fallback_id(application.unwrap_or(0)))
    };
    vec![
        posted(
            id("received"),
            AccountKey::Bank,
            AccountKey::Suspense,
            amount,
            TransferCode::DepositUnmatched,
            application,
            date,
        ),
        posted(
            id("returned"),
            AccountKey::Suspense,
            AccountKey::RefundsPayable,
            amount,
            TransferCode::DepositReturned,
            application,
            date,
        ),
    ]
}

/// The own share left in the wallet, refunded to the enterprise (at a closing or a recovery).
fn own_share_refund(app: &Application, seq: i32, amount: Cents, date: Date) -> Transfer {
    posted(
        transfer_id(app.id.get(), seq, "own_share_refund"),
        AccountKey::OwnShareWallet {
            application: app.id.get(),
        },
        AccountKey::RefundsPayable,
        amount,
        TransferCode::OwnShareRefund,
        Some(app.id.get()),
        date,
    )
}

/// What the enterprise has to do next for an application, and by when — the step whose
/// deadline loses the subsidy when missed (lifecycle.md §6: L4 deposit window, D13 payment
/// deadline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// Transfer the own share with the structured reference, at the latest on the day.
    Deposit { amount: Cents, by: Date },
    /// Release the provider's invoice(s) for what is left, at the latest on the day.
    Release { left: Cents, by: Date },
    /// Nothing to do: the agency holds the application after an inspection.
    AwaitAgency,
    /// Repay the subsidy the agency recovered (a transfer with the structured reference).
    Repay { amount: Cents },
}

impl Application {
    /// What is left to pay out to the provider (zero once closed).
    #[must_use]
    pub fn balance(&self) -> Cents {
        if self.state.is_terminal() {
            Cents::ZERO
        } else {
            sub(self.eligible, self.paid())
        }
    }

    /// The enterprise's next step; `None` once nothing is left to do.
    #[must_use]
    pub fn next_step(&self) -> Option<NextStep> {
        match self.state {
            State::Submitted => Some(NextStep::Deposit {
                amount: sub(self.own_share, self.deposited),
                by: self.deposit_deadline,
            }),
            State::Funded | State::PartiallyPaid => Some(NextStep::Release {
                left: self.balance(),
                by: self.payment_deadline,
            }),
            State::Blocked => Some(NextStep::AwaitAgency),
            State::Recovered if self.recovery_received < self.recovered => Some(NextStep::Repay {
                amount: sub(self.recovered, self.recovery_received),
            }),
            _ => None,
        }
    }
}

mod transitions;
pub use transitions::*;

#[cfg(test)]
mod tests;
