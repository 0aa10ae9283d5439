//! Snapshots and rows: an organization as plain rows, to store, cache or load, and the one
//! constructor that checks them, so two owners are an error, not a state.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Invitation, Membership, Organization, OwnershipOffer};
use crate::{OrganizationId, ReplayError, Role, Timestamp};

/// The version of the snapshot format below; a snapshot of another version is refused.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// An organization as rows: what a store's tables hold, and the documented snapshot format
/// (`Organization` serializes as this).
///
/// ```json
/// {"schema_version": 1, "id": "…", "version": 7, "created_at": "2025-01-01T00:00:00Z",
///  "members": [{"user_id": "…", "email": "ada@example.com", "role": "owner", "created_at": "…"}],
///  "invitations": [{"id": "…", "email": "…", "invited_by": "…", "created_at": "…",
///                   "expires_at": "…", "status": "pending", "accepted_by": null}],
///  "offers": []}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SNAPSHOT_SCHEMA_VERSION`] when written by this crate.
    pub schema_version: u32,
    /// The organization's id.
    pub id: OrganizationId,
    /// The version of the last event it reflects.
    pub version: u64,
    /// When it was created.
    pub created_at: Timestamp,
    /// Every member with their role: exactly one Owner.
    pub members: Vec<MemberRow>,
    /// Every invitation ever made, in any status.
    pub invitations: Vec<Invitation>,
    /// Every ownership offer ever made, in any status.
    pub offers: Vec<OwnershipOffer>,
}

/// One membership row: the member and their role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    /// The membership.
    #[serde(flatten)]
    pub membership: Membership,
    /// Their role here.
    pub role: Role,
}

impl Organization {
    /// The organization as rows, members in no particular order.
    #[must_use]
    pub fn to_rows(&self) -> Snapshot {
        Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            id: self.id(),
            version: self.version(),
            created_at: self.created_at(),
            members: self
                .members()
                .map(|(membership, role)| MemberRow { membership: membership.clone(), role })
                .collect(),
            invitations: self.invitations().cloned().collect(),
            offers: self.offers().copied().collect(),
        }
    }
}

impl Serialize for Organization {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_rows().serialize(serializer)
    }
}

/// Loads a [`Snapshot`] through [`Organization::from_rows`]: a snapshot that breaks an
/// invariant does not load.
impl<'de> Deserialize<'de> for Organization {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rows = Snapshot::deserialize(deserializer)?;
        Organization::from_rows(rows).map_err(|error: ReplayError| serde::de::Error::custom(error))
    }
}
