//! Storage for kmo-portefeuille: SQLite (the embedded default) and PostgreSQL, behind the store
//! traits of `kmo-app`, chosen by the URL's scheme.
//!
//! PostgreSQL goes through sqlx (runtime `query` / `query_as` with `FromRow` rows, see
//! [`postgres`]); SQLite through rusqlite on the caller's thread (see [`sqlite`] for why). Both
//! run the same statements (SQLite's with `?N` parameters and without row locks). Migrations are
//! embedded per backend and kept in step (a test compares the resulting schemas).
//!
//! Concurrency: on SQLite every write transaction begins `IMMEDIATE` (it takes the database's
//! write lock at once, so two writers — two processes too — queue instead of deadlocking on a
//! lock upgrade); on
//! PostgreSQL a submission locks its enterprise's year row (`SELECT … FOR UPDATE`) and every
//! other command locks its application row, so two submissions for one enterprise are
//! serialised and can never together exceed its ceiling. Lost races surface as
//! `StoreError::Conflict` and the service retries.

mod migrate;
mod postgres;
mod rows;
pub mod scratch;
mod sqlite;

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use kmo_app::lifecycle::Application;
use kmo_app::registry::Registration;
use kmo_app::store::MoneyOut;
use kmo_app::store::{
    AccountsTx, AppLookup, AppOwner, AuditRecord, CommandContext, DraftRecord, EnterpriseRecord,
    EnterpriseYear, IdempotentAnswer, InsightTx, KernelTx, Keyed, LetterRecord, ListRequestRecord,
    ListedService, MandateRecord, PayableCredit, ProviderProfile, ProviderRecord, RegistryTx,
    StatisticsCell, Store, StoreError, StoreRead, SubmissionContext, SubmissionQuery, TokenRecord,
    UserRecord, WalletTx, Writes,
};
use kmo_domain::{Cents, Date, ServiceKind};
use kmo_ledger::Transfer;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use migrate::{MIGRATIONS, Migration, migrate, migrate_to};
pub use postgres::PgTx;
pub use sqlite::{SqliteDb, SqliteTx};

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// One open transaction.
#[derive(Debug)]
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(PgTx),
}

/// SQLite reader connections by default (two cores here; four lets a read wait less for another).
pub const SQLITE_READERS_DEFAULT: u32 = 4;

/// Options for [`Db::connect`].
#[derive(Clone, Copy, Debug)]
pub struct ConnectOptions {
    /// Connections to PostgreSQL (ignored for SQLite, which has one writer).
    pub max_connections: u32,
    /// SQLite reader connections for read transactions, beside the writer; 0 reads on the
    /// writer's connection (ignored for PostgreSQL).
    pub sqlite_readers: u32,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 8,
            sqlite_readers: SQLITE_READERS_DEFAULT,
        }
    }
}

impl Db {
    /// Connects by URL: `sqlite://PATH` or `postgres://…` / `postgresql://…`. Any other scheme
    /// is an error, never a silent fallback. A missing SQLite file is created (its folder must
    /// exist) unless the URL ends in `?mode=rw`.
    pub async fn connect(url: &str, options: ConnectOptions) -> Result<Db, StoreError> {
        match Db::backend_of(url)? {
            Backend::Sqlite => Ok(Db::Sqlite(SqliteDb::open(url, options.sqlite_readers)?)),
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Database(format!("invalid PostgreSQL URL: {e}")))?;
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections.max(1))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await
                    .map_err(|e| {
                        StoreError::Database(format!("cannot connect to PostgreSQL: {e}"))
                    })?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// The backend a URL names.
    pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Database(format!(
                "unsupported database URL scheme in {url:?}: use sqlite://PATH or postgres://…"
            )))
        }
    }

    /// The `sqlite://` URL of a file.
    #[must_use]
    pub fn sqlite_url(path: &Path) -> String {
        format!("sqlite://{}", path.display())
    }

    #[must_use]
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            // The connection closes when the last handle to it is dropped.
            Db::Sqlite(_) => {}
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Begins the transaction of one migration. On SQLite foreign keys are off inside it (a
    /// table may be rebuilt) and checked before it commits.
    pub(crate) async fn begin_migration(&self) -> Result<Tx, StoreError> {
        match self {
            Db::Sqlite(db) => db.begin_migration().await.map(Tx::Sqlite),
            Db::Postgres(_) => self.begin().await,
        }
    }

    /// Runs trusted SQL statements in one transaction (tests and maintenance; never input).
    pub async fn execute_script(&self, sql: &str) -> Result<(), StoreError> {
        match self.begin().await? {
            Tx::Sqlite(mut t) => {
                t.execute_script(sql)?;
                t.commit()
            }
            Tx::Postgres(mut t) => {
                sqlx::raw_sql(sql)
                    .execute(&mut *t.0)
                    .await
                    .map_err(postgres::map_err)?;
                t.commit().await
            }
        }
    }

    /// Every table's columns, as (table, column): the test that keeps both backends' schemas in
    /// step compares these.
    pub async fn schema_columns(&self) -> Result<BTreeSet<(String, String)>, StoreError> {
        match self.begin().await? {
            Tx::Sqlite(mut t) => t.schema_columns(),
            Tx::Postgres(mut t) => t.schema_columns().await,
        }
    }
}

