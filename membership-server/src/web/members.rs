//! Settings → Members: the team, its pending invitations and the ownership offer, with
//! only the actions the crate would allow the viewer, each asked of the crate itself on the
//! page's own rows (a dry run of the command, nothing stored).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use membership::organization::{self, Change, Command, MemberRow, OrganizationView, Prefetched};
use membership::{Actor, Email, InvitationId, OfferId, OrganizationId, Permission, Role, Timestamp, UserId};
use membership_sqlx::TeamPage;
use serde::Deserialize;

use super::csrf::Posted;
use super::layout::{Header, field_error, notice, page, role_label};
use super::organizations::members_path;
use super::session::SignedIn;
use super::{Failure, notice as flash};
use crate::routes::team::{execute, mail_invitation};
use crate::state::{AppState, now};

/// Members and invitations per page.
pub const PAGE_SIZE: u64 = 50;

/// The routes of this module (the role, removal, leaving and ownership pages are in
/// [`super::member_actions`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/{organization_id}/settings/members", get(show))
        .route("/dashboard/{organization_id}/settings/members/invite", post(invite))
        .route("/dashboard/{organization_id}/settings/members/invitations/{invitation_id}/{action}", post(invitation))
}

/// A page's organization and who is looking at it.
pub(super) struct Team {
    pub organization_id: OrganizationId,
    pub name: String,
    pub me: UserId,
}

impl Team {
    /// The organization in the path, for a member of it; 404 otherwise (a page never tells
    /// a stranger an organization exists).
    pub fn of(signed_in: &SignedIn, organization_id: &str) -> Result<Team, Failure> {
        let organization_id = OrganizationId::parse(organization_id).map_err(|_| Failure::NotFound)?;
        let name = signed_in.name_of(organization_id).ok_or(Failure::NotFound)?.to_owned();
        Ok(Team { organization_id, name, me: signed_in.user_id })
    }

    pub fn actor(&self) -> Actor {
        Actor::User(self.me)
    }

    pub fn path(&self) -> String {
        members_path(self.organization_id)
    }
}

/// Would the crate run `command` by `actor` on `view` now? A dry run: nothing is stored.
pub(super) fn allowed(view: &Prefetched, command: Command, actor: Actor) -> bool {
    organization::decide(view, command, actor, now()).is_ok()
}

/// A date as the page shows it.
pub(super) fn day(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.unix_micros())
        .map_or_else(String::new, |at| at.format("%Y-%m-%d").to_string())
}

/// A time as the page shows it.
pub(super) fn minute(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.unix_micros())
        .map_or_else(String::new, |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: Option<u64>,
}

async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(organization_id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let text = flash::take(&headers);
    let mut response =
        render(&state, &signed_in, &team, query.page.unwrap_or(1), text.as_deref(), None, StatusCode::OK).await?;
    if text.is_some() {
        flash::clear(&mut response);
    }
    Ok(response)
}

/// The members page, answered with `status`; `invite_error` is the email that was refused
/// and why.
async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    team: &Team,
    page_number: u64,
    notice_text: Option<&str>,
    invite_error: Option<(&str, &str)>,
    status: StatusCode,
) -> Result<Response, Failure> {
    state.store.check(team.organization_id, team.actor(), Permission::MembersRead).await?;
    let page_number = page_number.max(1);
    let offset = (page_number - 1).saturating_mul(PAGE_SIZE);
    let data =
        state.store.team_page(team.organization_id, team.me, offset, PAGE_SIZE).await?.ok_or(Failure::NotFound)?;
    let offer_to = match data.view.pending_offer() {
        Ok(Some(offer)) => crate::data::user(&state.store, offer.to).await?.map(|user| user.email),
        _ => None,
    };
    let body = members_body(signed_in, team, &data, page_number, notice_text, invite_error, offer_to.as_ref());
    Ok((status, page("Members", &Header::Dashboard(&signed_in.chrome(Some(team.organization_id))), &body))
        .into_response())
}

