//! `server_users`: the users the server knows. Global, not per organization (a user may
//! belong to several), so on a sharded PostgreSQL it is a reference table.

use membership::organization::VerificationStatus;
use membership::{Email, UserId};
use membership_sqlx::{Store, StoreError};

use super::WriteIn;
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
    .write_in(store)
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

/// The user whose email folds to `folded` (see [`Email::folded`]), if the server has one.
/// Several users may share an email (`setup` run twice); the lowest id answers, the same
/// one every time.
///
/// # Errors
///
/// A database error.
pub async fn user_by_email(store: &Store, folded: &str) -> Result<Option<User>, StoreError> {
    let row =
        sqlx::query("SELECT id, email, verification FROM server_users WHERE lower(email) = $1 ORDER BY id LIMIT 1")
            .bind(folded.to_owned())
            .fetch_optional(store.pool())
            .await?;
    row.map(|row| read(&row)).transpose()
}

/// Every user the server knows, by email then id.
///
/// # Errors
///
/// A database error.
pub async fn users(store: &Store) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query("SELECT id, email, verification FROM server_users ORDER BY lower(email), id")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(read).collect()
}

/// Marks every user whose email folds to `folded` verified (ORG-10's identity
/// verification, recorded by an operator): how many were.
///
/// # Errors
///
/// A database error.
pub async fn verify_email(store: &Store, folded: &str) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE server_users SET verification = $1 WHERE lower(email) = $2")
        .bind(VerificationStatus::Verified.as_str())
        .bind(folded.to_owned())
        .write_in(store)
        .await?;
    Ok(done.rows_affected())
}

/// A `server_users` row; an unreadable id is a decode error, an unreadable status verifies
/// nobody.
fn read(row: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let id: String = row.try_get("id")?;
    let id = UserId::parse(&id).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
    let email: String = row.try_get("email")?;
    let verification: String = row.try_get("verification")?;
    Ok(User {
        id,
        email: Email::from_stored(email),
        verification: VerificationStatus::parse(&verification).unwrap_or(VerificationStatus::Unverified),
    })
}
