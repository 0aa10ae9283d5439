//! Polar's merchant member endpoints: `GET /v1/members/`, a customer's members (listed,
//! and by id and by external id), and the seed's older `POST /v1/members`. An organization
//! token acts as the organization; a user token as that user, with the role their
//! organization gives them, in the organization [`crate::tenant`] selects.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use membership::customer::{self, Change, CustomerActor, CustomerView, Member, MemberRole};
use membership::wire::{ListResource, MemberCreateBody, MemberCreateFromCustomerBody, MemberUpdateBody};
use membership::{
    Actor, CustomerId, Error, ExternalId, Location, MemberId, NotLoaded, OrganizationId, Permission,
    refuse_control_characters,
};
use membership_sqlx::{MemberFilter, SystemClock};

use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::AppState;
use crate::tenant::{Caller, merchant};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/members", get(list).post(create_with_customer_in_body))
        .route("/v1/customers/{id}/members", get(list_customer).post(create))
        .route("/v1/customers/{id}/members/{member_id}", get(read).patch(update).delete(delete))
        .route("/v1/customers/external/{external_id}/members", get(list_customer_external).post(create_external))
        .route(
            "/v1/customers/external/{external_id}/members/{member_external_id}",
            get(read_external).patch(update_external).delete(delete_external),
        )
}

/// Adds a member on behalf of `actor`: the new member, or, when an active member already
/// has the email (CUS-3: no events), that member.
pub(crate) async fn add(
    state: &AppState,
    customer_id: CustomerId,
    command: customer::Command,
    actor: CustomerActor,
) -> Result<Member, ApiError> {
    let email = match &command {
        customer::Command::AddMember { email, .. } => Some(email.clone()),
        _ => None,
    };
    let outcome = state.store.execute::<customer::Customer>(customer_id, command, actor, SystemClock).await?;
    for event in outcome.events {
        if let Change::MemberCreated { member, .. } = event.change {
            return Ok(member);
        }
    }
    // CUS-3: no events, so the member the command found with this email, read in its own
    // transaction.
    let stream = customer_id.into();
    let missing = NotLoaded { lookup: "member_by_email" };
    let existing = email.map(|email| outcome.view.active_member_by_email(&email)).transpose();
    let existing = existing.map_err(|missing| Error::ViewIncomplete { stream, missing })?.flatten();
    existing.ok_or_else(|| Error::ViewIncomplete { stream, missing }.into())
}

/// Updates a member and answers the member as the update left it.
pub(crate) async fn apply_update(
    state: &AppState,
    customer_id: CustomerId,
    member_id: MemberId,
    update: customer::MemberUpdate,
    actor: CustomerActor,
) -> Result<Member, ApiError> {
    let command = customer::Command::UpdateMember { member_id, update };
    let outcome = state.store.execute::<customer::Customer>(customer_id, command, actor, SystemClock).await?;
    // The member as this command left it, from its own events: a read afterwards could
    // already see a concurrent command's change (another promotion, say).
    let after = outcome.events.into_iter().rev().find_map(|event| match event.change {
        Change::MemberUpdated { member } if member.id == member_id => Some(member),
        Change::MemberOwnershipTransferred { from, to } => [to, from].into_iter().find(|member| member.id == member_id),
        _ => None,
    });
    match after {
        Some(member) => Ok(member),
        // Nothing changed: the member as the command found it.
        None => outcome
            .view
            .member(member_id)
            .map_err(|missing| Error::ViewIncomplete { stream: customer_id.into(), missing })?
            .ok_or_else(|| Error::CustomerMemberNotFound { customer_id, member_id }.into()),
    }
}

