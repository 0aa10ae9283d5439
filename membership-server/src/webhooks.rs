//! Webhook delivery: a task fans each `member.*` webhook of the store's outbox out to the
//! organization's endpoints (one delivery record per endpoint) and POSTs the deliveries,
//! several at a time, signed as Standard Webhooks (as Polar signs them).
//!
//! Guarantees: at least once per endpoint, with a `webhook-id` that is the outbox row's
//! id, the same for every endpoint and every retry, so receivers deduplicate. Each
//! delivery is leased well beyond the POST timeout and marked by its lease holder alone
//! (a fencing token), so an endpoint that answered 2xx gets the webhook again only when a
//! process died between the POST and the mark; an endpoint that fails never makes the
//! others receive it again. A failure is retried after 2, 4, 8 … seconds (at most an
//! hour) up to [`Settings::max_attempts`], then the delivery is `failed` until an operator
//! re-queues it (`membership-server webhooks failed` / `requeue`). Delivered records are
//! pruned after [`Settings::retention`].

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use membership::Timestamp;
use membership_sqlx::{Attempt, FailedDelivery, Store, StoreError};
use sha2::Sha256;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::data;
use crate::state::now;

/// How many webhooks one dispatch step claims.
const BATCH: u32 = 32;
/// The longest last error kept for an operator.
const REASON_CHARS: usize = 500;

/// The Standard Webhooks headers for one delivery attempt: `webhook-id`,
/// `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` and the base64
/// HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's bytes, which is how
/// Polar's SDK `validateEvent` reads a secret).
#[must_use]
pub fn signature_headers(id: &str, timestamp: i64, body: &str, secret: &str) -> [(&'static str, String); 3] {
    let signature = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes a key of any length; this arm cannot be reached.
        Err(_) => String::new(),
    };
    [
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", format!("v1,{signature}")),
    ]
}

/// How the deliverer works; [`Settings::default`] is what `serve` runs with unless told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Attempts per delivery before it is `failed` (default 10: about 17 minutes of
    /// backoff).
    pub max_attempts: u32,
    /// POSTs in flight at most (default 8).
    pub parallelism: u32,
    /// How long delivered records are kept (default 7 days).
    pub retention: Duration,
    /// How long one POST may take (default 10 s).
    pub timeout: Duration,
    /// How often delivered records past the retention are pruned (default hourly).
    pub prune_every: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_attempts: 10,
            parallelism: 8,
            retention: Duration::from_hours(24 * 7),
            timeout: Duration::from_secs(10),
            prune_every: Duration::from_hours(1),
        }
    }
}

impl Settings {
    /// How long a claimed delivery is its worker's: two POST timeouts (20 s by default).
    /// Long enough that a slow endpoint never lets the lease run out before the mark (which
    /// would have another worker send the webhook again: the POST itself is cut off at one
    /// timeout), short enough that a worker that died mid-POST has its deliveries taken
    /// over within seconds of the lease's end, not minutes.
    #[must_use]
    pub fn lease(&self) -> Duration {
        self.timeout.saturating_mul(2)
    }
}

/// Delivers webhooks from a store's outbox.
#[derive(Clone, Debug)]
pub struct Deliverer {
    store: Store,
    client: reqwest::Client,
    settings: Settings,
    /// Where attempts are counted by outcome (`GET /metrics`), if anywhere.
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Deliveries the endpoint took (2xx).
    pub delivered: usize,
    /// Deliveries scheduled for another attempt.
    pub retried: usize,
    /// Deliveries that used up their attempts (or whose endpoint is gone).
    pub failed: usize,
}

/// How one attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Delivered,
    Retried,
    Failed,
    /// The mark did not take (the lease was lost) or could not be written: the delivery
    /// is someone else's now, or will be claimed again when its lease ends.
    Unmarked,
}

impl Pass {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Delivered => self.delivered += 1,
            Outcome::Retried => self.retried += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Unmarked => {}
        }
    }
}

impl Deliverer {
    /// A deliverer over `store` with the default [`Settings`].
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(store: Store) -> Result<Self, reqwest::Error> {
        Deliverer::with_settings(store, Settings::default())
    }

    /// A deliverer over `store` working as `settings` say.
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn with_settings(store: Store, settings: Settings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(settings.timeout).build()?;
        Ok(Deliverer { store, client, settings, metrics: None })
    }

    /// This deliverer, counting its attempts by outcome in `metrics`.
    #[must_use]
    pub fn with_metrics(self, metrics: std::sync::Arc<crate::metrics::Metrics>) -> Self {
        Deliverer { metrics: Some(metrics), ..self }
    }

