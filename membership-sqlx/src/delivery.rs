//! Webhook deliveries: one record per (webhook, destination), made by
//! [`Store::dispatch`]. Each is claimed under a lease with a fencing token, sent by its
//! claimer, then marked delivered or failed by that claimer alone; after a capped number
//! of attempts it is `failed`, for an operator to list and re-queue. Delivered records are
//! pruned after a retention.

use std::time::Duration;

use membership::wire::AnyWebhook;
use membership::{OrganizationId, Timestamp};
use sqlx::any::AnyRow;

use crate::error::{StoreError, corrupt};
use crate::outbox::{begin_write, delta, new_token};
use crate::sql::{self, Backend, page_bound};
use crate::store::Store;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_hours(1);

/// Where a delivery stands: the words `webhook_deliveries.status` holds (and the
/// migrations' partial indexes spell).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt, or in flight.
    Pending,
    /// The destination took it (2xx).
    Delivered,
    /// It used up its attempts; it waits for an operator to re-queue it.
    Failed,
}

impl DeliveryStatus {
    /// Every status.
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed];

    /// The stored word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One claimed delivery of a webhook to one destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The webhook's id: the same for every destination and every retry (`webhook-id`).
    pub webhook_id: String,
    /// The webhook itself.
    pub webhook: AnyWebhook,
    /// Where it goes (the caller's key for an endpoint).
    pub destination: String,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// How many attempts came before this one.
    pub attempts: u32,
    /// The fencing token written at claim: a mark takes only while it holds.
    pub token: String,
}

/// A delivery that used up its attempts, as an operator lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedDelivery {
    /// The webhook's id.
    pub webhook_id: String,
    /// Where it was going.
    pub destination: String,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// How many attempts were made.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was given up.
    pub failed_at: Timestamp,
}

/// One delivery of a webhook to one destination, as its organization lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The webhook's id.
    pub webhook_id: String,
    /// Where it goes.
    pub destination: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// How many attempts were made.
    pub attempts: u32,
    /// Why the last attempt failed, if one did.
    pub last_error: Option<String>,
    /// When the webhook was fanned out to its destinations.
    pub dispatched_at: Timestamp,
    /// When it was delivered or given up, if it was.
    pub finished_at: Option<Timestamp>,
    /// The webhook itself.
    pub webhook: AnyWebhook,
}

const T: &str = "webhook_deliveries";

fn attempts(row: &AnyRow) -> Result<u32, StoreError> {
    let value = sql::int(row, T, "attempts")?;
    u32::try_from(value).map_err(|error| corrupt(T, format!("attempts = {value}"), error))
}

fn attempt(row: &AnyRow, token: String) -> Result<Attempt, StoreError> {
    let webhook_id = sql::text(row, T, "webhook_id")?;
    let payload = sql::text(row, T, "payload")?;
    Ok(Attempt {
        webhook: serde_json::from_str(&payload).map_err(|error| corrupt("outbox", &webhook_id, error))?,
        destination: sql::text(row, T, "destination")?,
        organization_id: sql::parsed(row, T, "organization_id", OrganizationId::parse)?,
        attempts: attempts(row)?,
        webhook_id,
        token,
    })
}

fn failed(row: &AnyRow) -> Result<FailedDelivery, StoreError> {
    Ok(FailedDelivery {
        webhook_id: sql::text(row, T, "webhook_id")?,
        destination: sql::text(row, T, "destination")?,
        organization_id: sql::parsed(row, T, "organization_id", OrganizationId::parse)?,
        attempts: attempts(row)?,
        last_error: sql::text_opt(row, T, "last_error")?,
        failed_at: sql::time(row, T, "finished_at")?,
    })
}

