//! Polar's customer-portal member endpoints: a member's session manages its own customer's
//! members, within what its role allows (CUS-8).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use membership::customer::CustomerActor;
use membership::wire::{ListResource, PortalMember, PortalMemberCreateBody, PortalMemberUpdateBody};
use membership::{CustomerId, MemberId};

use super::members::{add, apply_update, remove};
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/customer-portal/members", get(list).post(create))
        .route("/v1/customer-portal/members/{id}", patch(update).delete(delete))
}

/// The member a portal session acts as, once it holds `scope`.
pub(crate) fn session(principal: &Principal, scope: Scope) -> Result<(CustomerId, CustomerActor), ApiError> {
    match *principal {
        Principal::MemberSession { customer_id, member_id, ref scopes, .. } => {
            scopes.require(scope)?;
            Ok((customer_id, CustomerActor::Portal { member_id }))
        }
        Principal::Organization { .. } | Principal::User { .. } => Err(ApiError::Unauthenticated(
            "The customer portal takes a member's session token (`polar_mst_…`), not a merchant's.",
        )),
    }
}

async fn list(
    State(state): State<AppState>,
    principal: Principal,
    query: QueryPairs,
) -> Result<Json<ListResource<PortalMember>>, ApiError> {
    let (customer_id, actor) = session(&principal, Scope::CustomerPortalRead)?;
    let paging = query.paging(false)?;
    state.store.check_customer_read(customer_id, actor).await?;
    let page = state.store.members_page(customer_id, paging).await?;
    Ok(Json(ListResource { items: page.items.iter().map(PortalMember::from).collect(), pagination: page.pagination }))
}

async fn create(
    State(state): State<AppState>,
    principal: Principal,
    body: JsonBody,
) -> Result<(StatusCode, Json<PortalMember>), ApiError> {
    let (customer_id, actor) = session(&principal, Scope::CustomerPortalWrite)?;
    let command = body.parse::<PortalMemberCreateBody>()?.into_command(MemberId::new(uuid::Uuid::new_v4()))?;
    let member = add(&state, customer_id, command, actor).await?;
    Ok((StatusCode::CREATED, Json(PortalMember::from(&member))))
}

async fn update(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<PortalMember>, ApiError> {
    let (customer_id, actor) = session(&principal, Scope::CustomerPortalWrite)?;
    let member_id = path.parse("id", MemberId::parse)?;
    let update = body.parse::<PortalMemberUpdateBody>()?.into_update()?;
    let member = apply_update(&state, customer_id, member_id, update, actor).await?;
    Ok(Json(PortalMember::from(&member)))
}

async fn delete(State(state): State<AppState>, principal: Principal, path: PathParams) -> Result<StatusCode, ApiError> {
    let (customer_id, actor) = session(&principal, Scope::CustomerPortalWrite)?;
    let member_id = path.parse("id", MemberId::parse)?;
    remove(&state, customer_id, member_id, actor).await
}
