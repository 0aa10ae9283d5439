//! Every write transaction of the store begins here: it waits for SQLite's writer turn,
//! takes a connection, and begins, all within a deadline. A transaction not ended cleanly
//! (cut off by the deadline, a failed commit or rollback, a lost connection, SQLite rolling
//! back by itself on a full disk) closes its connection instead of lending it again.

use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use crate::error::StoreError;
use crate::sql::Backend;
use crate::store::Store;

/// A write transaction under way. Dropped without [`commit`](Writing::commit) or
/// [`rollback`](Writing::rollback) succeeding, its connection is closed: whatever the
/// database holds of the transaction dies with it.
#[derive(Debug)]
pub(crate) struct Writing {
    conn: PoolConnection<Any>,
    ended: bool,
    /// SQLite's writer turn, held until the transaction ends.
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Store {
    /// Begins a write transaction by `deadline`: SQLite's writer turn first (so waiting
    /// writers hold no connection), then a connection, then `BEGIN IMMEDIATE` (SQLite: the
    /// write lock now, not at the first write) or `BEGIN`.
    ///
    /// # Errors
    ///
    /// `Unavailable` when the deadline passes first or no connection can be had.
    pub(crate) async fn writing(&self, deadline: Instant) -> Result<Writing, StoreError> {
        let turn = match &self.writer {
            Some(writer) => Some(within(deadline, writer.clone().lock_owned()).await?),
            None => None,
        };
        let conn = within(deadline, self.pool.acquire()).await??;
        let mut writing = Writing { conn, ended: false, _turn: turn };
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        match within(deadline, sqlx::raw_sql(begin).execute(&mut *writing.conn)).await? {
            Ok(_) => Ok(writing),
            // The database refused to begin (SQLite busy past its timeout): no transaction
            // is open, the connection is sound.
            Err(error @ sqlx::Error::Database(_)) => {
                writing.ended = true;
                Err(error.into())
            }
            Err(error) => Err(error.into()),
        }
    }
}

impl Writing {
    /// The connection, inside the transaction.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    /// Commits by `deadline`.
    ///
    /// # Errors
    ///
    /// The database's error, or `Unavailable` when the deadline passed. Either way the
    /// outcome is unknown to this process (the commit may have reached the disk), the
    /// connection is closed, and the caller must not run the command again.
    pub(crate) async fn commit(mut self, deadline: Instant) -> Result<(), StoreError> {
        within(deadline, sqlx::raw_sql("COMMIT").execute(&mut *self.conn)).await??;
        self.ended = true;
        Ok(())
    }

    /// Rolls back; a rollback that fails closes the connection, and is not an error of its
    /// own: nothing was committed either way.
    pub(crate) async fn rollback(mut self) {
        // A rollback is quick or the connection is gone: a short bound of its own.
        let deadline = Instant::now() + Duration::from_secs(1);
        if let Ok(Ok(_)) = within(deadline, sqlx::raw_sql("ROLLBACK").execute(&mut *self.conn)).await {
            self.ended = true;
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        if !self.ended {
            self.conn.close_on_drop();
        }
    }
}

/// Runs `work` until `deadline`: its result, or `Unavailable` (a timed-out I/O error) when
/// the deadline came first.
pub(crate) async fn within<T>(deadline: Instant, work: impl Future<Output = T>) -> Result<T, StoreError> {
    tokio::time::timeout_at(deadline, work).await.map_err(|_| {
        StoreError::Unavailable(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the store's time budget ran out",
        )))
    })
}
