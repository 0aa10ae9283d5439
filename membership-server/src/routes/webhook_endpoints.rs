//! Webhook endpoints, on Polar's contract (`tenant-2026-10.openapi.json`): create (the
//! signing secret is shown in that answer and when rotated, never again), list, get,
//! update, delete and rotate the secret, each for the organization's own endpoints only
//! (another organization's id is not found). Reading takes `webhooks:read` or
//! `webhooks:write`; changing takes `webhooks:write`.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use membership::wire::ListResource;
use membership::{Error, Location, OrganizationId, Timestamp};
use serde::Serialize;
use serde_json::{Map, Value};

use super::invalid;
use crate::auth::{Scope, TokenKind, new_token};
use crate::data::{self, Endpoint, EndpointChange, EndpointRecord};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::{AppState, now};
use crate::tenant::{Caller, merchant};

/// The longest `url` Polar takes.
const URL_MAX: usize = 2083;

/// What a secret reads as in every answer but the one that made it: it is shown once.
pub const HIDDEN_SECRET: &str = "polar_whs_********";

/// The only payload format this service sends (Polar's `discord` and `slack` reshape the
/// payload for those chat services, which it does not).
const RAW: &str = "raw";

/// Polar's `WebhookEventType`: every event type an endpoint may list.
pub const EVENT_TYPES: [&str; 41] = [
    "checkout.created",
    "checkout.updated",
    "checkout.expired",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "customer.state_changed",
    "customer_seat.assigned",
    "customer_seat.claimed",
    "customer_seat.revoked",
    "member.created",
    "member.updated",
    "member.deleted",
    "order.created",
    "order.updated",
    "order.paid",
    "order.refunded",
    "subscription.created",
    "subscription.updated",
    "subscription.active",
    "subscription.canceled",
    "subscription.uncanceled",
    "subscription.cycled",
    "subscription.revoked",
    "subscription.past_due",
    "subscription.paused",
    "subscription.resumed",
    "refund.created",
    "refund.updated",
    "product.created",
    "product.updated",
    "discount.created",
    "discount.updated",
    "discount.deleted",
    "benefit.created",
    "benefit.updated",
    "benefit_grant.created",
    "benefit_grant.cycled",
    "benefit_grant.updated",
    "benefit_grant.revoked",
    "organization.updated",
];

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webhooks/endpoints", get(list).post(create))
        .route("/v1/webhooks/endpoints/{id}", get(read).patch(update).delete(delete))
        .route("/v1/webhooks/endpoints/{id}/secret", patch(rotate))
}

/// Polar's `WebhookEndpoint`.
#[derive(Debug, Serialize)]
pub(crate) struct WebhookEndpoint {
    id: String,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    url: String,
    format: String,
    secret: String,
    organization_id: OrganizationId,
    events: Vec<String>,
    enabled: bool,
    name: Option<String>,
}

impl WebhookEndpoint {
    /// The endpoint as answered: its secret only when `show_secret` (just made or rotated).
    fn new(record: EndpointRecord, show_secret: bool) -> Self {
        WebhookEndpoint {
            id: record.id,
            created_at: record.created_at,
            modified_at: record.modified_at,
            url: record.endpoint.url,
            format: record.format,
            secret: if show_secret { record.endpoint.secret } else { HIDDEN_SECRET.to_owned() },
            organization_id: record.organization_id,
            // No list stored: every event (an endpoint `setup` made).
            events: record.events.unwrap_or_else(|| EVENT_TYPES.iter().map(|&event| event.to_owned()).collect()),
            enabled: record.enabled,
            name: record.name,
        }
    }
}

/// A JSON object's field `name`: `None` when absent or `null`.
fn present<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|value| !value.is_null())
}

/// `url`: an absolute `http` or `https` URL of 1 to 2083 characters.
fn url(value: &Value) -> Result<String, ApiError> {
    const ONLY_HTTP: &str = "must be an http or https URL, such as https://example.com/webhooks";
    let text = value.as_str().ok_or_else(|| invalid("url", "must be a string"))?;
    if text.is_empty() || text.len() > URL_MAX {
        return Err(invalid("url", "must be a URL of 1 to 2083 characters"));
    }
    let parsed = reqwest::Url::parse(text).map_err(|_| invalid("url", ONLY_HTTP))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("url", ONLY_HTTP));
    }
    Ok(text.to_owned())
}

/// `format`: `raw`; Polar's other formats are refused rather than sent raw.
fn format(value: &Value) -> Result<String, ApiError> {
    match value.as_str() {
        Some(RAW) => Ok(RAW.to_owned()),
        Some("discord" | "slack") => {
            Err(invalid("format", "this service sends only the `raw` format; `discord` and `slack` are not supported"))
        }
        _ => Err(invalid("format", "must be one of `raw`, `discord`, `slack`")),
    }
}

/// `events`: an array of Polar's event types, kept once each, in the order given.
fn events(value: &Value) -> Result<Vec<String>, ApiError> {
    let items = value.as_array().ok_or_else(|| invalid("events", "must be an array of event types"))?;
    let mut seen = BTreeSet::new();
    let mut events = Vec::with_capacity(items.len());
    for item in items {
        let event = item
            .as_str()
            .filter(|event| EVENT_TYPES.contains(event))
            .ok_or_else(|| invalid("events", "must list Polar's event types, such as `member.created`"))?;
        if seen.insert(event) {
            events.push(event.to_owned());
        }
    }
    Ok(events)
}

