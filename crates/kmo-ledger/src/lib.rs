//! The kmo-portefeuille ledger: double entry, integer cents, immutable transfers.
//!
//! Modelled on TigerBeetle's data model:
//! - every [`Transfer`] moves a positive amount from one debit account to one credit account of
//!   the same [`LedgerKind`], so every ledger balances by construction;
//! - transfers are never updated or deleted; a correction is a new transfer;
//! - transfer ids are chosen by the caller, so a retried command is recognised (same id, same
//!   content: accepted once; same id, other content: [`LedgerError::IdReused`]);
//! - a reservation is two-phase: a [`TransferKind::Pending`] transfer is later posted or voided,
//!   exactly once;
//! - accounts with a limit may never go below zero, pending debits included.
//!
//! The ledger of the platform has three unit kinds ([`LedgerKind`]): real money, the annual
//! ceiling quota of each enterprise, and de-minimis aid granted. [`Book`] replays transfers in
//! memory and checks every rule at every step; the store keeps the same transfers in SQL and
//! `kmo ledger check` replays them through a `Book`.
//!
//! **Architecture Invariant:** this crate does no I/O and reads no clock.

mod account;
mod book;
mod transfer;

pub use account::{AccountKey, AccountKeyError, LedgerKind, NormalSide};
pub use book::{Applied, Balance, Book, LedgerError};
pub use transfer::{Transfer, TransferCode, TransferId, TransferKind};