impl Store for Db {
    type Tx = Tx;

    async fn begin(&self) -> Result<Tx, StoreError> {
        match self {
            Db::Sqlite(db) => db.begin().await.map(Tx::Sqlite),
            Db::Postgres(pool) => pool
                .begin()
                .await
                .map(|t| Tx::Postgres(PgTx(t, false)))
                .map_err(postgres::map_err),
        }
    }

    async fn read(&self) -> Result<Tx, StoreError> {
        match self {
            Db::Sqlite(db) => db.read().await.map(Tx::Sqlite),
            // READ ONLY: PostgreSQL refuses any write in it (ready to point at a replica).
            Db::Postgres(pool) => pool
                .begin_with("begin transaction read only")
                .await
                .map(|t| Tx::Postgres(PgTx(t, true)))
                .map_err(postgres::map_err),
        }
    }

    async fn token_principal(
        &self,
        token_hash: &str,
    ) -> Result<Option<(UserRecord, Vec<MandateRecord>)>, StoreError> {
        match self {
            Db::Sqlite(db) => {
                let mut tx = db.read().await?;
                let Some(user) = tx.user_by_token_hash(token_hash)? else {
                    return Ok(None);
                };
                let mandates = tx.mandates_of(user.id)?;
                Ok(Some((user, mandates)))
            }
            Db::Postgres(pool) => postgres::token_principal(pool, token_hash).await,
        }
    }
}

/// Calls the same method on either backend's transaction (SQLite's are synchronous).
macro_rules! forward {
    ($tx:expr, $m:ident ( $($a:expr),* )) => {
        match $tx {
            Tx::Sqlite(t) => t.$m($($a),*),
            Tx::Postgres(t) => t.$m($($a),*).await,
        }
    };
}

impl Tx {
    /// Creates the migrations table if needed; the applied versions and their checksums.
    pub(crate) async fn applied_migrations(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        forward!(self, applied_migrations())
    }

    /// Runs one migration script and records it, in this transaction.
    pub(crate) async fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        forward!(self, apply_migration(sql, m, checksum))
    }
}

impl KernelTx for Tx {
    async fn commit(self) -> Result<(), StoreError> {
        forward!(self, commit())
    }

    async fn clock(&mut self) -> Result<Option<Date>, StoreError> {
        forward!(self, clock())
    }

    async fn set_clock(&mut self, date: Date) -> Result<(), StoreError> {
        forward!(self, set_clock(date))
    }

    async fn audit_stream(&mut self, stream: &str) -> Result<Vec<AuditRecord>, StoreError> {
        forward!(self, audit_stream(stream))
    }

    async fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
    ) -> Result<Option<IdempotentAnswer>, StoreError> {
        forward!(self, idempotent_answer(scope, key))
    }

    async fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        answer: &IdempotentAnswer,
        on: Date,
    ) -> Result<(), StoreError> {
        forward!(self, save_idempotent_answer(scope, key, answer, on))
    }

    async fn key_of(&mut self, kind: Keyed, id: i64) -> Result<Option<String>, StoreError> {
        forward!(self, key_of(kind, id))
    }

    async fn audit_head(&mut self, stream: &str) -> Result<Option<(i64, String)>, StoreError> {
        forward!(self, audit_head(stream))
    }

    async fn append_audit(&mut self, record: &AuditRecord) -> Result<(), StoreError> {
        forward!(self, append_audit(record))
    }

    async fn command_result(&mut self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        forward!(self, command_result(key))
    }

    async fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        forward!(self, save_command_result(key, request_hash, answer))
    }
}

impl WalletTx for Tx {
    async fn next_application_id(&mut self) -> Result<i64, StoreError> {
        forward!(self, next_application_id())
    }

    async fn application_by_key(&mut self, key: &str) -> Result<Option<Application>, StoreError> {
        forward!(self, application_by_key(key))
    }

