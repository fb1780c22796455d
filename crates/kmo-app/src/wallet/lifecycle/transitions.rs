//! The transitions: each takes the record and a command's facts and returns the change.

use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferKind};

use super::*;

/// Facts of a new application decided `eligible` by the rules engine (lifecycle.md §6.1).
#[derive(Clone, Debug)]
pub struct NewApplication {
    pub id: kmo_domain::ApplicationId,
    pub key: String,
    pub enterprise: kmo_domain::EnterpriseId,
    pub provider: kmo_domain::ProviderId,
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
    let id = |tag| transfer_id(n.id.get(), 1, tag);
    let mut transfers = Vec::with_capacity(4);
    if n.ceiling_granted < n.annual_ceiling {
        transfers.push(posted(
            id("ceiling_granted"),
            AccountKey::CeilingSource,
            AccountKey::CeilingAvailable {
                enterprise: n.enterprise.get(),
                year,
            },
            sub(n.annual_ceiling, n.ceiling_granted),
            TransferCode::CeilingGranted,
            Some(n.id.get()),
            n.submitted_on,
        ));
    }
    transfers.push(Transfer {
        id: app.reservation_id(),
        debit: AccountKey::AgencyBudget { year },
        credit: AccountKey::SubsidyWallet {
            application: n.id.get(),
        },
        amount: n.subsidy,
        code: TransferCode::SubsidyReserved,
        kind: TransferKind::Pending,
        application: Some(n.id.get()),
        date: n.submitted_on,
    });
    transfers.push(posted(
        id("ceiling_reserved"),
        AccountKey::CeilingAvailable {
            enterprise: n.enterprise.get(),
            year,
        },
        AccountKey::CeilingReserved {
            enterprise: n.enterprise.get(),
            year,
        },
        n.subsidy,
        TransferCode::CeilingReserved,
        Some(n.id.get()),
        n.submitted_on,
    ));
    transfers.push(posted(
        id("de_minimis_granted"),
        AccountKey::DeMinimisSource,
        AccountKey::DeMinimisGranted {
            enterprise: n.enterprise.get(),
        },
        n.subsidy,
        TransferCode::DeMinimisGranted,
        Some(n.id.get()),
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
            transfers: returned_deposit_transfers(bank_ref, amount, Some(app.id.get()), date),
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
            transfer_id(app.id.get(), next.seq, "own_share_deposit"),
            AccountKey::Bank,
            AccountKey::OwnShareWallet {
                application: app.id.get(),
            },
            amount,
            TransferCode::OwnShareDeposit,
            Some(app.id.get()),
            date,
        ),
        Transfer {
            id: transfer_id(app.id.get(), next.seq, "subsidy_funded"),
            debit: AccountKey::AgencyBudget {
                year: app.submitted_on.year(),
            },
            credit: AccountKey::SubsidyWallet {
                application: app.id.get(),
            },
            amount: app.subsidy,
            code: TransferCode::SubsidyFunded,
            kind: TransferKind::PostPending {
                pending: app.reservation_id(),
            },
            application: Some(app.id.get()),
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
        provider: app.provider.get(),
    };
    let mut transfers = Vec::with_capacity(2);
    if own_part.is_positive() {
        transfers.push(posted(
            transfer_id(app.id.get(), next.seq, "payment_own_share"),
            AccountKey::OwnShareWallet {
                application: app.id.get(),
            },
            payable,
            own_part,
            TransferCode::PaymentOwnShare,
            Some(app.id.get()),
            date,
        ));
    }
    if subsidy_part.is_positive() {
        transfers.push(posted(
            transfer_id(app.id.get(), next.seq, "payment_subsidy"),
            AccountKey::SubsidyWallet {
                application: app.id.get(),
            },
            payable,
            subsidy_part,
            TransferCode::PaymentSubsidy,
            Some(app.id.get()),
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
            application: app.id.get(),
        };
        if app.is_funded() {
            transfers.push(posted(
                transfer_id(app.id.get(), seq, "subsidy_returned"),
                wallet,
                budget,
                subsidy_left,
                TransferCode::SubsidyReturned,
                Some(app.id.get()),
                date,
            ));
        } else {
            transfers.push(Transfer {
                id: transfer_id(app.id.get(), seq, "subsidy_released"),
                debit: budget,
                credit: wallet,
                amount: subsidy_left,
                code: TransferCode::SubsidyReleased,
                kind: TransferKind::VoidPending {
                    pending: app.reservation_id(),
                },
                application: Some(app.id.get()),
                date,
            });
        }
        if to_ceiling {
            transfers.push(posted(
                transfer_id(app.id.get(), seq, "ceiling_returned"),
                AccountKey::CeilingReserved {
                    enterprise: app.enterprise.get(),
                    year,
                },
                AccountKey::CeilingAvailable {
                    enterprise: app.enterprise.get(),
                    year,
                },
                subsidy_left,
                TransferCode::CeilingReturned,
                Some(app.id.get()),
                date,
            ));
            next.returned_to_ceiling = add(next.returned_to_ceiling, subsidy_left);
        } else {
            next.returned_to_budget = add(next.returned_to_budget, subsidy_left);
        }
        // Aid not used after all is no de-minimis aid; dated, like the aid, at submission.
        transfers.push(posted(
            transfer_id(app.id.get(), seq, "de_minimis_returned"),
            AccountKey::DeMinimisGranted {
                enterprise: app.enterprise.get(),
            },
            AccountKey::DeMinimisSource,
            subsidy_left,
            TransferCode::DeMinimisReturned,
            Some(app.id.get()),
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
            transfer_id(app.id.get(), seq, "subsidy_returned"),
            AccountKey::SubsidyWallet {
                application: app.id.get(),
            },
            AccountKey::AgencyBudget { year },
            subsidy_left,
            TransferCode::SubsidyReturned,
            Some(app.id.get()),
            date,
        ));
        next.returned_to_budget = add(next.returned_to_budget, subsidy_left);
    }
    if app.paid_subsidy.is_positive() {
        transfers.push(posted(
            transfer_id(app.id.get(), seq, "subsidy_recovered"),
            AccountKey::RecoveryReceivable {
                application: app.id.get(),
            },
            AccountKey::AgencyBudget { year },
            app.paid_subsidy,
            TransferCode::SubsidyRecovered,
            Some(app.id.get()),
            date,
        ));
        next.recovered = app.paid_subsidy;
    }
    let no_aid = add(subsidy_left, app.paid_subsidy);
    if no_aid.is_positive() {
        transfers.push(posted(
            transfer_id(app.id.get(), seq, "de_minimis_returned"),
            AccountKey::DeMinimisGranted {
                enterprise: app.enterprise.get(),
            },
            AccountKey::DeMinimisSource,
            no_aid,
            TransferCode::DeMinimisReturned,
            Some(app.id.get()),
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
        transfer_id(app.id.get(), next.seq, "recovery_received"),
        AccountKey::Bank,
        AccountKey::RecoveryReceivable {
            application: app.id.get(),
        },
        amount,
        TransferCode::RecoveryReceived,
        Some(app.id.get()),
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
