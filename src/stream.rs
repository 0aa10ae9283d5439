//! What every aggregate has in common, so one generic store can serve both: a stream id, a
//! version, a type name, and a checked conversion of versions to SQL's `BIGINT`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{CustomerId, Error, OrganizationId};

/// The schema version of every event this crate writes (docs/rules.md#events): stored beside each
/// event, so a later release can read old logs knowingly.
pub const EVENT_SCHEMA_VERSION: u32 = 2;

/// The aggregate a stream of events belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum StreamId {
    /// An organization and its team.
    Organization(OrganizationId),
    /// A customer and its members.
    Customer(CustomerId),
}

impl StreamId {
    /// The aggregate's type name: `organization` or `customer`.
    #[must_use]
    pub const fn type_name(&self) -> &'static str {
        match self {
            StreamId::Organization(_) => "organization",
            StreamId::Customer(_) => "customer",
        }
    }

    /// The aggregate's UUID, without its type.
    #[must_use]
    pub const fn as_uuid(&self) -> &uuid::Uuid {
        match self {
            StreamId::Organization(id) => id.as_uuid(),
            StreamId::Customer(id) => id.as_uuid(),
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.type_name(), self.as_uuid())
    }
}

impl From<OrganizationId> for StreamId {
    fn from(id: OrganizationId) -> Self {
        StreamId::Organization(id)
    }
}

impl From<CustomerId> for StreamId {
    fn from(id: CustomerId) -> Self {
        StreamId::Customer(id)
    }
}

/// A version as SQL's `BIGINT`: versions above `i64::MAX` are refused, never wrapped.
///
/// # Errors
///
/// `invalid_input` for the field `version` above `i64::MAX`.
pub fn version_to_i64(version: u64) -> Result<i64, Error> {
    i64::try_from(version).map_err(|_| Error::invalid("version", "is larger than a SQL BIGINT holds"))
}

/// A version read from SQL's `BIGINT`: negative values are refused, never wrapped.
///
/// # Errors
///
/// `invalid_input` for the field `version` below zero.
pub fn version_from_i64(version: i64) -> Result<u64, Error> {
    u64::try_from(version).map_err(|_| Error::invalid("version", "is negative"))
}
