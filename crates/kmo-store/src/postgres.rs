//! PostgreSQL through sqlx: row locks (`SELECT … FOR UPDATE`, upserts) serialise the commands
//! that touch one enterprise-year or one application; see the crate documentation. The
//! statements are those of [`crate::sql`]; this module binds their values and maps their rows
//! (`FromRow`, by column name).

use std::collections::BTreeSet;

use kmo_app::lifecycle::{Application, State};
use kmo_app::registry::Registration;
use kmo_app::store::{
    AccountsTx, AppLookup, AppOwner, AuditRecord, CommandContext, DraftRecord, EnterpriseRecord,
    EnterpriseYear, IdempotentAnswer, InsightTx, KernelTx, Keyed, LetterRecord, ListRequestRecord,
    ListedService, MandateRecord, MoneyOut, PayableCredit, ProviderProfile, ProviderRecord,
    RegistryTx, StatisticsCell, StoreError, StoreRead, SubmissionContext, SubmissionQuery,
    TokenRecord, UserRecord, WalletTx, Writes,
};
use kmo_domain::{Cents, Date, EnterpriseId, EnterpriseSize, ProviderId, ServiceKind};
use kmo_ledger::{AccountKey, Transfer};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, Encode, Postgres, Transaction, Type};

use crate::Migration;
use crate::rows::{
    self, AppRow, AuditRow, EnterpriseRow, LetterRow, ListedRow, MandateRow, ProviderRow,
    RegistrationRow, TokenRow, TransferRow, UserRow, YearRow,
};
use crate::sql;

/// Maps a database error to the store's error: lost races are `Conflict`.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.to_string()).unwrap_or_default();
        // Serialization failure, deadlock, unique violation (a concurrent insert).
        if matches!(code.as_str(), "40001" | "40P01" | "23505") {
            return StoreError::Conflict;
        }
        return StoreError::Database(format!("{} ({code})", db.message()));
    }
    if matches!(e, sqlx::Error::PoolTimedOut) {
        return StoreError::Conflict;
    }
    StoreError::Database(e.to_string())
}

/// A statement's values, encoded in order (PostgreSQL's `params!`); a value that cannot be
/// encoded returns the error from the calling function.
macro_rules! args {
    () => {
        PgArguments::default()
    };
    ($($value:expr),+ $(,)?) => {{
        let mut args = PgArguments::default();
        $(
            args.add($value)
                .map_err(|e| StoreError::Database(format!("binding a value: {e}")))?;
        )+
        args
    }};
}

const PG: sql::Dialect = sql::Dialect::Postgres;

/// One statement built from the shared ones: each becomes a data-modifying CTE
/// `wN as (… returning …)`, its placeholders numbered on after the values bound before it.
/// PostgreSQL runs every part exactly once, and checks the foreign keys at the end of the
/// statement.
#[derive(Default)]
struct Batch {
    parts: Vec<String>,
    args: PgArguments,
    bound: usize,
    error: Option<String>,
}

impl Batch {
    /// Binds the next value.
    fn bind<'q, T: Encode<'q, Postgres> + Type<Postgres> + 'q>(&mut self, v: T) {
        if let Err(e) = self.args.add(v) {
            self.error.get_or_insert(e.to_string());
        }
        self.bound += 1;
    }

    /// Adds `text` as a part and returns its name. `bind` binds its values in the order of
    /// their numbers; with `last`, the highest placeholder is that text instead (a value of an
    /// earlier part) and takes no value.
    fn part(&mut self, text: &str, last: Option<&str>, bind: impl FnOnce(&mut Batch)) -> String {
        let highest = sql::parameters(text);
        let base = self.bound;
        let name = format!("w{}", self.parts.len());
        let mut part = format!("{name} as (");
        sql::renumber(text, &mut part, |out, k| match last {
            Some(value) if k == highest => out.push_str(value),
            _ => sql::placeholder(out, PG, base + k),
        });
        if !text.contains(" returning ") {
            part.push_str(" returning 1");
        }
        part.push(')');
        self.parts.push(part);
        bind(self);
        let values = highest - usize::from(last.is_some());
        if self.bound - base != values {
            self.error.get_or_insert(format!(
                "{name} binds {} values for {values} placeholders",
                self.bound - base
            ));
        }
        name
    }
}

/// A row a query reads (by column name).
trait Row: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}
impl<T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin> Row for T {}

/// A value a query reads as its first column.
trait Value: for<'r> sqlx::Decode<'r, Postgres> + Type<Postgres> + Send + Unpin {}
impl<T: for<'r> sqlx::Decode<'r, Postgres> + Type<Postgres> + Send + Unpin> Value for T {}

/// One PostgreSQL transaction; rolled back when dropped without commit.
#[derive(Debug)]
pub struct PgTx(
    pub(crate) Transaction<'static, Postgres>,
    /// A read-only transaction (`Store::read`): rows are read without `for update`, which
    /// PostgreSQL refuses there.
    pub(crate) bool,
);

