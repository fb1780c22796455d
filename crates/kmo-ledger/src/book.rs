//! An in-memory book of accounts: applies transfers one by one and enforces every rule.

use std::collections::{BTreeMap, HashMap};

use kmo_domain::Cents;

use crate::account::{AccountKey, LedgerKind, NormalSide};
use crate::transfer::{Transfer, TransferId, TransferKind};

/// The running totals of one account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub debits_posted: i64,
    pub credits_posted: i64,
    pub debits_pending: i64,
    pub credits_pending: i64,
}

impl Balance {
    /// The posted balance on the account's normal side.
    #[must_use]
    pub fn posted(&self, side: NormalSide) -> i64 {
        match side {
            NormalSide::Debit => self.debits_posted - self.credits_posted,
            NormalSide::Credit => self.credits_posted - self.debits_posted,
        }
    }

    /// What is left after pending decreases too (the amount the floor protects).
    #[must_use]
    pub fn available(&self, side: NormalSide) -> i64 {
        match side {
            NormalSide::Debit => self.debits_posted - self.credits_posted - self.credits_pending,
            NormalSide::Credit => self.credits_posted - self.debits_posted - self.debits_pending,
        }
    }
}

/// Why a transfer is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("transfer {id}: the amount must be positive, got {amount}")]
    NonPositiveAmount { id: TransferId, amount: i64 },
    #[error("transfer {id}: debit and credit are the same account {account}")]
    SameAccount { id: TransferId, account: AccountKey },
    #[error(
        "transfer {id}: {debit} ({debit_ledger:?}) and {credit} ({credit_ledger:?}) are on different ledgers"
    )]
    LedgerMismatch {
        id: TransferId,
        debit: AccountKey,
        credit: AccountKey,
        debit_ledger: LedgerKind,
        credit_ledger: LedgerKind,
    },
    #[error("transfer {id}: the id was used before for a different transfer")]
    IdReused { id: TransferId },
    #[error(
        "transfer {id}: account {account} would go below zero ({available} available, {amount} asked)"
    )]
    BelowFloor {
        id: TransferId,
        account: AccountKey,
        available: i64,
        amount: i64,
    },
    #[error("transfer {id}: pending transfer {pending} does not exist")]
    UnknownPending { id: TransferId, pending: TransferId },
    #[error("transfer {id}: pending transfer {pending} was already posted")]
    PendingAlreadyPosted { id: TransferId, pending: TransferId },
    #[error("transfer {id}: pending transfer {pending} was already voided")]
    PendingAlreadyVoided { id: TransferId, pending: TransferId },
    #[error("transfer {id}: it must have the accounts and amount of pending transfer {pending}")]
    PendingMismatch { id: TransferId, pending: TransferId },
    #[error("transfer {id}: the amount overflows")]
    Overflow { id: TransferId },
}

/// The state of a pending transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PendingState {
    Open,
    Posted,
    Voided,
}

/// Accounts and their balances, built by applying transfers in order.
#[derive(Clone, Debug, Default)]
pub struct Book {
    balances: BTreeMap<AccountKey, Balance>,
    transfers: HashMap<TransferId, Transfer>,
    pending: HashMap<TransferId, PendingState>,
    count: u64,
}

/// What [`Book::apply`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The transfer was new and is now recorded.
    Recorded,
    /// The same transfer was recorded before (an idempotent retry); nothing changed.
    AlreadyRecorded,
}

impl Book {
    #[must_use]
    pub fn new() -> Self {
        Book::default()
    }

    /// Number of transfers recorded.
    #[must_use]
    pub fn transfer_count(&self) -> u64 {
        self.count
    }

    /// The balance of an account (zero when it never moved).
    #[must_use]
    pub fn balance(&self, account: AccountKey) -> Balance {
        self.balances.get(&account).copied().unwrap_or_default()
    }

    /// Every account that ever moved, with its balance, in key order.
    pub fn accounts(&self) -> impl Iterator<Item = (&AccountKey, &Balance)> {
        self.balances.iter()
    }

    /// Pending transfers neither posted nor voided yet.
    pub fn open_pending(&self) -> impl Iterator<Item = &Transfer> {
        self.pending
            .iter()
            .filter(|(_, s)| **s == PendingState::Open)
            .filter_map(|(id, _)| self.transfers.get(id))
    }

