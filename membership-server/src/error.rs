//! Every answer that is not a success: Polar's JSON body with Polar's status, built from the
//! crate's `Error` wherever a rule spoke, and from the server's own few cases (auth, routing,
//! limits) otherwise. Token and scope failures answer as Polar does, in RFC 6750's shape
//! (`{"error": "invalid_token", "error_description": …}` and a `WWW-Authenticate` saying
//! the same). Nothing here answers plain text.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use membership::wire::{PolarErrorBody, ValidationIssue};
use membership_sqlx::StoreError;
use serde_json::json;

use crate::auth::Scope;

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// The store or a rule refused: the crate's error decides status and body.
    Store(StoreError),
    /// The server itself failed (a handler panicked): 500, details in the log only.
    Internal(&'static str),
    /// No bearer token, or a token of the wrong kind for the route (401, Polar's
    /// `Unauthorized`, `WWW-Authenticate` naming only the realm as RFC 6750 asks).
    Unauthenticated(&'static str),
    /// A login code that is wrong, expired, used or void after too many tries (401, as
    /// Polar's `LoginCodeInvalidOrExpired`); which of these is not said.
    LoginCodeRefused,
    /// A bearer token the server does not know: unknown, revoked or expired (401, RFC 6750
    /// `invalid_token`).
    InvalidToken,
    /// A token without the scope the route needs (403, RFC 6750 `insufficient_scope`).
    InsufficientScope(Scope),
    /// More than one live customer has this external id (409, as Polar).
    AmbiguousExternalCustomer,
    /// What the path names does not exist, outside the crate's own errors (404).
    NotFound(&'static str),
    /// No route has this path (404).
    RouteNotFound,
    /// The path exists, the method does not (405).
    MethodNotAllowed,
    /// The body is over the limit (413).
    PayloadTooLarge,
    /// The headers or the body did not arrive within their time (408); the connection is
    /// closed after the answer.
    RequestTimeout,
    /// The request line's target is over the limit (414).
    UriTooLong,
    /// The headers are over the limit, in bytes or in number (431).
    HeadersTooLarge,
    /// The request could not be read as HTTP (400); the connection is closed after the
    /// answer.
    BadRequest,
    /// The server holds as many connections or requests as it is allowed (503 with
    /// `Retry-After`).
    Overloaded,
    /// The body or query could not be read as the route's shape (422, in `FastAPI`'s form).
    Malformed(ValidationIssue),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::Store(error)
    }
}

impl From<membership::Error> for ApiError {
    fn from(error: membership::Error) -> Self {
        ApiError::Store(StoreError::Domain(error))
    }
}

impl ApiError {
    /// A 422 about the request as a whole (`loc` `["body"]` and the like), FastAPI-style.
    pub(crate) fn malformed(kind: &str, loc: &[&str], msg: impl Into<String>) -> Self {
        ApiError::Malformed(ValidationIssue {
            kind: kind.to_owned(),
            loc: loc.iter().map(|part| (*part).to_owned()).collect(),
            msg: msg.into(),
            input: None,
        })
    }

    /// The status this error answers with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Store(error) => StatusCode::from(error.polar_status()),
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthenticated(_) | ApiError::InvalidToken | ApiError::LoginCodeRefused => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            ApiError::AmbiguousExternalCustomer => StatusCode::CONFLICT,
            ApiError::NotFound(_) | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::BadRequest => StatusCode::BAD_REQUEST,
            ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Malformed(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// The stable code logged with the error: the crate's code, or the server's own.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Store(error) => error.code(),
            ApiError::Internal(_) => "internal_error",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::InvalidToken => "invalid_token",
            ApiError::LoginCodeRefused => "login_code_invalid_or_expired",
            ApiError::InsufficientScope(_) => "insufficient_scope",
            ApiError::AmbiguousExternalCustomer => "ambiguous_external_customer_id",
            ApiError::NotFound(_) => "not_found",
            ApiError::RouteNotFound => "route_not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::UriTooLong => "uri_too_long",
            ApiError::HeadersTooLarge => "headers_too_large",
            ApiError::BadRequest => "bad_request",
            ApiError::Overloaded => "overloaded",
            ApiError::Malformed(_) => "invalid_input",
        }
    }

    /// The JSON body for this error: Polar's `{"error", "detail"}` shape, or RFC 6750's
    /// `{"error", "error_description"}` for token and scope failures, as Polar answers them.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        let oauth = |error: &str, description: &str| json!({ "error": error, "error_description": description });
        match self {
            ApiError::InvalidToken => oauth("invalid_token", INVALID_TOKEN),
            ApiError::InsufficientScope(_) => oauth("insufficient_scope", INSUFFICIENT_SCOPE),
            _ => {
                let mut body =
                    serde_json::to_value(self.body()).unwrap_or_else(|_| json!({ "error": "InternalServerError" }));
                // A 422's issues say which rule refused (docs/rules.md#errors' code) in Pydantic's free-form
                // `ctx`, which Polar's `ValidationError` schema and its SDKs accept: `type` stays
                // Pydantic's kind, and a client (or schemathesis) can tell `invalid_input` from,
                // say, `member_email_taken` without parsing the sentence.
                if let Some(issues) = body.get_mut("detail").and_then(serde_json::Value::as_array_mut) {
                    for issue in issues.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                        issue.insert("ctx".to_owned(), json!({ "code": self.code() }));
                    }
                }
                body
            }
        }
    }

    /// The `WWW-Authenticate` challenge of a 401 or 403, as Polar writes it (authlib's RFC
    /// 6750 errors with realm `polar`).
    #[must_use]
    pub fn challenge(&self) -> Option<String> {
        let realm = format!("Bearer realm=\"{REALM}\"");
        match self {
            ApiError::InvalidToken => {
                Some(format!("{realm}, error=\"invalid_token\", error_description=\"{INVALID_TOKEN}\""))
            }
            ApiError::InsufficientScope(scope) => Some(format!(
                "{realm}, scope=\"{}\", error=\"insufficient_scope\", error_description=\"{INSUFFICIENT_SCOPE}\"",
                scope.granted_by()
            )),
            // A login code is no bearer token: nothing to challenge.
            ApiError::LoginCodeRefused => None,
            _ if self.status() == StatusCode::UNAUTHORIZED => Some(realm),
            _ => None,
        }
    }

    /// Polar's `{"error", "detail"}` body for this error (token and scope failures answer
    /// [`ApiError::json`]'s RFC 6750 shape instead; this is their `detail` form for logs).
    #[must_use]
    pub fn body(&self) -> PolarErrorBody {
        let plain = |error: &str, detail: String| PolarErrorBody::Plain { error: error.to_owned(), detail };
        match self {
            ApiError::Store(StoreError::Domain(error)) => error.polar_body(),
            ApiError::Store(StoreError::Unavailable(_)) => plain(
                "ServiceUnavailable",
                "The database cannot serve this request now; retry after the number of seconds in \
                 Retry-After."
                    .into(),
            ),
            // The details of a database failure are for the log, not the client.
            ApiError::Store(_) | ApiError::Internal(_) => {
                plain("InternalServerError", "The server failed; retry the request later.".into())
            }
            ApiError::Unauthenticated(detail) => plain("Unauthorized", (*detail).to_owned()),
            ApiError::InvalidToken => plain("invalid_token", INVALID_TOKEN.to_owned()),
            ApiError::LoginCodeRefused => plain(
                "LoginCodeInvalidOrExpired",
                "This login code is invalid or has expired; request a new one at POST /v1/login-code/request.".into(),
            ),
            ApiError::InsufficientScope(scope) => plain(
                "insufficient_scope",
                format!("This token lacks the `{}` scope; create a token that has it.", scope.as_str()),
            ),
            ApiError::AmbiguousExternalCustomer => plain(
                "AmbiguousExternalCustomerID",
                "More than one customer has this external id; address the customer by its id instead.".into(),
            ),
            ApiError::NotFound(detail) => plain("ResourceNotFound", (*detail).to_owned()),
            ApiError::RouteNotFound => {
                plain("ResourceNotFound", "No route has this path; see the API reference.".into())
            }
            ApiError::MethodNotAllowed => {
                plain("MethodNotAllowed", "This path does not take this method; see the API reference.".into())
            }
            ApiError::PayloadTooLarge => {
                plain("PayloadTooLarge", "The body is over 64 KiB; member requests are far smaller.".into())
            }
            ApiError::RequestTimeout => plain(
                "RequestTimeout",
                "The request's headers or body did not arrive in time; send the whole request again.".into(),
            ),
            ApiError::UriTooLong => {
                plain("URITooLong", "The request's URI is over the limit; send a shorter path and query.".into())
            }
            ApiError::HeadersTooLarge => plain(
                "RequestHeaderFieldsTooLarge",
                "The request's headers are over the limit; send fewer or smaller headers.".into(),
            ),
            ApiError::BadRequest => {
                plain("BadRequest", "The request is not valid HTTP/1.1; check the request line and headers.".into())
            }
            ApiError::Overloaded => plain(
                "ServiceUnavailable",
                "The server is at its limit of connections or requests; retry after the number of seconds \
                 in Retry-After."
                    .into(),
            ),
            ApiError::Malformed(issue) => {
                PolarErrorBody::Validation { error: "RequestValidationError".into(), detail: vec![issue.clone()] }
            }
        }
    }

    /// How long the client should wait before retrying, when the answer says so.
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Store(error) => error.retry_after().map(|wait| wait.as_secs().max(1)),
            ApiError::Overloaded => Some(OVERLOADED_RETRY_AFTER),
            _ => None,
        }
    }

    /// Whether the connection is closed after this answer: a request whose bytes stopped
    /// arriving or could not be read leaves the connection in an unknown state.
    #[must_use]
    pub fn closes_connection(&self) -> bool {
        matches!(self, ApiError::RequestTimeout | ApiError::BadRequest)
    }
}

/// The realm of Polar's `WWW-Authenticate` challenges.
const REALM: &str = "polar";
/// authlib's description of `invalid_token`, which Polar answers.
const INVALID_TOKEN: &str = "The access token provided is expired, revoked, malformed, or invalid for other reasons.";
/// Polar's description of `insufficient_scope`.
const INSUFFICIENT_SCOPE: &str = "The request requires higher privileges than provided by the access token.";
/// `Retry-After` of a 503 for a full server, in seconds: requests finish in milliseconds.
const OVERLOADED_RETRY_AFTER: u64 = 1;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, ApiError::Overloaded) {
            tracing::error!(code = self.code(), error = ?self, "request failed");
        } else {
            tracing::debug!(code = self.code(), status = status.as_u16(), "request refused");
        }
        let mut response = (status, Json(self.json())).into_response();
        let headers = response.headers_mut();
        if let Some(wait) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
        }
        if let Some(challenge) = self.challenge().and_then(|text| HeaderValue::try_from(text).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if self.closes_connection() {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
