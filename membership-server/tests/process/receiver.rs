//! A webhook receiver on 127.0.0.1: keeps each webhook once by its `webhook-id` (delivery is
//! at least once, so receivers deduplicate) and answers 200.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

/// What the receiver was sent.
#[derive(Clone, Debug)]
pub struct Receiver {
    pub url: String,
    /// `(type, data.id)` by `webhook-id`.
    by_id: Arc<Mutex<HashMap<String, (String, String)>>>,
    /// Every POST, duplicates included.
    posts: Arc<Mutex<usize>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let by_id = Arc::new(Mutex::new(HashMap::new()));
        let posts = Arc::new(Mutex::new(0));
        let (keep, count) = (by_id.clone(), posts.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let (keep, count) = (keep.clone(), count.clone());
                async move {
                    *count.lock().unwrap() += 1;
                    let id = headers.get("webhook-id").and_then(|id| id.to_str().ok()).unwrap_or_default().to_owned();
                    let payload: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    let kind = payload["type"].as_str().unwrap_or_default().to_owned();
                    let data_id = payload["data"]["id"].as_str().unwrap_or_default().to_owned();
                    keep.lock().unwrap().insert(id, (kind, data_id));
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, by_id, posts }
    }

    /// The members a `member.created` webhook was received for.
    pub fn created(&self) -> HashSet<String> {
        let by_id = self.by_id.lock().unwrap();
        by_id.values().filter(|(kind, _)| kind == "member.created").map(|(_, id)| id.clone()).collect()
    }

    /// How many POSTs came, and how many distinct webhooks.
    pub fn counts(&self) -> (usize, usize) {
        (*self.posts.lock().unwrap(), self.by_id.lock().unwrap().len())
    }

    /// Waits until a `member.created` came for each of `members`, at most `limit`: how long
    /// it took, and the members still missing.
    pub async fn wait_for(&self, members: &[String], limit: Duration) -> (Duration, Vec<String>) {
        let started = Instant::now();
        loop {
            let created = self.created();
            let missing: Vec<String> = members.iter().filter(|member| !created.contains(*member)).cloned().collect();
            if missing.is_empty() || started.elapsed() >= limit {
                return (started.elapsed(), missing);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