impl PgTx {
    /// Runs a statement; the rows it changed.
    async fn execute(&mut self, sql: &str, args: PgArguments) -> Result<u64, StoreError> {
        let done = sqlx::query_with(sql, args)
            .execute(&mut *self.0)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    /// The one row of a query.
    async fn one<T: Row>(&mut self, sql: &str, args: PgArguments) -> Result<T, StoreError> {
        sqlx::query_as_with(sql, args)
            .fetch_one(&mut *self.0)
            .await
            .map_err(map_err)
    }

    /// The first row of a query, if any.
    async fn optional<T: Row>(
        &mut self,
        sql: &str,
        args: PgArguments,
    ) -> Result<Option<T>, StoreError> {
        sqlx::query_as_with(sql, args)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(map_err)
    }

    /// Every row of a query.
    async fn all<T: Row>(&mut self, sql: &str, args: PgArguments) -> Result<Vec<T>, StoreError> {
        sqlx::query_as_with(sql, args)
            .fetch_all(&mut *self.0)
            .await
            .map_err(map_err)
    }

    /// The one value of a query.
    async fn value<T: Value>(&mut self, sql: &str, args: PgArguments) -> Result<T, StoreError> {
        self.one(sql, args).await.map(|(v,)| v)
    }

    /// The value of a query's first row, if any.
    async fn optional_value<T: Value>(
        &mut self,
        sql: &str,
        args: PgArguments,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.optional(sql, args).await?.map(|(v,)| v))
    }

    /// The first value of every row of a query.
    async fn values<T: Value>(
        &mut self,
        sql: &str,
        args: PgArguments,
    ) -> Result<Vec<T>, StoreError> {
        Ok(self
            .all(sql, args)
            .await?
            .into_iter()
            .map(|(v,)| v)
            .collect())
    }

    /// The statement's locking form, unless this transaction is read-only.
    fn locked(&self, plain: &sql::Statement, locking: &'static str) -> &'static str {
        if self.1 { plain.postgres } else { locking }
    }

    /// The application a statement finds, locked unless this transaction is read-only.
    async fn one_app<'q, T: Encode<'q, Postgres> + Type<Postgres> + Send + 'q>(
        &mut self,
        plain: &sql::Statement,
        locking: &'static str,
        value: T,
    ) -> Result<Option<Application>, StoreError> {
        let row: Option<AppRow> = self
            .optional(self.locked(plain, locking), args![value])
            .await?;
        row.map(AppRow::into_application).transpose()
    }

    /// Creates the migrations table if needed and returns the applied versions and checksums.
    pub(crate) async fn applied_migrations(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        sqlx::raw_sql(crate::migrate::CREATE_MIGRATION_TABLE)
            .execute(&mut *self.0)
            .await
            .map_err(map_err)?;
        self.all(sql::APPLIED_MIGRATIONS.postgres, args![]).await
    }

    /// Every table's columns (for the test that keeps both backends' schemas in step).
    pub(crate) async fn schema_columns(
        &mut self,
    ) -> Result<BTreeSet<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> = self.all(sql::postgres::SCHEMA_COLUMNS, args![]).await?;
        Ok(rows.into_iter().collect())
    }

    /// Runs one migration script and records it, in this transaction.
    pub(crate) async fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        sqlx::raw_sql(sql)
            .execute(&mut *self.0)
            .await
            .map_err(map_err)?;
        let values = args![m.version, m.name, checksum];
        self.execute(sql::RECORD_MIGRATION.postgres, values).await?;
        Ok(())
    }
}

impl KernelTx for PgTx {
    async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(map_err)
    }

    async fn clock(&mut self) -> Result<Option<Date>, StoreError> {
        let clock: Option<String> = self.value(sql::CLOCK.postgres, args![]).await?;
        clock.map(|c| rows::date(&c)).transpose()
    }

    async fn set_clock(&mut self, date: Date) -> Result<(), StoreError> {
        self.execute(sql::SET_CLOCK.postgres, args![date.to_string()])
            .await?;
        Ok(())
    }

    async fn key_of(&mut self, kind: Keyed, id: i64) -> Result<Option<String>, StoreError> {
        self.optional_value(sql::key_of(kind).postgres, args![id])
            .await
    }

    async fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        not_before: Date,
    ) -> Result<Option<IdempotentAnswer>, StoreError> {
        let row: Option<(String, i64, String)> = self
            .optional(
                sql::IDEMPOTENT_ANSWER.postgres,
                args![scope, key, not_before.to_string()],
            )
            .await?;
        Ok(row.map(|(request_hash, status, body)| IdempotentAnswer {
            request_hash,
            status,
            body,
        }))
    }

    async fn purge_idempotent_answers(&mut self, before: Date) -> Result<u64, StoreError> {
        self.execute(
            sql::PURGE_IDEMPOTENT_ANSWERS.postgres,
            args![before.to_string()],
        )
        .await
    }

    async fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        a: &IdempotentAnswer,
        on: Date,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_IDEMPOTENT_ANSWER.postgres,
            args![
                scope,
                key,
                &a.request_hash,
                a.status,
                &a.body,
                on.to_string()
            ],
        )
        .await?;
        Ok(())
    }

    async fn command_result(&mut self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        self.optional(sql::COMMAND_RESULT.postgres, args![key])
            .await
    }

    async fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_COMMAND_RESULT.postgres,
            args![key, request_hash, answer],
        )
        .await?;
        Ok(())
    }

    async fn audit_head(&mut self, stream: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.optional(sql::AUDIT_HEAD.postgres, args![stream]).await
    }

    async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        self.execute(
            sql::APPEND_AUDIT.postgres,
            args![
                &r.stream,
                r.seq,
                &r.kind,
                &r.actor,
                r.date.to_string(),
                &r.payload,
                &r.prev_hash,
                &r.hash
            ],
        )
        .await?;
        Ok(())
    }

    async fn audit_stream(&mut self, stream: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = self.all(sql::AUDIT_STREAM.postgres, args![stream]).await?;
        rows.into_iter().map(AuditRow::into_record).collect()
    }
}

