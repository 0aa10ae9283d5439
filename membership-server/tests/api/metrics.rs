//! `GET /metrics`: requests by route template and status, latency histograms, the store's
//! counters, the outbox and the pool, and delivery attempts by outcome.

use axum::http::{Method, StatusCode, header};
use membership_server::data::{self, Endpoint};
use membership_server::state::{self, now};
use membership_server::webhooks::Deliverer;
use membership_server::{AppState, app};
use serde_json::json;

use crate::support::{Api, fresh_store, setup};

/// A service whose state the test keeps, to reach its metrics.
async fn api_with_state(settings: state::Settings) -> (Api, AppState) {
    let store = fresh_store().await;
    let created = setup().run(&store).await.unwrap();
    let state = AppState::with_settings(store.clone(), settings);
    (Api { app: app(state.clone()), store, created }, state)
}

async fn scrape(api: &Api) -> String {
    // The body is text, not JSON: read it raw.
    let request = axum::http::Request::get("/metrics").body(axum::body::Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(api.app.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The value of the sample line that starts with `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series).and_then(|rest| rest.trim().parse().ok()))
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status_not_by_raw_path() {
    let (api, _) = api_with_state(state::Settings::default()).await;
    assert_eq!(api.post(&api.members(), json!({ "email": "ada@example.com" })).await.status, StatusCode::CREATED);
    let unknown = format!("{}/{}", api.members(), uuid::Uuid::new_v4());
    assert_eq!(api.get(&unknown).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&format!("{}/{}", api.members(), uuid::Uuid::new_v4())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/v1/no-such-route/123").await.status, StatusCode::NOT_FOUND);
    // Any word is a method: the unusual ones share one label.
    let purge = Method::from_bytes(b"PURGE").unwrap();
    assert_eq!(api.call(purge, &api.members(), None, None).await.status, StatusCode::METHOD_NOT_ALLOWED);

    let text = scrape(&api).await;
    let created = r#"membership_http_requests_total{method="POST",route="/v1/customers/{id}/members",status="201"}"#;
    assert_eq!(sample(&text, created), Some(1.0), "{text}");
    let missing =
        r#"membership_http_requests_total{method="GET",route="/v1/customers/{id}/members/{member_id}",status="404"}"#;
    assert_eq!(sample(&text, missing), Some(2.0), "{text}");
    let unmatched = r#"membership_http_requests_total{method="GET",route="unmatched",status="404"}"#;
    assert_eq!(sample(&text, unmatched), Some(1.0), "{text}");
    let other = r#"membership_http_requests_total{method="other",route="/v1/customers/{id}/members",status="405"}"#;
    assert_eq!(sample(&text, other), Some(1.0), "{text}");
    // No id reaches a label.
    assert!(!text.contains(&api.created.customer_id.to_string()), "{text}");
    assert!(!text.contains("no-such-route"), "{text}");
    let histogram = r#"membership_http_request_duration_seconds_count{method="GET",route="/v1/customers/{id}/members/{member_id}"}"#;
    assert_eq!(sample(&text, histogram), Some(2.0), "{text}");
    assert!(text.contains(r#"membership_http_request_duration_seconds_bucket{le="0.0005",method="POST""#), "{text}");
    for name in [
        "membership_store_retries_total ",
        "membership_store_conflicts_total ",
        "membership_outbox_depth ",
        "membership_outbox_oldest_due_seconds ",
        "membership_db_pool_connections ",
        "membership_db_pool_idle_connections ",
    ] {
        assert!(text.lines().any(|line| line.starts_with(name)), "{name} missing: {text}");
    }
    // The member added is a webhook waiting for its dispatch.
    assert!(sample(&text, "membership_outbox_depth").unwrap() >= 1.0, "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[tokio::test]
async fn delivery_attempts_are_counted_by_outcome() {
    let (api, state) = api_with_state(state::Settings::default()).await;
    // Nobody listens on the discard port: the attempt is retried later.
    let endpoint = Endpoint { url: "http://127.0.0.1:9/hook".to_owned(), secret: "polar_whs_secret".to_owned() };
    data::insert_endpoint(&api.store, api.created.organization_id, &endpoint, now()).await.unwrap();
    api.add("grace@example.com").await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap().with_metrics(state.metrics.clone());
    let pass = deliverer.pass(now()).await.unwrap();
    assert!(pass.retried >= 1, "{pass:?}");
    let text = scrape(&api).await;
    let retried = r#"membership_webhook_delivery_attempts_total{outcome="retried"}"#;
    #[expect(clippy::cast_precision_loss, reason = "a handful of attempts")]
    let expected = pass.retried as f64;
    assert_eq!(sample(&text, retried), Some(expected), "{text}");
}

#[tokio::test]
async fn metrics_can_be_turned_off() {
    let (api, _) = api_with_state(state::Settings { metrics: false, ..state::Settings::default() }).await;
    let answer = api.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{answer:?}");
}
