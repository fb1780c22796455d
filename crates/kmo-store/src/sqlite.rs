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
use kmo_app::store::{
    AccountsTx, AppLookup, AppOwner, AuditRecord, CommandContext, DraftRecord, EnterpriseRecord,
    EnterpriseYear, IdempotentAnswer, InsightTx, KernelTx, Keyed, LetterRecord, ListRequestRecord,
    ListedService, MandateRecord, MoneyOut, PayableCredit, ProviderProfile, ProviderRecord,
    RegistryTx, StatisticsCell, StoreError, StoreRead, SubmissionContext, SubmissionQuery,
    TokenRecord, UserRecord, WalletTx, Writes,
};
use kmo_domain::{Cents, Date, EnterpriseId, EnterpriseSize, ProviderId, ServiceKind};
use kmo_ledger::{AccountKey, Transfer};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Params, Row, ToSql, params};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::Migration;
use crate::rows::{
    self, AppRow, AuditRow, EnterpriseRow, LetterRow, ListedRow, MandateRow, RegistrationRow,
    TokenRow, TransferRow, TransferValues, UserRow, YearRow,
};
use crate::sql;

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

// --- row mapping: a row of a shared statement, read by position ---

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

fn provider_record(r: &Row<'_>) -> rusqlite::Result<ProviderRecord> {
    Ok(ProviderRecord {
        id: ProviderId::new(r.get(0)?),
        key: r.get(1)?,
        name: r.get(2)?,
    })
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

/// A transfer's columns from position `at` on.
fn transfer_row(r: &Row<'_>, at: usize) -> rusqlite::Result<TransferRow> {
    Ok(TransferRow {
        id: r.get(at)?,
        debit_account: r.get(at + 1)?,
        credit_account: r.get(at + 2)?,
        amount_cents: r.get(at + 3)?,
        code: r.get(at + 4)?,
        kind: r.get(at + 5)?,
        pending_id: r.get(at + 6)?,
        application_id: r.get(at + 7)?,
        date: r.get(at + 8)?,
    })
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        password_hash: r.get(3)?,
        role: r.get(4)?,
        provider_id: r.get(5)?,
        created_on: r.get(6)?,
    })
}

