//! SQLite's point reads, run on the caller's thread.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement, and
//! every row back, across a channel: two thread switches a statement. For the reads a
//! request makes most (an access check, a member by id) the switches cost more than the
//! read, and under load they queue behind every other thread on the machine. So a store
//! on an SQLite file keeps read-only connections of its own, on the same SQLite library,
//! and runs those point reads where it is called: a few microseconds, no hand-off.
//!
//! A reader never waits: its busy timeout is zero, and anything it cannot do at once (the
//! file busy, an I/O error, no connection to be had) is left to the pool, which waits
//! within the budget and reports a failure as every other read does. A row is decoded by
//! its table's one function whichever driver read it (`sql::Columns`), so a corrupt row
//! answers `corrupt_row` either way. Reads see every committed write (WAL: each statement
//! reads the newest commit), so a caller reads its own writes.

use crate::error::StoreError;
use crate::sql::{self, Columns};
use crate::store::Store;

#[cfg(feature = "sqlite")]
impl Columns for rusqlite::Row<'_> {
    fn text_opt(&self, column: &str) -> Result<Option<String>, String> {
        self.get::<_, Option<String>>(column).map_err(|error| error.to_string())
    }

    fn int_opt(&self, column: &str) -> Result<Option<i64>, String> {
        self.get::<_, Option<i64>>(column).map_err(|error| error.to_string())
    }
}

/// The read-only connections of a store on an SQLite file, idle ones kept for the next
/// read. Each read takes one for the length of a statement and gives it back, so there are
/// never more than the threads reading at once.
#[cfg(feature = "sqlite")]
pub(crate) struct Readers {
    path: std::path::PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
}

/// No readers without SQLite.
#[cfg(not(feature = "sqlite"))]
#[derive(Debug)]
pub(crate) enum Readers {}

/// Idle readers kept beyond this many are closed: more threads than this rarely read at once.
#[cfg(feature = "sqlite")]
const IDLE: usize = 16;

#[cfg(feature = "sqlite")]
impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("path", &self.path).finish_non_exhaustive()
    }
}

#[cfg(feature = "sqlite")]
impl Readers {
    /// Readers of the SQLite file at `path`; none is opened before the first read.
    pub(crate) fn new(path: std::path::PathBuf) -> Self {
        Readers { path, idle: std::sync::Mutex::new(Vec::new()) }
    }

    /// The row `sql` selects with `params` bound in order, decoded by `decode`; `None` when
    /// a reader cannot answer now (the caller reads through the pool instead).
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: &[&str],
        decode: impl Fn(&dyn Columns) -> Result<T, StoreError>,
    ) -> Option<Result<Option<T>, StoreError>> {
        let conn = self.take()?;
        let answer = (|| {
            let mut statement = conn.prepare_cached(sql)?;
            let mut rows = statement.query(rusqlite::params_from_iter(params))?;
            Ok::<_, rusqlite::Error>(rows.next()?.map(|row| decode(row)))
        })();
        self.give_back(conn);
        answer.ok().map(Option::transpose)
    }

    fn take(&self) -> Option<rusqlite::Connection> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        idle.or_else(|| self.open().ok())
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE
        {
            idle.push(conn);
        }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags)?;
        // Never wait on the caller's thread: a busy file is the pool's to wait for.
        conn.busy_timeout(std::time::Duration::ZERO)?;
        Ok(conn)
    }
}

#[cfg(not(feature = "sqlite"))]
impl Readers {
    pub(crate) fn row<T>(
        &self,
        _: &str,
        _: &[&str],
        _: impl Fn(&dyn Columns) -> Result<T, StoreError>,
    ) -> Option<Result<Option<T>, StoreError>> {
        match *self {}
    }
}