/// Deletes a member.
pub(crate) async fn remove(
    state: &AppState,
    customer_id: CustomerId,
    member_id: MemberId,
    actor: CustomerActor,
) -> Result<StatusCode, ApiError> {
    let command = customer::Command::DeleteMember { member_id };
    state.store.execute::<customer::Customer>(customer_id, command, actor, SystemClock).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer and member ids of `…/customers/{id}/members/{member_id}`.
pub(crate) fn member_path(path: &PathParams) -> Result<(CustomerId, MemberId), ApiError> {
    Ok((path.parse("id", CustomerId::parse)?, path.parse("member_id", MemberId::parse)?))
}

pub(crate) fn new_member_id() -> MemberId {
    MemberId::new(uuid::Uuid::new_v4())
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryPairs,
) -> Result<Json<ListResource<Member>>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::MembersRead).await?;
    if let Principal::User { user_id, .. } = caller.principal {
        state.store.check(organization_id, Actor::User(user_id), Permission::CustomersRead).await?;
    }
    let at_query = |error: Error| ApiError::from(error.with_location(Location::Query));
    let paging = query.paging(true)?;
    let mut filter = role_filter(&query)?;
    let nobody = || Ok(Json(ListResource::new(Vec::new(), 0, paging.limit)));
    // Polar's contract types both customer filters as plain strings: one that cannot be an
    // id matches no customer (an empty page), and an empty one is no filter.
    match query.first("customer_id").filter(|id| !id.is_empty()).map(CustomerId::parse) {
        None => {}
        Some(Ok(customer_id)) => filter = filter.customer(customer_id),
        Some(Err(_)) => return nobody(),
    }
    let external_customer_id = query.first("external_customer_id").unwrap_or_default();
    // A control character can be in no stored external id: it is refused
    // (docs/rules.md#values) rather than let it match nothing, and PostgreSQL could not even
    // compare a NUL.
    refuse_control_characters("external_customer_id", external_customer_id).map_err(at_query)?;
    match ExternalId::parse(external_customer_id) {
        Ok(None) => {}
        Ok(Some(external_id)) => {
            match state.store.customers_by_external_id(organization_id, &external_id).await?.as_slice() {
                [customer_id] if filter.customer_id.is_none_or(|id| id == *customer_id) => {
                    filter = filter.customer(*customer_id);
                }
                // No such customer, or another than `customer_id` names.
                [] | [_] => return nobody(),
                _ => return Err(ApiError::AmbiguousExternalCustomer),
            }
        }
        Err(_) => return nobody(),
    }
    Ok(Json(state.store.organization_members_page(organization_id, &filter, paging).await?))
}

/// The members `role` in the query asks for: all when absent.
fn role_filter(query: &QueryPairs) -> Result<MemberFilter, ApiError> {
    match query.first("role") {
        None => Ok(MemberFilter::all()),
        Some(role) => Ok(MemberFilter::all()
            .role(MemberRole::parse(role).map_err(|error| ApiError::from(error.with_location(Location::Query)))?)),
    }
}

/// Generation C's per-customer list (`GET /v1/customers/{id}/members`): the organization
/// list's query, for one customer `actor` may read.
async fn customer_page(
    state: &AppState,
    organization_id: OrganizationId,
    customer_id: CustomerId,
    actor: CustomerActor,
    query: &QueryPairs,
) -> Result<Json<ListResource<Member>>, ApiError> {
    let paging = query.paging(true)?;
    let filter = role_filter(query)?.customer(customer_id);
    state.store.check_customer_read(customer_id, actor).await?;
    Ok(Json(state.store.organization_members_page(organization_id, &filter, paging).await?))
}

async fn list_customer(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
) -> Result<Json<ListResource<Member>>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersRead).await?;
    let customer_id = path.parse("id", CustomerId::parse)?;
    customer_page(&state, organization_id, customer_id, actor, &query).await
}

async fn list_customer_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
) -> Result<Json<ListResource<Member>>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersRead).await?;
    let customer_id = external_customer(&state, organization_id, &path).await?;
    customer_page(&state, organization_id, customer_id, actor, &query).await
}

async fn create_with_customer_in_body(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let (customer_id, command) = body.parse::<MemberCreateBody>()?.into_command(new_member_id())?;
    Ok((StatusCode::CREATED, Json(add(&state, customer_id, command, actor).await?)))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let customer_id = path.parse("id", CustomerId::parse)?;
    let command = body.parse::<MemberCreateFromCustomerBody>()?.into_command(new_member_id())?;
    Ok((StatusCode::CREATED, Json(add(&state, customer_id, command, actor).await?)))
}

