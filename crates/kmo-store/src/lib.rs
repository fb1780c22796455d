//! Storage for kmo-portefeuille: SQLite (the embedded default) and PostgreSQL, behind the store
//! traits of `kmo-app`, chosen by the URL's scheme.
//!
//! PostgreSQL goes through sqlx (runtime `query` / `query_as` with `FromRow` rows, see
//! [`postgres`]); SQLite through rusqlite on the caller's thread (see [`sqlite`] for why). Both
//! run the same statements, written once in [`sql`] (SQLite's with `?N` parameters and without
//! row locks); each backend implements the store traits on its transaction and keeps only
//! binding and row mapping, and [`Tx`] forwards each trait to the open one. Migrations are
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
mod sql;
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
                t.commit().await
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
                let Some(user) = tx.user_by_token_hash(token_hash).await? else {
                    return Ok(None);
                };
                let mandates = tx.mandates_of(user.id).await?;
                Ok(Some((user, mandates)))
            }
            Db::Postgres(pool) => postgres::token_principal(pool, token_hash).await,
        }
    }
}

impl Tx {
    /// Creates the migrations table if needed; the applied versions and their checksums.
    pub(crate) async fn applied_migrations(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        match self {
            Tx::Sqlite(t) => t.applied_migrations(),
            Tx::Postgres(t) => t.applied_migrations().await,
        }
    }

    /// Runs one migration script and records it, in this transaction.
    pub(crate) async fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.apply_migration(sql, m, checksum),
            Tx::Postgres(t) => t.apply_migration(sql, m, checksum).await,
        }
    }
}

/// Implements a store trait for [`Tx`]: each method calls the same one of the open backend's
/// transaction, which implements the trait itself. One line per method, its signature without
/// `Result<…, StoreError>` (a signature that does not match the trait's is a compile error).
macro_rules! forward {
    (impl $trait:ident for Tx { $(fn $m:ident $params:tt $(-> $r:ty)?;)* }) => {
        impl $trait for Tx {
            $(forward!(@method $trait $m $params $(-> $r)?);)*
        }
    };
    (@method $trait:ident $m:ident (self)) => {
        async fn $m(self) -> Result<(), StoreError> {
            match self {
                Tx::Sqlite(t) => $trait::$m(t).await,
                Tx::Postgres(t) => $trait::$m(t).await,
            }
        }
    };
    (@method $trait:ident $m:ident (&mut self $(, $a:ident: $t:ty)*)) => {
        forward!(@method $trait $m (&mut self $(, $a: $t)*) -> ());
    };
    (@method $trait:ident $m:ident (&mut self $(, $a:ident: $t:ty)*) -> $r:ty) => {
        async fn $m(&mut self $(, $a: $t)*) -> Result<$r, StoreError> {
            match self {
                Tx::Sqlite(t) => $trait::$m(t $(, $a)*).await,
                Tx::Postgres(t) => $trait::$m(t $(, $a)*).await,
            }
        }
    };
}

forward! { impl KernelTx for Tx {
    fn commit(self);
    fn clock(&mut self) -> Option<Date>;
    fn set_clock(&mut self, date: Date);
    fn key_of(&mut self, kind: Keyed, id: i64) -> Option<String>;
    fn idempotent_answer(&mut self, scope: &str, key: &str, not_before: Date) -> Option<IdempotentAnswer>;
    fn purge_idempotent_answers(&mut self, before: Date) -> u64;
    fn save_idempotent_answer(&mut self, scope: &str, key: &str, answer: &IdempotentAnswer, on: Date);
    fn command_result(&mut self, key: &str) -> Option<(String, String)>;
    fn save_command_result(&mut self, key: &str, request_hash: &str, answer: &str);
    fn audit_head(&mut self, stream: &str) -> Option<(i64, String)>;
    fn append_audit(&mut self, record: &AuditRecord);
    fn audit_stream(&mut self, stream: &str) -> Vec<AuditRecord>;
}}

