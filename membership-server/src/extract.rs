//! Reading requests into the crate's types, so that every refusal is Polar's JSON: path
//! ids, query strings, and JSON bodies (at most 64 KiB, within the body's deadline). Bodies and paths are parsed only
//! when the handler asks, after the token and its scope were checked, so a bad token is a
//! 401 whatever else is wrong.

use std::borrow::Cow;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use membership::wire::{Field, ListQuery, Paging};
use membership::{Error, Location};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::limits::BodyDeadline;

/// The most a request body may hold.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The path's parameters, parsed one by one with [`PathParams::parse`]: the router's own
/// percent-decoded values, looked up by name (a route has two at most), never copied into a
/// map.
#[derive(Debug)]
pub struct PathParams(RawPathParams);

impl PathParams {
    /// The parameter `name`, parsed with `parse`; a refusal names it at `["path", name]`.
    ///
    /// # Errors
    ///
    /// `invalid_input` when it is missing or does not parse.
    pub fn parse<T>(&self, name: &'static str, parse: impl FnOnce(&str) -> Result<T, Error>) -> Result<T, ApiError> {
        let at_path = |reason: Cow<'static, str>| Error::InvalidInput { location: Location::Path, field: name, reason };
        let text = self
            .0
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value))
            .ok_or_else(|| at_path("is required".into()))?;
        parse(text).map_err(|error| {
            let reason = match error {
                Error::InvalidInput { reason, .. } => reason,
                other => other.to_string().into(),
            };
            ApiError::from(at_path(reason))
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        RawPathParams::from_request_parts(parts, state)
            .await
            .map(PathParams)
            .map_err(|rejection| ApiError::malformed("value_error", &["path"], rejection.body_text()))
    }
}

/// A JSON body, read but not yet judged: [`JsonBody::parse`] gives the value or the 413 /
/// 422 it earned.
#[derive(Debug)]
pub struct JsonBody(Result<Bytes, ApiError>);

impl JsonBody {
    /// The body as `T`. `T`'s fields are the crate's `Field`s, so a wrong value type is
    /// not a failure here but a 422 naming the field when the handler parses it.
    ///
    /// # Errors
    ///
    /// 413 over 64 KiB; 422 at `["body"]` for a body that is missing, not JSON, or not an
    /// object.
    pub fn parse<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        let bytes = self.0?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::malformed("missing", &["body"], "Field required: send a JSON object."));
        }
        let not_an_object = || {
            ApiError::malformed(
                "model_attributes_type",
                &["body"],
                "Input should be a valid dictionary or object to extract fields from: send a JSON object.",
            )
        };
        let value: T = serde_json::from_slice(&bytes).map_err(|error| {
            if error.is_data() {
                not_an_object()
            } else {
                ApiError::malformed("json_invalid", &["body"], format!("JSON decode error: {error}"))
            }
        })?;
        // Serde also reads a struct from an array of its fields; Polar takes only objects.
        match bytes.iter().find(|byte| !byte.is_ascii_whitespace()) {
            Some(b'{') => Ok(value),
            _ => Err(not_an_object()),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let json = request.headers().get(CONTENT_TYPE).is_none_or(|value| {
            value.to_str().is_ok_and(|value| {
                let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
        });
        if !json {
            // FastAPI (Polar) reads a body of another type as a string, then refuses it as
            // not an object: a 422 at ["body"].
            return Ok(JsonBody(Err(ApiError::malformed(
                "model_attributes_type",
                &["body"],
                "Input should be a valid dictionary or object: send JSON with `Content-Type: application/json`.",
            ))));
        }
        let deadline = request.extensions().get::<BodyDeadline>().copied();
        let read = axum::body::to_bytes(request.into_body(), BODY_LIMIT);
        let read = match deadline {
            // A body that stops arriving is a 408, not a connection held forever.
            Some(BodyDeadline(deadline)) => tokio::time::timeout_at(deadline, read).await,
            None => Ok(read.await),
        };
        let bytes = read.map_err(|_| ApiError::RequestTimeout).and_then(|read| {
            read.map_err(|error| {
                if std::error::Error::source(&error)
                    .is_some_and(<dyn std::error::Error>::is::<http_body_util::LengthLimitError>)
                {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::malformed("json_invalid", &["body"], "The body could not be read; send it again.")
                }
            })
        });
        Ok(JsonBody(bytes))
    }
}

/// The query string's pairs, in order (repeated keys kept: Polar's `sorting` is a list).
#[derive(Debug, Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// The first value of `name`.
    #[must_use]
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The first value of `name` as a wire field (absent when missing).
    #[must_use]
    pub fn field(&self, name: &str) -> Field {
        self.first(name).map_or(Field::Absent, Field::from)
    }

    /// The paging parameters, `sorting` included when `sortable`.
    ///
    /// # Errors
    ///
    /// `invalid_input` at `["query", …]` as [`ListQuery::into_paging`].
    pub fn paging(&self, sortable: bool) -> Result<Paging, ApiError> {
        let mut query = ListQuery::default();
        query.page = self.field("page");
        query.limit = self.field("limit");
        if sortable {
            query.sorting = self.field("sorting");
        }
        Ok(query.into_paging()?)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(QueryPairs(form_urlencoded::parse(query.as_bytes()).into_owned().collect()))
    }
}