fn mandate_row(r: &Row<'_>) -> rusqlite::Result<MandateRow> {
    Ok(MandateRow {
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
}

fn list_request_record(r: &Row<'_>) -> rusqlite::Result<ListRequestRecord> {
    Ok(ListRequestRecord {
        id: r.get(0)?,
        key: r.get(1)?,
        provider: ProviderId::new(r.get(2)?),
        service: r.get(3)?,
        state: r.get(4)?,
        body: r.get(5)?,
    })
}

fn money_out_row(r: &Row<'_>) -> rusqlite::Result<(i64, String, Option<String>, i64, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn money_out(
    (seq, transfer, application, amount_cents, date): (i64, String, Option<String>, i64, String),
) -> Result<MoneyOut, StoreError> {
    Ok(MoneyOut {
        seq,
        transfer,
        application,
        amount_cents,
        date: rows::date(&date)?,
    })
}

impl SqliteTx {
    /// Runs a statement (its text cached, prepared once per connection); the rows it changed.
    fn execute(&self, sql: &str, values: impl Params) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.execute(values))
            .map_err(map_err)
    }

    /// The first row of a query, if any.
    fn optional<T>(
        &self,
        sql: &str,
        values: impl Params,
        row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(values, row).optional())
            .map_err(map_err)
    }

    /// The one row of a query.
    fn one<T>(
        &self,
        sql: &str,
        values: impl Params,
        row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(values, row))
            .map_err(map_err)
    }

    /// Every row of a query, read with `row` and converted with `convert`.
    fn rows<R, T>(
        &self,
        sql: &str,
        values: impl Params,
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

    /// Every row of `table` read by `sql`, converted one by one into a vector sized up front
    /// (these reads hold millions of rows after a replay).
    fn all<R, T>(
        &self,
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

    fn one_app(&self, sql: &str, value: impl ToSql) -> Result<Option<Application>, StoreError> {
        self.optional(sql, [value], app_row)?
            .map(AppRow::into_application)
            .transpose()
    }

    fn insert_application(
        &self,
        app: &Application,
        key: &str,
        service: i64,
        reference: &str,
        case: &str,
    ) -> Result<(), StoreError> {
        let r = rows::AppValues::of(app);
        self.execute(
            sql::INSERT_APPLICATION.sqlite,
            params![
                app.id.get(),
                key,
                reference,
                app.enterprise.get(),
                app.provider.get(),
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
                app.audit_hash,
                service
            ],
        )?;
        Ok(())
    }

    fn insert_participants(
        &self,
        application: i64,
        participants: &[(String, WorkerStatus)],
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql::INSERT_PARTICIPANT.sqlite)
            .map_err(map_err)?;
        for (position, (name, status)) in participants.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            stmt.execute(params![application, position, name, status.code()])
                .map_err(map_err)?;
        }
        Ok(())
    }

    fn update_application(&self, app: &Application) -> Result<(), StoreError> {
        let done = self.execute(
            sql::UPDATE_APPLICATION.sqlite,
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
                app.blocked_from.map(State::code),
                app.recovered.get(),
                app.recovery_received.get(),
                app.audit_hash,
                app.id.get(),
                app.seq.saturating_sub(1)
            ],
        )?;
        // Optimistic check on top of the write lock: the record moved on since it was read.
        if done != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    fn save_enterprise_year(&self, year: &EnterpriseYear) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_ENTERPRISE_YEAR.sqlite,
            params![
                year.size_lock.map(EnterpriseSize::code),
                year.ceiling_granted.get(),
                year.ceiling_reserved.get(),
                year.enterprise.get(),
                year.year
            ],
        )?;
        Ok(())
    }

    /// Creates the migrations table if needed and returns the applied versions and checksums.
    pub(crate) fn applied_migrations(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        self.conn
            .execute_batch(crate::migrate::CREATE_MIGRATION_TABLE)
            .map_err(map_err)?;
        self.rows(
            sql::APPLIED_MIGRATIONS.sqlite,
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
            Ok,
        )
    }

    pub(crate) fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(map_err)?;
        self.execute(
            sql::RECORD_MIGRATION.sqlite,
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
            .prepare(sql::sqlite::SCHEMA_COLUMNS)
            .map_err(map_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(map_err)?;
        Ok(rows)
    }

    /// Prepares a statement without running it (the tests that check every statement).
    #[cfg(test)]
    pub(crate) fn prepare(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.prepare(sql).map(drop).map_err(map_err)
    }
}

impl KernelTx for SqliteTx {
    async fn commit(mut self) -> Result<(), StoreError> {
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
        self.execute("commit", [])?;
        self.open = false;
        Ok(())
    }

    async fn clock(&mut self) -> Result<Option<Date>, StoreError> {
        let clock: Option<String> = self.one(sql::CLOCK.sqlite, [], |r| r.get(0))?;
        clock.map(|c| rows::date(&c)).transpose()
    }

    async fn set_clock(&mut self, date: Date) -> Result<(), StoreError> {
        self.execute(sql::SET_CLOCK.sqlite, [date.to_string()])?;
        Ok(())
    }

    async fn key_of(&mut self, kind: Keyed, id: i64) -> Result<Option<String>, StoreError> {
        self.optional(sql::key_of(kind).sqlite, [id], |r| r.get(0))
    }

