//! Strategies for customer commands, actors, steps and states.

use chrono::TimeDelta;
use proptest::prelude::*;

use super::pool::{self, member_email, pool_member, pool_member_email};
use crate::customer::{
    self, Absent, Command, CreateCustomer, Customer, CustomerActor, CustomerKind, MemberRole, MemberUpdate, Merchant,
    OwnerMember,
};
use crate::{CustomerId, ExternalId, Name, OrganizationId, Role, Timestamp};

/// One random step: who, what, and how long after the previous step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Who runs it.
    pub actor: CustomerActor,
    /// The command.
    pub command: Command,
    /// How far the clock moves before it.
    pub advance: TimeDelta,
}

/// A merchant user of organization `organization_id` holding `role` there: `user(1)` for
/// the owner, `user(2)` an admin, `user(3)` finance, `user(4)` a member. The role is taken
/// as given, as a service hands it over from the organization (CUS-8).
#[must_use]
pub fn merchant(organization_id: OrganizationId, role: Role) -> CustomerActor {
    let n = Role::ALL.iter().position(|held| *held == role).unwrap_or(0);
    let user = pool::user(u128::try_from(n).unwrap_or(0) + 1);
    CustomerActor::Merchant(Merchant::user(organization_id, user, role))
}

/// Actors on a customer of `organization_id`: its token and merchants of every role,
/// another organization's token and admin, portal members (some of whom are not members),
/// and the system.
pub fn actor(organization_id: OrganizationId) -> impl Strategy<Value = CustomerActor> {
    let other = pool::other_organization(organization_id);
    prop_oneof![
        3 => Just(CustomerActor::Merchant(Merchant::token(organization_id))),
        2 => prop::sample::select(Role::ALL.to_vec()).prop_map(move |role| merchant(organization_id, role)),
        1 => Just(CustomerActor::Merchant(Merchant::token(other))),
        1 => Just(merchant(other, Role::Admin)),
        5 => (0u8..7).prop_map(|n| CustomerActor::Portal { member_id: pool_member(n) }),
        1 => Just(CustomerActor::System),
    ]
}

/// Any member role, the owner's included.
pub fn role() -> impl Strategy<Value = MemberRole> {
    prop::sample::select(MemberRole::ALL.to_vec())
}

/// No external id, or one of three.
pub fn external_id() -> impl Strategy<Value = Option<ExternalId>> {
    prop_oneof![Just(None), (0u8..3).prop_map(|n| ExternalId::parse(&format!("ext_{n}")).ok().flatten())]
}

/// No name, a name, or a blank one (which parses to none).
pub fn name() -> impl Strategy<Value = Option<Name>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec!["Ann", "Bo", "  "]).prop_map(|text| Name::parse(text).ok().flatten())
    ]
}

/// Every customer command over the pool, for a customer of `organization_id`: mostly
/// member changes, rarely deleting the customer or creating it again.
pub fn command(organization_id: OrganizationId) -> impl Strategy<Value = Command> {
    let who = || (0u8..7).prop_map(pool_member);
    let mail = || (0u8..pool::MEMBERS, any::<bool>()).prop_map(|(n, shout)| pool_member_email(n, shout));
    prop_oneof![
        24 => (who(), mail(), name(), external_id(), role()).prop_map(|(member_id, email, name, external_id, role)| {
            Command::AddMember { member_id, email, name, external_id, role }
        }),
        24 => (who(), name(), prop::option::of(mail()), prop::option::of(role())).prop_map(|(member_id, name, email, role)| {
            Command::UpdateMember { member_id, update: MemberUpdate { name, email, role } }
        }),
        12 => who().prop_map(|member_id| Command::DeleteMember { member_id }),
        4 => mail().prop_map(|email| Command::ChangeEmail { email }),
        4 => prop::sample::select(vec![CustomerKind::Individual, CustomerKind::Team])
            .prop_map(|kind| Command::ChangeKind { kind }),
        // Rare: every later command on a deleted customer is refused.
        1 => Just(Command::Delete),
        // Creating it again: a no-op while it exists, refused once deleted.
        1 => Just(create_again(organization_id)),
    ]
}

/// One step on a customer of `organization_id`.
pub fn step(organization_id: OrganizationId) -> impl Strategy<Value = Step> {
    (actor(organization_id), command(organization_id), super::advance()).prop_map(|(actor, command, advance)| Step {
        actor,
        command,
        advance,
    })
}

/// Creates customer `id` of `organization_id`: billing email `m1@example.com`, name Acme,
/// external id `cus_1`, owned by `member(1)`.
#[must_use]
pub fn create_command(id: CustomerId, organization_id: OrganizationId, kind: CustomerKind) -> CreateCustomer {
    CreateCustomer {
        customer_id: id,
        organization_id,
        kind,
        email: Some(member_email(1)),
        name: Name::parse("Acme").ok().flatten(),
        external_id: ExternalId::parse("cus_1").ok().flatten(),
        owner: OwnerMember { member_id: pool::member(1), email: None, name: None, external_id: None },
    }
}

/// [`create_command`] for a team customer, as a command on an existing stream.
fn create_again(organization_id: OrganizationId) -> Command {
    let CreateCustomer { organization_id, kind, email, name, external_id, owner, .. } =
        create_command(pool::customer(0), organization_id, CustomerKind::Team);
    Command::Create { organization_id, kind, email, name, external_id, owner }
}

/// Random customers: the pool's first customer, a team or an individual, created by the
/// system at `start`, then up to `max_steps` random steps folded through the in-memory
/// aggregate, keeping the accepted ones.
pub fn state_after(start: Timestamp, max_steps: usize) -> impl Strategy<Value = Customer> {
    let organization_id = pool::customer_organization(0);
    (any::<bool>(), prop::collection::vec(step(organization_id), 0..=max_steps)).prop_filter_map(
        "the creation is refused",
        move |(team, steps)| {
            let kind = if team { CustomerKind::Team } else { CustomerKind::Individual };
            let create = create_command(pool::customer(0), organization_id, kind);
            let mut customer =
                Customer::replay(&customer::create(None, create, CustomerActor::System, start).ok()?).ok()?;
            let mut now = start;
            for step in steps {
                now = now.saturating_add(step.advance);
                // A refused command changes nothing: keeping only the accepted ones is folding.
                let _refused = customer.execute(step.command, step.actor, now);
            }
            Some(customer)
        },
    )
}

/// [`state_after`] up to 40 steps from [`super::start`].
pub fn state() -> impl Strategy<Value = Customer> {
    state_after(super::start(), 40)
}

/// Decides `command` on customer `id` when it does not exist: only creation can succeed.
pub(super) fn decide_absent(
    id: CustomerId,
    command: Command,
    actor: CustomerActor,
    now: Timestamp,
) -> Result<Vec<customer::Event>, crate::Error> {
    customer::decide(&Absent(id), command, actor, now)
}
