//! Organization access tokens and personal access tokens as rows to list, change and
//! revoke (`server_tokens`, migration 0004). A token is addressed by its row's `id`; the
//! token itself is shown once, when made, and only its hash is stored. Revoking deletes
//! the row.

use membership::{OrganizationId, Timestamp, UserId};
use membership_sqlx::{Store, StoreError};

use super::WriteIn;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::auth::{Scopes, TokenKind, token_hash};

/// An access token's row, as the token routes and the CLI show it (never the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// Its id.
    pub id: String,
    /// Organization token, user token or member session.
    pub kind: TokenKind,
    /// The organization it was made in.
    pub organization_id: OrganizationId,
    /// The user of a personal access token.
    pub user_id: Option<UserId>,
    /// What it may do.
    pub scopes: Scopes,
    /// What it is for, in its maker's words.
    pub comment: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When its comment or scopes last changed.
    pub modified_at: Option<Timestamp>,
    /// When it stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// When a request last used it, to within a minute.
    pub last_used_at: Option<Timestamp>,
}

/// Whose tokens a list, change or revocation may reach: another's token is not found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenOwner {
    /// The organization access tokens of one organization.
    Organization(OrganizationId),
    /// The personal access tokens of one user.
    User(UserId),
    /// The operator's view: organization and user tokens of one organization, or of all.
    Operator(Option<OrganizationId>),
}

impl TokenOwner {
    /// The `WHERE` condition, with its one bind (`$1`), or none.
    fn condition(self) -> (&'static str, Option<String>) {
        match self {
            TokenOwner::Organization(id) => ("organization_id = $1 AND kind = 'organization'", Some(id.to_string())),
            TokenOwner::User(id) => ("user_id = $1 AND kind = 'user'", Some(id.to_string())),
            TokenOwner::Operator(Some(id)) => {
                ("organization_id = $1 AND kind IN ('organization', 'user')", Some(id.to_string()))
            }
            TokenOwner::Operator(None) => ("kind IN ('organization', 'user')", None),
        }
    }
}

/// A new access token to store.
#[derive(Clone, Debug)]
pub struct NewAccessToken {
    /// The organization it is made in.
    pub organization_id: OrganizationId,
    /// The user of a personal access token; `None` for an organization access token.
    pub user_id: Option<UserId>,
    /// What it may do.
    pub scopes: Scopes,
    /// What it is for.
    pub comment: String,
    /// When it stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
}

const COLUMNS: &str =
    "id, kind, organization_id, user_id, scopes, comment, created_at, modified_at, expires_at, last_used_at";

/// A row as an [`AccessToken`]; `corrupt_row` when it does not read back.
fn record(row: &AnyRow) -> Result<AccessToken, StoreError> {
    let text = |column: &str| row.try_get::<Option<String>, _>(column).ok().flatten();
    let key = text("id").unwrap_or_default();
    let corrupt = |what: &str| StoreError::CorruptRow {
        table: "server_tokens",
        key: key.clone(),
        reason: format!("unreadable {what}"),
    };
    let micros = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        match row.try_get::<Option<i64>, _>(column).map_err(|_| corrupt(column))? {
            None => Ok(None),
            Some(micros) => Timestamp::from_unix_micros(micros).map(Some).map_err(|_| corrupt(column)),
        }
    };
    Ok(AccessToken {
        id: text("id").ok_or_else(|| corrupt("id"))?,
        kind: text("kind").as_deref().and_then(TokenKind::parse).ok_or_else(|| corrupt("kind"))?,
        organization_id: text("organization_id")
            .and_then(|id| OrganizationId::parse(&id).ok())
            .ok_or_else(|| corrupt("organization_id"))?,
        user_id: text("user_id").map(|id| UserId::parse(&id).map_err(|_| corrupt("user_id"))).transpose()?,
        scopes: Scopes::parse(&text("scopes").unwrap_or_default()),
        comment: text("comment").unwrap_or_default(),
        created_at: micros("created_at")?.ok_or_else(|| corrupt("created_at"))?,
        modified_at: micros("modified_at")?,
        expires_at: micros("expires_at")?,
        last_used_at: micros("last_used_at")?,
    })
}

