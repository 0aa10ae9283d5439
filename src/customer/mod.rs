//! Customer members (SPEC §2): the people inside a merchant's customer, one of them the
//! owner, managed by the merchant or, for team customers, in the customer portal.

mod actor;
mod command;
mod decide;
mod event;
mod member;
mod role;
mod state;

pub use actor::CustomerActor;
pub use command::{Command, CreateCustomer, CustomerKind, MemberUpdate, OwnerMember};
pub use decide::{check_read, create, decide};
pub use event::{Change, Event};
pub use member::Member;
pub use role::MemberRole;
pub(crate) use role::SeatRole;
pub use state::Customer;

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
}
