#![doc = include_str!("../README.md")]

mod actor;
pub mod customer;
mod email;
mod error;
mod id;
pub mod organization;
mod permission;
pub mod policy;
mod role;
mod text;
mod time;
pub mod wire;

pub use actor::{Actor, ActorKind};
pub use email::Email;
pub use error::{Error, ErrorKind};
pub use id::{CustomerId, InvitationId, MemberId, OfferId, OrganizationId, UserId};
pub use permission::{Permission, PermissionSet};
pub use role::{AssignableRole, Role};
pub use text::{ExternalId, Name};
pub use time::Timestamp;
