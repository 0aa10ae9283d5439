//! One shape for both aggregates, so one generic store serves both: a stream id, a version,
//! a type name, a read plan, `decide` on the planned rows, and checked `apply`/`replay`.

use crate::customer::{self, Customer, CustomerActor, CustomerView};
use crate::organization::{self, Organization};
use crate::rows::{RowEffect, Table};
use crate::{Actor, Error, OrganizationId, ReplayError, StreamId, Timestamp};

/// An aggregate: a consistency boundary with its own stream of events.
///
/// Creation is a command like the others, decided on a view of version 0, so a store runs
/// every command the same way: plan the reads, load them into
/// [`Prefetched`](Aggregate::Prefetched), [`decide`](Aggregate::decide), then append the
/// events if the stream is still at the view's version (expected version 0 for creation).
pub trait Aggregate: Sized {
    /// Its id.
    type Id: Copy + Eq + Into<StreamId>;
    /// What can be asked of it.
    type Command;
    /// Who asks.
    type Actor: Copy;
    /// What happens to it.
    type Event: StoredEvent;
    /// One point lookup of its read plan.
    type Read;
    /// The view a store fills with the planned rows.
    type Prefetched;

    /// Its type name, as stored beside each stream: `organization` or `customer`.
    const TYPE_NAME: &'static str;

    /// The table of its root row: the row a store locks and whose `version` it moves.
    const ROOT: Table;

    /// Its id.
    fn id(&self) -> Self::Id;

    /// The version of the last event applied.
    fn version(&self) -> u64;

    /// The point lookups `decide` makes for `command` by `actor` at `now`.
    fn plan(command: &Self::Command, actor: Self::Actor, now: Timestamp) -> Vec<Self::Read>;

    /// Decides `command` on the planned rows.
    ///
    /// # Errors
    ///
    /// The first rule the command breaks, or `view_incomplete` for a row not loaded.
    fn decide(
        view: &Self::Prefetched,
        command: Self::Command,
        actor: Self::Actor,
        now: Timestamp,
    ) -> Result<Vec<Self::Event>, Error>;

    /// Rebuilds it from its events, checking each.
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] naming the first event at fault.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Result<Self, ReplayError>
    where
        Self::Event: 'a;

    /// Applies one event, checked.
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] when the event cannot follow this state.
    fn apply(&mut self, event: &Self::Event) -> Result<(), ReplayError>;

    /// The organization every row of this decision belongs to: the tenant a store keys
    /// rows, journal entries and webhooks by. `None` only for a decision with no events on
    /// a stream that does not exist.
    fn tenant(view: &Self::Prefetched, events: &[Self::Event]) -> Option<OrganizationId>;

    /// The rows `event` changes, for a stream of organization `tenant`
    /// ([`rows`](crate::rows)).
    fn row_effects(event: &Self::Event, tenant: OrganizationId) -> Vec<RowEffect>;
}

/// What a store needs of any event: where it goes, its place there, its type and time.
pub trait StoredEvent {
    /// The stream it belongs to.
    fn stream(&self) -> StreamId;
    /// Its version in that stream.
    fn version(&self) -> u64;
    /// Its `type` tag.
    fn event_type(&self) -> &'static str;
    /// When it happened.
    fn at(&self) -> Timestamp;
}

impl StoredEvent for organization::Event {
    fn stream(&self) -> StreamId {
        organization::Event::stream(self)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn event_type(&self) -> &'static str {
        organization::Event::event_type(self)
    }

    fn at(&self) -> Timestamp {
        self.at
    }
}

impl StoredEvent for customer::Event {
    fn stream(&self) -> StreamId {
        customer::Event::stream(self)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn event_type(&self) -> &'static str {
        customer::Event::event_type(self)
    }

    fn at(&self) -> Timestamp {
        self.at
    }
}

impl Aggregate for Organization {
    type Id = crate::OrganizationId;
    type Command = organization::Command;
    type Actor = Actor;
    type Event = organization::Event;
    type Read = organization::Read;
    type Prefetched = organization::Prefetched;

    const TYPE_NAME: &'static str = "organization";
    const ROOT: Table = Table::Organizations;

    fn id(&self) -> Self::Id {
        Organization::id(self)
    }

    fn version(&self) -> u64 {
        Organization::version(self)
    }

    fn plan(command: &Self::Command, actor: Actor, now: Timestamp) -> Vec<Self::Read> {
        organization::plan(command, actor, now)
    }

    fn decide(
        view: &Self::Prefetched,
        command: Self::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<Self::Event>, Error> {
        organization::decide(view, command, actor, now)
    }

    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Result<Self, ReplayError> {
        Organization::replay(events)
    }

    fn apply(&mut self, event: &Self::Event) -> Result<(), ReplayError> {
        Organization::apply(self, event)
    }

    fn tenant(view: &Self::Prefetched, _events: &[Self::Event]) -> Option<OrganizationId> {
        Some(organization::OrganizationView::id(view))
    }

    fn row_effects(event: &Self::Event, _tenant: OrganizationId) -> Vec<RowEffect> {
        event.row_effects()
    }
}

impl Aggregate for Customer {
    type Id = crate::CustomerId;
    type Command = customer::Command;
    type Actor = CustomerActor;
    type Event = customer::Event;
    type Read = customer::Read;
    type Prefetched = customer::Prefetched;

    const TYPE_NAME: &'static str = "customer";
    const ROOT: Table = Table::Customers;

    fn id(&self) -> Self::Id {
        Customer::id(self)
    }

    fn version(&self) -> u64 {
        Customer::version(self)
    }

    fn plan(command: &Self::Command, actor: CustomerActor, _now: Timestamp) -> Vec<Self::Read> {
        customer::plan(command, actor)
    }

    fn decide(
        view: &Self::Prefetched,
        command: Self::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Vec<Self::Event>, Error> {
        customer::decide(view, command, actor, now)
    }

    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Result<Self, ReplayError> {
        Customer::replay(events)
    }

    fn apply(&mut self, event: &Self::Event) -> Result<(), ReplayError> {
        Customer::apply(self, event)
    }

    fn tenant(view: &Self::Prefetched, events: &[Self::Event]) -> Option<OrganizationId> {
        let created = events.iter().find_map(|event| match &event.change {
            customer::Change::Created { organization_id, .. } => Some(*organization_id),
            _ => None,
        });
        view.profile().map(|profile| profile.organization_id).or(created)
    }

    fn row_effects(event: &Self::Event, tenant: OrganizationId) -> Vec<RowEffect> {
        event.row_effects(tenant)
    }
}
