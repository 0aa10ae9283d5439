//! Polar's public API shapes (CUS-1): request bodies, list envelopes, webhooks, error bodies
//! and the organization team member, so a service built on the crate answers Polar's clients.

use std::num::NonZeroU64;

use serde::{Deserialize, Deserializer, Serialize};

use crate::customer::{Change, Command, Event, Member, MemberRole, MemberUpdate};
use crate::organization::Membership;
use crate::{CustomerId, Email, Error, ExternalId, Location, MemberId, Name, PolarStatus, Role, Timestamp, UserId};

/// The body of `POST /v1/members` (Polar's `MemberCreate`), as received: parse it into a
/// command with [`MemberCreateBody::into_command`]. Unknown keys are ignored; camelCase keys
/// are not the wire and are not read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MemberCreateBody {
    /// `customer_id`: a UUID.
    pub customer_id: Option<String>,
    /// `email`: required.
    pub email: Option<String>,
    /// `name`: optional, blank means none.
    #[serde(default)]
    pub name: Option<String>,
    /// `external_id`: optional, blank means none.
    #[serde(default)]
    pub external_id: Option<String>,
    /// `role`: absent (`None`) means `member`; `null` (`Some(None)`) is refused.
    #[serde(default, deserialize_with = "present")]
    pub role: Option<Option<String>>,
}

/// Tells a key sent as `null` (`Some(None)`) from a missing one (`None`, via `default`).
#[expect(clippy::option_option, reason = "absent and null mean different things on this wire")]
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

fn required<'a>(field: &'static str, value: Option<&'a String>) -> Result<&'a str, Error> {
    value.map(String::as_str).ok_or_else(|| Error::invalid(field, "is required"))
}

fn optional<T>(value: Option<&String>, parse: impl Fn(&str) -> Result<Option<T>, Error>) -> Result<Option<T>, Error> {
    value.map_or(Ok(None), |text| parse(text))
}

impl MemberCreateBody {
    /// Validates the body into the customer it is for and an `AddMember` command.
    ///
    /// The customer comes from the body's `customer_id` (Polar's older `POST /v1/members`)
    /// or, when the body has none, from `path_customer` (the newer
    /// `POST /v1/customers/{id}/members`). `member_id` is the new member's id (the caller's).
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field, in the order `customer_id`, `email`,
    /// `name`, `external_id`, `role`.
    pub fn into_command(
        &self,
        member_id: MemberId,
        path_customer: Option<CustomerId>,
    ) -> Result<(CustomerId, Command), Error> {
        let customer_id = match (&self.customer_id, path_customer) {
            (Some(text), _) => CustomerId::parse(text)?,
            (None, Some(customer_id)) => customer_id,
            (None, None) => return Err(Error::invalid("customer_id", "is required")),
        };
        let email = Email::parse(required("email", self.email.as_ref())?)?;
        let name = optional(self.name.as_ref(), Name::parse)?;
        let external_id = optional(self.external_id.as_ref(), ExternalId::parse)?;
        let role = match &self.role {
            None => MemberRole::Member,
            Some(None) => return Err(Error::invalid("role", "must not be null")),
            Some(Some(text)) => MemberRole::parse(text)?,
        };
        Ok((customer_id, Command::AddMember { member_id, email, name, external_id, role }))
    }
}

/// The body of `PATCH /v1/members/{id}` (Polar's `MemberUpdate`): each key absent or `null`
/// means "leave unchanged".
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MemberUpdateBody {
    /// `name`: blank means unchanged (a name cannot be cleared).
    #[serde(default)]
    pub name: Option<String>,
    /// `email`.
    #[serde(default)]
    pub email: Option<String>,
    /// `role`: `owner` transfers ownership.
    #[serde(default)]
    pub role: Option<String>,
}

impl MemberUpdateBody {
    /// Validates the body into a [`MemberUpdate`].
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field.
    pub fn into_update(&self) -> Result<MemberUpdate, Error> {
        Ok(MemberUpdate {
            name: optional(self.name.as_ref(), Name::parse)?,
            email: self.email.as_deref().map(Email::parse).transpose()?,
            role: self.role.as_deref().map(MemberRole::parse).transpose()?,
        })
    }
}

/// A page of a list: Polar's `ListResource` envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResource<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Where this page stands.
    pub pagination: Pagination,
}