impl WalletTx for PgTx {
    async fn next_application_id(&mut self) -> Result<i64, StoreError> {
        self.value(sql::postgres::NEXT_APPLICATION_ID, args![])
            .await
    }

    async fn application_by_key(&mut self, key: &str) -> Result<Option<Application>, StoreError> {
        let locking = sql::APPLICATION_BY_KEY_FOR_UPDATE;
        self.one_app(&sql::APPLICATION_BY_KEY, locking, key).await
    }

    async fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<Application>, StoreError> {
        let locking = sql::APPLICATION_BY_REFERENCE_FOR_UPDATE;
        self.one_app(&sql::APPLICATION_BY_REFERENCE, locking, reference)
            .await
    }

    async fn application_by_id(&mut self, id: i64) -> Result<Option<Application>, StoreError> {
        let locking = sql::APPLICATION_BY_ID_FOR_UPDATE;
        self.one_app(&sql::APPLICATION_BY_ID, locking, id).await
    }

    async fn due_applications(&mut self, date: Date) -> Result<Vec<i64>, StoreError> {
        let mut ids: Vec<i64> = self
            .values(sql::DUE_APPLICATIONS.postgres, args![date.to_string()])
            .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// The command's stored answer and its application (locked), as one statement when the
    /// application exists (a second one only when it does not).
    async fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> Result<CommandContext, StoreError> {
        let (sql, value) = match application {
            AppLookup::Key(k) => (sql::postgres::COMMAND_CONTEXT_BY_KEY, k),
            AppLookup::Reference(r) => (sql::postgres::COMMAND_CONTEXT_BY_REFERENCE, r),
            AppLookup::Nothing => return Ok((self.command_result(command_key).await?, None)),
        };
        let row: Option<rows::AppWithCommandRow> =
            self.optional(sql, args![value, command_key]).await?;
        match row {
            Some(r) => {
                let seen = r.request_hash.zip(r.answer);
                Ok((seen, Some(r.app.into_application()?)))
            }
            None => Ok((self.command_result(command_key).await?, None)),
        }
    }

    async fn submission_context(
        &mut self,
        q: &SubmissionQuery<'_>,
    ) -> Result<SubmissionContext, StoreError> {
        let row: rows::ContextRow = self
            .one(
                sql::postgres::SUBMISSION_CONTEXT,
                args![
                    q.enterprise_key,
                    q.application_key,
                    i64::from(q.year),
                    q.de_minimis_after.to_string(),
                    q.de_minimis_until.to_string(),
                    q.provider.map(ProviderId::get).filter(|_| q.kind.is_some()),
                    q.kind.map(ServiceKind::code),
                    AccountKey::DE_MINIMIS_GRANTED_PREFIX
                ],
            )
            .await?;
        row.into_context()
    }

    /// Everything a command writes, as one statement (one round trip): the shared statements
    /// SQLite runs one by one, each a part of a [`Batch`].
    async fn write(&mut self, w: &Writes<'_>) -> Result<(), StoreError> {
        let mut b = Batch::default();
        if let Some(n) = &w.new_application {
            let app = n.application;
            let text = |k: &str| n.service.get(k).and_then(serde_json::Value::as_str);
            let service = b.part(sql::INSERT_SERVICE.postgres, None, |b| {
                b.bind(app.provider.get());
                b.bind(text("kind"));
                b.bind(text("theme"));
                b.bind(text("sub_theme"));
                b.bind(n.service.to_string());
            });
            let r = rows::AppValues::of(app);
            let inserted_service = format!("(select id from {service})");
            b.part(
                sql::INSERT_APPLICATION.postgres,
                Some(&inserted_service),
                |b| {
                    b.bind(app.id.get());
                    b.bind(n.key);
                    b.bind(n.reference);
                    b.bind(app.enterprise.get());
                    b.bind(app.provider.get());
                    b.bind(&r.submitted_on);
                    b.bind(app.state.code());
                    b.bind(&r.closed_on);
                    b.bind(app.size.code());
                    b.bind(i64::from(app.rate_bp));
                    b.bind(&app.rule_set);
                    b.bind(app.eligible.get());
                    b.bind(app.subsidy.get());
                    b.bind(app.own_share.get());
                    b.bind(app.deposited.get());
                    b.bind(app.paid_own.get());
                    b.bind(app.paid_subsidy.get());
                    b.bind(app.refunded.get());
                    b.bind(app.returned_to_ceiling.get());
                    b.bind(app.returned_to_budget.get());
                    b.bind(app.returned_deposits.get());
                    b.bind(&r.deposit_deadline);
                    b.bind(&r.payment_deadline);
                    b.bind(&r.lapse_on);
                    b.bind(&r.expire_on);
                    b.bind(i64::from(app.seq));
                    b.bind(n.case);
                    b.bind(&app.audit_hash);
                },
            );
            if !n.participants.is_empty() {
                let rows = sql::insert_rows(&sql::INSERT_PARTICIPANT, n.participants.len(), 0, PG);
                b.part(&rows, None, |b| {
                    for (position, (name, status)) in n.participants.iter().enumerate() {
                        b.bind(app.id.get());
                        b.bind(i64::try_from(position).unwrap_or(i64::MAX));
                        b.bind(name.as_str());
                        b.bind(status.code());
                    }
                });
            }
        }
        let updated = w.application.map(|app| {
            b.part(sql::UPDATE_APPLICATION.postgres, None, |b| {
                b.bind(app.state.code());
                b.bind(app.closed_on.map(|d| d.to_string()));
                b.bind(app.deposited.get());
                b.bind(app.paid_own.get());
                b.bind(app.paid_subsidy.get());
                b.bind(app.refunded.get());
                b.bind(app.returned_to_ceiling.get());
                b.bind(app.returned_to_budget.get());
                b.bind(app.returned_deposits.get());
                b.bind(i64::from(app.seq));
                b.bind(app.blocked_from.map(State::code));
                b.bind(app.recovered.get());
                b.bind(app.recovery_received.get());
                b.bind(&app.audit_hash);
                b.bind(app.id.get());
                b.bind(i64::from(app.seq - 1));
            })
        });
        if let Some(y) = w.enterprise_year {
            b.part(sql::SAVE_ENTERPRISE_YEAR.postgres, None, |b| {
                b.bind(y.size_lock.map(EnterpriseSize::code));
                b.bind(y.ceiling_granted.get());
                b.bind(y.ceiling_reserved.get());
                b.bind(y.enterprise.get());
                b.bind(i64::from(y.year));
            });
        }
        if !w.transfers.is_empty() {
            let rows = sql::insert_transfers(w.transfers.len(), PG);
            b.part(&rows, None, |b| {
                for t in w.transfers {
                    let v = rows::TransferValues::of(t);
                    b.bind(v.id);
                    b.bind(v.debit);
                    b.bind(v.credit);
                    b.bind(v.amount);
                    b.bind(v.code);
                    b.bind(v.kind);
                    b.bind(v.pending);
                    b.bind(v.application);
                    b.bind(v.date);
                }
            });
        }
        if let Some(r) = w.audit {
            b.part(sql::APPEND_AUDIT.postgres, None, |b| {
                b.bind(r.stream.as_str());
                b.bind(r.seq);
                b.bind(r.kind.as_str());
                b.bind(r.actor.as_str());
                b.bind(r.date.to_string());
                b.bind(r.payload.as_str());
                b.bind(r.prev_hash.as_str());
                b.bind(r.hash.as_str());
            });
        }
        if let Some(c) = &w.command_result {
            b.part(sql::SAVE_COMMAND_RESULT.postgres, None, |b| {
                b.bind(c.key);
                b.bind(c.request_hash);
                b.bind(c.answer);
            });
        }
        if let Some(e) = b.error {
            return Err(StoreError::Database(format!("binding a value: {e}")));
        }
        if b.parts.is_empty() {
            return Ok(());
        }
        let select = updated.map_or_else(
            || "select 1::bigint".to_owned(),
            |u| format!("select count(*)::bigint from {u}"),
        );
        let sql = format!("with {} {select}", b.parts.join(", "));
        let done: i64 = sqlx::query_scalar_with(&sql, b.args)
            .fetch_one(&mut *self.0)
            .await
            .map_err(map_err)?;
        // Optimistic check on top of the row lock: the record moved on since it was read.
        if done != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    async fn insert_transfers(&mut self, transfers: &[Transfer]) -> Result<(), StoreError> {
        // One multi-row statement per command (at most a handful of transfers).
        for chunk in transfers.chunks(sql::TRANSFERS_PER_INSERT_MAX) {
            let sql = sql::insert_transfers(chunk.len(), sql::Dialect::Postgres);
            let values: Vec<rows::TransferValues> =
                chunk.iter().map(rows::TransferValues::of).collect();
            let mut q = sqlx::query(&sql);
            for v in &values {
                q = q
                    .bind(&v.id)
                    .bind(&v.debit)
                    .bind(&v.credit)
                    .bind(v.amount)
                    .bind(v.code)
                    .bind(v.kind)
                    .bind(&v.pending)
                    .bind(v.application)
                    .bind(&v.date);
            }
            q.execute(&mut *self.0).await.map_err(map_err)?;
        }
        Ok(())
    }

    async fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> Result<bool, StoreError> {
        Ok(self
            .execute(
                sql::INSERT_CONFIRMATION.postgres,
                args![application, provider, on.to_string()],
            )
            .await?
            == 1)
    }

    async fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> Result<Vec<(i64, Date)>, StoreError> {
        let rows: Vec<(i64, String)> = self
            .all(sql::CONFIRMATIONS.postgres, args![provider, application])
            .await?;
        rows.into_iter()
            .map(|(id, on)| Ok((id, rows::date(&on)?)))
            .collect()
    }

    async fn draft(&mut self, key: &str) -> Result<Option<DraftRecord>, StoreError> {
        let sql = self.locked(&sql::DRAFT, sql::DRAFT_FOR_UPDATE);
        let row: Option<(String, i64, String, String)> = self.optional(sql, args![key]).await?;
        row.map(|(key, enterprise, body, saved_on)| {
            Ok(DraftRecord {
                key,
                enterprise: EnterpriseId::new(enterprise),
                body,
                saved_on: rows::date(&saved_on)?,
            })
        })
        .transpose()
    }

    async fn save_draft(&mut self, d: &DraftRecord) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_DRAFT.postgres,
            args![&d.key, d.enterprise.get(), &d.body, d.saved_on.to_string()],
        )
        .await?;
        Ok(())
    }