/// `name`: a string, or `null` for none; `None` when the body does not send it.
#[expect(
    clippy::option_option,
    reason = "absent (keep), null (clear) and a name are three answers, as EndpointChange::name"
)]
fn name(body: &Map<String, Value>) -> Result<Option<Option<String>>, ApiError> {
    match body.get("name") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(name)) => {
            membership::refuse_control_characters("name", name)?;
            Ok(Some(Some(name.clone())))
        }
        Some(_) => Err(invalid("name", "must be a string or null")),
    }
}

/// `enabled`: a boolean.
fn enabled(value: &Value) -> Result<bool, ApiError> {
    value.as_bool().ok_or_else(|| invalid("enabled", "must be true or false"))
}

/// The path's endpoint id: a UUID.
fn endpoint_id(path: &PathParams) -> Result<String, ApiError> {
    path.parse("id", |text| {
        uuid::Uuid::parse_str(text).map(|id| id.to_string()).map_err(|_| Error::InvalidInput {
            location: Location::Path,
            field: "id",
            reason: "must be a UUID".into(),
        })
    })
}

const NO_ENDPOINT: &str = "No webhook endpoint of this organization has this id.";

/// A new signing secret.
fn new_secret() -> Result<String, ApiError> {
    new_token(TokenKind::WebhookSecret).map_err(|error| {
        tracing::error!(%error, "no randomness for a webhook secret");
        ApiError::Internal("no randomness for a webhook secret")
    })
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<WebhookEndpoint>), ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksWrite).await?;
    let body = body.parse::<Map<String, Value>>()?;
    let url = url(present(&body, "url").ok_or_else(|| invalid("url", "is required"))?)?;
    let format = format(present(&body, "format").ok_or_else(|| invalid("format", "is required"))?)?;
    let events = events(present(&body, "events").ok_or_else(|| invalid("events", "is required"))?)?;
    let name = name(&body)?.flatten();
    if let Some(named) = present(&body, "organization_id") {
        // A token acts in one organization: naming another is refused, not ignored.
        if named.as_str().and_then(|id| OrganizationId::parse(id).ok()) != Some(organization_id) {
            return Err(invalid("organization_id", "must be the id of the organization the token acts in, or absent"));
        }
    }
    let record = EndpointRecord {
        id: uuid::Uuid::new_v4().to_string(),
        organization_id,
        endpoint: Endpoint { url, secret: new_secret()? },
        name,
        format,
        events: Some(events),
        enabled: true,
        created_at: now(),
        modified_at: None,
    };
    data::insert_endpoint_record(&state.store, &record).await?;
    Ok((StatusCode::CREATED, Json(WebhookEndpoint::new(record, true))))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryPairs,
) -> Result<Json<ListResource<WebhookEndpoint>>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksRead).await?;
    let paging = query.paging(false)?;
    // Polar's `organization_id` filter: only the acting organization's endpoints can be
    // listed, so naming another lists none.
    let others = query
        .0
        .iter()
        .any(|(key, value)| key == "organization_id" && OrganizationId::parse(value).ok() != Some(organization_id));
    if others {
        return Ok(Json(ListResource::new(Vec::new(), 0, paging.limit)));
    }
    let (records, total) =
        data::endpoints_page(&state.store, organization_id, paging.limit.get(), paging.offset()).await?;
    let items = records.into_iter().map(|record| WebhookEndpoint::new(record, false)).collect();
    Ok(Json(ListResource::new(items, total, paging.limit)))
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksRead).await?;
    let id = endpoint_id(&path)?;
    let record = data::endpoint_record(&state.store, organization_id, &id).await?;
    Ok(Json(WebhookEndpoint::new(record.ok_or(ApiError::NotFound(NO_ENDPOINT))?, false)))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksWrite).await?;
    let id = endpoint_id(&path)?;
    let body = body.parse::<Map<String, Value>>()?;
    // `null` leaves a field as it is, as Polar's update schema has it; `name: null` clears
    // the name.
    let change = EndpointChange {
        url: present(&body, "url").map(url).transpose()?,
        name: name(&body)?,
        format: present(&body, "format").map(format).transpose()?,
        events: present(&body, "events").map(events).transpose()?,
        enabled: present(&body, "enabled").map(enabled).transpose()?,
    };
    let record = data::update_endpoint(&state.store, organization_id, &id, change, now()).await?;
    Ok(Json(WebhookEndpoint::new(record.ok_or(ApiError::NotFound(NO_ENDPOINT))?, false)))
}

async fn delete(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<StatusCode, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksWrite).await?;
    let id = endpoint_id(&path)?;
    if data::delete_endpoint(&state.store, organization_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(NO_ENDPOINT))
    }
}

/// `PATCH …/{id}/secret`: a new secret, shown in this answer; the old one signs nothing
/// from now on.
async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::WebhooksWrite).await?;
    let id = endpoint_id(&path)?;
    let secret = new_secret()?;
    if !data::set_endpoint_secret(&state.store, organization_id, &id, &secret, now()).await? {
        return Err(ApiError::NotFound(NO_ENDPOINT));
    }
    let record = data::endpoint_record(&state.store, organization_id, &id).await?;
    // The secret as stored now: the one that signs the next delivery.
    Ok(Json(WebhookEndpoint::new(record.ok_or(ApiError::NotFound(NO_ENDPOINT))?, true)))
}
