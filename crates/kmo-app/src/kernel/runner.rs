//! The command runner: bounded retries on conflicts, the audit record of every change, and the
//! checked write of what a command decided, in its one transaction.

use kmo_domain::{Cents, Date};
use kmo_ledger::Transfer;
use serde_json::{Value, json};

use crate::kernel::CommandError;
use crate::kernel::audit::{Actor, AuditStream, next_record};
use crate::platform::Platform;
use crate::store::{CommandResultWrite, KernelTx, Store, StoreError, StoreTx, WalletTx, Writes};
use crate::wallet::lifecycle::{Application, Change};

/// How often a command is retried when its transaction lost a race (a serialization failure,
/// a busy database, a concurrent insert of the same key) before the conflict is reported.
pub const CONFLICT_RETRIES_MAX: u32 = 20;

/// Runs a command again, from the start, while its transaction lost a race (bounded).
macro_rules! retrying {
    ($e:expr) => {{
        let mut attempt = 0u32;
        loop {
            match $e {
                Err($crate::kernel::CommandError::Store($crate::store::StoreError::Conflict))
                    if attempt < $crate::kernel::CONFLICT_RETRIES_MAX =>
                {
                    attempt += 1
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use retrying;

/// Appends one record after the head of `stream`, in this transaction (a step that moves no
/// money: its payload names no transfer).
pub(crate) async fn append_record<T: KernelTx>(
    tx: &mut T,
    stream: AuditStream,
    kind: &str,
    actor: Actor,
    date: Date,
    mut payload: Value,
) -> Result<(), StoreError> {
    if let Some(p) = payload.as_object_mut() {
        p.insert("transfers".into(), json!([]));
    }
    let head = tx.audit_head(&stream.to_string()).await?;
    let record = next_record(stream, head, kind, actor, date, payload.to_string());
    tx.append_audit(&record).await
}

pub(crate) fn stream_of(app: &Application) -> AuditStream {
    AuditStream::Application(app.id)
}

pub(crate) fn transfer_ids(transfers: &[Transfer]) -> Vec<Value> {
    transfers
        .iter()
        .map(|t| Value::String(t.id.to_string()))
        .collect()
}

/// Writes one lifecycle change: the record, its transfers, its audit record, the cached
/// ceiling of the enterprise's year when subsidy went back to it, and the command's answer when
/// it carries an idempotency key. Returns the application as stored.
pub(crate) async fn write_change<T: StoreTx>(
    tx: &mut T,
    before: &Application,
    change: &Change,
    details: Value,
    command_result: Option<CommandResultWrite<'_>>,
) -> Result<Application, StoreError> {
    let mut app = change.application.clone();
    let mut year = None;
    if app.returned_to_ceiling > before.returned_to_ceiling {
        let mut ey = tx
            .enterprise_year(app.enterprise.get(), app.submitted_on.year())
            .await?;
        let back = app
            .returned_to_ceiling
            .checked_sub(before.returned_to_ceiling)
            .unwrap_or(Cents::ZERO);
        ey.ceiling_reserved = ey
            .ceiling_reserved
            .checked_sub(back)
            .filter(|c| !c.is_negative())
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "enterprise {} ceiling would go below zero",
                    app.enterprise
                ))
            })?;
        year = Some(ey);
    }
    let stream = stream_of(&app);
    // The head of the application's stream is kept on its row (its seq is the application's).
    let head = if before.audit_hash.is_empty() {
        tx.audit_head(&stream.to_string()).await?
    } else {
        Some((i64::from(before.seq), before.audit_hash.clone()))
    };
    let mut payload =
        json!({"state": app.state.code(), "transfers": transfer_ids(&change.transfers)});
    if let (Some(p), Value::Object(extra)) = (payload.as_object_mut(), details) {
        p.extend(extra);
    }
    let record = next_record(
        stream,
        head,
        change.event.code(),
        change.actor,
        change.date,
        payload.to_string(),
    );
    app.audit_hash.clone_from(&record.hash);
    write_checked(
        tx,
        &Writes {
            application: Some(&app),
            enterprise_year: year.as_ref(),
            transfers: &change.transfers,
            audit: Some(&record),
            command_result,
            ..Writes::default()
        },
    )
    .await?;
    Ok(app)
}

impl<S: Store> Platform<S> {
    /// The stored answer to an earlier request with this idempotency key.
    pub async fn idempotent_answer(
        &self,
        scope: &str,
        key: &str,
        not_before: Date,
    ) -> Result<Option<crate::store::IdempotentAnswer>, CommandError> {
        let mut tx = self.store.read().await?;
        let a = tx.idempotent_answer(scope, key, not_before).await?;
        drop(tx);
        Ok(a)
    }

    /// Forgets the HTTP answers kept under idempotency keys before `before`; how many.
    pub async fn purge_idempotent_answers(&self, before: Date) -> Result<u64, CommandError> {
        retrying!(
            async {
                let mut tx = self.store.begin().await?;
                let n = tx.purge_idempotent_answers(before).await?;
                tx.commit().await?;
                Ok::<_, CommandError>(n)
            }
            .await
        )
    }

    pub async fn save_idempotent_answer(
        &self,
        scope: &str,
        key: &str,
        answer: &crate::store::IdempotentAnswer,
        on: Date,
    ) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        tx.save_idempotent_answer(scope, key, answer, on).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn key_of(
        &self,
        kind: crate::store::Keyed,
        id: i64,
    ) -> Result<String, CommandError> {
        let mut tx = self.store.read().await?;
        let key = tx.key_of(kind, id).await?;
        drop(tx);
        key.ok_or_else(|| {
            CommandError::Store(StoreError::Corrupt(format!(
                "no {} with id {id}",
                kind.table()
            )))
        })
    }

    /// True on a fresh platform: its clock was never set (every story starts by setting it).
    pub async fn is_empty(&self) -> Result<bool, CommandError> {
        let mut tx = self.store.read().await?;
        let empty = tx.clock().await?.is_none();
        drop(tx);
        Ok(empty)
    }
}

/// Checks what a command is about to write, before anything is written (TigerBeetle's
/// assertions, at the one place every command passes): each application it creates or changes
/// keeps the invariants of lifecycle.md §8 ([`Application::broken_invariant`]), the enterprise's
/// year stays within its ceiling, and every transfer moves a non-negative amount between two
/// different accounts of one ledger. A violation is a corruption: the command is aborted, its
/// transaction rolls back, and the caller sees `STORE_ERROR` — never a half-written change.
pub fn check_writes(w: &Writes<'_>) -> Result<(), StoreError> {
    let changed = w
        .application
        .into_iter()
        .chain(w.new_application.as_ref().map(|n| n.application));
    for app in changed {
        if let Some(broken) = app.broken_invariant() {
            return Err(StoreError::Corrupt(format!(
                "application {} would break an invariant: {broken}; nothing was written",
                app.id
            )));
        }
    }
    if let Some(ey) = w.enterprise_year
        && (ey.ceiling_reserved.is_negative() || ey.ceiling_reserved > ey.ceiling_granted)
    {
        return Err(StoreError::Corrupt(format!(
            "enterprise {} would reserve {} of a ceiling of {} in {}; nothing was written",
            ey.enterprise, ey.ceiling_reserved, ey.ceiling_granted, ey.year
        )));
    }
    check_transfers(w.transfers)
}

/// Every transfer moves a non-negative amount between two different accounts of one ledger.
pub fn check_transfers(transfers: &[Transfer]) -> Result<(), StoreError> {
    for t in transfers {
        if t.amount.is_negative() || t.debit == t.credit || t.debit.ledger() != t.credit.ledger() {
            return Err(StoreError::Corrupt(format!(
                "transfer {} is malformed ({} from {} to {}); nothing was written",
                t.id, t.amount, t.debit, t.credit
            )));
        }
    }
    Ok(())
}

/// Writes what a command changed after [`check_writes`]: the only way the services write a
/// change.
pub async fn write_checked<T: WalletTx>(tx: &mut T, w: &Writes<'_>) -> Result<(), StoreError> {
    check_writes(w)?;
    tx.write(w).await
}

/// Inserts transfers that change no record after [`check_transfers`].
pub async fn insert_transfers_checked<T: WalletTx>(
    tx: &mut T,
    transfers: &[Transfer],
) -> Result<(), StoreError> {
    check_transfers(transfers)?;
    tx.insert_transfers(transfers).await
}
