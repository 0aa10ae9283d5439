//! Access tokens on Polar's contract: organization access tokens
//! (`/v1/organization-access-tokens/`: list, create, update, delete) and personal access
//! tokens (`/v1/personal_access_tokens/`: list and delete as Polar has them, and create,
//! which Polar leaves to its dashboard, with the answer shape Polar defines for it).
//!
//! Who may manage an organization's tokens: a user token with
//! `organization_access_tokens:read` (list) or `organization_access_tokens:write` (the
//! rest) of a member whose role holds `organization:manage` (owner or admin), in the
//! organization `Polar-Organization` or the body's `organization_id` names; or an
//! organization token with those scopes, in its own organization. Polar lets only its web
//! sessions in; a token is the only sign-in this service has. A personal access token is
//! its user's: any token of that user may list and revoke them.
//!
//! A token never grants a scope its maker lacks: scopes beyond the caller's are refused
//! with 422, as Polar does. Nor does it outlive its maker: a token that expires makes only
//! tokens that expire by then (422 at `expires_in` otherwise). The token is in the create answer only; a revoked token stops
//! working at once in this process, and within [`crate::state::PRINCIPAL_TTL`] in others.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Extension, Json, Router};
use chrono::TimeDelta;
use membership::wire::ListResource;
use membership::{Error, Location, OrganizationId, Permission, Timestamp, UserId};
use serde::Serialize;
use serde_json::{Map, Value};

use super::invalid;
use crate::auth::{Principal, Scope, Scopes, TokenExpiry, TokenKind, new_token};
use crate::data::{self, AccessToken, NewAccessToken, TokenOwner};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::{AppState, now};
use crate::tenant::{Caller, merchant};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/organization-access-tokens", get(list).post(create))
        .route("/v1/organization-access-tokens/{id}", patch(update).delete(revoke))
        .route("/v1/personal_access_tokens", get(list_personal).post(create_personal))
        .route("/v1/personal_access_tokens/{id}", axum::routing::delete(revoke_personal))
}

/// Polar's `OrganizationAccessToken`.
#[derive(Debug, Serialize)]
pub(crate) struct OrganizationAccessToken {
    id: String,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    scopes: Vec<&'static str>,
    expires_at: Option<Timestamp>,
    comment: String,
    last_used_at: Option<Timestamp>,
    organization_id: OrganizationId,
}

impl From<AccessToken> for OrganizationAccessToken {
    fn from(token: AccessToken) -> Self {
        OrganizationAccessToken {
            scopes: token.scopes.iter().map(Scope::as_str).collect(),
            id: token.id,
            created_at: token.created_at,
            modified_at: token.modified_at,
            expires_at: token.expires_at,
            comment: token.comment,
            last_used_at: token.last_used_at,
            organization_id: token.organization_id,
        }
    }
}

/// Polar's `PersonalAccessToken`: the same without the organization.
#[derive(Debug, Serialize)]
pub(crate) struct PersonalAccessToken {
    id: String,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    scopes: Vec<&'static str>,
    expires_at: Option<Timestamp>,
    comment: String,
    last_used_at: Option<Timestamp>,
}

impl From<AccessToken> for PersonalAccessToken {
    fn from(token: AccessToken) -> Self {
        PersonalAccessToken {
            scopes: token.scopes.iter().map(Scope::as_str).collect(),
            id: token.id,
            created_at: token.created_at,
            modified_at: token.modified_at,
            expires_at: token.expires_at,
            comment: token.comment,
            last_used_at: token.last_used_at,
        }
    }
}

/// Polar's `OrganizationAccessTokenCreateResponse`: the token, shown this once.
#[derive(Debug, Serialize)]
pub(crate) struct OrganizationAccessTokenCreated {
    organization_access_token: OrganizationAccessToken,
    token: String,
}

/// Polar's `PersonalAccessTokenCreateResponse`.
#[derive(Debug, Serialize)]
pub(crate) struct PersonalAccessTokenCreated {
    personal_access_token: PersonalAccessToken,
    token: String,
}

