//! Webhook delivery from the outbox: Standard Webhooks signatures, at least once, a stable
//! `webhook-id` across retries, backoff, and a delivery task that stops when told.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use hmac::{Hmac, Mac};
use membership_server::data::{self, Endpoint};
use membership_server::state::now;
use membership_server::webhooks::{Deliverer, Pass, signature_headers};
use sha2::Sha256;

use crate::support::Api;

#[test]
fn the_signature_is_hmac_sha256_of_id_timestamp_and_body_keyed_with_the_secrets_bytes() {
    // Computed independently: base64(HMAC-SHA256(b"polar_whs_test", b"msg_1.1700000000.{…}")).
    let headers = signature_headers("msg_1", 1_700_000_000, r#"{"type":"member.created"}"#, "polar_whs_test");
    assert_eq!(headers[0], ("webhook-id", "msg_1".to_owned()));
    assert_eq!(headers[1], ("webhook-timestamp", "1700000000".to_owned()));
    assert_eq!(headers[2], ("webhook-signature", "v1,Y0HaVNe4oxM20GqKNi6mnWGeXRf5nY/cfwScsRMJVb8=".to_owned()));
}

/// A local receiver that records what it is sent and answers `status`.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    status: Arc<AtomicU16>,
}

async fn receiver() -> Receiver {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let status = Arc::new(AtomicU16::new(200));
    let (log, answer) = (seen.clone(), status.clone());
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let (log, answer) = (log.clone(), answer.clone());
            async move {
                log.lock().unwrap().push((headers, body));
                StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, seen, status }
}

fn verify(headers: &HeaderMap, body: &str, secret: &str) -> bool {
    let (id, timestamp) = (headers["webhook-id"].to_str().unwrap(), headers["webhook-timestamp"].to_str().unwrap());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    headers["webhook-signature"].to_str().unwrap() == format!("v1,{expected}")
}

async fn with_endpoint(api: &Api, url: &str) -> String {
    let secret = "polar_whs_secret".to_owned();
    let endpoint = Endpoint { url: url.to_owned(), secret: secret.clone() };
    data::insert_endpoint(&api.store, api.created.organization_id, &endpoint, now()).await.unwrap();
    secret
}

#[tokio::test]
async fn a_member_created_webhook_is_delivered_signed_and_leaves_the_outbox() {
    let api = Api::new().await;
    let hook = receiver().await;
    let secret = with_endpoint(&api, &hook.url).await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    // Setup's own member.created (the customer's owner) is in the outbox before the endpoint.
    deliverer.pass(now()).await.unwrap();
    hook.seen.lock().unwrap().clear();
    let member = api.add("ada@example.com").await;
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass { delivered: 1, retried: 0 });
    let seen = hook.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    assert!(verify(headers, body, &secret), "the signature checks out");
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["type"], "member.created");
    assert_eq!(payload["data"]["id"], member["id"]);
    assert_eq!(api.store.undelivered().await.unwrap(), 0);
}

#[tokio::test]
async fn a_refused_webhook_is_retried_later_with_the_same_id() {
    let api = Api::new().await;
    let hook = receiver().await;
    with_endpoint(&api, &hook.url).await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    deliverer.pass(now()).await.unwrap();
    hook.seen.lock().unwrap().clear();
    hook.status.store(500, Ordering::SeqCst);
    api.add("ada@example.com").await;
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass { delivered: 0, retried: 1 });
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass::default(), "not due again at once (backoff)");
    assert_eq!(api.store.undelivered().await.unwrap(), 1, "nothing is lost");
    hook.status.store(204, Ordering::SeqCst);
    let later = now().saturating_add(chrono::TimeDelta::seconds(3));
    assert_eq!(deliverer.pass(later).await.unwrap(), Pass { delivered: 1, retried: 0 });
    let seen = hook.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0["webhook-id"], seen[1].0["webhook-id"], "stable across retries");
    assert_eq!(api.store.undelivered().await.unwrap(), 0);
}

#[tokio::test]
async fn an_unreachable_endpoint_keeps_the_webhook_in_the_outbox() {
    let api = Api::new().await;
    with_endpoint(&api, "http://127.0.0.1:9/nothing-listens-here").await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    let pass = deliverer.pass(now()).await.unwrap();
    assert_eq!(pass, Pass { delivered: 0, retried: 1 });
    assert_eq!(api.store.undelivered().await.unwrap(), 1);
}

#[tokio::test]
async fn the_delivery_task_delivers_then_stops_when_told() {
    let api = Api::new().await;
    let hook = receiver().await;
    with_endpoint(&api, &hook.url).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(Deliverer::new(api.store.clone()).unwrap().run(Duration::from_millis(10), stopped));
    api.add("ada@example.com").await;
    for _ in 0..500 {
        if api.store.undelivered().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(api.store.undelivered().await.unwrap(), 0);
    stop.send_replace(true);
    tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}
