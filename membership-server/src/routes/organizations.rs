//! Polar's organization endpoints (`tenant-2026-10.openapi.json`): `GET|POST
//! /v1/organizations/` and `GET|PATCH /v1/organizations/{id}`. The team is the crate's
//! (a creation is its `Create`: the calling user becomes the owner, ORG-3; who may read or
//! change an organization is its `merchant` and `check` with `organization:manage`); the
//! profile (name, slug, contact fields) is the service's (`data::organizations`). Polar's
//! settings objects are answered with Polar's defaults; sent with a value they are refused,
//! not dropped, as this service keeps none of them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use membership::organization::{self, Organization};
use membership::wire::{ListResource, Sorting};
use membership::{Actor, Email, Error, OrganizationId, Permission};
use membership_sqlx::SystemClock;
use serde_json::{Map, Value, json};

use super::invalid;
use crate::auth::{Principal, Scope};
use crate::data::{self, OrganizationProfile, OrganizationRecord, Visible};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryPairs};
use crate::state::{AppState, now};
use crate::tenant::Caller;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/organizations", get(list).post(create))
        .route("/v1/organizations/{id}", get(read).patch(update))
}

/// Polar's `Organization`: the profile, and Polar's defaults for a new organization's
/// settings, status and capabilities (none of which this service keeps).
fn organization_body(record: &OrganizationRecord) -> Value {
    let profile = &record.profile;
    json!({
        "id": record.id,
        "created_at": record.created_at,
        "modified_at": record.modified_at,
        "name": profile.name,
        "slug": profile.slug,
        "avatar_url": profile.avatar_url,
        "email": profile.email,
        "website": profile.website,
        "socials": [],
        "status": "created",
        "details_submitted_at": null,
        "onboarding_resubmission_requested_at": null,
        "sso_enforced": false,
        "default_presentment_currency": "usd",
        "default_tax_behavior": "location",
        "proration_behavior": "prorate",
        "allow_customer_updates": true,
        "feature_settings": {
            "member_model_enabled": true,
            "seat_based_pricing_enabled": false,
        },
        "subscription_settings": {
            "allow_multiple_subscriptions": false,
            "allow_customer_updates": true,
            "proration_behavior": "prorate",
            "benefit_revocation_grace_period": 0,
            "prevent_trial_abuse": false,
        },
        "customer_email_settings": {
            "order_confirmation": true,
            "payment_method_expiration_reminder": true,
            "subscription_cancellation": true,
            "subscription_confirmation": true,
            "subscription_cycled": true,
            "subscription_cycled_after_trial": true,
            "subscription_past_due": true,
            "subscription_paused": true,
            "subscription_renewal_reminder": true,
            "subscription_resumed": true,
            "subscription_revoked": true,
            "subscription_trial_conversion_reminder": true,
            "subscription_uncanceled": true,
            "subscription_updated": true,
        },
        "customer_portal_settings": {
            "usage": { "show": true },
            "subscription": { "update_seats": true, "update_plan": true },
            "customer": { "allow_email_change": false },
        },
        "dispute_settings": { "auto_accept_below_amount": null },
        "embed_hosts": [],
        "embed_hosts_enforced": false,
        "account_id": null,
        "payout_account_id": null,
        "capabilities": {
            "checkout_payments": false,
            "subscription_renewals": false,
            "payouts": false,
            "refunds": false,
            "api_access": true,
            "dashboard_access": true,
        },
    })
}

/// The fields of `OrganizationCreate` and `OrganizationUpdate` this service does not keep.
const UNKEPT: [&str; 15] = [
    "socials",
    "details",
    "legal_entity",
    "country",
    "feature_settings",
    "subscription_settings",
    "customer_email_settings",
    "customer_portal_settings",
    "dispute_settings",
    "embed_hosts",
    "sso_enforced",
    "default_presentment_currency",
    "default_tax_behavior",
    "notification_settings",
    "metadata",
];

/// The body's fields, or a 422 for a body that is no object.
fn fields(body: JsonBody) -> Result<Map<String, Value>, ApiError> {
    body.parse::<Map<String, Value>>()
}

/// Refuses any field this service does not keep, sent with a value.
fn refuse_unkept(body: &Map<String, Value>) -> Result<(), ApiError> {
    for field in UNKEPT {
        match body.get(field) {
            None | Some(Value::Null) => {}
            Some(_) => return Err(invalid(field, "is not kept by this service: leave it out or null")),
        }
    }
    Ok(())
}

/// Text field `field`: absent or null is `None`; another type is a 422.
fn text<'a>(body: &'a Map<String, Value>, field: &'static str) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

/// A name: at least 3 characters (Polar's `minLength`), at most 256.
fn name(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let Some(name) = text(body, "name")? else { return Ok(None) };
    let length = name.trim().chars().count();
    if !(3..=256).contains(&length) || name.chars().any(char::is_control) {
        return Err(invalid("name", "must be 3 to 256 characters, without control characters"));
    }
    Ok(Some(name.trim().to_owned()))
}

/// A slug: 3 to 64 lowercase letters, digits and hyphens, not starting or ending with one.
fn slug(body: &Map<String, Value>) -> Result<String, ApiError> {
    let slug = text(body, "slug")?.ok_or_else(|| invalid("slug", "is required"))?;
    let allowed = slug.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
    if !(3..=64).contains(&slug.len()) || !allowed || slug.starts_with('-') || slug.ends_with('-') {
        return Err(invalid("slug", "must be 3 to 64 lowercase letters, digits and inner hyphens"));
    }
    Ok(slug.to_owned())
}

