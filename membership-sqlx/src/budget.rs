//! How long the store waits: for a connection, for one statement, for a whole command with
//! its retries. A call that cannot finish within its budget fails with
//! [`StoreError::Unavailable`](crate::StoreError::Unavailable) (a service answers 503 with
//! `Retry-After`), rather than hanging while the database is away.

use std::time::Duration;

/// The store's time budget. [`Budget::default`] suits a service answering people: a
/// connection within 2 s, a statement within 3 s, a command (every retry included) within
/// 5 s.
///
/// ```
/// use std::time::Duration;
/// use membership_sqlx::Budget;
///
/// let patient = Budget { command: Duration::from_secs(20), ..Budget::default() };
/// assert_eq!(patient.acquire, Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// How long a call waits for a pooled connection, connecting included. With the
    /// database down, a read fails after this.
    pub acquire: Duration,
    /// How long one statement may run: PostgreSQL's `statement_timeout`, SQLite's
    /// `busy_timeout` (how long to wait for another process holding the write lock).
    pub statement: Duration,
    /// How long one command may take in all: waiting for its turn to write, every attempt
    /// and every retry after a conflict or a lost connection. Past it the command fails;
    /// a transaction cut off by it is rolled back and its connection closed.
    pub command: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { acquire: Duration::from_secs(2), statement: Duration::from_secs(3), command: Duration::from_secs(5) }
    }
}

/// How long a caller should wait before trying again after
/// [`StoreError::Unavailable`](crate::StoreError::Unavailable): the `Retry-After` a service
/// sends.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);
