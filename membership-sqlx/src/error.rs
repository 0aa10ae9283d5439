//! What a store call can fail with: a domain error (the rules, a stale write after the
//! retries, a corrupt journal), a stored row the crate cannot read, a database that cannot
//! serve now (unreachable, full, read-only, out of time), or another database failure.

use std::time::Duration;

use membership::{ErrorKind, PolarStatus};

use crate::budget::RETRY_AFTER;

/// Every way a store call can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A rule refused the command, or the store could not write it: `stale_write` when
    /// other writers kept winning through every retry, `corrupt_log` for a journal that
    /// does not replay. Its `kind()` and `code()` are the crate's (docs/rules.md#errors).
    #[error(transparent)]
    Domain(#[from] membership::Error),
    /// A stored row the crate cannot read (a value of the wrong form): restore it from a
    /// backup or repair it.
    #[error("stored row {table} `{key}` is unreadable: {reason}; restore it from a backup or repair it")]
    CorruptRow {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The database cannot serve the call now: it is unreachable, its disk is full, its
    /// file is read-only, or the call's [`Budget`](crate::Budget) ran out. Nothing was
    /// written, unless the connection was lost while committing (then the command was
    /// applied at most once). Retry after [`retry_after`](StoreError::retry_after); the
    /// store recovers by itself once the database does.
    #[error("the database is unavailable ({0}); retry in a moment, and check that it is reachable and has room")]
    Unavailable(#[source] sqlx::Error),
    /// The database failed in a way that waiting will not cure (a constraint, a bad
    /// statement, a corrupt file).
    #[error("the database failed: {0}; check its log")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// Sorts a database error: [`Unavailable`](StoreError::Unavailable) when it says the
    /// database cannot serve now, [`Database`](StoreError::Database) otherwise.
    fn from(error: sqlx::Error) -> Self {
        if unavailable(&error) { StoreError::Unavailable(error) } else { StoreError::Database(error) }
    }
}

/// Whether `error` says the database cannot serve now, rather than that this call is wrong:
/// no connection within the budget, a lost connection, PostgreSQL's connection exceptions
/// (`08…`), insufficient resources (`53…`: disk full, too many connections), shutdown
/// (`57P01`–`57P03`), a statement or lock timeout (`57014`, `55P03`), a read-only server
/// (`25006`); SQLite busy or locked by another process (`5`, `6`), read-only (`8`), an I/O
/// error (`10`), a full disk (`13`), a file it cannot open (`14`).
fn unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => error.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// The database error codes of [`unavailable`]: PostgreSQL's SQLSTATE, or SQLite's
/// extended result code (its low byte is the primary code).
fn unavailable_code(code: &str) -> bool {
    if let Some(sqlite) = sqlite_primary(code) {
        return matches!(sqlite, 5 | 6 | 8 | 10 | 13 | 14);
    }
    ["08", "53", "57P01", "57P02", "57P03", "57014", "55P03", "25006"].iter().any(|prefix| code.starts_with(prefix))
}

impl StoreError {
    /// The stable code: the domain error's, or `corrupt_row` / `database_unavailable` /
    /// `database_error`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Domain(error) => error.code(),
            StoreError::CorruptRow { .. } => "corrupt_row",
            StoreError::Unavailable(_) => "database_unavailable",
            StoreError::Database(_) => "database_error",
        }
    }

    /// The semantic kind; the store's own failures are internal (not the caller's doing).
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Domain(error) => error.kind(),
            StoreError::CorruptRow { .. } | StoreError::Unavailable(_) | StoreError::Database(_) => ErrorKind::Internal,
        }
    }

    /// The HTTP status to answer: the domain error's, 503 when the database is unavailable,
    /// else 500.
    #[must_use]
    pub fn polar_status(&self) -> PolarStatus {
        match self {
            StoreError::Domain(error) => error.polar_status(),
            StoreError::Unavailable(_) => PolarStatus::SERVICE_UNAVAILABLE,
            StoreError::CorruptRow { .. } | StoreError::Database(_) => PolarStatus::INTERNAL_SERVER_ERROR,
        }
    }

    /// How long to wait before retrying: [`RETRY_AFTER`](crate::RETRY_AFTER) when the
    /// database is unavailable, `None` when retrying as it is cannot help.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        matches!(self, StoreError::Unavailable(_)).then_some(RETRY_AFTER)
    }

    /// The domain error, if it is one.
    #[must_use]
    pub fn as_domain(&self) -> Option<&membership::Error> {
        match self {
            StoreError::Domain(error) => Some(error),
            _ => None,
        }
    }
}

/// SQLite's primary result code (the low byte of the extended code sqlx reports), or
/// `None` for PostgreSQL's SQLSTATE.
pub(crate) fn sqlite_primary(code: &str) -> Option<u32> {
    code.parse::<u32>().ok().map(|extended| extended & 0xFF)
}

/// A row that does not read back.
pub(crate) fn corrupt(table: &'static str, key: impl std::fmt::Display, reason: impl std::fmt::Display) -> StoreError {
    StoreError::CorruptRow { table, key: key.to_string(), reason: reason.to_string() }
}
