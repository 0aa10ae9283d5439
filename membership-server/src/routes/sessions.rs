//! Customer sessions, on Polar's contract (`tenant-2026-10.openapi.json`): a merchant mints
//! a member's portal session (`POST /v1/customer-sessions/`), and the session introspects
//! itself (`GET /v1/customer-portal/customer-session/introspect`). A session is a
//! `polar_mst_` token for one active member, hashed at rest, that expires
//! ([`SESSION_TTL`]); a deleted member's session stops working at once (the crate's
//! `member_session_invalid`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::TimeDelta;
use membership::customer::{CustomerKind, Member};
use membership::wire::Field;
use membership::{CustomerId, Error, ExternalId, MemberId, OrganizationId, Timestamp, refuse_control_characters};
use membership_sqlx::{StoreError, with_avatar};
use serde::{Deserialize, Serialize};

use super::customers::CustomerBody;
use super::invalid;
use super::members::customer_with_external_id;
use super::portal::session;
use crate::auth::{Principal, Scope, Scopes, TokenKind, new_token};
use crate::data::{self, SessionTerms};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::{AppState, now};
use crate::tenant::{Caller, merchant};

/// How long a customer session lasts: Polar's default, an hour.
pub const SESSION_TTL: TimeDelta = TimeDelta::hours(1);

/// The longest `return_url` Polar takes.
const RETURN_URL_MAX: usize = 2083;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/customer-sessions", post(create))
        .route("/v1/customer-portal/customer-session/introspect", get(introspect))
}

/// `CustomerSessionCustomerIDCreate | CustomerSessionCustomerExternalIDCreate`.
#[derive(Debug, Deserialize)]
struct SessionCreateBody {
    #[serde(default)]
    customer_id: Field,
    #[serde(default)]
    external_customer_id: Field,
    #[serde(default)]
    member_id: Field,
    #[serde(default)]
    external_member_id: Field,
    #[serde(default)]
    return_url: Field,
}

/// Polar's `CustomerSession`.
#[derive(Debug, Serialize)]
struct CustomerSession {
    id: uuid::Uuid,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    token: String,
    expires_at: Timestamp,
    return_url: Option<String>,
    customer_portal_url: String,
    customer_id: CustomerId,
    customer: CustomerBody,
}

/// Polar's `CustomerCustomerSession`: what a session may learn of itself.
#[derive(Debug, Serialize)]
struct Introspection {
    expires_at: Timestamp,
    return_url: Option<String>,
}

/// The customer the body names, by `customer_id` or else `external_customer_id`, and the
/// field that named it.
async fn customer(
    state: &AppState,
    organization_id: OrganizationId,
    body: &SessionCreateBody,
) -> Result<(CustomerId, &'static str), ApiError> {
    if let Some(id) = body.customer_id.text("customer_id")? {
        let id = CustomerId::parse(id).map_err(|_| invalid("customer_id", "must be a UUID"))?;
        return Ok((id, "customer_id"));
    }
    let Some(external_id) = body.external_customer_id.text("external_customer_id")? else {
        return Err(invalid(
            "customer_id",
            "is required: name the customer with `customer_id` or `external_customer_id`",
        ));
    };
    refuse_control_characters("external_customer_id", external_id)?;
    match ExternalId::parse(external_id) {
        Ok(Some(external_id)) => match customer_with_external_id(state, organization_id, &external_id).await {
            Err(ApiError::NotFound(_)) => Err(no_customer("external_customer_id")),
            found => Ok((found?, "external_customer_id")),
        },
        Ok(None) | Err(_) => Err(no_customer("external_customer_id")),
    }
}

/// The member the body names, by `member_id` or `external_member_id`, or else the owner
/// of an individual customer (a team customer's session names its member, as Polar
/// requires); the caller has checked it may read the customer. Polar answers a member not
/// found 422 at the field that named it.
async fn member(
    state: &AppState,
    customer_id: CustomerId,
    kind: CustomerKind,
    body: &SessionCreateBody,
) -> Result<Member, ApiError> {
    const NO_MEMBER: &str = "does not name a member of this customer: Member does not exist for this customer.";
    let member_id = body.member_id.text("member_id")?;
    let external_id = body.external_member_id.text("external_member_id")?;
    match (member_id, external_id) {
        (Some(_), Some(_)) => {
            Err(invalid("member_id", "name the member with `member_id` or `external_member_id`, not both"))
        }
        (Some(id), None) => {
            let id = MemberId::parse(id).map_err(|_| invalid("member_id", "must be a UUID"))?;
            state.store.member(customer_id, id).await?.ok_or_else(|| invalid("member_id", NO_MEMBER))
        }
        (None, Some(external_id)) => {
            refuse_control_characters("external_member_id", external_id)?;
            let member = match ExternalId::parse(external_id) {
                Ok(Some(external_id)) => state.store.member_by_external_id(customer_id, &external_id).await?,
                Ok(None) | Err(_) => None,
            };
            member.ok_or_else(|| invalid("external_member_id", NO_MEMBER))
        }
        (None, None) if kind == CustomerKind::Team => Err(invalid(
            "member_id",
            "is required for team customers: name the member with `member_id` or `external_member_id`",
        )),
        (None, None) => {
            let owner = state.store.owner(customer_id).await?;
            owner.ok_or_else(|| invalid("customer_id", "names a customer without an owner member"))
        }
    }
}

