//! What the wallet keeps in the store: applications, the transfers of the ledger, what a
//! submission or a command reads first and everything it writes, drafts, the providers'
//! confirmations, and the payout watermark.

use kmo_domain::{EnterpriseId, ProviderId};
use std::future::Future;

use kmo_domain::{Cents, Date};
use kmo_ledger::Transfer;

use crate::kernel::store::AuditRecord;
use crate::lifecycle::Application;
use crate::registry::store::{EnterpriseRecord, EnterpriseYear};
use crate::store::StoreError;

/// A transfer that made something payable: to a provider (a released invoice) or to refunds
/// (an own share refunded, a deposit returned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayableCredit {
    pub seq: i64,
    pub transfer: Transfer,
}

/// A saved draft of an application (T1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftRecord {
    pub key: String,
    pub enterprise: EnterpriseId,
    /// The draft's content as JSON (see `platform::Draft`).
    pub body: String,
    pub saved_on: Date,
}

/// What a submission reads first, in one call (one statement on PostgreSQL).
#[derive(Clone, Copy, Debug)]
pub struct SubmissionQuery<'a> {
    pub enterprise_key: &'a str,
    pub application_key: &'a str,
    /// The submission's calendar year: its enterprise-year row is created if needed and locked.
    pub year: i32,
    /// The de-minimis window: aid dated after `de_minimis_after` and on or before
    /// `de_minimis_until`.
    pub de_minimis_after: Date,
    pub de_minimis_until: Date,
    /// The provider's registration for this kind is read when both are known.
    pub provider: Option<ProviderId>,
    pub kind: Option<kmo_domain::ServiceKind>,
}

/// What [`WalletTx::submission_context`] found.
#[derive(Clone, Debug)]
pub struct SubmissionContext {
    /// None: no enterprise with that key (and nothing else was read).
    pub enterprise: Option<EnterpriseRecord>,
    /// An application with that key exists already.
    pub key_taken: bool,
    pub year: Option<EnterpriseYear>,
    pub de_minimis: Cents,
    pub registration: Option<crate::registry::Registration>,
    /// A fresh application id (unused ids are gaps, never reused).
    pub next_id: i64,
}

/// A command's stored answer (request hash, answer), if any, and the application it names.
pub type CommandContext = (Option<(String, String)>, Option<Application>);

/// Which application a command names.
#[derive(Clone, Copy, Debug)]
pub enum AppLookup<'a> {
    Key(&'a str),
    /// The structured reference's 12 digits.
    Reference(&'a str),
    /// None (a reference that does not parse).
    Nothing,
}

/// A new application as [`Writes`] inserts it.
#[derive(Clone, Copy, Debug)]
pub struct NewApplicationWrite<'a> {
    pub application: &'a Application,
    pub key: &'a str,
    /// The service as submitted (the rules-eval.md `service` object), stored with it.
    pub service: &'a serde_json::Value,
    /// The structured reference's 12 digits.
    pub reference: &'a str,
    /// The case as submitted (JSON).
    pub case: &'a str,
    pub participants: &'a [(String, crate::registry::WorkerStatus)],
}

/// The answer of a command sent with an idempotency key, as [`Writes`] stores it.
#[derive(Clone, Copy, Debug)]
pub struct CommandResultWrite<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
    pub answer: &'a str,
}

/// Everything one command writes, in one call: on PostgreSQL one statement (a round trip
/// instead of five), on SQLite the same statements one after the other.
#[derive(Clone, Copy, Debug, Default)]
pub struct Writes<'a> {
    pub new_application: Option<NewApplicationWrite<'a>>,
    /// A changed application, written only if the stored one is still at `seq - 1`
    /// (otherwise `StoreError::Conflict`).
    pub application: Option<&'a Application>,
    pub enterprise_year: Option<&'a EnterpriseYear>,
    pub transfers: &'a [Transfer],
    pub audit: Option<&'a AuditRecord>,
    pub command_result: Option<CommandResultWrite<'a>>,
}

/// The wallet's part of one database transaction.
pub trait WalletTx: Send {
    // --- applications ---
    /// A fresh application id (also the base of its structured reference).
    fn next_application_id(&mut self) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The application with this caller key, locked for update.
    fn application_by_key(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;
    /// The application with this structured reference (12 digits), locked for update.
    fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;
    fn application_by_id(
        &mut self,
        id: i64,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;
    /// Ids of applications with a deadline event dated on or before `date` (lapse of a submitted
    /// one, expiry of a funded or partially paid one), oldest first.
    fn due_applications(
        &mut self,
        date: Date,
    ) -> impl Future<Output = Result<Vec<i64>, StoreError>> + Send;

    /// The stored answer of an idempotent command, and the application it names (locked), in one
    /// call (one statement on PostgreSQL when the application exists).
    fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> impl Future<Output = Result<CommandContext, StoreError>> + Send;

    /// Everything a submission reads before it decides (see [`SubmissionQuery`]).
    fn submission_context(
        &mut self,
        query: &SubmissionQuery<'_>,
    ) -> impl Future<Output = Result<SubmissionContext, StoreError>> + Send;

    /// Writes everything a command changed (see [`Writes`]).
    fn write(&mut self, writes: &Writes<'_>)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends transfers to the ledger's journal.
    fn insert_transfers(
        &mut self,
        transfers: &[Transfer],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- the provider's confirmation that it checked an application ---
    /// Records it once; false when it was recorded before.
    fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The confirmations of the applications naming `provider` (or of one of them):
    /// application id and date.
    fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> impl Future<Output = Result<Vec<(i64, Date)>, StoreError>> + Send;

    // --- drafts (T1) ---
    /// The draft with this key, if any.
    fn draft(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<DraftRecord>, StoreError>> + Send;
    /// Inserts or replaces a draft.
    fn save_draft(
        &mut self,
        draft: &DraftRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes a draft; whether there was one.
    fn delete_draft(&mut self, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    // --- payout runs ---
    /// The payout watermark and every transfer to a payable (a provider's, or refunds) with a
    /// seq above it, oldest first, with the highest seq now in the journal. On PostgreSQL this
    /// first waits for every transaction writing transfers to finish and holds new ones off
    /// until this one ends, so that no transfer below the new watermark commits later.
    fn payables_since_watermark(
        &mut self,
    ) -> impl Future<Output = Result<(i64, Vec<PayableCredit>, i64), StoreError>> + Send;
    fn set_payout_watermark(
        &mut self,
        seq: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
