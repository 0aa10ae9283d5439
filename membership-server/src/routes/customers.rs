//! Polar's customer endpoints (`tenant-2026-10.openapi.json`): `GET|POST /v1/customers/`,
//! and `GET|PATCH|DELETE` by id (`/v1/customers/{id}`) and by external id
//! (`/v1/customers/external/{external_id}`). Each handler parses, runs one crate command or
//! read, and answers; the rules (an individual customer's email, CUS-2's owner, CUS-7's
//! email, CUS-9's kind, CUS-6's deletion, another organization's customer not found) are
//! the crate's.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use membership::customer::{self, CustomerKind, OwnerMember, Profile};
use membership::wire::{Field, ListResource, PolarCustomer};
use membership::{Actor, CustomerId, Email, Error, ExternalId, Location, Name, OrganizationId, Permission};
use membership_sqlx::{CustomerFilter, CustomerRecord, SystemClock, with_avatar};
use serde::Deserialize;
use serde_json::Value;

use super::invalid;
use super::members::{external_customer, new_member_id};
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::AppState;
use crate::tenant::{Caller, merchant};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/customers", get(list).post(create))
        .route("/v1/customers/{id}", get(read).patch(update).delete(delete))
        .route(
            "/v1/customers/external/{external_id}",
            get(read_external).patch(update_external).delete(delete_external),
        )
}

/// Polar's `Customer`, as the crate shapes it for its `customer.*` webhooks too.
pub(crate) type CustomerBody = PolarCustomer;

fn from_record(record: &CustomerRecord) -> CustomerBody {
    with_avatar(PolarCustomer::new(record.id, record.created_at, &record.profile))
}

/// The fields of Polar's customer bodies this service does not keep. Sent with a value
/// (an empty `metadata` aside) they are refused, not dropped: the caller would otherwise
/// believe them stored.
#[derive(Debug, Default, Deserialize)]
struct Unkept {
    /// `None` when absent; `null` is `Some(Value::Null)`: Polar's `metadata` is an object,
    /// never null, unlike the other three.
    #[serde(default, deserialize_with = "present")]
    metadata: Option<Value>,
    #[serde(default)]
    billing_address: Option<Value>,
    #[serde(default)]
    tax_id: Option<Value>,
    #[serde(default)]
    locale: Option<Value>,
}

impl Unkept {
    fn check(&self) -> Result<(), ApiError> {
        // `{}` is an empty `metadata`; for the others it is a value (of the wrong type for
        // `tax_id` and `locale`, an address without its country for `billing_address`).
        let empty = |field: &str, value: &Option<Value>| match value {
            None => true,
            Some(Value::Null) => field != "metadata",
            Some(Value::Object(map)) => field == "metadata" && map.is_empty(),
            Some(_) => false,
        };
        for (field, value) in [
            ("metadata", &self.metadata),
            ("billing_address", &self.billing_address),
            ("tax_id", &self.tax_id),
            ("locale", &self.locale),
        ] {
            if !empty(field, value) {
                return Err(invalid(field, "is not kept by this service: leave it out or null"));
            }
        }
        Ok(())
    }
}

/// A field's value as sent, `null` included (`Option<Value>` alone reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// `CustomerCreate` (`CustomerIndividualCreate | CustomerTeamCreate`).
#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(default, rename = "type")]
    kind: Field,
    #[serde(default)]
    email: Field,
    #[serde(default)]
    name: Field,
    #[serde(default)]
    external_id: Field,
    #[serde(default)]
    organization_id: Field,
    #[serde(default)]
    owner: Option<Value>,
    #[serde(flatten)]
    unkept: Unkept,
}

/// `MemberOwnerCreate`.
#[derive(Debug, Deserialize)]
struct OwnerBody {
    #[serde(default)]
    email: Field,
    #[serde(default)]
    name: Field,
    #[serde(default)]
    external_id: Field,
}

/// `CustomerUpdate` (by id) and `CustomerUpdateExternalID` (which has no `external_id` and
/// no `type`: Polar ignores them there, and so does this service).
#[derive(Debug, Deserialize)]
struct UpdateBody {
    #[serde(default, rename = "type")]
    kind: Field,
    #[serde(default)]
    email: Field,
    #[serde(default)]
    name: Field,
    #[serde(default)]
    external_id: Field,
    #[serde(flatten)]
    unkept: Unkept,
}

/// A boolean query parameter the service takes but does not act on (Polar's `active` filter
/// of the list, `anonymize` of a delete), read as `FastAPI` reads one: `true`/`false`,
/// `1`/`0`, `yes`/`no`, `on`/`off`, `t`/`f`, `y`/`n` in any case, once. Anything else is a
/// 422 at `["query", name]`, as Polar answers, rather than silently taken.
fn query_boolean(query: &QueryPairs, name: &'static str) -> Result<Option<bool>, ApiError> {
    const TRUE: [&str; 6] = ["true", "1", "yes", "on", "t", "y"];
    const FALSE: [&str; 6] = ["false", "0", "no", "off", "f", "n"];
    let values: Vec<&str> = query.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str()).collect();
    let is = |words: &[&str], value: &str| words.iter().any(|word| word.eq_ignore_ascii_case(value));
    match values.as_slice() {
        [] => Ok(None),
        [value] if is(&TRUE, value) => Ok(Some(true)),
        [value] if is(&FALSE, value) => Ok(Some(false)),
        _ => Err(Error::InvalidInput {
            location: Location::Query,
            field: name,
            reason: "must be true or false, once".into(),
        }
        .into()),
    }
}

