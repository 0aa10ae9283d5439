//! The conformance runner: random command sequences over a pool of organizations and
//! customers, each step run on the store under test and on the in-memory reference.

use std::cell::RefCell;
use std::fmt::{self, Debug};

use chrono::TimeDelta;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config as ProptestConfig, TestError, TestRunner};

use super::pool::{self, CUSTOMERS, ORGANIZATIONS};
use super::reference::Reference;
use super::{customer, organization};
use crate::customer::{Customer, CustomerActor, CustomerKind, Merchant};
use crate::organization::Organization;
use crate::{Actor, CustomerId, Error, OrganizationId, Role, Timestamp};

/// A store as the conformance runner drives it: synchronous, so the core needs no async
/// runtime (an async store wraps each call in its runtime's `block_on`).
pub trait StoreUnderTest {
    /// A failure of the store itself (a lost connection, an unreadable row), not a rule
    /// refusal: it fails the run.
    type Failure: Debug;

    /// Empties the store (or opens a fresh one): every case starts with nothing stored.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn reset(&mut self) -> Result<(), Self::Failure>;

    /// Runs one organization command. `Ok(Err(error))` is a refusal by the rules.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn execute_organization(
        &mut self,
        id: OrganizationId,
        command: crate::organization::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Result<Vec<crate::organization::Event>, Error>, Self::Failure>;

    /// Runs one customer command. `Ok(Err(error))` is a refusal by the rules.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn execute_customer(
        &mut self,
        id: CustomerId,
        command: crate::customer::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Result<Vec<crate::customer::Event>, Error>, Self::Failure>;

    /// The organization as the store holds it, loaded through
    /// [`Organization::from_rows`] (or replayed from its journal); `None` when absent.
    ///
    /// # Errors
    ///
    /// The store's own failure, a stored state that does not load included.
    fn organization(&mut self, id: OrganizationId) -> Result<Option<Organization>, Self::Failure>;

    /// The customer as the store holds it, loaded through [`Customer::from_rows`] (or
    /// replayed from its journal); `None` when absent.
    ///
    /// # Errors
    ///
    /// The store's own failure, a stored state that does not load included.
    fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>, Self::Failure>;
}

/// How long a conformance run is.
#[derive(Clone, Debug)]
pub struct Config {
    /// proptest's settings. The default reads `PROPTEST_CASES` (256 cases when unset) and
    /// the other `PROPTEST_*` variables, and persists no failing seeds (proptest keeps them
    /// beside a source file, which a function cannot know: set `failure_persistence` and
    /// `source_file: Some(file!())` to keep them).
    pub proptest: ProptestConfig,
    /// The most random steps in one case, after the creations.
    pub max_steps: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { proptest: ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }, max_steps: 40 }
    }
}

impl Config {
    /// `cases` cases, unless `PROPTEST_CASES` is set: a slow store can keep `cargo test`
    /// short and still be soaked with one environment variable.
    #[must_use]
    pub fn cases_unless_set(mut self, cases: u32) -> Self {
        if std::env::var_os("PROPTEST_CASES").is_none() {
            self.proptest.cases = cases;
        }
        self
    }
}

/// One step of a conformance case: a command on one aggregate of the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A step on organization [`pool::organization`]`(index)`.
    Organization {
        /// Which organization of the pool.
        index: u8,
        /// What happens to it.
        step: organization::Step,
    },
    /// A step on customer [`pool::customer`]`(index)`.
    Customer {
        /// Which customer of the pool.
        index: u8,
        /// What happens to it.
        step: customer::Step,
    },
}

/// A conformance case: most organizations and customers of the pool are created first
/// (each organization by its founder, with up to three members seated by the system and
/// given a role by the owner; each customer by its organization's token; a shrunk case may
/// skip any of it), then 1 to `max_steps` random steps on any of them.
pub fn script(max_steps: usize) -> impl Strategy<Value = Vec<Step>> {
    let seats = || prop::collection::vec((0..pool::USERS, organization::role()), 0..=3);
    let organizations = prop::collection::vec((prop::bool::weighted(0.9), seats()), usize::from(ORGANIZATIONS));
    let customers = prop::collection::vec((prop::bool::weighted(0.9), any::<bool>()), usize::from(CUSTOMERS));
    let steps = prop::collection::vec(any_step(), 1..=max_steps.max(1));
    (organizations, customers, steps).prop_map(|(organizations, customers, steps)| {
        let organizations = (0..ORGANIZATIONS).zip(organizations).filter(|(_, (created, _))| *created);
        let customers = (0..CUSTOMERS).zip(customers).filter(|(_, (created, _))| *created);
        let mut script = Vec::with_capacity(steps.len() + 16);
        for (index, (_, seats)) in organizations {
            script.extend(founding(index, &seats).map(|step| Step::Organization { index, step }));
        }
        for (index, (_, team)) in customers {
            let organization_id = pool::customer_organization(index);
            let kind = if team { CustomerKind::Team } else { CustomerKind::Individual };
            let crate::customer::CreateCustomer { organization_id, kind, email, name, external_id, owner, .. } =
                customer::create_command(pool::customer(index), organization_id, kind);
            let command = crate::customer::Command::Create { organization_id, kind, email, name, external_id, owner };
            let actor = CustomerActor::Merchant(Merchant::token(organization_id));
            script.push(Step::Customer { index, step: customer::Step { actor, command, advance: TimeDelta::zero() } });
        }
        script.extend(steps);
        script
    })
}

