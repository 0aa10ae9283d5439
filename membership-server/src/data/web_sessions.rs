//! `server_web_sessions`: the signed-in browsers of the web pages, by the SHA-256 of the
//! session cookie (never the cookie), and the organization each last chose.

use membership::{OrganizationId, Timestamp, UserId};
use membership_sqlx::{Store, StoreError};
use sqlx::Row;

use super::WriteIn;

/// A signed-in browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebSession {
    /// Who signed in.
    pub user_id: UserId,
    /// The organization last chosen in the picker, if any.
    pub organization_id: Option<OrganizationId>,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// Records a new session under `token_hash`; deletes every session expired by `now` on the
/// way, so the table holds only live ones.
///
/// # Errors
///
/// A database error.
pub async fn insert_web_session(
    store: &Store,
    token_hash: &str,
    session: WebSession,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM server_web_sessions WHERE expires_at <= $1")
        .bind(now.unix_micros())
        .write_in(store)
        .await?;
    sqlx::query(
        "INSERT INTO server_web_sessions (token_hash, user_id, organization_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash.to_owned())
    .bind(session.user_id.to_string())
    .bind(session.organization_id.map(|id| id.to_string()))
    .bind(session.expires_at.unix_micros())
    .bind(now.unix_micros())
    .write_in(store)
    .await?;
    Ok(())
}

/// The live session under `token_hash` at `now`: `None` for an unknown, expired or
/// unreadable one (a row that does not read back signs nobody in).
///
/// # Errors
///
/// A database error.
pub async fn web_session(store: &Store, token_hash: &str, now: Timestamp) -> Result<Option<WebSession>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id, organization_id, expires_at FROM server_web_sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash.to_owned())
    .bind(now.unix_micros())
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user_id = row.try_get::<String, _>("user_id").ok().and_then(|id| UserId::parse(&id).ok());
    let organization_id = row
        .try_get::<Option<String>, _>("organization_id")
        .ok()
        .flatten()
        .and_then(|id| OrganizationId::parse(&id).ok());
    let expires_at = row.try_get::<i64, _>("expires_at").ok().and_then(|at| Timestamp::from_unix_micros(at).ok());
    Ok(user_id.zip(expires_at).map(|(user_id, expires_at)| WebSession { user_id, organization_id, expires_at }))
}

/// Remembers `organization_id` as the session's chosen organization.
///
/// # Errors
///
/// A database error.
pub async fn choose_organization(
    store: &Store,
    token_hash: &str,
    organization_id: OrganizationId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE server_web_sessions SET organization_id = $1 WHERE token_hash = $2")
        .bind(organization_id.to_string())
        .bind(token_hash.to_owned())
        .write_in(store)
        .await?;
    Ok(())
}

/// Ends the session under `token_hash` (signing out); ending an unknown one does nothing.
///
/// # Errors
///
/// A database error.
pub async fn delete_web_session(store: &Store, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM server_web_sessions WHERE token_hash = $1")
        .bind(token_hash.to_owned())
        .write_in(store)
        .await?;
    Ok(())
}
