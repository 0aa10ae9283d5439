//! What the one transaction needs of each stored aggregate ([`Stored`]), and what it gives
//! back ([`Outcome`]).

use std::future::Future;

use membership::Aggregate;
use membership::wire::AnyWebhook;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::sql::RootRead;

/// What differs between the stored aggregates: how the root row opens a view, how one read
/// of the plan loads, and which webhooks the events make. The one transaction
/// ([`Store::execute`](crate::Store::execute)) does the rest. Implemented for the two aggregates, sealed.
pub trait Stored:
    Aggregate<
        Id: Send + 'static,
        Command: Clone + Send + 'static,
        Actor: Send + 'static,
        Event: Serialize + Send + Sync + 'static,
        Read: Send,
        Prefetched: Send + 'static,
    > + sealed::Sealed
    + 'static
{
    /// Reads the root row (locked when `read` says so) and starts the view the plan's
    /// reads fill: the stream's version, `None` when it does not exist yet.
    #[doc(hidden)]
    fn open(
        conn: &mut AnyConnection,
        read: RootRead,
        id: Self::Id,
    ) -> impl Future<Output = Result<(Option<u64>, Self::Prefetched), StoreError>> + Send;

    /// Answers one read of the plan with one indexed query.
    #[doc(hidden)]
    fn load(
        conn: &mut AnyConnection,
        id: Self::Id,
        view: &mut Self::Prefetched,
        read: Self::Read,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The Polar webhooks one decision's events make (none for a team's events), once they
    /// are in the journal: `view` is what the decision read, before its events.
    #[doc(hidden)]
    fn webhooks(
        conn: &mut AnyConnection,
        view: &Self::Prefetched,
        events: &[Self::Event],
    ) -> impl Future<Output = Result<Vec<AnyWebhook>, StoreError>> + Send;
}

/// What a command did, from its own transaction: the events it committed (none for a
/// no-op) and the view it was decided on, read inside that transaction. Answer from these,
/// never from a read afterwards, which a concurrent command may already have moved on
/// (for an organization, [`Prefetched::advance`](membership::organization::Prefetched::advance)
/// moves the view on by the events; a customer's events carry the records they leave).
pub struct Outcome<A: Aggregate> {
    /// The events, in order.
    pub events: Vec<A::Event>,
    /// The rows the command was decided on.
    pub view: A::Prefetched,
}

impl<A: Aggregate<Event: std::fmt::Debug, Prefetched: std::fmt::Debug>> std::fmt::Debug for Outcome<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome").field("events", &self.events).field("view", &self.view).finish()
    }
}

/// The events, in order: `for event in store.execute(…).await?` reads as it did when
/// `execute` answered the events alone.
impl<A: Aggregate> IntoIterator for Outcome<A> {
    type Item = A::Event;
    type IntoIter = std::vec::IntoIter<A::Event>;

    fn into_iter(self) -> Self::IntoIter {
        self.events.into_iter()
    }
}

pub(crate) mod sealed {
    /// Only this crate's aggregates are stored.
    pub trait Sealed {}
    impl Sealed for membership::organization::Organization {}
    impl Sealed for membership::customer::Customer {}
}
