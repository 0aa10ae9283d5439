//! One transaction for every aggregate: lock the root, run the plan's reads, decide, write
//! the journal, project the events' row effects, move the root's version, queue the
//! webhooks. Each aggregate brings only what differs ([`Stored`]): how its root row opens a
//! view and how one read of its plan loads.

use std::sync::atomic::Ordering;
use std::time::Duration;

use membership::{Error, NotLoaded, StoredEvent, StreamId};
use sqlx::AnyConnection;
use tokio::time::Instant;
use tracing::Instrument;

use crate::clock::Clock;
use crate::error::{StoreError, sqlite_primary};
use crate::sql::{Backend, RootRead, to_i64};
use crate::store::Store;
use crate::stored::{Outcome, Stored};
use crate::writing::within;
use crate::{journal, outbox, project};

impl Store {
    /// Runs `command` by `actor` on aggregate `id` in one transaction: the events that
    /// happened (none for a no-op), committed with the state tables and the outbox, and the
    /// view they were decided on ([`Outcome`]).
    ///
    /// `now` is the command's [`Clock`]: a [`Timestamp`](membership::Timestamp) runs it at that instant;
    /// [`SystemClock`](crate::SystemClock) reads the time at each attempt, so a retried
    /// command is stamped when it commits.
    ///
    /// Creation is a command like the others (`organization::Command::Create`,
    /// `customer::Command::Create`), on a stream that does not exist yet. The command runs
    /// in a task of its own: if the caller's future is dropped, it still finishes (committed
    /// or rolled back), so it is applied at most once and leaves no connection mid-way. It
    /// ends within the store's [`Budget::command`](crate::Budget::command), retries
    /// included.
    ///
    /// # Errors
    ///
    /// A domain error when a rule refuses the command (nothing is written); `stale_write`
    /// when other writers kept winning until the budget ran out; `database_unavailable`
    /// when the database could not serve within the budget (nothing is written, unless the
    /// connection was lost while committing: then it is applied at most once);
    /// `corrupt_row` for a stored row the crate cannot read; `database_error` otherwise.
    pub async fn execute<A: Stored>(
        &self,
        id: A::Id,
        command: A::Command,
        actor: A::Actor,
        now: impl Clock,
    ) -> Result<Outcome<A>, StoreError> {
        self.detached(Call::<A, _> { expected: None, id, command, actor, clock: now }).await
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
        now: impl Clock,
    ) -> Result<Outcome<A>, StoreError> {
        self.detached(Call::<A, _> { expected: Some(expected_version), id, command, actor, clock: now }).await
    }

