//! Rosters of any size, built the way a service would: from events.

#![allow(dead_code, reason = "each bench binary uses part of this")]

use membership::customer::{self, CreateCustomer, Customer, CustomerActor, CustomerKind, MemberRole, OwnerMember};
use membership::organization::{self, Change, Command, CreateOrganization, Event, Organization};
use membership::{Actor, CustomerId, Email, MemberId, OrganizationId, Role, Timestamp, UserId};
use uuid::Uuid;

pub const ORG: OrganizationId = OrganizationId::new(Uuid::from_u128(0xA));
pub const OWNER: UserId = UserId::new(Uuid::from_u128(0x1_0000_0000));

/// A user id that looks like a real one (random bits), deterministic for `n`.
pub fn user(n: u64) -> UserId {
    UserId::new(Uuid::from_u64_pair(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, n))
}

pub fn email_of(n: u64) -> Email {
    Email::parse(&format!("user{n}@example.com")).unwrap()
}

pub fn now() -> Timestamp {
    Timestamp::parse("2025-01-01T00:00:00Z").unwrap()
}

/// The events of an organization with `members` members: the owner, then `members - 1`
/// users 1.. added directly, every fourth made admin, every fourth finance.
pub fn organization_events(members: u64) -> Vec<Event> {
    let create = CreateOrganization { organization_id: ORG, email: Email::parse("owner@example.com").unwrap() };
    let mut events = Organization::create(create, Actor::User(OWNER), now()).unwrap();
    let mut version = 1;
    let mut push = |change| {
        version += 1;
        events.push(Event { organization_id: ORG, version, at: now(), actor: Actor::System, change });
    };
    for n in 1..members {
        push(Change::MemberAdded { user_id: user(n), email: email_of(n), role: membership::AssignableRole::Member });
        let role = match n % 4 {
            1 => Some(membership::AssignableRole::Admin),
            2 => Some(membership::AssignableRole::Finance),
            _ => None,
        };
        if let Some(to) = role {
            push(Change::MemberRoleChanged { user_id: user(n), from: membership::AssignableRole::Member, to });
        }
    }
    events
}

pub fn organization(members: u64) -> Organization {
    Organization::replay(&organization_events(members)).unwrap()
}

/// One member of each role (owner, admin, finance, member) of an `organization(n)`, n ≥ 4.
pub fn one_of_each_role() -> [(UserId, Role); 4] {
    [(OWNER, Role::Owner), (user(1), Role::Admin), (user(2), Role::Finance), (user(3), Role::Member)]
}

/// Decides and applies, panicking on refusal: for building bench states.
pub fn run(org: &mut Organization, command: Command, actor: Actor) {
    for event in organization::decide(org, command, actor, now()).unwrap() {
        org.apply(&event).unwrap();
    }
}

pub const CUSTOMER: CustomerId = CustomerId::new(Uuid::from_u128(0xC));

pub fn member(n: u64) -> MemberId {
    MemberId::new(Uuid::from_u64_pair(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 2, n))
}

/// A team customer with `members` members: the owner (member 0), then billing managers
/// and members.
pub fn customer(members: u64) -> Customer {
    let create = CreateCustomer {
        customer_id: CUSTOMER,
        organization_id: ORG,
        kind: CustomerKind::Team,
        email: Some(email_of(0)),
        name: None,
        external_id: None,
        owner: OwnerMember { member_id: member(0), email: None, name: None, external_id: None },
    };
    let created = customer::create(None, create, CustomerActor::System, now()).unwrap();
    let mut account = Customer::replay(&created).unwrap();
    for n in 1..members {
        let role = if n % 3 == 0 { MemberRole::BillingManager } else { MemberRole::Member };
        let command = customer::Command::AddMember {
            member_id: member(n),
            email: email_of(n),
            name: None,
            external_id: None,
            role,
        };
        for event in account.decide(command, CustomerActor::System, now()).unwrap() {
            account.apply(&event).unwrap();
        }
    }
    account
}
