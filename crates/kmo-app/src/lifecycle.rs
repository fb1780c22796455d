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

use std::fmt;

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
    pub id: i64,
    /// The application's own key (its number on the platform).
    pub key: String,
    pub enterprise: i64,
    pub provider: i64,
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
        u64::try_from(self.id).unwrap_or(0)
    }

    /// The id of the pending subsidy reservation made at submission.
    #[must_use]
    pub fn reservation_id(&self) -> TransferId {
        transfer_id(self.id, 1, "subsidy_reserved")
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

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Enterprise,
    Provider,
    Agency,
    /// The platform itself: deadlines.
    System,
    /// The bank statement (a deposit).
    Bank,
}

impl Actor {
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Actor::Enterprise => "enterprise",
            Actor::Provider => "provider",
            Actor::Agency => "agency",
            Actor::System => "system",
            Actor::Bank => "bank",
        }
    }
}

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
    pub const fn code(&self) -> &'static str {
        match self {
            TransitionError::DepositAfterDeadline => "DEPOSIT_AFTER_DEADLINE",
            TransitionError::DepositAlreadyFunded => "DEPOSIT_ALREADY_FUNDED",
            TransitionError::DepositWrongAmount { .. } => "DEPOSIT_WRONG_AMOUNT",
            TransitionError::PaymentAfterEnd => "PAYMENT_AFTER_END",
            TransitionError::NotFunded => "NOT_FUNDED",
            TransitionError::PaymentExceedsBalance { .. } => "PAYMENT_EXCEEDS_BALANCE",
            TransitionError::IllegalTransition { .. } => "ILLEGAL_TRANSITION",
            TransitionError::Blocked => "APPLICATION_BLOCKED",
            TransitionError::RepaymentExceedsClaim { .. } => "REPAYMENT_EXCEEDS_CLAIM",
        }
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

/// A deposit that is not accepted: booked to suspense and returned in full at once (D11, L3,
/// L14). `id_prefix` names the incoming bank transfer (unique per statement line).
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
        transfer_id(app.id, seq, "own_share_refund"),
        AccountKey::OwnShareWallet {
            application: app.id,
        },
        AccountKey::RefundsPayable,
        amount,
        TransferCode::OwnShareRefund,
        Some(app.id),
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

/// Facts of a new application decided `eligible` by the rules engine (lifecycle.md §6.1).
#[derive(Clone, Debug)]
pub struct NewApplication {
    pub id: i64,
    pub key: String,
    pub enterprise: i64,
    pub provider: i64,
    pub submitted_on: Date,
    pub size: EnterpriseSize,
    pub rate_bp: u32,
    pub rule_set: String,
    pub eligible: Cents,
    pub subsidy: Cents,
    pub deposit_deadline: Date,
    pub payment_deadline: Date,
    /// The annual ceiling of the rule set for the locked size, and what was granted so far for
    /// the enterprise's year (a grant tops it up to the ceiling).
    pub annual_ceiling: Cents,
    pub ceiling_granted: Cents,
}

