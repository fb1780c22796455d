//! What the kernel keeps in the store: the transaction's end, the platform clock, the answers of
//! idempotent requests and commands, the hash-chained audit log, and the caller's keys of
//! records.

use std::future::Future;

use kmo_domain::Date;

use crate::store::StoreError;

/// The stored answer to a request sent with an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentAnswer {
    pub request_hash: String,
    pub status: i64,
    pub body: String,
}

/// One record of the append-only, hash-chained audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// `application:<id>`, `enterprise:<id>` or `platform`.
    pub stream: String,
    /// 1, 2, 3… within the stream.
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    /// The business date of the change.
    pub date: Date,
    /// Canonical JSON: the change's details and the ids of its transfers.
    pub payload: String,
    /// Hash of the previous record of the stream (64 hex zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over the fields above (see [`crate::audit::record_hash`]).
    pub hash: String,
}

/// Records that have a caller's key besides their id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyed {
    Application,
    Provider,
    Enterprise,
}

impl Keyed {
    /// The table (a fixed name, never caller input).
    #[must_use]
    pub const fn table(self) -> &'static str {
        match self {
            Keyed::Application => "application",
            Keyed::Provider => "provider",
            Keyed::Enterprise => "enterprise",
        }
    }
}

/// The kernel's part of one database transaction.
pub trait KernelTx: Send {
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- the platform clock (lifecycle.md §2) ---
    fn clock(&mut self) -> impl Future<Output = Result<Option<Date>, StoreError>> + Send;
    fn set_clock(&mut self, date: Date) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The key of the record with this id.
    fn key_of(
        &mut self,
        kind: Keyed,
        id: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    // --- idempotent requests (the HTTP layer's `Idempotency-Key`) ---
    /// The answer kept under the key, if it was kept on `not_before` or later.
    fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        not_before: Date,
    ) -> impl Future<Output = Result<Option<IdempotentAnswer>, StoreError>> + Send;
    /// Forgets the answers kept before `before`; how many.
    fn purge_idempotent_answers(
        &mut self,
        before: Date,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Keeps the answer; a concurrent request that stored one first wins (nothing happens).
    fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        answer: &IdempotentAnswer,
        on: Date,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- idempotent commands ---
    /// The stored answer of an earlier command with this idempotency key: (request hash, answer).
    fn command_result(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>, StoreError>> + Send;
    fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- the audit log ---
    /// The hash of the last audit record of a stream and its seq (None for an empty stream).
    fn audit_head(
        &mut self,
        stream: &str,
    ) -> impl Future<Output = Result<Option<(i64, String)>, StoreError>> + Send;
    fn append_audit(
        &mut self,
        record: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One audit stream (`application:<id>`), in order.
    fn audit_stream(
        &mut self,
        stream: &str,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StoreError>> + Send;
}
