//! The organization picker: every organization the user belongs to with their role there,
//! and the one they chose, remembered by their session.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use membership::OrganizationId;

use super::Failure;
use super::csrf::Posted;
use super::layout::{Header, page, role_label};
use super::session::SignedIn;
use crate::data;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/dashboard", get(dashboard))
        .route("/dashboard/organizations", get(list))
        .route("/dashboard/organizations/select", post(select))
}

/// The members page of `organization_id`.
pub fn members_path(organization_id: OrganizationId) -> String {
    format!("/dashboard/{organization_id}/settings/members")
}

/// The chosen organization's members page, or the picker when none is chosen (or the
/// chosen one was left since).
async fn dashboard(signed_in: SignedIn) -> Redirect {
    match signed_in.chosen.filter(|id| signed_in.role_in(*id).is_some()) {
        Some(id) => Redirect::to(&members_path(id)),
        None => match signed_in.organizations.as_slice() {
            [(only, _, _)] => Redirect::to(&members_path(*only)),
            _ => Redirect::to("/dashboard/organizations"),
        },
    }
}

async fn list(signed_in: SignedIn) -> Response {
    let body = html! {
        h1 { "Organizations" }
        @if signed_in.organizations.is_empty() {
            p { "You don't belong to any organization yet. Ask a team's admin to invite you, then open the link in the email." }
        } @else {
            table {
                caption { "Your organizations" }
                thead { tr { th scope="col" { "Organization" } th scope="col" { "Your role" } th scope="col" { span.visually-hidden { "Open" } } } }
                tbody {
                    @for (id, name, role) in &signed_in.organizations {
                        tr {
                            td { (name) }
                            td { (role_label(*role)) }
                            td {
                                form method="post" action="/dashboard/organizations/select" {
                                    (signed_in.csrf.field())
                                    input type="hidden" name="organization_id" value=(id);
                                    button type="submit" aria-label={ "Open " (name) } { "Open" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page("Organizations", &Header::Dashboard(&signed_in.chrome(None)), &body).into_response()
}

/// Remembers the organization chosen and opens its members page; one the user does not
/// belong to is not found.
async fn select(State(state): State<AppState>, signed_in: SignedIn, form: Posted) -> Result<Redirect, Failure> {
    let id = OrganizationId::parse(form.get("organization_id")).map_err(|_| Failure::NotFound)?;
    if signed_in.role_in(id).is_none() {
        return Err(Failure::NotFound);
    }
    data::choose_organization(&state.store, &signed_in.token_hash, id).await?;
    Ok(Redirect::to(&members_path(id)))
}
