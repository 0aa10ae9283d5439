//! Self-serve ownership offers (ORG-10) and identity verification.

use serde::{Deserialize, Serialize};

use crate::codec::word_enum;
use crate::{OfferId, Timestamp, UserId};

/// An offer of ownership from the Owner to a member, pending until its target accepts or
/// declines, the Owner revokes it, it is voided, or it expires. At most one is pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnershipOffer {
    /// Its id (the caller's; a new offer always has a new one).
    pub id: OfferId,
    /// The Owner who made it.
    pub from: UserId,
    /// The member it is made to.
    pub to: UserId,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops being open.
    pub expires_at: Timestamp,
    /// Where it is in its lifecycle.
    pub status: OfferStatus,
    /// Which decision voided it: set exactly when `status` is `voided`.
    pub void_reason: Option<VoidReason>,
}

impl OwnershipOffer {
    /// The offer an `organization.ownership_offered` event makes, pending: the one place its
    /// record is built from the event (state and views alike).
    pub(crate) fn offered(event: &super::Event) -> Option<OwnershipOffer> {
        match event.change {
            super::Change::OwnershipOffered { offer_id, from, to, expires_at } => Some(OwnershipOffer {
                id: offer_id,
                from,
                to,
                created_at: event.at,
                expires_at,
                status: OfferStatus::Pending,
                void_reason: None,
            }),
            _ => None,
        }
    }

    /// Expired at `now` iff `now >= expires_at` (ORG-13).
    #[must_use]
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

word_enum! {
    /// Where an ownership offer is in its lifecycle (ORG-10, ORG-13), stored and sent as
    /// one word.
    pub enum OfferStatus => "status" {
        /// Waiting for its target.
        Pending => "pending",
        /// Accepted: ownership moved.
        Accepted => "accepted",
        /// Declined by its target.
        Declined => "declined",
        /// Revoked by the Owner.
        Revoked => "revoked",
        /// Voided by another decision; never reopens. [`OwnershipOffer::void_reason`] says why.
        Voided => "voided",
        /// Closed as expired by a sweep.
        Expired => "expired",
    }
}

word_enum! {
    /// Why a pending offer was voided (ORG-10).
    pub enum VoidReason => "reason" {
        /// Its target was removed (ORG-7).
        TargetRemoved => "target_removed",
        /// Its target left (ORG-8).
        TargetLeft => "target_left",
        /// Staff transferred ownership directly.
        OwnerChanged => "owner_changed",
        /// The Owner made a new offer.
        Replaced => "replaced",
    }
}

word_enum! {
    /// A user's identity-verification status, a fact that lives outside the crate and is
    /// passed in with the command. Only `Verified` may take ownership (ORG-10).
    pub enum VerificationStatus => "verification" {
        /// Never started.
        Unverified => "unverified",
        /// Started, not finished.
        Pending => "pending",
        /// Completed.
        Verified => "verified",
        /// Tried and failed.
        Failed => "failed",
    }
}
