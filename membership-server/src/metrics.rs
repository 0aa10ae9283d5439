//! `GET /metrics` in Prometheus' text format (`OpenMetrics` 1.0, which Prometheus scrapes
//! as it is), with the `prometheus-client` crate:
//!
//! * `membership_http_requests_total{method, route, status}` and
//!   `membership_http_request_duration_seconds{method, route}` (a histogram), by the
//!   matched route template (`/v1/customers/{id}/members`), never the raw path, so ids do
//!   not multiply the series; a path no route matches counts as `route="unmatched"`;
//! * `membership_store_retries_total` and `membership_store_conflicts_total`, the store's
//!   own counters;
//! * `membership_outbox_depth` (webhooks not yet delivered everywhere) and
//!   `membership_outbox_oldest_due_seconds` (how long the earliest of them has been due),
//!   read by one cheap query at each scrape;
//! * `membership_webhook_delivery_attempts_total{outcome}` (`delivered`, `retried`,
//!   `failed`, `unmarked`), from this process's deliverer;
//! * `membership_db_pool_connections` and `membership_db_pool_idle_connections`.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use membership_sqlx::Store;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::state::{AppState, now};

/// The labels of a request count.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

/// The labels of a latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

/// The label of a delivery attempt.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// A latency histogram: 0.5 ms to about 8 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0005, 2.0, 15))
}

/// The service's metrics: what requests and the deliverer record, and the registry a
/// scrape encodes.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    deliveries: Family<OutcomeLabels, Counter>,
    outbox_depth: Gauge,
    outbox_oldest_due: Gauge<f64, AtomicU64>,
}

impl Metrics {
    /// The metrics of a service over `store`.
    #[must_use]
    pub fn new(store: &Store) -> Self {
        let mut registry = Registry::with_prefix("membership");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route template and status", requests.clone());
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (to the response's head), by route template",
            latency.clone(),
        );
        let deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "webhook_delivery_attempts",
            "Webhook POST attempts by this process, by outcome",
            deliveries.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register(
            "outbox_depth",
            "Webhooks not yet delivered everywhere: undispatched outbox rows and pending deliveries",
            outbox_depth.clone(),
        );
        let outbox_oldest_due = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "outbox_oldest_due_seconds",
            "How long the earliest undelivered webhook has been due (0 when none is overdue)",
            outbox_oldest_due.clone(),
        );
        registry.register_collector(Box::new(StoreCollector { store: store.clone() }));
        Metrics { registry, requests, latency, deliveries, outbox_depth, outbox_oldest_due }
    }

    /// Counts one answered request (one allocation: the route's text).
    fn record(&self, method: &'static str, route: String, status: StatusCode, seconds: f64) {
        let labels = RouteLabels { method, route };
        self.latency.get_or_create(&labels).observe(seconds);
        let RouteLabels { method, route } = labels;
        self.requests.get_or_create(&RequestLabels { method, route, status: status.as_u16() }).inc();
    }

    /// Counts one webhook delivery attempt, by how it ended.
    pub fn delivery(&self, outcome: &'static str) {
        self.deliveries.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// The text of a scrape, after reading the outbox from `store`.
    async fn scrape(&self, store: &Store) -> Result<String, ()> {
        let depth = store.undelivered().await;
        let oldest = store.oldest_undelivered_due().await;
        match (depth, oldest) {
            (Ok(depth), Ok(oldest)) => {
                self.outbox_depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
                let late = oldest.map_or(0, |due| now().unix_micros().saturating_sub(due.unix_micros()).max(0));
                #[expect(clippy::cast_precision_loss, reason = "microseconds of lag: far below 2^52")]
                self.outbox_oldest_due.set(late as f64 / 1e6);
            }
            (Err(error), _) | (_, Err(error)) => {
                // The rest of the scrape is still worth having: the gauges keep their last value.
                tracing::warn!(%error, "metrics: the outbox could not be read");
            }
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).map_err(|_| ())?;
        Ok(text)
    }
}

/// The store's counters and its pool, read at each scrape.
#[derive(Debug)]
struct StoreCollector {
    store: Store,
}

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counters = [
            ("store_retries", "Store attempts run again after a conflict or a transient failure", self.store.retries()),
            ("store_conflicts", "Store attempts that met a conflict with another writer", self.store.conflicts()),
        ];
        for (name, help, value) in counters {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)?;
        }
        let pool = self.store.pool();
        let gauges = [
            ("db_pool_connections", "Database connections open in the pool", pool.size()),
            (
                "db_pool_idle_connections",
                "Database connections idle in the pool",
                u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(i64::from(value));
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

/// Middleware: times and counts each request by its matched route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Only the standard methods get a label of their own: any word is a valid method.
    let method = match request.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let response = next.run(request).await;
    metrics.record(method, route, response.status(), started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>) -> Response {
    if !state.settings.metrics {
        return crate::error::ApiError::RouteNotFound.into_response();
    }
    match state.metrics.scrape(&state.store).await {
        Ok(text) => {
            let kind = HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
            (StatusCode::OK, [(header::CONTENT_TYPE, kind)], text).into_response()
        }
        Err(()) => crate::error::ApiError::Internal("the metrics could not be encoded").into_response(),
    }
}
