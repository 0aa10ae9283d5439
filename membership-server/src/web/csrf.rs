//! Cross-site request forgery, refused twice over: every form carries a token that must
//! equal the browser's `membership_csrf` cookie (a cookie another site can neither read nor
//! set alongside a form it posts), and a post the browser marks as coming from another site
//! (`Sec-Fetch-Site`) is refused before it is read.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use maud::{Markup, html};

use super::Failure;

/// The cookie that holds the token.
const COOKIE: &str = "membership_csrf";

/// The form field that carries it.
pub const FIELD: &str = "csrf";

/// The browser's form token: every form of a page carries it, every post must bring it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csrf(String);

impl Csrf {
    /// The hidden field that carries it.
    pub fn field(&self) -> Markup {
        html! { input type="hidden" name=(FIELD) value=(self.0); }
    }

    /// Whether `sent` is this token, compared in time independent of where they differ.
    fn matches(&self, sent: &str) -> bool {
        let (ours, theirs) = (self.0.as_bytes(), sent.as_bytes());
        ours.len() == theirs.len() && ours.iter().zip(theirs).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
    }
}

/// Gives every request of the pages its [`Csrf`] token (the cookie's, or a new one set on
/// the answer), and refuses a post another site sent.
pub async fn layer(mut request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD && cross_site(request.headers()) {
        return Failure::Forgery.into_response();
    }
    let cookie = cookie(request.headers());
    let (token, fresh) = match cookie {
        Some(token) => (token, false),
        None => match super::random_token() {
            Some(token) => (token, true),
            None => return Failure::Internal("no randomness for a form token").into_response(),
        },
    };
    request.extensions_mut().insert(Csrf(token.clone()));
    let mut response = next.run(request).await;
    if fresh {
        let cookie = Cookie::build((COOKIE, token)).path("/").http_only(true).same_site(SameSite::Strict).build();
        if let Ok(value) = cookie.to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Whether the browser says the request comes from another site. Browsers that do not send
/// `Sec-Fetch-Site` are left to the token.
fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|site| !matches!(site, "same-origin" | "none"))
}

/// The token cookie's value, if the request has one that looks like a token.
fn cookie(headers: &HeaderMap) -> Option<String> {
    super::cookie(headers, COOKIE).filter(|token| token.len() == 43 && token.bytes().all(is_token_byte))
}

const fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// A posted form whose token matched: its fields, by name.
#[derive(Debug)]
pub struct Posted {
    fields: Vec<(String, String)>,
    /// The browser's token, to render the answer's forms with.
    pub csrf: Csrf,
}

impl Posted {
    /// The value of field `name` (the first, when sent twice), trimmed; `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.trim())
    }
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Failure> {
        let csrf = request.extensions().get::<Csrf>().cloned().ok_or(Failure::Forgery)?;
        let axum::Form(fields) =
            axum::Form::<Vec<(String, String)>>::from_request(request, state).await.map_err(|_| Failure::BadForm)?;
        let sent = fields.iter().find(|(key, _)| key == FIELD).map(|(_, value)| value.as_str());
        if !sent.is_some_and(|sent| csrf.matches(sent)) {
            return Err(Failure::Forgery);
        }
        Ok(Posted { fields, csrf })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_itself() {
        let token = Csrf("a".repeat(43));
        assert!(token.matches(&"a".repeat(43)));
        assert!(!token.matches(&"b".repeat(43)));
        assert!(!token.matches(&"a".repeat(42)));
        assert!(!token.matches(""));
    }

    #[test]
    fn a_post_from_another_site_is_cross_site() {
        let headers = |site: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("sec-fetch-site", site.parse().unwrap_or_else(|_| header::HeaderValue::from_static("")));
            headers
        };
        assert!(cross_site(&headers("cross-site")));
        assert!(cross_site(&headers("same-site")));
        assert!(!cross_site(&headers("same-origin")));
        assert!(!cross_site(&headers("none")));
        assert!(!cross_site(&HeaderMap::new()));
    }

    #[test]
    fn a_new_token_has_the_cookies_shape() {
        let token = super::super::random_token().unwrap_or_default();
        assert_eq!(token.len(), 43);
        assert!(token.bytes().all(is_token_byte));
    }
}