/// Polar's answer for a customer the caller cannot see: 422 at the field that named it.
fn no_customer(field: &'static str) -> ApiError {
    invalid(field, "does not name a customer of this organization: Customer does not exist.")
}

/// The `return_url`, when sent: an absolute URL of at most 2083 characters.
fn return_url(body: &SessionCreateBody) -> Result<Option<String>, ApiError> {
    let Some(url) = body.return_url.text("return_url")? else { return Ok(None) };
    if url.is_empty() || url.len() > RETURN_URL_MAX {
        return Err(invalid("return_url", "must be a URL of 1 to 2083 characters"));
    }
    reqwest::Url::parse(url)
        .map_err(|_| invalid("return_url", "must be an absolute URL, such as https://example.com/account"))?;
    Ok(Some(url.to_owned()))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<CustomerSession>), ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::CustomerSessionsWrite).await?;
    let body = body.parse::<SessionCreateBody>()?;
    let return_url = return_url(&body)?;
    // The customer, and the field that named it (where Polar answers a customer not found).
    let (customer_id, field) = customer(&state, organization_id, &body).await?;
    // The crate decides who may see the customer: another organization's (or a deleted
    // one) is not found, which Polar answers 422 at the field that named it.
    match state.store.check_customer_read(customer_id, actor).await {
        Err(StoreError::Domain(Error::CustomerNotFound { .. })) => return Err(no_customer(field)),
        other => other?,
    }
    let Some((_, profile)) = state.store.customer_profile(customer_id).await?.filter(|(_, profile)| !profile.deleted)
    else {
        return Err(no_customer(field));
    };
    let member = member(&state, customer_id, profile.kind, &body).await?;
    let created_at = state.store.customer_created_at(customer_id).await?;
    let created_at = created_at.ok_or(ApiError::Internal("a customer without its creation event"))?;
    let token = new_token(TokenKind::MemberSession).map_err(|error| {
        tracing::error!(%error, "no randomness for a session token");
        ApiError::Internal("no randomness for a session token")
    })?;
    let at = now();
    let terms = SessionTerms { expires_at: at.saturating_add(SESSION_TTL), return_url: return_url.clone() };
    let scopes = Scopes::of(&[Scope::CustomerPortalRead, Scope::CustomerPortalWrite]);
    let grant = (organization_id, customer_id, member.id);
    data::insert_session(&state.store, &token, grant, &scopes, at, terms.clone()).await?;
    let customer_portal_url = format!("{}?customer_session_token={token}", state.settings.portal_url());
    let session = CustomerSession {
        id: uuid::Uuid::new_v4(),
        created_at: at,
        modified_at: None,
        token,
        expires_at: terms.expires_at,
        return_url,
        customer_portal_url,
        customer_id,
        customer: with_avatar(CustomerBody::new(customer_id, created_at, &profile)),
    };
    Ok((StatusCode::CREATED, Json(session)))
}

async fn introspect(State(state): State<AppState>, principal: Principal) -> Result<Json<Introspection>, ApiError> {
    session(&principal, Scope::CustomerPortalRead)?;
    let Principal::MemberSession { customer_id, member_id, expires_at, return_url, .. } = principal else {
        return Err(ApiError::Internal("a portal session that is not a member session"));
    };
    // Any active member may introspect its own session (a plain member may not read the
    // customer's members, so this is no portal read check); a deleted member's session
    // stops here as everywhere, with the crate's `member_session_invalid`.
    if state.store.member(customer_id, member_id).await?.is_none() {
        return Err(Error::MemberSessionInvalid { customer_id, member_id }.into());
    }
    Ok(Json(Introspection { expires_at, return_url }))
}