/// The `pagination` of a [`ListResource`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    /// How many items there are in all.
    pub total_count: u64,
    /// How many pages: ⌈`total_count` ÷ limit⌉, 0 when empty.
    pub max_page: u64,
}

impl<T> ListResource<T> {
    /// A page of `items` out of `total_count`, pages holding `limit` items.
    #[must_use]
    pub fn new(items: Vec<T>, total_count: u64, limit: NonZeroU64) -> Self {
        Self { items, pagination: Pagination { total_count, max_page: total_count.div_ceil(limit.get()) } }
    }
}

/// What a `member.*` webhook is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookType {
    /// `member.created`
    #[serde(rename = "member.created")]
    MemberCreated,
    /// `member.updated`
    #[serde(rename = "member.updated")]
    MemberUpdated,
    /// `member.deleted`
    #[serde(rename = "member.deleted")]
    MemberDeleted,
}

/// A webhook payload: `{"type": "member.updated", "timestamp": …, "data": <Member>}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: WebhookType,
    /// When (the event's time).
    pub timestamp: Timestamp,
    /// The member, as it is after the decision (as it was, for a deletion).
    pub data: Member,
}

/// The webhooks of one decision, from its events alone (they are self-describing): one per
/// member created (the owner in `customer.created` included) or deleted, and one
/// `member.updated` per member the decision changed, carrying that member's final state,
/// the new owner first (CUS-4: a transfer sends two).
///
/// Give it one decision's events: members changed twice across several decisions would
/// be merged into one `member.updated`.
#[must_use]
pub fn webhooks(events: &[Event]) -> Vec<Webhook> {
    let mut out: Vec<Webhook> = Vec::new();
    let update = |member: &Member, at: Timestamp, out: &mut Vec<Webhook>| {
        let earlier = out.iter_mut().find(|hook| hook.kind == WebhookType::MemberUpdated && hook.data.id == member.id);
        match earlier {
            Some(hook) => hook.data = member.clone(),
            None => out.push(Webhook { kind: WebhookType::MemberUpdated, timestamp: at, data: member.clone() }),
        }
    };
    for event in events {
        let at = event.at;
        match &event.change {
            Change::Created { owner: member, .. } | Change::MemberCreated { member } => {
                out.push(Webhook { kind: WebhookType::MemberCreated, timestamp: at, data: member.clone() });
            }
            Change::MemberDeleted { member } => {
                out.push(Webhook { kind: WebhookType::MemberDeleted, timestamp: at, data: member.clone() });
            }
            Change::MemberOwnershipTransferred { from, to } => {
                update(to, at, &mut out);
                update(from, at, &mut out);
            }
            Change::MemberUpdated { member } => update(member, at, &mut out),
            Change::EmailChanged { .. } | Change::KindChanged { .. } | Change::Deleted => {}
        }
    }
    out
}

/// A member as the customer portal shows it: Polar's `CustomerPortalMember`, without the
/// customer id and external id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalMember {
    /// The member's id.
    pub id: MemberId,
    /// When the member was created.
    pub created_at: Timestamp,
    /// When the member was last changed.
    pub modified_at: Option<Timestamp>,
    /// The member's email.
    pub email: Email,
    /// The member's name.
    pub name: Option<Name>,
    /// The member's role.
    pub role: MemberRole,
}

impl From<&Member> for PortalMember {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            created_at: member.created_at,
            modified_at: member.modified_at,
            email: member.email.clone(),
            name: member.name.clone(),
            role: member.role,
        }
    }
}

/// An organization team member as Polar writes it (`OrganizationMember`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationMember {
    /// The member.
    pub user_id: UserId,
    /// When they joined.
    pub created_at: Timestamp,
    /// Their stored email.
    pub email: Email,
    /// Their avatar, a fact from outside the crate.
    pub avatar_url: Option<String>,
    /// Their role.
    pub role: Role,
}

impl OrganizationMember {
    /// The wire form of a membership, with the user's avatar passed in.
    #[must_use]
    pub fn new(membership: &Membership, role: Role, avatar_url: Option<String>) -> Self {
        Self {
            user_id: membership.user_id,
            created_at: membership.created_at,
            email: membership.email.clone(),
            avatar_url,
            role,
        }
    }
}

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
