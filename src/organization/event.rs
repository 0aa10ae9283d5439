//! What happened to an organization: what services store, audit-log and notify on.

use serde::{Deserialize, Serialize};

use super::VoidReason;
use crate::{Actor, AssignableRole, Email, InvitationId, OfferId, OrganizationId, Role, StreamId, Timestamp, UserId};

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
    /// A user joined (ORG-5), with the role they hold: Member, by every path today.
    #[serde(rename = "organization.member_added")]
    MemberAdded {
        /// The new member.
        user_id: UserId,
        /// Their stored email.
        email: Email,
        /// The role they joined with.
        role: AssignableRole,
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
        /// The role they held (never Owner).
        role: AssignableRole,
    },
    /// A member left (ORG-8).
    #[serde(rename = "organization.member_left")]
    MemberLeft {
        /// The member who left.
        user_id: UserId,
        /// The role they held (never Owner).
        role: AssignableRole,
    },
    /// Ownership moved in one step: `from` is now Admin, `to` is Owner (ORG-10). Carries
    /// the roles each holds after it, so a projection needs nothing else.
    #[serde(rename = "organization.ownership_transferred")]
    OwnershipTransferred {
        /// The previous Owner.
        from: UserId,
        /// The previous Owner's role now: Admin.
        from_role: AssignableRole,
        /// The new Owner.
        to: UserId,
        /// The new Owner's role now: Owner.
        to_role: Role,
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

impl Event {
    /// The stream it belongs to.
    #[must_use]
    pub const fn stream(&self) -> StreamId {
        StreamId::Organization(self.organization_id)
    }

    /// Its `type` tag, as it is serialized: `organization.member_added`, …
    #[must_use]
    pub const fn event_type(&self) -> &'static str {
        self.change.event_type()
    }
}

impl Change {
    /// Its `type` tag, as it is serialized: `organization.member_added`, …
    #[must_use]
    pub const fn event_type(&self) -> &'static str {
        match self {
            Change::Created { .. } => "organization.created",
            Change::InvitationCreated { .. } => "organization.invitation_created",
            Change::InvitationResent { .. } => "organization.invitation_resent",
            Change::InvitationAccepted { .. } => "organization.invitation_accepted",
            Change::InvitationDeclined { .. } => "organization.invitation_declined",
            Change::InvitationRevoked { .. } => "organization.invitation_revoked",
            Change::InvitationExpired { .. } => "organization.invitation_expired",
            Change::MemberAdded { .. } => "organization.member_added",
            Change::MemberRoleChanged { .. } => "organization.member_role_changed",
            Change::MemberRemoved { .. } => "organization.member_removed",
            Change::MemberLeft { .. } => "organization.member_left",
            Change::OwnershipTransferred { .. } => "organization.ownership_transferred",
            Change::OwnershipOffered { .. } => "organization.ownership_offered",
            Change::OwnershipOfferAccepted { .. } => "organization.ownership_offer_accepted",
            Change::OwnershipOfferDeclined { .. } => "organization.ownership_offer_declined",
            Change::OwnershipOfferRevoked { .. } => "organization.ownership_offer_revoked",
            Change::OwnershipOfferVoided { .. } => "organization.ownership_offer_voided",
            Change::OwnershipOfferExpired { .. } => "organization.ownership_offer_expired",
        }
    }
}
