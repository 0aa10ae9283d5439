//! Every write transaction of the store begins here: it waits for SQLite's writer turn,
//! takes a connection, and begins, all within a deadline. A transaction not ended cleanly
//! (cut off by the deadline, a failed commit or rollback, a lost connection, SQLite rolling
//! back by itself on a full disk) closes its connection instead of lending it again.

use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, ConnectOptions};
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use crate::error::StoreError;
use crate::sql::Backend;
use crate::store::{Store, configure};

/// A write transaction under way. Dropped without [`commit`](Writing::commit) or
/// [`rollback`](Writing::rollback) succeeding, its connection is closed: whatever the
/// database holds of the transaction dies with it.
#[derive(Debug)]
pub(crate) struct Writing {
    lease: Lease,
    ended: bool,
    /// When the transaction must have committed.
    deadline: Instant,
}

/// Where the transaction's connection comes from.
#[derive(Debug)]
enum Lease {
    /// A pooled connection (PostgreSQL; SQLite in memory).
    Pooled(PoolConnection<Any>),
    /// SQLite's writer connection, with the turn that lends it (always `Some` while lent).
    Writer(OwnedMutexGuard<Option<AnyConnection>>),
}

impl Store {
    /// Begins a write transaction by `deadline`: SQLite's writer turn (waiting writers hold
    /// no connection) or a pooled connection, then `BEGIN IMMEDIATE` (SQLite: the write
    /// lock now, not at the first write) or `BEGIN`.
    ///
    /// # Errors
    ///
    /// `Unavailable` when the deadline passes first or no connection can be had.
    pub(crate) async fn writing(&self, deadline: Instant) -> Result<Writing, StoreError> {
        match &self.writer {
            Some(writer) => {
                let turn = within(deadline, writer.conn.clone().lock_owned()).await?;
                self.writing_on(turn, deadline).await
            }
            None => self.begin(Lease::Pooled(within(deadline, self.pool.acquire()).await??), deadline).await,
        }
    }

    /// Begins a write transaction on SQLite's writer connection, whose turn the caller
    /// holds; the connection is made first when there is none (on first use, or after one
    /// was closed).
    pub(crate) async fn writing_on(
        &self,
        mut turn: OwnedMutexGuard<Option<AnyConnection>>,
        deadline: Instant,
    ) -> Result<Writing, StoreError> {
        // The writer lives outside the pool, but a store whose pool was closed writes no more.
        if self.pool.is_closed() {
            return Err(StoreError::Unavailable(sqlx::Error::PoolClosed));
        }
        if turn.is_none()
            && let Some(writer) = &self.writer
        {
            let mut conn = within(deadline, writer.options.connect()).await??;
            configure(&mut conn, self.backend, self.budget).await?;
            *turn = Some(conn);
        }
        self.begin(Lease::Writer(turn), deadline).await
    }

    async fn begin(&self, lease: Lease, deadline: Instant) -> Result<Writing, StoreError> {
        let mut writing = Writing { lease, ended: false, deadline };
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        match within(deadline, sqlx::raw_sql(begin).execute(writing.conn()?)).await? {
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
    ///
    /// # Errors
    ///
    /// `Unavailable` (a closed connection) if the writer's turn lent none, which
    /// [`Store::writing`] never does.
    pub(crate) fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        match &mut self.lease {
            Lease::Pooled(conn) => Ok(conn),
            Lease::Writer(turn) => turn.as_mut().ok_or(StoreError::Unavailable(sqlx::Error::PoolClosed)),
        }
    }

    /// Commits by the deadline the transaction began with.
    ///
    /// # Errors
    ///
    /// The database's error, or `Unavailable` when the deadline passed. Either way the
    /// outcome is unknown to this process (the commit may have reached the disk), the
    /// connection is closed, and the caller must not run the command again.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let deadline = self.deadline;
        within(deadline, sqlx::raw_sql("COMMIT").execute(self.conn()?)).await??;
        self.ended = true;
        Ok(())
    }

    /// Rolls back; a rollback that fails closes the connection, and is not an error of its
    /// own: nothing was committed either way.
    pub(crate) async fn rollback(mut self) {
        // A rollback is quick or the connection is gone: a short bound of its own.
        let deadline = Instant::now() + Duration::from_secs(1);
        let Ok(conn) = self.conn() else { return };
        if let Ok(Ok(_)) = within(deadline, sqlx::raw_sql("ROLLBACK").execute(conn)).await {
            self.ended = true;
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        if !self.ended {
            match &mut self.lease {
                Lease::Pooled(conn) => conn.close_on_drop(),
                // Dropped, the connection closes; the next writer makes a new one.
                Lease::Writer(turn) => drop(turn.take()),
            }
        }
    }
}

/// Runs `work` until `deadline`: its result, or `Unavailable` (a timed-out I/O error) when
/// the deadline came first.
pub(crate) async fn within<T>(deadline: Instant, work: impl Future<Output = T>) -> Result<T, StoreError> {
    tokio::time::timeout_at(deadline, work).await.map_err(|_| timed_out())
}

/// The error of a call whose budget ran out.
pub(crate) fn timed_out() -> StoreError {
    StoreError::Unavailable(sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the store's time budget ran out",
    )))
}

/// A write transaction of a service's own on the store's database (its own tables, beside
/// the store's), through the store's one way in: on SQLite it waits its turn for the one
/// writer connection, in order with the store's commands, instead of contending for the
/// database's write lock from a pooled connection (which, under load, answers "database is
/// locked" once its busy timeout passes); on PostgreSQL it is a pooled connection and
/// `BEGIN`. It must commit within the store's command budget ([`Budget::command`](crate::Budget)).
/// Dropped without [`commit`](Self::commit), it is rolled back (its connection closed).
///
/// ```no_run
/// # async fn example(store: &membership_sqlx::Store) -> Result<(), membership_sqlx::StoreError> {
/// let mut tx = store.begin_write().await?;
/// sqlx::query("UPDATE my_table SET seen = 1 WHERE id = $1").bind("42").execute(tx.conn()?).await?;
/// tx.commit().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct WriteTransaction(Writing);

impl Store {
    /// Begins a [`WriteTransaction`] within the store's command budget.
    ///
    /// # Errors
    ///
    /// `Unavailable` when the budget passes before the transaction begins, or the database
    /// cannot be reached.
    pub async fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        Ok(WriteTransaction(self.writing(Instant::now() + self.budget.command).await?))
    }
}

impl WriteTransaction {
    /// The connection, inside the transaction.
    ///
    /// # Errors
    ///
    /// `Unavailable` if the transaction holds no connection (it always does while open).
    pub fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.0.conn()
    }

    /// Commits.
    ///
    /// # Errors
    ///
    /// The database's error, or `Unavailable` past the budget: the outcome is then unknown
    /// (the commit may have reached the disk), and the connection is closed.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await
    }

    /// Rolls back (a rollback that fails closes the connection: nothing was committed).
    pub async fn rollback(self) {
        self.0.rollback().await;
    }
}
