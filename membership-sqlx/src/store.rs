//! The store: a pool, its time budget, SQLite's queue of writers, and the migrations.
//! Commands run through the one transaction of `transaction.rs`, which extends [`Store`]
//! with `execute`; every write transaction begins in `writing.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use membership::Error;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection};

use crate::batch::Queue;
use crate::budget::Budget;
use crate::error::StoreError;
use crate::reader::Readers;
use crate::sql::Backend;

/// A membership store on SQLite or PostgreSQL.
///
/// Every command runs in one transaction: the stream's root row is locked (`FOR UPDATE`
/// on PostgreSQL; SQLite takes the write lock at `BEGIN IMMEDIATE`), the command's read
/// plan runs as indexed point queries, `decide` rules, and the journal, the state tables
/// and the outbox are written before the version is checked and the transaction commits.
/// Serialization failures, deadlocks, SQLite's busy errors and lost connections are
/// retried with jitter, within the command's [`Budget`].
///
/// On SQLite, which has one writer, the process's writers queue for their turn in order
/// (a fair lock) instead of racing into SQLite's busy handler: the write tail stays flat as
/// writers are added. `BEGIN IMMEDIATE` and `busy_timeout` still order this process against
/// others on the same file.
///
/// On an SQLite file, the point reads outside a command ([`member`](Store::member),
/// [`customer_profile`](Store::customer_profile), the access checks) run on the caller's
/// thread on read-only connections of the store's own, never waiting: whatever such a
/// reader cannot answer at once is read through the pool instead. They see every committed
/// write and nothing uncommitted.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) budget: Budget,
    /// SQLite's one writer connection, lent to one write transaction at a time, first come
    /// first served. `None` on PostgreSQL, where row locks order writers, and for a
    /// database in memory, whose one pooled connection is the database.
    pub(crate) writer: Option<Arc<Writer>>,
    /// Read-only connections for point reads on the caller's thread (`reader.rs`): on an
    /// SQLite file only.
    pub(crate) readers: Option<Arc<Readers>>,
    /// Attempts run again because of a conflict, since the store opened.
    pub(crate) retries: Arc<AtomicU64>,
    /// Attempts that met a conflict with another writer, since the store opened.
    pub(crate) conflicts: Arc<AtomicU64>,
}