/// Organization `index` created by its founder, then `seats` (pool users and roles)
/// added by the system and given their role by the owner.
fn founding(index: u8, seats: &[(u8, Role)]) -> impl Iterator<Item = organization::Step> {
    use crate::organization::Command;
    let step = |who, command| organization::Step { who, command, advance: TimeDelta::zero(), aim: false };
    let (_, create) = organization::create(pool::organization(index));
    let creation = step(organization::Who::User(index), Command::Create { email: create.email });
    let seated = seats.iter().flat_map(move |&(n, role)| {
        let user_id = pool::pool_user(n);
        let add = step(organization::Who::System, Command::AddMember { user_id, email: pool::email_of(user_id) });
        let promote =
            (role != Role::Member).then(|| step(organization::Who::Owner, Command::ChangeRole { user_id, role }));
        std::iter::once(add).chain(promote)
    });
    std::iter::once(creation).chain(seated.collect::<Vec<_>>())
}

/// A random step on any organization or customer of the pool.
fn any_step() -> impl Strategy<Value = Step> {
    let on_customer = Union::new((0..CUSTOMERS).map(|index| {
        customer::step(pool::customer_organization(index)).prop_map(move |step| Step::Customer { index, step }).boxed()
    }));
    prop_oneof![
        1 => (0..ORGANIZATIONS, organization::step()).prop_map(|(index, step)| Step::Organization { index, step }),
        1 => on_customer,
    ]
}

/// Drives `store` through random command sequences and holds it to the in-memory rules.
///
/// Each case resets the store, then runs a [`script`]: every step on the store and on the
/// reference, asserting after each that both made the same decision (the same events, or
/// a refusal with the same error code) and that the store's loaded state equals the
/// reference's (so a refusal changed nothing). At the end of a case every aggregate of the
/// pool is compared, so a write that strayed into another tenant is caught too.
///
/// # Errors
///
/// proptest's [`TestError`] with the smallest failing script it shrank to; its reason
/// names the step, the aggregate, the command, the actor and both outcomes, or the
/// store's own failure.
pub fn run_conformance<S: StoreUnderTest>(store: &mut S, config: &Config) -> Result<(), TestError<Vec<Step>>> {
    let store = RefCell::new(store);
    let mut runner = TestRunner::new(config.proptest.clone());
    runner.run(&script(config.max_steps), |steps| {
        let mut store = store.try_borrow_mut().map_err(|_| TestCaseError::fail("the store is already in use"))?;
        run_case(&mut **store, &steps)
    })
}

/// Runs one case from an empty store.
fn run_case<S: StoreUnderTest>(store: &mut S, steps: &[Step]) -> Result<(), TestCaseError> {
    store.reset().map_err(|failure| TestCaseError::fail(format!("resetting the store failed: {failure:?}")))?;
    let mut reference = Reference::default();
    let mut now = super::start();
    for (number, step) in (1..).zip(steps) {
        let at = At { number, of: steps.len() };
        match step {
            Step::Organization { index, step } => {
                now = now.saturating_add(step.advance);
                let id = pool::organization(*index);
                let (actor, command) = step.resolve(id, reference.organization(id));
                let call = Call { at, aggregate: "organization", id: &id, command: &command, actor: &actor, now };
                let before = reference.organization(id).cloned();
                let theirs = store.execute_organization(id, command.clone(), actor, now).map_err(call.failed())?;
                let ours = reference.execute_organization(id, command.clone(), actor, now);
                call.same_decision(&theirs, &ours)?;
                let loaded = store.organization(id).map_err(call.failed())?;
                call.same_state(loaded.as_ref(), reference.organization(id), before.as_ref(), ours.is_err())?;
            }
            Step::Customer { index, step } => {
                now = now.saturating_add(step.advance);
                let id = pool::customer(*index);
                let (actor, command) = (step.actor, &step.command);
                let call = Call { at, aggregate: "customer", id: &id, command, actor: &actor, now };
                let before = reference.customer(id).cloned();
                let theirs = store.execute_customer(id, command.clone(), actor, now).map_err(call.failed())?;
                let ours = reference.execute_customer(id, command.clone(), actor, now);
                call.same_decision(&theirs, &ours)?;
                let loaded = store.customer(id).map_err(call.failed())?;
                call.same_state(loaded.as_ref(), reference.customer(id), before.as_ref(), ours.is_err())?;
            }
        }
    }
    every_aggregate_agrees(store, &reference)
}

