//! One transaction for every aggregate: lock the root, run the plan's reads, decide, write
//! the journal, project the events' row effects, move the root's version, queue the
//! webhooks. Each aggregate brings only what differs ([`Stored`]): how its root row opens a
//! view and how one read of its plan loads.

use std::sync::atomic::Ordering;
use std::time::Duration;

use membership::{Error, NotLoaded, StoredEvent, StreamId, Timestamp};
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::sql::{Backend, RootRead, to_i64};
use crate::store::Store;
use crate::stored::{Outcome, Stored};
use crate::{journal, outbox, project};

/// How many times a command is tried when the database reports a conflict.
const ATTEMPTS: u32 = 12;

impl Store {
    /// Runs `command` by `actor` at `now` on aggregate `id` in one transaction: the events
    /// that happened (none for a no-op), committed with the state tables and the outbox,
    /// and the view they were decided on ([`Outcome`]).
    ///
    /// Creation is a command like the others (`organization::Command::Create`,
    /// `customer::Command::Create`), on a stream that does not exist yet. The command runs
    /// in a task of its own: if the caller's future is dropped, it still finishes (committed
    /// or rolled back), so it is applied at most once and leaves no connection mid-way.
    ///
    /// # Errors
    ///
    /// A domain error when a rule refuses the command (nothing is written); `stale_write`
    /// when other writers kept winning through every retry; `corrupt_row` for a stored row
    /// the crate cannot read; a database error otherwise.
    pub async fn execute<A: Stored>(
        &self,
        id: A::Id,
        command: A::Command,
        actor: A::Actor,
        now: Timestamp,
    ) -> Result<Outcome<A>, StoreError> {
        self.detached::<A>(None, id, command, actor, now).await
    }

    /// [`execute`](Store::execute), only if the stream is still at `expected_version` (0:
    /// it must not exist yet): what an HTTP `If-Match` asks for.
    ///
    /// # Errors
    ///
    /// `stale_write` at once when the stream has moved on; otherwise as
    /// [`execute`](Store::execute).
    pub async fn execute_at<A: Stored>(
        &self,
        id: A::Id,
        expected_version: u64,
        command: A::Command,
        actor: A::Actor,
        now: Timestamp,
    ) -> Result<Outcome<A>, StoreError> {
        self.detached::<A>(Some(expected_version), id, command, actor, now).await
    }

    /// Runs the command in a task of its own: a caller that goes away (a timeout, a closed
    /// request) cannot cut a transaction off midway, which would hand a connection with a
    /// half-begun transaction back to the pool. The command still finishes, committed or
    /// rolled back, so it is applied at most once.
    async fn detached<A: Stored>(
        &self,
        expected: Option<u64>,
        id: A::Id,
        command: A::Command,
        actor: A::Actor,
        now: Timestamp,
    ) -> Result<Outcome<A>, StoreError> {
        let store = self.clone();
        let task = tokio::spawn(async move { store.run::<A>(expected, id, command, actor, now).await });
        task.await.unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed)))
    }

    async fn run<A: Stored>(
        &self,
        expected: Option<u64>,
        id: A::Id,
        command: A::Command,
        actor: A::Actor,
        now: Timestamp,
    ) -> Result<Outcome<A>, StoreError> {
        let mut attempt = 0;
        loop {
            match self.attempt::<A>(expected, id, command.clone(), actor, now).await {
                // The caller's own expectation failed: retrying cannot help.
                Err(error @ StoreError::Domain(Error::StaleWrite { .. })) if expected.is_some() => return Err(error),
                Err(error) if attempt + 1 < ATTEMPTS && retryable(&error) => {
                    attempt += 1;
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    backoff(attempt).await;
                }
                // Conflicts outlasted every retry: a stale write (version 0 when the database,
                // not the version check, reported the conflict).
                Err(error @ StoreError::Domain(Error::StaleWrite { .. })) => return Err(error),
                Err(error) if retryable(&error) => return Err(stale(id.into(), 0)),
                result => return result,
            }
        }
    }

    async fn attempt<A: Stored>(
        &self,
        expected: Option<u64>,
        id: A::Id,
        command: A::Command,
        actor: A::Actor,
        now: Timestamp,
    ) -> Result<Outcome<A>, StoreError> {
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        match write::<A>(&mut tx, self.backend, expected, id, command, actor, now).await {
            Ok(outcome) if outcome.events.is_empty() => {
                tx.rollback().await?;
                Ok(outcome)
            }
            Ok(outcome) => {
                tx.commit().await?;
                Ok(outcome)
            }
            Err(error) => {
                // The error is what matters; a failed rollback closes the connection.
                let _ = tx.rollback().await;
                Err(error)
            }
        }
    }
}