    async fn delete_draft(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.execute(sql::DELETE_DRAFT.postgres, args![key]).await? == 1)
    }

    async fn payables_since_watermark(
        &mut self,
    ) -> Result<(i64, Vec<PayableCredit>, i64), StoreError> {
        self.execute(sql::postgres::LOCK_TRANSFERS, args![]).await?;
        let (watermark, top): (i64, i64) =
            self.one(sql::PAYOUT_WATERMARK_FOR_UPDATE, args![]).await?;
        let refunds = AccountKey::RefundsPayable.to_string();
        let prefix = AccountKey::PROVIDER_PAYABLE_PREFIX;
        let rows: Vec<rows::SeqTransferRow> = self
            .all(
                sql::PAYABLES_SINCE.postgres,
                args![watermark, refunds, prefix],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(PayableCredit {
                seq: r.seq,
                transfer: r.transfer.into_transfer()?,
            });
        }
        Ok((watermark, out, top))
    }

    async fn set_payout_watermark(&mut self, seq: i64) -> Result<(), StoreError> {
        self.execute(sql::SET_PAYOUT_WATERMARK.postgres, args![seq])
            .await?;
        Ok(())
    }
}

impl AccountsTx for PgTx {
    async fn insert_user(&mut self, u: &UserRecord) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_USER.postgres,
            args![
                &u.email,
                &u.name,
                &u.password_hash,
                &u.role,
                u.provider.map(ProviderId::get),
                u.created_on.to_string()
            ],
        )
        .await
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> = self
            .optional(sql::USER_BY_EMAIL.postgres, args![email])
            .await?;
        row.map(UserRow::into_record).transpose()
    }

    async fn user_by_id(&mut self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> = self.optional(sql::USER_BY_ID.postgres, args![id]).await?;
        row.map(UserRow::into_record).transpose()
    }

    async fn insert_token(&mut self, t: &TokenRecord, hash: &str) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_TOKEN.postgres,
            args![t.user, &t.name, hash, t.created_on.to_string()],
        )
        .await
    }

    async fn user_by_token_hash(&mut self, hash: &str) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> = self
            .optional(sql::USER_BY_TOKEN_HASH.postgres, args![hash])
            .await?;
        row.map(UserRow::into_record).transpose()
    }

    async fn tokens_of(&mut self, user: i64) -> Result<Vec<TokenRecord>, StoreError> {
        let rows: Vec<TokenRow> = self.all(sql::TOKENS_OF.postgres, args![user]).await?;
        rows.into_iter().map(TokenRow::into_record).collect()
    }

    async fn revoke_token(&mut self, user: i64, token: i64) -> Result<bool, StoreError> {
        Ok(self
            .execute(sql::REVOKE_TOKEN.postgres, args![token, user])
            .await?
            == 1)
    }

    async fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::INSERT_SESSION.postgres,
            args![token_hash, user, csrf_token, expires_at],
        )
        .await?;
        Ok(())
    }

    async fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let found: Option<(i64, String)> = self
            .optional(sql::SESSION.postgres, args![token_hash, now])
            .await?;
        match found {
            Some((user, csrf)) => Ok(self.user_by_id(user).await?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.execute(sql::DELETE_SESSION.postgres, args![token_hash])
            .await?;
        Ok(())
    }

    async fn insert_letter(
        &mut self,
        l: &LetterRecord,
        code_hash: &str,
    ) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_LETTER.postgres,
            args![
                l.user,
                l.enterprise.get(),
                &l.code,
                code_hash,
                l.issued_on.to_string(),
                l.valid_until.to_string()
            ],
        )
        .await
    }

    async fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> Result<Option<LetterRecord>, StoreError> {
        let row: Option<LetterRow> = self
            .optional(sql::LETTER.postgres, args![id, code_hash])
            .await?;
        row.map(LetterRow::into_record).transpose()
    }

    async fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::UPDATE_LETTER.postgres,
            args![
                id,
                printed_on.map(|d| d.to_string()),
                used_on.map(|d| d.to_string())
            ],
        )
        .await?;
        Ok(())
    }

    async fn insert_mandate(&mut self, m: &MandateRecord) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_MANDATE.postgres,
            args![
                m.user,
                m.enterprise.get(),
                &m.scope,
                m.valid_from.to_string(),
                m.valid_until.map(|d| d.to_string()),
                &m.state,
                m.granted_by
            ],
        )
        .await
    }

    async fn mandates_of(&mut self, user: i64) -> Result<Vec<MandateRecord>, StoreError> {
        let rows: Vec<MandateRow> = self
            .all(sql::MANDATES_OF_USER.postgres, args![user])
            .await?;
        rows.into_iter().map(MandateRow::into_record).collect()
    }

    async fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        let rows: Vec<MandateRow> = self
            .all(sql::MANDATES_OF_ENTERPRISE.postgres, args![enterprise])
            .await?;
        rows.into_iter().map(MandateRow::into_record).collect()
    }

    async fn mandate_by_id(&mut self, id: i64) -> Result<Option<MandateRecord>, StoreError> {
        let row: Option<MandateRow> = self
            .optional(sql::MANDATE_BY_ID.postgres, args![id])
            .await?;
        row.map(MandateRow::into_record).transpose()
    }

    async fn set_mandate_state(&mut self, id: i64, state: &str) -> Result<(), StoreError> {
        self.execute(sql::SET_MANDATE_STATE.postgres, args![id, state])
            .await?;
        Ok(())
    }

    async fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_CALENDAR_FEED.postgres,
            args![user, token_hash, on.to_string()],
        )
        .await?;
        Ok(())
    }

    async fn calendar_feed_user(&mut self, token_hash: &str) -> Result<Option<i64>, StoreError> {
        self.optional_value(sql::CALENDAR_FEED_USER.postgres, args![token_hash])
            .await
    }

    async fn attempt_failures(&mut self, key: &str) -> Result<Option<(i64, i64)>, StoreError> {
        self.optional(sql::ATTEMPT_FAILURES.postgres, args![key])
            .await
    }

    async fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::FORGET_PASSED_ATTEMPT_FAILURES.postgres,
            args![now.saturating_sub(window)],
        )
        .await?;
        self.execute(sql::COUNT_ATTEMPT_FAILURE.postgres, args![key, now])
            .await?;
        Ok(())
    }

    async fn clear_attempt_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.execute(sql::CLEAR_ATTEMPT_FAILURES.postgres, args![key])
            .await?;
        Ok(())
    }
}