/// The page's body: pure, so the benchmark renders exactly what a request does.
#[must_use]
pub fn members_body(
    signed_in: &SignedIn,
    team: &Team,
    data: &TeamPage,
    page_number: u64,
    notice_text: Option<&str>,
    invite_error: Option<(&str, &str)>,
    offer_to: Option<&Email>,
) -> Markup {
    let actor = team.actor();
    let mut view = data.view.clone();
    let manages = organization::check(&view, actor, Permission::MembersManage).is_ok();
    for invitation in &data.invitations {
        view.load_invitation(invitation.id, Some(invitation.clone()));
    }
    // Any fresh id does for a dry run of an offer: the crate only asks that none has it.
    let probe_offer = OfferId::new(uuid::Uuid::nil());
    view.load_offer(probe_offer, None);
    let base = team.path();
    let csrf = &signed_in.csrf;
    let pages = data.member_total.max(data.invitation_total).div_ceil(PAGE_SIZE).max(1);
    html! {
        nav.crumbs aria-label="Breadcrumb" { (team.name) " / Settings / Members" }
        h1 { "Members" }
        (notice(notice_text))
        (offer_banner(&view, team, offer_to, csrf))
        @if manages {
            section.card aria-labelledby="invite-heading" {
                h2 #invite-heading { "Invite a member" }
                form method="post" action={ (base) "/invite" } {
                    (csrf.field())
                    div.row {
                        div {
                            label for="invite-email" { "Email address" }
                            input #invite-email type="email" name="email" required autocomplete="off"
                                value=[invite_error.map(|(email, _)| email)]
                                aria-invalid=[invite_error.map(|_| "true")]
                                aria-describedby=[invite_error.map(|_| "invite-error")];
                        }
                        button type="submit" { "Send Invite" }
                    }
                    (field_error("invite-error", invite_error.map(|(_, error)| error)))
                    p.muted { "New members join with the Member role; change it once they have joined." }
                }
            }
        } @else {
            // A refused post made by hand: said where the form would be.
            @if let Some((_, error)) = invite_error { (super::layout::alert(error)) }
            p.muted { "You can view other members. Only admins and the owner invite, remove and change roles." }
        }
        table {
            caption { "Members (" (data.member_total) ")" }
            thead { tr { th scope="col" { "Member" } th scope="col" { "Role" } th scope="col" { "Joined" } th scope="col" { "Actions" } } }
            tbody {
                @for row in &data.members { (member_row(row, &view, team, probe_offer)) }
            }
        }
        @if data.invitation_total > 0 {
            table {
                caption { "Pending invitations (" (data.invitation_total) ")" }
                thead { tr { th scope="col" { "Email" } th scope="col" { "Expires" } @if manages { th scope="col" { "Actions" } } } }
                tbody {
                    @for invitation in &data.invitations {
                        tr {
                            td { (invitation.email.as_str()) }
                            td { (minute(invitation.expires_at)) }
                            @if manages {
                                td {
                                    @let at = format!("{base}/invitations/{}", invitation.id);
                                    @if allowed(&view, Command::ResendInvitation { invitation_id: invitation.id, ttl: membership::organization::DEFAULT_TTL }, actor) {
                                        form.inline method="post" action={ (at) "/resend" } {
                                            (csrf.field())
                                            button.secondary type="submit" aria-label={ "Resend the invitation to " (invitation.email.as_str()) } { "Resend" }
                                        }
                                        " "
                                    }
                                    @if allowed(&view, Command::RevokeInvitation { invitation_id: invitation.id }, actor) {
                                        form.inline method="post" action={ (at) "/revoke" } {
                                            (csrf.field())
                                            button.secondary type="submit" aria-label={ "Revoke the invitation to " (invitation.email.as_str()) } { "Revoke" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if pages > 1 {
            nav aria-label="Pages" {
                @if page_number > 1 { a href={ (base) "?page=" (page_number - 1) } { "Previous page" } " " }
                span { "Page " (page_number) " of " (pages) }
                @if page_number < pages { " " a href={ (base) "?page=" (page_number + 1) } { "Next page" } }
            }
        }
    }
}

/// One member's row, with the actions the crate would allow on it.
fn member_row(row: &MemberRow, view: &Prefetched, team: &Team, probe_offer: OfferId) -> Markup {
    let actor = team.actor();
    let user_id = row.membership.user_id;
    let email = row.membership.email.as_str();
    let mine = user_id == team.me;
    let at = format!("{}/{user_id}", team.path());
    let change_role = !mine
        && membership::AssignableRole::ALL.into_iter().any(|role| {
            role.role() != row.role && allowed(view, Command::ChangeRole { user_id, role: role.role() }, actor)
        });
    let remove = !mine && allowed(view, Command::RemoveMember { user_id }, actor);
    let offer = !mine
        && row.role != Role::Owner
        && allowed(
            view,
            Command::OfferOwnership {
                offer_id: probe_offer,
                to: user_id,
                verification: organization::VerificationStatus::Verified,
                ttl: organization::DEFAULT_TTL,
            },
            actor,
        );
    html! {
        tr {
            td.you[mine] { (email) @if mine { " (you)" } }
            td { (role_label(row.role)) }
            td { (day(row.membership.created_at)) }
            td {
                @if mine || change_role || remove || offer {
                    details.menu {
                        summary aria-label={ "Actions for " (email) } { "Actions" }
                        ul {
                            @if change_role { li { a href={ (at) "/role" } { "Change role" } } }
                            @if remove { li { a href={ (at) "/remove" } { "Remove from organization" } } }
                            @if offer { li { a href={ (at) "/offer" } { "Offer ownership" } } }
                            @if mine { li { a href={ (team.path()) "/leave" } { "Leave organization" } } }
                        }
                    }
                }
            }
        }
    }
}

/// The pending ownership offer, to the two people it concerns.
fn offer_banner(view: &Prefetched, team: &Team, offer_to: Option<&Email>, csrf: &super::csrf::Csrf) -> Markup {
    let Ok(Some(offer)) = view.pending_offer() else { return html! {} };
    let at = format!("{}/offer/{}", team.path(), offer.id);
    let to = offer_to.map_or_else(|| offer.to.to_string(), |email| email.as_str().to_owned());
    html! {
        @if offer.from == team.me {
            section.card aria-labelledby="offer-heading" {
                h2 #offer-heading { "Ownership offer" }
                p { "Ownership offered to " strong { (to) } " until " (minute(offer.expires_at)) "." }
                form method="post" action={ (at) "/revoke" } {
                    (csrf.field())
                    button.secondary type="submit" { "Revoke offer" }
                }
            }
        } @else if offer.to == team.me {
            section.card aria-labelledby="offer-heading" {
                h2 #offer-heading { "Ownership offer" }
                p { "You've been offered ownership of " strong { (team.name) } " until " (minute(offer.expires_at)) ". The current owner becomes an admin." }
                div.row {
                    form method="post" action={ (at) "/accept" } { (csrf.field()) button type="submit" { "Accept ownership" } }
                    form method="post" action={ (at) "/decline" } { (csrf.field()) button.secondary type="submit" { "Decline ownership" } }
                }
            }
        }
    }
}

async fn invite(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(organization_id): Path<String>,
    form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let typed = form.get("email");
    let email = match Email::parse(typed) {
        Ok(email) => email,
        Err(error) => {
            let text = super::capitalized(&error.to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&state, &signed_in, &team, 1, None, Some((typed, &text)), status).await;
        }
    };
    let invitation_id = InvitationId::new(uuid::Uuid::new_v4());
    let command = Command::Invite { invitation_id, email: email.clone(), ttl: state.settings.ttl };
    let (view, events) = match execute(&state, team.organization_id, command, team.actor()).await {
        Ok(done) => done,
        Err(error) => return refused(&state, &signed_in, &team, typed, error).await,
    };
    let created = events.iter().any(|event| matches!(event.change, Change::InvitationCreated { .. }));
    let resent = events.iter().any(|event| matches!(event.change, Change::InvitationResent { .. }));
    let text = if let Ok(Some(invitation)) = view.pending_invitation(&email).map(Option::<&_>::cloned) {
        mail_invitation(&state, team.organization_id, &invitation, &events).await;
        let email = invitation.email.as_str();
        if created {
            format!("Invitation sent to {email}.")
        } else if resent {
            format!("Invitation to {email} resent.")
        } else {
            format!("{email} already has a pending invitation.")
        }
    } else {
        match view.member_row_with_email(&email) {
            Ok(Some(member)) => {
                format!("{} is already a member ({}).", member.membership.email.as_str(), role_label(member.role))
            }
            _ => format!("Invitation sent to {}.", email.as_str()),
        }
    };
    Ok(flash::redirect(&team.path(), &text))
}

/// The members page again, with a refused invite's reason under the email field; errors
/// that are not a rule's answer as pages of their own.
async fn refused(
    state: &AppState,
    signed_in: &SignedIn,
    team: &Team,
    typed: &str,
    error: crate::error::ApiError,
) -> Result<Response, Failure> {
    if error.status().is_client_error() {
        let text = super::explain(&error);
        return render(state, signed_in, team, 1, None, Some((typed, &text)), error.status()).await;
    }
    Err(error.into())
}

/// `resend` or `revoke` a pending invitation.
async fn invitation(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, invitation_id, action)): Path<(String, String, String)>,
    _form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let invitation_id = InvitationId::parse(&invitation_id).map_err(|_| Failure::NotFound)?;
    let command = match action.as_str() {
        "resend" => Command::ResendInvitation { invitation_id, ttl: state.settings.ttl },
        "revoke" => Command::RevokeInvitation { invitation_id },
        _ => return Err(Failure::NotFound),
    };
    let (view, events) = execute(&state, team.organization_id, command, team.actor()).await?;
    let invitation = view.invitation(invitation_id).ok().flatten().cloned();
    let email = invitation.as_ref().map_or_else(String::new, |invitation| invitation.email.as_str().to_owned());
    if let Some(invitation) = &invitation {
        mail_invitation(&state, team.organization_id, invitation, &events).await;
    }
    let text = if action == "resend" {
        format!("Invitation to {email} resent.")
    } else {
        format!("Invitation to {email} revoked.")
    };
    Ok(flash::redirect(&team.path(), &text))
}