fn record(row: &AnyRow) -> Result<DeliveryRecord, StoreError> {
    let webhook_id = sql::text(row, T, "webhook_id")?;
    let payload = sql::text(row, T, "payload")?;
    let status = sql::text(row, T, "status")?;
    Ok(DeliveryRecord {
        webhook: serde_json::from_str(&payload).map_err(|error| corrupt("outbox", &webhook_id, error))?,
        status: DeliveryStatus::ALL
            .into_iter()
            .find(|known| known.as_str() == status)
            .ok_or_else(|| corrupt(T, &webhook_id, format!("status = {status}")))?,
        destination: sql::text(row, T, "destination")?,
        attempts: attempts(row)?,
        last_error: sql::text_opt(row, T, "last_error")?,
        dispatched_at: sql::time(row, T, "dispatched_at")?,
        finished_at: sql::time_opt(row, T, "finished_at")?,
        webhook_id,
    })
}

/// The wait after the `failed`-th failed attempt: 2, 4, 8 … seconds, at most an hour.
fn backoff(failed: u32) -> Duration {
    Duration::from_secs(1u64 << failed.min(12)).min(MAX_BACKOFF)
}

impl Store {
    /// Claims up to `limit` pending deliveries due at `now`, each for `lease` with a fresh
    /// fencing token. Concurrent workers never claim the same one (`FOR UPDATE SKIP
    /// LOCKED` on PostgreSQL, the write lock on SQLite); one whose worker died is claimed
    /// again, with a new token, once its lease ends. Size `lease` well above what one
    /// attempt can take, or a slow attempt is claimed and sent a second time.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn claim_deliveries(
        &self,
        now: Timestamp,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<Attempt>, StoreError> {
        let mut tx = begin_write(self).await?;
        let sql = match self.backend {
            Backend::Postgres => {
                "SELECT d.webhook_id, d.destination, d.organization_id, d.attempts, o.payload \
                 FROM webhook_deliveries d JOIN outbox o ON o.id = d.webhook_id \
                 WHERE d.status = 'pending' AND d.due_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $2) \
                 ORDER BY d.due_at, d.webhook_id, d.destination LIMIT $3 FOR UPDATE OF d SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT d.webhook_id, d.destination, d.organization_id, d.attempts, o.payload \
                 FROM webhook_deliveries d JOIN outbox o ON o.id = d.webhook_id \
                 WHERE d.status = 'pending' AND d.due_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $2) \
                 ORDER BY d.due_at, d.webhook_id, d.destination LIMIT $3"
            }
        };
        let rows = sqlx::query(sql)
            .bind(now.unix_micros())
            .bind(now.unix_micros())
            .bind(i64::from(limit))
            .fetch_all(tx.conn()?)
            .await?;
        let until = now.saturating_add(delta(lease)).unix_micros();
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let attempt = attempt(row, new_token())?;
            sqlx::query(
                "UPDATE webhook_deliveries SET lease_token = $1, lease_until = $2 WHERE webhook_id = $3 AND destination = $4",
            )
            .bind(attempt.token.clone())
            .bind(until)
            .bind(attempt.webhook_id.clone())
            .bind(attempt.destination.clone())
            .execute(tx.conn()?)
            .await?;
            claimed.push(attempt);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Marks a delivery delivered, only if `attempt`'s token still holds it: `false`, and
    /// nothing changed, when its lease was lost to another worker or it is no longer
    /// pending.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn delivered(&self, attempt: &Attempt, now: Timestamp) -> Result<bool, StoreError> {
        let mut tx = begin_write(self).await?;
        let marked = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', attempts = $1, finished_at = $2, lease_token = NULL, \
             lease_until = NULL WHERE webhook_id = $3 AND destination = $4 AND lease_token = $5 AND status = 'pending'",
        )
        .bind(i64::from(attempt.attempts.saturating_add(1)))
        .bind(now.unix_micros())
        .bind(attempt.webhook_id.clone())
        .bind(attempt.destination.clone())
        .bind(attempt.token.clone())
        .execute(tx.conn()?)
        .await?;
        tx.commit().await?;
        Ok(marked.rows_affected() == 1)
    }

    /// Records a failed attempt, only if `attempt`'s token still holds the delivery
    /// (`false` otherwise, and nothing changed). Below `max_attempts` it is tried again
    /// after 2, 4, 8 … seconds (at most an hour); at `max_attempts` it becomes `failed`,
    /// with `reason` as its last error, until an operator re-queues it.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn attempt_failed(
        &self,
        attempt: &Attempt,
        now: Timestamp,
        reason: &str,
        max_attempts: u32,
    ) -> Result<bool, StoreError> {
        let made = attempt.attempts.saturating_add(1);
        let (status, finished_at) = if made >= max_attempts {
            (DeliveryStatus::Failed, Some(now.unix_micros()))
        } else {
            (DeliveryStatus::Pending, None)
        };
        let due_at = now.saturating_add(delta(backoff(made))).unix_micros();
        let mut tx = begin_write(self).await?;
        let marked = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, due_at = $3, finished_at = $4, last_error = $5, \
             lease_token = NULL, lease_until = NULL \
             WHERE webhook_id = $6 AND destination = $7 AND lease_token = $8 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(i64::from(made))
        .bind(due_at)
        .bind(finished_at)
        .bind(reason.to_owned())
        .bind(attempt.webhook_id.clone())
        .bind(attempt.destination.clone())
        .bind(attempt.token.clone())
        .execute(tx.conn()?)
        .await?;
        tx.commit().await?;
        Ok(marked.rows_affected() == 1)
    }

    /// Up to `limit` deliveries that used up their attempts, the longest failed first: what
    /// an operator looks at before re-queuing them.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn failed_deliveries(&self, limit: u64) -> Result<Vec<FailedDelivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT webhook_id, destination, organization_id, attempts, last_error, finished_at \
             FROM webhook_deliveries WHERE status = 'failed' ORDER BY finished_at, webhook_id, destination LIMIT $1",
        )
        .bind(page_bound(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(failed).collect()
    }

    /// Puts failed deliveries back in the queue, due at `now` with a fresh set of attempts:
    /// those of webhook `webhook_id` (every destination it failed for), or every failed one
    /// with `None`. How many were re-queued.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn requeue_failed(&self, webhook_id: Option<&str>, now: Timestamp) -> Result<u64, StoreError> {
        const ALL: &str = "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, due_at = $1, \
            finished_at = NULL, lease_token = NULL, lease_until = NULL WHERE status = 'failed'";
        const ONE: &str = "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, due_at = $1, \
            finished_at = NULL, lease_token = NULL, lease_until = NULL WHERE status = 'failed' AND webhook_id = $2";
        let mut tx = begin_write(self).await?;
        let query = match webhook_id {
            Some(id) => sqlx::query(ONE).bind(now.unix_micros()).bind(id.to_owned()),
            None => sqlx::query(ALL).bind(now.unix_micros()),
        };
        let requeued = query.execute(tx.conn()?).await?;
        tx.commit().await?;
        Ok(requeued.rows_affected())
    }

    /// A page of organization `organization_id`'s deliveries, the latest dispatched first,
    /// to `destination` alone when given, and how many there are in all.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn deliveries_page(
        &self,
        organization_id: OrganizationId,
        destination: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<DeliveryRecord>, u64), StoreError> {
        // One statement per shape, each bound fully: a NULL bind has no type on PostgreSQL.
        const PAGE_ALL: &str = "SELECT d.webhook_id, d.destination, d.status, d.attempts, d.last_error, \
            d.finished_at, o.dispatched_at, o.payload FROM webhook_deliveries d JOIN outbox o ON o.id = d.webhook_id \
            WHERE d.organization_id = $1 ORDER BY o.dispatched_at DESC, d.webhook_id, d.destination LIMIT $2 OFFSET $3";
        const PAGE_ONE: &str = "SELECT d.webhook_id, d.destination, d.status, d.attempts, d.last_error, \
            d.finished_at, o.dispatched_at, o.payload FROM webhook_deliveries d JOIN outbox o ON o.id = d.webhook_id \
            WHERE d.organization_id = $1 AND d.destination = $2 \
            ORDER BY o.dispatched_at DESC, d.webhook_id, d.destination LIMIT $3 OFFSET $4";
        const COUNT_ALL: &str = "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE organization_id = $1";
        const COUNT_ONE: &str =
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE organization_id = $1 AND destination = $2";
        // Parameters are numbered in the order they appear (SQLite binds by appearance).
        let page = match destination {
            Some(destination) => sqlx::query(PAGE_ONE).bind(organization_id.to_string()).bind(destination.to_owned()),
            None => sqlx::query(PAGE_ALL).bind(organization_id.to_string()),
        };
        let rows = page.bind(page_bound(limit)).bind(page_bound(offset)).fetch_all(&self.pool).await?;
        let count =
            sqlx::query(if destination.is_some() { COUNT_ONE } else { COUNT_ALL }).bind(organization_id.to_string());
        let count = match destination {
            Some(destination) => count.bind(destination.to_owned()),
            None => count,
        };
        let total = sql::int(&count.fetch_one(&self.pool).await?, T, "n")?;
        let items = rows.iter().map(record).collect::<Result<_, _>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    /// Sends webhook `webhook_id` of organization `organization_id` again to every
    /// destination it was delivered to or failed for: those deliveries are due at `now`
    /// with a fresh set of attempts (a pending one is left alone: it is on its way).
    /// `None` when the organization has no delivery of that webhook; else how many were
    /// re-queued.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn redeliver(
        &self,
        organization_id: OrganizationId,
        webhook_id: &str,
        now: Timestamp,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = begin_write(self).await?;
        let found =
            sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE organization_id = $1 AND webhook_id = $2")
                .bind(organization_id.to_string())
                .bind(webhook_id.to_owned())
                .fetch_one(tx.conn()?)
                .await?;
        if sql::int(&found, T, "n")? == 0 {
            tx.rollback().await;
            return Ok(None);
        }
        let requeued = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, due_at = $1, finished_at = NULL, \
             lease_token = NULL, lease_until = NULL \
             WHERE organization_id = $2 AND webhook_id = $3 AND status IN ('delivered', 'failed')",
        )
        .bind(now.unix_micros())
        .bind(organization_id.to_string())
        .bind(webhook_id.to_owned())
        .execute(tx.conn()?)
        .await?;
        tx.commit().await?;
        Ok(Some(requeued.rows_affected()))
    }

    /// Deletes the deliveries delivered before `older_than`, then the webhooks dispatched
    /// before it that no delivery refers to any more (all delivered and pruned, or no
    /// destination at all). Pending and failed deliveries, and their webhooks, stay. How
    /// many rows were deleted, deliveries and webhooks together.
    ///
    /// # Errors
    ///
    /// A database error (nothing is deleted).
    pub async fn prune_delivered(&self, older_than: Timestamp) -> Result<u64, StoreError> {
        let mut tx = begin_write(self).await?;
        let deliveries = sqlx::query("DELETE FROM webhook_deliveries WHERE status = 'delivered' AND finished_at < $1")
            .bind(older_than.unix_micros())
            .execute(tx.conn()?)
            .await?;
        let webhooks = sqlx::query(
            "DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = outbox.id)",
        )
        .bind(older_than.unix_micros())
        .execute(tx.conn()?)
        .await?;
        tx.commit().await?;
        Ok(deliveries.rows_affected().saturating_add(webhooks.rows_affected()))
    }

    /// How much is not delivered everywhere yet: webhooks not yet dispatched, plus pending
    /// deliveries (failed ones are not counted: nothing will happen to them until an
    /// operator re-queues them).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn undelivered(&self) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE dispatched_at IS NULL) \
             + (SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending') AS n",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(sql::int(&row, T, "n")?).unwrap_or(0))
    }

    /// The earliest due time of what [`Store::undelivered`] counts, `None` when nothing
    /// waits: how far behind delivery is (two indexed reads, for a metrics scrape).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn oldest_undelivered_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT MIN(due_at) FROM outbox WHERE dispatched_at IS NULL) AS outbox, \
             (SELECT MIN(due_at) FROM webhook_deliveries WHERE status = 'pending') AS deliveries",
        )
        .fetch_one(&self.pool)
        .await?;
        let outbox = sql::time_opt(&row, T, "outbox")?;
        let deliveries = sql::time_opt(&row, T, "deliveries")?;
        Ok(outbox.into_iter().chain(deliveries).min())
    }
}
