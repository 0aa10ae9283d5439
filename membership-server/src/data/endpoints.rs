//! `server_webhook_endpoints`: where each organization's webhooks go, keyed by
//! `organization_id` (the tenant) and read by it through an index.

use membership::{OrganizationId, Timestamp};
use membership_sqlx::{Store, StoreError};

use super::WriteIn;
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
    .write_in(store)
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
        .write_in(store)
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

/// An endpoint as Polar's `WebhookEndpoint` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointRecord {
    /// Its id: the destination its deliveries are recorded under.
    pub id: String,
    /// Its organization.
    pub organization_id: OrganizationId,
    /// Where to POST, and the signing secret.
    pub endpoint: Endpoint,
    /// What the merchant calls it.
    pub name: Option<String>,
    /// The payload format (`raw`).
    pub format: String,
    /// The event types it receives; `None` for every event the service sends (endpoints
    /// made by `setup`).
    pub events: Option<Vec<String>>,
    /// Whether webhooks are dispatched to it.
    pub enabled: bool,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed, if ever.
    pub modified_at: Option<Timestamp>,
}

/// What an update sets: each `Some` replaces the stored value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointChange {
    /// A new URL.
    pub url: Option<String>,
    /// A new name (`Some(None)` clears it).
    pub name: Option<Option<String>>,
    /// A new format.
    pub format: Option<String>,
    /// New event types.
    pub events: Option<Vec<String>>,
    /// Enabled or not.
    pub enabled: Option<bool>,
}

const COLUMNS: &str = "id, organization_id, url, secret, name, format, events, enabled, created_at, modified_at";
const TABLE: &str = "server_webhook_endpoints";

fn corrupt(key: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::CorruptRow { table: TABLE, key: key.to_owned(), reason: reason.to_string() }
}

fn record(row: &sqlx::any::AnyRow) -> Result<EndpointRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let organization_id: String = row.try_get("organization_id")?;
    let organization_id = OrganizationId::parse(&organization_id).map_err(|error| corrupt(&id, error))?;
    let time = |micros: i64| Timestamp::from_unix_micros(micros).map_err(|error| corrupt(&id, error));
    let modified_at: Option<i64> = row.try_get("modified_at")?;
    let events: Option<String> = row.try_get("events")?;
    let enabled: i64 = row.try_get("enabled")?;
    Ok(EndpointRecord {
        endpoint: Endpoint { url: row.try_get("url")?, secret: row.try_get("secret")? },
        organization_id,
        name: row.try_get("name")?,
        format: row.try_get("format")?,
        events: events.map(|events| events.split_whitespace().map(str::to_owned).collect()),
        enabled: enabled != 0,
        created_at: time(row.try_get("created_at")?)?,
        modified_at: modified_at.map(time).transpose()?,
        id,
    })
}

/// Adds a webhook endpoint as `record` describes it (its `id` and times are used as given):
/// the destination its deliveries are recorded under.
///
/// # Errors
///
/// A database error.
pub async fn insert_endpoint_record(store: &Store, record: &EndpointRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO server_webhook_endpoints (id, organization_id, url, secret, name, format, events, enabled, \
         created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(record.id.clone())
    .bind(record.organization_id.to_string())
    .bind(record.endpoint.url.clone())
    .bind(record.endpoint.secret.clone())
    .bind(record.name.clone())
    .bind(record.format.clone())
    .bind(record.events.as_ref().map(|events| events.join(" ")))
    .bind(i64::from(record.enabled))
    .bind(record.created_at.unix_micros())
    .bind(record.modified_at.map(|at| at.unix_micros()))
    .write_in(store)
    .await?;
    Ok(())
}

/// Endpoint `id` of organization `organization_id`, whole, if it exists.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn endpoint_record(
    store: &Store,
    organization_id: OrganizationId,
    id: &str,
) -> Result<Option<EndpointRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM server_webhook_endpoints WHERE organization_id = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(organization_id.to_string())
        .bind(id.to_owned())
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(record).transpose()
}

