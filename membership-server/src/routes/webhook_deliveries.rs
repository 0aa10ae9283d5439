//! Webhook deliveries, on Polar's contract: `GET /v1/webhooks/deliveries` lists the
//! organization's deliveries (one per webhook and endpoint, the latest first, paged,
//! optionally for one `endpoint_id`), and `POST /v1/webhooks/events/{id}/redeliver` sends a
//! webhook again to every endpoint it was delivered to or failed for.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use membership::wire::ListResource;
use membership::{Error, Location, Timestamp};
use membership_sqlx::{DeliveryRecord, DeliveryStatus};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Scope;
use crate::error::ApiError;
use crate::extract::{PathParams, QueryPairs};
use crate::state::{AppState, now};
use crate::tenant::{Caller, merchant};

/// Polar's filters this service does not keep what it would take to apply: refused with a
/// 422 rather than answered unfiltered.
const UNSUPPORTED_FILTERS: [&str; 6] =
    ["start_timestamp", "end_timestamp", "succeeded", "query", "http_code_class", "event_type"];

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webhooks/deliveries", get(list))
        .route("/v1/webhooks/events/{id}/redeliver", post(redeliver))
}

/// Polar's `WebhookEvent`: the webhook a delivery carries.
#[derive(Debug, Serialize)]
struct WebhookEvent {
    id: String,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    last_http_code: Option<u16>,
    succeeded: Option<bool>,
    skipped: bool,
    payload: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    is_archived: bool,
}

/// Polar's `WebhookDelivery`. The service records no HTTP status apart from the last
/// error's text: `http_code` is `null` and `response` is that text.
#[derive(Debug, Serialize)]
struct WebhookDelivery {
    id: uuid::Uuid,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    succeeded: bool,
    http_code: Option<u16>,
    response: Option<String>,
    webhook_event: WebhookEvent,
}

/// A delivery's id: the same UUID for a (webhook, endpoint) pair at every read, as the
/// store keys deliveries by that pair.
fn delivery_id(webhook_id: &str, endpoint_id: &str) -> uuid::Uuid {
    let digest = Sha256::digest(format!("{webhook_id}/{endpoint_id}").as_bytes());
    let mut bytes = [0u8; 16];
    for (byte, from) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *from;
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

impl WebhookDelivery {
    fn new(record: DeliveryRecord) -> Self {
        let delivered = record.status == DeliveryStatus::Delivered;
        let payload = serde_json::to_string(&record.webhook).ok();
        let kind = record.webhook.topic();
        WebhookDelivery {
            id: delivery_id(&record.webhook_id, &record.destination),
            created_at: record.dispatched_at,
            modified_at: record.finished_at,
            succeeded: delivered,
            http_code: None,
            response: record.last_error,
            webhook_event: WebhookEvent {
                id: record.webhook_id,
                created_at: record.webhook.timestamp(),
                modified_at: None,
                last_http_code: None,
                succeeded: (record.status != DeliveryStatus::Pending).then_some(delivered),
                skipped: false,
                payload,
                kind,
                is_archived: false,
            },
        }
    }
}

/// A 422 at `["query", field]`.
fn invalid_query(field: &'static str, reason: &'static str) -> ApiError {
    Error::InvalidInput { location: Location::Query, field, reason: reason.into() }.into()
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryPairs,
) -> Result<Json<ListResource<WebhookDelivery>>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksRead).await?;
    let paging = query.paging(false)?;
    if let Some(filter) = UNSUPPORTED_FILTERS.into_iter().find(|filter| query.first(filter).is_some()) {
        return Err(invalid_query(filter, "is not supported by this service; filter by `endpoint_id` alone"));
    }
    let mut endpoints = query.0.iter().filter(|(key, _)| key == "endpoint_id").map(|(_, value)| value);
    let endpoint = match (endpoints.next(), endpoints.next()) {
        (None, _) => None,
        (Some(id), None) => {
            Some(uuid::Uuid::parse_str(id).map_err(|_| invalid_query("endpoint_id", "must be a UUID"))?.to_string())
        }
        (Some(_), Some(_)) => return Err(invalid_query("endpoint_id", "name one endpoint at a time")),
    };
    let (records, total) =
        state.store.deliveries_page(organization_id, endpoint.as_deref(), paging.limit.get(), paging.offset()).await?;
    let items = records.into_iter().map(WebhookDelivery::new).collect();
    Ok(Json(ListResource::new(items, total, paging.limit)))
}

/// 202 `{}` once the webhook's delivered and failed deliveries are due again; the
/// deliverer sends them at its next look.
async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksWrite).await?;
    let id = path.parse("id", |text| {
        uuid::Uuid::parse_str(text).map(|id| id.to_string()).map_err(|_| Error::InvalidInput {
            location: Location::Path,
            field: "id",
            reason: "must be a UUID".into(),
        })
    })?;
    match state.store.redeliver(organization_id, &id, now()).await? {
        Some(_) => Ok((StatusCode::ACCEPTED, Json(serde_json::json!({})))),
        None => Err(ApiError::NotFound("No webhook event of this organization has this id.")),
    }
}
