//! Webhook delivery: a task drains the store's outbox and POSTs each `member.*` webhook to
//! the organization's endpoints, signed as Standard Webhooks (as Polar signs them).
//!
//! Guarantees: at least once (a webhook leaves the outbox only after every endpoint
//! answered 2xx; a crash mid-way means it is sent again once its lease ends), with a
//! `webhook-id` that is the outbox row's id, the same on every retry, so receivers
//! deduplicate. Failures are retried with exponential backoff (the store's
//! `retry_later`: 2, 4, 8 … seconds, at most an hour).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use membership::Timestamp;
use membership_sqlx::{Delivery, Store, StoreError};
use sha2::Sha256;
use tokio::sync::watch;

use crate::data::{self, Endpoint};
use crate::state::now;

/// How many webhooks one pass claims.
const BATCH: u32 = 32;
/// How long one POST may take.
const TIMEOUT: Duration = Duration::from_secs(10);

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

/// Delivers webhooks from a store's outbox.
#[derive(Clone, Debug)]
pub struct Deliverer {
    store: Store,
    client: reqwest::Client,
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Webhooks every endpoint took.
    pub delivered: usize,
    /// Webhooks scheduled for another attempt.
    pub retried: usize,
}

impl Deliverer {
    /// A deliverer over `store`.
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(store: Store) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
        Ok(Deliverer { store, client })
    }

    /// Claims the webhooks due at `at` and tries each once.
    ///
    /// # Errors
    ///
    /// A database error; delivery failures are not errors but retries.
    pub async fn pass(&self, at: Timestamp) -> Result<Pass, StoreError> {
        let mut pass = Pass::default();
        for delivery in self.store.claim_webhooks(at, BATCH).await? {
            let endpoints = data::endpoints(&self.store, delivery.organization_id).await?;
            if self.send_to_all(&delivery, &endpoints).await {
                self.store.mark_delivered(&delivery.id, now()).await?;
                pass.delivered += 1;
            } else {
                self.store.retry_later(&delivery.id, delivery.attempts, now()).await?;
                pass.retried += 1;
            }
        }
        Ok(pass)
    }

    /// POSTs one webhook to every endpoint: did they all answer 2xx?
    async fn send_to_all(&self, delivery: &Delivery, endpoints: &[Endpoint]) -> bool {
        let body = match serde_json::to_string(&delivery.webhook) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(id = delivery.id, %error, "a webhook does not serialize");
                return false;
            }
        };
        let mut all = true;
        for endpoint in endpoints {
            let timestamp = now().unix_micros().div_euclid(1_000_000);
            let mut request = self.client.post(&endpoint.url).header("content-type", "application/json");
            for (name, value) in signature_headers(&delivery.id, timestamp, &body, &endpoint.secret) {
                request = request.header(name, value);
            }
            match request.body(body.clone()).send().await {
                Ok(response) if response.status().is_success() => {
                    tracing::info!(id = delivery.id, url = endpoint.url, "webhook delivered");
                }
                Ok(response) => {
                    tracing::warn!(id = delivery.id, url = endpoint.url, status = %response.status(), "webhook refused");
                    all = false;
                }
                Err(error) => {
                    tracing::warn!(id = delivery.id, url = endpoint.url, %error, "webhook not delivered");
                    all = false;
                }
            }
        }
        all
    }

    /// Runs passes every `interval` until `shutdown` turns true; the pass under way
    /// finishes first, and whatever is left stays in the outbox for the next start.
    pub async fn run(self, interval: Duration, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.pass(now()).await {
                Ok(pass) if pass.delivered + pass.retried > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "webhook delivery pass failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("webhook delivery stopped");
    }
}
