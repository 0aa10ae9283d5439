//! Polar's public API shapes (CUS-1): request bodies and the list query, list envelopes,
//! webhooks, error bodies and the member and customer objects, so a service built on the crate answers
//! Polar's clients unchanged.

mod customer;
mod error;
mod field;
mod list;
mod member;
mod request;
mod webhook;

pub use customer::{Metadata, PolarCustomer};
pub use error::{PolarErrorBody, ValidationIssue};
pub use field::Field;
pub use list::{DEFAULT_LIMIT, ListQuery, ListResource, MAX_LIMIT, Pagination, Paging, Sorting};
pub use member::{OrganizationMember, PortalMember};
pub use request::{
    InviteBody, MemberCreateBody, MemberCreateFromCustomerBody, MemberUpdateBody, PortalMemberCreateBody,
    PortalMemberUpdateBody, RoleBody,
};
pub use webhook::{
    AnyWebhook, CustomerWebhook, CustomerWebhookType, Webhook, WebhookType, customer_webhooks, webhooks,
};
