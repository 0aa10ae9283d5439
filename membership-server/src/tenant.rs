//! Which organization a merchant request acts in. An organization token acts in its own;
//! a user token in the one `Polar-Organization: <id>` names (Polar's 1.0 SDK sends it from
//! `createPolar({ organizationId })`), or, without the header, in the organization the
//! token was made in, unless the user belongs to several: then the request is refused
//! with a 422 naming the header, as guessing could act in the wrong one.
//!
//! Whether the caller may act there is the crate's rule (`organization::merchant`): a user
//! who is not a member, or another organization's token, gets `organization_not_found`.

use axum::extract::FromRequestParts;
use axum::http::HeaderName;
use axum::http::request::Parts;
use membership::customer::CustomerActor;
use membership::organization::{self, Prefetched};
use membership::{Actor, OrganizationId, UserId};

use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::state::AppState;

/// The request header naming the organization a user token acts in.
pub const POLAR_ORGANIZATION: HeaderName = HeaderName::from_static("polar-organization");

/// A request's token, and the organization its `Polar-Organization` header names.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Who the token stands for.
    pub principal: Principal,
    /// The organization the header names, if it was sent.
    pub organization: Option<OrganizationId>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The token first: a bad token is a 401 whatever else is wrong.
        let principal = Principal::from_request_parts(parts, state).await?;
        let organization = match parts.headers.get(POLAR_ORGANIZATION) {
            None => None,
            Some(value) => {
                Some(value.to_str().ok().and_then(|text| OrganizationId::parse(text.trim()).ok()).ok_or_else(|| {
                    ApiError::malformed(
                        "uuid_parsing",
                        &["header", "polar-organization"],
                        "Input should be a valid UUID: send the id of one of your organizations.",
                    )
                })?)
            }
        };
        Ok(Caller { principal, organization })
    }
}

/// The merchant a request acts as, once its token holds `scope`: the organization and its
/// actor.
///
/// # Errors
///
/// 403 without the scope; 401 for a member's portal session; 422 for a user of several
/// organizations without the header; `organization_not_found` (404) where the crate says
/// the caller is no merchant.
pub(crate) async fn merchant(
    state: &AppState,
    caller: &Caller,
    scope: Scope,
) -> Result<(OrganizationId, CustomerActor), ApiError> {
    match caller.principal {
        Principal::Organization { organization_id, ref scopes } => {
            scopes.require(scope)?;
            // The crate decides whether the token acts in the organization the header
            // names (another organization's token is refused there); a token's standing
            // needs no stored row, so an empty view is the whole of it.
            let acting_in = caller.organization.unwrap_or(organization_id);
            let merchant = organization::merchant(&Prefetched::new(acting_in, 0), Actor::Token(organization_id))?;
            Ok((acting_in, merchant.into()))
        }
        Principal::User { organization_id, user_id, ref scopes } => {
            scopes.require(scope)?;
            let organization_id = match caller.organization {
                Some(named) => named,
                None => unnamed_organization(state, user_id, organization_id).await?,
            };
            let merchant = state.store.merchant(organization_id, Actor::User(user_id)).await?;
            Ok((organization_id, merchant.into()))
        }
        Principal::MemberSession { .. } => Err(ApiError::Unauthenticated(
            "A member's portal session cannot call merchant routes; use an organization or user token.",
        )),
    }
}

/// The organization a user token acts in without the header: the user's only one (a token
/// made at sign-in, before the user joined any, names none), the one it was made in for a
/// user of none, and a refusal for a user of several (one indexed read tells).
async fn unnamed_organization(
    state: &AppState,
    user_id: UserId,
    made_in: OrganizationId,
) -> Result<OrganizationId, ApiError> {
    match state.store.user_organizations(user_id, 2).await?.as_slice() {
        [] => Ok(made_in),
        [only] => Ok(*only),
        [_, _, ..] => Err(ApiError::malformed(
            "missing",
            &["header", "polar-organization"],
            "This user belongs to several organizations: name the one to act in with the \
             `Polar-Organization: <organization id>` header.",
        )),
    }
}