const NO_TOKEN: &str = "No access token of yours has this id.";

/// A JSON object's field `name`: `None` when absent or `null`.
fn present<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|value| !value.is_null())
}

/// `comment`: a string without control characters.
fn comment(value: &Value) -> Result<String, ApiError> {
    let text = value.as_str().ok_or_else(|| invalid("comment", "must be a string"))?;
    membership::refuse_control_characters("comment", text)?;
    Ok(text.to_owned())
}

/// `scopes`: a list of Polar's scope names this service knows.
pub(crate) fn scopes(value: &Value) -> Result<Scopes, ApiError> {
    let items = value.as_array().ok_or_else(|| invalid("scopes", "must be a list of scope names"))?;
    let mut scopes = Vec::with_capacity(items.len());
    for item in items {
        let scope = item.as_str().and_then(Scope::parse).ok_or_else(|| {
            let known: Vec<&str> = Scope::ALL.iter().map(|scope| scope.as_str()).collect();
            invalid("scopes", format!("has an unknown scope; the scopes are: {}", known.join(", ")))
        })?;
        scopes.push(scope);
    }
    Ok(Scopes::of(&scopes))
}

/// Refuses `requested` unless `caller` grants every scope of it (422 at `body.scopes`,
/// Polar's `value_error`).
fn within_caller(caller: &Principal, requested: &Scopes) -> Result<(), ApiError> {
    let excess = caller.scopes().excess(requested);
    if excess.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = excess.iter().map(|scope| scope.as_str()).collect();
    Err(ApiError::Malformed(membership::wire::ValidationIssue {
        kind: "value_error".to_owned(),
        loc: vec!["body".to_owned(), "scopes".to_owned()],
        msg: "Requested scopes exceed the caller's own scopes.".to_owned(),
        input: Some(names.join(" ")),
    }))
}

/// `expires_in`: seconds (a positive number), or an ISO 8601 duration as Polar's
/// `timedelta` is written (`P30D`, `PT12H`, `P1DT2H30M`).
pub(crate) fn expires_in(value: &Value) -> Result<TimeDelta, ApiError> {
    const FORM: &str = "must be a positive number of seconds or an ISO 8601 duration such as P30D";
    let seconds = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.parse::<f64>().ok().or_else(|| iso_seconds(text)),
        _ => None,
    };
    // Up to about a hundred years: longer is a typo, and would overflow the clock.
    seconds
        .filter(|seconds| seconds.is_finite() && *seconds >= 1.0 && *seconds <= 3.2e9)
        .and_then(|seconds| {
            #[expect(clippy::cast_possible_truncation, reason = "bounded to 1..3.2e9 just above")]
            TimeDelta::try_seconds(seconds as i64)
        })
        .ok_or_else(|| invalid("expires_in", FORM))
}

/// The seconds of an ISO 8601 duration of weeks, days, hours, minutes and seconds.
fn iso_seconds(text: &str) -> Option<f64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    if date.is_empty() && time.is_empty() {
        return None;
    }
    let sum = |part: &str, units: &[(char, f64)]| -> Option<f64> {
        let mut total = 0.0;
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
            } else {
                let (_, scale) = units.iter().find(|(unit, _)| *unit == c)?;
                total += number.parse::<f64>().ok()? * scale;
                number.clear();
            }
        }
        number.is_empty().then_some(total)
    };
    Some(sum(date, &[('W', 604_800.0), ('D', 86_400.0)])? + sum(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?)
}

/// The path's token id: a UUID.
fn token_id(path: &PathParams) -> Result<String, ApiError> {
    path.parse("id", |text| {
        uuid::Uuid::parse_str(text).map(|id| id.to_string()).map_err(|_| Error::InvalidInput {
            location: Location::Path,
            field: "id",
            reason: "must be a UUID".into(),
        })
    })
}

/// A new token of `kind`.
fn fresh(kind: TokenKind) -> Result<String, ApiError> {
    new_token(kind).map_err(|error| {
        tracing::error!(%error, "no randomness for an access token");
        ApiError::Internal("no randomness for an access token")
    })
}