/// Polar's `organization_id` filter of a list (one id or several), checked as UUIDs: a
/// token reads only its own organization's customers, so a filter that does not name it
/// finds none.
fn query_uuids(query: &QueryPairs, name: &'static str) -> Result<(), ApiError> {
    let bad = query.0.iter().any(|(key, value)| key == name && uuid::Uuid::parse_str(value).is_err());
    if bad {
        return Err(
            Error::InvalidInput { location: Location::Query, field: name, reason: "must be a UUID".into() }.into()
        );
    }
    Ok(())
}

/// Whether the list's filters find no customer without asking the store: none of this
/// service's customers has an active subscription or metadata, and a token sees its own
/// organization alone (a filter naming others but not it finds none).
fn finds_none(query: &QueryPairs, organization_id: OrganizationId, active: Option<bool>) -> bool {
    let named = query.0.iter().filter(|(key, _)| key == "organization_id").count();
    let this_one = query
        .0
        .iter()
        .any(|(key, value)| key == "organization_id" && OrganizationId::parse(value).ok() == Some(organization_id));
    (named > 0 && !this_one) || active == Some(true) || query.0.iter().any(|(key, _)| key.starts_with("metadata"))
}

fn name(field: &Field) -> Result<Option<Name>, Error> {
    Ok(field.parse_with("name", Name::parse)?.flatten())
}

fn external_id(field: &Field) -> Result<Option<ExternalId>, Error> {
    Ok(field.parse_with("external_id", ExternalId::parse)?.flatten())
}

impl CreateBody {
    /// The crate's `Create` for organization `organization_id`: individual unless `type`
    /// says `team`, as Polar.
    fn into_command(self, organization_id: OrganizationId) -> Result<customer::Command, ApiError> {
        self.unkept.check()?;
        let kind = match self.kind.text("type")? {
            None => CustomerKind::Individual,
            Some(kind) => CustomerKind::parse(kind)?,
        };
        if let Some(id) = self.organization_id.text("organization_id")? {
            // An organization token's customers are its organization's (Polar refuses the
            // key for one); the same id is harmless.
            if OrganizationId::parse(id).ok() != Some(organization_id) {
                return Err(invalid("organization_id", "must be left out: the token names the organization"));
            }
        }
        let email = self.email.parse_with("email", Email::parse)?;
        let owner = match self.owner {
            None | Some(Value::Null) => {
                OwnerMember { member_id: new_member_id(), email: None, name: None, external_id: None }
            }
            Some(owner @ Value::Object(_)) => {
                let owner: OwnerBody = serde_json::from_value(owner)
                    .map_err(|_| invalid("owner", "must be a MemberOwnerCreate object"))?;
                OwnerMember {
                    member_id: new_member_id(),
                    email: Some(Email::parse(owner.email.required("email")?)?),
                    name: name(&owner.name)?,
                    external_id: external_id(&owner.external_id)?,
                }
            }
            Some(_) => return Err(invalid("owner", "must be an object or null")),
        };
        Ok(customer::Command::Create {
            organization_id,
            kind,
            email,
            name: name(&self.name)?,
            external_id: external_id(&self.external_id)?,
            owner,
        })
    }
}

impl UpdateBody {
    /// The crate's commands for this update of `profile`: `ChangeKind`, then `ChangeEmail`
    /// (so an individual customer becoming a team frees its email from its owner's).
    fn into_commands(self, profile: &Profile, by_external_id: bool) -> Result<Vec<customer::Command>, ApiError> {
        self.unkept.check()?;
        let mut commands = Vec::new();
        // The crate keeps a customer's name and external id as created: the same value is
        // no change, another is refused rather than dropped.
        if let Some(name) = name(&self.name)?
            && profile.name.as_ref() != Some(&name)
        {
            return Err(invalid("name", "cannot be changed: this service keeps a customer's name as created"));
        }
        if !by_external_id {
            if let Some(external_id) = external_id(&self.external_id)?
                && profile.external_id.as_ref() != Some(&external_id)
            {
                return Err(invalid(
                    "external_id",
                    "cannot be changed: this service keeps a customer's external id as created",
                ));
            }
            if let Some(kind) = self.kind.text("type")? {
                commands.push(customer::Command::ChangeKind { kind: CustomerKind::parse(kind)? });
            }
        }
        if let Some(email) = self.email.parse_with("email", Email::parse)? {
            commands.push(customer::Command::ChangeEmail { email });
        }
        Ok(commands)
    }
}