/// Creates a submitted application: reserves the subsidy (pending, against the budget of the
/// submission year), reserves it against the enterprise's ceiling of that year, and counts it as
/// de-minimis aid dated at submission.
#[must_use]
pub fn submit(n: &NewApplication) -> Change {
    let year = n.submitted_on.year();
    let app = Application {
        id: n.id,
        key: n.key.clone(),
        enterprise: n.enterprise,
        provider: n.provider,
        submitted_on: n.submitted_on,
        state: State::Submitted,
        closed_on: None,
        size: n.size,
        rate_bp: n.rate_bp,
        rule_set: n.rule_set.clone(),
        eligible: n.eligible,
        subsidy: n.subsidy,
        own_share: sub(n.eligible, n.subsidy),
        deposited: Cents::ZERO,
        paid_own: Cents::ZERO,
        paid_subsidy: Cents::ZERO,
        refunded: Cents::ZERO,
        returned_to_ceiling: Cents::ZERO,
        returned_to_budget: Cents::ZERO,
        returned_deposits: Cents::ZERO,
        blocked_from: None,
        recovered: Cents::ZERO,
        recovery_received: Cents::ZERO,
        audit_hash: String::new(),
        deposit_deadline: n.deposit_deadline,
        payment_deadline: n.payment_deadline,
        seq: 1,
    };
    let id = |tag| transfer_id(n.id, 1, tag);
    let mut transfers = Vec::with_capacity(4);
    if n.ceiling_granted < n.annual_ceiling {
        transfers.push(posted(
            id("ceiling_granted"),
            AccountKey::CeilingSource,
            AccountKey::CeilingAvailable {
                enterprise: n.enterprise,
                year,
            },
            sub(n.annual_ceiling, n.ceiling_granted),
            TransferCode::CeilingGranted,
            Some(n.id),
            n.submitted_on,
        ));
    }
    transfers.push(Transfer {
        id: app.reservation_id(),
        debit: AccountKey::AgencyBudget { year },
        credit: AccountKey::SubsidyWallet { application: n.id },
        amount: n.subsidy,
        code: TransferCode::SubsidyReserved,
        kind: TransferKind::Pending,
        application: Some(n.id),
        date: n.submitted_on,
    });
    transfers.push(posted(
        id("ceiling_reserved"),
        AccountKey::CeilingAvailable {
            enterprise: n.enterprise,
            year,
        },
        AccountKey::CeilingReserved {
            enterprise: n.enterprise,
            year,
        },
        n.subsidy,
        TransferCode::CeilingReserved,
        Some(n.id),
        n.submitted_on,
    ));
    transfers.push(posted(
        id("de_minimis_granted"),
        AccountKey::DeMinimisSource,
        AccountKey::DeMinimisGranted {
            enterprise: n.enterprise,
        },
        n.subsidy,
        TransferCode::DeMinimisGranted,
        Some(n.id),
        n.submitted_on,
    ));
    Change {
        application: app,
        transfers,
        event: EventKind::Submitted,
        date: n.submitted_on,
        actor: Actor::Enterprise,
    }
}

/// A deposit with this application's reference (T3; L3, L4). `Ok` funds it; `Err` carries the
/// code *and* the change that returns the money in full (the application records the return).
#[allow(
    clippy::result_large_err,
    reason = "the refusal carries the change that returns the money; it is used at once, never stored"
)]
pub fn deposit(
    app: &Application,
    amount: Cents,
    date: Date,
    bank_ref: &str,
) -> Result<Change, (TransitionError, Change)> {
    let refusal = match app.state {
        State::Lapsed => Some(TransitionError::DepositAfterDeadline),
        State::Funded | State::PartiallyPaid | State::Paid => {
            Some(TransitionError::DepositAlreadyFunded)
        }
        State::Blocked => Some(TransitionError::Blocked),
        State::Refused | State::Stopped | State::Expired | State::Recovered => {
            Some(TransitionError::IllegalTransition {
                from: app.state,
                command: "deposit",
            })
        }
        State::Submitted if date > app.deposit_deadline => {
            Some(TransitionError::DepositAfterDeadline)
        }
        State::Submitted if amount != app.own_share => Some(TransitionError::DepositWrongAmount {
            expected: app.own_share,
            got: amount,
        }),
        State::Submitted => None,
    };
    let mut next = app.clone();
    next.seq += 1;
    if let Some(error) = refusal {
        next.returned_deposits = add(next.returned_deposits, amount);
        let change = Change {
            transfers: returned_deposit_transfers(bank_ref, amount, Some(app.id), date),
            application: next,
            event: EventKind::DepositReturned { code: error.code() },
            date,
            actor: Actor::Bank,
        };
        return Err((error, change));
    }
    next.deposited = amount;
    next.state = State::Funded;
    let transfers = vec![
        posted(
            transfer_id(app.id, next.seq, "own_share_deposit"),
            AccountKey::Bank,
            AccountKey::OwnShareWallet {
                application: app.id,
            },
            amount,
            TransferCode::OwnShareDeposit,
            Some(app.id),
            date,
        ),
        Transfer {
            id: transfer_id(app.id, next.seq, "subsidy_funded"),
            debit: AccountKey::AgencyBudget {
                year: app.submitted_on.year(),
            },
            credit: AccountKey::SubsidyWallet {
                application: app.id,
            },
            amount: app.subsidy,
            code: TransferCode::SubsidyFunded,
            kind: TransferKind::PostPending {
                pending: app.reservation_id(),
            },
            application: Some(app.id),
            date,
        },
    ];
    Ok(Change {
        application: next,
        transfers,
        event: EventKind::Funded,
        date,
        actor: Actor::Bank,
    })
}

