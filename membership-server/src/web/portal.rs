//! The customer portal (issue 19): the door a merchant's `customer_portal_url` opens, the
//! member's session kept in a cookie, and the pages behind it (the Team page, [`team`]).
//!
//! `GET /portal?customer_session_token=polar_mst_…` checks the token is a live member
//! session, keeps it in an `HttpOnly` cookie that ends with the session, and sends the
//! browser on to `/portal/team`: the token leaves the address bar, the history and any
//! referrer. The pages act as that member (`CustomerActor::Portal`), so the crate's CUS-8
//! decides what each one shows and does, exactly as for the portal API.

mod team;

use axum::Router;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cookie::{Cookie, SameSite};
use maud::{Markup, html};
use membership::customer::CustomerActor;
use membership::{CustomerId, MemberId, Timestamp};
use membership_sqlx::StoreError;

use super::csrf::{Csrf, Posted};
use super::layout::{Header, alert, notice, page};
use super::{Failure, notice as flash};
use crate::auth::{Principal, Scope, TokenKind, token_hash};
use crate::data;
use crate::error::ApiError;
use crate::state::{AppState, PORTAL_PATH, now};

/// The cookie that holds the member's session token.
const COOKIE: &str = "membership_portal";

/// The query parameter `customer_portal_url` carries the token in.
const TOKEN_PARAMETER: &str = "customer_session_token";

/// The Team page.
const TEAM: &str = "/portal/team";

/// The routes of the portal.
pub fn router() -> Router<AppState> {
    Router::new().route(PORTAL_PATH, get(enter)).route("/portal/sign-out", post(sign_out)).merge(team::router())
}

/// A live member session, as its token says.
#[derive(Clone, Copy, Debug)]
struct Live {
    customer_id: CustomerId,
    member_id: MemberId,
    /// Whether it may change the team (`customer_portal:write`), not only read it.
    may_write: bool,
    expires_at: Timestamp,
}

/// The live member session `token` stands for: `None` for a token that is unknown, revoked,
/// expired, not a member session, or without `customer_portal:read`. Read from the store
/// each time rather than the API's principal cache, so a revoked session ends here at once.
async fn live(state: &AppState, token: &str) -> Result<Option<Live>, StoreError> {
    if !token.starts_with(TokenKind::MemberSession.prefix()) {
        return Ok(None);
    }
    let Some(known) = data::principal(&state.store, &token_hash(token)).await? else { return Ok(None) };
    Ok(match known.principal {
        Principal::MemberSession { customer_id, member_id, scopes, expires_at, .. }
            if expires_at > now() && scopes.allows(Scope::CustomerPortalRead) =>
        {
            Some(Live { customer_id, member_id, may_write: scopes.allows(Scope::CustomerPortalWrite), expires_at })
        }
        _ => None,
    })
}

/// A request from a browser holding a live portal session.
#[derive(Debug)]
struct Session {
    customer_id: CustomerId,
    member_id: MemberId,
    may_write: bool,
    csrf: Csrf,
}

impl Session {
    /// Who the crate sees acting: this member, in the portal.
    const fn actor(&self) -> CustomerActor {
        CustomerActor::Portal { member_id: self.member_id }
    }

    /// Refuses a change by a read-only session, in the service's words for a missing scope.
    fn require_write(&self) -> Result<(), ApiError> {
        if self.may_write { Ok(()) } else { Err(ApiError::InsufficientScope(Scope::CustomerPortalWrite)) }
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Stop;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Stop> {
        let csrf = parts.extensions.get::<Csrf>().cloned().ok_or(Failure::Forgery)?;
        let token = super::cookie(&parts.headers, COOKIE).ok_or(Stop::Expired(None))?;
        let live = live(state, &token).await?.ok_or(Stop::Expired(None))?;
        Ok(Session { customer_id: live.customer_id, member_id: live.member_id, may_write: live.may_write, csrf })
    }
}

/// Why a portal page is not shown: the session is over (the link-expired page, with the
/// crate's words when it said why), or another failure.
#[derive(Debug)]
enum Stop {
    Expired(Option<String>),
    Failure(Failure),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Self {
        Stop::Failure(failure)
    }
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Stop::Failure(error.into())
    }
}

