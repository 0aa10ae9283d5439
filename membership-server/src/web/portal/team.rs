//! The portal's Team page (CUS-8): the customer's members, and for those the crate lets
//! manage members (owners and billing managers of a team customer) the forms to add one,
//! change a role and remove one. Each control is shown only where a dry run of the crate's
//! command on the customer succeeds; each post runs the portal API's own handlers, so a
//! hand-made post meets the same refusal, in the crate's words.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use membership::customer::{self, Command, Customer, CustomerActor, Member, MemberRole, MemberUpdate};
use membership::policy::PortalCapability;
use membership::wire::{Field, PortalMemberCreateBody, PortalMemberUpdateBody};
use membership::{Email, ErrorKind, MemberId};
use membership_sqlx::StoreError;

use super::{Session, Stop, TEAM, frame};
use crate::error::ApiError;
use crate::routes::members::{add, apply_update, remove};
use crate::state::{AppState, now};
use crate::web::csrf::{Csrf, Posted};
use crate::web::layout::{alert, field_error, notice};
use crate::web::{Failure, capitalized, explain, notice as flash};

/// The routes of the Team page.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(TEAM, get(show))
        .route("/portal/team/add", post(add_member))
        .route("/portal/team/{member_id}/role", post(change_role))
        .route("/portal/team/{member_id}/remove", get(remove_page).post(remove_member))
}

/// A member role as the pages name it.
const fn role_label(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Owner => "Owner",
        MemberRole::BillingManager => "Billing manager",
        MemberRole::Member => "Member",
    }
}

/// Would the crate run `command` by `actor` on `customer` now? A dry run: nothing is stored.
fn allowed(customer: &Customer, command: Command, actor: CustomerActor) -> bool {
    customer::decide(customer, command, actor, now()).is_ok()
}

/// What the viewer may see of the team.
enum Team {
    /// The whole customer: the viewer may manage its members (CUS-8 `ManageMembers`).
    Managed(Customer),
    /// Only the viewer's own profile (every role has `ViewProfile`), and why no more: the
    /// crate's refusal of `ManageMembers` (a plain member, or an individual customer).
    Own { customer: String, me: Option<Member>, refusal: String },
}

/// What the viewer may see, as the crate's portal check decides. A session whose member or
/// customer is gone ends here, with the crate's words.
async fn team(state: &AppState, session: &Session) -> Result<Team, Stop> {
    let (customer_id, actor) = (session.customer_id, session.actor());
    match state.store.check_portal(customer_id, actor, PortalCapability::ManageMembers).await {
        Ok(()) => {
            let customer = state.store.customer(customer_id).await?;
            customer.map(Team::Managed).ok_or(Stop::Expired(None))
        }
        Err(StoreError::Domain(error)) if error.kind() == ErrorKind::Forbidden => {
            // Passing the capability check's first step, the member is active here: their
            // own row and the customer's name are theirs to see.
            let me = state.store.member(customer_id, session.member_id).await?;
            let profile = state.store.customer_profile(customer_id).await?;
            let customer = profile.map(|(_, profile)| customer_name(profile.name.as_ref()));
            Ok(Team::Own { customer: customer.unwrap_or_default(), me, refusal: capitalized(&error.to_string()) })
        }
        // `member_session_invalid` (the member was removed) or `customer_not_found`.
        Err(StoreError::Domain(error)) => Err(Stop::Expired(Some(capitalized(&error.to_string())))),
        Err(error) => Err(error.into()),
    }
}

/// The customer as its pages name it: its name. Not its email, which is often its owner's,
/// and not for a plain member to see.
fn customer_name(name: Option<&membership::Name>) -> String {
    name.map_or_else(|| "Your team".to_owned(), |name| name.as_str().to_owned())
}

fn name_of(customer: &Customer) -> String {
    customer_name(customer.name())
}

