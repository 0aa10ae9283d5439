//! Concurrent HTTP clients against the process, and what they saw: every request's start,
//! latency and status (or that no answer came), tallied into the one-paragraph summary each
//! test prints.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

/// How long a client waits for an answer before it counts the request as a hang.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(15);

/// What one request saw.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// What it was: `POST member`, `GET member`, `GET /health`.
    pub what: &'static str,
    /// When it was sent, from the test's epoch.
    pub sent: Duration,
    /// How long until the answer (or the failure).
    pub latency: Duration,
    /// The status, or `None` when no answer came (connection refused or reset, timeout).
    pub status: Option<u16>,
    /// Whether a 503 said when to retry.
    pub retry_after: bool,
    /// The member a 201 created.
    pub member: Option<String>,
    /// Why no answer came, or the body of an answer that was not a success.
    pub detail: String,
}

impl Outcome {
    /// When the answer came, from the test's epoch.
    pub fn answered(&self) -> Duration {
        self.sent + self.latency
    }
}

/// The service under load: its address, the token and customer, and everything seen.
#[derive(Clone, Debug)]
pub struct Load {
    pub client: reqwest::Client,
    pub epoch: Instant,
    pub base: Arc<Mutex<String>>,
    pub token: String,
    pub customer_id: String,
    pub seen: Arc<Mutex<Vec<Outcome>>>,
    pub stop: Arc<AtomicBool>,
}