/// The organization whose tokens the caller manages, once its token holds `scope` and,
/// for a user, their role holds `organization:manage`.
async fn manager(state: &AppState, caller: &Caller, scope: Scope) -> Result<OrganizationId, ApiError> {
    let (organization_id, actor) = merchant(state, caller, scope).await?;
    let role = match actor {
        membership::customer::CustomerActor::Merchant(merchant) => merchant.user_role().map(|(_, role)| role),
        _ => None,
    };
    if let Some(role) = role
        && !role.can(Permission::OrganizationManage)
    {
        return Err(Error::PermissionDenied { organization_id, permission: Permission::OrganizationManage }.into());
    }
    Ok(organization_id)
}

/// Forgets the principal of a revoked token, so this process refuses it from the next
/// request on.
fn forget(state: &AppState, hash: &str) {
    state.principals.invalidate(hash);
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryPairs,
) -> Result<Json<ListResource<OrganizationAccessToken>>, ApiError> {
    let organization_id = manager(&state, &caller, Scope::OrganizationAccessTokensRead).await?;
    let paging = query.paging(false)?;
    // Polar's `organization_id` filter: only the acting organization's tokens can be
    // listed, so naming another lists none.
    let others = query
        .0
        .iter()
        .any(|(key, value)| key == "organization_id" && OrganizationId::parse(value).ok() != Some(organization_id));
    if others {
        return Ok(Json(ListResource::new(Vec::new(), 0, paging.limit)));
    }
    let owner = TokenOwner::Organization(organization_id);
    let (tokens, total) = data::access_tokens_page(&state.store, owner, paging.limit.get(), paging.offset()).await?;
    Ok(Json(ListResource::new(tokens.into_iter().map(Into::into).collect(), total, paging.limit)))
}