impl Store {
    /// The row `sql` selects with `params` bound in order (`$1`, `$2`, …), decoded by
    /// `decode`: read on the caller's thread when a reader can answer at once, else through
    /// the pool. `sql` is one of this crate's own statements, never built from input.
    pub(crate) async fn point<T>(
        &self,
        sql: &'static str,
        params: &[&str],
        decode: impl Fn(&dyn Columns) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        if let Some(answer) = self.readers.as_ref().and_then(|readers| readers.row(sql, params, &decode)) {
            // An answer read here never waited, so the task never gave its thread back: it
            // spends a unit of tokio's cooperative budget instead, and yields when that is
            // gone, or a loop of reads would starve every other task on its thread.
            tokio::task::consume_budget().await;
            return answer;
        }
        let mut query = sqlx::query(sql::built(sql));
        for param in params {
            query = query.bind((*param).to_owned());
        }
        let row = query.fetch_optional(&self.pool).await?;
        row.as_ref().map(|row| decode(row)).transpose()
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails by panicking")]

    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;

    fn temp_file() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("membership-reader-{}.db", uuid::Uuid::new_v4()))
    }

    async fn store_at(path: &std::path::Path) -> Store {
        Store::open(&format!("sqlite://{}", path.display())).await.unwrap()
    }

    fn number(row: &dyn Columns) -> Result<i64, StoreError> {
        sql::int(row, "test", "n")
    }

    #[tokio::test]
    async fn a_reader_binds_its_parameters_in_order_and_reads_the_file() {
        let path = temp_file();
        let _store = store_at(&path).await;
        let readers = Readers::new(path);
        let text = readers.row("SELECT $1 || $2 AS s", &["a", "b"], |row| sql::text(row, "test", "s"));
        assert_eq!(text.unwrap().unwrap(), Some("ab".to_owned()));
        let none = readers.row("SELECT 1 AS n WHERE $1 = 'x'", &["y"], number);
        assert_eq!(none.unwrap().unwrap(), None);
    }

    #[tokio::test]
    async fn a_store_on_a_file_reads_through_readers_of_its_absolute_path() {
        let path = temp_file();
        let store = store_at(&path).await;
        let readers = store.readers.as_ref().expect("a store on a file has readers");
        assert!(readers.path.is_absolute());
        assert_eq!(readers.path, std::fs::canonicalize(&path).unwrap());
        let memory = Store::open("sqlite::memory:").await.unwrap();
        assert!(memory.readers.is_none(), "a database in memory is the pool's one connection");
    }

    #[test]
    fn a_reader_of_a_missing_file_leaves_the_read_to_the_pool() {
        let readers = Readers::new(std::env::temp_dir().join("membership-no-such-directory/none.db"));
        assert!(readers.row("SELECT 1 AS n", &[], number).is_none());
        assert!(format!("{readers:?}").contains("membership-no-such-directory"), "its Debug names the file");
    }

    #[tokio::test]
    async fn a_store_whose_readers_cannot_answer_reads_through_its_pool() {
        let path = temp_file();
        let mut store = store_at(&path).await;
        store.readers = Some(Arc::new(Readers::new(std::env::temp_dir().join("membership-no-such-directory/x.db"))));
        assert_eq!(store.point("SELECT 7 AS n", &[], number).await.unwrap(), Some(7));
        let readable = store.point("SELECT 7 AS n WHERE $1 = 'x'", &["x"], number).await.unwrap();
        assert_eq!(readable, Some(7), "the pool binds the parameters too");
    }

    /// A reader never waits: with the file locked by another process's connection
    /// (exclusive locking mode), it gives the read up at once instead of sleeping in
    /// SQLite's busy handler on the caller's thread.
    #[tokio::test]
    async fn a_reader_gives_a_busy_file_to_the_pool_without_waiting() {
        let path = temp_file();
        store_at(&path).await.pool().close().await;
        let holder = rusqlite::Connection::open(&path).unwrap();
        holder.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;").unwrap();
        let readers = Readers::new(path);
        let started = Instant::now();
        assert!(readers.row("SELECT COUNT(*) AS n FROM customers", &[], number).is_none());
        assert!(started.elapsed() < Duration::from_millis(500), "gave up after {:?}", started.elapsed());
        drop(holder);
        assert_eq!(readers.row("SELECT COUNT(*) AS n FROM customers", &[], number).unwrap().unwrap(), Some(0));
    }

    #[tokio::test]
    async fn idle_readers_are_kept_up_to_the_cap_and_reused() {
        let path = temp_file();
        let _store = store_at(&path).await;
        let readers = Readers::new(path);
        let taken: Vec<_> = (0..IDLE + 3).map(|_| readers.take().unwrap()).collect();
        for conn in taken {
            readers.give_back(conn);
        }
        assert_eq!(readers.idle.lock().unwrap().len(), IDLE);
        readers.row("SELECT 1 AS n", &[], number).unwrap().unwrap();
        assert_eq!(readers.idle.lock().unwrap().len(), IDLE, "a read takes an idle reader and gives it back");
    }
}