/// The customer as Polar answers it.
async fn body(state: &AppState, customer_id: CustomerId) -> Result<CustomerBody, ApiError> {
    let profile = state.store.customer_profile(customer_id).await?;
    let Some((_, profile)) = profile.filter(|(_, profile)| !profile.deleted) else {
        return Err(Error::CustomerNotFound { customer_id }.into());
    };
    let created_at = state.store.customer_created_at(customer_id).await?;
    let created_at = created_at.ok_or(ApiError::Internal("a customer without its creation event"))?;
    Ok(with_avatar(PolarCustomer::new(customer_id, created_at, &profile)))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryPairs,
) -> Result<Json<ListResource<CustomerBody>>, ApiError> {
    let (organization_id, _) = merchant(&state, &caller, Scope::CustomersRead).await?;
    let active = query_boolean(&query, "active")?;
    query_uuids(&query, "organization_id")?;
    if let Principal::User { user_id, .. } = caller.principal {
        state.store.check(organization_id, Actor::User(user_id), Permission::CustomersRead).await?;
    }
    let paging = query.paging(true)?;
    let email =
        query.field("email").parse_with("email", Email::parse).map_err(|error| error.with_location(Location::Query))?;
    let filter = CustomerFilter { email, query: query.first("query").map(str::to_owned) };
    let nothing = finds_none(&query, organization_id, active);
    if nothing {
        return Ok(Json(ListResource::new(Vec::new(), 0, paging.limit)));
    }
    let page = state.store.customers_page(organization_id, &filter, paging).await?;
    let items = page.items.iter().map(from_record).collect();
    Ok(Json(ListResource { items, pagination: page.pagination }))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<CustomerBody>), ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::CustomersWrite).await?;
    let command = body.parse::<CreateBody>()?.into_command(organization_id)?;
    let customer_id = CustomerId::new(uuid::Uuid::new_v4());
    state.store.execute::<customer::Customer>(customer_id, command, actor, SystemClock).await?;
    Ok((StatusCode::CREATED, Json(self::body(&state, customer_id).await?)))
}

/// The customer `actor` may read, as Polar answers it: another organization's is not found.
async fn readable(
    state: &AppState,
    customer_id: CustomerId,
    actor: customer::CustomerActor,
) -> Result<CustomerBody, ApiError> {
    state.store.check_customer_read(customer_id, actor).await?;
    body(state, customer_id).await
}

async fn read(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<Json<CustomerBody>, ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::CustomersRead).await?;
    let customer_id = path.parse("id", CustomerId::parse)?;
    Ok(Json(readable(&state, customer_id, actor).await?))
}

async fn read_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> Result<Json<CustomerBody>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::CustomersRead).await?;
    let customer_id = external_customer(&state, organization_id, &path).await?;
    Ok(Json(readable(&state, customer_id, actor).await?))
}

/// Applies `body` to the customer and answers it as the update left it.
async fn apply_update(
    state: &AppState,
    customer_id: CustomerId,
    actor: customer::CustomerActor,
    body: JsonBody,
    by_external_id: bool,
) -> Result<Json<CustomerBody>, ApiError> {
    let body = body.parse::<UpdateBody>()?;
    state.store.check_customer_read(customer_id, actor).await?;
    let profile = state.store.customer_profile(customer_id).await?.map(|(_, profile)| profile);
    let profile = profile.ok_or(Error::CustomerNotFound { customer_id })?;
    for command in body.into_commands(&profile, by_external_id)? {
        state.store.execute::<customer::Customer>(customer_id, command, actor, SystemClock).await?;
    }
    Ok(Json(self::body(state, customer_id).await?))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<CustomerBody>, ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::CustomersWrite).await?;
    let customer_id = path.parse("id", CustomerId::parse)?;
    apply_update(&state, customer_id, actor, body, false).await
}

async fn update_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<CustomerBody>, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::CustomersWrite).await?;
    let customer_id = external_customer(&state, organization_id, &path).await?;
    apply_update(&state, customer_id, actor, body, true).await
}

/// Deletes the customer and every member (CUS-6). Polar's `anonymize` query parameter is
/// checked but not acted on: this service keeps no personal data beyond the members, which
/// go too.
async fn remove(
    state: &AppState,
    customer_id: CustomerId,
    actor: customer::CustomerActor,
) -> Result<StatusCode, ApiError> {
    state.store.execute::<customer::Customer>(customer_id, customer::Command::Delete, actor, SystemClock).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
) -> Result<StatusCode, ApiError> {
    let (_, actor) = merchant(&state, &caller, Scope::CustomersWrite).await?;
    query_boolean(&query, "anonymize")?;
    let customer_id = path.parse("id", CustomerId::parse)?;
    remove(&state, customer_id, actor).await
}

async fn delete_external(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    query: QueryPairs,
) -> Result<StatusCode, ApiError> {
    let (organization_id, actor) = merchant(&state, &caller, Scope::CustomersWrite).await?;
    query_boolean(&query, "anonymize")?;
    let customer_id = external_customer(&state, organization_id, &path).await?;
    remove(&state, customer_id, actor).await
}
