//! The service's routes, and the layers every request passes: request ids, tracing, a
//! panic guard, the request limits, trailing-slash folding, and Polar's JSON for
//! whatever no route answers.

mod access_tokens;
mod customers;
mod generation_a;
pub(crate) mod login_code;
pub(crate) mod members;
mod organizations;
pub(crate) mod portal;
mod sessions;
pub(crate) mod team;
mod webhook_deliveries;
mod webhook_endpoints;

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use membership_sqlx::StoreError;
use serde_json::json;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::ApiError;
use crate::limits;
use crate::state::{AppState, now};

/// A 422 at `["body", field]`: the crate's `invalid_input`, for a body field a route
/// checks itself.
fn invalid(field: &'static str, reason: impl Into<std::borrow::Cow<'static, str>>) -> ApiError {
    membership::Error::InvalidInput { location: membership::Location::Body, field, reason: reason.into() }.into()
}

/// The header that carries each request's id, given or made.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service: every route and layer over `state`. Paths are matched with or
/// without a trailing slash (Polar's SDK writes `/v1/members/`).
pub fn app(state: AppState) -> NormalizePath<Router> {
    let guard = limits::Guard::new(state.settings.limits);
    let (metrics, metrics_on) = (state.metrics.clone(), state.settings.metrics);
    let router = Router::new()
        .route("/health", get(ready))
        .route("/health/ready", get(ready))
        .route("/health/live", get(live))
        .merge(customers::router())
        .route("/metrics", get(crate::metrics::scrape))
        .merge(access_tokens::router())
        .merge(members::router())
        .merge(organizations::router())
        .merge(generation_a::router())
        .merge(login_code::router())
        .merge(portal::router())
        .merge(sessions::router())
        .merge(team::router())
        .merge(webhook_deliveries::router())
        .merge(webhook_endpoints::router())
        .merge(crate::web::router())
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        // Inside the request-id layers, so that its 414, 431 and 503 carry one too.
        .layer(axum::middleware::from_fn_with_state(guard, limits::guard));
    // Outside the guard, so its 503s are counted; after routing, so by route template.
    // With metrics off, nothing is recorded either.
    let router = if metrics_on {
        router.layer(axum::middleware::from_fn_with_state(metrics, crate::metrics::track))
    } else {
        router
    };
    let router = router
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal("a handler panicked").into_response()))
        .layer(axum::middleware::from_fn(crate::version::polar_version))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request.headers().get(REQUEST_ID).and_then(|id| id.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid));
    NormalizePathLayer::trim_trailing_slash().layer(router)
}

/// How long the readiness check gives the database to answer a read and commit a write.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(1);

/// Readiness (`/health`, `/health/ready`): 200 `{"status": "ok", "read": "ok", "write":
/// "ok"}` when the database answered a read and committed a write within
/// [`READINESS_TIMEOUT`], else 503 naming what failed (`"unavailable"`). A load balancer
/// sends traffic elsewhere on 503; the process recovers by itself once the database does.
async fn ready(State(state): State<AppState>) -> Response {
    let health = state.store.health(READINESS_TIMEOUT, now()).await;
    let word = |probe: &Result<(), StoreError>, what: &str| match probe {
        Ok(()) => "ok",
        Err(error) => {
            tracing::error!(%error, "health check: the database failed a {what}");
            "unavailable"
        }
    };
    let body = json!({
        "status": if health.is_ready() { "ok" } else { "unavailable" },
        "read": word(&health.read, "read"),
        "write": word(&health.write, "write"),
    });
    if health.is_ready() {
        return (StatusCode::OK, Json(body)).into_response();
    }
    let retry_after = membership_sqlx::RETRY_AFTER.as_secs().max(1);
    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, retry_after)], Json(body)).into_response()
}

/// Liveness (`/health/live`): 200 while the process serves requests, whatever the
/// database's state; restarting the process would not bring the database back.
async fn live() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}
