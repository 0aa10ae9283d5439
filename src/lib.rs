#![doc = include_str!("../README.md")]

mod actor;
mod email;
mod error;
mod id;
pub mod organization;
mod permission;
pub mod policy;
mod role;
mod time;

pub use actor::{Actor, ActorKind};
pub use email::Email;
pub use error::{Error, ErrorKind};
pub use id::{InvitationId, OfferId, OrganizationId, UserId};
pub use permission::{Permission, PermissionSet};
pub use role::{AssignableRole, Role};
pub use time::Timestamp;
