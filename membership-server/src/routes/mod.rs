//! The service's routes, and the layers every request passes: request ids, tracing, a
//! panic guard, trailing-slash folding, and Polar's JSON for whatever no route answers.

mod members;
mod portal;
mod team;

use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::data;
use crate::error::ApiError;
use crate::state::AppState;

/// The header that carries each request's id, given or made.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service: every route and layer over `state`. Paths are matched with or
/// without a trailing slash (Polar's SDK writes `/v1/members/`).
pub fn app(state: AppState) -> NormalizePath<Router> {
    let router = Router::new()
        .route("/health", get(health))
        .merge(members::router())
        .merge(portal::router())
        .merge(team::router())
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal("a handler panicked").into_response()))
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

/// Liveness and the database's reachability: 200 `{"status": "ok"}` or 503.
async fn health(State(state): State<AppState>) -> Response {
    match data::ping(&state.store).await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: the database is unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}