/// Whether running the whole command again may succeed: a serialization failure or a
/// deadlock (PostgreSQL `40001`, `40P01`), SQLite's busy errors (`5`, `517`), a unique
/// violation (another writer created the same stream or row first: deciding again on the
/// fresh state gives the right answer), or a stale version.
fn retryable(error: &StoreError) -> bool {
    match error {
        StoreError::Domain(Error::StaleWrite { .. }) | StoreError::Database(sqlx::Error::PoolTimedOut) => true,
        StoreError::Database(sqlx::Error::Database(error)) => {
            matches!(error.code().as_deref(), Some("40001" | "40P01" | "5" | "517" | "6" | "262"))
                || error.kind() == sqlx::error::ErrorKind::UniqueViolation
        }
        _ => false,
    }
}

/// Exponential backoff with full jitter: up to 2, 4, 8 … ms, capped at 256 ms.
async fn backoff(attempt: u32) {
    let ceiling = 1u64 << attempt.min(8);
    let wait = fastrand::u64(1..=ceiling);
    tokio::time::sleep(Duration::from_millis(wait)).await;
}

/// Runs one attempt of `command` on `conn`, inside the caller's transaction.
pub(crate) async fn write<A: Stored>(
    conn: &mut AnyConnection,
    backend: Backend,
    expected: Option<u64>,
    id: A::Id,
    command: A::Command,
    actor: A::Actor,
    now: Timestamp,
) -> Result<Outcome<A>, StoreError> {
    let stream: StreamId = id.into();
    let (version, mut view) = A::open(conn, RootRead::for_command(backend), id).await?;
    expect(stream, expected, version.unwrap_or(0))?;
    for read in A::plan(&command, actor, now) {
        A::load(conn, id, &mut view, read).await?;
    }
    let events = A::decide(&view, command, actor, now)?;
    let (Some(first), Some(last)) = (events.first(), events.last()) else { return Ok(Outcome { events, view }) };
    let Some(tenant) = A::tenant(&view, &events) else {
        // Events on a stream with no row begin with its creation, which names the tenant:
        // anything else is a decision the crate should never make.
        return Err(Error::ViewIncomplete { stream, missing: NotLoaded { lookup: "tenant" } }.into());
    };
    journal::append(conn, A::TYPE_NAME, tenant, &stream.as_uuid().to_string(), &events).await?;
    for event in &events {
        project::apply(conn, &A::row_effects(event, tenant)).await?;
    }
    // The root's version moves from where this transaction found it (or where its creation
    // just put it) to the last event's: the optimistic check, on the row already locked.
    let start = version.unwrap_or(first.version());
    let bump = format!("UPDATE {} SET version = $1 WHERE id = $2 AND version = $3", A::ROOT.name());
    let moved = sqlx::query(crate::sql::built(&bump))
        .bind(to_i64(last.version())?)
        .bind(stream.as_uuid().to_string())
        .bind(to_i64(start)?)
        .execute(&mut *conn)
        .await?;
    if moved.rows_affected() != 1 {
        return Err(stale(stream, start));
    }
    outbox::enqueue(conn, tenant, stream, last.version(), &A::webhooks(&events), now).await?;
    Ok(Outcome { events, view })
}

/// Refuses a decision when the caller expected another version than the stream's.
pub(crate) fn expect(stream: StreamId, expected: Option<u64>, version: u64) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != version => Err(stale(stream, expected)),
        _ => Ok(()),
    }
}

/// The stale-write error for `stream` at `version`.
pub(crate) fn stale(stream: StreamId, version: u64) -> StoreError {
    Error::StaleWrite { stream, expected_version: version }.into()
}
