//! Reading typed values out of rows, and the few places the two dialects differ.

use membership::{Email, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{StoreError, corrupt};

/// A `SELECT` of a table's full row, with the rest of the statement after `WHERE`: the
/// column list written once per table.
macro_rules! select {
    (invitations, $rest:literal) => {
        concat!(
            "SELECT id, email, invited_by, created_at, expires_at, status, accepted_by FROM invitations WHERE ",
            $rest
        )
    };
    (offers, $rest:literal) => {
        concat!("SELECT id, from_user, to_user, created_at, expires_at, status, void_reason FROM offers WHERE ", $rest)
    };
    (members, $rest:literal) => {
        concat!(
            "SELECT id, created_at, modified_at, email, name, external_id, role, deleted FROM members WHERE ",
            $rest
        )
    };
}
pub(crate) use select;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite: one writer at a time, `BEGIN IMMEDIATE`.
    Sqlite,
    /// PostgreSQL (and the SQL CockroachDB also runs): row locks with `FOR UPDATE`.
    Postgres,
}

/// How a stream's root row is read.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootRead {
    /// Locked until the transaction ends (`FOR UPDATE`).
    Locked,
    /// A plain read.
    Plain,
}

impl RootRead {
    /// How a command's transaction reads it: PostgreSQL locks the row; SQLite's
    /// `BEGIN IMMEDIATE` holds the write lock already.
    pub(crate) fn for_command(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => RootRead::Locked,
            Backend::Sqlite => RootRead::Plain,
        }
    }
}

/// A row whose columns can be read by name: sqlx's rows, and on SQLite the rows of the
/// store's readers (`reader.rs`), so every row is decoded by the one function of its
/// table whichever driver read it.
pub(crate) trait Columns {
    /// The column's text, `None` for NULL; an error for a value of another type.
    fn text_opt(&self, column: &str) -> Result<Option<String>, String>;
    /// The column's integer, `None` for NULL; an error for a value of another type.
    fn int_opt(&self, column: &str) -> Result<Option<i64>, String>;
}

impl Columns for AnyRow {
    fn text_opt(&self, column: &str) -> Result<Option<String>, String> {
        self.try_get::<Option<String>, _>(column).map_err(|error| error.to_string())
    }

    fn int_opt(&self, column: &str) -> Result<Option<i64>, String> {
        self.try_get::<Option<i64>, _>(column).map_err(|error| error.to_string())
    }
}

/// The text of a column, named for errors as `table`.
pub(crate) fn text(row: &dyn Columns, table: &'static str, column: &str) -> Result<String, StoreError> {
    text_opt(row, table, column)?.ok_or_else(|| corrupt(table, column, "unexpected NULL"))
}

/// The optional text of a column.
pub(crate) fn text_opt(row: &dyn Columns, table: &'static str, column: &str) -> Result<Option<String>, StoreError> {
    row.text_opt(column).map_err(|error| corrupt(table, column, error))
}

/// The integer of a column.
pub(crate) fn int(row: &dyn Columns, table: &'static str, column: &str) -> Result<i64, StoreError> {
    row.int_opt(column)
        .map_err(|error| corrupt(table, column, error))?
        .ok_or_else(|| corrupt(table, column, "unexpected NULL"))
}

/// A value parsed from a column's text with `parse`.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    row: &dyn Columns,
    table: &'static str,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let value = text(row, table, column)?;
    parse(&value).map_err(|error| corrupt(table, format!("{column} = {value}"), error))
}

/// An optional value parsed from a column's text.
pub(crate) fn parsed_opt<T, E: std::fmt::Display>(
    row: &dyn Columns,
    table: &'static str,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    let Some(value) = text_opt(row, table, column)? else { return Ok(None) };
    parse(&value).map(Some).map_err(|error| corrupt(table, format!("{column} = {value}"), error))
}

/// A time stored as Unix microseconds.
pub(crate) fn time(row: &dyn Columns, table: &'static str, column: &str) -> Result<Timestamp, StoreError> {
    let micros = int(row, table, column)?;
    Timestamp::from_unix_micros(micros).map_err(|error| corrupt(table, format!("{column} = {micros}"), error))
}

/// An optional time stored as Unix microseconds.
pub(crate) fn time_opt(row: &dyn Columns, table: &'static str, column: &str) -> Result<Option<Timestamp>, StoreError> {
    let micros = row.int_opt(column).map_err(|error| corrupt(table, column, error))?;
    micros.map(|micros| Timestamp::from_unix_micros(micros).map_err(|error| corrupt(table, column, error))).transpose()
}

/// A stored email: loaded as it was stored, never re-validated.
pub(crate) fn email(row: &dyn Columns, table: &'static str, column: &str) -> Result<Email, StoreError> {
    text(row, table, column).map(Email::from_stored)
}

/// A version read from a `BIGINT`.
pub(crate) fn version(row: &dyn Columns, table: &'static str, column: &str) -> Result<u64, StoreError> {
    let value = int(row, table, column)?;
    membership::version_from_i64(value).map_err(|error| corrupt(table, format!("{column} = {value}"), error))
}

/// A version written to a `BIGINT`.
pub(crate) fn to_i64(version: u64) -> Result<i64, StoreError> {
    membership::version_to_i64(version).map_err(StoreError::from)
}

/// A `LIMIT` or `OFFSET`: past `i64::MAX` rows there is nothing left to page through.
pub(crate) fn page_bound(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The folded form every email comparison uses (docs/rules.md#email).
pub(crate) fn folded(email: &Email) -> String {
    email.folded().into_owned()
}

/// A statement this crate built from its own table and column names and the crate's codec
/// words, never from input: safe to run as SQL. Values always go in as bound parameters.
pub(crate) fn built(sql: &str) -> sqlx::AssertSqlSafe<&str> {
    sqlx::AssertSqlSafe(sql)
}