    /// Applies one transfer, or refuses it with the rule it breaks; a refused transfer changes
    /// nothing. Applying the identical transfer twice is accepted once ([`Applied`]).
    pub fn apply(&mut self, t: &Transfer) -> Result<Applied, LedgerError> {
        let id = t.id.clone();
        if let Some(previous) = self.transfers.get(&t.id) {
            return if previous == t {
                Ok(Applied::AlreadyRecorded)
            } else {
                Err(LedgerError::IdReused { id })
            };
        }
        if !t.amount.is_positive() {
            return Err(LedgerError::NonPositiveAmount {
                id,
                amount: t.amount.get(),
            });
        }
        if t.debit == t.credit {
            return Err(LedgerError::SameAccount {
                id,
                account: t.debit,
            });
        }
        if t.debit.ledger() != t.credit.ledger() {
            return Err(LedgerError::LedgerMismatch {
                id,
                debit: t.debit,
                credit: t.credit,
                debit_ledger: t.debit.ledger(),
                credit_ledger: t.credit.ledger(),
            });
        }
        let amount = t.amount.get();
        if let Some(pending_id) = t.kind.pending() {
            let Some(state) = self.pending.get(pending_id).copied() else {
                return Err(LedgerError::UnknownPending {
                    id,
                    pending: pending_id.clone(),
                });
            };
            match state {
                PendingState::Posted => {
                    return Err(LedgerError::PendingAlreadyPosted {
                        id,
                        pending: pending_id.clone(),
                    });
                }
                PendingState::Voided => {
                    return Err(LedgerError::PendingAlreadyVoided {
                        id,
                        pending: pending_id.clone(),
                    });
                }
                PendingState::Open => {}
            }
            let matches = self.transfers.get(pending_id).is_some_and(|p| {
                p.debit == t.debit && p.credit == t.credit && p.amount == t.amount
            });
            if !matches {
                return Err(LedgerError::PendingMismatch {
                    id,
                    pending: pending_id.clone(),
                });
            }
        }
        let mut debit = self.balance(t.debit);
        let mut credit = self.balance(t.credit);
        let overflow = || LedgerError::Overflow { id: t.id.clone() };
        let add = |a: i64, b: i64| a.checked_add(b).ok_or_else(overflow);
        match &t.kind {
            TransferKind::Posted => {
                debit.debits_posted = add(debit.debits_posted, amount)?;
                credit.credits_posted = add(credit.credits_posted, amount)?;
            }
            TransferKind::Pending => {
                debit.debits_pending = add(debit.debits_pending, amount)?;
                credit.credits_pending = add(credit.credits_pending, amount)?;
            }
            TransferKind::PostPending { .. } => {
                debit.debits_pending -= amount;
                credit.credits_pending -= amount;
                debit.debits_posted = add(debit.debits_posted, amount)?;
                credit.credits_posted = add(credit.credits_posted, amount)?;
            }
            TransferKind::VoidPending { .. } => {
                debit.debits_pending -= amount;
                credit.credits_pending -= amount;
            }
        }
        // Floors: the debit side of a credit-normal account, the credit side of a debit-normal one.
        for (account, balance) in [(t.debit, &debit), (t.credit, &credit)] {
            if account.has_floor() && balance.available(account.normal_side()) < 0 {
                let before = self.balance(account).available(account.normal_side());
                return Err(LedgerError::BelowFloor {
                    id,
                    account,
                    available: before,
                    amount,
                });
            }
        }
        self.balances.insert(t.debit, debit);
        self.balances.insert(t.credit, credit);
        match &t.kind {
            TransferKind::Pending => {
                self.pending.insert(t.id.clone(), PendingState::Open);
            }
            TransferKind::PostPending { pending } => {
                self.pending.insert(pending.clone(), PendingState::Posted);
            }
            TransferKind::VoidPending { pending } => {
                self.pending.insert(pending.clone(), PendingState::Voided);
            }
            TransferKind::Posted => {}
        }
        self.transfers.insert(t.id.clone(), t.clone());
        self.count += 1;
        Ok(Applied::Recorded)
    }

    /// Σ debits = Σ credits on every ledger (posted and pending): true by construction, checked
    /// anyway as a pair assertion.
    #[must_use]
    pub fn ledgers_balance(&self) -> bool {
        let mut sums: BTreeMap<LedgerKind, (i128, i128, i128, i128)> = BTreeMap::new();
        for (key, b) in &self.balances {
            let s = sums.entry(key.ledger()).or_default();
            s.0 += i128::from(b.debits_posted);
            s.1 += i128::from(b.credits_posted);
            s.2 += i128::from(b.debits_pending);
            s.3 += i128::from(b.credits_pending);
        }
        sums.values().all(|(dp, cp, dn, cn)| dp == cp && dn == cn)
    }

