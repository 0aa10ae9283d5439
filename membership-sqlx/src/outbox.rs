//! The outbox: Polar-shaped `member.*` webhooks written in the command's own transaction,
//! then claimed, delivered at least once, and retried with backoff.

use std::time::Duration;

use membership::wire::Webhook;
use membership::{OrganizationId, StreamId, Timestamp};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::error::{StoreError, corrupt};
use crate::sql::{self, Backend, to_i64};
use crate::store::Store;

/// How long a claimed delivery is the claimer's before another worker may take it.
const LEASE: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_hours(1);

/// Queues one decision's webhooks. Each is keyed by (stream, version, topic, member):
/// the receiver's idempotency key, stable across retries.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    organization_id: OrganizationId,
    stream: StreamId,
    version: u64,
    webhooks: &[Webhook],
    now: Timestamp,
) -> Result<(), StoreError> {
    for webhook in webhooks {
        let payload = serde_json::to_string(&webhook).map_err(|error| corrupt("outbox", stream, error))?;
        let topic = serde_json::to_value(webhook.kind).map_err(|error| corrupt("outbox", stream, error))?;
        sqlx::query(
            "INSERT INTO outbox (id, organization_id, aggregate, stream_id, version, topic, member_id, payload, \
             attempts, due_at, claimed_until, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, NULL, NULL)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(organization_id.to_string())
        .bind(stream.type_name())
        .bind(stream.as_uuid().to_string())
        .bind(to_i64(version)?)
        .bind(topic.as_str().unwrap_or_default().to_owned())
        .bind(webhook.data.id.to_string())
        .bind(payload)
        .bind(now.unix_micros())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One webhook to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Its id: stable across retries (the `webhook-id` header).
    pub id: String,
    /// The organization whose endpoints receive it.
    pub organization_id: OrganizationId,
    /// The version of the stream it came from.
    pub version: u64,
    /// How many attempts failed before this one.
    pub attempts: u32,
    /// The webhook itself.
    pub webhook: Webhook,
}

fn delivery(row: &AnyRow) -> Result<Delivery, StoreError> {
    const T: &str = "outbox";
    let id = sql::text(row, T, "id")?;
    let payload = sql::text(row, T, "payload")?;
    Ok(Delivery {
        organization_id: sql::parsed(row, T, "organization_id", OrganizationId::parse)?,
        version: sql::version(row, T, "version")?,
        attempts: u32::try_from(sql::int(row, T, "attempts")?).unwrap_or(u32::MAX),
        webhook: serde_json::from_str(&payload).map_err(|error| corrupt(T, &id, error))?,
        id,
    })
}

impl Store {
    /// Claims up to `limit` webhooks due at `now` for delivery, for a lease of 30 seconds:
    /// concurrent workers never claim the same one (`FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL), and one whose worker died is claimed again once the lease ends.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn claim_webhooks(&self, now: Timestamp, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let sql = match self.backend {
            Backend::Postgres => {
                "SELECT id, organization_id, version, attempts, payload FROM outbox \
                 WHERE delivered_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $2) \
                 ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT id, organization_id, version, attempts, payload FROM outbox \
                 WHERE delivered_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $2) \
                 ORDER BY due_at, id LIMIT $3"
            }
        };
        let rows = sqlx::query(sql)
            .bind(now.unix_micros())
            .bind(now.unix_micros())
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        let lease = now.saturating_add(membership_delta(LEASE)).unix_micros();
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let delivery = delivery(row)?;
            sqlx::query("UPDATE outbox SET claimed_until = $1 WHERE id = $2")
                .bind(lease)
                .bind(delivery.id.clone())
                .execute(&mut *tx)
                .await?;
            claimed.push(delivery);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Marks a webhook delivered: it is never claimed again.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn mark_delivered(&self, id: &str, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET delivered_at = $1, claimed_until = NULL WHERE id = $2")
            .bind(now.unix_micros())
            .bind(id.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Schedules another attempt after a failed one, with exponential backoff: 2, 4, 8 …
    /// seconds after `now`, at most an hour.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn retry_later(&self, id: &str, attempts: u32, now: Timestamp) -> Result<(), StoreError> {
        let wait = Duration::from_secs(1u64 << attempts.saturating_add(1).min(12)).min(MAX_BACKOFF);
        sqlx::query("UPDATE outbox SET attempts = $1, due_at = $2, claimed_until = NULL WHERE id = $3")
            .bind(i64::from(attempts.saturating_add(1)))
            .bind(now.saturating_add(membership_delta(wait)).unix_micros())
            .bind(id.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many webhooks are not delivered yet.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn undelivered(&self) -> Result<u64, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL").fetch_one(&self.pool).await?;
        Ok(u64::try_from(sql::int(&row, "outbox", "n")?).unwrap_or(0))
    }
}

/// A `std` duration as the `TimeDelta` timestamps take.
fn membership_delta(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}
