//! Customer members (docs/rules.md#customers): the people inside a merchant's customer, one of them the
//! owner, managed by the merchant or, for team customers, in the customer portal.

mod actor;
mod command;
mod decide;
mod event;
mod member;
mod plan;
mod role;
mod roster;
mod rows;
mod snapshot;
mod state;

pub use actor::{CustomerActor, Merchant};
pub use command::{Command, CreateCustomer, CustomerKind, MemberUpdate, OwnerMember};
pub use decide::{Absent, check_portal, check_read, create, decide};
pub use event::{Change, Event};
pub use member::Member;
pub use plan::{Prefetched, Read, plan, plan_access};
pub use role::MemberRole;
pub(crate) use role::SeatRole;
pub use snapshot::{SNAPSHOT_SCHEMA_VERSION, Snapshot};
pub use state::{Customer, CustomerView, Profile};

use crate::{Error, Timestamp};

impl Customer {
    /// [`decide`] on this customer.
    ///
    /// # Errors
    ///
    /// As [`decide`].
    pub fn decide(&self, command: Command, actor: CustomerActor, now: Timestamp) -> Result<Vec<Event>, Error> {
        decide(self, command, actor, now)
    }

    /// Decides `command` and applies its events to this customer: the in-memory way to run
    /// a command. Returns the events, to store or turn into webhooks.
    ///
    /// # Errors
    ///
    /// As [`decide`]; a refused command changes nothing.
    pub fn execute(&mut self, command: Command, actor: CustomerActor, now: Timestamp) -> Result<Vec<Event>, Error> {
        let events = decide(self, command, actor, now)?;
        for event in &events {
            // Events `decide` made always follow on; an error here would be a crate bug.
            self.apply(event)?;
        }
        Ok(events)
    }
}
