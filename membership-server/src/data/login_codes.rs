//! `server_login_codes`: the open login code of each email, by the hash of the email and
//! the code (never the code). One per folded email; a new request replaces it.

use membership::Timestamp;
use membership_sqlx::{Store, StoreError};

use super::WriteIn;

/// Stores `code_hash` as `email`'s open login code until `expires_at`, replacing any code
/// it had (and its count of wrong tries); deletes every code expired by `now` on the way,
/// so the table holds only live codes and never grows with abandoned ones.
///
/// # Errors
///
/// A database error.
pub async fn put_login_code(
    store: &Store,
    email: &str,
    code_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM server_login_codes WHERE expires_at <= $1")
        .bind(now.unix_micros())
        .write_in(store)
        .await?;
    sqlx::query(
        "INSERT INTO server_login_codes (email, code_hash, expires_at, attempts, created_at) VALUES ($1, $2, $3, 0, $4) \
         ON CONFLICT (email) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, \
         attempts = 0, created_at = excluded.created_at",
    )
    .bind(email.to_owned())
    .bind(code_hash.to_owned())
    .bind(expires_at.unix_micros())
    .bind(now.unix_micros())
    .write_in(store)
    .await?;
    Ok(())
}

/// Redeems `email`'s login code if its hash is `code_hash`, it has not expired by `now`
/// and fewer than `max_attempts` wrong tries were made: `true` exactly once per code (the
/// row is deleted in the same statement that checks it, so two concurrent redemptions
/// cannot both win). Otherwise `false`, and a live code's wrong tries go up by one.
///
/// # Errors
///
/// A database error.
pub async fn redeem_login_code(
    store: &Store,
    email: &str,
    code_hash: &str,
    now: Timestamp,
    max_attempts: u32,
) -> Result<bool, StoreError> {
    let redeemed = sqlx::query(
        "DELETE FROM server_login_codes WHERE email = $1 AND code_hash = $2 AND expires_at > $3 AND attempts < $4",
    )
    .bind(email.to_owned())
    .bind(code_hash.to_owned())
    .bind(now.unix_micros())
    .bind(i64::from(max_attempts))
    .write_in(store)
    .await?;
    if redeemed.rows_affected() == 1 {
        return Ok(true);
    }
    sqlx::query(
        "UPDATE server_login_codes SET attempts = attempts + 1 WHERE email = $1 AND expires_at > $2 AND attempts < $3",
    )
    .bind(email.to_owned())
    .bind(now.unix_micros())
    .bind(i64::from(max_attempts))
    .write_in(store)
    .await?;
    Ok(false)
}
