//! `server_users`: the users the server knows. Global, not per organization (a user may
//! belong to several), so on a sharded PostgreSQL it is a reference table.

use membership::organization::VerificationStatus;
use membership::{Email, UserId};
use membership_sqlx::{Store, StoreError};
use sqlx::Row;

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
pub async fn upsert_user(store: &Store, user: &User) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO server_users (id, email, verification) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, verification = excluded.verification",
    )
    .bind(user.id.to_string())
    .bind(user.email.as_str().to_owned())
    .bind(user.verification.as_str())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The user's record, if the server has one.
///
/// # Errors
///
/// A database error.
pub async fn user(store: &Store, id: UserId) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT email, verification FROM server_users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
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
pub async fn verification(store: &Store, id: UserId) -> Result<VerificationStatus, StoreError> {
    Ok(user(store, id).await?.map_or(VerificationStatus::Unverified, |user| user.verification))
}