impl RegistryTx for PgTx {
    async fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<EnterpriseRecord>, StoreError> {
        let row: Option<EnterpriseRow> = self
            .optional(sql::ENTERPRISE_BY_KEY.postgres, args![key])
            .await?;
        row.map(EnterpriseRow::into_record).transpose()
    }

    async fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_ENTERPRISE.postgres,
            args![key, name, profile.to_string()],
        )
        .await
    }

    async fn update_enterprise(
        &mut self,
        id: i64,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::UPDATE_ENTERPRISE.postgres,
            args![id, name, profile.to_string()],
        )
        .await?;
        Ok(())
    }

    async fn find_enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<Option<EnterpriseYear>, StoreError> {
        let row: Option<YearRow> = self
            .optional(
                sql::FIND_ENTERPRISE_YEAR.postgres,
                args![enterprise, i64::from(year)],
            )
            .await?;
        row.map(YearRow::into_year).transpose()
    }

    async fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, StoreError> {
        let row: YearRow = self
            .one(
                sql::ENTERPRISE_YEAR.postgres,
                args![enterprise, i64::from(year)],
            )
            .await?;
        row.into_year()
    }

    async fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> Result<Cents, StoreError> {
        let sum: i64 = self
            .value(
                sql::DE_MINIMIS_GRANTED.postgres,
                args![
                    enterprise,
                    after.to_string(),
                    until.to_string(),
                    AccountKey::DeMinimisGranted { enterprise }.to_string()
                ],
            )
            .await?;
        Ok(Cents::new(sum))
    }

    async fn provider_by_key(&mut self, key: &str) -> Result<Option<ProviderRecord>, StoreError> {
        let row: Option<ProviderRow> = self
            .optional(sql::PROVIDER_BY_KEY.postgres, args![key])
            .await?;
        Ok(row.map(ProviderRow::into_record))
    }

    async fn insert_provider(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        self.value(sql::INSERT_PROVIDER.postgres, args![key, name])
            .await
    }

    async fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let text = |k: &str| service.get(k).and_then(serde_json::Value::as_str);
        self.value(
            sql::INSERT_SERVICE.postgres,
            args![
                provider,
                text("kind"),
                text("theme"),
                text("sub_theme"),
                service.to_string()
            ],
        )
        .await
    }

    async fn provider_profile(&mut self, provider: i64) -> Result<ProviderProfile, StoreError> {
        let (enterprise_number, iban): (Option<String>, Option<String>) = self
            .one(sql::PROVIDER_IDENTITY.postgres, args![provider])
            .await?;
        let themes: Vec<String> = self
            .values(sql::PROVIDER_THEMES.postgres, args![provider])
            .await?;
        Ok(ProviderProfile {
            enterprise_number,
            iban,
            themes,
        })
    }

    async fn save_provider_profile(
        &mut self,
        provider: i64,
        profile: &ProviderProfile,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::postgres::SAVE_PROVIDER_IDENTITY_DROP_THEMES,
            args![provider, &profile.enterprise_number, &profile.iban],
        )
        .await?;
        self.execute(
            sql::postgres::INSERT_PROVIDER_THEMES,
            args![provider, &profile.themes],
        )
        .await?;
        Ok(())
    }

    async fn insert_listed_service(
        &mut self,
        provider: i64,
        service: &ListedService,
    ) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_LISTED_SERVICE.postgres,
            args![
                provider,
                &service.kind,
                &service.theme,
                &service.sub_theme,
                rows::listed_body(service),
                service.price.get(),
                i64::from(service.on_occupation_list),
                &service.name
            ],
        )
        .await
    }

    async fn listed_services(
        &mut self,
        provider: i64,
    ) -> Result<Vec<(i64, ListedService)>, StoreError> {
        let rows: Vec<ListedRow> = self
            .all(sql::LISTED_SERVICES.postgres, args![provider])
            .await?;
        rows.into_iter().map(ListedRow::into_listed).collect()
    }

    async fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, StoreError> {
        let pattern = format!("%{}%", sql::like_escape(&name.to_lowercase()));
        let rows: Vec<ProviderRow> = self
            .all(
                sql::SEARCH_PROVIDERS.postgres,
                args![pattern, theme, after, i64::from(limit)],
            )
            .await?;
        Ok(rows.into_iter().map(ProviderRow::into_record).collect())
    }

    async fn registration(
        &mut self,
        provider: i64,
        kind: ServiceKind,
    ) -> Result<Option<Registration>, StoreError> {
        let row: Option<RegistrationRow> = self
            .optional(sql::REGISTRATION.postgres, args![provider, kind.code()])
            .await?;
        row.map(RegistrationRow::into_registration).transpose()
    }

    async fn save_registration(
        &mut self,
        provider: i64,
        r: &Registration,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_REGISTRATION.postgres,
            args![
                r.number.to_string(),
                provider,
                r.kind().code(),
                r.state.code(),
                r.requested_on.to_string(),
                r.registered_on.map(|d| d.to_string()),
                r.valid_until.map(|d| d.to_string())
            ],
        )
        .await?;
        Ok(())
    }

    async fn insert_list_request(&mut self, r: &ListRequestRecord) -> Result<i64, StoreError> {
        self.value(
            sql::INSERT_LIST_REQUEST.postgres,
            args![&r.key, r.provider.get(), r.service, &r.state, &r.body],
        )
        .await
    }

    async fn list_request(&mut self, key: &str) -> Result<Option<ListRequestRecord>, StoreError> {
        let row: Option<ListRequestRow> = self
            .optional(sql::LIST_REQUEST_FOR_UPDATE, args![key])
            .await?;
        Ok(row.map(list_request_record))
    }

    async fn update_list_request(&mut self, r: &ListRequestRecord) -> Result<(), StoreError> {
        self.execute(
            sql::UPDATE_LIST_REQUEST.postgres,
            args![r.id, &r.state, &r.body],
        )
        .await?;
        Ok(())
    }

    async fn list_requests(
        &mut self,
        provider: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ListRequestRecord>, StoreError> {
        let rows: Vec<ListRequestRow> = self
            .all(
                sql::LIST_REQUESTS.postgres,
                args![provider, i64::from(limit)],
            )
            .await?;
        Ok(rows.into_iter().map(list_request_record).collect())
    }

    async fn list_on_occupation_list(
        &mut self,
        provider: i64,
        service: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .execute(
                sql::LIST_ON_OCCUPATION_LIST.postgres,
                args![service, provider],
            )
            .await?
            == 1)
    }
}

