//! The server's own tables, beside the store's: token hashes and webhook endpoints. The
//! same SQL runs on SQLite and PostgreSQL, created at start if missing.

use membership::organization::VerificationStatus;
use membership::{CustomerId, Email, MemberId, OrganizationId, Timestamp, UserId};
use membership_sqlx::StoreError;
use sqlx::{AnyPool, Row};

use crate::auth::{Principal, Scopes, TokenKind};

const SCHEMA: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS server_users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        verification TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS server_tokens (
        token_hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        organization_id TEXT NOT NULL,
        user_id TEXT,
        customer_id TEXT,
        member_id TEXT,
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS server_webhook_endpoints (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS server_webhook_endpoints_organization ON server_webhook_endpoints (organization_id)",
];

/// Creates the server's tables if they are missing.
///
/// # Errors
///
/// A database error.
pub async fn create(pool: &AnyPool) -> Result<(), StoreError> {
    for statement in SCHEMA {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}

/// Who a token stands for, by its hash: `None` for a token the server never issued.
/// A stored row that does not read back is refused as unknown, never trusted.
pub(crate) async fn principal(pool: &AnyPool, hash: &str) -> Result<Option<Principal>, StoreError> {
    let row = sqlx::query(
        "SELECT kind, organization_id, user_id, customer_id, member_id, scopes FROM server_tokens WHERE token_hash = $1",
    )
    .bind(hash.to_owned())
    .fetch_optional(pool)
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
    pool: &AnyPool,
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
    .execute(pool)
    .await?;
    Ok(())
}

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
    pool: &AnyPool,
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
    .execute(pool)
    .await?;
    Ok(())
}

/// The organization's webhook endpoints.
///
/// # Errors
///
/// A database error.
pub async fn endpoints(pool: &AnyPool, organization_id: OrganizationId) -> Result<Vec<Endpoint>, StoreError> {
    let rows = sqlx::query("SELECT url, secret FROM server_webhook_endpoints WHERE organization_id = $1 ORDER BY id")
        .bind(organization_id.to_string())
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| Ok(Endpoint { url: row.try_get("url")?, secret: row.try_get("secret")? }))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// A user the server knows: the email invitations are matched against, and the identity
/// verification ownership needs (ORG-10), facts that live outside the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The user.
    pub id: UserId,
    /// Their email.
    pub email: Email,
    /// Their identity verification.
    pub verification: VerificationStatus,
}

/// Records a user (or replaces the record).
///
/// # Errors
///
/// A database error.
pub async fn upsert_user(pool: &AnyPool, user: &User) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO server_users (id, email, verification) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, verification = excluded.verification",
    )
    .bind(user.id.to_string())
    .bind(user.email.as_str().to_owned())
    .bind(user.verification.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

/// The user's record, if the server has one.
///
/// # Errors
///
/// A database error.
pub async fn user(pool: &AnyPool, id: UserId) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT email, verification FROM server_users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let email: String = row.try_get("email")?;
    let verification: String = row.try_get("verification")?;
    Ok(Some(User {
        id,
        email: Email::from_stored(email),
        // An unreadable status verifies nobody.
        verification: VerificationStatus::parse(&verification).unwrap_or(VerificationStatus::Unverified),
    }))
}

/// A user's identity verification: `unverified` for a user the server has no record of.
///
/// # Errors
///
/// A database error.
pub async fn verification(pool: &AnyPool, id: UserId) -> Result<VerificationStatus, StoreError> {
    Ok(user(pool, id).await?.map_or(VerificationStatus::Unverified, |user| user.verification))
}
