//! The frame every page shares: the document, the signed-in header with the organization
//! picker and sign-out, notices, and the small pieces forms repeat (the CSRF field, an error
//! under a control).

use maud::{DOCTYPE, Markup, html};
use membership::{OrganizationId, Role};

use super::csrf::Csrf;

/// What the header of a signed-in page shows.
#[derive(Debug)]
pub struct Chrome<'a> {
    /// The signed-in user's email.
    pub email: &'a str,
    /// Every organization the user belongs to: id, name and the user's role there.
    pub organizations: &'a [(OrganizationId, String, Role)],
    /// The organization the page is about, if any.
    pub current: Option<OrganizationId>,
    /// The form token.
    pub csrf: &'a Csrf,
}

/// What a page's header holds besides the name of the service.
#[derive(Debug)]
pub enum Header<'a> {
    /// Nothing: sign-in, and pages for whoever is not signed in.
    Plain,
    /// A signed-in dashboard user's: the organization picker and sign-out.
    Dashboard(&'a Chrome<'a>),
    /// A customer portal member's: their customer and sign-out.
    Portal {
        /// The customer's name.
        customer: &'a str,
        /// The form token.
        csrf: &'a Csrf,
    },
}

/// A whole page: `title` in the tab, `body` with its own `h1`.
pub fn page(title: &str, header: &Header<'_>, body: &Markup) -> Markup {
    let home = if matches!(header, Header::Portal { .. }) { "/portal/team" } else { "/dashboard" };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Membership" }
                link rel="stylesheet" href=(super::STYLESHEET);
            }
            body {
                header {
                    a.brand href=(home) { "Membership" }
                    @match header {
                        Header::Plain => {},
                        Header::Dashboard(chrome) => (dashboard_header(chrome)),
                        Header::Portal { customer, csrf } => {
                            form method="post" action="/portal/sign-out" {
                                (csrf.field())
                                span.muted { (customer) " · Customer portal" }
                                button.secondary type="submit" { "Sign out" }
                            }
                        },
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The organization picker and the sign-out button.
fn dashboard_header(chrome: &Chrome<'_>) -> Markup {
    html! {
        @if !chrome.organizations.is_empty() {
            form method="post" action="/dashboard/organizations/select" {
                (chrome.csrf.field())
                label for="organization-picker" { "Organization" }
                select id="organization-picker" name="organization_id" {
                    @for (id, name, role) in chrome.organizations {
                        option value=(id) selected[chrome.current == Some(*id)] { (name) " — " (role_label(*role)) }
                    }
                }
                button.secondary type="submit" { "Switch" }
            }
        }
        form method="post" action="/logout" {
            (chrome.csrf.field())
            span.muted { (chrome.email) }
            button.secondary type="submit" { "Sign out" }
        }
    }
}

/// A role as the pages name it.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
        Role::Finance => "Finance",
        Role::Member => "Member",
    }
}

/// A notice at the top of a page (`role="status"`), after a change went through.
pub fn notice(text: Option<&str>) -> Markup {
    html! { @if let Some(text) = text { p.notice role="status" { (text) } } }
}

/// The error under a control, which names it with `aria-describedby`.
pub fn field_error(id: &str, error: Option<&str>) -> Markup {
    html! { @if let Some(error) = error { p.error id=(id) role="alert" { (error) } } }
}

/// A refusal in a box of its own (`role="alert"`).
pub fn alert(text: &str) -> Markup {
    html! { p.alert role="alert" { (text) } }
}