/// An address: `http` or `https`, at most 2083 characters (Polar's `uri` fields).
fn url(body: &Map<String, Value>, field: &'static str) -> Result<Option<String>, ApiError> {
    let Some(url) = text(body, field)? else { return Ok(None) };
    let scheme = url.split_once("://").map(|(scheme, rest)| (scheme.to_ascii_lowercase(), rest));
    let valid = matches!(&scheme, Some((scheme, rest)) if (scheme == "http" || scheme == "https") && !rest.is_empty());
    if !valid || url.len() > 2083 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(field, "must be an http or https address of at most 2083 characters"));
    }
    Ok(Some(url.to_owned()))
}

/// An email, checked as the crate checks members' emails.
fn email(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let Some(email) = text(body, "email")? else { return Ok(None) };
    Ok(Some(Email::parse(email)?.as_str().to_owned()))
}

/// The organizations a list shows the caller, once its token reads organizations.
fn visible(caller: &Caller) -> Result<Visible, ApiError> {
    match caller.principal {
        Principal::Organization { organization_id, ref scopes } => {
            scopes.require(Scope::OrganizationsRead)?;
            Ok(Visible::Only(organization_id))
        }
        Principal::User { user_id, ref scopes, .. } => {
            scopes.require(Scope::OrganizationsRead)?;
            Ok(Visible::MemberOf(user_id))
        }
        Principal::MemberSession { .. } => Err(ApiError::Unauthenticated(
            "A member's portal session cannot read organizations; use an organization or user token.",
        )),
    }
}

/// Who the caller acts as, once its token holds `scope`.
fn actor(caller: &Caller, scope: Scope) -> Result<Actor, ApiError> {
    match caller.principal {
        Principal::Organization { organization_id, ref scopes } => {
            scopes.require(scope)?;
            Ok(Actor::Token(organization_id))
        }
        Principal::User { user_id, ref scopes, .. } => {
            scopes.require(scope)?;
            Ok(Actor::User(user_id))
        }
        Principal::MemberSession { .. } => Err(ApiError::Unauthenticated(
            "A member's portal session cannot act on organizations; use an organization or user token.",
        )),
    }
}

/// The organization, as Polar answers it, or `organization_not_found`.
async fn answer(state: &AppState, id: OrganizationId) -> Result<Value, ApiError> {
    let record = data::organization(&state.store, id).await?;
    let record = record.ok_or(Error::OrganizationNotFound { organization_id: id })?;
    Ok(organization_body(&record))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: QueryPairs,
) -> Result<Json<ListResource<Value>>, ApiError> {
    let visible = visible(&caller)?;
    let paging = query.paging(true)?;
    // Polar lists organizations oldest first unless `sorting` says otherwise.
    let newest_first = query.first("sorting").is_some() && paging.sorting == Sorting::NewestFirst;
    let slug = query.first("slug");
    let (items, total) =
        data::organizations_page(&state.store, visible, slug, newest_first, paging.limit.get(), paging.offset())
            .await?;
    let items = items.iter().map(organization_body).collect();
    Ok(Json(ListResource::new(items, total, paging.limit)))
}

/// Creates an organization with the calling user as its owner (ORG-3): its profile is
/// saved first, which reserves the slug, then the crate's `Create` runs; a refusal takes
/// the profile back.
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = actor(&caller, Scope::OrganizationsWrite)?;
    let body = fields(body)?;
    refuse_unkept(&body)?;
    let profile = OrganizationProfile {
        name: name(&body)?.ok_or_else(|| invalid("name", "is required"))?,
        slug: slug(&body)?,
        email: email(&body)?,
        website: url(&body, "website")?,
        avatar_url: url(&body, "avatar_url")?,
    };
    let Actor::User(user_id) = actor else {
        // The crate's answer for a token creating an organization (users only, ORG-3).
        return Err(Error::UserActorRequired.into());
    };
    let user = data::user(&state.store, user_id).await?;
    let user = user.ok_or(ApiError::Unauthenticated("This user is not known here; sign in again."))?;
    let id = OrganizationId::new(uuid::Uuid::new_v4());
    if !data::save_profile(&state.store, id, &profile, None).await? {
        return Err(invalid("slug", "is taken: an organization with this slug already exists"));
    }
    let create = organization::Command::Create { email: user.email };
    if let Err(error) = state.store.execute::<Organization>(id, create, actor, SystemClock).await {
        data::delete_profile(&state.store, id).await?;
        return Err(error.into());
    }
    Ok((StatusCode::CREATED, Json(answer(&state, id).await?)))
}

async fn read(State(state): State<AppState>, caller: Caller, path: PathParams) -> Result<Json<Value>, ApiError> {
    let actor = actor(&caller, Scope::OrganizationsRead)?;
    let id = path.parse("id", OrganizationId::parse)?;
    // A member, or this organization's token: anyone else is told it does not exist.
    state.store.merchant(id, actor).await?;
    Ok(Json(answer(&state, id).await?))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(&caller, Scope::OrganizationsWrite)?;
    let id = path.parse("id", OrganizationId::parse)?;
    let body = fields(body)?;
    state.store.check(id, actor, Permission::OrganizationManage).await?;
    refuse_unkept(&body)?;
    let record = data::organization(&state.store, id).await?;
    let mut profile = record.ok_or(Error::OrganizationNotFound { organization_id: id })?.profile;
    if let Some(name) = name(&body)? {
        profile.name = name;
    }
    // Present and null clears a contact field; absent keeps it.
    if body.contains_key("email") {
        profile.email = email(&body)?;
    }
    if body.contains_key("website") {
        profile.website = url(&body, "website")?;
    }
    if body.contains_key("avatar_url") {
        profile.avatar_url = url(&body, "avatar_url")?;
    }
    data::save_profile(&state.store, id, &profile, Some(now())).await?;
    Ok(Json(answer(&state, id).await?))
}
