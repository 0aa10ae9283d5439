//! Invitations to join an organization (ORG-4, ORG-5, ORG-13).

use serde::{Deserialize, Serialize};

use crate::codec::word_enum;
use crate::{Email, InvitationId, Timestamp, UserId};

/// An invitation: pending until exactly one of accepted, declined, revoked or expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Its id (the caller's).
    pub id: InvitationId,
    /// The address it was sent to, as first given: a resend keeps it.
    pub email: Email,
    /// The member who sent it. Removing them does not touch it.
    pub invited_by: UserId,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops being open; a resend moves it.
    pub expires_at: Timestamp,
    /// Where it is in its lifecycle.
    pub status: InvitationStatus,
    /// Who accepted it (or joined by direct add while it was pending): set exactly when
    /// `status` is `accepted`.
    pub accepted_by: Option<UserId>,
}

impl Invitation {
    /// The invitation an `organization.invitation_created` event makes, pending: the one
    /// place its record is built from the event (state and views alike).
    pub(crate) fn created(event: &super::Event) -> Option<Invitation> {
        match &event.change {
            super::Change::InvitationCreated { invitation_id, email, invited_by, expires_at } => Some(Invitation {
                id: *invitation_id,
                email: email.clone(),
                invited_by: *invited_by,
                created_at: event.at,
                expires_at: *expires_at,
                status: InvitationStatus::Pending,
                accepted_by: None,
            }),
            _ => None,
        }
    }

    /// Expired at `now` iff `now >= expires_at` (ORG-13), whatever its status.
    #[must_use]
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// Open iff pending and not expired at `now` (ORG-13).
    #[must_use]
    pub fn is_open_at(&self, now: Timestamp) -> bool {
        self.status == InvitationStatus::Pending && !self.is_expired_at(now)
    }
}

word_enum! {
    /// Where an invitation is in its lifecycle (ORG-13), stored and sent as one word. A
    /// pending invitation can be past its expiry until a sweep or a re-invite closes it as
    /// `expired`: expiry at `now` is [`Invitation::is_expired_at`].
    pub enum InvitationStatus => "status" {
        /// Waiting for the invitee.
        Pending => "pending",
        /// Accepted; [`Invitation::accepted_by`] says by whom.
        Accepted => "accepted",
        /// Declined by the invitee.
        Declined => "declined",
        /// Revoked by a member manager.
        Revoked => "revoked",
        /// Closed as expired, by a sweep or a re-invite.
        Expired => "expired",
    }
}