    async fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<Application>, StoreError> {
        forward!(self, application_by_reference(reference))
    }

    async fn application_by_id(&mut self, id: i64) -> Result<Option<Application>, StoreError> {
        forward!(self, application_by_id(id))
    }

    async fn due_applications(&mut self, date: Date) -> Result<Vec<i64>, StoreError> {
        forward!(self, due_applications(date))
    }

    async fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> Result<CommandContext, StoreError> {
        forward!(self, command_context(command_key, application))
    }

    async fn submission_context(
        &mut self,
        query: &SubmissionQuery<'_>,
    ) -> Result<SubmissionContext, StoreError> {
        forward!(self, submission_context(query))
    }

    async fn write(&mut self, writes: &Writes<'_>) -> Result<(), StoreError> {
        forward!(self, write(writes))
    }

    async fn insert_transfers(&mut self, transfers: &[Transfer]) -> Result<(), StoreError> {
        forward!(self, insert_transfers(transfers))
    }

    async fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> Result<bool, StoreError> {
        forward!(self, insert_confirmation(application, provider, on))
    }

    async fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> Result<Vec<(i64, Date)>, StoreError> {
        forward!(self, confirmations(provider, application))
    }

    async fn draft(&mut self, key: &str) -> Result<Option<DraftRecord>, StoreError> {
        forward!(self, draft(key))
    }

    async fn save_draft(&mut self, draft: &DraftRecord) -> Result<(), StoreError> {
        forward!(self, save_draft(draft))
    }

    async fn delete_draft(&mut self, key: &str) -> Result<bool, StoreError> {
        forward!(self, delete_draft(key))
    }

    async fn payables_since_watermark(
        &mut self,
    ) -> Result<(i64, Vec<PayableCredit>, i64), StoreError> {
        forward!(self, payables_since_watermark())
    }

    async fn set_payout_watermark(&mut self, seq: i64) -> Result<(), StoreError> {
        forward!(self, set_payout_watermark(seq))
    }
}

impl AccountsTx for Tx {
    async fn insert_user(&mut self, user: &UserRecord) -> Result<i64, StoreError> {
        forward!(self, insert_user(user))
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        forward!(self, user_by_email(email))
    }

    async fn user_by_id(&mut self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        forward!(self, user_by_id(id))
    }

    async fn insert_token(&mut self, token: &TokenRecord, hash: &str) -> Result<i64, StoreError> {
        forward!(self, insert_token(token, hash))
    }

    async fn user_by_token_hash(&mut self, hash: &str) -> Result<Option<UserRecord>, StoreError> {
        forward!(self, user_by_token_hash(hash))
    }

    async fn tokens_of(&mut self, user: i64) -> Result<Vec<TokenRecord>, StoreError> {
        forward!(self, tokens_of(user))
    }

    async fn revoke_token(&mut self, user: i64, token: i64) -> Result<bool, StoreError> {
        forward!(self, revoke_token(user, token))
    }

    async fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        forward!(
            self,
            insert_session(token_hash, user, csrf_token, expires_at)
        )
    }

    async fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        forward!(self, session_user(token_hash, now))
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        forward!(self, delete_session(token_hash))
    }

    async fn insert_letter(
        &mut self,
        letter: &LetterRecord,
        code_hash: &str,
    ) -> Result<i64, StoreError> {
        forward!(self, insert_letter(letter, code_hash))
    }

    async fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> Result<Option<LetterRecord>, StoreError> {
        forward!(self, letter(id, code_hash))
    }

    async fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> Result<(), StoreError> {
        forward!(self, update_letter(id, printed_on, used_on))
    }

    async fn insert_mandate(&mut self, mandate: &MandateRecord) -> Result<i64, StoreError> {
        forward!(self, insert_mandate(mandate))
    }

    async fn mandates_of(&mut self, user: i64) -> Result<Vec<MandateRecord>, StoreError> {
        forward!(self, mandates_of(user))
    }

    async fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        forward!(self, enterprise_mandates(enterprise))
    }

    async fn mandate_by_id(&mut self, id: i64) -> Result<Option<MandateRecord>, StoreError> {
        forward!(self, mandate_by_id(id))
    }

    async fn set_mandate_state(&mut self, id: i64, state: &str) -> Result<(), StoreError> {
        forward!(self, set_mandate_state(id, state))
    }

    async fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        forward!(self, save_calendar_feed(user, token_hash, on))
    }

    async fn calendar_feed_user(&mut self, token_hash: &str) -> Result<Option<i64>, StoreError> {
        forward!(self, calendar_feed_user(token_hash))
    }

    async fn attempt_failures(&mut self, key: &str) -> Result<Option<(i64, i64)>, StoreError> {
        forward!(self, attempt_failures(key))
    }

    async fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        forward!(self, record_attempt_failure(key, now, window))
    }

    async fn clear_attempt_failures(&mut self, key: &str) -> Result<(), StoreError> {
        forward!(self, clear_attempt_failures(key))
    }
}