impl From<ApiError> for Stop {
    fn from(error: ApiError) -> Self {
        Stop::Failure(error.into())
    }
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response {
        match self {
            Stop::Expired(reason) => expired(reason.as_deref()),
            Stop::Failure(failure) => failure.into_response(),
        }
    }
}

/// The page for a link or session that no longer works (401); the cookie, if any, is
/// cleared so the next visit does not try it again.
fn expired(reason: Option<&str>) -> Response {
    let body = html! {
        h1 { "This link has expired" }
        (alert(reason.unwrap_or("This customer portal link has expired or is not valid.")))
        p { "Ask the merchant for a new link to the customer portal." }
    };
    let mut response = (StatusCode::UNAUTHORIZED, page("This link has expired", &Header::Plain, &body)).into_response();
    set_cookie(&mut response, Cookie::build((COOKIE, "")).max_age(cookie::time::Duration::ZERO), false);
    response
}

/// Sets the portal cookie with the attributes it always has: `HttpOnly`, `SameSite=Lax`
/// (the merchant's link is a top-level navigation from their site), `Secure` over TLS.
fn set_cookie(response: &mut Response, cookie: cookie::CookieBuilder<'static>, secure: bool) {
    let cookie = cookie.path("/portal").http_only(true).same_site(SameSite::Lax).secure(secure).build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn secure(state: &AppState) -> bool {
    state.settings.public_url.starts_with("https://")
}

/// `/portal`: with a live session's token, keeps it in the cookie and goes on to the Team
/// page; with a dead one, the link-expired page. Without a token: on to the Team page for a
/// browser that already holds a session, else a page saying where the portal is opened from.
async fn enter(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Result<Response, Stop> {
    let query = query.unwrap_or_default();
    let token = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == TOKEN_PARAMETER)
        .map(|(_, value)| value.trim().to_owned());
    if let Some(token) = token {
        let live = live(&state, &token).await?.ok_or(Stop::Expired(None))?;
        let mut response = Redirect::to(TEAM).into_response();
        // The cookie ends with the session; a second's rounding errs on the short side.
        let seconds = (live.expires_at.unix_micros().saturating_sub(now().unix_micros())) / 1_000_000;
        let cookie = Cookie::build((COOKIE, token)).max_age(cookie::time::Duration::seconds(seconds));
        set_cookie(&mut response, cookie, secure(&state));
        return Ok(response);
    }
    let held = match super::cookie(&headers, COOKIE) {
        Some(token) => live(&state, &token).await?.is_some(),
        None => false,
    };
    if held {
        return Ok(Redirect::to(TEAM).into_response());
    }
    let text = flash::take(&headers);
    let body = html! {
        h1 { "Customer portal" }
        (notice(text.as_deref()))
        p { "Open the customer portal from the link the merchant gave you. A link works for a limited time; ask the merchant for a new one when yours has expired." }
    };
    let mut response = page("Customer portal", &Header::Plain, &body).into_response();
    if text.is_some() {
        flash::clear(&mut response);
    }
    Ok(response)
}

/// Sign out: the cookie is cleared (the session itself is the merchant's, and ends on its
/// own); back to `/portal`, which says so.
async fn sign_out(State(state): State<AppState>, _form: Posted) -> Response {
    let mut response = flash::redirect(PORTAL_PATH, "You signed out of the customer portal.");
    set_cookie(&mut response, Cookie::build((COOKIE, "")).max_age(cookie::time::Duration::ZERO), secure(&state));
    response
}

/// A portal page: the customer's name, the sign-out button, the title as the one `h1`.
fn frame(title: &str, customer: &str, csrf: &Csrf, status: StatusCode, body: &Markup) -> Response {
    let body = html! {
        h1 { (title) }
        (body)
    };
    (status, page(title, &Header::Portal { customer, csrf }, &body)).into_response()
}