/// A payment order: `amount` of an invoice released to the provider (T6; L5, L6).
pub fn pay(app: &Application, amount: Cents, date: Date) -> Result<Change, TransitionError> {
    match app.state {
        State::Expired => return Err(TransitionError::PaymentAfterEnd),
        State::Submitted => return Err(TransitionError::NotFunded),
        State::Funded | State::PartiallyPaid if date > app.payment_deadline => {
            return Err(TransitionError::PaymentAfterEnd);
        }
        State::Funded | State::PartiallyPaid => {}
        State::Blocked => return Err(TransitionError::Blocked),
        State::Paid | State::Lapsed | State::Refused | State::Stopped | State::Recovered => {
            return Err(TransitionError::IllegalTransition {
                from: app.state,
                command: "pay",
            });
        }
    }
    let left = sub(app.eligible, app.paid());
    if amount > left || !amount.is_positive() {
        return Err(TransitionError::PaymentExceedsBalance {
            left,
            asked: amount,
        });
    }
    let paid_after = add(app.paid(), amount);
    let subsidy_after = paid_after
        .mul_div_half_up(app.subsidy, app.eligible)
        .unwrap_or(app.paid_subsidy);
    let subsidy_part = sub(subsidy_after, app.paid_subsidy);
    let own_part = sub(amount, subsidy_part);
    let mut next = app.clone();
    next.seq += 1;
    next.paid_subsidy = subsidy_after;
    next.paid_own = add(app.paid_own, own_part);
    if paid_after == app.eligible {
        next.state = State::Paid;
        next.closed_on = Some(date);
    } else {
        next.state = State::PartiallyPaid;
    }
    let payable = AccountKey::ProviderPayable {
        provider: app.provider,
    };
    let mut transfers = Vec::with_capacity(2);
    if own_part.is_positive() {
        transfers.push(posted(
            transfer_id(app.id, next.seq, "payment_own_share"),
            AccountKey::OwnShareWallet {
                application: app.id,
            },
            payable,
            own_part,
            TransferCode::PaymentOwnShare,
            Some(app.id),
            date,
        ));
    }
    if subsidy_part.is_positive() {
        transfers.push(posted(
            transfer_id(app.id, next.seq, "payment_subsidy"),
            AccountKey::SubsidyWallet {
                application: app.id,
            },
            payable,
            subsidy_part,
            TransferCode::PaymentSubsidy,
            Some(app.id),
            date,
        ));
    }
    Ok(Change {
        application: next,
        transfers,
        event: EventKind::Paid { amount },
        date,
        actor: Actor::Enterprise,
    })
}

/// How an application closes early (§6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// Own share not received by the deadline (event, T4).
    Lapse,
    /// The enterprise stops (T7).
    Stop,
    /// The provider refuses (T5; only before any payment, L7).
    Refuse,
    /// Not fully paid by the payment deadline (event, T8).
    Expire,
}

impl Closing {
    const fn command(self) -> &'static str {
        match self {
            Closing::Lapse => "lapse",
            Closing::Stop => "stop",
            Closing::Refuse => "refuse",
            Closing::Expire => "expire",
        }
    }
}

