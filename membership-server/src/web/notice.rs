//! The one-line notice a page shows after a change went through: carried across the
//! redirect in a short-lived cookie (so no address carries text a page would show), read
//! and cleared by the next page.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

const COOKIE: &str = "membership_notice";

/// A redirect to `to` whose page will say `text`.
pub fn redirect(to: &str, text: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    let value: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    let cookie = format!("{COOKIE}={value}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The notice the request carries, if any.
pub fn take(headers: &HeaderMap) -> Option<String> {
    let value = super::cookie(headers, COOKIE)?;
    let query = format!("n={value}");
    form_urlencoded::parse(query.as_bytes()).next().map(|(_, text)| text.into_owned()).filter(|text| !text.is_empty())
}

/// Clears the notice on `response`, once its page has shown it.
pub fn clear(response: &mut Response) {
    let cookie = format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_survives_the_redirect_word_for_word() {
        let response = redirect("/x", "Invitation sent to ada+1@example.com; see below.");
        let set = response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let pair = set.split(';').next().unwrap_or_default();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap_or(HeaderValue::from_static("")));
        assert_eq!(take(&headers).as_deref(), Some("Invitation sent to ada+1@example.com; see below."));
    }
}