    async fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        not_before: Date,
    ) -> Result<Option<IdempotentAnswer>, StoreError> {
        let not_before = not_before.to_string();
        self.optional(
            sql::IDEMPOTENT_ANSWER.sqlite,
            [scope, key, &not_before],
            |r| {
                Ok(IdempotentAnswer {
                    request_hash: r.get(0)?,
                    status: r.get(1)?,
                    body: r.get(2)?,
                })
            },
        )
    }

    async fn purge_idempotent_answers(&mut self, before: Date) -> Result<u64, StoreError> {
        let n = self.execute(
            sql::PURGE_IDEMPOTENT_ANSWERS.sqlite,
            params![before.to_string()],
        )?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    async fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        a: &IdempotentAnswer,
        on: Date,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_IDEMPOTENT_ANSWER.sqlite,
            params![scope, key, a.request_hash, a.status, a.body, on.to_string()],
        )?;
        Ok(())
    }

    async fn command_result(&mut self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        self.optional(sql::COMMAND_RESULT.sqlite, [key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    async fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        self.execute(sql::SAVE_COMMAND_RESULT.sqlite, [key, request_hash, answer])?;
        Ok(())
    }

    async fn audit_head(&mut self, stream: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.optional(sql::AUDIT_HEAD.sqlite, [stream], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        self.execute(
            sql::APPEND_AUDIT.sqlite,
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

    async fn audit_stream(&mut self, stream: &str) -> Result<Vec<AuditRecord>, StoreError> {
        self.rows(
            sql::AUDIT_STREAM.sqlite,
            [stream],
            audit_row,
            AuditRow::into_record,
        )
    }
}

impl WalletTx for SqliteTx {
    async fn next_application_id(&mut self) -> Result<i64, StoreError> {
        self.one(sql::sqlite::NEXT_APPLICATION_ID, [], |r| r.get(0))
    }

    async fn application_by_key(&mut self, key: &str) -> Result<Option<Application>, StoreError> {
        self.one_app(sql::APPLICATION_BY_KEY.sqlite, key)
    }

    async fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<Application>, StoreError> {
        self.one_app(sql::APPLICATION_BY_REFERENCE.sqlite, reference)
    }

    async fn application_by_id(&mut self, id: i64) -> Result<Option<Application>, StoreError> {
        self.one_app(sql::APPLICATION_BY_ID.sqlite, id)
    }

    async fn due_applications(&mut self, date: Date) -> Result<Vec<i64>, StoreError> {
        let mut ids = self.rows(
            sql::DUE_APPLICATIONS.sqlite,
            [date.to_string()],
            |r| r.get(0),
            Ok,
        )?;
        ids.sort_unstable();
        Ok(ids)
    }

    async fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> Result<CommandContext, StoreError> {
        let seen = self.command_result(command_key).await?;
        let app = match application {
            AppLookup::Key(k) => self.application_by_key(k).await?,
            AppLookup::Reference(r) => self.application_by_reference(r).await?,
            AppLookup::Nothing => None,
        };
        Ok((seen, app))
    }

    async fn submission_context(
        &mut self,
        q: &SubmissionQuery<'_>,
    ) -> Result<SubmissionContext, StoreError> {
        let Some(enterprise) = self.enterprise_by_key(q.enterprise_key).await? else {
            return Ok(SubmissionContext {
                enterprise: None,
                key_taken: false,
                year: None,
                de_minimis: Cents::ZERO,
                registration: None,
                next_id: 0,
            });
        };
        let key_taken = self.application_by_key(q.application_key).await?.is_some();
        let year = self.enterprise_year(enterprise.id.get(), q.year).await?;
        let de_minimis = self
            .de_minimis_granted(enterprise.id.get(), q.de_minimis_after, q.de_minimis_until)
            .await?;
        let registration = match (q.provider, q.kind) {
            (Some(p), Some(k)) => self.registration(p.get(), k).await?,
            _ => None,
        };
        let next_id = self.next_application_id().await?;
        Ok(SubmissionContext {
            enterprise: Some(enterprise),
            key_taken,
            year: Some(year),
            de_minimis,
            registration,
            next_id,
        })
    }

    /// The statements of the write one after the other (SQLite runs each on this thread in
    /// microseconds; there is no round trip to save).
    async fn write(&mut self, w: &Writes<'_>) -> Result<(), StoreError> {
        if let Some(n) = &w.new_application {
            let service = self
                .insert_service(n.application.provider.get(), n.service)
                .await?;
            self.insert_application(n.application, n.key, service, n.reference, n.case)?;
            self.insert_participants(n.application.id.get(), n.participants)?;
        }
        if let Some(app) = w.application {
            self.update_application(app)?;
        }
        if let Some(year) = w.enterprise_year {
            self.save_enterprise_year(year)?;
        }
        self.insert_transfers(w.transfers).await?;
        if let Some(record) = w.audit {
            self.append_audit(record).await?;
        }
        if let Some(c) = &w.command_result {
            self.save_command_result(c.key, c.request_hash, c.answer)
                .await?;
        }
        Ok(())
    }

    async fn insert_transfers(&mut self, transfers: &[Transfer]) -> Result<(), StoreError> {
        // One multi-row statement per command (a command books a handful of transfers).
        for chunk in transfers.chunks(sql::TRANSFERS_PER_INSERT_MAX) {
            let sql = sql::insert_transfers(chunk.len(), sql::Dialect::Sqlite);
            let mut stmt = self.conn.prepare_cached(&sql).map_err(map_err)?;
            let mut n = 0;
            let mut bind = |v: &dyn ToSql| {
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

    async fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> Result<bool, StoreError> {
        let n = self.execute(
            sql::INSERT_CONFIRMATION.sqlite,
            params![application, provider, on.to_string()],
        )?;
        Ok(n == 1)
    }

    async fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> Result<Vec<(i64, Date)>, StoreError> {
        self.rows(
            sql::CONFIRMATIONS.sqlite,
            params![provider, application],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            |(id, on)| Ok((id, rows::date(&on)?)),
        )
    }

    async fn draft(&mut self, key: &str) -> Result<Option<DraftRecord>, StoreError> {
        let row: Option<(String, i64, String, String)> =
            self.optional(sql::DRAFT.sqlite, [key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
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
            sql::SAVE_DRAFT.sqlite,
            params![d.key, d.enterprise.get(), d.body, d.saved_on.to_string()],
        )?;
        Ok(())
    }

    async fn delete_draft(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.execute(sql::DELETE_DRAFT.sqlite, [key])? == 1)
    }

    async fn payables_since_watermark(
        &mut self,
    ) -> Result<(i64, Vec<PayableCredit>, i64), StoreError> {
        // The write lock of this transaction keeps every other writer out: the journal is
        // complete up to its highest seq.
        let (watermark, top): (i64, i64) = self.one(sql::PAYOUT_WATERMARK.sqlite, [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        let refunds = AccountKey::RefundsPayable.to_string();
        self.rows(
            sql::PAYABLES_SINCE.sqlite,
            params![watermark, refunds, AccountKey::PROVIDER_PAYABLE_PREFIX],
            |r| Ok((r.get::<_, i64>(0)?, transfer_row(r, 1)?)),
            |(seq, row)| {
                Ok(PayableCredit {
                    seq,
                    transfer: row.into_transfer()?,
                })
            },
        )
        .map(|out| (watermark, out, top))
    }

    async fn set_payout_watermark(&mut self, seq: i64) -> Result<(), StoreError> {
        self.execute(sql::SET_PAYOUT_WATERMARK.sqlite, [seq])?;
        Ok(())
    }
}

impl AccountsTx for SqliteTx {
    async fn insert_user(&mut self, u: &UserRecord) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_USER.sqlite,
            params![
                u.email,
                u.name,
                u.password_hash,
                u.role,
                u.provider.map(ProviderId::get),
                u.created_on.to_string()
            ],
            |r| r.get(0),
        )
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        self.optional(sql::USER_BY_EMAIL.sqlite, [email], user_row)?
            .map(UserRow::into_record)
            .transpose()
    }

    async fn user_by_id(&mut self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        self.optional(sql::USER_BY_ID.sqlite, [id], user_row)?
            .map(UserRow::into_record)
            .transpose()
    }

    async fn insert_token(&mut self, t: &TokenRecord, hash: &str) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_TOKEN.sqlite,
            params![t.user, t.name, hash, t.created_on.to_string()],
            |r| r.get(0),
        )
    }

    async fn user_by_token_hash(&mut self, hash: &str) -> Result<Option<UserRecord>, StoreError> {
        self.optional(sql::USER_BY_TOKEN_HASH.sqlite, [hash], user_row)?
            .map(UserRow::into_record)
            .transpose()
    }

    async fn tokens_of(&mut self, user: i64) -> Result<Vec<TokenRecord>, StoreError> {
        self.rows(
            sql::TOKENS_OF.sqlite,
            [user],
            |r| {
                Ok(TokenRow {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    name: r.get(2)?,
                    created_on: r.get(3)?,
                    revoked: r.get(4)?,
                })
            },
            TokenRow::into_record,
        )
    }

    async fn revoke_token(&mut self, user: i64, token: i64) -> Result<bool, StoreError> {
        Ok(self.execute(sql::REVOKE_TOKEN.sqlite, [token, user])? == 1)
    }

    async fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::INSERT_SESSION.sqlite,
            params![token_hash, user, csrf_token, expires_at],
        )?;
        Ok(())
    }

    async fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let found: Option<(i64, String)> =
            self.optional(sql::SESSION.sqlite, params![token_hash, now], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        match found {
            Some((user, csrf)) => Ok(self.user_by_id(user).await?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.execute(sql::DELETE_SESSION.sqlite, [token_hash])?;
        Ok(())
    }

    async fn insert_letter(
        &mut self,
        l: &LetterRecord,
        code_hash: &str,
    ) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_LETTER.sqlite,
            params![
                l.user,
                l.enterprise.get(),
                l.code,
                code_hash,
                l.issued_on.to_string(),
                l.valid_until.to_string()
            ],
            |r| r.get(0),
        )
    }

    async fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> Result<Option<LetterRecord>, StoreError> {
        let row = self.optional(sql::LETTER.sqlite, params![id, code_hash], |r| {
            Ok(LetterRow {
                id: r.get(0)?,
                user_id: r.get(1)?,
                enterprise_id: r.get(2)?,
                code: r.get(3)?,
                issued_on: r.get(4)?,
                valid_until: r.get(5)?,
                printed_on: r.get(6)?,
                used_on: r.get(7)?,
            })
        })?;
        row.map(LetterRow::into_record).transpose()
    }

    async fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::UPDATE_LETTER.sqlite,
            params![
                id,
                printed_on.map(|d| d.to_string()),
                used_on.map(|d| d.to_string())
            ],
        )?;
        Ok(())
    }

    async fn insert_mandate(&mut self, m: &MandateRecord) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_MANDATE.sqlite,
            params![
                m.user,
                m.enterprise.get(),
                m.scope,
                m.valid_from.to_string(),
                m.valid_until.map(|d| d.to_string()),
                m.state,
                m.granted_by
            ],
            |r| r.get(0),
        )
    }

    async fn mandates_of(&mut self, user: i64) -> Result<Vec<MandateRecord>, StoreError> {
        self.rows(
            sql::MANDATES_OF_USER.sqlite,
            [user],
            mandate_row,
            MandateRow::into_record,
        )
    }

    async fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        self.rows(
            sql::MANDATES_OF_ENTERPRISE.sqlite,
            [enterprise],
            mandate_row,
            MandateRow::into_record,
        )
    }

    async fn mandate_by_id(&mut self, id: i64) -> Result<Option<MandateRecord>, StoreError> {
        self.optional(sql::MANDATE_BY_ID.sqlite, [id], mandate_row)?
            .map(MandateRow::into_record)
            .transpose()
    }

    async fn set_mandate_state(&mut self, id: i64, state: &str) -> Result<(), StoreError> {
        self.execute(sql::SET_MANDATE_STATE.sqlite, params![id, state])?;
        Ok(())
    }

    async fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_CALENDAR_FEED.sqlite,
            params![user, token_hash, on.to_string()],
        )?;
        Ok(())
    }

    async fn calendar_feed_user(&mut self, token_hash: &str) -> Result<Option<i64>, StoreError> {
        self.optional(sql::CALENDAR_FEED_USER.sqlite, [token_hash], |r| r.get(0))
    }

    async fn attempt_failures(&mut self, key: &str) -> Result<Option<(i64, i64)>, StoreError> {
        self.optional(sql::ATTEMPT_FAILURES.sqlite, [key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    async fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::FORGET_PASSED_ATTEMPT_FAILURES.sqlite,
            [now.saturating_sub(window)],
        )?;
        self.execute(sql::COUNT_ATTEMPT_FAILURE.sqlite, params![key, now])?;
        Ok(())
    }

    async fn clear_attempt_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.execute(sql::CLEAR_ATTEMPT_FAILURES.sqlite, [key])?;
        Ok(())
    }
}