/// Closes an application on `date` (for lapse and expiry: the event date): refunds the own share
/// still in the wallet and returns the outstanding subsidy (D12, D13, L8).
pub fn close(app: &Application, closing: Closing, date: Date) -> Result<Change, TransitionError> {
    if app.state == State::Blocked {
        return Err(TransitionError::Blocked);
    }
    let allowed = match closing {
        Closing::Lapse => app.state == State::Submitted,
        Closing::Stop => matches!(
            app.state,
            State::Submitted | State::Funded | State::PartiallyPaid
        ),
        Closing::Refuse => matches!(app.state, State::Submitted | State::Funded),
        Closing::Expire => matches!(app.state, State::Funded | State::PartiallyPaid),
    };
    if !allowed {
        return Err(TransitionError::IllegalTransition {
            from: app.state,
            command: closing.command(),
        });
    }
    let mut next = app.clone();
    next.seq += 1;
    let seq = next.seq;
    let own_left = app.own_share_in_wallet();
    let subsidy_left = app.subsidy_outstanding();
    let year = app.submitted_on.year();
    let to_ceiling = closing != Closing::Expire && date.year() == year;
    let mut transfers = Vec::with_capacity(4);
    if own_left.is_positive() {
        transfers.push(own_share_refund(app, seq, own_left, date));
        next.refunded = add(next.refunded, own_left);
    }
    if subsidy_left.is_positive() {
        let budget = AccountKey::AgencyBudget { year };
        let wallet = AccountKey::SubsidyWallet {
            application: app.id,
        };
        if app.is_funded() {
            transfers.push(posted(
                transfer_id(app.id, seq, "subsidy_returned"),
                wallet,
                budget,
                subsidy_left,
                TransferCode::SubsidyReturned,
                Some(app.id),
                date,
            ));
        } else {
            transfers.push(Transfer {
                id: transfer_id(app.id, seq, "subsidy_released"),
                debit: budget,
                credit: wallet,
                amount: subsidy_left,
                code: TransferCode::SubsidyReleased,
                kind: TransferKind::VoidPending {
                    pending: app.reservation_id(),
                },
                application: Some(app.id),
                date,
            });
        }
        if to_ceiling {
            transfers.push(posted(
                transfer_id(app.id, seq, "ceiling_returned"),
                AccountKey::CeilingReserved {
                    enterprise: app.enterprise,
                    year,
                },
                AccountKey::CeilingAvailable {
                    enterprise: app.enterprise,
                    year,
                },
                subsidy_left,
                TransferCode::CeilingReturned,
                Some(app.id),
                date,
            ));
            next.returned_to_ceiling = add(next.returned_to_ceiling, subsidy_left);
        } else {
            next.returned_to_budget = add(next.returned_to_budget, subsidy_left);
        }
        // Aid not used after all is no de-minimis aid; dated, like the aid, at submission.
        transfers.push(posted(
            transfer_id(app.id, seq, "de_minimis_returned"),
            AccountKey::DeMinimisGranted {
                enterprise: app.enterprise,
            },
            AccountKey::DeMinimisSource,
            subsidy_left,
            TransferCode::DeMinimisReturned,
            Some(app.id),
            app.submitted_on,
        ));
    }
    let (state, event, actor) = match closing {
        Closing::Lapse => (State::Lapsed, EventKind::Lapsed, Actor::System),
        Closing::Stop => (State::Stopped, EventKind::Stopped, Actor::Enterprise),
        Closing::Refuse => (State::Refused, EventKind::Refused, Actor::Provider),
        Closing::Expire => (State::Expired, EventKind::Expired, Actor::System),
    };
    next.state = state;
    next.closed_on = Some(date);
    Ok(Change {
        application: next,
        transfers,
        event,
        date,
        actor,
    })
}

/// The agency blocks an application after an inspection (T9): from a funded, partially paid
/// or paid state; nothing moves while it is blocked (payments and stops are refused with
/// `APPLICATION_BLOCKED`, and the expiry deadline waits).
pub fn block(app: &Application, date: Date) -> Result<Change, TransitionError> {
    if !matches!(
        app.state,
        State::Funded | State::PartiallyPaid | State::Paid
    ) {
        return Err(TransitionError::IllegalTransition {
            from: app.state,
            command: "block",
        });
    }
    let mut next = app.clone();
    next.seq += 1;
    next.blocked_from = Some(app.state);
    next.state = State::Blocked;
    next.closed_on = None;
    Ok(Change {
        application: next,
        transfers: Vec::new(),
        event: EventKind::Blocked,
        date,
        actor: Actor::Agency,
    })
}

/// The inspection found nothing: the application returns to the state it was blocked in (a
/// payment deadline that passed meanwhile then expires it at the next tick).
pub fn unblock(app: &Application, date: Date) -> Result<Change, TransitionError> {
    let (State::Blocked, Some(from)) = (app.state, app.blocked_from) else {
        return Err(TransitionError::IllegalTransition {
            from: app.state,
            command: "unblock",
        });
    };
    let mut next = app.clone();
    next.seq += 1;
    next.state = from;
    next.blocked_from = None;
    if from == State::Paid {
        next.closed_on = Some(date);
    }
    Ok(Change {
        application: next,
        transfers: Vec::new(),
        event: EventKind::Unblocked,
        date,
        actor: Actor::Agency,
    })
}

