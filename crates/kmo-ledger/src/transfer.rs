//! Transfers: immutable, positive, one debit and one credit account of the same ledger.

use std::fmt;

use kmo_domain::{Cents, Date};

use crate::account::AccountKey;

/// A caller-chosen transfer id: deterministic from the command that caused it, so that a retried
/// command produces the same ids and is recognised. At most [`TransferId::MAX_BYTES`] bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferId(String);

impl TransferId {
    /// Longest id accepted.
    pub const MAX_BYTES: usize = 120;

    /// The id, if it is 1–120 bytes of printable ASCII.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Option<TransferId> {
        let id = id.into();
        let ok = !id.is_empty()
            && id.len() <= Self::MAX_BYTES
            && id.bytes().all(|b| b.is_ascii_graphic());
        ok.then_some(TransferId(id))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TransferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Single-phase, or one of the two phases of a reservation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferKind {
    /// Moves the amount now.
    Posted,
    /// Reserves the amount: counted against the debit account's floor, not yet moved.
    Pending,
    /// Moves the whole amount of an earlier pending transfer (same accounts and amount).
    PostPending { pending: TransferId },
    /// Releases an earlier pending transfer (same accounts and amount); nothing moves.
    VoidPending { pending: TransferId },
}

impl TransferKind {
    /// The stable text code stored in the database.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            TransferKind::Posted => "posted",
            TransferKind::Pending => "pending",
            TransferKind::PostPending { .. } => "post_pending",
            TransferKind::VoidPending { .. } => "void_pending",
        }
    }

    /// The pending transfer this one resolves, if any.
    #[must_use]
    pub fn pending(&self) -> Option<&TransferId> {
        match self {
            TransferKind::PostPending { pending } | TransferKind::VoidPending { pending } => {
                Some(pending)
            }
            TransferKind::Posted | TransferKind::Pending => None,
        }
    }
}

macro_rules! transfer_codes {
    ($( $variant:ident = $code:literal, $doc:literal; )+) => {
        /// Why money or quota moved. Stable text codes (ARCHITECTURE.md lists them).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum TransferCode {
            $( #[doc = $doc] $variant, )+
        }

        impl TransferCode {
            pub const ALL: &'static [TransferCode] = &[$(TransferCode::$variant),+];

            #[must_use]
            pub const fn code(self) -> &'static str {
                match self { $(TransferCode::$variant => $code,)+ }
            }

            #[must_use]
            pub fn parse(code: &str) -> Option<TransferCode> {
                match code { $($code => Some(TransferCode::$variant),)+ _ => None }
            }

            #[must_use]
            pub const fn description(self) -> &'static str {
                match self { $(TransferCode::$variant => $doc,)+ }
            }
        }
    };
}

transfer_codes! {
    OwnShareDeposit = "own_share_deposit", "bank → own-share wallet: the exact own share, with the application's reference";
    DepositUnmatched = "deposit_unmatched", "bank → suspense: a deposit that cannot be accepted (wrong amount, reference or state)";
    DepositReturned = "deposit_returned", "suspense → refunds payable: that deposit, returned in full";
    SubsidyReserved = "subsidy_reserved", "agency budget → subsidy wallet, pending: the subsidy reserved at submission";
    SubsidyFunded = "subsidy_funded", "posts the reservation when the own share arrives";
    SubsidyReleased = "subsidy_released", "voids the reservation of an application closed before funding";
    PaymentOwnShare = "payment_own_share", "own-share wallet → provider payable: the own part of a released invoice";
    PaymentSubsidy = "payment_subsidy", "subsidy wallet → provider payable: the subsidy part of a released invoice";
    OwnShareRefund = "own_share_refund", "own-share wallet → refunds payable: unused own share at closing";
    SubsidyReturned = "subsidy_returned", "subsidy wallet → agency budget: unused subsidy at closing";
    CeilingGranted = "ceiling_granted", "ceiling source → available: an enterprise's annual ceiling";
    CeilingReserved = "ceiling_reserved", "available → reserved: the subsidy of a submission";
    CeilingReturned = "ceiling_returned", "reserved → available: subsidy returned in the submission year";
    DeMinimisGranted = "de_minimis_granted", "source → granted: the aid of a submission, dated at submission";
    DeMinimisReturned = "de_minimis_returned", "granted → source: aid not used after all, dated at submission";
    DeMinimisExternal = "de_minimis_external", "source → granted: other de-minimis aid declared for the enterprise";
    RefundPaid = "refund_paid", "refunds payable → bank: a refund sent to the enterprise";
    ProviderPaid = "provider_paid", "provider payable → bank: a payout sent to the provider";
    SubsidySettled = "subsidy_settled", "bank → agency budget: the agency transfers the subsidy part of the invoices a payout run pays";
    SubsidyRecovered = "subsidy_recovered", "recovery receivable → agency budget: subsidy paid out and claimed back after an inspection";
    RecoveryReceived = "recovery_received", "bank → recovery receivable: the enterprise repays a recovered subsidy";
}

/// One immutable transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub id: TransferId,
    pub debit: AccountKey,
    pub credit: AccountKey,
    /// Always > 0.
    pub amount: Cents,
    pub code: TransferCode,
    pub kind: TransferKind,
    /// The application it concerns, if any.
    pub application: Option<i64>,
    /// The date it takes effect; for de-minimis transfers, the aid date (the submission date).
    pub date: Date,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back() {
        for c in TransferCode::ALL {
            assert_eq!(TransferCode::parse(c.code()), Some(*c));
        }
    }

    #[test]
    fn ids_are_bounded_printable_ascii() {
        assert!(TransferId::new("a:1:submit").is_some());
        assert!(TransferId::new("").is_none());
        assert!(TransferId::new("with space").is_none());
        assert!(TransferId::new("x".repeat(121)).is_none());
    }
}
