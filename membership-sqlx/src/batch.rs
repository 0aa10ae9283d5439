//! SQLite's group commit. SQLite has one writer, and with `synchronous = FULL` every commit
//! waits for the disk. Commands that queue for the writer are therefore run together: the
//! writer whose turn comes takes every command waiting (up to [`MOST`]), runs each in a
//! savepoint of one transaction, in the order they queued, and commits once. Each command
//! is decided on the state the ones before it left, exactly as if they had run one after
//! another; none is answered before the commit is on disk. The disk's wait is shared, so
//! throughput rises with writers instead of falling, and the tail stays flat.
//!
//! When the batch's transaction cannot commit, no command in it is answered as done: if the
//! transaction was rolled back (a full disk, a lost connection), each is tried again; if
//! the commit itself failed, its outcome is unknown and each is answered `Unavailable`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::AnyConnection;
use tokio::sync::{OwnedMutexGuard, oneshot};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::error::StoreError;
use crate::store::Store;
use crate::stored::{Outcome, Stored};
use crate::transaction::{Call, Failed, write};
use crate::writing::{timed_out, within};

/// A boxed future, as a type-erased command returns.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The most commands one transaction takes: a bound on the work a failure undoes.
const MOST: usize = 64;

/// Commands waiting for SQLite's writer, in the order they came.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    waiting: Mutex<Vec<(u64, Box<dyn Queued>)>>,
    tickets: AtomicU64,
}

/// What became of the transaction a batch ran in.
enum Fate {
    Committed,
    /// Rolled back, or never begun: nothing of the batch is written.
    RolledBack,
    /// The commit failed: it may or may not be on disk.
    Unknown,
}

/// A command waiting in the queue, its type erased so one batch can hold both aggregates.
trait Queued: Send {
    fn deadline(&self) -> Instant;
    /// Runs the command on `conn`, inside the batch's transaction.
    fn run<'c>(self: Box<Self>, store: &'c Store, conn: &'c mut AnyConnection) -> BoxFuture<'c, Box<dyn Ran>>;
    /// Answers without running.
    fn refuse(self: Box<Self>, failed: Failed);
}

/// A command that ran in the batch, its answer held until the batch's fate is known.
trait Ran: Send {
    /// Did it fail in a way that leaves the transaction's state unknown (a full disk, an
    /// I/O error, its deadline cut a statement off)?
    fn broke(&self) -> bool;
    /// Did it fail at all (its savepoint is rolled back)?
    fn failed(&self) -> bool;
    fn settle(self: Box<Self>, fate: &Fate, why: &str);
}

impl std::fmt::Debug for dyn Queued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Queued")
    }
}

struct Pending<A: Stored, C: Clock> {
    call: Call<A, C>,
    deadline: Instant,
    answer: oneshot::Sender<Result<Outcome<A>, Failed>>,
}

struct Decided<A: Stored> {
    result: Result<Outcome<A>, StoreError>,
    answer: oneshot::Sender<Result<Outcome<A>, Failed>>,
}

impl<A: Stored, C: Clock> Queued for Pending<A, C> {
    fn deadline(&self) -> Instant {
        self.deadline
    }

    fn run<'c>(self: Box<Self>, store: &'c Store, conn: &'c mut AnyConnection) -> BoxFuture<'c, Box<dyn Ran>> {
        Box::pin(async move {
            let Pending { call, deadline, answer } = *self;
            let result = within(deadline, write(conn, store.backend, call)).await.and_then(|result| result);
            Box::new(Decided { result, answer }) as Box<dyn Ran>
        })
    }

    fn refuse(self: Box<Self>, failed: Failed) {
        let _ = self.answer.send(Err(failed));
    }
}

impl<A: Stored> Ran for Decided<A> {
    fn broke(&self) -> bool {
        matches!(self.result, Err(StoreError::Unavailable(_)))
    }

    fn failed(&self) -> bool {
        self.result.is_err()
    }

    fn settle(self: Box<Self>, fate: &Fate, why: &str) {
        let answer = match (fate, self.result) {
            (Fate::Committed, Ok(outcome)) => Ok(outcome),
            // Its own failure says more than the batch's; it wrote nothing either way.
            (_, Err(error)) => Err(Failed::sorted(error)),
            // Decided on a state that is gone: decide again.
            (Fate::RolledBack, Ok(_)) => Err(Failed::Again(unavailable(why))),
            (Fate::Unknown, Ok(_)) => Err(Failed::Final(unavailable(why))),
        };
        let _ = self.answer.send(answer);
    }
}

/// A batch's failure as one command's error (the database's own error goes to one command
/// only; the others get its text).
fn unavailable(why: &str) -> StoreError {
    StoreError::Unavailable(sqlx::Error::Io(std::io::Error::other(why.to_owned())))
}

