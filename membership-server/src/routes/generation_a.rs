//! Generation A of Polar's SDK (`@polar-sh/sdk` 0.45–0.48.1, the seed's snippet): the
//! `members` resource addresses a member by its id alone (`/v1/members/{id}`), or by its
//! external id with the customer in the query (`/v1/members/external/{external_id}
//! ?customer_id=…` or `?external_customer_id=…`). List and create (`/v1/members/`) are in
//! [`super::members`]. The same rules answer as for the newer paths: the customer is found
//! first, then the member is read, updated or deleted through it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use membership::customer::{CustomerActor, Member};
use membership::wire::MemberUpdateBody;
use membership::{CustomerId, Error, ExternalId, Location, MemberId, OrganizationId, refuse_control_characters};

use super::members::{apply_update, customer_with_external_id, external_id_in, remove};
use crate::auth::Scope;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::AppState;
use crate::tenant::{Caller, merchant};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/members/{id}", get(read).patch(update).delete(delete))
        .route("/v1/members/external/{external_id}", get(read_external).patch(update_external).delete(delete_external))
}

/// The active member of the organization with the path's member id, once `actor` may read
/// its customer.
async fn member_by_id(
    state: &AppState,
    organization_id: OrganizationId,
    actor: CustomerActor,
    path: &PathParams,
) -> Result<Member, ApiError> {
    let member_id = path.parse("id", MemberId::parse)?;
    let member = match state.store.members_by_id(organization_id, member_id).await?.as_slice() {
        [] => return Err(ApiError::NotFound("No active member of this organization has this id.")),
        [member] => member.clone(),
        // The server makes member ids at random, so two customers holding one is a store
        // filled by other means: refuse rather than act on the wrong member.
        _ => {
            return Err(ApiError::NotFound(
                "Several customers have a member with this id; address it as \
                 /v1/customers/{id}/members/{member_id}.",
            ));
        }
    };
    state.store.check_customer_read(member.customer_id, actor).await?;
    Ok(member)
}

/// The customer the query names, by `customer_id` or `external_customer_id` (both: they
/// must name the same customer).
async fn query_customer(
    state: &AppState,
    organization_id: OrganizationId,
    query: &QueryPairs,
) -> Result<CustomerId, ApiError> {
    const NO_CUSTOMER: &str = "No customer has this id and external id.";
    let at_query = |error: Error| ApiError::from(error.with_location(Location::Query));
    let invalid = |field, reason: &'static str| {
        ApiError::from(Error::InvalidInput { location: Location::Query, field, reason: reason.into() })
    };
    let by_id = match query.first("customer_id").filter(|id| !id.is_empty()) {
        Some(id) => Some(CustomerId::parse(id).map_err(|_| invalid("customer_id", "must be a UUID"))?),
        None => None,
    };
    let external = query.first("external_customer_id").unwrap_or_default();
    refuse_control_characters("external_customer_id", external).map_err(at_query)?;
    let by_external = match ExternalId::parse(external) {
        Ok(Some(external_id)) => Some(customer_with_external_id(state, organization_id, &external_id).await?),
        Ok(None) => None,
        Err(_) => return Err(ApiError::NotFound("No customer has this external id.")),
    };
    match (by_id, by_external) {
        (Some(id), Some(external)) if id != external => Err(ApiError::NotFound(NO_CUSTOMER)),
        (Some(id), _) | (None, Some(id)) => Ok(id),
        (None, None) => Err(invalid(
            "customer_id",
            "is required: name the member's customer with `customer_id` or `external_customer_id`",
        )),
    }
}

/// The member with the path's external id in the customer the query names, once `actor`
/// may read that customer.
async fn member_by_external_id(
    state: &AppState,
    organization_id: OrganizationId,
    actor: CustomerActor,
    path: &PathParams,
    query: &QueryPairs,
) -> Result<Member, ApiError> {
    // The path is read before anything is looked up, so a bad one is refused first.
    let external_id = external_id_in(path, "external_id")?;
    let customer_id = query_customer(state, organization_id, query).await?;
    state.store.check_customer_read(customer_id, actor).await?;
    let member = match external_id {
        Some(external_id) => state.store.member_by_external_id(customer_id, &external_id).await?,
        None => None,
    };
    member.ok_or(ApiError::NotFound("No active member of this customer has this external id."))
}

async fn read(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<Json<Member>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersRead).await?;
    Ok(Json(member_by_id(&state, organization_id, actor, &path).await?))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<Member>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let member = member_by_id(&state, organization_id, actor, &path).await?;
    let update = body.parse::<MemberUpdateBody>()?.into_update()?;
    Ok(Json(apply_update(&state, member.customer_id, member.id, update, actor).await?))
}

async fn delete(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<StatusCode, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let member = member_by_id(&state, organization_id, actor, &path).await?;
    remove(&state, member.customer_id, member.id, actor).await
}

async fn read_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
) -> Result<Json<Member>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersRead).await?;
    Ok(Json(member_by_external_id(&state, organization_id, actor, &path, &query).await?))
}

async fn update_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
    body: JsonBody,
) -> Result<Json<Member>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let member = member_by_external_id(&state, organization_id, actor, &path, &query).await?;
    let update = body.parse::<MemberUpdateBody>()?.into_update()?;
    Ok(Json(apply_update(&state, member.customer_id, member.id, update, actor).await?))
}

async fn delete_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
) -> Result<StatusCode, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let member = member_by_external_id(&state, organization_id, actor, &path, &query).await?;
    remove(&state, member.customer_id, member.id, actor).await
}
