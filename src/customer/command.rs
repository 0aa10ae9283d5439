//! What can be asked of a customer: passive data, validated before it gets here.

use serde::{Deserialize, Serialize};

use super::MemberRole;
use crate::codec::word_enum;
use crate::{CustomerId, Email, ExternalId, MemberId, Name, OrganizationId};

word_enum! {
    /// Individual (a person) or team (a company with several members).
    pub enum CustomerKind => "type" {
        /// A person: exactly one member, the owner, whose email follows the customer's.
        Individual => "individual",
        /// A company: any number of members.
        Team => "team",
    }
}

/// Creates a customer and its owner member in one decision (CUS-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCustomer {
    /// The new customer's id (the caller's).
    pub customer_id: CustomerId,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// Individual or team.
    pub kind: CustomerKind,
    /// The customer's email: required for an individual customer.
    pub email: Option<Email>,
    /// The customer's name.
    pub name: Option<Name>,
    /// The customer's id in the merchant's system.
    pub external_id: Option<ExternalId>,
    /// The owner member to create.
    pub owner: OwnerMember,
}

/// The owner member made with a customer: each field falls back to the customer's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerMember {
    /// The owner member's id (the caller's).
    pub member_id: MemberId,
    /// Overrides the customer's email.
    pub email: Option<Email>,
    /// Overrides the customer's name.
    pub name: Option<Name>,
    /// Overrides the customer's external id.
    pub external_id: Option<ExternalId>,
}

/// A change to a member (CUS-4): each field `None` means "leave unchanged".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberUpdate {
    /// A new name (a name cannot be cleared, as in Polar).
    pub name: Option<Name>,
    /// A new email; not in the portal.
    pub email: Option<Email>,
    /// A new role; `owner` transfers ownership.
    pub role: Option<MemberRole>,
}

/// A command on a customer. Each variant names the rule it follows. Creation is one of
/// them, decided on a view of version 0, so one path serves every command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Create the customer with its owner member (CUS-2). Merchant or system.
    ///
    /// Errors after access, in order: `customer_not_found` (it was deleted), `invalid_input`
    /// (an individual customer without an email), `owner_email_required`. On a customer
    /// that exists: no events.
    Create {
        /// The organization it belongs to.
        organization_id: OrganizationId,
        /// Individual or team.
        kind: CustomerKind,
        /// The customer's email: required for an individual customer.
        email: Option<Email>,
        /// The customer's name.
        name: Option<Name>,
        /// The customer's id in the merchant's system.
        external_id: Option<ExternalId>,
        /// The owner member to create.
        owner: OwnerMember,
    },
    /// Add a member (CUS-3, CUS-8). Merchant, system or portal.
    ///
    /// Errors after access, in order: `owner_role_not_creatable`,
    /// `individual_customer_single_member`, (an active member with the email: no events),
    /// `external_id_taken`, `invalid_input` (a member id this customer ever held, a
    /// deleted member's included).
    AddMember {
        /// The new member's id (the caller's).
        member_id: MemberId,
        /// Their email.
        email: Email,
        /// Their name.
        name: Option<Name>,
        /// Their id in the merchant's system.
        external_id: Option<ExternalId>,
        /// `member` (Polar's default) or `billing_manager`; `owner` is refused.
        role: MemberRole,
    },
    /// Update a member (CUS-4, CUS-8). Merchant, system or portal.
    ///
    /// Errors after access, in order: `member_not_found`; in the portal
    /// `cannot_change_own_role` and `invalid_input` (email); `customer_needs_one_owner`,
    /// `only_owner_can_transfer` (portal); `individual_customer_email_locked`,
    /// `member_email_taken`. Nothing changed: no events.
    UpdateMember {
        /// The member.
        member_id: MemberId,
        /// What changes.
        update: MemberUpdate,
    },
    /// Soft-delete a member (CUS-5, CUS-8). Merchant, system or portal.
    ///
    /// Errors after access, in order: `member_not_found`, `cannot_remove_self` (portal),
    /// `only_owner_cannot_be_deleted`.
    DeleteMember {
        /// The member.
        member_id: MemberId,
    },
    /// Change the customer's email (CUS-7). Merchant or system. An individual customer's
    /// owner email always ends equal to it.
    ChangeEmail {
        /// The new email.
        email: Email,
    },
    /// Change the customer's kind: individual → team only (CUS-9). Merchant or system.
    ///
    /// Error: `customer_kind_downgrade`; the same kind: no events.
    ChangeKind {
        /// The new kind.
        kind: CustomerKind,
    },
    /// Delete the customer and every member (CUS-6). Merchant or system.
    Delete,
}