/// A refused post, and where its error goes.
#[derive(Debug)]
enum Problem {
    /// The add form: what was typed, the field the crate named (`""`: the form as a whole).
    Add { email: String, name: String, role: String, field: &'static str, text: String },
    /// A row's role change.
    Role { member_id: MemberId, text: String },
}

/// The field an error is about, when it names one of the add form's.
fn add_field(error: &ApiError) -> &'static str {
    match error {
        ApiError::Store(StoreError::Domain(membership::Error::InvalidInput { field, .. }))
            if matches!(*field, "email" | "name" | "role") =>
        {
            field
        }
        ApiError::Store(StoreError::Domain(error)) if error.code() == "owner_role_not_creatable" => "role",
        _ => "",
    }
}

async fn show(State(state): State<AppState>, session: Session, headers: HeaderMap) -> Result<Response, Stop> {
    let text = flash::take(&headers);
    let mut response = render(&state, &session, StatusCode::OK, text.as_deref(), None).await?;
    if text.is_some() {
        flash::clear(&mut response);
    }
    Ok(response)
}

/// The Team page, with `status` and the notice or refused post it shows.
async fn render(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    notice_text: Option<&str>,
    problem: Option<&Problem>,
) -> Result<Response, Stop> {
    let (customer, body) = match team(state, session).await? {
        Team::Managed(customer) => {
            let body = managed_body(&session.csrf, &customer, session.member_id, notice_text, problem);
            (name_of(&customer), body)
        }
        Team::Own { customer, me, refusal } => {
            // A refused post says why; otherwise the page says what the crate refuses here.
            let text = match problem {
                Some(Problem::Add { text, .. } | Problem::Role { text, .. }) => text.clone(),
                None => refusal,
            };
            (customer, own_body(me.as_ref(), notice_text, &text))
        }
    };
    Ok(frame("Team", &customer, &session.csrf, status, &body))
}

/// A plain member's page: the crate's refusal to list the team, and their own profile.
fn own_body(me: Option<&Member>, notice_text: Option<&str>, refusal: &str) -> Markup {
    html! {
        (notice(notice_text))
        (alert(refusal))
        @if let Some(me) = me {
            section.card aria-labelledby="profile-heading" {
                h2 #profile-heading { "Your profile" }
                dl {
                    dt { "Name" } dd { (me.name.as_ref().map_or("—", |name| name.as_str())) }
                    dt { "Email" } dd { (me.email.as_str()) }
                    dt { "Role" } dd { (role_label(me.role)) }
                }
            }
        }
    }
}

/// The manager's page: the add form, and the members with the actions the crate allows.
fn managed_body(
    csrf: &Csrf,
    customer: &Customer,
    me: MemberId,
    notice_text: Option<&str>,
    problem: Option<&Problem>,
) -> Markup {
    let actor = CustomerActor::Portal { member_id: me };
    // Any fresh id and any email do for a dry run of an add: the role is checked first.
    let probe = Email::parse("probe@example.invalid").ok();
    let addable: Vec<MemberRole> = probe.map_or_else(Vec::new, |email| {
        MemberRole::ALL
            .into_iter()
            .filter(|role| {
                let member_id = MemberId::new(uuid::Uuid::nil());
                let command =
                    Command::AddMember { member_id, email: email.clone(), name: None, external_id: None, role: *role };
                allowed(customer, command, actor)
            })
            .collect()
    });
    let mut members = customer.members();
    // The owner first, then by joining: newest members last, where the add form leads.
    members.sort_by_key(|member| (member.role != MemberRole::Owner, member.created_at));
    let manages = !addable.is_empty();
    html! {
        (notice(notice_text))
        @if manages { (add_form(csrf, &addable, problem)) }
        table {
            caption { "Members" }
            thead {
                tr {
                    th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Role" }
                    th scope="col" { "Actions" }
                }
            }
            tbody {
                @for member in &members { (member_row(csrf, customer, member, me, problem)) }
            }
        }
    }
}

