//! What can be asked of an organization: passive data, validated before it gets here.

use serde::{Deserialize, Serialize};

use super::VerificationStatus;
use crate::{Email, InvitationId, OfferId, OrganizationId, Role, Ttl, UserId};

/// How long invitations and ownership offers stay open unless the command says otherwise
/// (ORG-13): seven days.
pub const DEFAULT_TTL: Ttl = Ttl::DEFAULT;

/// Creates an organization whose Owner is the acting user (ORG-3). The user's email is a
/// fact from outside, passed in; slug and name are the service's business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrganization {
    /// The new organization's id (the caller's).
    pub organization_id: OrganizationId,
    /// The creating user's email, stored as the Owner's member email.
    pub email: Email,
}

/// A command on an organization. Each variant names the rule it follows and who may run
/// it (ORG-2). Creation is one of them, decided on a view of version 0, so one path serves
/// every command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Create the organization, with the acting user as its Owner (ORG-3). User only.
    ///
    /// On an organization that exists: no events when the actor is its Owner (a retried
    /// request), else `invalid_input` (field `organization_id`: ids are never reused).
    Create {
        /// The creating user's email, stored as the Owner's member email.
        email: Email,
    },
    /// Invite someone by email (ORG-4). User-only; needs `members:manage`.
    ///
    /// A member's email: no events. An open invitation for it: resent. A pending but
    /// expired one: expired, and a new one made. Errors after access: `invalid_input` when
    /// a new invitation would reuse an id.
    Invite {
        /// The id of the invitation, if a new one is made.
        invitation_id: InvitationId,
        /// Who to invite.
        email: Email,
        /// How long it stays open ([`DEFAULT_TTL`] is Polar's week).
        ttl: Ttl,
    },
    /// The invitee accepts (ORG-5). User-only, and needs no membership.
    ///
    /// Errors, in order: `invitation_not_found`, `invitation_email_mismatch`, (accepted by
    /// this member already: no events), `invitation_not_open`, `invitation_expired`.
    AcceptInvitation {
        /// The invitation.
        invitation_id: InvitationId,
        /// The acting user's *verified* email: it must fold-equal the invitation's.
        email: Email,
    },
    /// The invitee declines (ORG-5). User-only, and needs no membership.
    ///
    /// Errors, in order: `invitation_not_found`, `invitation_email_mismatch`,
    /// `invitation_not_open` (an expired but pending invitation may be declined).
    DeclineInvitation {
        /// The invitation.
        invitation_id: InvitationId,
        /// The acting user's *verified* email: it must fold-equal the invitation's.
        email: Email,
    },
    /// A manager revokes a pending invitation (ORG-5). User-only; `members:manage`.
    ///
    /// Errors after access: `invitation_not_found`, `invitation_not_open`.
    RevokeInvitation {
        /// The invitation.
        invitation_id: InvitationId,
    },
    /// A manager sends an open invitation again with a new expiry (ORG-5). User-only;
    /// `members:manage`.
    ///
    /// Errors after access: `invitation_not_found`, `invitation_not_open`,
    /// `invitation_expired`.
    ResendInvitation {
        /// The invitation.
        invitation_id: InvitationId,
        /// Its new lifetime, from now.
        ttl: Ttl,
    },
    /// The service adds a member directly, for just-in-time SSO (ORG-5). System only.
    ///
    /// A member already: no events. A pending invitation for the email closes as accepted.
    /// Error: `member_email_taken` when another member has the email.
    AddMember {
        /// The new member.
        user_id: UserId,
        /// Their email, stored on the membership.
        email: Email,
    },
    /// Change a member's role (ORG-6). User-only; `members:manage`. Carries a full
    /// [`Role`]: `owner` parses, and is refused here.
    ///
    /// Errors after access, in order: `member_not_found`, `owner_role_not_assignable`,
    /// `owner_role_immutable`; the same role: no events.
    ChangeRole {
        /// The member whose role changes.
        user_id: UserId,
        /// Their new role.
        role: Role,
    },
    /// Remove a member (ORG-7). User-only; `members:manage`.
    ///
    /// Errors after access: `member_not_found`, `owner_cannot_be_removed`.
    RemoveMember {
        /// The member to remove.
        user_id: UserId,
    },
    /// The acting member leaves (ORG-8). User-only.
    ///
    /// Errors after access, in order: `last_member_cannot_leave`, `owner_cannot_leave`.
    Leave,
    /// Support moves ownership at once (ORG-10, direct path). Staff only.
    ///
    /// Errors, in order: `member_not_found`, `already_owner`, `new_owner_not_verified`.
    TransferOwnership {
        /// The member who becomes Owner.
        to: UserId,
        /// Their identity verification status.
        verification: VerificationStatus,
    },
    /// The Owner offers ownership to a member (ORG-10, self-serve). User-only; the Owner.
    ///
    /// Errors after access, in order: `not_owner`, `member_not_found`, `already_owner`,
    /// `new_owner_not_verified`, `invalid_input` (a reused offer id).
    OfferOwnership {
        /// The offer's id (always new, even to the same target).
        offer_id: OfferId,
        /// The member it is offered to.
        to: UserId,
        /// Their identity verification status.
        verification: VerificationStatus,
        /// How long it stays open.
        ttl: Ttl,
    },
    /// The Owner revokes a pending offer (ORG-10). User-only; the Owner.
    ///
    /// Errors after access, in order: `not_owner`, `ownership_offer_not_found`,
    /// `ownership_offer_not_open`.
    RevokeOwnershipOffer {
        /// The offer.
        offer_id: OfferId,
    },
    /// The target accepts, and ownership moves (ORG-10). User-only; the target.
    ///
    /// Errors after access, in order: `ownership_offer_not_found`, `not_offer_target`,
    /// `ownership_offer_not_open`, `ownership_offer_expired`, `new_owner_not_verified`.
    AcceptOwnershipOffer {
        /// The offer.
        offer_id: OfferId,
        /// The acting user's identity verification status, checked again.
        verification: VerificationStatus,
    },
    /// The target declines (ORG-10). User-only; the target.
    ///
    /// Errors after access, in order: `ownership_offer_not_found`, `not_offer_target`,
    /// `ownership_offer_not_open`.
    DeclineOwnershipOffer {
        /// The offer.
        offer_id: OfferId,
    },
    /// Close every pending invitation and offer whose expiry has passed (ORG-13). System only.
    Sweep,
}