/// The agency recovers the subsidy of a blocked application (T9): the own share still in the
/// wallet is refunded, the subsidy still in it goes back to the agency's budget (never to the
/// ceiling: the enterprise loses that right), and the subsidy already paid to the provider is
/// claimed back from the enterprise (a receivable until repaid). None of it counts as
/// de-minimis aid any more.
pub fn recover(app: &Application, date: Date) -> Result<Change, TransitionError> {
    if app.state != State::Blocked {
        return Err(TransitionError::IllegalTransition {
            from: app.state,
            command: "recover",
        });
    }
    let mut next = app.clone();
    next.seq += 1;
    let seq = next.seq;
    let year = app.submitted_on.year();
    let own_left = app.own_share_in_wallet();
    let subsidy_left = app.subsidy_outstanding();
    let mut transfers = Vec::with_capacity(4);
    if own_left.is_positive() {
        transfers.push(own_share_refund(app, seq, own_left, date));
        next.refunded = add(next.refunded, own_left);
    }
    if subsidy_left.is_positive() {
        transfers.push(posted(
            transfer_id(app.id, seq, "subsidy_returned"),
            AccountKey::SubsidyWallet {
                application: app.id,
            },
            AccountKey::AgencyBudget { year },
            subsidy_left,
            TransferCode::SubsidyReturned,
            Some(app.id),
            date,
        ));
        next.returned_to_budget = add(next.returned_to_budget, subsidy_left);
    }
    if app.paid_subsidy.is_positive() {
        transfers.push(posted(
            transfer_id(app.id, seq, "subsidy_recovered"),
            AccountKey::RecoveryReceivable {
                application: app.id,
            },
            AccountKey::AgencyBudget { year },
            app.paid_subsidy,
            TransferCode::SubsidyRecovered,
            Some(app.id),
            date,
        ));
        next.recovered = app.paid_subsidy;
    }
    let no_aid = add(subsidy_left, app.paid_subsidy);
    if no_aid.is_positive() {
        transfers.push(posted(
            transfer_id(app.id, seq, "de_minimis_returned"),
            AccountKey::DeMinimisGranted {
                enterprise: app.enterprise,
            },
            AccountKey::DeMinimisSource,
            no_aid,
            TransferCode::DeMinimisReturned,
            Some(app.id),
            app.submitted_on,
        ));
    }
    next.state = State::Recovered;
    next.blocked_from = None;
    next.closed_on = Some(date);
    Ok(Change {
        application: next,
        transfers,
        event: EventKind::Recovered {
            amount: app.paid_subsidy,
        },
        date,
        actor: Actor::Agency,
    })
}

