//! The organization's team, after Polar's dashboard endpoints, plus what Polar lacks and
//! the crate has: invitations that are accepted, declined, revoked and resent, and
//! ownership offers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use membership::organization::{
    Change, Command, Event, Invitation, MemberRow, Organization, OrganizationView, OwnershipOffer, Prefetched,
};
use membership::wire::{InviteBody, ListResource, OrganizationMember, RoleBody};
use membership::{Actor, Error, InvitationId, Lookup, OfferId, OrganizationId, Permission, UserId};
use membership_sqlx::{Outcome, SystemClock};
use serde::Deserialize;

use crate::auth::{Principal, Scope};
use crate::data;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams};
use crate::invitation_mail;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/organizations/{id}/members", get(list))
        .route("/v1/organizations/{id}/members/invite", post(invite))
        .route("/v1/organizations/{id}/members/leave", delete(leave))
        .route("/v1/organizations/{id}/members/{user_id}", patch(change_role).delete(remove))
        .route("/v1/organizations/{id}/invitations/{invitation_id}/{action}", post(invitation))
        .route("/v1/organizations/{id}/ownership-offers", post(offer))
        .route("/v1/organizations/{id}/ownership-offers/{offer_id}/{action}", post(offer_action))
}

/// The actor a token is on the team side, once it holds `scope`.
fn actor(principal: &Principal, scope: Scope) -> Result<Actor, ApiError> {
    let actor = match *principal {
        Principal::Organization { organization_id, .. } => Actor::Token(organization_id),
        Principal::User { user_id, .. } => Actor::User(user_id),
        Principal::MemberSession { .. } => {
            return Err(ApiError::Unauthenticated(
                "A member's portal session cannot act on a team; use a user or organization token.",
            ));
        }
    };
    principal.scopes().require(scope)?;
    Ok(actor)
}

/// The acting user, for the commands only a user may run (accepting, declining).
fn user(actor: Actor) -> Result<UserId, ApiError> {
    match actor {
        Actor::User(user) => Ok(user),
        _ => Err(Error::UserActorRequired.into()),
    }
}

/// Runs `command`: its events, and the rows it was decided on moved on by them, so every
/// answer is what this command did (docs/rules.md#answers), never a read that a concurrent
/// command may already have moved on.
pub(crate) async fn execute(
    state: &AppState,
    organization_id: OrganizationId,
    command: Command,
    actor: Actor,
) -> Result<(Prefetched, Vec<Event>), ApiError> {
    let Outcome { events, mut view } =
        state.store.execute::<Organization>(organization_id, command, actor, SystemClock).await?;
    view.advance(&events);
    Ok((view, events))
}

/// What the view answers, or the internal error for a lookup the plan did not make.
fn answer<T>(organization_id: OrganizationId, found: Lookup<T>) -> Result<T, ApiError> {
    found.map_err(|missing| Error::ViewIncomplete { stream: organization_id.into(), missing }.into())
}

fn organization_member(row: &MemberRow) -> OrganizationMember {
    OrganizationMember::new(&row.membership, row.role, None)
}

async fn list(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
) -> Result<Json<ListResource<OrganizationMember>>, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsRead)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    state.store.check(organization_id, actor, Permission::MembersRead).await?;
    let team = state.store.team(organization_id).await?;
    let items: Vec<OrganizationMember> =
        team.iter().map(|(membership, role)| OrganizationMember::new(membership, *role, None)).collect();
    let total = items.len() as u64;
    Ok(Json(ListResource::new(items, total, std::num::NonZeroU64::MAX)))
}

/// ORG-4 over HTTP (docs/rules.md#answers): a new invitation is 201 with it; a pending one
/// for the same email is 200 with it, resent; an existing member is 200 with the
/// membership, and no invitation is sent.
async fn invite(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    let invitation_id = InvitationId::new(uuid::Uuid::new_v4());
    let command = body.parse::<InviteBody>()?.into_command(invitation_id, state.settings.ttl)?;
    let Command::Invite { email, .. } = &command else { return Err(ApiError::RouteNotFound) };
    let email = email.clone();
    let (view, events) = execute(&state, organization_id, command, actor).await?;
    let created = events.iter().any(|event| matches!(event.change, Change::InvitationCreated { .. }));
    if created {
        let invitation = answer(organization_id, view.invitation(invitation_id))?.cloned();
        let invitation = invitation.ok_or(Error::InvitationNotFound { organization_id, invitation_id })?;
        mail_invitation(&state, organization_id, &invitation, &events).await;
        return Ok((StatusCode::CREATED, Json(invitation)).into_response());
    }
    if let Some(invitation) = answer(organization_id, view.pending_invitation(&email))? {
        mail_invitation(&state, organization_id, invitation, &events).await;
        return Ok((StatusCode::OK, Json(invitation.clone())).into_response());
    }
    let member = answer(organization_id, view.member_row_with_email(&email))?;
    let member = member.ok_or(Error::InvitationNotFound { organization_id, invitation_id })?;
    Ok((StatusCode::OK, Json(organization_member(&member))).into_response())
}