async fn read(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<Json<Member>, ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::MembersRead).await?;
    let (customer_id, member_id) = member_path(&path)?;
    state.store.check_customer_read(customer_id, actor).await?;
    let member = state.store.member(customer_id, member_id).await?;
    Ok(Json(member.ok_or(Error::CustomerMemberNotFound { customer_id, member_id })?))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<Member>, ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let (customer_id, member_id) = member_path(&path)?;
    let update = body.parse::<MemberUpdateBody>()?.into_update()?;
    Ok(Json(apply_update(&state, customer_id, member_id, update, actor).await?))
}

async fn delete(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<StatusCode, ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let (customer_id, member_id) = member_path(&path)?;
    remove(&state, customer_id, member_id, actor).await
}

/// The external id in path segment `name`: `None` for text that cannot be one (empty or too
/// long), which names nothing. Polar's OpenAPI types these segments as plain strings.
///
/// # Errors
///
/// `invalid_input` at `["path", name]` for a control character anywhere in the segment
/// (docs/rules.md#values): no stored text holds one, and PostgreSQL could not even compare
/// a NUL.
pub(crate) fn external_id_in(path: &PathParams, name: &'static str) -> Result<Option<ExternalId>, ApiError> {
    path.parse(name, |text| {
        refuse_control_characters(name, text)?;
        Ok(ExternalId::parse(text).ok().flatten())
    })
}

/// The customer of `organization_id` with the path's `external_id`.
pub(crate) async fn external_customer(
    state: &AppState,
    organization_id: OrganizationId,
    path: &PathParams,
) -> Result<CustomerId, ApiError> {
    const NO_CUSTOMER: &str = "No customer has this external id.";
    let Some(external_id) = external_id_in(path, "external_id")? else { return Err(ApiError::NotFound(NO_CUSTOMER)) };
    customer_with_external_id(state, organization_id, &external_id).await
}

/// The customer of `organization_id` with `external_id`.
///
/// # Errors
///
/// 404 when there is none; 409 `AmbiguousExternalCustomerID` when there are several.
pub(crate) async fn customer_with_external_id(
    state: &AppState,
    organization_id: OrganizationId,
    external_id: &ExternalId,
) -> Result<CustomerId, ApiError> {
    match state.store.customers_by_external_id(organization_id, external_id).await?.as_slice() {
        [] => Err(ApiError::NotFound("No customer has this external id.")),
        [customer_id] => Ok(*customer_id),
        _ => Err(ApiError::AmbiguousExternalCustomer),
    }
}

/// The customer and member addressed by the path's external ids, once `actor` may read
/// the customer.
async fn external_member(
    state: &AppState,
    organization_id: OrganizationId,
    actor: CustomerActor,
    path: &PathParams,
) -> Result<(CustomerId, Member), ApiError> {
    // Both segments are read before either is looked up, so a bad one is refused first.
    let member_external_id = external_id_in(path, "member_external_id")?;
    let customer_id = external_customer(state, organization_id, path).await?;
    state.store.check_customer_read(customer_id, actor).await?;
    let member = match member_external_id {
        Some(external_id) => state.store.member_by_external_id(customer_id, &external_id).await?,
        None => None,
    };
    Ok((customer_id, member.ok_or(ApiError::NotFound("No active member of this customer has this external id."))?))
}

async fn create_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let customer_id = external_customer(&state, organization_id, &path).await?;
    let command = body.parse::<MemberCreateFromCustomerBody>()?.into_command(new_member_id())?;
    Ok((StatusCode::CREATED, Json(add(&state, customer_id, command, actor).await?)))
}

async fn read_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> Result<Json<Member>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersRead).await?;
    Ok(Json(external_member(&state, organization_id, actor, &path).await?.1))
}

async fn update_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<Member>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let (customer_id, member) = external_member(&state, organization_id, actor, &path).await?;
    let update = body.parse::<MemberUpdateBody>()?.into_update()?;
    Ok(Json(apply_update(&state, customer_id, member.id, update, actor).await?))
}

async fn delete_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> Result<StatusCode, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::MembersWrite).await?;
    let (customer_id, member) = external_member(&state, organization_id, actor, &path).await?;
    remove(&state, customer_id, member.id, actor).await
}
