//! The pages behind a member row's menu: change role (with the side-by-side permissions
//! matrix from the crate's `policy` table), remove, leave, and ownership offers. Each shows
//! its control only when the crate would allow it, explains a refusal in the crate's words,
//! and runs the crate's command when posted.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use membership::organization::{Command, MemberRow, OrganizationView, Prefetched};
use membership::policy::{self, DocsRow};
use membership::{AssignableRole, OfferId, Role, UserId};

use super::csrf::{Csrf, Posted};
use super::layout::{Header, alert, field_error, page, role_label};
use super::members::{Team, allowed};
use super::session::SignedIn;
use super::{Failure, notice as flash};
use crate::data;
use crate::error::ApiError;
use crate::routes::team::execute;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    const BASE: &str = "/dashboard/{organization_id}/settings/members";
    Router::new()
        .route(&format!("{BASE}/leave"), get(leave_page).post(leave))
        .route(&format!("{BASE}/offer/{{offer_id}}/{{action}}"), post(answer_offer))
        .route(&format!("{BASE}/{{user_id}}/role"), get(role_page).post(change_role))
        .route(&format!("{BASE}/{{user_id}}/remove"), get(remove_page).post(remove))
        .route(&format!("{BASE}/{{user_id}}/offer"), get(offer_page).post(offer))
}

/// The view a member's page decides on: the viewer's and `user_id`'s rows, the owner, the
/// member count and the pending offer (one page of the team would hold more than needed).
async fn view_of(state: &AppState, team: &Team, user_id: UserId) -> Result<(Prefetched, MemberRow), Failure> {
    let view = state.store.team_view(team.organization_id, &[team.me, user_id]).await?.ok_or(Failure::NotFound)?;
    let row = view.member_row(user_id).ok().flatten().ok_or(Failure::NotFound)?;
    Ok((view, row))
}

/// The page frame of a member's action.
fn frame(signed_in: &SignedIn, team: &Team, title: &str, status: StatusCode, body: &Markup) -> Response {
    let body = html! {
        nav.crumbs aria-label="Breadcrumb" { a href=(team.path()) { (team.name) " / Settings / Members" } }
        h1 { (title) }
        (body)
    };
    (status, page(title, &Header::Dashboard(&signed_in.chrome(Some(team.organization_id))), &body)).into_response()
}

/// A posted action a rule refused (about the member `about`, if any): its page again, `body`
/// showing the crate's words by the control, under the refusal's status. Any other failure
/// is a page of its own.
fn refused(
    signed_in: &SignedIn,
    team: &Team,
    title: &str,
    (error, about): (ApiError, Option<&MemberRow>),
    body: impl FnOnce(&str) -> Markup,
) -> Result<Response, Failure> {
    if !error.status().is_client_error() {
        return Err(error.into());
    }
    let text = super::naming(&super::explain(&error), &people(signed_in, about));
    Ok(frame(signed_in, team, title, error.status(), &body(&text)))
}

/// The people a member's page may name: the viewer, and the member it is about.
fn people<'a>(signed_in: &'a SignedIn, row: Option<&'a MemberRow>) -> Vec<(UserId, &'a str)> {
    let mut people = vec![(signed_in.user_id, signed_in.email.as_str())];
    people.extend(row.map(|row| (row.membership.user_id, row.membership.email.as_str())));
    people
}

/// A refusal of the crate's, in its words, with the people it names by email.
fn said(error: &membership::Error, people: &[(UserId, &str)]) -> String {
    super::naming(&super::capitalized(&error.to_string()), people)
}

/// A confirmation: the crate's refusal (if any) by the button, the button, and Cancel.
fn confirm(csrf: &Csrf, team: &Team, error_id: &str, error: Option<&str>, button: &Markup) -> Markup {
    html! {
        form method="post" {
            (csrf.field())
            (field_error(error_id, error))
            (button)
            " "
            a.button.secondary href=(team.path()) { "Cancel" }
        }
    }
}

fn parse_user(user_id: &str) -> Result<UserId, Failure> {
    UserId::parse(user_id).map_err(|_| Failure::NotFound)
}