fn add_form(csrf: &Csrf, roles: &[MemberRole], problem: Option<&Problem>) -> Markup {
    let (email, name, role, field, text) = match problem {
        Some(Problem::Add { email, name, role, field, text }) => {
            (email.as_str(), name.as_str(), role.as_str(), *field, Some(text.as_str()))
        }
        // Polar's default role for a new member.
        _ => ("", "", MemberRole::Member.as_str(), "", None),
    };
    let error_at = |at: &str| text.filter(|_| field == at);
    let invalid = |at: &str| error_at(at).map(|_| "true");
    let described = |at: &'static str, id: &'static str| error_at(at).map(|_| id);
    html! {
        section.card aria-labelledby="add-heading" {
            h2 #add-heading { "Add a member" }
            form method="post" action="/portal/team/add" {
                (csrf.field())
                div.row {
                    div {
                        label for="add-email" { "Email" }
                        input #add-email type="email" name="email" required autocomplete="off" value=(email)
                            aria-invalid=[invalid("email")] aria-describedby=[described("email", "add-email-error")];
                    }
                    div {
                        label for="add-name" { "Name" }
                        input #add-name type="text" name="name" autocomplete="off" value=(name)
                            aria-invalid=[invalid("name")] aria-describedby=[described("name", "add-name-error")];
                    }
                    div {
                        label for="add-role" { "Role" }
                        select #add-role name="role"
                            aria-invalid=[invalid("role")] aria-describedby=[described("role", "add-role-error")] {
                            @for option in roles {
                                option value=(option.as_str()) selected[option.as_str() == role] { (role_label(*option)) }
                            }
                        }
                    }
                    button type="submit" aria-describedby=[described("", "add-error")] { "Add member" }
                }
                (field_error("add-email-error", error_at("email")))
                (field_error("add-name-error", error_at("name")))
                (field_error("add-role-error", error_at("role")))
                (field_error("add-error", error_at("")))
            }
        }
    }
}

/// One member's row: a role picker where the crate would change the role, a link to remove
/// where it would remove them.
fn member_row(csrf: &Csrf, customer: &Customer, member: &Member, me: MemberId, problem: Option<&Problem>) -> Markup {
    let actor = CustomerActor::Portal { member_id: me };
    let id = member.id;
    let email = member.email.as_str();
    let roles: Vec<MemberRole> = MemberRole::ALL
        .into_iter()
        .filter(|role| {
            *role == member.role || {
                let update = MemberUpdate { role: Some(*role), ..MemberUpdate::default() };
                allowed(customer, Command::UpdateMember { member_id: id, update }, actor)
            }
        })
        .collect();
    let removable = allowed(customer, Command::DeleteMember { member_id: id }, actor);
    let error = match problem {
        Some(Problem::Role { member_id, text }) if *member_id == id => Some(text.as_str()),
        _ => None,
    };
    let select_id = format!("role-{id}");
    let error_id = format!("role-{id}-error");
    html! {
        tr {
            td { (member.name.as_ref().map_or("—", |name| name.as_str())) }
            td.you[id == me] { (email) @if id == me { " (you)" } }
            td {
                @if roles.len() > 1 {
                    form.inline method="post" action={ "/portal/team/" (id) "/role" } {
                        (csrf.field())
                        select id=(select_id) name="role" aria-label={ "Role of " (email) }
                            aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] {
                            @for role in &roles {
                                option value=(role.as_str()) selected[*role == member.role] {
                                    (role_label(*role))
                                    @if *role == MemberRole::Owner && member.role != MemberRole::Owner { " (transfer ownership)" }
                                }
                            }
                        }
                        " "
                        button.secondary type="submit" aria-label={ "Save the role of " (email) } { "Save" }
                        (field_error(&error_id, error))
                    }
                } @else {
                    (role_label(member.role))
                    // A hand-made change the crate refused, on a row that offers none.
                    (field_error(&error_id, error))
                }
            }
            td {
                @if removable {
                    a href={ "/portal/team/" (id) "/remove" } aria-label={ "Remove " (email) } { "Remove" }
                }
            }
        }
    }
}