impl Load {
    pub fn new(base: &str, token: &str, customer_id: &str) -> Load {
        Load {
            client: reqwest::Client::builder().timeout(CLIENT_TIMEOUT).pool_max_idle_per_host(16).build().unwrap(),
            epoch: Instant::now(),
            base: Arc::new(Mutex::new(base.to_owned())),
            token: token.to_owned(),
            customer_id: customer_id.to_owned(),
            seen: Arc::new(Mutex::new(Vec::new())),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Points later requests at another address (the restarted process).
    pub fn retarget(&self, base: &str) {
        base.clone_into(&mut self.base.lock().unwrap());
    }

    /// Now, from the test's epoch.
    pub fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// One request; recorded when `record`.
    pub async fn call(
        &self,
        what: &'static str,
        method: Method,
        path: &str,
        body: Option<Value>,
        record: bool,
    ) -> Outcome {
        let url = format!("{}{path}", self.base.lock().unwrap());
        let mut request = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let sent = self.now();
        let started = Instant::now();
        let mut outcome = Outcome {
            what,
            sent,
            latency: Duration::ZERO,
            status: None,
            retry_after: false,
            member: None,
            detail: String::new(),
        };
        match request.send().await {
            Ok(response) => {
                outcome.status = Some(response.status().as_u16());
                outcome.retry_after = response.headers().contains_key("retry-after");
                match response.bytes().await {
                    Ok(bytes) => {
                        let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                        if outcome.status == Some(201) {
                            outcome.member = json["id"].as_str().map(str::to_owned);
                        } else if outcome.status.is_some_and(|status| status >= 300) {
                            outcome.detail = String::from_utf8_lossy(&bytes).into_owned();
                        }
                    }
                    Err(error) => {
                        outcome.status = None;
                        outcome.detail = format!("the body did not arrive: {error}");
                    }
                }
            }
            Err(error) => outcome.detail = format!("{error:?}"),
        }
        outcome.latency = started.elapsed();
        if record {
            self.seen.lock().unwrap().push(outcome.clone());
        }
        outcome
    }

    /// `POST /v1/customers/{id}/members` with a new email.
    pub async fn add_member(&self, email: &str) -> Outcome {
        let path = format!("/v1/customers/{}/members", self.customer_id);
        self.call("POST member", Method::POST, &path, Some(json!({ "email": email })), true).await
    }

    /// `GET /v1/customers/{id}/members/{member}`.
    pub async fn read_member(&self, member: &str, record: bool) -> Outcome {
        let path = format!("/v1/customers/{}/members/{member}", self.customer_id);
        self.call("GET member", Method::GET, &path, None, record).await
    }

    /// `clients` clients, each adding members until told to stop, and reading back what it
    /// added when `reads`.
    pub fn spawn_writers(&self, clients: usize, reads: bool) -> Vec<tokio::task::JoinHandle<()>> {
        (0..clients)
            .map(|client| {
                let load = self.clone();
                tokio::spawn(async move {
                    let mut n = 0_u64;
                    while !load.stop.load(Ordering::SeqCst) {
                        n += 1;
                        let added = load.add_member(&format!("c{client}-{n}@example.com")).await;
                        if reads && let Some(member) = &added.member {
                            load.read_member(member, true).await;
                        }
                        if added.status.is_none() {
                            // The server is gone: do not spin on refused connections.
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                })
            })
            .collect()
    }

    /// Probes `GET /health` every `every` until told to stop.
    pub fn spawn_health_probe(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let load = self.clone();
        tokio::spawn(async move {
            while !load.stop.load(Ordering::SeqCst) {
                load.call("GET /health", Method::GET, "/health", None, true).await;
                tokio::time::sleep(every).await;
            }
        })
    }

    /// Tells the clients to stop and waits for them.
    pub async fn finish(&self, tasks: Vec<tokio::task::JoinHandle<()>>) {
        self.stop.store(true, Ordering::SeqCst);
        for task in tasks {
            task.await.unwrap();
        }
    }

    /// Everything seen so far.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.seen.lock().unwrap().clone()
    }

    /// The members answered 201.
    pub fn acknowledged(&self) -> Vec<String> {
        self.outcomes().into_iter().filter_map(|outcome| outcome.member).collect()
    }

    /// The acknowledged members a GET does not answer 200 for, read after the faults.
    pub async fn lost(&self) -> Vec<String> {
        let mut lost = Vec::new();
        for member in self.acknowledged() {
            let read = self.read_member(&member, false).await;
            if read.status != Some(200) {
                lost.push(format!("{member} ({:?} {})", read.status, read.detail));
            }
        }
        lost
    }
}

/// `201×812, 503×4, no answer×8` for the requests that are `what` (all when `None`).
pub fn statuses(outcomes: &[Outcome], what: Option<&str>) -> String {
    let mut counts = BTreeMap::new();
    for outcome in outcomes.iter().filter(|outcome| what.is_none_or(|what| outcome.what == what)) {
        let key = outcome.status.map_or_else(|| "no answer".to_owned(), |status| status.to_string());
        *counts.entry(key).or_insert(0_usize) += 1;
    }
    counts.iter().map(|(status, count)| format!("{status}×{count}")).collect::<Vec<_>>().join(", ")
}

/// The slowest request among `outcomes`.
pub fn worst(outcomes: &[Outcome]) -> Duration {
    outcomes.iter().map(|outcome| outcome.latency).max().unwrap_or_default()
}

/// Asserts what every test demands of every API answer: it came, within `limit`, and is one
/// of `allowed`, a 503 saying when to retry; never a 500.
pub fn assert_answers(outcomes: &[Outcome], allowed: &[u16], limit: Duration) {
    for outcome in outcomes {
        assert!(outcome.status != Some(503) || outcome.retry_after, "a 503 without Retry-After: {outcome:?}");
    }
    assert_probes(outcomes, allowed, limit);
}

/// [`assert_answers`] for `/health`, whose 503 tells a load balancer to look elsewhere and
/// carries no `Retry-After`.
pub fn assert_probes(outcomes: &[Outcome], allowed: &[u16], limit: Duration) {
    for outcome in outcomes {
        let status = outcome.status.unwrap_or_else(|| panic!("no answer: {outcome:?}"));
        assert!(allowed.contains(&status), "an answer outside {allowed:?}: {outcome:?}");
        assert!(outcome.latency <= limit, "an answer slower than {limit:?}: {outcome:?}");
    }
}
