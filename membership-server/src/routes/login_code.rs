//! Signing in with an emailed code, as Polar does: `POST /v1/login-code/request` mails a
//! code to any address (202 whether or not an account exists, so the answer tells nobody
//! who has one), and `POST /v1/login-code/authenticate` trades the code for a user token.
//! The first sign-in creates the account, unverified (ORG-10's verification is an
//! operator's: `membership-server users verify`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use membership::organization::VerificationStatus;
use membership::wire::Field;
use membership::{Email, OrganizationId, UserId};
use serde::{Deserialize, Serialize};

use crate::auth::{Scope, Scopes, TokenKind, new_token};
use crate::data::{self, Grant, User};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::login_code;
use crate::state::{AppState, now};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/login-code/request", post(request))
        .route("/v1/login-code/authenticate", post(authenticate))
}

/// The scopes of a signed-in user's token: every merchant scope (what the dashboard's user
/// may do; the crate still decides, organization by organization, what their role allows),
/// none of the portal's, which belong to a member's session.
fn user_scopes() -> Scopes {
    let merchant: Vec<Scope> = Scope::ALL
        .into_iter()
        .filter(|scope| !matches!(scope, Scope::CustomerPortalRead | Scope::CustomerPortalWrite))
        .collect();
    Scopes::of(&merchant)
}

/// `{email, return_to?}`; `return_to` is Polar's and accepted, but the service has no
/// pages to return to.
#[derive(Debug, Deserialize)]
struct RequestBody {
    #[serde(default)]
    email: Field,
}

/// `{email, code}`.
#[derive(Debug, Deserialize)]
struct AuthenticateBody {
    #[serde(default)]
    email: Field,
    #[serde(default)]
    code: Field,
}

/// A signed-in user's token: shown once, only its hash is kept.
#[derive(Debug, Serialize)]
struct Authenticated {
    /// The user token (`polar_pat_…`).
    token: String,
    /// The user, new on a first sign-in.
    user_id: UserId,
    /// When the token stops working: never, until revoked.
    expires_at: Option<String>,
}

/// Mails a new code to the address (replacing any code it had): 202, always.
async fn request(State(state): State<AppState>, body: JsonBody) -> Result<StatusCode, ApiError> {
    let email = Email::parse(body.parse::<RequestBody>()?.email.required("email")?)?;
    send_code(&state, &email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Mails `email` a new login code, replacing any code it had: the API's request and the
/// sign-in page's.
pub(crate) async fn send_code(state: &AppState, email: &Email) -> Result<(), ApiError> {
    let code = new_code()?;
    let at = now();
    let hash = login_code::code_hash(email, &code);
    data::put_login_code(&state.store, &email.folded(), &hash, at, at.saturating_add(login_code::LIFETIME)).await?;
    // After the commit; a failed send is logged and the code can be requested again.
    state.mailer.send(login_code::letter(email, &code));
    Ok(())
}

/// Trades a code for a user token; the first sign-in of an address creates its user.
async fn authenticate(State(state): State<AppState>, body: JsonBody) -> Result<Json<Authenticated>, ApiError> {
    let body = body.parse::<AuthenticateBody>()?;
    let email = Email::parse(body.email.required("email")?)?;
    let user = redeem(&state, &email, body.code.required("code")?).await?;
    let token = new_token(TokenKind::User).map_err(|_| ApiError::Internal("no randomness for a token"))?;
    let made_in = home_organization(&state, user.id).await?;
    data::insert_token(&state.store, &token, Grant::User(made_in, user.id), &user_scopes(), now()).await?;
    Ok(Json(Authenticated { token, user_id: user.id, expires_at: None }))
}

/// The user `code` signs in as `email`, made on their first sign-in: the API's
/// authentication and the sign-in page's.
///
/// # Errors
///
/// [`ApiError::LoginCodeRefused`] for a wrong, expired, used or void code; a database error.
pub(crate) async fn redeem(state: &AppState, email: &Email, code: &str) -> Result<User, ApiError> {
    let hash = login_code::code_hash(email, code);
    let folded = email.folded();
    if !data::redeem_login_code(&state.store, &folded, &hash, now(), login_code::MAX_ATTEMPTS).await? {
        return Err(ApiError::LoginCodeRefused);
    }
    if let Some(user) = data::user_by_email(&state.store, &folded).await? {
        return Ok(user);
    }
    let user = User {
        id: UserId::new(uuid::Uuid::new_v4()),
        email: email.clone(),
        verification: VerificationStatus::Unverified,
    };
    data::upsert_user(&state.store, &user).await?;
    tracing::info!(user_id = %user.id, "first sign-in: account created");
    Ok(user)
}

/// A new code, or a 500 when the system has no randomness.
fn new_code() -> Result<String, ApiError> {
    login_code::new_code().map_err(|_| ApiError::Internal("no randomness for a login code"))
}

/// The organization a new user token is made in: the user's first organization, or, for a
/// user of none yet (an invitee before accepting), the nil id, which is nobody's: routes
/// that name their organization (accepting an invitation) work, and merchant routes
/// without `Polar-Organization` answer `organization_not_found` until the user joins one.
async fn home_organization(state: &AppState, user_id: UserId) -> Result<OrganizationId, ApiError> {
    let first = state.store.user_organizations(user_id, 1).await?.into_iter().next();
    Ok(first.unwrap_or_else(|| OrganizationId::new(uuid::Uuid::nil())))
}
