#![doc = include_str!("../README.md")]

mod actor;
mod aggregate;
mod codec;
pub mod customer;
mod email;
mod error;
mod id;
pub mod organization;
mod permission;
pub mod policy;
mod replay;
mod role;
pub mod rows;
mod stream;
#[cfg(feature = "testing")]
pub mod testing;
mod text;
mod time;
mod view;
#[cfg(feature = "polar")]
pub mod wire;

pub use actor::{Actor, ActorKind};
pub use aggregate::{Aggregate, StoredEvent};
pub use email::Email;
pub use error::{Error, ErrorCode, ErrorKind, Location, PolarStatus};
pub use id::{CustomerId, InvitationId, MemberId, OfferId, OrganizationId, UserId};
pub use permission::{Permission, PermissionSet};
pub use replay::{ReplayError, ReplayProblem};
pub use role::{AssignableRole, Role};
pub use stream::{EVENT_SCHEMA_VERSION, StreamId, version_from_i64, version_to_i64};
pub use text::{ExternalId, Name, refuse_control_characters};
pub use time::{Timestamp, Ttl};
pub use view::{Lookup, NotLoaded};
