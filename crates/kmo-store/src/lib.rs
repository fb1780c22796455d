//! Storage for kmo-portefeuille: SQLite (the embedded default) and PostgreSQL, behind the store
//! traits of `kmo-app`, chosen by the URL's scheme.
//!
//! Queries are runtime `sqlx::query` / `query_as` with `FromRow` rows, written once and run on
//! either backend through [`dispatch!`]; the few statements that differ (row locks, id sequences,
//! how a transaction begins) are chosen per backend. Migrations are embedded per backend and kept
//! in step (a test compares the resulting schemas).
//!
//! Concurrency: on SQLite every write transaction begins `IMMEDIATE` (it takes the database's
//! write lock at once, so two writers queue instead of deadlocking on a lock upgrade); on
//! PostgreSQL a submission locks its enterprise's year row (`SELECT … FOR UPDATE`) and every
//! other command locks its application row, so two submissions for one enterprise are
//! serialised and can never together exceed its ceiling. Lost races surface as
//! `StoreError::Conflict` and the service retries.

mod migrate;
mod rows;
pub mod scratch;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use kmo_app::lifecycle::Application;
use kmo_app::store::{
    AuditRecord, EnterpriseRecord, EnterpriseYear, ProviderRecord, Store, StoreError, StoreRead,
    StoreTx,
};
use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::Transfer;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use migrate::{MIGRATIONS, Migration, migrate};
use rows::{AppRow, AuditRow, EnterpriseRow, ProviderRow, TransferRow, YearRow};

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One open transaction.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Options for [`Db::connect`].
#[derive(Clone, Copy, Debug)]
pub struct ConnectOptions {
    /// Create the SQLite file if it does not exist (only for the default data directory and for
    /// fresh scenario databases: a typo in a URL must not create a new, empty database).
    pub create_sqlite_file: bool,
    pub max_connections: u32,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            create_sqlite_file: false,
            max_connections: 8,
        }
    }
}

/// Maps a database error to the store's error: lost races are `Conflict`.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.to_string()).unwrap_or_default();
        // PostgreSQL: serialization failure, deadlock, unique violation (a concurrent insert).
        // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6), and their extended codes.
        let conflict = matches!(
            code.as_str(),
            "40001" | "40P01" | "23505" | "5" | "6" | "517" | "261" | "262"
        ) || db.message().contains("database is locked");
        if conflict {
            return StoreError::Conflict;
        }
        return StoreError::Database(format!("{} ({code})", db.message()));
    }
    if matches!(e, sqlx::Error::PoolTimedOut) {
        return StoreError::Conflict;
    }
    StoreError::Database(e.to_string())
}

impl Db {
    /// Connects by URL: `sqlite://PATH` or `postgres://…` / `postgresql://…`. Any other scheme
    /// is an error, never a silent fallback.
    pub async fn connect(url: &str, options: ConnectOptions) -> Result<Db, StoreError> {
        match Db::backend_of(url)? {
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Database(format!("{url}: {e}")))?
                    .create_if_missing(options.create_sqlite_file)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Reads through a memory map and a 64 MiB page cache instead of a pread per page.
                    .pragma("mmap_size", "268435456")
                    .pragma("cache_size", "-65536")
                    // Checkpoint every ~40 MiB of WAL rather than 4 MiB: hot pages are copied back less often.
                    .pragma("wal_autocheckpoint", "10000");
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.max_connections.max(1))
                    // An embedded file needs no liveness ping before every transaction.
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await
                    .map_err(|e| StoreError::Database(format!("cannot open {url}: {e}")))?;
                Ok(Db::Sqlite(pool))
            }
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
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Store for Db {
    type Tx = Tx;

    async fn begin(&self) -> Result<Tx, StoreError> {
        match self {
            Db::Sqlite(pool) => pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map(Tx::Sqlite)
                .map_err(map_err),
            Db::Postgres(pool) => pool.begin().await.map(Tx::Postgres).map_err(map_err),
        }
    }
}