impl InsightTx for PgTx {
    async fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        let (sql, id) = match owner {
            AppOwner::Enterprise(id) => (sql::APPLICATIONS_OF_ENTERPRISE.postgres, id.get()),
            AppOwner::Provider(id) => (sql::APPLICATIONS_OF_PROVIDER.postgres, id.get()),
            AppOwner::AwaitingDeposit => (sql::APPLICATIONS_AWAITING_DEPOSIT.postgres, 0),
        };
        let rows: Vec<AppRow> = self.all(sql, args![id, after, i64::from(limit)]).await?;
        rows.into_iter().map(AppRow::into_keyed).collect()
    }

    async fn statistics(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<StatisticsCell>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            month: String,
            theme: String,
            size: String,
            applications: i64,
            subsidy_cents: i64,
            returned_cents: i64,
            paid_subsidy_cents: i64,
        }
        let rows: Vec<Row> = self
            .all(
                sql::STATISTICS.postgres,
                args![from.to_string(), to.to_string()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| StatisticsCell {
                month: r.month,
                theme: r.theme,
                size: r.size,
                applications: r.applications,
                subsidy_cents: r.subsidy_cents,
                returned_cents: r.returned_cents,
                paid_subsidy_cents: r.paid_subsidy_cents,
            })
            .collect())
    }

    async fn provider_payouts(
        &mut self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        let rows: Vec<MoneyOutRow> = self
            .all(
                sql::PROVIDER_PAYOUTS.postgres,
                args![
                    AccountKey::ProviderPayable { provider }.to_string(),
                    after,
                    i64::from(limit)
                ],
            )
            .await?;
        rows.into_iter().map(MoneyOutRow::into_record).collect()
    }

    async fn enterprise_refunds(
        &mut self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        let rows: Vec<MoneyOutRow> = self
            .all(
                sql::ENTERPRISE_REFUNDS.postgres,
                args![enterprise, after, i64::from(limit)],
            )
            .await?;
        rows.into_iter().map(MoneyOutRow::into_record).collect()
    }
}

