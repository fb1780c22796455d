//! The storage the services need, as traits; `kmo-store` implements them for SQLite and
//! PostgreSQL. One [`StoreTx`] is one database transaction: a service reads what it needs,
//! decides with the pure lifecycle, writes the change and commits — or drops the transaction and
//! nothing happened.
//!
//! Each context states what it keeps, with the records only it uses, in its own `store.rs`:
//! [`KernelTx`] (commit, clock, idempotent answers, audit log), [`WalletTx`] (applications,
//! transfers, a command's reads and writes, drafts, payouts), [`AccountsTx`] (users, tokens,
//! sessions, mandates, letters), [`RegistryTx`] (enterprises, providers, catalogue, the
//! occupation list) and [`InsightTx`] (pages and figures; [`StoreRead`] for checks). A
//! [`StoreTx`] is all of them; the records are re-exported here, so `kmo_app::store::X` names
//! every one. Calling a method on a transaction whose type is not a type parameter (a
//! `S::Tx`, `kmo_store::Tx`) needs the trait that declares it in scope.

use std::future::Future;

pub use crate::accounts::store::{
    AccountsTx, LetterRecord, MandateRecord, TokenRecord, UserRecord,
};
pub use crate::insight::store::{AppOwner, InsightTx, MoneyOut, StatisticsCell, StoreRead};
pub use crate::kernel::store::{AuditRecord, IdempotentAnswer, KernelTx, Keyed};
pub use crate::registry::store::{
    EnterpriseRecord, EnterpriseYear, ListRequestRecord, ListedService, ProviderProfile,
    ProviderRecord, RegistryTx,
};
pub use crate::wallet::store::{
    AppLookup, CommandContext, CommandResultWrite, DraftRecord, NewApplicationWrite, PayableCredit,
    SubmissionContext, SubmissionQuery, WalletTx, Writes,
};

/// A storage failure. `Conflict` means the transaction lost a race (serialization failure,
/// busy database) and may be retried as a whole.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the transaction conflicted with another one; retry it")]
    Conflict,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
}

/// Starts transactions.
pub trait Store: Send + Sync {
    type Tx: StoreTx;

    /// Begins a read-write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers never deadlock on an upgrade.
    fn begin(&self) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send;

    /// Begins a read-only transaction: a consistent snapshot that never waits for a writer (on
    /// SQLite a reader connection in WAL mode, on PostgreSQL `READ ONLY`). Any write in it
    /// fails. Queries use it; commands use [`Store::begin`].
    fn read(&self) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send;

    /// The user of an unrevoked API token with this hash and the user's mandates, read in one
    /// go outside any transaction (every authenticated request starts with it).
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<(UserRecord, Vec<MandateRecord>)>, StoreError>> + Send;
}

/// One database transaction: every context's part of it.
pub trait StoreTx: KernelTx + WalletTx + AccountsTx + RegistryTx + InsightTx {}

impl<T: KernelTx + WalletTx + AccountsTx + RegistryTx + InsightTx> StoreTx for T {}
