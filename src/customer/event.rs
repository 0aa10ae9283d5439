//! What happened to a customer.

use serde::{Deserialize, Serialize};

use super::{CustomerActor, CustomerKind, Member};
use crate::{CustomerId, Email, ExternalId, MemberId, Name, OrganizationId, Timestamp};

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Change {
    /// The customer was created; its owner member follows in the same decision (CUS-2).
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
    },
    /// A member was created (`member.created`).
    #[serde(rename = "customer.member_created")]
    MemberCreated {
        /// The member as created.
        member: Member,
    },
    /// A member's name, email or (non-owner) role changed (`member.updated`). Carries the
    /// member as it is after the whole decision.
    #[serde(rename = "customer.member_updated")]
    MemberUpdated {
        /// The member after the change.
        member: Member,
    },
    /// Ownership moved in one step: `from` is now `billing_manager`, `to` is `owner`, both
    /// modified at the event's time (CUS-4).
    #[serde(rename = "customer.member_ownership_transferred")]
    MemberOwnershipTransferred {
        /// The previous owner.
        from: MemberId,
        /// The new owner.
        to: MemberId,
    },
    /// A member was soft-deleted (`member.deleted`); their email and external id are free.
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
