//! What a store call can fail with: a domain error (the rules, a stale write after the
//! retries, a corrupt journal), a stored row the crate cannot read, or the database.

use membership::{ErrorKind, PolarStatus};

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
    /// The database failed (connection lost, disk full, …) in a way retrying did not cure.
    #[error("the database failed: {0}; check that it is reachable and has room, then retry")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// The stable code: the domain error's, or `corrupt_row` / `database_error`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Domain(error) => error.code(),
            StoreError::CorruptRow { .. } => "corrupt_row",
            StoreError::Database(_) => "database_error",
        }
    }

    /// The semantic kind; the store's own failures are internal.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Domain(error) => error.kind(),
            StoreError::CorruptRow { .. } | StoreError::Database(_) => ErrorKind::Internal,
        }
    }

    /// The HTTP status Polar would answer: the domain error's, else 500.
    #[must_use]
    pub fn polar_status(&self) -> PolarStatus {
        match self {
            StoreError::Domain(error) => error.polar_status(),
            StoreError::CorruptRow { .. } | StoreError::Database(_) => PolarStatus::INTERNAL_SERVER_ERROR,
        }
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

/// A row that does not read back.
pub(crate) fn corrupt(table: &'static str, key: impl std::fmt::Display, reason: impl std::fmt::Display) -> StoreError {
    StoreError::CorruptRow { table, key: key.to_string(), reason: reason.to_string() }
}