/// Stores the hash of `token` for `new`, made at `now`; the stored row.
///
/// # Errors
///
/// A database error.
pub async fn insert_access_token(
    store: &Store,
    token: &str,
    new: NewAccessToken,
    now: Timestamp,
) -> Result<AccessToken, StoreError> {
    let kind = if new.user_id.is_some() { TokenKind::User } else { TokenKind::Organization };
    let record = AccessToken {
        id: uuid::Uuid::new_v4().to_string(),
        kind,
        organization_id: new.organization_id,
        user_id: new.user_id,
        scopes: new.scopes,
        comment: new.comment,
        created_at: now,
        modified_at: None,
        expires_at: new.expires_at,
        last_used_at: None,
    };
    sqlx::query(
        "INSERT INTO server_tokens (token_hash, id, kind, organization_id, user_id, scopes, comment, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(token_hash(token))
    .bind(record.id.clone())
    .bind(kind.as_str())
    .bind(record.organization_id.to_string())
    .bind(record.user_id.map(|id| id.to_string()))
    .bind(record.scopes.to_string())
    .bind(record.comment.clone())
    .bind(now.unix_micros())
    .bind(record.expires_at.map(|at| at.unix_micros()))
    .write_in(store)
    .await?;
    Ok(record)
}

/// One page of `owner`'s tokens, oldest first, and how many there are in all.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn access_tokens_page(
    store: &Store,
    owner: TokenOwner,
    limit: u64,
    offset: u64,
) -> Result<(Vec<AccessToken>, u64), StoreError> {
    let bound = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    let (condition, bind) = owner.condition();
    // `$1` is taken only when the condition binds a value.
    let (limit_at, offset_at) = if bind.is_some() { ("$2", "$3") } else { ("$1", "$2") };
    let sql = format!(
        "SELECT {COLUMNS} FROM server_tokens WHERE {condition} ORDER BY created_at, id LIMIT {limit_at} OFFSET {offset_at}"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(bind) = bind.clone() {
        query = query.bind(bind);
    }
    let rows = query.bind(bound(limit)).bind(bound(offset)).fetch_all(store.pool()).await?;
    let mut count =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM server_tokens WHERE {condition}")));
    if let Some(bind) = bind {
        count = count.bind(bind);
    }
    let total: i64 = count.fetch_one(store.pool()).await?.try_get("n")?;
    let items = rows.iter().map(record).collect::<Result<_, _>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// Token `id` of `owner`, or `None`.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn access_token(store: &Store, owner: TokenOwner, id: &str) -> Result<Option<AccessToken>, StoreError> {
    let (condition, bind) = owner.condition();
    let id_at = if bind.is_some() { "$2" } else { "$1" };
    let sql = format!("SELECT {COLUMNS} FROM server_tokens WHERE {condition} AND id = {id_at}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(bind) = bind {
        query = query.bind(bind);
    }
    let row = query.bind(id.to_owned()).fetch_optional(store.pool()).await?;
    row.as_ref().map(record).transpose()
}

/// Sets token `id`'s comment and scopes (each when given) at `now`: the token as it now
/// is, or `None` when `owner` has no such token.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn update_access_token(
    store: &Store,
    owner: TokenOwner,
    id: &str,
    comment: Option<String>,
    scopes: Option<Scopes>,
    now: Timestamp,
) -> Result<Option<AccessToken>, StoreError> {
    // Read, changed in memory, written back whole: plain binds only, typed alike by both
    // backends. Two concurrent updates of one token: the last one wins, as in Polar.
    let Some(mut token) = access_token(store, owner, id).await? else { return Ok(None) };
    if let Some(comment) = comment {
        token.comment = comment;
    }
    if let Some(scopes) = scopes {
        token.scopes = scopes;
    }
    token.modified_at = Some(now);
    let updated = sqlx::query("UPDATE server_tokens SET comment = $1, scopes = $2, modified_at = $3 WHERE id = $4")
        .bind(token.comment.clone())
        .bind(token.scopes.to_string())
        .bind(now.unix_micros())
        .bind(token.id.clone())
        .write_in(store)
        .await?;
    // Revoked between the read and the write: gone.
    Ok((updated.rows_affected() > 0).then_some(token))
}

/// Revokes token `id` of `owner` (any kind for [`TokenOwner::Operator`], member sessions
/// included): deletes its row and returns its hash, so the caller can forget the principal
/// it remembers; `None` when there is no such token.
///
/// # Errors
///
/// A database error.
pub async fn revoke_token(store: &Store, owner: TokenOwner, id: &str) -> Result<Option<String>, StoreError> {
    let (condition, bind) = match owner {
        TokenOwner::Operator(None) => ("1 = 1", None),
        TokenOwner::Operator(Some(organization_id)) => ("organization_id = $1", Some(organization_id.to_string())),
        other => other.condition(),
    };
    let id_at = if bind.is_some() { "$2" } else { "$1" };
    let sql = format!("DELETE FROM server_tokens WHERE {condition} AND id = {id_at} RETURNING token_hash");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(bind) = bind {
        query = query.bind(bind);
    }
    let row = query.bind(id.to_owned()).fetch_optional(store.pool()).await?;
    Ok(row.and_then(|row| row.try_get::<String, _>("token_hash").ok()))
}

/// The hash of token `id`, for forgetting its remembered principal.
///
/// # Errors
///
/// A database error.
pub async fn token_hash_of(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT token_hash FROM server_tokens WHERE id = $1")
        .bind(id.to_owned())
        .fetch_optional(store.pool())
        .await?;
    Ok(row.and_then(|row| row.try_get::<String, _>("token_hash").ok()))
}

/// Records that token `id` was used at `now`.
///
/// # Errors
///
/// A database error.
pub async fn touch_token(store: &Store, id: &str, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE server_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now.unix_micros())
        .bind(id.to_owned())
        .write_in(store)
        .await?;
    Ok(())
}

/// The ids of the users the server knows with `email` (compared without case).
///
/// # Errors
///
/// A database error.
pub async fn user_ids_by_email(store: &Store, email: &str) -> Result<Vec<UserId>, StoreError> {
    let rows = sqlx::query("SELECT id FROM server_users WHERE lower(email) = lower($1)")
        .bind(email.to_owned())
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| row.try_get::<String, _>("id").ok())
        .filter_map(|id| UserId::parse(&id).ok())
        .collect())
}