    /// The posted balance of an account as cents, on its normal side.
    #[must_use]
    pub fn posted(&self, account: AccountKey) -> Cents {
        Cents::new(self.balance(account).posted(account.normal_side()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::TransferCode;
    use kmo_domain::Date;

    fn t(
        id: &str,
        debit: AccountKey,
        credit: AccountKey,
        amount: i64,
        kind: TransferKind,
    ) -> Transfer {
        Transfer {
            id: TransferId::new(id).unwrap(),
            debit,
            credit,
            amount: Cents::new(amount),
            code: TransferCode::OwnShareDeposit,
            kind,
            application: None,
            date: Date::parse("2024-01-01").unwrap(),
        }
    }

    const AVAILABLE: AccountKey = AccountKey::CeilingAvailable {
        enterprise: 1,
        year: 2024,
    };
    const RESERVED: AccountKey = AccountKey::CeilingReserved {
        enterprise: 1,
        year: 2024,
    };

    #[test]
    fn a_ceiling_can_never_be_reserved_beyond_what_was_granted() {
        let mut b = Book::new();
        b.apply(&t(
            "grant",
            AccountKey::CeilingSource,
            AVAILABLE,
            750_000,
            TransferKind::Posted,
        ))
        .unwrap();
        b.apply(&t("r1", AVAILABLE, RESERVED, 700_000, TransferKind::Posted))
            .unwrap();
        let e = b
            .apply(&t("r2", AVAILABLE, RESERVED, 50_001, TransferKind::Posted))
            .unwrap_err();
        assert!(
            matches!(
                e,
                LedgerError::BelowFloor {
                    available: 50_000,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(b.posted(AVAILABLE), Cents::new(50_000));
        assert!(b.ledgers_balance());
    }

    #[test]
    fn a_pending_transfer_is_posted_or_voided_exactly_once() {
        let mut b = Book::new();
        let budget = AccountKey::AgencyBudget { year: 2024 };
        let wallet = AccountKey::SubsidyWallet { application: 1 };
        b.apply(&t("p", budget, wallet, 100, TransferKind::Pending))
            .unwrap();
        let pending = TransferId::new("p").unwrap();
        b.apply(&t(
            "post",
            budget,
            wallet,
            100,
            TransferKind::PostPending {
                pending: pending.clone(),
            },
        ))
        .unwrap();
        assert!(matches!(
            b.apply(&t(
                "void",
                budget,
                wallet,
                100,
                TransferKind::VoidPending {
                    pending: pending.clone()
                }
            )),
            Err(LedgerError::PendingAlreadyPosted { .. })
        ));
        assert!(matches!(
            b.apply(&t(
                "x",
                budget,
                wallet,
                100,
                TransferKind::PostPending {
                    pending: TransferId::new("nope").unwrap()
                }
            )),
            Err(LedgerError::UnknownPending { .. })
        ));
        assert_eq!(b.posted(wallet), Cents::new(100));
        assert_eq!(b.open_pending().count(), 0);
    }

    #[test]
    fn a_retried_transfer_is_recorded_once_and_a_reused_id_is_refused() {
        let mut b = Book::new();
        let deposit = t(
            "d",
            AccountKey::Bank,
            AccountKey::OwnShareWallet { application: 1 },
            500,
            TransferKind::Posted,
        );
        assert_eq!(b.apply(&deposit), Ok(Applied::Recorded));
        assert_eq!(b.apply(&deposit), Ok(Applied::AlreadyRecorded));
        let other = Transfer {
            amount: Cents::new(501),
            ..deposit
        };
        assert!(matches!(b.apply(&other), Err(LedgerError::IdReused { .. })));
        assert_eq!(b.transfer_count(), 1);
    }

    #[test]
    fn malformed_transfers_are_refused() {
        let mut b = Book::new();
        assert!(matches!(
            b.apply(&t(
                "a",
                AccountKey::Bank,
                AccountKey::Bank,
                1,
                TransferKind::Posted
            )),
            Err(LedgerError::SameAccount { .. })
        ));
        assert!(matches!(
            b.apply(&t(
                "b",
                AccountKey::Bank,
                AVAILABLE,
                1,
                TransferKind::Posted
            )),
            Err(LedgerError::LedgerMismatch { .. })
        ));
        assert!(matches!(
            b.apply(&t(
                "c",
                AccountKey::Bank,
                AccountKey::Suspense,
                0,
                TransferKind::Posted
            )),
            Err(LedgerError::NonPositiveAmount { .. })
        ));
        // A wallet cannot pay more than it holds.
        assert!(matches!(
            b.apply(&t(
                "d",
                AccountKey::OwnShareWallet { application: 1 },
                AccountKey::ProviderPayable { provider: 1 },
                1,
                TransferKind::Posted
            )),
            Err(LedgerError::BelowFloor { .. })
        ));
        assert_eq!(b.transfer_count(), 0);
    }
}
