//! The store: a pool and the migrations. Commands run through the one transaction of
//! `transaction.rs`, which extends [`Store`] with `execute`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use membership::Error;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

use crate::error::StoreError;
use crate::sql::Backend;

/// A membership store on SQLite or PostgreSQL.
///
/// Every command runs in one transaction: the stream's root row is locked (`FOR UPDATE`
/// on PostgreSQL; SQLite takes the write lock at `BEGIN IMMEDIATE`), the command's read
/// plan runs as indexed point queries, `decide` rules, and the journal, the state tables
/// and the outbox are written before the version is checked and the transaction commits.
/// Serialization failures, deadlocks and SQLite's busy errors are retried with jitter.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Attempts run again because of a conflict, since the store opened.
    pub(crate) retries: Arc<AtomicU64>,
}

impl Store {
    /// Opens a store and brings its schema up to date.
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
            .idle_timeout(if in_memory { None } else { Some(Duration::from_mins(10)) })
            .max_lifetime(if in_memory { None } else { Some(Duration::from_mins(30)) })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers never block the writer. FULL: a committed command
                        // survives a power cut. The busy timeout waits out another writer.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA busy_timeout = 5000",
                            "PRAGMA foreign_keys = ON",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
        }
        .map_err(sqlx::Error::from)?;
        Ok(Store { pool, backend, retries: Arc::new(AtomicU64::new(0)) })
    }

    /// Which database this store runs on.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many attempts were run again because of a conflict since the store opened: a
    /// measure of contention.
    #[must_use]
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// The connection pool, for a service's own queries.
    #[must_use]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}