impl RegistryTx for Tx {
    async fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<EnterpriseRecord>, StoreError> {
        forward!(self, enterprise_by_key(key))
    }

    async fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        forward!(self, insert_enterprise(key, name, profile))
    }

    async fn update_enterprise(
        &mut self,
        id: i64,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<(), StoreError> {
        forward!(self, update_enterprise(id, name, profile))
    }

    async fn provider_by_key(&mut self, key: &str) -> Result<Option<ProviderRecord>, StoreError> {
        forward!(self, provider_by_key(key))
    }

    async fn insert_provider(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        forward!(self, insert_provider(key, name))
    }

    async fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        forward!(self, insert_service(provider, service))
    }

    async fn provider_profile(&mut self, provider: i64) -> Result<ProviderProfile, StoreError> {
        forward!(self, provider_profile(provider))
    }

    async fn save_provider_profile(
        &mut self,
        provider: i64,
        profile: &ProviderProfile,
    ) -> Result<(), StoreError> {
        forward!(self, save_provider_profile(provider, profile))
    }

    async fn insert_listed_service(
        &mut self,
        provider: i64,
        service: &ListedService,
    ) -> Result<i64, StoreError> {
        forward!(self, insert_listed_service(provider, service))
    }

    async fn listed_services(
        &mut self,
        provider: i64,
    ) -> Result<Vec<(i64, ListedService)>, StoreError> {
        forward!(self, listed_services(provider))
    }

    async fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, StoreError> {
        forward!(self, search_providers(name, theme, after, limit))
    }

    async fn find_enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<Option<EnterpriseYear>, StoreError> {
        forward!(self, find_enterprise_year(enterprise, year))
    }

    async fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, StoreError> {
        forward!(self, enterprise_year(enterprise, year))
    }

    async fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> Result<Cents, StoreError> {
        forward!(self, de_minimis_granted(enterprise, after, until))
    }

    async fn registration(
        &mut self,
        provider: i64,
        kind: ServiceKind,
    ) -> Result<Option<Registration>, StoreError> {
        forward!(self, registration(provider, kind))
    }

    async fn save_registration(
        &mut self,
        provider: i64,
        registration: &Registration,
    ) -> Result<(), StoreError> {
        forward!(self, save_registration(provider, registration))
    }

    async fn insert_list_request(
        &mut self,
        request: &ListRequestRecord,
    ) -> Result<i64, StoreError> {
        forward!(self, insert_list_request(request))
    }

    async fn list_request(&mut self, key: &str) -> Result<Option<ListRequestRecord>, StoreError> {
        forward!(self, list_request(key))
    }

    async fn update_list_request(&mut self, request: &ListRequestRecord) -> Result<(), StoreError> {
        forward!(self, update_list_request(request))
    }

    async fn list_requests(
        &mut self,
        provider: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ListRequestRecord>, StoreError> {
        forward!(self, list_requests(provider, limit))
    }

    async fn list_on_occupation_list(
        &mut self,
        provider: i64,
        service: i64,
    ) -> Result<bool, StoreError> {
        forward!(self, list_on_occupation_list(provider, service))
    }
}

impl InsightTx for Tx {
    async fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        forward!(self, applications_page(owner, after, limit))
    }

    async fn statistics(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<StatisticsCell>, StoreError> {
        forward!(self, statistics(from, to))
    }

    async fn provider_payouts(
        &mut self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        forward!(self, provider_payouts(provider, after, limit))
    }

    async fn enterprise_refunds(
        &mut self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        forward!(self, enterprise_refunds(enterprise, after, limit))
    }
}

impl StoreRead for Tx {
    async fn all_transfers(&mut self) -> Result<Vec<Transfer>, StoreError> {
        forward!(self, all_transfers())
    }

    async fn all_applications(&mut self) -> Result<Vec<(String, Application)>, StoreError> {
        forward!(self, all_applications())
    }

    async fn all_enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        forward!(self, all_enterprises())
    }

    async fn all_enterprise_years(&mut self) -> Result<Vec<EnterpriseYear>, StoreError> {
        forward!(self, all_enterprise_years())
    }

    async fn all_audit_records(&mut self) -> Result<Vec<AuditRecord>, StoreError> {
        forward!(self, all_audit_records())
    }
}