/// Runs the same code on either backend: `$c` is the connection.
macro_rules! dispatch {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// `sql` with a row lock on PostgreSQL (SQLite's IMMEDIATE transaction already holds the lock).
fn locked(tx: &Tx, sql: &'static str, sql_for_update: &'static str) -> &'static str {
    match tx {
        Tx::Sqlite(_) => sql,
        Tx::Postgres(_) => sql_for_update,
    }
}

const APP_COLUMNS: &str = "id, key, enterprise_id, provider_id, submitted_on, state, closed_on, size, rate_bp, rule_set, \
     eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, \
     returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, seq";

macro_rules! app_query {
    ($where:literal) => {
        concat!(
            "select id, key, enterprise_id, provider_id, submitted_on, state, closed_on, size, rate_bp, rule_set, ",
            "eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, ",
            "returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, seq ",
            "from application where ",
            $where
        )
    };
}

impl Tx {
    /// Runs one migration script and records it, in this transaction.
    pub(crate) async fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => {
            sqlx::raw_sql(sql).execute(&mut *c).await.map_err(map_err)?;
            sqlx::query("insert into kmo_migration (version, name, checksum) values ($1, $2, $3)")
                .bind(m.version).bind(m.name).bind(checksum).execute(c).await.map_err(map_err)?.rows_affected()
        });
        Ok(())
    }
}