/// The create body's `comment`, `scopes` and `expires_in`, checked against the caller: no
/// scope it lacks, and no life beyond its own (`caller_expiry`).
fn terms(
    body: &Map<String, Value>,
    caller: &Principal,
    caller_expiry: Option<TokenExpiry>,
) -> Result<(String, Scopes, Option<Timestamp>), ApiError> {
    let comment = comment(present(body, "comment").ok_or_else(|| invalid("comment", "is required"))?)?;
    let scopes = scopes(present(body, "scopes").ok_or_else(|| invalid("scopes", "is required"))?)?;
    let at = now();
    let expires_at = present(body, "expires_in").map(expires_in).transpose()?.map(|ttl| at.saturating_add(ttl));
    within_caller(caller, &scopes)?;
    if let Some(TokenExpiry(Some(limit))) = caller_expiry
        && expires_at.is_none_or(|expires_at| expires_at > limit)
    {
        let seconds = limit.unix_micros().saturating_sub(at.unix_micros()) / 1_000_000;
        return Err(invalid(
            "expires_in",
            format!(
                "must end no later than the token making it, which expires at {limit}: send an expires_in of at most \
                 {seconds} seconds"
            ),
        ));
    }
    Ok((comment, scopes, expires_at))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    expiry: Option<Extension<TokenExpiry>>,
    body: JsonBody,
) -> Result<(StatusCode, Json<OrganizationAccessTokenCreated>), ApiError> {
    let body = body.parse::<Map<String, Value>>()?;
    let named = present(&body, "organization_id")
        .map(|value| {
            value
                .as_str()
                .and_then(|id| OrganizationId::parse(id).ok())
                .ok_or_else(|| invalid("organization_id", "must be the id of one of your organizations"))
        })
        .transpose()?;
    // The body's organization, like `Polar-Organization`, picks where a user acts; an
    // organization token naming another is refused by the crate as another's.
    let caller = Caller { organization: named.or(caller.organization), ..caller };
    let organization_id = manager(&state, &caller, Scope::OrganizationAccessTokensWrite).await?;
    let (comment, scopes, expires_at) = terms(&body, &caller.principal, expiry.map(|Extension(expiry)| expiry))?;
    let token = fresh(TokenKind::Organization)?;
    let new = NewAccessToken { organization_id, user_id: None, scopes, comment, expires_at };
    let record = data::insert_access_token(&state.store, &token, new, now()).await?;
    let created = OrganizationAccessTokenCreated { organization_access_token: record.into(), token };
    Ok((StatusCode::CREATED, Json(created)))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<OrganizationAccessToken>, ApiError> {
    let organization_id = manager(&state, &caller, Scope::OrganizationAccessTokensWrite).await?;
    let id = token_id(&path)?;
    let body = body.parse::<Map<String, Value>>()?;
    let comment = present(&body, "comment").map(comment).transpose()?;
    let scopes = present(&body, "scopes").map(scopes).transpose()?;
    if let Some(scopes) = &scopes {
        within_caller(&caller.principal, scopes)?;
    }
    let owner = TokenOwner::Organization(organization_id);
    let record = data::update_access_token(&state.store, owner, &id, comment, scopes, now()).await?;
    let record = record.ok_or(ApiError::NotFound(NO_TOKEN))?;
    // The token's scopes changed: read it again at its next request.
    if let Some(hash) = data::token_hash_of(&state.store, &id).await? {
        forget(&state, &hash);
    }
    Ok(Json(record.into()))
}

async fn revoke(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<StatusCode, ApiError> {
    let organization_id = manager(&state, &caller, Scope::OrganizationAccessTokensWrite).await?;
    let id = token_id(&path)?;
    let hash = data::revoke_token(&state.store, TokenOwner::Organization(organization_id), &id).await?;
    forget(&state, &hash.ok_or(ApiError::NotFound(NO_TOKEN))?);
    Ok(StatusCode::NO_CONTENT)
}

/// The user a personal-token route acts for, and the organization their token was made
/// in: only a user's own token may.
fn token_user(principal: &Principal) -> Result<(OrganizationId, UserId), ApiError> {
    match principal {
        Principal::User { organization_id, user_id, .. } => Ok((*organization_id, *user_id)),
        Principal::Organization { .. } => Err(Error::UserActorRequired.into()),
        Principal::MemberSession { .. } => {
            Err(ApiError::Unauthenticated("A member's portal session has no personal access tokens; use a user token."))
        }
    }
}

async fn list_personal(
    State(state): State<AppState>,
    principal: Principal,
    query: QueryPairs,
) -> Result<Json<ListResource<PersonalAccessToken>>, ApiError> {
    let (_, user_id) = token_user(&principal)?;
    let paging = query.paging(false)?;
    let owner = TokenOwner::User(user_id);
    let (tokens, total) = data::access_tokens_page(&state.store, owner, paging.limit.get(), paging.offset()).await?;
    Ok(Json(ListResource::new(tokens.into_iter().map(Into::into).collect(), total, paging.limit)))
}

async fn create_personal(
    State(state): State<AppState>,
    principal: Principal,
    expiry: Option<Extension<TokenExpiry>>,
    body: JsonBody,
) -> Result<(StatusCode, Json<PersonalAccessTokenCreated>), ApiError> {
    let (organization_id, user_id) = token_user(&principal)?;
    let body = body.parse::<Map<String, Value>>()?;
    let (comment, scopes, expires_at) = terms(&body, &principal, expiry.map(|Extension(expiry)| expiry))?;
    let token = fresh(TokenKind::User)?;
    let new = NewAccessToken { organization_id, user_id: Some(user_id), scopes, comment, expires_at };
    let record = data::insert_access_token(&state.store, &token, new, now()).await?;
    let created = PersonalAccessTokenCreated { personal_access_token: record.into(), token };
    Ok((StatusCode::CREATED, Json(created)))
}

async fn revoke_personal(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
) -> Result<StatusCode, ApiError> {
    let (_, user_id) = token_user(&principal)?;
    let id = token_id(&path)?;
    let hash = data::revoke_token(&state.store, TokenOwner::User(user_id), &id).await?;
    forget(&state, &hash.ok_or(ApiError::NotFound(NO_TOKEN))?);
    Ok(StatusCode::NO_CONTENT)
}
