//! SQLite, the embedded default, through rusqlite on the caller's thread.
//!
//! Why not sqlx here (ARCHITECTURE.md, "Storage"): sqlx-sqlite runs every statement on a worker
//! thread and hands each statement and each row across a channel; on this 2-core VM that costs
//! ~30 µs of thread switching per statement, ten times what SQLite needs to run it, and held
//! `kmo replay` at 480 s. Here a transaction's statements run directly on one connection with
//! cached prepared statements (~36 µs per whole command in a micro-benchmark).
//!
//! One connection per process serves every write transaction in turn: SQLite admits one writer
//! at a time anyway (`BEGIN IMMEDIATE`). Waiting for it is an async mutex (fair, first come first
//! served), so an in-process writer never blocks a runtime thread; only another *process*
//! holding the write lock makes `BEGIN` wait, up to the busy timeout, after which the service
//! sees `StoreError::Conflict` and retries. Reads (`Store::read`: pages, lookups, the token of a
//! request) run on a few reader connections of their own (`query_only`), each a snapshot of the
//! write-ahead log, so a page never queues behind a writer.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use kmo_app::lifecycle::{Application, State};
use kmo_app::registry::{Registration, WorkerStatus};
use kmo_app::store::MoneyOut;
use kmo_app::store::{
    AppLookup, AppOwner, AuditRecord, CommandContext, DraftRecord, EnterpriseRecord,
    EnterpriseYear, IdempotentAnswer, Keyed, LetterRecord, ListRequestRecord, ListedService,
    MandateRecord, PayableCredit, ProviderProfile, ProviderRecord, StatisticsCell, StoreError,
    SubmissionContext, SubmissionQuery, TokenRecord, UserRecord, Writes,
};
use kmo_domain::{Cents, Date, EnterpriseSize, ServiceKind};
use kmo_ledger::Transfer;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, params};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::Migration;
use crate::rows::{
    self, AppRow, AuditRow, EnterpriseRow, RegistrationRow, TransferRow, TransferValues, YearRow,
};

/// Maps a SQLite error: a busy or locked database is a lost race (`Conflict`).
fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            let _ = msg;
            StoreError::Conflict
        }
        rusqlite::Error::SqliteFailure(f, Some(msg)) => {
            StoreError::Database(format!("{msg} ({})", f.extended_code))
        }
        _ => StoreError::Database(e.to_string()),
    }
}

/// An open SQLite database: its one connection.
#[derive(Clone)]
pub struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
    /// Read-only connections for read transactions, taken in turn.
    readers: Arc<[Arc<Mutex<Connection>>]>,
    next_reader: Arc<std::sync::atomic::AtomicUsize>,
    path: PathBuf,
    _checkpointer: Arc<Checkpointer>,
}

/// Copies committed pages from the write-ahead log back into the database file on a thread of
/// its own (`PRAGMA wal_checkpoint(PASSIVE)`, which never blocks a writer), so that commits do
/// not pay for the copy and its fsync. The writer's own automatic checkpoint stays as the
/// fallback that also lets the log restart from its beginning. Stops when the database is
/// dropped.
struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// How often the thread looks for new frames to copy.
    const PERIOD: Duration = Duration::from_millis(10);

    fn start(path: &Path, flags: OpenFlags) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.execute_batch("pragma cache_size = -1024")
            .map_err(map_err)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("kmo-sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Self::PERIOD)
                {
                    // A busy or failed checkpoint is retried at the next period; the writer's
                    // own checkpoint covers for a thread that keeps failing.
                    let _ = conn.query_row("pragma wal_checkpoint(passive)", [], |_| Ok(()));
                }
            })
            .map_err(|e| {
                StoreError::Database(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteDb")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The file a `sqlite://PATH` (or `sqlite:PATH`) URL names, and whether it may be created: yes
/// by default and with `?mode=rwc`, no with `?mode=rw` (the file must exist). Other query
/// parameters are refused rather than ignored.
pub(crate) fn parse_url(url: &str) -> Result<(PathBuf, bool), StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Database(format!("{url:?} is not a sqlite: URL")))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::Database(format!(
            "{url:?} names no file: use sqlite://PATH"
        )));
    }
    let mut create = true;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair {
            "mode=rwc" => create = true,
            "mode=rw" => create = false,
            other => {
                return Err(StoreError::Database(format!(
                    "unsupported SQLite URL parameter {other:?} in {url:?} (known: mode=rw, mode=rwc)"
                )));
            }
        }
    }
    Ok((PathBuf::from(path), create))
}

/// Why a missing file cannot be opened, in words (SQLite itself only says "unable to open
/// database file"); `None` when the file exists or can be created.
fn missing_file(path: &Path, create: bool) -> Option<String> {
    if path.exists() {
        return None;
    }
    if !create {
        return Some(format!(
            "cannot open {}: the file does not exist (the URL says mode=rw; \
             without it the file is created)",
            path.display()
        ));
    }
    // A bare file name has an empty parent: the working directory, which exists.
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty())?;
    if folder.exists() {
        return None;
    }
    Some(format!(
        "cannot create {}: the folder {} does not exist",
        path.display(),
        folder.display()
    ))
}

