//! What happened to a customer: self-describing, so a projection or a webhook needs
//! nothing but the events (docs/rules.md#events).

use serde::{Deserialize, Serialize};

use super::{CustomerActor, CustomerKind, Member};
use crate::{CustomerId, Email, ExternalId, Name, OrganizationId, StreamId, Timestamp};

/// One thing that happened to a customer, with who did it and when. Serializes flat with a
/// `type` tag of the form `customer.<what_happened>`, like organization events; `version`
/// is the customer's version once it is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The customer it happened to.
    pub customer_id: CustomerId,
    /// The customer's version after this event.
    pub version: u64,
    /// When it happened.
    pub at: Timestamp,
    /// Who caused it.
    pub actor: CustomerActor,
    /// What happened.
    #[serde(flatten)]
    pub change: Change,
}

/// What happened. Exhaustive on purpose, like [`organization::Change`](crate::organization::Change).
/// Every change to a member carries the member's whole record after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Change {
    /// The customer was created with its owner member, in one event (CUS-2): an existing
    /// customer without an owner cannot be represented.
    #[serde(rename = "customer.created")]
    Created {
        /// The organization it belongs to.
        organization_id: OrganizationId,
        /// Individual or team.
        kind: CustomerKind,
        /// Its email.
        email: Option<Email>,
        /// Its name.
        name: Option<Name>,
        /// Its id in the merchant's system.
        external_id: Option<ExternalId>,
        /// Its owner member, as created (`member.created`).
        owner: Member,
    },
    /// A member was created (`member.created`).
    #[serde(rename = "customer.member_created")]
    MemberCreated {
        /// The member as created.
        member: Member,
    },
    /// A member's name, email or (non-owner) role changed (`member.updated`).
    #[serde(rename = "customer.member_updated")]
    MemberUpdated {
        /// The member after the change.
        member: Member,
    },
    /// Ownership moved in one step: `from` is now `billing_manager`, `to` is `owner`, both
    /// modified at the event's time (CUS-4). Carries both records after the swap.
    #[serde(rename = "customer.member_ownership_transferred")]
    MemberOwnershipTransferred {
        /// The previous owner, now a billing manager.
        from: Member,
        /// The new owner.
        to: Member,
    },
    /// A member was soft-deleted (`member.deleted`); their email and external id are free,
    /// their id is never used again.
    #[serde(rename = "customer.member_deleted")]
    MemberDeleted {
        /// The member as it was.
        member: Member,
    },
    /// The customer's email changed (CUS-7).
    #[serde(rename = "customer.email_changed")]
    EmailChanged {
        /// The new email.
        email: Email,
    },
    /// The customer became a team (CUS-9).
    #[serde(rename = "customer.kind_changed")]
    KindChanged {
        /// The new kind.
        kind: CustomerKind,
    },
    /// The customer was deleted, after all its members (CUS-6).
    #[serde(rename = "customer.deleted")]
    Deleted,
}

impl Event {
    /// The stream it belongs to.
    #[must_use]
    pub const fn stream(&self) -> StreamId {
        StreamId::Customer(self.customer_id)
    }

    /// Its `type` tag, as it is serialized: `customer.member_created`, …
    #[must_use]
    pub const fn event_type(&self) -> &'static str {
        self.change.event_type()
    }
}

impl Change {
    /// Its `type` tag, as it is serialized: `customer.member_created`, …
    #[must_use]
    pub const fn event_type(&self) -> &'static str {
        match self {
            Change::Created { .. } => "customer.created",
            Change::MemberCreated { .. } => "customer.member_created",
            Change::MemberUpdated { .. } => "customer.member_updated",
            Change::MemberOwnershipTransferred { .. } => "customer.member_ownership_transferred",
            Change::MemberDeleted { .. } => "customer.member_deleted",
            Change::EmailChanged { .. } => "customer.email_changed",
            Change::KindChanged { .. } => "customer.kind_changed",
            Change::Deleted => "customer.deleted",
        }
    }
}