    /// Runs the command in a task of its own: a caller that goes away (a timeout, a closed
    /// request) cannot cut a transaction off midway. The command still finishes, committed
    /// or rolled back, so it is applied at most once.
    async fn detached<A: Stored>(&self, call: Call<A, impl Clock>) -> Result<Outcome<A>, StoreError> {
        let store = self.clone();
        let deadline = Instant::now() + self.budget.command;
        // The task runs under the caller's span (a server's request span): a spawned task
        // would otherwise start a trace of its own.
        let stream: StreamId = call.id.into();
        let span = tracing::debug_span!("store.execute", aggregate = stream.type_name(), stream = %stream.as_uuid());
        let task = tokio::spawn(async move { store.run(call, deadline).await }.instrument(span));
        task.await.unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed)))
    }

    /// Attempts the command until it is decided, or the deadline leaves no room for
    /// another try.
    async fn run<A: Stored>(&self, call: Call<A, impl Clock>, deadline: Instant) -> Result<Outcome<A>, StoreError> {
        let mut retry = 0;
        loop {
            let attempt = self.attempt(call.again(), deadline).instrument(tracing::debug_span!("store.attempt", retry));
            let error = match attempt.await {
                Ok(outcome) => return Ok(outcome),
                Err(Failed::Final(error)) => return Err(error),
                Err(Failed::Again(error)) => error,
            };
            if conflict(&error) {
                self.conflicts.fetch_add(1, Ordering::Relaxed);
            }
            let wait = backoff(retry);
            // The caller's own expectation failed, or no time is left: retrying cannot help.
            if matches!(error, StoreError::Domain(Error::StaleWrite { .. })) && call.expected.is_some()
                || Instant::now() + wait >= deadline
            {
                return Err(match error {
                    // Conflicts outlasted the budget: a stale write (version 0 when the
                    // database, not the version check, reported the conflict).
                    error @ (StoreError::Domain(_) | StoreError::Unavailable(_)) => error,
                    _ => stale(call.id.into(), 0),
                });
            }
            retry += 1;
            self.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt within `deadline`.
    async fn attempt<A: Stored>(&self, call: Call<A, impl Clock>, deadline: Instant) -> Result<Outcome<A>, Failed> {
        if self.writer.is_some() {
            return self.queued(call, deadline).await;
        }
        let mut writing = self.writing(deadline).await.map_err(Failed::sorted)?;
        let decided = match writing.conn() {
            Ok(conn) => within(deadline, write(conn, self.backend, call)).await.and_then(|result| result),
            Err(error) => Err(error),
        };
        match decided {
            Ok(outcome) if outcome.events.is_empty() => {
                writing.rollback().await;
                Ok(outcome)
            }
            Ok(outcome) => match writing.commit().await {
                Ok(()) => Ok(outcome),
                // A conflict reported at COMMIT (PostgreSQL's serialization check) is
                // known to have written nothing; any other failure there leaves the outcome
                // unknown, and running the command again could apply it twice.
                Err(error @ StoreError::Database(_)) if conflict(&error) => Err(Failed::Again(error)),
                Err(error) => Err(Failed::Final(error)),
            },
            Err(error) => {
                writing.rollback().await;
                Err(Failed::sorted(error))
            }
        }
    }
}

/// One command as the store runs it: everything each attempt needs. `expected` is the
/// version the caller requires (`execute_at`), `clock` the time source read per attempt.
pub(crate) struct Call<A: Stored, C: Clock> {
    pub(crate) expected: Option<u64>,
    pub(crate) id: A::Id,
    pub(crate) command: A::Command,
    pub(crate) actor: A::Actor,
    pub(crate) clock: C,
}

impl<A: Stored, C: Clock> Call<A, C> {
    /// The same call for another attempt (an attempt consumes its command).
    fn again(&self) -> Self {
        Call {
            expected: self.expected,
            id: self.id,
            command: self.command.clone(),
            actor: self.actor,
            clock: self.clock,
        }
    }
}

/// How an attempt failed: worth another (`Again`), or the answer (`Final`).
pub(crate) enum Failed {
    Again(StoreError),
    Final(StoreError),
}

impl Failed {
    /// Sorts an error from before the commit: nothing was written, so a conflict, a stale
    /// version, a busy database or a lost connection may be retried.
    pub(crate) fn sorted(error: StoreError) -> Self {
        if conflict(&error) || transient(&error) { Failed::Again(error) } else { Failed::Final(error) }
    }
}

/// A conflict with another writer: a serialization failure or a deadlock (PostgreSQL
/// `40001`, `40P01`), a unique violation (another writer created the same stream or row
/// first: deciding again on the fresh state gives the right answer), or a stale version.
fn conflict(error: &StoreError) -> bool {
    match error {
        StoreError::Domain(Error::StaleWrite { .. }) => true,
        StoreError::Database(sqlx::Error::Database(error)) => {
            matches!(error.code().as_deref(), Some("40001" | "40P01"))
                || error.kind() == sqlx::error::ErrorKind::UniqueViolation
        }
        _ => false,
    }
}

/// A failure another attempt on a fresh connection may not meet: SQLite busy or locked by
/// another process (`5`, `6` and their extended codes), a connection lost or ended by the
/// server (`08…`, `57P01`). Not a pool timeout (the wait for a connection already took its
/// time), a full disk or a read-only file (they do not clear in milliseconds).
fn transient(error: &StoreError) -> bool {
    match error {
        StoreError::Unavailable(sqlx::Error::Io(error)) => error.kind() != std::io::ErrorKind::TimedOut,
        StoreError::Unavailable(sqlx::Error::Database(error)) => error.code().is_some_and(|code| {
            matches!(sqlite_primary(&code), Some(5 | 6)) || code.starts_with("08") || code == "57P01"
        }),
        _ => false,
    }
}

/// Exponential backoff with full jitter: up to 2, 4, 8 … ms, capped at 256 ms.
fn backoff(retry: u32) -> Duration {
    let ceiling = 1u64 << (retry + 1).min(8);
    Duration::from_millis(fastrand::u64(1..=ceiling))
}

/// Runs one attempt of `command` on `conn`, inside the caller's transaction, at the time
/// `clock` tells once the stream's root is locked: after its turn to write came and any
/// writer ahead of it committed, so the time stamped is the commit's, give or take this
/// transaction's own milliseconds.
pub(crate) async fn write<A: Stored>(
    conn: &mut AnyConnection,
    backend: Backend,
    call: Call<A, impl Clock>,
) -> Result<Outcome<A>, StoreError> {
    let Call { expected, id, command, actor, clock } = call;
    let stream: StreamId = id.into();
    let (version, mut view) = A::open(conn, RootRead::for_command(backend), id).await?;
    let now = clock.now();
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
    let webhooks = A::webhooks(conn, &view, &events).await?;
    outbox::enqueue(conn, tenant, stream, last.version(), &webhooks, now).await?;
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