/// The enterprise repays (part of) a recovered subsidy; the bank receives it.
pub fn receive_recovery(
    app: &Application,
    amount: Cents,
    date: Date,
) -> Result<Change, TransitionError> {
    if app.state != State::Recovered {
        return Err(TransitionError::IllegalTransition {
            from: app.state,
            command: "receive_recovery",
        });
    }
    let left = sub(app.recovered, app.recovery_received);
    if amount > left || !amount.is_positive() {
        return Err(TransitionError::RepaymentExceedsClaim {
            left,
            asked: amount,
        });
    }
    let mut next = app.clone();
    next.seq += 1;
    next.recovery_received = add(app.recovery_received, amount);
    let transfers = vec![posted(
        transfer_id(app.id, next.seq, "recovery_received"),
        AccountKey::Bank,
        AccountKey::RecoveryReceivable {
            application: app.id,
        },
        amount,
        TransferCode::RecoveryReceived,
        Some(app.id),
        date,
    )];
    Ok(Change {
        application: next,
        transfers,
        event: EventKind::RecoveryReceived { amount },
        date,
        actor: Actor::Bank,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmo_ledger::Book;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_next_step_is_the_deposit_then_the_release_then_nothing() {
        let (change, _) = tc55();
        let app = change.application;
        assert_eq!(
            app.next_step(),
            Some(NextStep::Deposit {
                amount: Cents::new(140_000),
                by: d("2024-03-15")
            })
        );
        let funded = Application {
            state: State::Funded,
            deposited: app.own_share,
            paid_own: Cents::new(50_000),
            ..app.clone()
        };
        assert_eq!(
            funded.next_step(),
            Some(NextStep::Release {
                left: Cents::new(150_000),
                by: d("2025-12-31")
            })
        );
        let paid = Application {
            state: State::Paid,
            ..funded.clone()
        };
        assert_eq!((paid.next_step(), paid.balance()), (None, Cents::ZERO));
        let recovered = Application {
            state: State::Recovered,
            recovered: Cents::new(100),
            recovery_received: Cents::new(40),
            ..paid.clone()
        };
        assert_eq!(
            recovered.next_step(),
            Some(NextStep::Repay {
                amount: Cents::new(60)
            })
        );
        let blocked = Application {
            state: State::Blocked,
            ..funded
        };
        assert_eq!(blocked.next_step(), Some(NextStep::AwaitAgency));
    }

    /// TC-55's application: small, €2,000 training, S 60000, O 140000, submitted 2024-03-01.
    fn tc55() -> (Change, Book) {
        let change = submit(&NewApplication {
            id: 1,
            key: "A-1".into(),
            enterprise: 1,
            provider: 1,
            submitted_on: d("2024-03-01"),
            size: EnterpriseSize::Small,
            rate_bp: 3000,
            rule_set: "R2024".into(),
            eligible: Cents::new(200_000),
            subsidy: Cents::new(60_000),
            deposit_deadline: d("2024-03-15"),
            payment_deadline: d("2025-12-31"),
            annual_ceiling: Cents::new(750_000),
            ceiling_granted: Cents::ZERO,
        });
        let mut book = Book::new();
        for t in &change.transfers {
            book.apply(t).unwrap();
        }
        (change, book)
    }

    fn apply(book: &mut Book, change: &Change) -> Application {
        for t in &change.transfers {
            book.apply(t).unwrap();
        }
        assert_eq!(change.application.broken_invariant(), None);
        change.application.clone()
    }

    #[test]
    fn tc57_stop_after_partial_payment_refunds_pro_rata() {
        let (c, mut book) = tc55();
        let app = apply(&mut book, &c);
        let app = apply(
            &mut book,
            &deposit(&app, Cents::new(140_000), d("2024-03-10"), "b1").unwrap(),
        );
        let app = apply(
            &mut book,
            &pay(&app, Cents::new(150_000), d("2024-06-01")).unwrap(),
        );
        assert_eq!(
            (app.paid_subsidy, app.paid_own),
            (Cents::new(45_000), Cents::new(105_000))
        );
        let app = apply(
            &mut book,
            &close(&app, Closing::Stop, d("2024-11-01")).unwrap(),
        );
        assert_eq!(
            (app.refunded, app.returned_to_ceiling),
            (Cents::new(35_000), Cents::new(15_000))
        );
        assert_eq!(
            book.posted(AccountKey::CeilingReserved {
                enterprise: 1,
                year: 2024
            }),
            Cents::new(45_000)
        );
        assert_eq!(
            book.posted(AccountKey::OwnShareWallet { application: 1 }),
            Cents::ZERO
        );
        assert_eq!(
            book.posted(AccountKey::SubsidyWallet { application: 1 }),
            Cents::ZERO
        );
        assert!(book.ledgers_balance());
    }

    #[test]
    fn a_wrong_deposit_is_returned_and_the_application_waits() {
        let (c, mut book) = tc55();
        let app = apply(&mut book, &c);
        let (error, change) =
            deposit(&app, Cents::new(139_999), d("2024-03-05"), "b1").unwrap_err();
        assert_eq!(error.code(), "DEPOSIT_WRONG_AMOUNT");
        let app = apply(&mut book, &change);
        assert_eq!(
            (app.state, app.returned_deposits),
            (State::Submitted, Cents::new(139_999))
        );
        assert_eq!(book.posted(AccountKey::Suspense), Cents::ZERO);
        assert_eq!(book.posted(AccountKey::RefundsPayable), Cents::new(139_999));
        assert!(deposit(&app, Cents::new(140_000), d("2024-03-15"), "b2").is_ok());
    }

    #[test]
    fn a_lapse_in_the_next_year_returns_the_subsidy_to_the_budget_and_voids_the_reservation() {
        let (c, mut book) = tc55();
        let mut app = apply(&mut book, &c);
        app.submitted_on = d("2024-12-20");
        let app = apply(
            &mut book,
            &close(&app, Closing::Lapse, d("2025-01-04")).unwrap(),
        );
        assert_eq!(
            (app.returned_to_budget, app.returned_to_ceiling),
            (Cents::new(60_000), Cents::ZERO)
        );
        assert_eq!(book.open_pending().count(), 0);
    }

    #[test]
    fn recovery_after_partial_payment_claims_the_paid_subsidy_back() {
        let (c, mut book) = tc55();
        let app = apply(&mut book, &c);
        let app = apply(
            &mut book,
            &deposit(&app, Cents::new(140_000), d("2024-03-10"), "b1").unwrap(),
        );
        let app = apply(
            &mut book,
            &pay(&app, Cents::new(150_000), d("2024-06-01")).unwrap(),
        );
        let blocked = apply(&mut book, &block(&app, d("2024-07-01")).unwrap());
        assert_eq!(blocked.state, State::Blocked);
        assert_eq!(
            pay(&blocked, Cents::new(1), d("2024-07-02"))
                .unwrap_err()
                .code(),
            "APPLICATION_BLOCKED"
        );
        assert_eq!(
            close(&blocked, Closing::Stop, d("2024-07-02"))
                .unwrap_err()
                .code(),
            "APPLICATION_BLOCKED"
        );
        // Unblocking restores the state; blocking again and recovering claims 45,000 back.
        let app = apply(&mut book, &unblock(&blocked, d("2024-07-03")).unwrap());
        assert_eq!(app.state, State::PartiallyPaid);
        let blocked = apply(&mut book, &block(&app, d("2024-07-04")).unwrap());
        let app = apply(&mut book, &recover(&blocked, d("2024-08-01")).unwrap());
        assert_eq!(app.state, State::Recovered);
        assert_eq!(
            (
                app.recovered,
                app.refunded,
                app.returned_to_budget,
                app.returned_to_ceiling
            ),
            (
                Cents::new(45_000),
                Cents::new(35_000),
                Cents::new(15_000),
                Cents::ZERO
            )
        );
        assert_eq!(
            book.posted(AccountKey::RecoveryReceivable { application: 1 }),
            Cents::new(45_000)
        );
        assert_eq!(
            book.posted(AccountKey::DeMinimisGranted { enterprise: 1 }),
            Cents::ZERO
        );
        assert_eq!(
            receive_recovery(&app, Cents::new(45_001), d("2024-09-01"))
                .unwrap_err()
                .code(),
            "REPAYMENT_EXCEEDS_CLAIM"
        );
        let app = apply(
            &mut book,
            &receive_recovery(&app, Cents::new(45_000), d("2024-09-01")).unwrap(),
        );
        assert_eq!(app.recovery_received, Cents::new(45_000));
        assert_eq!(
            book.posted(AccountKey::RecoveryReceivable { application: 1 }),
            Cents::ZERO
        );
        assert!(book.ledgers_balance());
    }

    #[test]
    fn only_funded_or_paid_applications_can_be_blocked() {
        let (c, mut book) = tc55();
        let app = apply(&mut book, &c);
        assert_eq!(
            block(&app, d("2024-03-02")).unwrap_err().code(),
            "ILLEGAL_TRANSITION"
        );
        assert_eq!(
            recover(&app, d("2024-03-02")).unwrap_err().code(),
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn illegal_moves_have_their_own_codes() {
        let (c, mut book) = tc55();
        let app = apply(&mut book, &c);
        assert_eq!(
            pay(&app, Cents::new(1), d("2024-03-05"))
                .unwrap_err()
                .code(),
            "NOT_FUNDED"
        );
        assert_eq!(
            close(&app, Closing::Expire, d("2024-03-05"))
                .unwrap_err()
                .code(),
            "ILLEGAL_TRANSITION"
        );
        let app = apply(
            &mut book,
            &deposit(&app, Cents::new(140_000), d("2024-03-10"), "b1").unwrap(),
        );
        assert_eq!(
            pay(&app, Cents::new(200_001), d("2024-04-01"))
                .unwrap_err()
                .code(),
            "PAYMENT_EXCEEDS_BALANCE"
        );
        let app = apply(
            &mut book,
            &pay(&app, Cents::new(1), d("2024-04-01")).unwrap(),
        );
        assert_eq!(
            close(&app, Closing::Refuse, d("2024-04-02"))
                .unwrap_err()
                .code(),
            "ILLEGAL_TRANSITION"
        );
        assert_eq!(
            deposit(&app, Cents::new(140_000), d("2024-04-02"), "b2")
                .unwrap_err()
                .0
                .code(),
            "DEPOSIT_ALREADY_FUNDED"
        );
    }
}