impl StoreTx for Tx {
    async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await.map_err(map_err),
            Tx::Postgres(t) => t.commit().await.map_err(map_err),
        }
    }

    async fn clock(&mut self) -> Result<Option<Date>, StoreError> {
        let clock: Option<String> = dispatch!(self, c => sqlx::query_scalar("select clock from platform_state where id = 1").fetch_one(c).await.map_err(map_err)?);
        clock.map(|c| rows::date(&c)).transpose()
    }

    async fn set_clock(&mut self, date: Date) -> Result<(), StoreError> {
        let d = date.to_string();
        dispatch!(self, c => sqlx::query("update platform_state set clock = $1 where id = 1").bind(&d).execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    async fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<EnterpriseRecord>, StoreError> {
        let row: Option<EnterpriseRow> = dispatch!(self, c => sqlx::query_as("select id, key, name, profile from enterprise where key = $1").bind(key).fetch_optional(c).await.map_err(map_err)?);
        row.map(EnterpriseRow::into_record).transpose()
    }

    async fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let p = profile.to_string();
        let id: i64 = dispatch!(self, c => sqlx::query_scalar("insert into enterprise (key, name, profile) values ($1, $2, $3) returning id").bind(key).bind(name).bind(&p).fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    async fn provider_by_key(&mut self, key: &str) -> Result<Option<ProviderRecord>, StoreError> {
        let row: Option<ProviderRow> = dispatch!(self, c => sqlx::query_as("select id, key, name from provider where key = $1").bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row.map(|r| ProviderRecord {
            id: r.id,
            key: r.key,
            name: r.name,
        }))
    }

    async fn insert_provider(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar("insert into provider (key, name) values ($1, $2) returning id").bind(key).bind(name).fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    async fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let text = |k: &str| {
            service
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let (kind, theme, sub_theme, body) = (
            text("kind"),
            text("theme"),
            text("sub_theme"),
            service.to_string(),
        );
        let id: i64 = dispatch!(self, c => sqlx::query_scalar("insert into service (provider_id, kind, theme, sub_theme, body) values ($1, $2, $3, $4, $5) returning id")
            .bind(provider).bind(&kind).bind(&theme).bind(&sub_theme).bind(&body).fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    async fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, StoreError> {
        // One statement: create the row if needed and return it. On PostgreSQL the upsert's
        // `do update` takes the row lock, which serialises submissions for the enterprise-year.
        let sql = "insert into enterprise_year (enterprise_id, year) values ($1, $2) \
                   on conflict (enterprise_id, year) do update set year = excluded.year \
                   returning enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents";
        let row: YearRow = dispatch!(self, c => sqlx::query_as(sql).bind(enterprise).bind(i64::from(year)).fetch_one(c).await.map_err(map_err)?);
        row.into_year()
    }

    async fn save_enterprise_year(&mut self, year: &EnterpriseYear) -> Result<(), StoreError> {
        let lock = year.size_lock.map(EnterpriseSize::code);
        dispatch!(self, c => sqlx::query("update enterprise_year set size_lock = $1, ceiling_granted_cents = $2, ceiling_reserved_cents = $3 where enterprise_id = $4 and year = $5")
            .bind(lock).bind(year.ceiling_granted.get()).bind(year.ceiling_reserved.get()).bind(year.enterprise).bind(i64::from(year.year))
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    async fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> Result<Cents, StoreError> {
        // Aid of the enterprise's applications (S − returned, dated at submission) plus declared
        // external aid (dated when granted). `kmo ledger check` proves these equal the
        // de-minimis account of the ledger.
        let account = kmo_ledger::AccountKey::DeMinimisGranted { enterprise }.to_string();
        let (a, u) = (after.to_string(), until.to_string());
        let sql = "select cast(coalesce((select sum(subsidy_cents - returned_to_ceiling_cents - returned_to_budget_cents) from application \
                   where enterprise_id = $1 and submitted_on > $2 and submitted_on <= $3), 0) \
                   + coalesce((select sum(amount_cents) from ledger_transfer where code = 'de_minimis_external' \
                   and credit_account = $4 and date > $5 and date <= $6), 0) as bigint)";
        let sum: i64 = dispatch!(self, c => sqlx::query_scalar::<_, i64>(sql).bind(enterprise).bind(&a).bind(&u).bind(&account).bind(&a).bind(&u).fetch_one(c).await.map_err(map_err)?);
        Ok(Cents::new(sum))
    }

    async fn next_application_id(&mut self) -> Result<i64, StoreError> {
        let id: i64 = match self {
            Tx::Sqlite(t) => sqlx::query_scalar("select coalesce(max(id), 0) + 1 from application")
                .fetch_one(&mut **t)
                .await
                .map_err(map_err)?,
            Tx::Postgres(t) => sqlx::query_scalar("select nextval('application_id_seq')")
                .fetch_one(&mut **t)
                .await
                .map_err(map_err)?,
        };
        Ok(id)
    }

    async fn insert_application(
        &mut self,
        app: &Application,
        key: &str,
        service: i64,
        reference: &str,
        case: &str,
    ) -> Result<(), StoreError> {
        let sql = "insert into application (id, key, reference, enterprise_id, provider_id, service_id, submitted_on, state, closed_on, size, rate_bp, rule_set, \
                   eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, \
                   returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, case_json) \
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)";
        let r = rows::AppValues::of(app);
        dispatch!(self, c => sqlx::query(sql)
            .bind(app.id).bind(key).bind(reference).bind(app.enterprise).bind(app.provider).bind(service)
            .bind(&r.submitted_on).bind(app.state.code()).bind(&r.closed_on).bind(app.size.code()).bind(i64::from(app.rate_bp)).bind(&app.rule_set)
            .bind(app.eligible.get()).bind(app.subsidy.get()).bind(app.own_share.get()).bind(app.deposited.get()).bind(app.paid_own.get())
            .bind(app.paid_subsidy.get()).bind(app.refunded.get()).bind(app.returned_to_ceiling.get()).bind(app.returned_to_budget.get())
            .bind(app.returned_deposits.get()).bind(&r.deposit_deadline).bind(&r.payment_deadline).bind(&r.lapse_on).bind(&r.expire_on)
            .bind(i64::from(app.seq)).bind(case)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    async fn update_application(&mut self, app: &Application) -> Result<(), StoreError> {
        let sql = "update application set state = $1, closed_on = $2, deposited_cents = $3, paid_own_cents = $4, paid_subsidy_cents = $5, \
                   refunded_cents = $6, returned_to_ceiling_cents = $7, returned_to_budget_cents = $8, returned_deposits_cents = $9, seq = $10 \
                   where id = $11 and seq = $12";
        let closed = app.closed_on.map(|d| d.to_string());
        let done = dispatch!(self, c => sqlx::query(sql)
            .bind(app.state.code()).bind(&closed).bind(app.deposited.get()).bind(app.paid_own.get()).bind(app.paid_subsidy.get())
            .bind(app.refunded.get()).bind(app.returned_to_ceiling.get()).bind(app.returned_to_budget.get()).bind(app.returned_deposits.get())
            .bind(i64::from(app.seq)).bind(app.id).bind(i64::from(app.seq - 1))
            .execute(c).await.map_err(map_err)?.rows_affected());
        // Optimistic check on top of the row lock: the record moved on since it was read.
        if done != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    async fn application_by_key(&mut self, key: &str) -> Result<Option<Application>, StoreError> {
        let sql = locked(
            self,
            app_query!("key = $1"),
            app_query!("key = $1 for update"),
        );
        let row: Option<AppRow> = dispatch!(self, c => sqlx::query_as(sql).bind(key).fetch_optional(c).await.map_err(map_err)?);
        row.map(AppRow::into_application).transpose()
    }

    async fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<Application>, StoreError> {
        let sql = locked(
            self,
            app_query!("reference = $1"),
            app_query!("reference = $1 for update"),
        );
        let row: Option<AppRow> = dispatch!(self, c => sqlx::query_as(sql).bind(reference).fetch_optional(c).await.map_err(map_err)?);
        row.map(AppRow::into_application).transpose()
    }

    async fn application_by_id(&mut self, id: i64) -> Result<Option<Application>, StoreError> {
        let sql = locked(
            self,
            app_query!("id = $1"),
            app_query!("id = $1 for update"),
        );
        let row: Option<AppRow> = dispatch!(self, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await.map_err(map_err)?);
        row.map(AppRow::into_application).transpose()
    }

    async fn due_applications(&mut self, date: Date) -> Result<Vec<i64>, StoreError> {
        let d = date.to_string();
        let sql = "select id from application where state = 'submitted' and lapse_on <= $1 \
                   union select id from application where state in ('funded', 'partially_paid') and expire_on <= $2 order by 1";
        let ids: Vec<i64> = dispatch!(self, c => sqlx::query_scalar(sql).bind(&d).bind(&d).fetch_all(c).await.map_err(map_err)?);
        Ok(ids)
    }

    async fn insert_transfers(&mut self, transfers: &[Transfer]) -> Result<(), StoreError> {
        // One multi-row statement per command (at most a handful of transfers).
        for chunk in transfers.chunks(50) {
            let mut sql = String::from(
                "insert into ledger_transfer (id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date) values ",
            );
            for i in 0..chunk.len() {
                let b = i * 9;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9
                ));
            }
            let values: Vec<rows::TransferValues> =
                chunk.iter().map(rows::TransferValues::of).collect();
            dispatch!(self, c => {
                let mut q = sqlx::query(&sql);
                for v in &values {
                    q = q.bind(&v.id).bind(&v.debit).bind(&v.credit).bind(v.amount).bind(v.code).bind(v.kind).bind(&v.pending).bind(v.application).bind(&v.date);
                }
                q.execute(c).await.map_err(map_err)?.rows_affected()
            });
        }
        Ok(())
    }

    async fn audit_head(&mut self, stream: &str) -> Result<Option<(i64, String)>, StoreError> {
        let row: Option<(i64, String)> = dispatch!(self, c => sqlx::query_as("select seq, hash from audit_log where stream = $1 order by seq desc limit 1").bind(stream).fetch_optional(c).await.map_err(map_err)?);
        Ok(row)
    }

    async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        let d = r.date.to_string();
        dispatch!(self, c => sqlx::query("insert into audit_log (stream, seq, kind, actor, date, payload, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&r.stream).bind(r.seq).bind(&r.kind).bind(&r.actor).bind(&d).bind(&r.payload).bind(&r.prev_hash).bind(&r.hash)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    async fn registration(
        &mut self,
        provider: i64,
        kind: kmo_domain::ServiceKind,
    ) -> Result<Option<kmo_app::registry::Registration>, StoreError> {
        let row: Option<rows::RegistrationRow> = dispatch!(self, c => sqlx::query_as("select number, state, requested_on, registered_on, valid_until from provider_registration where provider_id = $1 and kind = $2")
            .bind(provider).bind(kind.code()).fetch_optional(c).await.map_err(map_err)?);
        row.map(rows::RegistrationRow::into_registration)
            .transpose()
    }

    async fn save_registration(
        &mut self,
        provider: i64,
        r: &kmo_app::registry::Registration,
    ) -> Result<(), StoreError> {
        let sql = "insert into provider_registration (number, provider_id, kind, state, requested_on, registered_on, valid_until) values ($1, $2, $3, $4, $5, $6, $7) \
                   on conflict (number) do update set state = excluded.state, requested_on = excluded.requested_on, \
                   registered_on = excluded.registered_on, valid_until = excluded.valid_until";
        let (number, requested, registered, until) = (
            r.number.to_string(),
            r.requested_on.to_string(),
            r.registered_on.map(|d| d.to_string()),
            r.valid_until.map(|d| d.to_string()),
        );
        dispatch!(self, c => sqlx::query(sql).bind(&number).bind(provider).bind(r.kind().code()).bind(r.state.code()).bind(&requested).bind(&registered).bind(&until)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    async fn insert_participants(
        &mut self,
        application: i64,
        participants: &[(String, kmo_app::registry::WorkerStatus)],
    ) -> Result<(), StoreError> {
        // One multi-row statement per 100 participants (a training has a handful).
        const CHUNK: usize = 100;
        for (n, chunk) in participants.chunks(CHUNK).enumerate() {
            let mut sql = String::from(
                "insert into application_participant (application_id, position, name, worker_status) values ",
            );
            for i in 0..chunk.len() {
                let b = i * 4;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
            }
            dispatch!(self, c => {
                let mut q = sqlx::query(&sql);
                for (i, (name, status)) in chunk.iter().enumerate() {
                    let position = i64::try_from(n * CHUNK + i).unwrap_or(i64::MAX);
                    q = q.bind(application).bind(position).bind(name).bind(status.code());
                }
                q.execute(c).await.map_err(map_err)?.rows_affected()
            });
        }
        Ok(())
    }

    async fn command_result(&mut self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String)> = dispatch!(self, c => sqlx::query_as("select request_hash, answer from command_log where key = $1").bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row)
    }

    async fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("insert into command_log (key, request_hash, answer) values ($1, $2, $3)").bind(key).bind(request_hash).bind(answer).execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }
}

impl StoreRead for Tx {
    async fn all_transfers(&mut self) -> Result<Vec<Transfer>, StoreError> {
        let rows: Vec<TransferRow> = dispatch!(self, c => sqlx::query_as("select id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date from ledger_transfer order by seq").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(TransferRow::into_transfer).collect()
    }

    async fn all_applications(&mut self) -> Result<Vec<(String, Application)>, StoreError> {
        let sql = format!("select {APP_COLUMNS} from application order by id");
        let rows: Vec<AppRow> =
            dispatch!(self, c => sqlx::query_as(&sql).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(|r| {
                let key = r.key.clone();
                r.into_application().map(|a| (key, a))
            })
            .collect()
    }

    async fn all_enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        let rows: Vec<EnterpriseRow> = dispatch!(self, c => sqlx::query_as("select id, key, name, profile from enterprise order by id").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(EnterpriseRow::into_record).collect()
    }

    async fn all_enterprise_years(&mut self) -> Result<Vec<EnterpriseYear>, StoreError> {
        let rows: Vec<YearRow> = dispatch!(self, c => sqlx::query_as("select enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents from enterprise_year order by enterprise_id, year").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(YearRow::into_year).collect()
    }

    async fn all_audit_records(&mut self) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = dispatch!(self, c => sqlx::query_as("select stream, seq, kind, actor, date, payload, prev_hash, hash from audit_log order by stream, seq").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(AuditRow::into_record).collect()
    }
}