impl Store {
    /// Runs one attempt of a command through SQLite's writer queue: it waits for its turn
    /// or for a batch led by another writer to answer it, whichever comes first.
    pub(crate) async fn queued<A: Stored>(
        &self,
        call: Call<A, impl Clock>,
        deadline: Instant,
    ) -> Result<Outcome<A>, Failed> {
        let Some(writer) = &self.writer else { return Err(Failed::Final(unavailable("no writer"))) };
        let (answer, mut answered) = oneshot::channel();
        let ticket = writer.queue.tickets.fetch_add(1, Ordering::Relaxed);
        let pending = Pending { call, deadline, answer };
        lock(&writer.queue.waiting).push((ticket, Box::new(pending)));
        loop {
            tokio::select! {
                biased;
                result = &mut answered => return result.unwrap_or_else(|_| Err(Failed::Final(unavailable("the writer stopped")))),
                turn = writer.conn.clone().lock_owned() => self.lead(turn).await,
                () = tokio::time::sleep_until(deadline) => {
                    if withdraw(&writer.queue, ticket) {
                        // Still waiting, so never run: safe to give up.
                        return Err(Failed::Final(timed_out()));
                    }
                    // A batch took it: its answer comes once that batch ends.
                    return answered.await.unwrap_or_else(|_| Err(Failed::Final(unavailable("the writer stopped"))));
                }
            }
        }
    }

    /// Holding the writer's turn, runs every command waiting (up to [`MOST`]) in one
    /// transaction and answers each.
    async fn lead(&self, turn: OwnedMutexGuard<Option<AnyConnection>>) {
        let Some(writer) = &self.writer else { return };
        let batch: Vec<Box<dyn Queued>> = {
            let mut waiting = lock(&writer.queue.waiting);
            let take = waiting.len().min(MOST);
            waiting.drain(..take).map(|(_, queued)| queued).collect()
        };
        let now = Instant::now();
        let (batch, late): (Vec<_>, Vec<_>) = batch.into_iter().partition(|queued| queued.deadline() > now);
        for queued in late {
            queued.refuse(Failed::Final(timed_out()));
        }
        let Some(deadline) = batch.iter().map(|queued| queued.deadline()).max() else { return };
        let mut writing = match self.writing_on(turn, deadline).await {
            Ok(writing) => writing,
            Err(error) => {
                let why = error.to_string();
                let mut first = Some(error);
                for queued in batch {
                    queued.refuse(first.take().map_or_else(|| Failed::sorted(unavailable(&why)), Failed::sorted));
                }
                return;
            }
        };
        // A command alone needs no savepoint: its failure rolls the transaction back.
        let alone = batch.len() == 1;
        let mut ran: Vec<Box<dyn Ran>> = Vec::with_capacity(batch.len());
        let mut queue = batch.into_iter();
        let mut broken = None;
        for queued in queue.by_ref() {
            let Ok(conn) = writing.conn() else {
                broken = Some("the writer's connection is gone".to_owned());
                queued.refuse(Failed::Again(unavailable("the writer's connection is gone")));
                break;
            };
            if !alone && let Err(error) = sqlx::raw_sql("SAVEPOINT command").execute(&mut *conn).await {
                broken = Some(error.to_string());
                queued.refuse(Failed::sorted(error.into()));
                break;
            }
            let decided = queued.run(self, conn).await;
            if decided.broke() {
                broken = Some("another command of its batch failed the transaction".to_owned());
                ran.push(decided);
                break;
            }
            let undo = if decided.failed() { "ROLLBACK TO command; RELEASE command" } else { "RELEASE command" };
            if alone {
                if decided.failed() {
                    broken = Some("the command failed".to_owned());
                }
                ran.push(decided);
                break;
            }
            ran.push(decided);
            let undone = match writing.conn() {
                Ok(conn) => sqlx::raw_sql(undo).execute(conn).await.map_err(StoreError::from),
                Err(error) => Err(error),
            };
            if let Err(error) = undone {
                broken = Some(error.to_string());
                break;
            }
        }
        let (fate, why) = match broken {
            // A lone command that failed cleanly: roll back (a rollback that fails closes
            // the connection, which rolls back too).
            Some(why) if alone && !ran.iter().any(|decided| decided.broke()) => {
                writing.rollback().await;
                (Fate::RolledBack, why)
            }
            // Dropped unended, the transaction's connection closes: SQLite rolls it back.
            Some(why) => {
                drop(writing);
                (Fate::RolledBack, why)
            }
            None => match writing.commit().await {
                Ok(()) => (Fate::Committed, String::new()),
                Err(error) => (Fate::Unknown, error.to_string()),
            },
        };
        for queued in queue {
            queued.refuse(Failed::Again(unavailable(&why)));
        }
        for decided in ran {
            decided.settle(&fate, &why);
        }
    }
}

/// Takes the command `ticket` out of the queue, if no batch took it yet.
fn withdraw(queue: &Queue, ticket: u64) -> bool {
    let mut waiting = lock(&queue.waiting);
    let found = waiting.iter().position(|(queued, _)| *queued == ticket);
    found.map(|at| waiting.remove(at)).is_some()
}

/// The queue's lock; a panic while it was held cannot leave the list half-changed (each
/// change is one push, drain or remove), so a poisoned lock is taken as it is.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
