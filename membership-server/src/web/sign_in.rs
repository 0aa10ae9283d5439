//! Signing in with an emailed code (the API's login code, behind two forms), and out.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use maud::{Markup, html};
use membership::Email;
use serde::Deserialize;

use super::Failure;
use super::csrf::{Csrf, Posted};
use super::layout::{Header, field_error, page};
use super::session::{self, SignedIn};
use crate::error::ApiError;
use crate::routes::login_code::{redeem, send_code};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(request))
        .route("/login/code", post(authenticate))
        .route("/logout", post(sign_out))
}

/// Where to go after signing in: a path of this service only (never another site), the
/// dashboard otherwise.
fn next_path(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    if local { next } else { "/dashboard" }
}

#[derive(Debug, Deserialize)]
struct Next {
    #[serde(default)]
    next: String,
}

async fn form(Extension(csrf): Extension<Csrf>, Query(query): Query<Next>) -> Markup {
    email_page(&csrf, next_path(&query.next), "", None)
}

/// The first form: the address to mail a code to.
fn email_page(csrf: &Csrf, next: &str, email: &str, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Sign in" }
        p { "We'll email you a code. Your account is created the first time you sign in." }
        form method="post" action="/login" {
            (csrf.field())
            input type="hidden" name="next" value=(next);
            div.field {
                label for="email" { "Email" }
                input #email type="email" name="email" required autocomplete="email" value=(email)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "email-error")];
                (field_error("email-error", error))
            }
            button type="submit" { "Send code" }
        }
    };
    page("Sign in", &Header::Plain, &body)
}

/// The second form: the code that was mailed.
fn code_page(csrf: &Csrf, next: &str, email: &Email, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Check your email" }
        p { "We sent a sign-in code to " strong { (email.as_str()) } ". It works once, for " (crate::login_code::LIFETIME.num_minutes()) " minutes." }
        form method="post" action="/login/code" {
            (csrf.field())
            input type="hidden" name="next" value=(next);
            input type="hidden" name="email" value=(email.as_str());
            div.field {
                label for="code" { "Code" }
                input #code type="text" name="code" required autocomplete="one-time-code" autocapitalize="characters"
                    spellcheck="false" aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "code-error")];
                (field_error("code-error", error))
            }
            button type="submit" { "Sign in" }
        }
        p { a href={ "/login?next=" (next) } { "Use another email" } }
    };
    page("Check your email", &Header::Plain, &body)
}

async fn request(State(state): State<AppState>, form: Posted) -> Result<Response, Failure> {
    let next = next_path(form.get("next"));
    let email = match Email::parse(form.get("email")) {
        Ok(email) => email,
        Err(error) => {
            let text = super::capitalized(&error.to_string());
            let page = email_page(&form.csrf, next, form.get("email"), Some(&text));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    send_code(&state, &email).await?;
    Ok(code_page(&form.csrf, next, &email, None).into_response())
}

async fn authenticate(State(state): State<AppState>, form: Posted) -> Result<Response, Failure> {
    let next = next_path(form.get("next"));
    let Ok(email) = Email::parse(form.get("email")) else {
        return Ok(email_page(&form.csrf, next, form.get("email"), Some("Enter your email again.")).into_response());
    };
    match redeem(&state, &email, &form.get("code").to_ascii_uppercase()).await {
        Ok(user) => {
            let mut response = Redirect::to(next).into_response();
            session::start(&state, user.id, &mut response).await?;
            Ok(response)
        }
        Err(ApiError::LoginCodeRefused) => {
            let error =
                "This code is wrong, used or expired. Check the latest email, or use another email to get a new code.";
            Ok((StatusCode::UNPROCESSABLE_ENTITY, code_page(&form.csrf, next, &email, Some(error))).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

async fn sign_out(State(state): State<AppState>, signed_in: SignedIn, _form: Posted) -> Result<Response, Failure> {
    let mut response = Redirect::to("/login").into_response();
    session::end(&state, &signed_in.token_hash, &mut response).await?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::next_path;

    #[test]
    fn after_sign_in_only_a_path_of_this_service_is_followed() {
        assert_eq!(next_path("/dashboard/organizations"), "/dashboard/organizations");
        assert_eq!(next_path("/join/a/b"), "/join/a/b");
        assert_eq!(next_path("https://evil.example"), "/dashboard");
        assert_eq!(next_path("//evil.example"), "/dashboard");
        assert_eq!(next_path("/\\evil.example"), "/dashboard");
        assert_eq!(next_path(""), "/dashboard");
    }
}