impl RegistryTx for SqliteTx {
    async fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<EnterpriseRecord>, StoreError> {
        self.optional(sql::ENTERPRISE_BY_KEY.sqlite, [key], enterprise_row)?
            .map(EnterpriseRow::into_record)
            .transpose()
    }

    async fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_ENTERPRISE.sqlite,
            params![key, name, profile.to_string()],
            |r| r.get(0),
        )
    }

    async fn update_enterprise(
        &mut self,
        id: i64,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::UPDATE_ENTERPRISE.sqlite,
            params![id, name, profile.to_string()],
        )?;
        Ok(())
    }

    async fn find_enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<Option<EnterpriseYear>, StoreError> {
        self.optional(
            sql::FIND_ENTERPRISE_YEAR.sqlite,
            params![enterprise, year],
            year_row,
        )?
        .map(YearRow::into_year)
        .transpose()
    }

    async fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, StoreError> {
        self.one(
            sql::ENTERPRISE_YEAR.sqlite,
            params![enterprise, year],
            year_row,
        )?
        .into_year()
    }

    async fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> Result<Cents, StoreError> {
        let account = AccountKey::DeMinimisGranted { enterprise }.to_string();
        let sum: i64 = self.one(
            sql::DE_MINIMIS_GRANTED.sqlite,
            params![enterprise, after.to_string(), until.to_string(), account],
            |r| r.get(0),
        )?;
        Ok(Cents::new(sum))
    }

    async fn provider_by_key(&mut self, key: &str) -> Result<Option<ProviderRecord>, StoreError> {
        self.optional(sql::PROVIDER_BY_KEY.sqlite, [key], provider_record)
    }

    async fn insert_provider(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        self.one(sql::INSERT_PROVIDER.sqlite, [key, name], |r| r.get(0))
    }

    async fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let text = |k: &str| service.get(k).and_then(serde_json::Value::as_str);
        self.one(
            sql::INSERT_SERVICE.sqlite,
            params![
                provider,
                text("kind"),
                text("theme"),
                text("sub_theme"),
                service.to_string()
            ],
            |r| r.get(0),
        )
    }

    async fn provider_profile(&mut self, provider: i64) -> Result<ProviderProfile, StoreError> {
        let (enterprise_number, iban) =
            self.one(sql::PROVIDER_IDENTITY.sqlite, [provider], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let themes = self.rows(
            sql::PROVIDER_THEMES.sqlite,
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

    async fn save_provider_profile(
        &mut self,
        provider: i64,
        profile: &ProviderProfile,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::sqlite::SAVE_PROVIDER_IDENTITY,
            params![provider, profile.enterprise_number, profile.iban],
        )?;
        self.execute(sql::sqlite::DROP_PROVIDER_THEMES, [provider])?;
        for theme in &profile.themes {
            self.execute(sql::sqlite::INSERT_PROVIDER_THEME, params![provider, theme])?;
        }
        Ok(())
    }

    async fn insert_listed_service(
        &mut self,
        provider: i64,
        service: &ListedService,
    ) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_LISTED_SERVICE.sqlite,
            params![
                provider,
                service.kind,
                service.theme,
                service.sub_theme,
                rows::listed_body(service),
                service.price.get(),
                i64::from(service.on_occupation_list),
                service.name
            ],
            |r| r.get(0),
        )
    }

    async fn listed_services(
        &mut self,
        provider: i64,
    ) -> Result<Vec<(i64, ListedService)>, StoreError> {
        self.rows(
            sql::LISTED_SERVICES.sqlite,
            [provider],
            |r| {
                Ok(ListedRow {
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
            ListedRow::into_listed,
        )
    }

    async fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, StoreError> {
        let pattern = format!("%{}%", sql::like_escape(&name.to_lowercase()));
        self.rows(
            sql::SEARCH_PROVIDERS.sqlite,
            params![pattern, theme, after, limit],
            provider_record,
            Ok,
        )
    }

    async fn registration(
        &mut self,
        provider: i64,
        kind: ServiceKind,
    ) -> Result<Option<Registration>, StoreError> {
        let row = self.optional(
            sql::REGISTRATION.sqlite,
            params![provider, kind.code()],
            |r| {
                Ok(RegistrationRow {
                    number: r.get(0)?,
                    state: r.get(1)?,
                    requested_on: r.get(2)?,
                    registered_on: r.get(3)?,
                    valid_until: r.get(4)?,
                })
            },
        )?;
        row.map(RegistrationRow::into_registration).transpose()
    }

    async fn save_registration(
        &mut self,
        provider: i64,
        r: &Registration,
    ) -> Result<(), StoreError> {
        self.execute(
            sql::SAVE_REGISTRATION.sqlite,
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

    async fn insert_list_request(&mut self, r: &ListRequestRecord) -> Result<i64, StoreError> {
        self.one(
            sql::INSERT_LIST_REQUEST.sqlite,
            params![r.key, r.provider.get(), r.service, r.state, r.body],
            |r| r.get(0),
        )
    }

    async fn list_request(&mut self, key: &str) -> Result<Option<ListRequestRecord>, StoreError> {
        self.optional(sql::LIST_REQUEST.sqlite, [key], list_request_record)
    }

    async fn update_list_request(&mut self, r: &ListRequestRecord) -> Result<(), StoreError> {
        self.execute(
            sql::UPDATE_LIST_REQUEST.sqlite,
            params![r.id, r.state, r.body],
        )?;
        Ok(())
    }

    async fn list_requests(
        &mut self,
        provider: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ListRequestRecord>, StoreError> {
        self.rows(
            sql::LIST_REQUESTS.sqlite,
            params![provider, limit],
            list_request_record,
            Ok,
        )
    }

    async fn list_on_occupation_list(
        &mut self,
        provider: i64,
        service: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.execute(sql::LIST_ON_OCCUPATION_LIST.sqlite, [service, provider])? == 1)
    }
}

impl InsightTx for SqliteTx {
    async fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        let (sql, id) = match owner {
            AppOwner::Enterprise(id) => (sql::APPLICATIONS_OF_ENTERPRISE.sqlite, id.get()),
            AppOwner::Provider(id) => (sql::APPLICATIONS_OF_PROVIDER.sqlite, id.get()),
            AppOwner::AwaitingDeposit => (sql::APPLICATIONS_AWAITING_DEPOSIT.sqlite, 0),
        };
        self.rows(sql, params![id, after, limit], app_row, AppRow::into_keyed)
    }

    async fn statistics(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<StatisticsCell>, StoreError> {
        self.rows(
            sql::STATISTICS.sqlite,
            [from.to_string(), to.to_string()],
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

    async fn provider_payouts(
        &mut self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        let payable = AccountKey::ProviderPayable { provider }.to_string();
        self.rows(
            sql::PROVIDER_PAYOUTS.sqlite,
            params![payable, after, limit],
            money_out_row,
            money_out,
        )
    }

    async fn enterprise_refunds(
        &mut self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        self.rows(
            sql::ENTERPRISE_REFUNDS.sqlite,
            params![enterprise, after, limit],
            money_out_row,
            money_out,
        )
    }
}

impl StoreRead for SqliteTx {
    async fn all_transfers(&mut self) -> Result<Vec<Transfer>, StoreError> {
        self.all(
            "ledger_transfer",
            sql::ALL_TRANSFERS.sqlite,
            |r| transfer_row(r, 0),
            TransferRow::into_transfer,
        )
    }

    async fn all_applications(&mut self) -> Result<Vec<(String, Application)>, StoreError> {
        self.all(
            "application",
            sql::ALL_APPLICATIONS.sqlite,
            app_row,
            AppRow::into_keyed,
        )
    }

    async fn all_enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        self.all(
            "enterprise",
            sql::ALL_ENTERPRISES.sqlite,
            enterprise_row,
            EnterpriseRow::into_record,
        )
    }

    async fn all_enterprise_years(&mut self) -> Result<Vec<EnterpriseYear>, StoreError> {
        self.all(
            "enterprise_year",
            sql::ALL_ENTERPRISE_YEARS.sqlite,
            year_row,
            YearRow::into_year,
        )
    }

    async fn all_audit_records(&mut self) -> Result<Vec<AuditRecord>, StoreError> {
        self.all(
            "audit_log",
            sql::ALL_AUDIT_RECORDS.sqlite,
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
