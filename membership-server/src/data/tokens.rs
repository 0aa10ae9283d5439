//! `server_tokens`: what each token stands for, by the SHA-256 of the token (never the
//! token itself). Every row carries its tenant, `organization_id`; a token is looked up by
//! its hash before the tenant is known, so on a sharded PostgreSQL this table is a
//! reference table too, or the lookup fans out.

use chrono::TimeDelta;
use membership::{CustomerId, MemberId, OrganizationId, Timestamp, UserId};
use membership_sqlx::{Store, StoreError};

use super::WriteIn;
use sqlx::Row;

use crate::auth::{Principal, Scopes, TokenKind};

/// A token as the server knows it: who it stands for, until when, and its row's id.
#[derive(Clone, Debug)]
pub struct Known {
    /// Who the token stands for.
    pub principal: Principal,
    /// When it stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// Its row's id (what the token routes address it by).
    pub id: Option<String>,
    /// When a request last used it (recorded at most once a minute).
    pub last_used_at: Option<Timestamp>,
}

/// Who a token stands for, by its hash: `None` for a token the server never issued.
/// A stored row that does not read back is refused as unknown, never trusted.
pub(crate) async fn principal(store: &Store, hash: &str) -> Result<Option<Known>, StoreError> {
    let row = sqlx::query(
        "SELECT kind, organization_id, user_id, customer_id, member_id, scopes, expires_at, return_url, id, \
         last_used_at FROM server_tokens WHERE token_hash = $1",
    )
    .bind(hash.to_owned())
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let text = |column: &str| row.try_get::<Option<String>, _>(column).ok().flatten();
    let kind = text("kind").as_deref().and_then(TokenKind::parse);
    let organization_id = text("organization_id").and_then(|id| OrganizationId::parse(&id).ok());
    let scopes = Scopes::parse(&text("scopes").unwrap_or_default());
    let micros = |column: &str| {
        row.try_get::<Option<i64>, _>(column).ok().flatten().and_then(|micros| Timestamp::from_unix_micros(micros).ok())
    };
    let expires_at = micros("expires_at");
    let principal = match (kind, organization_id) {
        (Some(TokenKind::Organization), Some(organization_id)) => {
            Some(Principal::Organization { organization_id, scopes })
        }
        (Some(TokenKind::User), Some(organization_id)) => text("user_id")
            .and_then(|id| UserId::parse(&id).ok())
            .map(|user_id| Principal::User { organization_id, user_id, scopes }),
        (Some(TokenKind::MemberSession), Some(_)) => {
            let customer_id = text("customer_id").and_then(|id| CustomerId::parse(&id).ok());
            let member_id = text("member_id").and_then(|id| MemberId::parse(&id).ok());
            // A session without a readable expiry is refused, never taken as endless.
            let return_url = text("return_url");
            customer_id.zip(member_id).zip(expires_at).map(|((customer_id, member_id), expires_at)| {
                Principal::MemberSession { customer_id, member_id, scopes, expires_at, return_url }
            })
        }
        _ => None,
    };
    if principal.is_none() {
        tracing::warn!(token_hash = hash, "a stored token row does not read back; refusing it");
    }
    Ok(principal.map(|principal| Known { principal, expires_at, id: text("id"), last_used_at: micros("last_used_at") }))
}

/// What a new token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// The organization's access token.
    Organization(OrganizationId),
    /// A user's token, made in an organization.
    User(OrganizationId, UserId),
    /// A member's portal session.
    MemberSession(OrganizationId, CustomerId, MemberId),
}

/// How long a member session made by [`insert_token`] lasts (`setup`'s, and tests'): long
/// enough to try the portal by hand. `POST /v1/customer-sessions/` makes hour-long ones.
pub const LONG_SESSION: TimeDelta = TimeDelta::days(30);

/// Stores the hash of `token`, granting `scopes` for `grant`; a member session expires
/// after [`LONG_SESSION`], other tokens never.
///
/// # Errors
///
/// A database error.
pub async fn insert_token(
    store: &Store,
    token: &str,
    grant: Grant,
    scopes: &Scopes,
    now: Timestamp,
) -> Result<(), StoreError> {
    let expires_at = matches!(grant, Grant::MemberSession(..)).then(|| now.saturating_add(LONG_SESSION));
    insert(store, token, grant, scopes, now, expires_at, None).await
}

/// A member session to store: when it ends and where the portal sends the member back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionTerms {
    /// When it stops working.
    pub expires_at: Timestamp,
    /// The merchant's return URL, if any.
    pub return_url: Option<String>,
}

/// Stores the hash of member-session `token` for `member_id` of `customer_id`, granting
/// `scopes` until `terms.expires_at`.
///
/// # Errors
///
/// A database error.
pub async fn insert_session(
    store: &Store,
    token: &str,
    grant: (OrganizationId, CustomerId, MemberId),
    scopes: &Scopes,
    now: Timestamp,
    terms: SessionTerms,
) -> Result<(), StoreError> {
    let (organization_id, customer_id, member_id) = grant;
    let grant = Grant::MemberSession(organization_id, customer_id, member_id);
    insert(store, token, grant, scopes, now, Some(terms.expires_at), terms.return_url).await
}

async fn insert(
    store: &Store,
    token: &str,
    grant: Grant,
    scopes: &Scopes,
    now: Timestamp,
    expires_at: Option<Timestamp>,
    return_url: Option<String>,
) -> Result<(), StoreError> {
    let (kind, organization_id, user_id, customer_id, member_id) = match grant {
        Grant::Organization(org) => (TokenKind::Organization, org, None, None, None),
        Grant::User(org, user) => (TokenKind::User, org, Some(user.to_string()), None, None),
        Grant::MemberSession(org, customer, member) => {
            (TokenKind::MemberSession, org, None, Some(customer.to_string()), Some(member.to_string()))
        }
    };
    // Every row gets an id, so any token can be listed and revoked.
    sqlx::query(
        "INSERT INTO server_tokens (token_hash, kind, organization_id, user_id, customer_id, member_id, scopes, \
         created_at, expires_at, return_url, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(crate::auth::token_hash(token))
    .bind(kind.as_str())
    .bind(organization_id.to_string())
    .bind(user_id)
    .bind(customer_id)
    .bind(member_id)
    .bind(scopes.to_string())
    .bind(now.unix_micros())
    .bind(expires_at.map(|at| at.unix_micros()))
    .bind(return_url)
    .bind(uuid::Uuid::new_v4().to_string())
    .write_in(store)
    .await?;
    Ok(())
}