async fn add_member(State(state): State<AppState>, session: Session, form: Posted) -> Result<Response, Stop> {
    let mut body = PortalMemberCreateBody::default();
    body.email = Field::Text(form.get("email").to_owned());
    body.name = Field::Text(form.get("name").to_owned());
    body.role = Field::Text(form.get("role").to_owned());
    let member_id = MemberId::new(uuid::Uuid::new_v4());
    let outcome = match session.require_write().and_then(|()| Ok(body.into_command(member_id)?)) {
        Ok(command) => add(&state, session.customer_id, command, session.actor()).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(member) => {
            let email = member.email.as_str();
            let text = if member.id == member_id {
                format!("{email} was added as {}.", role_label(member.role))
            } else {
                // CUS-3: an active member already has this email; nothing changed.
                format!("{email} is already a member ({}).", role_label(member.role))
            };
            Ok(flash::redirect(TEAM, &text))
        }
        Err(error) if error.status().is_client_error() => {
            let problem = Problem::Add {
                email: form.get("email").to_owned(),
                name: form.get("name").to_owned(),
                role: form.get("role").to_owned(),
                field: add_field(&error),
                text: explain(&error),
            };
            render(&state, &session, error.status(), None, Some(&problem)).await
        }
        Err(error) => Err(error.into()),
    }
}

fn member_id(text: &str) -> Result<MemberId, Stop> {
    MemberId::parse(text).map_err(|_| Stop::Failure(Failure::NotFound))
}

async fn change_role(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, Stop> {
    let member_id = member_id(&id)?;
    let mut body = PortalMemberUpdateBody::default();
    body.role = Field::Text(form.get("role").to_owned());
    let outcome = match session.require_write().and_then(|()| Ok(body.into_update()?)) {
        Ok(update) => apply_update(&state, session.customer_id, member_id, update, session.actor()).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(member) => {
            let email = member.email.as_str();
            let text = if member.role == MemberRole::Owner {
                format!("{email} is now the owner; you are now a billing manager.")
            } else {
                format!("{email} is now {}.", role_label(member.role))
            };
            Ok(flash::redirect(TEAM, &text))
        }
        Err(error) if error.status().is_client_error() => {
            let problem = Problem::Role { member_id, text: explain(&error) };
            render(&state, &session, error.status(), None, Some(&problem)).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The confirmation page, or the crate's refusal (and no button) when it would not remove
/// this member; `error` is a refused post's.
async fn remove_view(
    state: &AppState,
    session: &Session,
    member_id: MemberId,
    error: Option<&ApiError>,
) -> Result<Response, Stop> {
    let customer = state.store.customer(session.customer_id).await?.ok_or(Stop::Expired(None))?;
    let decided = customer::decide(&customer, Command::DeleteMember { member_id }, session.actor(), now());
    let refusal = match (error, decided) {
        (Some(error), _) => Some((error.status(), explain(error))),
        (None, Err(error)) => {
            let error = ApiError::from(error);
            Some((error.status(), explain(&error)))
        }
        (None, Ok(_)) => None,
    };
    let target = customer.member(member_id);
    let body = if let (None, Some(target)) = (&refusal, &target) {
        html! {
            p { "Remove " strong { (target.email.as_str()) } " from " (name_of(&customer)) "? They lose access to what the team bought at once." }
            form method="post" {
                (session.csrf.field())
                button.danger type="submit" { "Remove member" }
                " "
                a.button.secondary href=(TEAM) { "Cancel" }
            }
        }
    } else {
        html! {
            (alert(refusal.as_ref().map_or("This member can't be removed.", |(_, text)| text.as_str())))
            p { a href=(TEAM) { "Back to the team" } }
        }
    };
    let status = refusal.map_or(StatusCode::OK, |(status, _)| status);
    Ok(frame("Remove member", &name_of(&customer), &session.csrf, status, &body))
}

async fn remove_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, Stop> {
    remove_view(&state, &session, member_id(&id)?, None).await
}

async fn remove_member(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    _form: Posted,
) -> Result<Response, Stop> {
    let member_id = member_id(&id)?;
    let before = state.store.member(session.customer_id, member_id).await?;
    let outcome = match session.require_write() {
        Ok(()) => remove(&state, session.customer_id, member_id, session.actor()).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(_) => {
            let text = before.map_or_else(
                || "The member was removed.".to_owned(),
                |member| format!("{} was removed.", member.email.as_str()),
            );
            Ok(flash::redirect(TEAM, &text))
        }
        Err(error) if error.status().is_client_error() => remove_view(&state, &session, member_id, Some(&error)).await,
        Err(error) => Err(error.into()),
    }
}
