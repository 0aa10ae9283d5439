//! The invitation email's link: the invitee signs in (their first sign-in makes their
//! account), then accepts or declines. An invitation that is no longer open says why and
//! offers nothing to click.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::html;
use membership::organization::{Command, InvitationStatus, OrganizationView, Read};
use membership::{Actor, InvitationId, OrganizationId};

use super::csrf::Posted;
use super::layout::{Header, alert, page};
use super::organizations::members_path;
use super::session::SignedIn;
use super::{Failure, notice as flash};
use crate::data;
use crate::routes::team::execute;
use crate::state::{AppState, now};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/join/{organization_id}/{invitation_id}", get(show))
        .route("/join/{organization_id}/{invitation_id}/{action}", post(answer))
}

fn parse(organization_id: &str, invitation_id: &str) -> Result<(OrganizationId, InvitationId), Failure> {
    let organization_id = OrganizationId::parse(organization_id).map_err(|_| Failure::NotFound)?;
    let invitation_id = InvitationId::parse(invitation_id).map_err(|_| Failure::NotFound)?;
    Ok((organization_id, invitation_id))
}

async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, invitation_id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (organization_id, invitation_id) = parse(&organization_id, &invitation_id)?;
    let view = state
        .store
        .prefetch(organization_id, &[Read::Invitation(invitation_id), Read::Member(signed_in.user_id)])
        .await?;
    let view = view.ok_or(Failure::NotFound)?;
    let invitation = view.invitation(invitation_id).ok().flatten().cloned().ok_or(Failure::NotFound)?;
    let name = data::organization(&state.store, organization_id)
        .await?
        .map(|record| record.profile.name)
        .ok_or(Failure::NotFound)?;
    let at = now();
    let closed = match invitation.status {
        InvitationStatus::Pending if invitation.expires_at <= at => {
            Some("This invitation has expired. Ask the team's admin to send a new one.")
        }
        InvitationStatus::Pending => None,
        InvitationStatus::Accepted => Some("This invitation was already accepted."),
        InvitationStatus::Declined => Some("This invitation was declined. Ask the team's admin to send a new one."),
        InvitationStatus::Revoked => {
            Some("This invitation was revoked. Ask the team's admin if you should still join.")
        }
        InvitationStatus::Expired => Some("This invitation has expired. Ask the team's admin to send a new one."),
    };
    // Pending and open: would the crate let this user accept it (the invitation is for their email)?
    let refusal = closed
        .is_none()
        .then(|| {
            let command = Command::AcceptInvitation { invitation_id, email: signed_in.email.clone() };
            membership::organization::decide(&view, command, Actor::User(signed_in.user_id), at).err()
        })
        .flatten();
    let title = format!("Join {name}");
    let base = format!("/join/{organization_id}/{invitation_id}");
    let body = html! {
        h1 { (title) }
        @if let Some(closed) = closed {
            (alert(closed))
            p { a href="/dashboard" { "Go to the dashboard" } }
        } @else if let Some(refusal) = &refusal {
            (alert(&super::capitalized(&refusal.to_string())))
            p { "You're signed in as " strong { (signed_in.email.as_str()) } ". Sign out and sign in with the address the invitation was sent to." }
        } @else {
            p { "You're invited to join " strong { (name) } " as a Member. Open until " (super::members::minute(invitation.expires_at)) "." }
            div.row {
                form method="post" action={ (base) "/accept" } { (signed_in.csrf.field()) button type="submit" { "Accept invitation" } }
                form method="post" action={ (base) "/decline" } { (signed_in.csrf.field()) button.secondary type="submit" { "Decline invitation" } }
            }
        }
    };
    let status = if closed.is_some() || refusal.is_some() { StatusCode::GONE } else { StatusCode::OK };
    let status = if refusal.is_some() { StatusCode::FORBIDDEN } else { status };
    Ok((status, page(&title, &Header::Dashboard(&signed_in.chrome(None)), &body)).into_response())
}

async fn answer(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, invitation_id, action)): Path<(String, String, String)>,
    _form: Posted,
) -> Result<Response, Failure> {
    let (organization_id, invitation_id) = parse(&organization_id, &invitation_id)?;
    let email = signed_in.email.clone();
    let (command, accepting) = match action.as_str() {
        "accept" => (Command::AcceptInvitation { invitation_id, email }, true),
        "decline" => (Command::DeclineInvitation { invitation_id, email }, false),
        _ => return Err(Failure::NotFound),
    };
    execute(&state, organization_id, command, Actor::User(signed_in.user_id)).await?;
    if accepting {
        data::choose_organization(&state.store, &signed_in.token_hash, organization_id).await?;
        Ok(flash::redirect(&members_path(organization_id), "Welcome! You joined as a Member."))
    } else {
        Ok(flash::redirect("/dashboard/organizations", "You declined the invitation."))
    }
}