async fn change_role(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
    body: JsonBody,
) -> Result<Json<OrganizationMember>, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    let user_id = path.parse("user_id", UserId::parse)?;
    let command = body.parse::<RoleBody>()?.into_command(user_id)?;
    let (view, _) = execute(&state, organization_id, command, actor).await?;
    let member = answer(organization_id, view.member_row(user_id))?;
    let member = member.ok_or(Error::MemberNotFound { organization_id, user_id })?;
    Ok(Json(organization_member(&member)))
}

async fn remove(State(state): State<AppState>, principal: Principal, path: PathParams) -> Result<StatusCode, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    let user_id = path.parse("user_id", UserId::parse)?;
    state.store.execute::<Organization>(organization_id, Command::RemoveMember { user_id }, actor, SystemClock).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn leave(State(state): State<AppState>, principal: Principal, path: PathParams) -> Result<StatusCode, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    state.store.execute::<Organization>(organization_id, Command::Leave, actor, SystemClock).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `accept`, `decline`, `revoke` or `resend` an invitation.
async fn invitation(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
) -> Result<Json<Invitation>, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    let invitation_id = path.parse("invitation_id", InvitationId::parse)?;
    let action = path.parse("action", |action| Ok(action.to_owned()))?;
    let command = match action.as_str() {
        "accept" | "decline" => {
            let user = data::user(&state.store, user(actor)?).await?;
            let email = user.ok_or(ApiError::NotFound("The server has no record of this user."))?.email;
            if action == "accept" {
                Command::AcceptInvitation { invitation_id, email }
            } else {
                Command::DeclineInvitation { invitation_id, email }
            }
        }
        "revoke" => Command::RevokeInvitation { invitation_id },
        "resend" => Command::ResendInvitation { invitation_id, ttl: state.settings.ttl },
        _ => return Err(ApiError::RouteNotFound),
    };
    let (view, events) = execute(&state, organization_id, command, actor).await?;
    let invitation = answer(organization_id, view.invitation(invitation_id))?.cloned();
    let invitation = invitation.ok_or(Error::InvitationNotFound { organization_id, invitation_id })?;
    mail_invitation(&state, organization_id, &invitation, &events).await;
    Ok(Json(invitation))
}

/// Mails the invitee when `events` created or resent `invitation` (after the commit: a
/// failed send is logged, and the invitation stands and can be resent).
pub(crate) async fn mail_invitation(
    state: &AppState,
    organization_id: OrganizationId,
    invitation: &Invitation,
    events: &[Event],
) {
    let sent = events.iter().any(|event| match event.change {
        Change::InvitationCreated { invitation_id, .. } | Change::InvitationResent { invitation_id, .. } => {
            invitation_id == invitation.id
        }
        _ => false,
    });
    if !sent {
        return;
    }
    let inviter = match data::user(&state.store, invitation.invited_by).await {
        Ok(user) => user.map(|user| user.email),
        Err(error) => {
            tracing::warn!(%error, "cannot read the inviter for the invitation email; sending it without");
            None
        }
    };
    let name = match data::organization(&state.store, organization_id).await {
        Ok(record) => record.map(|record| record.profile.name),
        Err(error) => {
            tracing::warn!(%error, "cannot read the organization's name for the invitation email; sending it without");
            None
        }
    };
    let name = name.unwrap_or_else(|| "an organization".to_owned());
    let letter =
        invitation_mail::letter(&state.settings.public_url, organization_id, &name, invitation, inviter.as_ref());
    state.mailer.send(letter);
}

/// The body of an ownership offer.
#[derive(Debug, Deserialize)]
struct OfferBody {
    #[serde(default)]
    to: membership::wire::Field,
}

async fn offer(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
    body: JsonBody,
) -> Result<(StatusCode, Json<OwnershipOffer>), ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    let to = UserId::parse(body.parse::<OfferBody>()?.to.required("to")?)?;
    let verification = data::verification(&state.store, to).await?;
    let offer_id = OfferId::new(uuid::Uuid::new_v4());
    let command = Command::OfferOwnership { offer_id, to, verification, ttl: state.settings.ttl };
    let (view, _) = execute(&state, organization_id, command, actor).await?;
    let offer = answer(organization_id, view.offer(offer_id))?.copied();
    Ok((StatusCode::CREATED, Json(offer.ok_or(Error::OwnershipOfferNotFound { organization_id, offer_id })?)))
}

/// `accept`, `decline` or `revoke` an ownership offer.
async fn offer_action(
    State(state): State<AppState>,
    principal: Principal,
    path: PathParams,
) -> Result<Json<OwnershipOffer>, ApiError> {
    let actor = actor(&principal, Scope::OrganizationsWrite)?;
    let organization_id = path.parse("id", OrganizationId::parse)?;
    let offer_id = path.parse("offer_id", OfferId::parse)?;
    let action = path.parse("action", |action| Ok(action.to_owned()))?;
    let command = match action.as_str() {
        "accept" => {
            let verification = data::verification(&state.store, user(actor)?).await?;
            Command::AcceptOwnershipOffer { offer_id, verification }
        }
        "decline" => Command::DeclineOwnershipOffer { offer_id },
        "revoke" => Command::RevokeOwnershipOffer { offer_id },
        _ => return Err(ApiError::RouteNotFound),
    };
    let (view, _) = execute(&state, organization_id, command, actor).await?;
    let offer = answer(organization_id, view.offer(offer_id))?.copied();
    Ok(Json(offer.ok_or(Error::OwnershipOfferNotFound { organization_id, offer_id })?))
}
