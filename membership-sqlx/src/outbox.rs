//! The outbox: Polar-shaped `member.*` webhooks written in the command's own transaction,
//! then claimed under a lease and fanned out to their destinations in one fenced write
//! ([`Store::dispatch`]); each destination's delivery lives in `delivery.rs`.

use std::time::Duration;

use membership::wire::{AnyWebhook, Webhook};
use membership::{OrganizationId, StreamId, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tokio::time::Instant;

use crate::error::{StoreError, corrupt};
use crate::sql::{self, Backend, to_i64};
use crate::store::Store;
use crate::writing::Writing;

/// How long a claimed webhook is the claimer's before another worker may take it: far
/// more than dispatching takes (one read of the destinations, one short write).
const LEASE: Duration = Duration::from_secs(5);

/// Queues one decision's webhooks. Each is keyed by (stream, version, topic, subject):
/// the receiver's idempotency key, stable across retries.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    organization_id: OrganizationId,
    stream: StreamId,
    version: u64,
    webhooks: &[AnyWebhook],
    now: Timestamp,
) -> Result<(), StoreError> {
    for webhook in webhooks {
        let payload = serde_json::to_string(&webhook).map_err(|error| corrupt("outbox", stream, error))?;
        sqlx::query(
            "INSERT INTO outbox (id, organization_id, aggregate, stream_id, version, topic, member_id, payload, \
             attempts, due_at, claimed_until, dispatched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, NULL, NULL)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(organization_id.to_string())
        .bind(stream.type_name())
        .bind(stream.as_uuid().to_string())
        .bind(to_i64(version)?)
        .bind(webhook.topic())
        .bind(webhook.subject().to_string())
        .bind(payload)
        .bind(now.unix_micros())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One webhook to fan out to its destinations, claimed under a lease: a member webhook
/// ([`Store::claim_webhooks`]) or any webhook ([`Store::claim_any_webhooks`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery<W = Webhook> {
    /// Its id: stable across retries and destinations (the `webhook-id` header).
    pub id: String,
    /// The organization whose destinations receive it.
    pub organization_id: OrganizationId,
    /// The version of the stream it came from.
    pub version: u64,
    /// The webhook itself.
    pub webhook: W,
    /// The fencing token written at claim: [`Store::dispatch`] takes only while it holds.
    pub token: String,
}

fn delivery<W: DeserializeOwned>(row: &AnyRow, token: String) -> Result<Delivery<W>, StoreError> {
    const T: &str = "outbox";
    let id = sql::text(row, T, "id")?;
    let payload = sql::text(row, T, "payload")?;
    Ok(Delivery {
        organization_id: sql::parsed(row, T, "organization_id", OrganizationId::parse)?,
        version: sql::version(row, T, "version")?,
        webhook: serde_json::from_str(&payload).map_err(|error| corrupt(T, &id, error))?,
        id,
        token,
    })
}

/// Begins a write transaction through the store's one way in (`writing.rs`): SQLite's
/// writer turn and `BEGIN IMMEDIATE`, or a pooled connection and `BEGIN`, within the
/// store's command budget; a transaction not ended cleanly closes its connection. Every
/// write of the outbox and of the deliveries goes through here.
pub(crate) async fn begin_write(store: &Store) -> Result<Writing, StoreError> {
    store.writing(Instant::now() + store.budget.command).await
}

/// A new fencing token: random, so a worker whose lease ran out can never guess the next.
pub(crate) fn new_token() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Which webhooks a claim takes.
#[derive(Clone, Copy)]
enum Topics {
    /// `member.*` only: what the outbox held before `customer.*` webhooks existed.
    Member,
    /// Every webhook.
    Any,
}

/// The claim's query: due, undispatched rows not under another lease, oldest first,
/// narrowed by `$filter` and locked by `$lock`.
macro_rules! claim_sql {
    ($filter:literal, $lock:literal) => {
        concat!(
            "SELECT id, organization_id, version, payload FROM outbox \
             WHERE dispatched_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $2)",
            $filter,
            " ORDER BY due_at, id LIMIT $3",
            $lock
        )
    };
}

impl Store {
    /// Claims up to `limit` `member.*` webhooks not yet dispatched and due at `now`, each
    /// for a lease of 5 seconds with a fresh fencing token: concurrent workers never claim
    /// the same one (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite), and
    /// one whose worker died is claimed again, with a new token, once its lease ends.
    ///
    /// `customer.*` webhooks are left for [`claim_any_webhooks`](Self::claim_any_webhooks),
    /// which a deliverer of every webhook (the service's) uses instead.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn claim_webhooks(&self, now: Timestamp, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        self.claim(now, limit, Topics::Member).await
    }

    /// [`claim_webhooks`](Self::claim_webhooks) for every webhook the store queues:
    /// `member.*` and `customer.*`.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn claim_any_webhooks(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery<AnyWebhook>>, StoreError> {
        self.claim(now, limit, Topics::Any).await
    }

    async fn claim<W: DeserializeOwned>(
        &self,
        now: Timestamp,
        limit: u32,
        topics: Topics,
    ) -> Result<Vec<Delivery<W>>, StoreError> {
        let mut tx = begin_write(self).await?;
        let sql = match (self.backend, topics) {
            (Backend::Postgres, Topics::Any) => claim_sql!("", " FOR UPDATE SKIP LOCKED"),
            (Backend::Postgres, Topics::Member) => claim_sql!(" AND topic LIKE 'member.%'", " FOR UPDATE SKIP LOCKED"),
            (Backend::Sqlite, Topics::Any) => claim_sql!("", ""),
            (Backend::Sqlite, Topics::Member) => claim_sql!(" AND topic LIKE 'member.%'", ""),
        };
        let rows = sqlx::query(sql)
            .bind(now.unix_micros())
            .bind(now.unix_micros())
            .bind(i64::from(limit))
            .fetch_all(tx.conn()?)
            .await?;
        let lease = now.saturating_add(delta(LEASE)).unix_micros();
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let delivery = delivery(row, new_token())?;
            sqlx::query("UPDATE outbox SET claimed_until = $1, lease_token = $2 WHERE id = $3")
                .bind(lease)
                .bind(delivery.token.clone())
                .bind(delivery.id.clone())
                .execute(tx.conn()?)
                .await?;
            claimed.push(delivery);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Fans a claimed webhook out: one pending delivery per destination, and the webhook
    /// marked dispatched, in one transaction, only if `delivery`'s token still holds the
    /// row. `false`, with nothing written, when the lease was lost (another worker claimed
    /// the row since, or already dispatched it). No destinations: the webhook is just
    /// dispatched. A destination that already has this webhook's delivery keeps it, so a
    /// fan-out is never doubled.
    ///
    /// # Errors
    ///
    /// A database error (nothing is written).
    pub async fn dispatch<W>(
        &self,
        delivery: &Delivery<W>,
        destinations: &[String],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = begin_write(self).await?;
        // The fenced mark comes first: on PostgreSQL it locks the row, so no other worker
        // can re-claim it until this transaction ends.
        let marked = sqlx::query(
            "UPDATE outbox SET dispatched_at = $1, claimed_until = NULL, lease_token = NULL \
             WHERE id = $2 AND lease_token = $3 AND dispatched_at IS NULL",
        )
        .bind(now.unix_micros())
        .bind(delivery.id.clone())
        .bind(delivery.token.clone())
        .execute(tx.conn()?)
        .await?;
        if marked.rows_affected() != 1 {
            tx.rollback().await;
            return Ok(false);
        }
        for destination in destinations {
            sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, destination, organization_id, status, attempts, due_at, \
                 lease_token, lease_until, finished_at, last_error) \
                 VALUES ($1, $2, $3, 'pending', 0, $4, NULL, NULL, NULL, NULL) \
                 ON CONFLICT (webhook_id, destination) DO NOTHING",
            )
            .bind(delivery.id.clone())
            .bind(destination.clone())
            .bind(delivery.organization_id.to_string())
            .bind(now.unix_micros())
            .execute(tx.conn()?)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// A `std` duration as the `TimeDelta` timestamps take.
pub(crate) fn delta(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}