impl Store {
    /// Opens a store with the default [`Budget`] and brings its schema up to date.
    ///
    /// `url` is `sqlite://path/to/file.db` (created if missing; WAL mode, `synchronous =
    /// FULL`), `sqlite::memory:` (one connection, for tests and examples), or
    /// `postgres://user:password@host/database`.
    ///
    /// # Errors
    ///
    /// `invalid_input` (field `database_url`) for any other scheme; a database error when
    /// it cannot connect or migrate.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, Budget::default()).await
    }

    /// [`open`](Store::open) with a time budget of your own.
    ///
    /// # Errors
    ///
    /// As [`open`](Store::open).
    pub async fn open_with(url: &str, budget: Budget) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::InvalidInput {
                location: membership::Location::Body,
                field: "database_url",
                reason: "must start with sqlite: or postgres:".into(),
            }
            .into());
        };
        let in_memory = url.contains(":memory:");
        let url = match backend {
            Backend::Sqlite if !in_memory && !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let options: AnyConnectOptions = url.parse()?;
        let options = options.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if in_memory { 1 } else { 16 })
            .min_connections(u32::from(in_memory))
            .acquire_timeout(budget.acquire)
            .idle_timeout(if in_memory { None } else { Some(Duration::from_mins(10)) })
            .max_lifetime(if in_memory { None } else { Some(Duration::from_mins(30)) })
            // A pooled SQLite connection is a file handle in this process: nothing can end it
            // from outside, so it is not pinged before each lending (a round trip to its
            // worker thread, as costly as a point read). A PostgreSQL one is, since the
            // server or the network may have ended it while it sat idle.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _| Box::pin(async move { configure(conn, backend, budget).await }))
            // A connection handed back inside a transaction sqlx began (a rollback that
            // failed, as after SQLite rolled back on a full disk by itself) is in a state
            // nobody knows: it is closed, never lent again.
            .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options.clone())
            .await?;
        // Migrations run without PostgreSQL's statement timeout (an index on a large table
        // may take minutes), on a connection closed afterwards so the setting never leaks.
        // (SQLite's busy timeout only bounds waiting for another process.)
        let mut conn = pool.acquire().await?;
        if backend == Backend::Postgres {
            conn.close_on_drop();
            sqlx::raw_sql("SET statement_timeout = 0").execute(&mut *conn).await?;
        }
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&mut *conn).await,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&mut *conn).await,
        }
        .map_err(sqlx::Error::from)?;
        drop(conn);
        // In memory, the pool's one connection is the database: writers and readers share it.
        let on_file = backend == Backend::Sqlite && !in_memory;
        let writer = on_file.then(|| Arc::new(Writer::new(options)));
        let readers = if on_file { readers(&url) } else { None };
        Ok(Store {
            pool,
            backend,
            budget,
            writer,
            readers,
            retries: Arc::new(AtomicU64::new(0)),
            conflicts: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Which database this store runs on.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The store's time budget.
    #[must_use]
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// How many attempts were run again because of a conflict since the store opened: a
    /// measure of contention.
    #[must_use]
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// How many attempts met a conflict with another writer (a stale version, a
    /// serialization failure, a deadlock, a unique violation) since the store opened,
    /// whether run again or answered `stale_write`.
    #[must_use]
    pub fn conflicts(&self) -> u64 {
        self.conflicts.load(Ordering::Relaxed)
    }

    /// The connection pool, for a service's own queries.
    #[must_use]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Readers of the SQLite file `url` names, by its absolute path (the file exists once
/// migrated), so a later change of the working directory cannot point them elsewhere.
#[cfg(feature = "sqlite")]
fn readers(url: &str) -> Option<Arc<Readers>> {
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().ok()?;
    let path = std::fs::canonicalize(options.get_filename()).ok()?;
    Some(Arc::new(Readers::new(path)))
}

/// No readers without SQLite.
#[cfg(not(feature = "sqlite"))]
fn readers(_: &str) -> Option<Arc<Readers>> {
    None
}

/// SQLite's writer: one connection outside the pool, behind a fair lock. Writers queue for
/// it in order instead of racing into SQLite's busy handler (which sleeps in growing steps
/// and lets a late writer overtake an early one); the connection is made on first use and
/// made again after one was closed for an unknown transaction state.
#[derive(Debug)]
pub(crate) struct Writer {
    pub(crate) conn: Arc<tokio::sync::Mutex<Option<AnyConnection>>>,
    pub(crate) options: AnyConnectOptions,
    /// Commands waiting for the writer, run together by the next to take it (`batch.rs`).
    pub(crate) queue: Queue,
}

impl Writer {
    fn new(options: AnyConnectOptions) -> Self {
        Writer { conn: Arc::new(tokio::sync::Mutex::new(None)), options, queue: Queue::default() }
    }
}

/// The settings every connection starts with.
pub(crate) async fn configure(conn: &mut AnyConnection, backend: Backend, budget: Budget) -> Result<(), sqlx::Error> {
    let statement_ms = budget.statement.as_millis();
    let settings = match backend {
        // WAL: readers never block the writer. FULL: a committed command survives a power
        // cut. The busy timeout waits out another process's writer (this process's writers
        // queue before it).
        Backend::Sqlite => vec![
            "PRAGMA journal_mode = WAL".to_owned(),
            "PRAGMA synchronous = FULL".to_owned(),
            format!("PRAGMA busy_timeout = {statement_ms}"),
            "PRAGMA foreign_keys = ON".to_owned(),
        ],
        // A statement, or a transaction whose client went quiet, is ended by the server
        // too, not only abandoned by this process.
        Backend::Postgres => vec![
            format!("SET statement_timeout = {statement_ms}"),
            format!("SET idle_in_transaction_session_timeout = {}", statement_ms.saturating_mul(2)),
        ],
    };
    for setting in settings {
        sqlx::raw_sql(sqlx::AssertSqlSafe(setting)).execute(&mut *conn).await?;
    }
    Ok(())
}
