//! What happened to an organization: what services store, audit-log and notify on.

use serde::{Deserialize, Serialize};

use super::VoidReason;
use crate::{Actor, AssignableRole, Email, InvitationId, OfferId, OrganizationId, Timestamp, UserId};

/// One thing that happened, with who did it and when.
///
/// Serializes flat, with a `type` tag of the form `organization.<what_happened>`:
///
/// ```json
/// {"organization_id": "…", "version": 4, "at": "2025-01-01T00:00:00Z",
///  "actor": {"kind": "user", "id": "…"},
///  "type": "organization.member_role_changed", "user_id": "…", "from": "member", "to": "admin"}
/// ```
///
/// `version` is the organization's version once this event is applied: the first event is
/// 1, and each decision numbers its events on from the state it was decided on, so a store
/// can refuse a decision made on a stale state (optimistic concurrency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The organization it happened to.
    pub organization_id: OrganizationId,
    /// The organization's version after this event.
    pub version: u64,
    /// When it happened (the `now` of the decision).
    pub at: Timestamp,
    /// Who caused it.
    pub actor: Actor,
    /// What happened.
    #[serde(flatten)]
    pub change: Change,
}

/// What happened. Exhaustive on purpose: a service's projection should fail to compile
/// when an event is added, rather than silently drop it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Change {
    /// The organization was created, with its Owner (ORG-3).
    #[serde(rename = "organization.created")]
    Created {
        /// The Owner: the creating user.
        owner: UserId,
        /// The Owner's email.
        email: Email,
    },
    /// An invitation was made (ORG-4).
    #[serde(rename = "organization.invitation_created")]
    InvitationCreated {
        /// Its id.
        invitation_id: InvitationId,
        /// Who it is for.
        email: Email,
        /// Who sent it.
        invited_by: UserId,
        /// When it stops being open.
        expires_at: Timestamp,
    },
    /// An open invitation was sent again with a new expiry (ORG-4, ORG-5).
    #[serde(rename = "organization.invitation_resent")]
    InvitationResent {
        /// The invitation.
        invitation_id: InvitationId,
        /// Its new expiry.
        expires_at: Timestamp,
    },
    /// An invitation was accepted (ORG-5).
    #[serde(rename = "organization.invitation_accepted")]
    InvitationAccepted {
        /// The invitation.
        invitation_id: InvitationId,
        /// The user who accepted it.
        user_id: UserId,
    },
    /// The invitee declined (ORG-5).
    #[serde(rename = "organization.invitation_declined")]
    InvitationDeclined {
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// A manager revoked the invitation (ORG-5).
    #[serde(rename = "organization.invitation_revoked")]
    InvitationRevoked {
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// A pending invitation was closed as expired, by a sweep or a re-invite (ORG-13).
    #[serde(rename = "organization.invitation_expired")]
    InvitationExpired {
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// A user joined, with the Member role (ORG-5).
    #[serde(rename = "organization.member_added")]
    MemberAdded {
        /// The new member.
        user_id: UserId,
        /// Their stored email.
        email: Email,
    },
    /// A member's role changed (ORG-6).
    #[serde(rename = "organization.member_role_changed")]
    MemberRoleChanged {
        /// The member.
        user_id: UserId,
        /// Their role before.
        from: AssignableRole,
        /// Their role now.
        to: AssignableRole,
    },
    /// A member was removed (ORG-7). End the user's sessions for this organization now:
    /// "the removed member immediately loses access".
    #[serde(rename = "organization.member_removed")]
    MemberRemoved {
        /// The member removed.
        user_id: UserId,
    },
    /// A member left (ORG-8).
    #[serde(rename = "organization.member_left")]
    MemberLeft {
        /// The member who left.
        user_id: UserId,
    },
    /// Ownership moved in one step: `from` is now Admin, `to` is Owner (ORG-10).
    #[serde(rename = "organization.ownership_transferred")]
    OwnershipTransferred {
        /// The previous Owner, now Admin.
        from: UserId,
        /// The new Owner.
        to: UserId,
    },
    /// The Owner offered ownership to a member (ORG-10).
    #[serde(rename = "organization.ownership_offered")]
    OwnershipOffered {
        /// The offer.
        offer_id: OfferId,
        /// The Owner making it.
        from: UserId,
        /// The member it is made to.
        to: UserId,
        /// When it stops being open.
        expires_at: Timestamp,
    },
    /// The target accepted the offer; an `OwnershipTransferred` follows in the same decision.
    #[serde(rename = "organization.ownership_offer_accepted")]
    OwnershipOfferAccepted {
        /// The offer.
        offer_id: OfferId,
    },
    /// The target declined the offer.
    #[serde(rename = "organization.ownership_offer_declined")]
    OwnershipOfferDeclined {
        /// The offer.
        offer_id: OfferId,
    },
    /// The Owner revoked the offer.
    #[serde(rename = "organization.ownership_offer_revoked")]
    OwnershipOfferRevoked {
        /// The offer.
        offer_id: OfferId,
    },
    /// Another decision voided the offer; it never reopens.
    #[serde(rename = "organization.ownership_offer_voided")]
    OwnershipOfferVoided {
        /// The offer.
        offer_id: OfferId,
        /// Which decision voided it.
        reason: VoidReason,
    },
    /// A sweep closed the offer as expired (ORG-13).
    #[serde(rename = "organization.ownership_offer_expired")]
    OwnershipOfferExpired {
        /// The offer.
        offer_id: OfferId,
    },
}
