//! The signed-in browser: a random cookie (`membership_session`, `HttpOnly`,
//! `SameSite=Lax`, `Secure` when the service is reached over TLS) whose hash finds the
//! session's row, for [`SESSION_LIFETIME`] or until signing out.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use cookie::{Cookie, SameSite};
use membership::{Email, OrganizationId, Role, UserId};

use super::Failure;
use super::csrf::Csrf;
use super::layout::Chrome;
use crate::auth::token_hash;
use crate::data::{self, WebSession};
use crate::state::{AppState, now};

/// The session cookie.
const COOKIE: &str = "membership_session";

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A request from a signed-in browser.
#[derive(Debug)]
pub struct SignedIn {
    /// Who signed in.
    pub user_id: UserId,
    /// Their email.
    pub email: Email,
    /// The organization last chosen in the picker.
    pub chosen: Option<OrganizationId>,
    /// The hash of the session cookie (the session row's key).
    pub(super) token_hash: String,
    /// The browser's form token.
    pub csrf: Csrf,
    /// Every organization the user belongs to, by name: id, name, role.
    pub organizations: Vec<(OrganizationId, String, Role)>,
}

impl SignedIn {
    /// The header of a page about `current`.
    pub fn chrome(&self, current: Option<OrganizationId>) -> Chrome<'_> {
        Chrome { email: self.email.as_str(), organizations: &self.organizations, current, csrf: &self.csrf }
    }

    /// The user's role in `organization_id`, if a member.
    pub fn role_in(&self, organization_id: OrganizationId) -> Option<Role> {
        self.organizations.iter().find(|(id, _, _)| *id == organization_id).map(|(_, _, role)| *role)
    }

    /// The name of `organization_id`, as the picker shows it.
    pub fn name_of(&self, organization_id: OrganizationId) -> Option<&str> {
        self.organizations.iter().find(|(id, _, _)| *id == organization_id).map(|(_, name, _)| name.as_str())
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let here = parts.uri.path_and_query().map_or("/dashboard", |path| path.as_str());
        // Back to the page after signing in; a post goes back to where its form was.
        let next = if parts.method == axum::http::Method::GET { here.to_owned() } else { "/dashboard".to_owned() };
        let csrf = parts.extensions.get::<Csrf>().cloned().ok_or(Failure::Forgery)?;
        let token = super::cookie(&parts.headers, COOKIE).ok_or_else(|| Failure::SignIn(next.clone()))?;
        let token_hash = token_hash(&token);
        let session = data::web_session(&state.store, &token_hash, now()).await?;
        let session = session.ok_or_else(|| Failure::SignIn(next.clone()))?;
        let user = data::user(&state.store, session.user_id).await?.ok_or(Failure::SignIn(next))?;
        let organizations = data::memberships_of(&state.store, user.id)
            .await?
            .into_iter()
            .map(|(record, role)| (record.id, record.profile.name, role))
            .collect();
        Ok(SignedIn {
            user_id: user.id,
            email: user.email,
            chosen: session.organization_id,
            token_hash,
            csrf,
            organizations,
        })
    }
}

/// Signs `user_id` in: the session row, and the cookie to set on `response`.
pub async fn start(state: &AppState, user_id: UserId, response: &mut Response) -> Result<(), Failure> {
    // No API prefix: a session cookie is not a bearer token, and must not look like one.
    let token = super::random_token().ok_or(Failure::Internal("no randomness for a session"))?;
    let at = now();
    let session = WebSession { user_id, organization_id: None, expires_at: at.saturating_add(SESSION_LIFETIME) };
    data::insert_web_session(&state.store, &token_hash(&token), session, at).await?;
    let max_age = cookie::time::Duration::seconds(SESSION_LIFETIME.num_seconds());
    set(state, response, Cookie::build((COOKIE, token)).max_age(max_age));
    Ok(())
}

/// Signs the browser out: its row deleted, its cookie cleared on `response`.
pub async fn end(state: &AppState, token_hash: &str, response: &mut Response) -> Result<(), Failure> {
    data::delete_web_session(&state.store, token_hash).await?;
    set(state, response, Cookie::build((COOKIE, "")).max_age(cookie::time::Duration::ZERO));
    Ok(())
}

/// Sets the session cookie with the attributes it always has.
fn set(state: &AppState, response: &mut Response, cookie: cookie::CookieBuilder<'static>) {
    let secure = state.settings.public_url.starts_with("https://");
    let cookie = cookie.path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
