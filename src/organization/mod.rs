//! Organization teams (SPEC §1): who belongs, with which role, and the rules around
//! invitations, role changes, leaving and ownership.

mod command;
mod decide;
mod event;
mod invitation;
mod offer;
mod state;

pub use command::{Command, CreateOrganization, DEFAULT_TTL};
pub use decide::{check, decide};
pub use event::{Change, Event};
pub use invitation::{Invitation, InvitationStatus};
pub use offer::{OfferStatus, OwnershipOffer, VerificationStatus, VoidReason};
pub use state::{Membership, Organization, OrganizationView};

use crate::{Actor, Error, Permission, Timestamp};

impl Organization {
    /// Decides [`CreateOrganization`] (ORG-3): one `organization.created` event, version 1,
    /// whose acting user is the Owner. Start the state with [`Organization::replay`].
    ///
    /// # Errors
    ///
    /// `actor_not_allowed` unless the actor is a user (a token has no organization yet to
    /// belong to; staff and the system create nothing).
    pub fn create(command: CreateOrganization, actor: Actor, now: Timestamp) -> Result<Vec<Event>, Error> {
        decide::create(command, actor, now)
    }

    /// [`decide`] on this organization.
    ///
    /// # Errors
    ///
    /// As [`decide`].
    pub fn decide(&self, command: Command, actor: Actor, now: Timestamp) -> Result<Vec<Event>, Error> {
        decide(self, command, actor, now)
    }

    /// [`check`] on this organization: may `actor` do `permission` here?
    ///
    /// # Errors
    ///
    /// As [`check`].
    #[inline]
    pub fn check(&self, actor: Actor, permission: Permission) -> Result<(), Error> {
        check(self, actor, permission)
    }
}
