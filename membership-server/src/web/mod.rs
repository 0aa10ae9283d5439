//! The web pages (issue 19): sign-in by emailed code, the organization picker, Settings →
//! Members, the invitation's join link and the customer portal's Team page. Server-rendered
//! HTML (maud, checked at compile time), no script: every action is a plain form post
//! answered by a redirect, or by the page again with the error next to its control.
//!
//! Every page asks the crate what the viewer may do and shows only that; every post runs
//! the crate's command, which refuses what the page would have hidden.

mod csrf;
mod join;
mod layout;
mod member_actions;
mod members;
mod notice;
mod organizations;
mod portal;
mod session;
mod sign_in;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Router, middleware};
use maud::html;
use membership_sqlx::StoreError;

use crate::error::ApiError;
use crate::state::AppState;

pub use session::SESSION_LIFETIME;

/// Where the stylesheet is served.
const STYLESHEET: &str = "/assets/app.css";

/// The pages' routes, with the form-token layer and the headers every page carries.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::router())
        .merge(organizations::router())
        .merge(members::router())
        .merge(member_actions::router())
        .merge(join::router())
        .merge(portal::router())
        .route(STYLESHEET, get(stylesheet))
        .layer(middleware::from_fn(csrf::layer))
        .layer(middleware::map_response(secure_headers))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=300")],
        include_str!("../../assets/app.css"),
    )
}

/// No script runs, no other site frames a page, forms post only here, and an address
/// with a token in it is not sent on as a referrer.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A new secret for a cookie: 256 random bits, base64url (43 characters). `None` when the
/// system has no randomness to give.
fn random_token() -> Option<String> {
    use base64::Engine;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret))
}

/// The value of cookie `name` in the request, if it has it.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Why a page could not be shown: answered as a page, never as JSON.
#[derive(Debug)]
pub enum Failure {
    /// No session: to sign-in, back here afterwards.
    SignIn(String),
    /// A form without the browser's token, or posted from another site (403).
    Forgery,
    /// A form that could not be read (400).
    BadForm,
    /// Nothing here (404).
    NotFound,
    /// The server failed (500; the details are logged).
    Internal(&'static str),
    /// The store, a rule or the server refused (its status; a rule's own words).
    Api(ApiError),
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure::Api(error)
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Api(error.into())
    }
}

impl From<membership::Error> for Failure {
    fn from(error: membership::Error) -> Self {
        Failure::Api(error.into())
    }
}

/// What a person is told about `error`: the crate's sentence for a rule, the service's
/// otherwise.
fn explain(error: &ApiError) -> String {
    match error {
        ApiError::Store(StoreError::Domain(error)) => capitalized(&error.to_string()),
        other => match other.body() {
            membership::wire::PolarErrorBody::Plain { detail, .. } => detail,
            membership::wire::PolarErrorBody::Validation { detail, .. } => {
                detail.first().map_or_else(|| "The request was not valid.".to_owned(), |issue| issue.msg.clone())
            }
        },
    }
}

/// `text` with each user it names by id (user and the id in backticks, as the crate's
/// sentences do) named by email instead, for the `people` a page knows: "owner@example.com is the owner and
/// can't leave" reads better to a person than a UUID.
fn naming(text: &str, people: &[(membership::UserId, &str)]) -> String {
    people.iter().fold(text.to_owned(), |text, (id, email)| {
        text.replace(&format!("User `{id}`"), email).replace(&format!("user `{id}`"), email)
    })
}

/// `text` with its first letter capitalized: the crate's sentences start in lower case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            Failure::SignIn(next) => {
                let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &next).finish();
                return Redirect::to(&format!("/login?{query}")).into_response();
            }
            Failure::Forgery => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form has expired or was sent from another site. Go back, reload the page and try again."
                    .to_owned(),
            ),
            Failure::BadForm => (
                StatusCode::BAD_REQUEST,
                "Form not readable",
                "The form could not be read. Go back, reload the page and try again.".to_owned(),
            ),
            Failure::NotFound => {
                (StatusCode::NOT_FOUND, "Not found", "There is nothing here. Check the address.".to_owned())
            }
            Failure::Internal(what) => {
                tracing::error!(what, "a page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server failed; try again later.".to_owned(),
                )
            }
            Failure::Api(error) => {
                let status = error.status();
                if status.is_server_error() {
                    tracing::error!(code = error.code(), ?error, "a page failed");
                }
                let title = if status == StatusCode::FORBIDDEN { "Not allowed" } else { "Something went wrong" };
                (status, title, explain(&error))
            }
        };
        let body = html! {
            h1 { (title) }
            (layout::alert(&text))
            p { a href="/dashboard" { "Back to the dashboard" } }
        };
        (status, layout::page(title, &layout::Header::Plain, &body)).into_response()
    }
}
