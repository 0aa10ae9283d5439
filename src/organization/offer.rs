//! Self-serve ownership offers (ORG-10) and identity verification.

use std::fmt;

use serde::{Deserialize, Serialize};

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
}

impl OwnershipOffer {
    /// Expired at `now` iff `now >= expires_at` (ORG-13).
    #[must_use]
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

/// Where an ownership offer is in its lifecycle (ORG-10, ORG-13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OfferStatus {
    /// Waiting for its target.
    Pending,
    /// Accepted: ownership moved.
    Accepted,
    /// Declined by its target.
    Declined,
    /// Revoked by the Owner.
    Revoked,
    /// Voided by another decision; never reopens.
    Voided {
        /// Which decision voided it.
        reason: VoidReason,
    },
    /// Closed as expired by a sweep.
    Expired,
}

impl fmt::Display for OfferStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OfferStatus::Pending => "pending",
            OfferStatus::Accepted => "accepted",
            OfferStatus::Declined => "declined",
            OfferStatus::Revoked => "revoked",
            OfferStatus::Voided { .. } => "voided",
            OfferStatus::Expired => "expired",
        })
    }
}

/// Why a pending offer was voided (ORG-10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    /// Its target was removed (ORG-7).
    TargetRemoved,
    /// Its target left (ORG-8).
    TargetLeft,
    /// Staff transferred ownership directly.
    OwnerChanged,
    /// The Owner made a new offer.
    Replaced,
}

/// A user's identity-verification status, a fact that lives outside the crate and is
/// passed in with the command. Only `Verified` may take ownership (ORG-10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Never started.
    Unverified,
    /// Started, not finished.
    Pending,
    /// Completed.
    Verified,
    /// Tried and failed.
    Failed,
}

impl fmt::Display for VerificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerificationStatus::Unverified => "unverified",
            VerificationStatus::Pending => "pending",
            VerificationStatus::Verified => "verified",
            VerificationStatus::Failed => "failed",
        })
    }
}
