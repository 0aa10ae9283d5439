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

/// Adds a webhook endpoint for organization `organization_id`.
///
/// # Errors
///
/// A database error.
pub async fn insert_endpoint(
    store: &Store,
    organization_id: OrganizationId,
    endpoint: &Endpoint,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO server_webhook_endpoints (id, organization_id, url, secret, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(organization_id.to_string())
    .bind(endpoint.url.clone())
    .bind(endpoint.secret.clone())
    .bind(now.unix_micros())
    .execute(store.pool())
    .await?;
    Ok(())
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