impl StoreRead for PgTx {
    async fn all_transfers(&mut self) -> Result<Vec<Transfer>, StoreError> {
        let rows: Vec<TransferRow> = self.all(sql::ALL_TRANSFERS.postgres, args![]).await?;
        rows.into_iter().map(TransferRow::into_transfer).collect()
    }

    async fn all_applications(&mut self) -> Result<Vec<(String, Application)>, StoreError> {
        let rows: Vec<AppRow> = self.all(sql::ALL_APPLICATIONS.postgres, args![]).await?;
        rows.into_iter().map(AppRow::into_keyed).collect()
    }

    async fn all_enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        let rows: Vec<EnterpriseRow> = self.all(sql::ALL_ENTERPRISES.postgres, args![]).await?;
        rows.into_iter().map(EnterpriseRow::into_record).collect()
    }

    async fn all_enterprise_years(&mut self) -> Result<Vec<EnterpriseYear>, StoreError> {
        let rows: Vec<YearRow> = self
            .all(sql::ALL_ENTERPRISE_YEARS.postgres, args![])
            .await?;
        rows.into_iter().map(YearRow::into_year).collect()
    }

    async fn all_audit_records(&mut self) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = self.all(sql::ALL_AUDIT_RECORDS.postgres, args![]).await?;
        rows.into_iter().map(AuditRow::into_record).collect()
    }
}