/// After the last step: every aggregate of the pool, not only the ones the steps named.
fn every_aggregate_agrees<S: StoreUnderTest>(store: &mut S, reference: &Reference) -> Result<(), TestCaseError> {
    let failed = |failure: S::Failure| TestCaseError::fail(format!("loading after the last step failed: {failure:?}"));
    for id in (0..ORGANIZATIONS).map(pool::organization) {
        let loaded = store.organization(id).map_err(failed)?;
        if loaded.as_ref() != reference.organization(id) {
            return Err(TestCaseError::fail(format!(
                "after the last step, organization {id} differs (a write to another tenant?)\n  \
                 store:     {loaded:?}\n  reference: {:?}",
                reference.organization(id)
            )));
        }
    }
    for id in (0..CUSTOMERS).map(pool::customer) {
        let loaded = store.customer(id).map_err(failed)?;
        if loaded.as_ref() != reference.customer(id) {
            return Err(TestCaseError::fail(format!(
                "after the last step, customer {id} differs (a write to another tenant?)\n  \
                 store:     {loaded:?}\n  reference: {:?}",
                reference.customer(id)
            )));
        }
    }
    Ok(())
}

/// Where a step is in its case.
#[derive(Clone, Copy)]
struct At {
    number: usize,
    of: usize,
}

/// One step as run, to name it in a failure.
struct Call<'a> {
    at: At,
    aggregate: &'static str,
    id: &'a dyn fmt::Display,
    command: &'a dyn Debug,
    actor: &'a dyn Debug,
    now: Timestamp,
}

impl fmt::Display for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Call { at, aggregate, id, command, actor, now } = self;
        write!(
            f,
            "step {} of {}: {aggregate} {id} at {now}\n  command: {command:?}\n  actor:   {actor:?}",
            at.number, at.of
        )
    }
}

impl Call<'_> {
    fn failed<F: Debug>(&self) -> impl FnOnce(F) -> TestCaseError + '_ {
        move |failure| TestCaseError::fail(format!("{self}\n  the store failed: {failure:?}"))
    }

    /// The same events, or a refusal with the same code (the message may be worded apart).
    fn same_decision<E: PartialEq + Debug>(
        &self,
        theirs: &Result<Vec<E>, Error>,
        ours: &Result<Vec<E>, Error>,
    ) -> Result<(), TestCaseError> {
        let same = match (theirs, ours) {
            (Ok(theirs), Ok(ours)) => theirs == ours,
            (Err(theirs), Err(ours)) => theirs.code() == ours.code(),
            _ => false,
        };
        if same {
            return Ok(());
        }
        Err(TestCaseError::fail(format!(
            "{self}\n  the decisions differ\n  store:     {}\n  reference: {}",
            Outcome(theirs),
            Outcome(ours)
        )))
    }

    /// The state the store loads is the reference's; after a refusal, also the one before.
    fn same_state<T: PartialEq + Debug>(
        &self,
        loaded: Option<&T>,
        reference: Option<&T>,
        before: Option<&T>,
        refused: bool,
    ) -> Result<(), TestCaseError> {
        if loaded == reference {
            return Ok(());
        }
        let what = if refused && loaded != before {
            "the command was refused, yet the stored state changed"
        } else {
            "the stored state differs"
        };
        Err(TestCaseError::fail(format!("{self}\n  {what}\n  store:     {loaded:?}\n  reference: {reference:?}")))
    }
}

/// A decision, printed with its error code.
struct Outcome<'a, E>(&'a Result<Vec<E>, Error>);

impl<E: Debug> fmt::Display for Outcome<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(events) => write!(f, "{events:?}"),
            Err(error) => write!(f, "refused `{}`: {error}", error.code()),
        }
    }
}
