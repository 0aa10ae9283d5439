//! `server_tokens`: what each token stands for, by the SHA-256 of the token (never the
//! token itself). Every row carries its tenant, `organization_id`; a token is looked up by
//! its hash before the tenant is known, so on a sharded PostgreSQL this table is a
//! reference table too, or the lookup fans out.

use membership::{CustomerId, MemberId, OrganizationId, Timestamp, UserId};
use membership_sqlx::{Store, StoreError};
use sqlx::Row;

use crate::auth::{Principal, Scopes, TokenKind};

/// Who a token stands for, by its hash: `None` for a token the server never issued.
/// A stored row that does not read back is refused as unknown, never trusted.
pub(crate) async fn principal(store: &Store, hash: &str) -> Result<Option<Principal>, StoreError> {
    let row = sqlx::query(
        "SELECT kind, organization_id, user_id, customer_id, member_id, scopes FROM server_tokens WHERE token_hash = $1",
    )
    .bind(hash.to_owned())
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let text = |column: &str| row.try_get::<Option<String>, _>(column).ok().flatten();
    let kind = text("kind").as_deref().and_then(TokenKind::parse);
    let organization_id = text("organization_id").and_then(|id| OrganizationId::parse(&id).ok());
    let scopes = Scopes::parse(&text("scopes").unwrap_or_default());
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
            customer_id.zip(member_id).map(|(customer_id, member_id)| Principal::MemberSession {
                customer_id,
                member_id,
                scopes,
            })
        }
        _ => None,
    };
    if principal.is_none() {
        tracing::warn!(token_hash = hash, "a stored token row does not read back; refusing it");
    }
    Ok(principal)
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

/// Stores the hash of `token`, granting `scopes` for `grant`.
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
    let (kind, organization_id, user_id, customer_id, member_id) = match grant {
        Grant::Organization(org) => (TokenKind::Organization, org, None, None, None),
        Grant::User(org, user) => (TokenKind::User, org, Some(user.to_string()), None, None),
        Grant::MemberSession(org, customer, member) => {
            (TokenKind::MemberSession, org, None, Some(customer.to_string()), Some(member.to_string()))
        }
    };
    sqlx::query(
        "INSERT INTO server_tokens (token_hash, kind, organization_id, user_id, customer_id, member_id, scopes, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::auth::token_hash(token))
    .bind(kind.as_str())
    .bind(organization_id.to_string())
    .bind(user_id)
    .bind(customer_id)
    .bind(member_id)
    .bind(scopes.to_string())
    .bind(now.unix_micros())
    .execute(store.pool())
    .await?;
    Ok(())
}