/// The side-by-side matrix of what each role of the picker may do, from `policy`'s table:
/// the README's rows, one column per role.
pub fn matrix() -> Markup {
    let roles = policy::role_picker().map(|definition| definition.role);
    html! {
        table.matrix {
            caption { "What each role may do" }
            thead {
                tr {
                    th scope="col" { "Permission" }
                    @for role in roles { th scope="col" class={ "col-" (role.role().as_str()) } { (role_label(role.role())) } }
                }
            }
            tbody {
                @for row in DocsRow::ALL {
                    tr {
                        th scope="row" { (row.label()) }
                        @for role in roles {
                            @let access = policy::access(row, role.role());
                            td class={ "col-" (role.role().as_str()) } {
                                @match access {
                                    policy::Access::Denied => span aria-label="no" { "—" },
                                    _ => (access.mark()),
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn role_body(csrf: &Csrf, team: &Team, row: &MemberRow, error: Option<&str>) -> Markup {
    let email = row.membership.email.as_str();
    html! {
        p { "Choose " strong { (email) } "'s role. The table shows what each role may do." }
        form method="post" {
            (csrf.field())
            div.picker {
                fieldset aria-describedby=[error.map(|_| "role-error")] {
                    legend { "Role" }
                    @for role in AssignableRole::ALL {
                        @let id = format!("role-{}", role.role().as_str());
                        label for=(id) {
                            input #(id) type="radio" name="role" value=(role.role().as_str()) checked[role.role() == row.role] required;
                            (role_label(role.role()))
                        }
                    }
                }
                (matrix())
            }
            (field_error("role-error", error))
            p { button type="submit" { "Save" } " " a.button.secondary href=(team.path()) { "Cancel" } }
        }
    }
}

async fn role_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, user_id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let (view, row) = view_of(&state, &team, parse_user(&user_id)?).await?;
    // The crate's own refusal for a role change it would not make (the owner's row, a member
    // without members:manage): said where the picker would be.
    let user_id = row.membership.user_id;
    let refusal = AssignableRole::ALL
        .into_iter()
        .map(|role| {
            membership::organization::decide(
                &view,
                Command::ChangeRole { user_id, role: role.role() },
                team.actor(),
                crate::state::now(),
            )
        })
        .find_map(Result::err)
        .filter(|_| {
            !AssignableRole::ALL
                .into_iter()
                .any(|role| allowed(&view, Command::ChangeRole { user_id, role: role.role() }, team.actor()))
        });
    let body = match refusal {
        Some(error) => {
            html! { (alert(&said(&error, &people(&signed_in, Some(&row))))) p { a href=(team.path()) { "Back to members" } } }
        }
        None => role_body(&signed_in.csrf, &team, &row, None),
    };
    Ok(frame(&signed_in, &team, "Change role", StatusCode::OK, &body))
}

async fn change_role(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, user_id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let user_id = parse_user(&user_id)?;
    let role = Role::parse(form.get("role"));
    let outcome = match role {
        Ok(role) => execute(&state, team.organization_id, Command::ChangeRole { user_id, role }, team.actor()).await,
        Err(error) => Err(error.into()),
    };
    match outcome {
        Ok((view, _)) => {
            let row = view.member_row(user_id).ok().flatten();
            let text = row.map_or_else(
                || "The role was changed.".to_owned(),
                |row| format!("{} is now {}.", row.membership.email.as_str(), role_label(row.role)),
            );
            Ok(flash::redirect(&team.path(), &text))
        }
        Err(error) => {
            let (_, row) = view_of(&state, &team, user_id).await?;
            refused(&signed_in, &team, "Change role", (error, Some(&row)), |text| {
                role_body(&form.csrf, &team, &row, Some(text))
            })
        }
    }
}

fn remove_body(csrf: &Csrf, team: &Team, row: &MemberRow, error: Option<&str>) -> Markup {
    html! {
        p { "Remove " strong { (row.membership.email.as_str()) } " from " (team.name) "? They lose access at once; invite them again to bring them back." }
        (confirm(csrf, team, "remove-error", error, &html! {
            button.danger type="submit" aria-describedby=[error.map(|_| "remove-error")] { "Remove from organization" }
        }))
    }
}

async fn remove_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, user_id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let (view, row) = view_of(&state, &team, parse_user(&user_id)?).await?;
    let command = Command::RemoveMember { user_id: row.membership.user_id };
    let body = match membership::organization::decide(&view, command, team.actor(), crate::state::now()) {
        Ok(_) => remove_body(&signed_in.csrf, &team, &row, None),
        Err(error) => {
            html! { (alert(&said(&error, &people(&signed_in, Some(&row))))) p { a href=(team.path()) { "Back to members" } } }
        }
    };
    Ok(frame(&signed_in, &team, "Remove member", StatusCode::OK, &body))
}

async fn remove(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, user_id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let user_id = parse_user(&user_id)?;
    let (_, row) = view_of(&state, &team, user_id).await?;
    match execute(&state, team.organization_id, Command::RemoveMember { user_id }, team.actor()).await {
        Ok(_) => Ok(flash::redirect(&team.path(), &format!("{} was removed.", row.membership.email.as_str()))),
        Err(error) => refused(&signed_in, &team, "Remove member", (error, Some(&row)), |text| {
            remove_body(&form.csrf, &team, &row, Some(text))
        }),
    }
}

/// What the crate says about the viewer leaving, and what they can do instead.
fn leave_body(csrf: &Csrf, team: &Team, refusal: Option<&str>) -> Markup {
    html! {
        @if let Some(refusal) = refusal {
            (alert(refusal))
            p { "You can " a href=(team.path()) { "Transfer ownership" } " to another member from their row's menu first, then leave." }
        } @else {
            p { "Leave " strong { (team.name) } "? You lose access at once; an admin can invite you again." }
            (confirm(csrf, team, "leave-error", None, &html! { button.danger type="submit" { "Leave organization" } }))
        }
    }
}

async fn leave_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(organization_id): Path<String>,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let (view, _) = view_of(&state, &team, team.me).await?;
    let refusal = membership::organization::decide(&view, Command::Leave, team.actor(), crate::state::now())
        .err()
        .map(|error| said(&error, &people(&signed_in, None)));
    let status = if refusal.is_some() { StatusCode::FORBIDDEN } else { StatusCode::OK };
    Ok(frame(&signed_in, &team, "Leave organization", status, &leave_body(&signed_in.csrf, &team, refusal.as_deref())))
}

async fn leave(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(organization_id): Path<String>,
    form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    match execute(&state, team.organization_id, Command::Leave, team.actor()).await {
        Ok(_) => Ok(flash::redirect("/dashboard/organizations", &format!("You left {}.", team.name))),
        Err(error) => refused(&signed_in, &team, "Leave organization", (error, None), |text| {
            leave_body(&form.csrf, &team, Some(text))
        }),
    }
}

fn offer_body(csrf: &Csrf, team: &Team, row: &MemberRow, error: Option<&str>) -> Markup {
    html! {
        p { "Offer ownership of " (team.name) " to " strong { (row.membership.email.as_str()) } "? They see the offer on their members page and accept or decline it. When they accept, you become an admin." }
        (confirm(csrf, team, "offer-error", error, &html! {
            button type="submit" aria-describedby=[error.map(|_| "offer-error")] { "Offer ownership" }
        }))
    }
}

async fn offer_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, user_id)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let (_, row) = view_of(&state, &team, parse_user(&user_id)?).await?;
    Ok(frame(&signed_in, &team, "Transfer ownership", StatusCode::OK, &offer_body(&signed_in.csrf, &team, &row, None)))
}

async fn offer(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, user_id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let to = parse_user(&user_id)?;
    let (_, row) = view_of(&state, &team, to).await?;
    let verification = data::verification(&state.store, to).await?;
    let offer_id = OfferId::new(uuid::Uuid::new_v4());
    let command = Command::OfferOwnership { offer_id, to, verification, ttl: state.settings.ttl };
    match execute(&state, team.organization_id, command, team.actor()).await {
        Ok(_) => Ok(flash::redirect(&team.path(), &format!("Ownership offered to {}.", row.membership.email.as_str()))),
        Err(error) => refused(&signed_in, &team, "Transfer ownership", (error, Some(&row)), |text| {
            offer_body(&form.csrf, &team, &row, Some(text))
        }),
    }
}

/// `accept`, `decline` or `revoke` the pending ownership offer.
async fn answer_offer(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((organization_id, offer_id, action)): Path<(String, String, String)>,
    _form: Posted,
) -> Result<Response, Failure> {
    let team = Team::of(&signed_in, &organization_id)?;
    let offer_id = OfferId::parse(&offer_id).map_err(|_| Failure::NotFound)?;
    let (command, text) = match action.as_str() {
        "accept" => {
            let verification = data::verification(&state.store, team.me).await?;
            (
                Command::AcceptOwnershipOffer { offer_id, verification },
                format!("You are now the owner of {}.", team.name),
            )
        }
        "decline" => (Command::DeclineOwnershipOffer { offer_id }, "You declined the ownership offer.".to_owned()),
        "revoke" => (Command::RevokeOwnershipOffer { offer_id }, "The ownership offer was revoked.".to_owned()),
        _ => return Err(Failure::NotFound),
    };
    execute(&state, team.organization_id, command, team.actor()).await?;
    Ok(flash::redirect(&team.path(), &text))
}