/// The user behind a token and its mandates in one statement, straight on the pool (no BEGIN):
/// one row per mandate (or one row without a mandate).
pub(crate) async fn token_principal(
    pool: &sqlx::PgPool,
    token_hash: &str,
) -> Result<Option<(UserRecord, Vec<MandateRecord>)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        m_id: Option<i64>,
        m_enterprise_id: Option<i64>,
        m_enterprise_key: Option<String>,
        m_scope: Option<String>,
        m_valid_from: Option<String>,
        m_valid_until: Option<String>,
        m_state: Option<String>,
        m_granted_by: Option<i64>,
    }
    let rows: Vec<Row> = sqlx::query_as(sql::postgres::TOKEN_PRINCIPAL)
        .bind(token_hash)
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    let mut user = None;
    let mut mandates = Vec::with_capacity(rows.len());
    for r in rows {
        if let (Some(id), Some(enterprise), Some(key), Some(scope), Some(from), Some(state)) = (
            r.m_id,
            r.m_enterprise_id,
            r.m_enterprise_key,
            r.m_scope,
            r.m_valid_from,
            r.m_state,
        ) {
            mandates.push(
                MandateRow {
                    id,
                    user_id: r.user.id,
                    enterprise_id: enterprise,
                    enterprise_key: key,
                    scope,
                    valid_from: from,
                    valid_until: r.m_valid_until,
                    state,
                    granted_by: r.m_granted_by,
                }
                .into_record()?,
            );
        }
        if user.is_none() {
            user = Some(r.user.into_record()?);
        }
    }
    Ok(user.map(|u| (u, mandates)))
}

type ListRequestRow = (i64, String, i64, i64, String, String);

fn list_request_record(
    (id, key, provider, service, state, body): ListRequestRow,
) -> ListRequestRecord {
    ListRequestRecord {
        id,
        key,
        provider: ProviderId::new(provider),
        service,
        state,
        body,
    }
}

#[derive(sqlx::FromRow)]
struct MoneyOutRow {
    seq: i64,
    transfer: String,
    application: Option<String>,
    amount_cents: i64,
    date: String,
}

impl MoneyOutRow {
    fn into_record(self) -> Result<MoneyOut, StoreError> {
        Ok(MoneyOut {
            seq: self.seq,
            transfer: self.transfer,
            application: self.application,
            amount_cents: self.amount_cents,
            date: rows::date(&self.date)?,
        })
    }
}