forward! { impl WalletTx for Tx {
    fn next_application_id(&mut self) -> i64;
    fn application_by_key(&mut self, key: &str) -> Option<Application>;
    fn application_by_reference(&mut self, reference: &str) -> Option<Application>;
    fn application_by_id(&mut self, id: i64) -> Option<Application>;
    fn due_applications(&mut self, date: Date) -> Vec<i64>;
    fn command_context(&mut self, command_key: &str, application: AppLookup<'_>) -> CommandContext;
    fn submission_context(&mut self, query: &SubmissionQuery<'_>) -> SubmissionContext;
    fn write(&mut self, writes: &Writes<'_>);
    fn insert_transfers(&mut self, transfers: &[Transfer]);
    fn insert_confirmation(&mut self, application: i64, provider: i64, on: Date) -> bool;
    fn confirmations(&mut self, provider: i64, application: Option<i64>) -> Vec<(i64, Date)>;
    fn draft(&mut self, key: &str) -> Option<DraftRecord>;
    fn save_draft(&mut self, draft: &DraftRecord);
    fn delete_draft(&mut self, key: &str) -> bool;
    fn payables_since_watermark(&mut self) -> (i64, Vec<PayableCredit>, i64);
    fn set_payout_watermark(&mut self, seq: i64);
}}

forward! { impl AccountsTx for Tx {
    fn insert_user(&mut self, user: &UserRecord) -> i64;
    fn user_by_email(&mut self, email: &str) -> Option<UserRecord>;
    fn user_by_id(&mut self, id: i64) -> Option<UserRecord>;
    fn insert_token(&mut self, token: &TokenRecord, hash: &str) -> i64;
    fn user_by_token_hash(&mut self, hash: &str) -> Option<UserRecord>;
    fn tokens_of(&mut self, user: i64) -> Vec<TokenRecord>;
    fn revoke_token(&mut self, user: i64, token: i64) -> bool;
    fn insert_session(&mut self, token_hash: &str, user: i64, csrf_token: &str, expires_at: i64);
    fn session_user(&mut self, token_hash: &str, now: i64) -> Option<(UserRecord, String)>;
    fn delete_session(&mut self, token_hash: &str);
    fn insert_letter(&mut self, letter: &LetterRecord, code_hash: &str) -> i64;
    fn letter(&mut self, id: Option<i64>, code_hash: Option<&str>) -> Option<LetterRecord>;
    fn update_letter(&mut self, id: i64, printed_on: Option<Date>, used_on: Option<Date>);
    fn insert_mandate(&mut self, mandate: &MandateRecord) -> i64;
    fn mandates_of(&mut self, user: i64) -> Vec<MandateRecord>;
    fn enterprise_mandates(&mut self, enterprise: i64) -> Vec<MandateRecord>;
    fn mandate_by_id(&mut self, id: i64) -> Option<MandateRecord>;
    fn set_mandate_state(&mut self, id: i64, state: &str);
    fn save_calendar_feed(&mut self, user: i64, token_hash: &str, on: Date);
    fn calendar_feed_user(&mut self, token_hash: &str) -> Option<i64>;
    fn attempt_failures(&mut self, key: &str) -> Option<(i64, i64)>;
    fn record_attempt_failure(&mut self, key: &str, now: i64, window: i64);
    fn clear_attempt_failures(&mut self, key: &str);
}}

forward! { impl RegistryTx for Tx {
    fn enterprise_by_key(&mut self, key: &str) -> Option<EnterpriseRecord>;
    fn insert_enterprise(&mut self, key: &str, name: &str, profile: &serde_json::Value) -> i64;
    fn update_enterprise(&mut self, id: i64, name: &str, profile: &serde_json::Value);
    fn find_enterprise_year(&mut self, enterprise: i64, year: i32) -> Option<EnterpriseYear>;
    fn enterprise_year(&mut self, enterprise: i64, year: i32) -> EnterpriseYear;
    fn de_minimis_granted(&mut self, enterprise: i64, after: Date, until: Date) -> Cents;
    fn provider_by_key(&mut self, key: &str) -> Option<ProviderRecord>;
    fn insert_provider(&mut self, key: &str, name: &str) -> i64;
    fn insert_service(&mut self, provider: i64, service: &serde_json::Value) -> i64;
    fn provider_profile(&mut self, provider: i64) -> ProviderProfile;
    fn save_provider_profile(&mut self, provider: i64, profile: &ProviderProfile);
    fn insert_listed_service(&mut self, provider: i64, service: &ListedService) -> i64;
    fn listed_services(&mut self, provider: i64) -> Vec<(i64, ListedService)>;
    fn search_providers(&mut self, name: &str, theme: Option<&str>, after: i64, limit: u32) -> Vec<ProviderRecord>;
    fn registration(&mut self, provider: i64, kind: ServiceKind) -> Option<Registration>;
    fn save_registration(&mut self, provider: i64, registration: &Registration);
    fn insert_list_request(&mut self, request: &ListRequestRecord) -> i64;
    fn list_request(&mut self, key: &str) -> Option<ListRequestRecord>;
    fn update_list_request(&mut self, request: &ListRequestRecord);
    fn list_requests(&mut self, provider: Option<i64>, limit: u32) -> Vec<ListRequestRecord>;
    fn list_on_occupation_list(&mut self, provider: i64, service: i64) -> bool;
}}

forward! { impl InsightTx for Tx {
    fn applications_page(&mut self, owner: AppOwner, after: i64, limit: u32) -> Vec<(String, Application)>;
    fn statistics(&mut self, from: Date, to: Date) -> Vec<StatisticsCell>;
    fn provider_payouts(&mut self, provider: i64, after: i64, limit: u32) -> Vec<MoneyOut>;
    fn enterprise_refunds(&mut self, enterprise: i64, after: i64, limit: u32) -> Vec<MoneyOut>;
}}

forward! { impl StoreRead for Tx {
    fn all_transfers(&mut self) -> Vec<Transfer>;
    fn all_applications(&mut self) -> Vec<(String, Application)>;
    fn all_enterprises(&mut self) -> Vec<EnterpriseRecord>;
    fn all_enterprise_years(&mut self) -> Vec<EnterpriseYear>;
    fn all_audit_records(&mut self) -> Vec<AuditRecord>;
}}
