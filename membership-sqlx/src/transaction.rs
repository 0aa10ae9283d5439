//! One transaction for every aggregate: lock the root, run the plan's reads, decide, write
//! the journal, project the events' row effects, move the root's version, queue the
//! webhooks. Each aggregate brings only what differs ([`Stored`]): how its root row opens a
//! view and how one read of its plan loads.

use membership::{StoredEvent, StreamId, Timestamp};
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::sql::{Backend, RootRead, to_i64};
use crate::store::{Outcome, Stored, expect, stale};
use crate::{journal, outbox, project};

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
        // Events on a stream with no row must begin with its creation, which names the tenant.
        return Err(stale(stream, version.unwrap_or(0)));
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
