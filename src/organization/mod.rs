//! Organization teams (docs/rules.md#organization): who belongs, with which role, and the rules around
//! invitations, role changes, leaving and ownership.

mod advance;
mod command;
mod decide;
mod event;
mod invitation;
mod offer;
mod plan;
mod rows;
mod snapshot;
mod state;

pub use command::{Command, CreateOrganization, DEFAULT_TTL};
pub use decide::{check, check_role, decide, merchant};
pub use event::{Change, Event};
pub use invitation::{Invitation, InvitationStatus};
pub use offer::{OfferStatus, OwnershipOffer, VerificationStatus, VoidReason};
pub use plan::{Prefetched, Read, plan};
pub use snapshot::{MemberRow, SNAPSHOT_SCHEMA_VERSION, Snapshot};
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

    /// Decides `command` and applies its events to this organization: the in-memory way to
    /// run a command. Returns the events, to store or publish.
    ///
    /// # Errors
    ///
    /// As [`decide`]; a refused command changes nothing.
    pub fn execute(&mut self, command: Command, actor: Actor, now: Timestamp) -> Result<Vec<Event>, Error> {
        let events = decide(self, command, actor, now)?;
        for event in &events {
            // Events `decide` made always follow on; an error here would be a crate bug.
            self.apply(event)?;
        }
        Ok(events)
    }

    /// [`merchant`] on this organization: the merchant `actor` is here, for customer
    /// commands.
    ///
    /// # Errors
    ///
    /// As [`merchant`].
    pub fn merchant(&self, actor: Actor) -> Result<crate::customer::Merchant, Error> {
        merchant(self, actor)
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