impl SqliteDb {
    /// Opens the database a `sqlite://` URL names — creating the file when it is missing, unless
    /// the URL says `?mode=rw` — in WAL mode with foreign keys on and a busy timeout. The folder
    /// must exist: a missing one is an error naming it, not a folder created on a typo.
    pub(crate) fn open(url: &str, readers: u32) -> Result<SqliteDb, StoreError> {
        let (path, create) = parse_url(url)?;
        if let Some(reason) = missing_file(&path, create) {
            return Err(StoreError::Database(reason));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(&path, flags)
            .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(map_err)?;
        let mode: String = conn
            .query_row("pragma journal_mode = wal", [], |r| r.get(0))
            .map_err(map_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "{} cannot use write-ahead logging (journal mode {mode})",
                path.display()
            )));
        }
        // NORMAL in WAL mode: a crash of the process loses no committed transaction, a power cut
        // at most the last ones before the next checkpoint. Reads through a memory map; a small
        // page cache (SQLite walks the whole cache at every commit, so a bigger one costs more
        // than it saves; 512 KiB measured best). The writer checkpoints itself only every ~200 MiB of WAL: the
        // [`Checkpointer`] thread copies the WAL back long before, on the other core.
        conn.execute_batch(
            "pragma synchronous = normal; pragma foreign_keys = on; pragma mmap_size = 268435456; \
             pragma cache_size = -512; pragma wal_autocheckpoint = 50000;",
        )
        .map_err(map_err)?;
        conn.set_prepared_statement_cache_capacity(128);
        let checkpointer = Checkpointer::start(&path, flags - OpenFlags::SQLITE_OPEN_CREATE)?;
        let readers = (0..readers.min(READERS_MAX))
            .map(|_| open_reader(&path, flags - OpenFlags::SQLITE_OPEN_CREATE))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteDb {
            conn: Arc::new(Mutex::new(conn)),
            readers: readers.into(),
            next_reader: Arc::default(),
            path,
            _checkpointer: Arc::new(checkpointer),
        })
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE`: the write lock at once).
    pub(crate) async fn begin(&self) -> Result<SqliteTx, StoreError> {
        self.begin_with(false).await
    }

    /// Begins a read transaction on the next reader connection (`BEGIN`, deferred: a snapshot
    /// from its first read on; the connection is `query_only`, so a write in it fails).
    pub(crate) async fn read(&self) -> Result<SqliteTx, StoreError> {
        // A free reader if there is one (starting after the last one handed out, so the
        // readers share the work); else wait for the next in turn.
        let n = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if self.readers.is_empty() {
            // No readers configured: read on the writer's connection (waiting for it).
            return self.begin().await;
        }
        let count = self.readers.len();
        let free = (0..count).find_map(|i| {
            self.readers
                .get((n + i) % count)
                .and_then(|r| Arc::clone(r).try_lock_owned().ok())
        });
        let conn = match free {
            Some(conn) => conn,
            None => {
                let reader = self.readers.get(n % count).unwrap_or(&self.conn);
                Arc::clone(reader).lock_owned().await
            }
        };
        if !conn.is_autocommit() {
            conn.execute_batch("rollback").map_err(map_err)?;
        }
        let tx = SqliteTx {
            conn,
            open: true,
            foreign_keys_off: false,
        };
        tx.conn
            .prepare_cached("begin")
            .and_then(|mut s| s.execute([]))
            .map_err(map_err)?;
        Ok(tx)
    }

    /// Begins a migration's transaction: foreign keys off until [`SqliteTx::commit`] has checked
    /// them (SQLite's procedure for rebuilding a table).
    pub(crate) async fn begin_migration(&self) -> Result<SqliteTx, StoreError> {
        self.begin_with(true).await
    }

    async fn begin_with(&self, foreign_keys_off: bool) -> Result<SqliteTx, StoreError> {
        let conn = Arc::clone(&self.conn).lock_owned().await;
        if !conn.is_autocommit() {
            // A transaction left open by a cancelled caller: undo it before anything else.
            conn.execute_batch("rollback").map_err(map_err)?;
        }
        if foreign_keys_off {
            conn.execute_batch("pragma foreign_keys = off")
                .map_err(map_err)?;
        }
        let tx = SqliteTx {
            conn,
            open: true,
            foreign_keys_off,
        };
        tx.conn
            .prepare_cached("begin immediate")
            .and_then(|mut s| s.execute([]))
            .map_err(map_err)?;
        Ok(tx)
    }
}

/// Reader connections per database at most.
const READERS_MAX: u32 = 64;

/// Opens a reader connection: `query_only`, so nothing is ever written through it.
fn open_reader(path: &Path, flags: OpenFlags) -> Result<Arc<Mutex<Connection>>, StoreError> {
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(map_err)?;
    conn.execute_batch(
        "pragma query_only = on; pragma foreign_keys = on; pragma mmap_size = 268435456; \
         pragma cache_size = -2048;",
    )
    .map_err(map_err)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(Arc::new(Mutex::new(conn)))
}

/// One SQLite transaction; rolled back when dropped without [`SqliteTx::commit`].
pub struct SqliteTx {
    conn: OwnedMutexGuard<Connection>,
    open: bool,
    /// A migration's transaction: foreign keys are back on after it ends.
    foreign_keys_off: bool,
}

impl fmt::Debug for SqliteTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteTx")
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("rollback");
        }
        if self.foreign_keys_off {
            let _ = self.conn.execute_batch("pragma foreign_keys = on");
        }
    }
}

fn app_row(r: &Row<'_>) -> rusqlite::Result<AppRow> {
    Ok(AppRow {
        id: r.get(0)?,
        key: r.get(1)?,
        enterprise_id: r.get(2)?,
        provider_id: r.get(3)?,
        submitted_on: r.get(4)?,
        state: r.get(5)?,
        closed_on: r.get(6)?,
        size: r.get(7)?,
        rate_bp: r.get(8)?,
        rule_set: r.get(9)?,
        eligible_cents: r.get(10)?,
        subsidy_cents: r.get(11)?,
        own_share_cents: r.get(12)?,
        deposited_cents: r.get(13)?,
        paid_own_cents: r.get(14)?,
        paid_subsidy_cents: r.get(15)?,
        refunded_cents: r.get(16)?,
        returned_to_ceiling_cents: r.get(17)?,
        returned_to_budget_cents: r.get(18)?,
        returned_deposits_cents: r.get(19)?,
        deposit_deadline: r.get(20)?,
        payment_deadline: r.get(21)?,
        seq: r.get(22)?,
        blocked_from: r.get(23)?,
        recovered_cents: r.get(24)?,
        recovery_received_cents: r.get(25)?,
        audit_hash: r.get(26)?,
    })
}

fn year_row(r: &Row<'_>) -> rusqlite::Result<YearRow> {
    Ok(YearRow {
        enterprise_id: r.get(0)?,
        year: r.get(1)?,
        size_lock: r.get(2)?,
        ceiling_granted_cents: r.get(3)?,
        ceiling_reserved_cents: r.get(4)?,
    })
}

fn enterprise_row(r: &Row<'_>) -> rusqlite::Result<EnterpriseRow> {
    Ok(EnterpriseRow {
        id: r.get(0)?,
        key: r.get(1)?,
        name: r.get(2)?,
        profile: r.get(3)?,
    })
}

macro_rules! app_query {
    ($where:literal) => {
        concat!(
            "select id, key, enterprise_id, provider_id, submitted_on, state, closed_on, size, rate_bp, rule_set, ",
            "eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, ",
            "returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, seq, ",
            "blocked_from, recovered_cents, recovery_received_cents, audit_hash ",
            "from application ",
            $where
        )
    };
}

impl SqliteTx {
    fn one_app(
        &mut self,
        sql: &str,
        key: &dyn rusqlite::ToSql,
    ) -> Result<Option<Application>, StoreError> {
        let row = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row([key], app_row).optional())
            .map_err(map_err)?;
        row.map(AppRow::into_application).transpose()
    }

    /// Every row of a query, read with `row` and converted with `convert`.
    fn query_rows<R, T>(
        &mut self,
        sql: &str,
        values: impl rusqlite::Params,
        row: impl FnMut(&Row<'_>) -> rusqlite::Result<R>,
        convert: impl Fn(R) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map(values, row)?.collect::<Result<Vec<_>, _>>())
            .map_err(map_err)?;
        rows.into_iter().map(convert).collect()
    }

    fn execute(&mut self, sql: &str, values: &[&dyn rusqlite::ToSql]) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.execute(values))
            .map_err(map_err)
    }

    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        if self.foreign_keys_off {
            let dangling: i64 = self
                .conn
                .query_row("select count(*) from pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .map_err(map_err)?;
            if dangling != 0 {
                return Err(StoreError::Corrupt(format!(
                    "the migration leaves {dangling} rows whose foreign keys point nowhere"
                )));
            }
        }
        self.conn
            .prepare_cached("commit")
            .and_then(|mut s| s.execute([]))
            .map_err(map_err)?;
        self.open = false;
        Ok(())
    }

    /// Creates the migrations table if needed and returns the applied versions and checksums.
    pub(crate) fn applied_migrations(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        self.conn
            .execute_batch(crate::migrate::CREATE_MIGRATION_TABLE)
            .map_err(map_err)?;
        let mut stmt = self
            .conn
            .prepare("select version, checksum from kmo_migration order by version")
            .map_err(map_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(map_err)?;
        Ok(rows)
    }

    pub(crate) fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(map_err)?;
        self.execute(
            "insert into kmo_migration (version, name, checksum) values (?1, ?2, ?3)",
            params![m.version, m.name, checksum],
        )?;
        Ok(())
    }

    pub(crate) fn execute_script(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(map_err)
    }

    /// Every table's columns (for the test that keeps both backends' schemas in step).
    pub(crate) fn schema_columns(&mut self) -> Result<BTreeSet<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p \
                 where m.type = 'table' and m.name not like 'sqlite_%'",
            )
            .map_err(map_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(map_err)?;
        Ok(rows)
    }

    pub(crate) fn clock(&mut self) -> Result<Option<Date>, StoreError> {
        let clock: Option<String> = self
            .conn
            .prepare_cached("select clock from platform_state where id = 1")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(map_err)?;
        clock.map(|c| rows::date(&c)).transpose()
    }

    pub(crate) fn set_clock(&mut self, date: Date) -> Result<(), StoreError> {
        self.execute(
            "update platform_state set clock = ?1 where id = 1",
            params![date.to_string()],
        )?;
        Ok(())
    }

    pub(crate) fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<EnterpriseRecord>, StoreError> {
        let row = self
            .conn
            .prepare_cached("select id, key, name, profile from enterprise where key = ?1")
            .and_then(|mut s| s.query_row([key], enterprise_row).optional())
            .map_err(map_err)?;
        row.map(EnterpriseRow::into_record).transpose()
    }

    fn insert_returning_id(
        &mut self,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(values, |r| r.get(0)))
            .map_err(map_err)
    }

    pub(crate) fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into enterprise (key, name, profile) values (?1, ?2, ?3) returning id",
            params![key, name, profile.to_string()],
        )
    }

    pub(crate) fn provider_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<ProviderRecord>, StoreError> {
        self.conn
            .prepare_cached("select id, key, name from provider where key = ?1")
            .and_then(|mut s| {
                s.query_row([key], |r| {
                    Ok(ProviderRecord {
                        id: r.get(0)?,
                        key: r.get(1)?,
                        name: r.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(map_err)
    }

    pub(crate) fn insert_provider(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into provider (key, name) values (?1, ?2) returning id",
            params![key, name],
        )
    }

    fn users(
        &mut self,
        filter: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<Option<UserRecord>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "select {} from app_user where {filter} = ?1",
                crate::rows::USER_COLUMNS
            ))
            .and_then(|mut s| {
                s.query_row([value], |r| {
                    Ok(crate::rows::UserRow {
                        id: r.get(0)?,
                        email: r.get(1)?,
                        name: r.get(2)?,
                        password_hash: r.get(3)?,
                        role: r.get(4)?,
                        provider_id: r.get(5)?,
                        created_on: r.get(6)?,
                    })
                })
                .optional()
            })
            .map_err(map_err)?;
        row.map(crate::rows::UserRow::into_record).transpose()
    }

    pub(crate) fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        let (sql, id) = match owner {
            AppOwner::Enterprise(id) => (
                app_query!("where enterprise_id = ?1 and id > ?2 order by id limit ?3"),
                id,
            ),
            AppOwner::Provider(id) => (
                app_query!("where provider_id = ?1 and id > ?2 order by id limit ?3"),
                id,
            ),
            // ?1 is unused (always 0): every list takes the same three parameters.
            AppOwner::AwaitingDeposit => (
                app_query!("where state = 'submitted' and ?1 = 0 and id > ?2 order by id limit ?3"),
                0,
            ),
        };
        self.query_rows(sql, params![id, after, limit], app_row, |r| {
            let key = r.key.clone();
            r.into_application().map(|a| (key, a))
        })
    }

    pub(crate) fn update_enterprise(
        &mut self,
        id: i64,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.execute(
            "update enterprise set name = ?2, profile = ?3 where id = ?1",
            params![id, name, profile.to_string()],
        )?;
        Ok(())
    }

    pub(crate) fn statistics(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<StatisticsCell>, StoreError> {
        self.query_rows(
            "select substr(a.submitted_on, 1, 7), coalesce(s.theme, ''), a.size, count(*), \
             sum(a.subsidy_cents), sum(a.returned_to_budget_cents), sum(a.paid_subsidy_cents) \
             from application a join service s on s.id = a.service_id \
             where a.submitted_on between ?1 and ?2 group by 1, 2, 3 order by 1, 2, 3",
            params![from.to_string(), to.to_string()],
            |r| {
                Ok(StatisticsCell {
                    month: r.get(0)?,
                    theme: r.get(1)?,
                    size: r.get(2)?,
                    applications: r.get(3)?,
                    subsidy_cents: r.get(4)?,
                    returned_cents: r.get(5)?,
                    paid_subsidy_cents: r.get(6)?,
                })
            },
            Ok,
        )
    }

    fn money_out(
        &mut self,
        sql: &str,
        values: impl rusqlite::Params,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        self.query_rows(
            sql,
            values,
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
            |(seq, transfer, application, amount_cents, d)| {
                Ok(MoneyOut {
                    seq,
                    transfer,
                    application,
                    amount_cents,
                    date: crate::rows::date(&d)?,
                })
            },
        )
    }

    pub(crate) fn provider_payouts(
        &mut self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        self.money_out(
            "select seq, id, null, amount_cents, date from ledger_transfer \
             where code = 'provider_paid' and debit_account = ?1 and seq > ?2 order by seq limit ?3",
            params![format!("provider_payable:{provider}"), after, limit],
        )
    }

    pub(crate) fn enterprise_refunds(
        &mut self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        self.money_out(
            "select t.seq, t.id, a.key, t.amount_cents, t.date from ledger_transfer t \
             join application a on a.id = t.application_id \
             where t.code = 'refund_paid' and a.enterprise_id = ?1 and t.seq > ?2 order by t.seq limit ?3",
            params![enterprise, after, limit],
        )
    }

    pub(crate) fn attempt_failures(&mut self, key: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let rows = self.query_rows(
            "select failures, first_at from attempt_failure where key = ?1",
            params![key],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            Ok,
        )?;
        Ok(rows.into_iter().next())
    }

    pub(crate) fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "delete from attempt_failure where first_at <= ?1",
            params![now.saturating_sub(window)],
        )?;
        self.execute(
            "insert into attempt_failure (key, failures, first_at) values (?1, 1, ?2) \
             on conflict (key) do update set failures = attempt_failure.failures + 1",
            params![key, now],
        )?;
        Ok(())
    }

    pub(crate) fn clear_attempt_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.execute("delete from attempt_failure where key = ?1", params![key])?;
        Ok(())
    }

    pub(crate) fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, StoreError> {
        let pattern = format!("%{}%", like_escape(&name.to_lowercase()));
        self.query_rows(
            "select id, key, name from provider p where lower(name) like ?1 escape '\\' \
             and (?2 is null or exists (select 1 from provider_theme t where t.provider_id = p.id and t.theme = ?2)) \
             and id > ?3 order by id limit ?4",
            params![pattern, theme, after, limit],
            |r| {
                Ok(ProviderRecord {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    name: r.get(2)?,
                })
            },
            Ok,
        )
    }

    pub(crate) fn audit_stream(&mut self, stream: &str) -> Result<Vec<AuditRecord>, StoreError> {
        self.query_rows(
            "select stream, seq, kind, actor, date, payload, prev_hash, hash from audit_log where stream = ?1 order by seq",
            [stream],
            audit_row,
            AuditRow::into_record,
        )
    }

    pub(crate) fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
    ) -> Result<Option<IdempotentAnswer>, StoreError> {
        self.conn
            .prepare_cached(
                "select request_hash, status, body from idempotency_key where scope = ?1 and key = ?2",
            )
            .and_then(|mut s| {
                s.query_row([scope, key], |r| {
                    Ok(IdempotentAnswer {
                        request_hash: r.get(0)?,
                        status: r.get(1)?,
                        body: r.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(map_err)
    }

    pub(crate) fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        a: &IdempotentAnswer,
        on: Date,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "insert into idempotency_key (scope, key, request_hash, status, body, created_on) \
                 values (?1, ?2, ?3, ?4, ?5, ?6) on conflict do nothing",
            )
            .and_then(|mut s| {
                s.execute(params![
                    scope,
                    key,
                    a.request_hash,
                    a.status,
                    a.body,
                    on.to_string()
                ])
            })
            .map_err(map_err)?;
        Ok(())
    }

    pub(crate) fn key_of(&mut self, kind: Keyed, id: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(&format!("select key from {} where id = ?1", kind.table()))
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(map_err)
    }

    pub(crate) fn insert_user(&mut self, u: &UserRecord) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into app_user (email, name, password_hash, role, provider_id, created_on) values (?1, ?2, ?3, ?4, ?5, ?6) returning id",
            params![u.email, u.name, u.password_hash, u.role, u.provider, u.created_on.to_string()],
        )
    }

    pub(crate) fn user_by_email(&mut self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        self.users("email", &email)
    }

    pub(crate) fn user_by_id(&mut self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        self.users("id", &id)
    }

    pub(crate) fn insert_token(&mut self, t: &TokenRecord, hash: &str) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into api_token (user_id, name, token_hash, created_on, revoked) values (?1, ?2, ?3, ?4, 0) returning id",
            params![t.user, t.name, hash, t.created_on.to_string()],
        )
    }

    pub(crate) fn user_by_token_hash(
        &mut self,
        hash: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let user: Option<i64> = self
            .conn
            .prepare_cached("select user_id from api_token where token_hash = ?1 and revoked = 0")
            .and_then(|mut s| s.query_row([hash], |r| r.get(0)).optional())
            .map_err(map_err)?;
        match user {
            Some(id) => self.user_by_id(id),
            None => Ok(None),
        }
    }

    pub(crate) fn tokens_of(&mut self, user: i64) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!(
            "select {} from api_token where user_id = ?1 order by id",
            crate::rows::TOKEN_COLUMNS
        );
        self.query_rows(
            &sql,
            [user],
            |r| {
                Ok(crate::rows::TokenRow {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    name: r.get(2)?,
                    created_on: r.get(3)?,
                    revoked: r.get(4)?,
                })
            },
            crate::rows::TokenRow::into_record,
        )
    }

    pub(crate) fn revoke_token(&mut self, user: i64, token: i64) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("update api_token set revoked = 1 where id = ?1 and user_id = ?2")
            .and_then(|mut s| s.execute(params![token, user]))
            .map_err(map_err)?;
        Ok(n == 1)
    }

    pub(crate) fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "insert into web_session (token_hash, user_id, csrf_token, expires_at) values (?1, ?2, ?3, ?4)",
            params![token_hash, user, csrf_token, expires_at],
        )?;
        Ok(())
    }

    pub(crate) fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let found: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "select user_id, csrf_token from web_session where token_hash = ?1 and expires_at > ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![token_hash, now], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(map_err)?;
        match found {
            Some((user, csrf)) => Ok(self.user_by_id(user)?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    pub(crate) fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "delete from web_session where token_hash = ?1",
            params![token_hash],
        )?;
        Ok(())
    }

    pub(crate) fn insert_letter(
        &mut self,
        l: &LetterRecord,
        code_hash: &str,
    ) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into activation_letter (user_id, enterprise_id, code, code_hash, issued_on, valid_until) \
             values (?1, ?2, ?3, ?4, ?5, ?6) returning id",
            params![l.user, l.enterprise, l.code, code_hash, l.issued_on.to_string(), l.valid_until.to_string()],
        )
    }

    pub(crate) fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> Result<Option<LetterRecord>, StoreError> {
        let sql = format!(
            "{} where (?1 is null or id = ?1) and (?2 is null or code_hash = ?2)",
            crate::rows::LETTER_SELECT
        );
        let rows = self.query_rows(
            &sql,
            params![id, code_hash],
            |r| {
                Ok(crate::rows::LetterRow {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    enterprise_id: r.get(2)?,
                    code: r.get(3)?,
                    issued_on: r.get(4)?,
                    valid_until: r.get(5)?,
                    printed_on: r.get(6)?,
                    used_on: r.get(7)?,
                })
            },
            crate::rows::LetterRow::into_record,
        )?;
        Ok(rows.into_iter().next())
    }

    pub(crate) fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> Result<(), StoreError> {
        self.execute(
            "update activation_letter set printed_on = coalesce(?2, printed_on), \
             code = case when ?2 is null then code else null end, used_on = coalesce(?3, used_on) where id = ?1",
            params![id, printed_on.map(|d| d.to_string()), used_on.map(|d| d.to_string())],
        )?;
        Ok(())
    }

    pub(crate) fn insert_mandate(&mut self, m: &MandateRecord) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into mandate (user_id, enterprise_id, scope, valid_from, valid_until, state, granted_by) \
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7) returning id",
            params![
                m.user,
                m.enterprise,
                m.scope,
                m.valid_from.to_string(),
                m.valid_until.map(|d| d.to_string()),
                m.state,
                m.granted_by
            ],
        )
    }

    fn mandates(&mut self, filter: &str, value: i64) -> Result<Vec<MandateRecord>, StoreError> {
        let sql = format!(
            "{} where {filter} = ?1 order by m.id",
            crate::rows::MANDATE_SELECT
        );
        self.query_rows(
            &sql,
            [value],
            |r| {
                Ok(crate::rows::MandateRow {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    enterprise_id: r.get(2)?,
                    enterprise_key: r.get(3)?,
                    scope: r.get(4)?,
                    valid_from: r.get(5)?,
                    valid_until: r.get(6)?,
                    state: r.get(7)?,
                    granted_by: r.get(8)?,
                })
            },
            crate::rows::MandateRow::into_record,
        )
    }

    pub(crate) fn mandates_of(&mut self, user: i64) -> Result<Vec<MandateRecord>, StoreError> {
        self.mandates("m.user_id", user)
    }

    pub(crate) fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        self.mandates("m.enterprise_id", enterprise)
    }

    pub(crate) fn mandate_by_id(&mut self, id: i64) -> Result<Option<MandateRecord>, StoreError> {
        Ok(self.mandates("m.id", id)?.into_iter().next())
    }

    pub(crate) fn set_mandate_state(&mut self, id: i64, state: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("update mandate set state = ?2 where id = ?1")
            .and_then(|mut s| s.execute(params![id, state]))
            .map_err(map_err)?;
        Ok(())
    }

    pub(crate) fn provider_profile(
        &mut self,
        provider: i64,
    ) -> Result<ProviderProfile, StoreError> {
        let (enterprise_number, iban) = self
            .conn
            .prepare_cached("select enterprise_number, iban from provider where id = ?1")
            .and_then(|mut s| s.query_row([provider], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(map_err)?;
        let themes = self.query_rows(
            "select theme from provider_theme where provider_id = ?1 order by theme",
            [provider],
            |r| r.get::<_, String>(0),
            Ok,
        )?;
        Ok(ProviderProfile {
            enterprise_number,
            iban,
            themes,
        })
    }

    pub(crate) fn save_provider_profile(
        &mut self,
        provider: i64,
        profile: &ProviderProfile,
    ) -> Result<(), StoreError> {
        let run = |conn: &Connection, sql: &str, values: &[&dyn rusqlite::ToSql]| {
            conn.prepare_cached(sql)
                .and_then(|mut s| s.execute(values))
                .map_err(map_err)
        };
        run(
            &self.conn,
            "update provider set enterprise_number = ?2, iban = ?3 where id = ?1",
            params![provider, profile.enterprise_number, profile.iban],
        )?;
        run(
            &self.conn,
            "delete from provider_theme where provider_id = ?1",
            params![provider],
        )?;
        for theme in &profile.themes {
            run(
                &self.conn,
                "insert into provider_theme (provider_id, theme) values (?1, ?2)",
                params![provider, theme],
            )?;
        }
        Ok(())
    }

    pub(crate) fn insert_listed_service(
        &mut self,
        provider: i64,
        service: &ListedService,
    ) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into service (provider_id, kind, theme, sub_theme, body, price_cents, on_occupation_list, listed, name) \
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8) returning id",
            params![
                provider,
                service.kind,
                service.theme,
                service.sub_theme,
                crate::rows::listed_body(service),
                service.price.get(),
                i64::from(service.on_occupation_list),
                service.name
            ],
        )
    }

    pub(crate) fn listed_services(
        &mut self,
        provider: i64,
    ) -> Result<Vec<(i64, ListedService)>, StoreError> {
        let sql = format!(
            "select {} from service where provider_id = ?1 and listed = 1 order by id",
            crate::rows::LISTED_COLUMNS
        );
        self.query_rows(
            &sql,
            [provider],
            |r| {
                Ok(crate::rows::ListedRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    theme: r.get(3)?,
                    sub_theme: r.get(4)?,
                    price_cents: r.get(5)?,
                    on_occupation_list: r.get(6)?,
                    body: r.get(7)?,
                })
            },
            crate::rows::ListedRow::into_listed,
        )
    }

    pub(crate) fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let text = |k: &str| service.get(k).and_then(serde_json::Value::as_str);
        self.insert_returning_id(
            "insert into service (provider_id, kind, theme, sub_theme, body) values (?1, ?2, ?3, ?4, ?5) returning id",
            params![
                provider,
                text("kind"),
                text("theme"),
                text("sub_theme"),
                service.to_string()
            ],
        )
    }

    pub(crate) fn find_enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<Option<EnterpriseYear>, StoreError> {
        let sql = "select enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents \
                   from enterprise_year where enterprise_id = ?1 and year = ?2";
        let row = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(params![enterprise, year], year_row).optional())
            .map_err(map_err)?;
        row.map(rows::YearRow::into_year).transpose()
    }

    pub(crate) fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, StoreError> {
        let sql = "insert into enterprise_year (enterprise_id, year) values (?1, ?2) \
                   on conflict (enterprise_id, year) do update set year = excluded.year \
                   returning enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents";
        let row = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(params![enterprise, year], year_row))
            .map_err(map_err)?;
        row.into_year()
    }

    pub(crate) fn save_enterprise_year(&mut self, year: &EnterpriseYear) -> Result<(), StoreError> {
        self.execute(
            "update enterprise_year set size_lock = ?1, ceiling_granted_cents = ?2, ceiling_reserved_cents = ?3 \
             where enterprise_id = ?4 and year = ?5",
            params![
                year.size_lock.map(EnterpriseSize::code),
                year.ceiling_granted.get(),
                year.ceiling_reserved.get(),
                year.enterprise,
                year.year
            ],
        )?;
        Ok(())
    }

    pub(crate) fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> Result<Cents, StoreError> {
        let account = kmo_ledger::AccountKey::DeMinimisGranted { enterprise }.to_string();
        let sql = "select coalesce((select sum(subsidy_cents - returned_to_ceiling_cents - returned_to_budget_cents - recovered_cents) from application \
                   where enterprise_id = ?1 and submitted_on > ?2 and submitted_on <= ?3), 0) \
                   + coalesce((select sum(amount_cents) from ledger_transfer where code = 'de_minimis_external' \
                   and credit_account = ?4 and date > ?2 and date <= ?3), 0)";
        let sum: i64 = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_row(
                    params![enterprise, after.to_string(), until.to_string(), account],
                    |r| r.get(0),
                )
            })
            .map_err(map_err)?;
        Ok(Cents::new(sum))
    }

    pub(crate) fn next_application_id(&mut self) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("select coalesce(max(id), 0) + 1 from application")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(map_err)
    }

    pub(crate) fn insert_application(
        &mut self,
        app: &Application,
        key: &str,
        service: i64,
        reference: &str,
        case: &str,
    ) -> Result<(), StoreError> {
        let sql = "insert into application (id, key, reference, enterprise_id, provider_id, service_id, submitted_on, state, closed_on, size, rate_bp, rule_set, \
                   eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, \
                   returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, case_json, audit_hash) \
                   values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";
        let r = rows::AppValues::of(app);
        self.execute(
            sql,
            params![
                app.id,
                key,
                reference,
                app.enterprise,
                app.provider,
                service,
                r.submitted_on,
                app.state.code(),
                r.closed_on,
                app.size.code(),
                app.rate_bp,
                app.rule_set,
                app.eligible.get(),
                app.subsidy.get(),
                app.own_share.get(),
                app.deposited.get(),
                app.paid_own.get(),
                app.paid_subsidy.get(),
                app.refunded.get(),
                app.returned_to_ceiling.get(),
                app.returned_to_budget.get(),
                app.returned_deposits.get(),
                r.deposit_deadline,
                r.payment_deadline,
                r.lapse_on,
                r.expire_on,
                app.seq,
                case,
                app.audit_hash
            ],
        )?;
        Ok(())
    }

    pub(crate) fn update_application(&mut self, app: &Application) -> Result<(), StoreError> {
        let sql = "update application set state = ?1, closed_on = ?2, deposited_cents = ?3, paid_own_cents = ?4, paid_subsidy_cents = ?5, \
                   refunded_cents = ?6, returned_to_ceiling_cents = ?7, returned_to_budget_cents = ?8, returned_deposits_cents = ?9, seq = ?10, \
                   blocked_from = ?13, recovered_cents = ?14, recovery_received_cents = ?15, audit_hash = ?16 where id = ?11 and seq = ?12";
        let done = self.execute(
            sql,
            params![
                app.state.code(),
                app.closed_on.map(|d| d.to_string()),
                app.deposited.get(),
                app.paid_own.get(),
                app.paid_subsidy.get(),
                app.refunded.get(),
                app.returned_to_ceiling.get(),
                app.returned_to_budget.get(),
                app.returned_deposits.get(),
                app.seq,
                app.id,
                app.seq.saturating_sub(1),
                app.blocked_from.map(State::code),
                app.recovered.get(),
                app.recovery_received.get(),
                app.audit_hash
            ],
        )?;
        // Optimistic check on top of the write lock: the record moved on since it was read.
        if done != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    pub(crate) fn application_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<Application>, StoreError> {
        self.one_app(app_query!("where key = ?1"), &key)
    }

    pub(crate) fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<Application>, StoreError> {
        self.one_app(app_query!("where reference = ?1"), &reference)
    }

    pub(crate) fn application_by_id(&mut self, id: i64) -> Result<Option<Application>, StoreError> {
        self.one_app(app_query!("where id = ?1"), &id)
    }

    pub(crate) fn due_applications(&mut self, date: Date) -> Result<Vec<i64>, StoreError> {
        let sql = "select id from application where state = 'submitted' and lapse_on <= ?1 \
                   union all select id from application where state in ('funded', 'partially_paid') and expire_on <= ?1";
        let mut ids: Vec<i64> = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_map([date.to_string()], |r| r.get(0))
                    .and_then(Iterator::collect)
            })
            .map_err(map_err)?;
        // Two index range scans (a union with `order by` would sort a scan of the table).
        ids.sort_unstable();
        Ok(ids)
    }

    pub(crate) fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> Result<CommandContext, StoreError> {
        let seen = self.command_result(command_key)?;
        let app = match application {
            AppLookup::Key(k) => self.application_by_key(k)?,
            AppLookup::Reference(r) => self.application_by_reference(r)?,
            AppLookup::Nothing => None,
        };
        Ok((seen, app))
    }

    pub(crate) fn submission_context(
        &mut self,
        q: &SubmissionQuery<'_>,
    ) -> Result<SubmissionContext, StoreError> {
        let Some(enterprise) = self.enterprise_by_key(q.enterprise_key)? else {
            return Ok(SubmissionContext {
                enterprise: None,
                key_taken: false,
                year: None,
                de_minimis: Cents::ZERO,
                registration: None,
                next_id: 0,
            });
        };
        let key_taken = self.application_by_key(q.application_key)?.is_some();
        let year = self.enterprise_year(enterprise.id, q.year)?;
        let de_minimis =
            self.de_minimis_granted(enterprise.id, q.de_minimis_after, q.de_minimis_until)?;
        let registration = match (q.provider, q.kind) {
            (Some(p), Some(k)) => self.registration(p, k)?,
            _ => None,
        };
        let next_id = self.next_application_id()?;
        Ok(SubmissionContext {
            enterprise: Some(enterprise),
            key_taken,
            year: Some(year),
            de_minimis,
            registration,
            next_id,
        })
    }

    pub(crate) fn write(&mut self, w: &Writes<'_>) -> Result<(), StoreError> {
        if let Some(n) = &w.new_application {
            let service = self.insert_service(n.application.provider, n.service)?;
            self.insert_application(n.application, n.key, service, n.reference, n.case)?;
            self.insert_participants(n.application.id, n.participants)?;
        }
        if let Some(app) = w.application {
            self.update_application(app)?;
        }
        if let Some(year) = w.enterprise_year {
            self.save_enterprise_year(year)?;
        }
        self.insert_transfers(w.transfers)?;
        if let Some(record) = w.audit {
            self.append_audit(record)?;
        }
        if let Some(c) = &w.command_result {
            self.save_command_result(c.key, c.request_hash, c.answer)?;
        }
        Ok(())
    }

    pub(crate) fn insert_transfers(&mut self, transfers: &[Transfer]) -> Result<(), StoreError> {
        // One multi-row statement per command (a command books a handful of transfers).
        for chunk in transfers.chunks(50) {
            let mut sql = String::from(
                "insert into ledger_transfer (id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date) values ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
            }
            let mut stmt = self.conn.prepare_cached(&sql).map_err(map_err)?;
            let mut n = 0;
            let mut bind = |v: &dyn rusqlite::ToSql| {
                n += 1;
                stmt.raw_bind_parameter(n, v)
            };
            for t in chunk {
                let v = TransferValues::of(t);
                bind(&v.id)
                    .and_then(|()| bind(&v.debit))
                    .and_then(|()| bind(&v.credit))
                    .and_then(|()| bind(&v.amount))
                    .and_then(|()| bind(&v.code))
                    .and_then(|()| bind(&v.kind))
                    .and_then(|()| bind(&v.pending))
                    .and_then(|()| bind(&v.application))
                    .and_then(|()| bind(&v.date))
                    .map_err(map_err)?;
            }
            stmt.raw_execute().map_err(map_err)?;
        }
        Ok(())
    }

    pub(crate) fn audit_head(&mut self, stream: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.conn
            .prepare_cached(
                "select seq, hash from audit_log where stream = ?1 order by seq desc limit 1",
            )
            .and_then(|mut s| {
                s.query_row([stream], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(map_err)
    }

    pub(crate) fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        self.execute(
            "insert into audit_log (stream, seq, kind, actor, date, payload, prev_hash, hash) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                r.stream,
                r.seq,
                r.kind,
                r.actor,
                r.date.to_string(),
                r.payload,
                r.prev_hash,
                r.hash
            ],
        )?;
        Ok(())
    }

    pub(crate) fn registration(
        &mut self,
        provider: i64,
        kind: ServiceKind,
    ) -> Result<Option<Registration>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "select number, state, requested_on, registered_on, valid_until from provider_registration \
                 where provider_id = ?1 and kind = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![provider, kind.code()], |r| {
                    Ok(RegistrationRow {
                        number: r.get(0)?,
                        state: r.get(1)?,
                        requested_on: r.get(2)?,
                        registered_on: r.get(3)?,
                        valid_until: r.get(4)?,
                    })
                })
                .optional()
            })
            .map_err(map_err)?;
        row.map(RegistrationRow::into_registration).transpose()
    }

    pub(crate) fn save_registration(
        &mut self,
        provider: i64,
        r: &Registration,
    ) -> Result<(), StoreError> {
        let sql = "insert into provider_registration (number, provider_id, kind, state, requested_on, registered_on, valid_until) \
                   values (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                   on conflict (number) do update set state = excluded.state, requested_on = excluded.requested_on, \
                   registered_on = excluded.registered_on, valid_until = excluded.valid_until";
        self.execute(
            sql,
            params![
                r.number.to_string(),
                provider,
                r.kind().code(),
                r.state.code(),
                r.requested_on.to_string(),
                r.registered_on.map(|d| d.to_string()),
                r.valid_until.map(|d| d.to_string())
            ],
        )?;
        Ok(())
    }

    pub(crate) fn insert_participants(
        &mut self,
        application: i64,
        participants: &[(String, WorkerStatus)],
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "insert into application_participant (application_id, position, name, worker_status) values (?1, ?2, ?3, ?4)",
            )
            .map_err(map_err)?;
        for (position, (name, status)) in participants.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            stmt.execute(params![application, position, name, status.code()])
                .map_err(map_err)?;
        }
        Ok(())
    }

    pub(crate) fn draft(&mut self, key: &str) -> Result<Option<DraftRecord>, StoreError> {
        let row: Option<(String, i64, String, String)> = self
            .conn
            .prepare_cached(
                "select key, enterprise_id, body, saved_on from application_draft where key = ?1",
            )
            .and_then(|mut s| {
                s.query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()
            })
            .map_err(map_err)?;
        row.map(|(key, enterprise, body, saved_on)| {
            Ok(DraftRecord {
                key,
                enterprise,
                body,
                saved_on: rows::date(&saved_on)?,
            })
        })
        .transpose()
    }

    pub(crate) fn save_draft(&mut self, d: &DraftRecord) -> Result<(), StoreError> {
        self.execute(
            "insert into application_draft (key, enterprise_id, body, saved_on) values (?1, ?2, ?3, ?4) \
             on conflict (key) do update set enterprise_id = excluded.enterprise_id, body = excluded.body, saved_on = excluded.saved_on",
            params![d.key, d.enterprise, d.body, d.saved_on.to_string()],
        )?;
        Ok(())
    }

    pub(crate) fn delete_draft(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.execute("delete from application_draft where key = ?1", params![key])? == 1)
    }

    pub(crate) fn insert_list_request(&mut self, r: &ListRequestRecord) -> Result<i64, StoreError> {
        self.insert_returning_id(
            "insert into list_request (key, provider_id, service_id, state, body) values (?1, ?2, ?3, ?4, ?5) returning id",
            params![r.key, r.provider, r.service, r.state, r.body],
        )
    }

    fn list_request_rows(
        &mut self,
        sql: &str,
        values: impl rusqlite::Params,
    ) -> Result<Vec<ListRequestRecord>, StoreError> {
        self.query_rows(
            sql,
            values,
            |r| {
                Ok(ListRequestRecord {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    provider: r.get(2)?,
                    service: r.get(3)?,
                    state: r.get(4)?,
                    body: r.get(5)?,
                })
            },
            Ok,
        )
    }

    pub(crate) fn list_request(
        &mut self,
        key: &str,
    ) -> Result<Option<ListRequestRecord>, StoreError> {
        Ok(self
            .list_request_rows(
                "select id, key, provider_id, service_id, state, body from list_request where key = ?1",
                params![key],
            )?
            .into_iter()
            .next())
    }

    pub(crate) fn update_list_request(&mut self, r: &ListRequestRecord) -> Result<(), StoreError> {
        self.execute(
            "update list_request set state = ?2, body = ?3 where id = ?1",
            params![r.id, r.state, r.body],
        )?;
        Ok(())
    }

    pub(crate) fn list_requests(
        &mut self,
        provider: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ListRequestRecord>, StoreError> {
        self.list_request_rows(
            "select id, key, provider_id, service_id, state, body from list_request \
             where ?1 is null or provider_id = ?1 order by id desc limit ?2",
            params![provider, limit],
        )
    }

    pub(crate) fn list_on_occupation_list(
        &mut self,
        provider: i64,
        service: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.execute(
            "update service set on_occupation_list = 1 where id = ?1 and provider_id = ?2 and listed = 1",
            params![service, provider],
        )? == 1)
    }

    pub(crate) fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> Result<bool, StoreError> {
        Ok(self.execute(
            "insert into application_confirmation (application_id, provider_id, confirmed_on) values (?1, ?2, ?3) \
             on conflict (application_id) do nothing",
            params![application, provider, on.to_string()],
        )? == 1)
    }

    pub(crate) fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> Result<Vec<(i64, Date)>, StoreError> {
        self.query_rows(
            "select application_id, confirmed_on from application_confirmation \
             where provider_id = ?1 and (?2 is null or application_id = ?2)",
            params![provider, application],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            |(id, on)| Ok((id, rows::date(&on)?)),
        )
    }

    pub(crate) fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        self.execute(
            "insert into calendar_feed (user_id, token_hash, created_on) values (?1, ?2, ?3) \
             on conflict (user_id) do update set token_hash = excluded.token_hash, created_on = excluded.created_on",
            params![user, token_hash, on.to_string()],
        )?;
        Ok(())
    }

    pub(crate) fn calendar_feed_user(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self
            .query_rows(
                "select user_id from calendar_feed where token_hash = ?1",
                params![token_hash],
                |r| r.get::<_, i64>(0),
                Ok,
            )?
            .into_iter()
            .next())
    }

    pub(crate) fn payables_since_watermark(
        &mut self,
    ) -> Result<(i64, Vec<PayableCredit>, i64), StoreError> {
        // The write lock of this transaction keeps every other writer out: the journal is
        // complete up to its highest seq.
        let (watermark, top): (i64, i64) = self
            .conn
            .query_row(
                "select payout_seq, (select coalesce(max(seq), 0) from ledger_transfer) from platform_state where id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(map_err)?;
        let mut stmt = self
            .conn
            .prepare_cached("select seq, id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date from ledger_transfer where seq > ?1 and (credit_account = 'refunds_payable' or credit_account like 'provider_payable:%') order by seq")
            .map_err(map_err)?;
        let mut rows = stmt.query([watermark]).map_err(map_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(map_err)? {
            let seq: i64 = r.get(0).map_err(map_err)?;
            let row = TransferRow {
                id: r.get(1).map_err(map_err)?,
                debit_account: r.get(2).map_err(map_err)?,
                credit_account: r.get(3).map_err(map_err)?,
                amount_cents: r.get(4).map_err(map_err)?,
                code: r.get(5).map_err(map_err)?,
                kind: r.get(6).map_err(map_err)?,
                pending_id: r.get(7).map_err(map_err)?,
                application_id: r.get(8).map_err(map_err)?,
                date: r.get(9).map_err(map_err)?,
            };
            out.push(PayableCredit {
                seq,
                transfer: row.into_transfer()?,
            });
        }
        Ok((watermark, out, top))
    }

    pub(crate) fn set_payout_watermark(&mut self, seq: i64) -> Result<(), StoreError> {
        self.execute(
            "update platform_state set payout_seq = ?1 where id = 1",
            params![seq],
        )?;
        Ok(())
    }

    pub(crate) fn command_result(
        &mut self,
        key: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        self.conn
            .prepare_cached("select request_hash, answer from command_log where key = ?1")
            .and_then(|mut s| {
                s.query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(map_err)
    }

    pub(crate) fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "insert into command_log (key, request_hash, answer) values (?1, ?2, ?3)",
            params![key, request_hash, answer],
        )?;
        Ok(())
    }

    /// Every row of `table` read by `sql`, converted one by one into a vector sized up front
    /// (these reads hold millions of rows after a replay).
    fn all<R, T>(
        &mut self,
        table: &str,
        sql: &str,
        row: impl Fn(&Row<'_>) -> rusqlite::Result<R>,
        convert: impl Fn(R) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let count: i64 = self
            .conn
            .query_row(&format!("select count(*) from {table}"), [], |r| r.get(0))
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut stmt = self.conn.prepare(sql).map_err(map_err)?;
        let mut rows = stmt.query([]).map_err(map_err)?;
        while let Some(r) = rows.next().map_err(map_err)? {
            out.push(convert(row(r).map_err(map_err)?)?);
        }
        Ok(out)
    }

    pub(crate) fn all_transfers(&mut self) -> Result<Vec<Transfer>, StoreError> {
        self.all(
            "ledger_transfer",
            "select id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date \
             from ledger_transfer order by seq",
            |r| {
                Ok(TransferRow {
                    id: r.get(0)?,
                    debit_account: r.get(1)?,
                    credit_account: r.get(2)?,
                    amount_cents: r.get(3)?,
                    code: r.get(4)?,
                    kind: r.get(5)?,
                    pending_id: r.get(6)?,
                    application_id: r.get(7)?,
                    date: r.get(8)?,
                })
            },
            TransferRow::into_transfer,
        )
    }

    pub(crate) fn all_applications(&mut self) -> Result<Vec<(String, Application)>, StoreError> {
        self.all("application", app_query!("order by id"), app_row, |r| {
            let key = r.key.clone();
            r.into_application().map(|a| (key, a))
        })
    }

    pub(crate) fn all_enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        self.all(
            "enterprise",
            "select id, key, name, profile from enterprise order by id",
            enterprise_row,
            EnterpriseRow::into_record,
        )
    }

    pub(crate) fn all_enterprise_years(&mut self) -> Result<Vec<EnterpriseYear>, StoreError> {
        self.all(
            "enterprise_year",
            "select enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents \
             from enterprise_year order by enterprise_id, year",
            year_row,
            YearRow::into_year,
        )
    }

    pub(crate) fn all_audit_records(&mut self) -> Result<Vec<AuditRecord>, StoreError> {
        self.all(
            "audit_log",
            "select stream, seq, kind, actor, date, payload, prev_hash, hash from audit_log order by stream, seq",
            audit_row,
            AuditRow::into_record,
        )
    }
}

/// Removes a SQLite file and its WAL and shared-memory companions.
pub(crate) fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (escape character `\`).
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        stream: r.get(0)?,
        seq: r.get(1)?,
        kind: r.get(2)?,
        actor: r.get(3)?,
        date: r.get(4)?,
        payload: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]
    use super::*;

    fn fresh_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kmo-sqlite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn open_err(url: &str) -> String {
        match SqliteDb::open(url, 1) {
            Ok(_) => panic!("{url} opened"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_missing_file_is_created_unless_the_url_says_mode_rw() {
        let dir = fresh_dir("create");
        for (name, url_tail) in [("plain", ""), ("rwc", "?mode=rwc")] {
            let path = dir.join(format!("{name}.sqlite3"));
            let db = SqliteDb::open(&format!("sqlite://{}{url_tail}", path.display()), 1).unwrap();
            assert!(path.exists(), "{name}");
            drop(db);
            // And opened again, now that it exists, also with mode=rw.
            SqliteDb::open(&format!("sqlite://{}?mode=rw", path.display()), 1).unwrap();
        }
        let missing = dir.join("rw.sqlite3");
        let err = open_err(&format!("sqlite://{}?mode=rw", missing.display()));
        assert!(
            err.contains(&missing.display().to_string()) && err.contains("does not exist"),
            "{err}"
        );
        assert!(!missing.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it_and_is_not_created() {
        let dir = fresh_dir("folder");
        let folder = dir.join("geen-map");
        let path = folder.join("new.sqlite3");
        let err = open_err(&format!("sqlite://{}", path.display()));
        assert!(
            err.contains(&format!("the folder {} does not exist", folder.display())),
            "{err}"
        );
        assert!(!folder.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn urls_name_a_file_and_only_known_parameters() {
        assert_eq!(
            parse_url("sqlite://data/kmo.sqlite3").unwrap(),
            (PathBuf::from("data/kmo.sqlite3"), true)
        );
        assert_eq!(
            parse_url("sqlite:kmo.sqlite3?mode=rw").unwrap(),
            (PathBuf::from("kmo.sqlite3"), false)
        );
        assert_eq!(
            parse_url("sqlite:///abs/kmo.sqlite3?mode=rw&mode=rwc").unwrap(),
            (PathBuf::from("/abs/kmo.sqlite3"), true)
        );
        assert!(parse_url("sqlite://").is_err());
        assert!(parse_url("sqlite://x.db?cache=shared").is_err());
        // A bare file name lives in the working directory, which exists.
        assert_eq!(missing_file(Path::new("kmo-nieuw.sqlite3"), true), None);
    }
}