    /// Dispatches the webhooks due at `at`, then claims up to
    /// [`parallelism`](Settings::parallelism) deliveries due at `at` and tries each once,
    /// all at the same time; returns when every one has ended.
    ///
    /// # Errors
    ///
    /// A database error while dispatching or claiming; delivery failures are not errors
    /// but retries.
    pub async fn pass(&self, at: Timestamp) -> Result<Pass, StoreError> {
        self.dispatch(at).await?;
        let mut in_flight = JoinSet::new();
        for attempt in self.store.claim_deliveries(at, self.settings.parallelism, self.settings.lease()).await? {
            let this = self.clone();
            in_flight.spawn(async move { this.attempt(attempt).await });
        }
        let mut pass = Pass::default();
        while let Some(ended) = in_flight.join_next().await {
            pass.count(ended.unwrap_or(Outcome::Unmarked));
        }
        Ok(pass)
    }

    /// Fans the webhooks due at `at` out to their organization's enabled endpoints that
    /// receive their event type, one delivery per endpoint: how many were dispatched.
    async fn dispatch(&self, at: Timestamp) -> Result<usize, StoreError> {
        let mut dispatched = 0;
        for delivery in self.store.claim_any_webhooks(at, BATCH).await? {
            // Only the enabled endpoints that listed this event type receive it.
            let event = delivery.webhook.topic();
            let endpoints = data::endpoint_ids_for(&self.store, delivery.organization_id, event).await?;
            if self.store.dispatch(&delivery, &endpoints, at).await? {
                dispatched += 1;
            } else {
                tracing::warn!(id = delivery.id, "lost the lease on a webhook before dispatching it");
            }
        }
        Ok(dispatched)
    }

    /// [`Deliverer::try_once`], counted.
    async fn attempt(&self, attempt: Attempt) -> Outcome {
        let outcome = self.try_once(attempt).await;
        if let Some(metrics) = &self.metrics {
            metrics.delivery(match outcome {
                Outcome::Delivered => "delivered",
                Outcome::Retried => "retried",
                Outcome::Failed => "failed",
                Outcome::Unmarked => "unmarked",
            });
        }
        outcome
    }

    /// POSTs one delivery and marks how it went, fenced by its token. An endpoint deleted
    /// since the dispatch fails the delivery at once: nobody is there to take it.
    async fn try_once(&self, attempt: Attempt) -> Outcome {
        let endpoint = match data::endpoint(&self.store, attempt.organization_id, &attempt.destination).await {
            Ok(endpoint) => endpoint,
            Err(error) => {
                tracing::error!(id = attempt.webhook_id, %error, "cannot read a webhook endpoint");
                return Outcome::Unmarked;
            }
        };
        let (result, max_attempts) = match endpoint {
            Some(endpoint) => (self.post(&attempt, &endpoint).await, self.settings.max_attempts),
            None => (Err("the endpoint was deleted".to_owned()), 0),
        };
        let at = now();
        let marked = match &result {
            Ok(()) => self.store.delivered(&attempt, at).await,
            Err(reason) => {
                let reason: String = reason.chars().take(REASON_CHARS).collect();
                self.store.attempt_failed(&attempt, at, &reason, max_attempts).await
            }
        };
        match (marked, result) {
            (Ok(true), Ok(())) => Outcome::Delivered,
            (Ok(true), Err(_)) if attempt.attempts.saturating_add(1) >= max_attempts => {
                tracing::warn!(
                    id = attempt.webhook_id,
                    endpoint = attempt.destination,
                    "webhook delivery failed for good"
                );
                Outcome::Failed
            }
            (Ok(true), Err(_)) => Outcome::Retried,
            (Ok(false), _) => {
                tracing::warn!(id = attempt.webhook_id, endpoint = attempt.destination, "lost the lease on a delivery");
                Outcome::Unmarked
            }
            (Err(error), _) => {
                tracing::error!(id = attempt.webhook_id, %error, "cannot mark a webhook delivery");
                Outcome::Unmarked
            }
        }
    }

