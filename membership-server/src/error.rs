//! Every answer that is not a success: Polar's JSON body with Polar's status, built from the
//! crate's `Error` wherever a rule spoke, and from the server's own few cases (auth, routing,
//! body limits) otherwise. Nothing here answers plain text.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use membership::wire::{PolarErrorBody, ValidationIssue};
use membership_sqlx::StoreError;

use crate::auth::Scope;

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// The store or a rule refused: the crate's error decides status and body.
    Store(StoreError),
    /// The server itself failed (a handler panicked): 500, details in the log only.
    Internal(&'static str),
    /// No bearer token, or one the server does not know (401).
    Unauthenticated(&'static str),
    /// A token without the scope the route needs (403).
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
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            ApiError::AmbiguousExternalCustomer => StatusCode::CONFLICT,
            ApiError::NotFound(_) | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
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
            ApiError::InsufficientScope(_) => "insufficient_scope",
            ApiError::AmbiguousExternalCustomer => "ambiguous_external_customer_id",
            ApiError::NotFound(_) => "not_found",
            ApiError::RouteNotFound => "route_not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::Malformed(_) => "invalid_input",
        }
    }

    /// Polar's body for this error.
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
            ApiError::InsufficientScope(scope) => plain(
                "InsufficientScope",
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
            ApiError::Malformed(issue) => {
                PolarErrorBody::Validation { error: "RequestValidationError".into(), detail: vec![issue.clone()] }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), error = ?self, "request failed");
        } else {
            tracing::debug!(code = self.code(), status = status.as_u16(), "request refused");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let ApiError::Store(error) = &self
            && let Some(wait) = error.retry_after()
        {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
