//! Polar's error bodies, made from the crate's errors with Polar's statuses (docs/rules.md#errors).

use serde::{Deserialize, Deserializer, Serialize};

use crate::{Error, Location, PolarStatus};

/// An error body exactly as Polar's server writes it, with its HTTP status. Serializes and
/// deserializes, so a client (or a test) reads what a service wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PolarErrorBody {
    /// `{"error": "NotPermitted", "detail": "You don't have permission to manage members"}`.
    Plain {
        /// Polar's class name: `NotPermitted`, `ResourceNotFound`, `Unauthorized`,
        /// `BadRequest`, `ResourceAlreadyExists` or `InternalServerError`.
        error: String,
        /// The error's sentence.
        detail: String,
    },
    /// `{"error": "RequestValidationError", "detail": [{"type", "loc", "msg", "input"}]}`.
    Validation {
        /// Always `RequestValidationError`.
        error: String,
        /// One entry, for the field at fault.
        detail: Vec<ValidationIssue>,
    },
}

/// One entry of a 422 body's `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationIssue {
    /// The kind of issue: `value_error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where: `["body", "email"]`, `["path", "id"]`, `["query", "limit"]`.
    pub loc: Vec<String>,
    /// What is wrong, in a sentence.
    pub msg: String,
    /// The input at fault. The crate keeps none: written as `null`, and whatever JSON a
    /// body holds here is skipped when read.
    #[serde(default, deserialize_with = "skip_input")]
    pub input: Option<String>,
}

fn skip_input<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| None)
}

impl Error {
    /// The body Polar's server answers for this error, with [`polar_status`](Error::polar_status).
    #[must_use]
    pub fn polar_body(&self) -> PolarErrorBody {
        let plain = |error: &str| PolarErrorBody::Plain { error: error.to_owned(), detail: self.to_string() };
        match self.polar_status() {
            PolarStatus::BAD_REQUEST => plain("BadRequest"),
            PolarStatus::UNAUTHORIZED => plain("Unauthorized"),
            PolarStatus::NOT_FOUND => plain("ResourceNotFound"),
            PolarStatus::CONFLICT => plain("ResourceAlreadyExists"),
            PolarStatus::INTERNAL_SERVER_ERROR => plain("InternalServerError"),
            PolarStatus::UNPROCESSABLE_ENTITY => {
                let mut loc = vec![self.location().as_str().to_owned()];
                loc.extend(self.field().map(str::to_owned));
                PolarErrorBody::Validation {
                    error: "RequestValidationError".to_owned(),
                    detail: vec![ValidationIssue {
                        kind: "value_error".to_owned(),
                        loc,
                        msg: self.to_string(),
                        input: None,
                    }],
                }
            }
            _ => plain("NotPermitted"),
        }
    }

    /// Where the field an error is about came from: the body, unless an `invalid_input`
    /// says otherwise (see [`Error::with_location`]).
    #[must_use]
    pub const fn location(&self) -> Location {
        match self {
            Error::InvalidInput { location, .. } => *location,
            _ => Location::Body,
        }
    }

    /// The request field an error is about, where there is one.
    #[must_use]
    pub const fn field(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput { field, .. } => Some(field),
            Error::MemberEmailTaken { .. }
            | Error::CustomerMemberEmailTaken { .. }
            | Error::IndividualCustomerEmailLocked { .. }
            | Error::OwnerEmailRequired { .. } => Some("email"),
            Error::OwnerRoleNotAssignable { .. }
            | Error::OwnerRoleNotCreatable { .. }
            | Error::CustomerNeedsOneOwner { .. }
            | Error::OnlyOwnerCanTransfer { .. }
            | Error::CannotChangeOwnRole { .. } => Some("role"),
            Error::ExternalIdTaken { .. } => Some("external_id"),
            Error::CustomerKindDowngrade { .. } => Some("type"),
            _ => None,
        }
    }
}