    /// POSTs the webhook to `endpoint`, signed: `Ok` on a 2xx, else why not.
    async fn post(&self, attempt: &Attempt, endpoint: &data::Endpoint) -> Result<(), String> {
        let body = serde_json::to_string(&attempt.webhook).map_err(|error| format!("does not serialize: {error}"))?;
        let timestamp = now().unix_micros().div_euclid(1_000_000);
        let mut request = self.client.post(&endpoint.url).header("content-type", "application/json");
        for (name, value) in signature_headers(&attempt.webhook_id, timestamp, &body, &endpoint.secret) {
            request = request.header(name, value);
        }
        match request.body(body).send().await {
            Ok(response) if response.status().is_success() => {
                tracing::info!(id = attempt.webhook_id, url = endpoint.url, "webhook delivered");
                Ok(())
            }
            Ok(response) => {
                tracing::warn!(id = attempt.webhook_id, url = endpoint.url, status = %response.status(), "webhook refused");
                Err(format!("answered {}", response.status()))
            }
            Err(error) => {
                tracing::warn!(id = attempt.webhook_id, url = endpoint.url, %error, "webhook not delivered");
                Err(error.to_string())
            }
        }
    }

    /// Deletes delivered records older than the retention.
    async fn prune(&self) {
        let retention = chrono::TimeDelta::from_std(self.settings.retention).unwrap_or(chrono::TimeDelta::MAX);
        match self.store.prune_delivered(now().saturating_add(-retention)).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned delivered webhooks"),
            Err(error) => tracing::error!(%error, "pruning delivered webhooks failed"),
        }
    }

    /// Delivers continuously until `shutdown` turns true: dispatches new webhooks, keeps up
    /// to [`parallelism`](Settings::parallelism) POSTs in flight (claiming more as soon as
    /// one ends, not batch by batch), prunes now and then, and looks again every
    /// `interval` when idle. On shutdown it claims nothing more and lets the POSTs in
    /// flight finish and be marked; whatever is left waits in the store for the next start.
    pub async fn run(self, interval: Duration, mut shutdown: watch::Receiver<bool>) {
        let mut in_flight = JoinSet::new();
        let mut next_prune = Instant::now();
        loop {
            if *shutdown.borrow() {
                break;
            }
            if Instant::now() >= next_prune {
                self.prune().await;
                next_prune = Instant::now() + self.settings.prune_every;
            }
            // Reap the POSTs that ended: a finished task still counts in the set's length.
            while in_flight.try_join_next().is_some() {}
            let mut busy = match self.dispatch(now()).await {
                Ok(dispatched) => dispatched > 0,
                Err(error) => {
                    tracing::error!(%error, "dispatching webhooks failed");
                    false
                }
            };
            let free = self.settings.parallelism.saturating_sub(u32::try_from(in_flight.len()).unwrap_or(u32::MAX));
            if free > 0 {
                match self.store.claim_deliveries(now(), free, self.settings.lease()).await {
                    Ok(attempts) => {
                        busy |= !attempts.is_empty();
                        for attempt in attempts {
                            let this = self.clone();
                            in_flight.spawn(async move { this.attempt(attempt).await });
                        }
                    }
                    Err(error) => tracing::error!(%error, "claiming webhook deliveries failed"),
                }
            }
            let full = u32::try_from(in_flight.len()).unwrap_or(u32::MAX) >= self.settings.parallelism;
            if busy && !full {
                continue;
            }
            // Wait for a free slot, the next look, or the word to stop.
            tokio::select! {
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                () = tokio::time::sleep(interval) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        while in_flight.join_next().await.is_some() {}
        tracing::info!("webhook delivery stopped");
    }
}

/// Failed deliveries as JSON, for `membership-server webhooks failed --json`: an array of
/// `{webhook_id, endpoint_id, organization_id, attempts, last_error, failed_at}`.
#[must_use]
pub fn failed_json(failed: &[FailedDelivery]) -> serde_json::Value {
    failed
        .iter()
        .map(|delivery| {
            serde_json::json!({
                "webhook_id": delivery.webhook_id,
                "endpoint_id": delivery.destination,
                "organization_id": delivery.organization_id.to_string(),
                "attempts": delivery.attempts,
                "last_error": delivery.last_error,
                "failed_at": delivery.failed_at.to_string(),
            })
        })
        .collect()
}

/// Failed deliveries as text, one line each (when, webhook, endpoint, organization,
/// attempts, last error), for `membership-server webhooks failed`.
#[must_use]
pub fn failed_lines(failed: &[FailedDelivery]) -> Vec<String> {
    failed
        .iter()
        .map(|delivery| {
            format!(
                "{} webhook={} endpoint={} organization={} attempts={} last_error={}",
                delivery.failed_at,
                delivery.webhook_id,
                delivery.destination,
                delivery.organization_id,
                delivery.attempts,
                delivery.last_error.as_deref().unwrap_or("-"),
            )
        })
        .collect()
}
