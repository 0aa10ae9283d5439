//! Snapshots and rows: a customer as plain rows, to store, cache or load, and the one
//! constructor that checks them, so two owners are an error, not a state.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Customer, Member, Profile};
use crate::{CustomerId, MemberId, ReplayError};

/// The version of the snapshot format below; a snapshot of another version is refused.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// A customer as rows: what a store's tables hold, and the documented snapshot format
/// (`Customer` serializes as this).
///
/// ```json
/// {"schema_version": 1, "id": "…", "version": 3,
///  "profile": {"organization_id": "…", "kind": "team", "email": "billing@acme.example",
///              "name": null, "external_id": null, "deleted": false},
///  "members": [<Member>, …], "retired": ["<deleted member id>", …]}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SNAPSHOT_SCHEMA_VERSION`] when written by this crate.
    pub schema_version: u32,
    /// The customer's id.
    pub id: CustomerId,
    /// The version of the last event it reflects.
    pub version: u64,
    /// The customer's own row.
    pub profile: Profile,
    /// The active members, in creation order: exactly one owner unless deleted.
    pub members: Vec<Member>,
    /// The ids of deleted members, never to be used again.
    pub retired: Vec<MemberId>,
}

impl Customer {
    /// The customer as rows.
    #[must_use]
    pub fn to_rows(&self) -> Snapshot {
        Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            id: self.id(),
            version: self.version(),
            profile: self.profile().clone(),
            members: self.members(),
            retired: self.retired_ids().collect(),
        }
    }
}

impl Serialize for Customer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_rows().serialize(serializer)
    }
}

/// Loads a [`Snapshot`] through [`Customer::from_rows`]: a snapshot that breaks an
/// invariant does not load.
impl<'de> Deserialize<'de> for Customer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rows = Snapshot::deserialize(deserializer)?;
        Customer::from_rows(rows).map_err(|error: ReplayError| serde::de::Error::custom(error))
    }
}
