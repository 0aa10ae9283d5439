//! A given/when/then kit for customer scenarios.

use std::sync::LazyLock;

use membership::customer::{
    self, Command, CreateCustomer, Customer, CustomerActor, CustomerKind, Event, Member, MemberRole, MemberUpdate,
    Merchant, OwnerMember,
};
use membership::organization::Organization;
use membership::{Actor, CustomerId, Email, Error, ExternalId, MemberId, Name, Role, Timestamp};

use crate::support::{ADMIN, FINANCE, MEMBER, ORG, OTHER_ORG, OWNER, Team, at, email};

// Numbered as the conformance kit's pool, like the organization scenarios' ids.
pub use membership::testing::pool::member;

pub const CUSTOMER: CustomerId = membership::testing::pool::customer(0);
pub const OWNER_M: MemberId = member(1);
pub const BILLING: MemberId = member(2);
pub const PLAIN: MemberId = member(3);

/// The organization's user holding `role`, as the organization hands them out (CUS-8: a
/// merchant's role comes from the organization).
pub fn merchant(role: Role) -> CustomerActor {
    static SHOP: LazyLock<Organization> = LazyLock::new(|| Team::standard().org);
    holding(&SHOP, role)
}

/// The user holding `role` in another organization than the customer's.
pub fn other_merchant(role: Role) -> CustomerActor {
    static OTHER_SHOP: LazyLock<Organization> = LazyLock::new(|| Team::standard_in(OTHER_ORG).org);
    holding(&OTHER_SHOP, role)
}

fn holding(shop: &Organization, role: Role) -> CustomerActor {
    let user = [OWNER, ADMIN, FINANCE, MEMBER][Role::ALL.iter().position(|r| *r == role).unwrap()];
    shop.merchant(Actor::User(user)).unwrap().into()
}

pub const TOKEN: CustomerActor = CustomerActor::Merchant(Merchant::token(ORG));
pub const OTHER_TOKEN: CustomerActor = CustomerActor::Merchant(Merchant::token(OTHER_ORG));

pub const fn portal(member_id: MemberId) -> CustomerActor {
    CustomerActor::Portal { member_id }
}

pub fn mail(n: u128) -> Email {
    email(&format!("m{n}@example.com"))
}

pub fn name(text: &str) -> Option<Name> {
    Name::parse(text).unwrap()
}

pub fn external(text: &str) -> Option<ExternalId> {
    ExternalId::parse(text).unwrap()
}

pub fn create_command(kind: CustomerKind, email: Option<Email>) -> CreateCustomer {
    CreateCustomer {
        customer_id: CUSTOMER,
        organization_id: ORG,
        kind,
        email,
        name: name("Acme"),
        external_id: external("cus_1"),
        owner: OwnerMember { member_id: OWNER_M, email: None, name: None, external_id: None },
    }
}

pub fn add(n: u128, role: MemberRole) -> Command {
    Command::AddMember { member_id: member(n), email: mail(n), name: None, external_id: None, role }
}

pub fn set_role(member_id: MemberId, role: MemberRole) -> Command {
    Command::UpdateMember { member_id, update: MemberUpdate { role: Some(role), ..MemberUpdate::default() } }
}

/// A customer under test, with a clock, checking INV-CUS-D on every command.
pub struct Account {
    pub customer: Customer,
    pub log: Vec<Event>,
    pub now: Timestamp,
}

impl Account {
    pub fn create(command: CreateCustomer) -> Self {
        let log = customer::create(None, command, CustomerActor::System, at(0)).unwrap();
        let customer = Customer::replay(&log).unwrap();
        Account { customer, log, now: at(0) }
    }

    /// An individual customer, email m1, owner `OWNER_M`.
    pub fn individual() -> Self {
        Self::create(create_command(CustomerKind::Individual, Some(mail(1))))
    }

    /// A team customer: `OWNER_M` (m1), `BILLING` (m2, billing manager), `PLAIN` (m3, member).
    pub fn team() -> Self {
        let mut account = Self::create(create_command(CustomerKind::Team, Some(mail(1))));
        account.ok(TOKEN, add(2, MemberRole::BillingManager));
        account.ok(TOKEN, add(3, MemberRole::Member));
        account
    }

    pub fn at(&mut self, minutes: i64) -> &mut Self {
        self.now = at(minutes);
        self
    }

    #[track_caller]
    pub fn run(&mut self, actor: CustomerActor, command: Command) -> Result<Vec<Event>, Error> {
        let before = self.customer.clone();
        let result = self.customer.decide(command, actor, self.now);
        assert_eq!(self.customer, before, "deciding must not change the state");
        let events = result?;
        for (offset, event) in (1..).zip(&events) {
            assert_eq!(event.version, before.version() + offset);
            assert_eq!((event.customer_id, event.at, event.actor), (CUSTOMER, self.now, actor));
            self.customer.apply(event).unwrap();
        }
        self.log.extend(events.iter().cloned());
        assert_eq!(Customer::replay(&self.log).as_ref(), Ok(&self.customer), "replay rebuilds the state");
        Ok(events)
    }

    #[track_caller]
    pub fn ok(&mut self, actor: CustomerActor, command: Command) -> Vec<Event> {
        self.run(actor, command).unwrap_or_else(|err| panic!("expected success, got {}: {err}", err.code()))
    }

    #[track_caller]
    pub fn changes(&mut self, actor: CustomerActor, command: Command) -> Vec<customer::Change> {
        self.ok(actor, command).into_iter().map(|event| event.change).collect()
    }

    #[track_caller]
    pub fn refused(&mut self, actor: CustomerActor, command: Command, code: &str) -> Error {
        match self.run(actor, command) {
            Ok(events) => panic!("expected {code}, got {events:?}"),
            Err(err) => {
                assert_eq!(err.code(), code, "{err}");
                err
            }
        }
    }

    pub fn member(&self, id: MemberId) -> Option<Member> {
        self.customer.member(id)
    }

    pub fn role(&self, id: MemberId) -> Option<MemberRole> {
        self.customer.role_of(id)
    }
}