/// A page of the organization's endpoints, oldest first, and how many it has.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn endpoints_page(
    store: &Store,
    organization_id: OrganizationId,
    limit: u64,
    offset: u64,
) -> Result<(Vec<EndpointRecord>, u64), StoreError> {
    let bound = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT {COLUMNS} FROM server_webhook_endpoints WHERE organization_id = $1 ORDER BY created_at, id \
         LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(organization_id.to_string())
        .bind(bound(limit))
        .bind(bound(offset))
        .fetch_all(store.pool())
        .await?;
    let count = sqlx::query("SELECT COUNT(*) AS n FROM server_webhook_endpoints WHERE organization_id = $1")
        .bind(organization_id.to_string())
        .fetch_one(store.pool())
        .await?;
    let total: i64 = count.try_get("n")?;
    let items = rows.iter().map(record).collect::<Result<_, _>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// Applies `change` to endpoint `id` of organization `organization_id` at `now`: the
/// endpoint as it now is, or `None` when there is no such endpoint.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn update_endpoint(
    store: &Store,
    organization_id: OrganizationId,
    id: &str,
    change: EndpointChange,
    now: Timestamp,
) -> Result<Option<EndpointRecord>, StoreError> {
    // Read, changed in memory, written back whole: plain binds only, which both backends
    // type alike (a NULL bind in `COALESCE` has no type on PostgreSQL). Two concurrent
    // updates of one endpoint: the later write wins whole.
    let Some(mut current) = endpoint_record(store, organization_id, id).await? else { return Ok(None) };
    if let Some(url) = change.url {
        current.endpoint.url = url;
    }
    if let Some(name) = change.name {
        current.name = name;
    }
    if let Some(format) = change.format {
        current.format = format;
    }
    if let Some(events) = change.events {
        current.events = Some(events);
    }
    if let Some(enabled) = change.enabled {
        current.enabled = enabled;
    }
    current.modified_at = Some(now);
    let updated = sqlx::query(
        "UPDATE server_webhook_endpoints SET url = $1, name = $2, format = $3, events = $4, enabled = $5, \
         modified_at = $6 WHERE organization_id = $7 AND id = $8",
    )
    .bind(current.endpoint.url.clone())
    .bind(current.name.clone())
    .bind(current.format.clone())
    .bind(current.events.as_ref().map(|events| events.join(" ")))
    .bind(i64::from(current.enabled))
    .bind(now.unix_micros())
    .bind(organization_id.to_string())
    .bind(id.to_owned())
    .write_in(store)
    .await?;
    Ok((updated.rows_affected() == 1).then_some(current))
}

/// Replaces the signing secret of endpoint `id` of organization `organization_id`: did it
/// exist? Deliveries attempted from now on are signed with the new one.
///
/// # Errors
///
/// A database error.
pub async fn set_endpoint_secret(
    store: &Store,
    organization_id: OrganizationId,
    id: &str,
    secret: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE server_webhook_endpoints SET secret = $1, modified_at = $2 WHERE organization_id = $3 AND id = $4",
    )
    .bind(secret.to_owned())
    .bind(now.unix_micros())
    .bind(organization_id.to_string())
    .bind(id.to_owned())
    .write_in(store)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// The ids of the organization's enabled endpoints that receive `event` (a webhook type
/// such as `member.created`): where a webhook of that type is dispatched to.
///
/// # Errors
///
/// A database error.
pub async fn endpoint_ids_for(
    store: &Store,
    organization_id: OrganizationId,
    event: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, events FROM server_webhook_endpoints WHERE organization_id = $1 AND enabled = 1 ORDER BY id",
    )
    .bind(organization_id.to_string())
    .fetch_all(store.pool())
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let events: Option<String> = row.try_get("events")?;
        if events.is_none_or(|events| events.split_whitespace().any(|listed| listed == event)) {
            ids.push(row.try_get("id")?);
        }
    }
    Ok(ids)
}
