//! `server_webhook_endpoints`: where each organization's webhooks go, keyed by
//! `organization_id` (the tenant) and read by it through an index.

use membership::{OrganizationId, Timestamp};
use membership_sqlx::{Store, StoreError};
use sqlx::Row;

/// One place an organization's webhooks go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Where to POST.
    pub url: String,
    /// The signing secret (the SDK's `validateEvent` takes it as given).
    pub secret: String,
}

/// Adds a webhook endpoint for organization `organization_id`; its id, which is the
/// destination its deliveries are recorded under.
///
/// # Errors
///
/// A database error.
pub async fn insert_endpoint(
    store: &Store,
    organization_id: OrganizationId,
    endpoint: &Endpoint,
    now: Timestamp,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO server_webhook_endpoints (id, organization_id, url, secret, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.clone())
    .bind(organization_id.to_string())
    .bind(endpoint.url.clone())
    .bind(endpoint.secret.clone())
    .bind(now.unix_micros())
    .execute(store.pool())
    .await?;
    Ok(id)
}

/// Removes endpoint `id` of organization `organization_id`: did it exist? Its pending
/// deliveries fail at their next attempt.
///
/// # Errors
///
/// A database error.
pub async fn delete_endpoint(store: &Store, organization_id: OrganizationId, id: &str) -> Result<bool, StoreError> {
    let deleted = sqlx::query("DELETE FROM server_webhook_endpoints WHERE organization_id = $1 AND id = $2")
        .bind(organization_id.to_string())
        .bind(id.to_owned())
        .execute(store.pool())
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// The ids of the organization's webhook endpoints: where a webhook is dispatched to.
///
/// # Errors
///
/// A database error.
pub async fn endpoint_ids(store: &Store, organization_id: OrganizationId) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT id FROM server_webhook_endpoints WHERE organization_id = $1 ORDER BY id")
        .bind(organization_id.to_string())
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|row| row.try_get("id")).collect::<Result<_, sqlx::Error>>().map_err(StoreError::from)
}

/// Endpoint `id` of organization `organization_id`, if it still exists.
///
/// # Errors
///
/// A database error.
pub async fn endpoint(
    store: &Store,
    organization_id: OrganizationId,
    id: &str,
) -> Result<Option<Endpoint>, StoreError> {
    let row = sqlx::query("SELECT url, secret FROM server_webhook_endpoints WHERE organization_id = $1 AND id = $2")
        .bind(organization_id.to_string())
        .bind(id.to_owned())
        .fetch_optional(store.pool())
        .await?;
    row.map(|row| Ok(Endpoint { url: row.try_get("url")?, secret: row.try_get("secret")? }))
        .transpose()
        .map_err(|error: sqlx::Error| StoreError::from(error))
}

/// The organization's webhook endpoints.
///
/// # Errors
///
/// A database error.
pub async fn endpoints(store: &Store, organization_id: OrganizationId) -> Result<Vec<Endpoint>, StoreError> {
    let rows = sqlx::query("SELECT url, secret FROM server_webhook_endpoints WHERE organization_id = $1 ORDER BY id")
        .bind(organization_id.to_string())
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| Ok(Endpoint { url: row.try_get("url")?, secret: row.try_get("secret")? }))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}
