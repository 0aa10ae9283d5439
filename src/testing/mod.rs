//! A conformance kit for stores (feature `testing`): proptest strategies for both
//! aggregates, and a runner that holds any store to the in-memory rules.
//!
//! The rules live in `decide`; a store only has to load the right rows, append the events
//! and project them. Whether it does is what [`run_conformance`] checks: it generates
//! random command sequences over a small pool of organizations and customers (several
//! tenants, so a query that forgets its tenant is caught), runs every step on your store
//! and on the in-memory aggregates, and asserts after each step that
//!
//! * both made the same decision: the same events, or a refusal with the same error code;
//! * the state your store loads equals the reference's (`==`), so a refusal changed
//!   nothing and every event was projected;
//!
//! and, after the last step, that every aggregate of the pool still agrees. A failure is
//! shrunk by proptest to a short script, and names the step, the command, the actor and
//! both outcomes.
//!
//! # Test your own store
//!
//! Implement [`StoreUnderTest`]: reset, run a command of either aggregate, load either
//! aggregate. The methods are synchronous, so the crate stays free of async: an async store
//! wraps each call in its runtime's `block_on` (`membership-sqlx/tests/conformance.rs` does
//! this for SQLite and PostgreSQL). Here, a store that keeps each stream's events and
//! replays them on every read:
//!
//! ```
//! use std::collections::HashMap;
//!
//! use membership::customer::{self, Customer, CustomerActor};
//! use membership::organization::{self, Organization};
//! use membership::testing::{Config, StoreUnderTest, run_conformance};
//! use membership::{Actor, CustomerId, Error, OrganizationId, ReplayError, Timestamp};
//!
//! /// Each stream's events; the state is their fold.
//! #[derive(Default)]
//! struct Journal {
//!     organizations: HashMap<OrganizationId, Vec<organization::Event>>,
//!     customers: HashMap<CustomerId, Vec<customer::Event>>,
//! }
//!
//! impl StoreUnderTest for Journal {
//!     // A journal that does not replay: the store's failure, not a refusal.
//!     type Failure = ReplayError;
//!
//!     fn reset(&mut self) -> Result<(), ReplayError> {
//!         *self = Journal::default();
//!         Ok(())
//!     }
//!
//!     fn execute_organization(
//!         &mut self,
//!         id: OrganizationId,
//!         command: organization::Command,
//!         actor: Actor,
//!         now: Timestamp,
//!     ) -> Result<Result<Vec<organization::Event>, Error>, ReplayError> {
//!         let decided = match self.organization(id)? {
//!             Some(org) => org.decide(command, actor, now),
//!             // Not created yet: decide on an empty view, where only creation succeeds.
//!             None => organization::decide(&organization::Prefetched::new(id, 0), command, actor, now),
//!         };
//!         if let Ok(events) = &decided {
//!             self.organizations.entry(id).or_default().extend(events.iter().cloned());
//!         }
//!         Ok(decided)
//!     }
//!
//!     fn execute_customer(
//!         &mut self,
//!         id: CustomerId,
//!         command: customer::Command,
//!         actor: CustomerActor,
//!         now: Timestamp,
//!     ) -> Result<Result<Vec<customer::Event>, Error>, ReplayError> {
//!         let decided = match self.customer(id)? {
//!             Some(customer) => customer.decide(command, actor, now),
//!             None => customer::decide(&customer::Absent(id), command, actor, now),
//!         };
//!         if let Ok(events) = &decided {
//!             self.customers.entry(id).or_default().extend(events.iter().cloned());
//!         }
//!         Ok(decided)
//!     }
//!
//!     fn organization(&mut self, id: OrganizationId) -> Result<Option<Organization>, ReplayError> {
//!         let events = self.organizations.get(&id).filter(|events| !events.is_empty());
//!         events.map(|events| Organization::replay(events)).transpose()
//!     }
//!
//!     fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>, ReplayError> {
//!         let events = self.customers.get(&id).filter(|events| !events.is_empty());
//!         events.map(|events| Customer::replay(events)).transpose()
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // 256 cases by default; a slow store picks fewer for `cargo test`, and
//! // `PROPTEST_CASES=100000` still soaks it.
//! run_conformance(&mut Journal::default(), &Config::default().cases_unless_set(32))?;
//! # Ok(()) }
//! ```
//!
//! A store on tables loads its state through `Organization::from_rows` and
//! `Customer::from_rows`, which refuse rows that break an invariant.
//!
//! # Strategies
//!
//! [`organization`] and [`customer`] export what the runner and the crate's own property
//! tests draw from: actors, commands, steps, and random *states* (a fresh creation
//! followed by random steps folded through the aggregate, keeping the accepted ones), over
//! the ids and emails of [`pool`].

pub mod customer;
pub mod organization;
pub mod pool;
mod reference;
mod runner;

use chrono::TimeDelta;
use proptest::prelude::*;

pub use runner::{Config, Step, StoreUnderTest, run_conformance, script};

use crate::Timestamp;

/// When every generated history starts: 2025-01-01T00:00:00Z.
#[must_use]
pub fn start() -> Timestamp {
    // In range by far: the fallback is never taken.
    Timestamp::from_unix_micros(1_735_689_600_000_000).unwrap_or(Timestamp::MIN)
}

/// How far the clock moves before a step: mostly not at all, sometimes past the shortest
/// time to live, sometimes past a day.
pub fn advance() -> impl Strategy<Value = TimeDelta> {
    prop_oneof![
        3 => Just(TimeDelta::zero()),
        1 => Just(TimeDelta::minutes(45)),
        1 => Just(TimeDelta::days(2)),
    ]
}
