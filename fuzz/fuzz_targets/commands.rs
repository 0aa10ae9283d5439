//! Random command sequences from random actors, decoded from the input's bytes: after each
//! step every invariant holds, a refusal changes nothing, and replay rebuilds the state.
#![no_main]

use chrono::TimeDelta;
use libfuzzer_sys::fuzz_target;
use membership::customer::{self, Customer, CustomerActor, CustomerKind, MemberRole, MemberUpdate, Merchant};
use membership::organization::{Command, CreateOrganization, Organization, VerificationStatus};
use membership::{Actor, Email, InvitationId, MemberId, OfferId, OrganizationId, Role, Timestamp, Ttl, UserId};
use membership_fuzz::{assert_customer_invariants, assert_org_invariants};
use uuid::Uuid;

const ORG: OrganizationId = OrganizationId::new(Uuid::from_u128(0xA));

fn user(n: u8) -> UserId {
    UserId::new(Uuid::from_u128(0x100 + u128::from(n % 6)))
}

fn email(n: u8) -> Email {
    let text = format!("u{}@example.com", n % 6);
    Email::parse(&if n & 0x80 != 0 { text.to_uppercase() } else { text }).expect("valid")
}

fn org_command(op: u8, a: u8, b: u8) -> Command {
    let ttl = Ttl::from_secs(u64::from(b) * 60 + 1).expect("in range");
    let invitation = InvitationId::new(Uuid::from_u128(0x200 + u128::from(b % 8)));
    let offer = OfferId::new(Uuid::from_u128(0x300 + u128::from(b % 8)));
    let verification = VerificationStatus::ALL[usize::from(b % 4)];
    match op % 15 {
        0 => Command::Invite { invitation_id: invitation, email: email(a), ttl },
        1 => Command::AcceptInvitation { invitation_id: invitation, email: email(a) },
        2 => Command::DeclineInvitation { invitation_id: invitation, email: email(a) },
        3 => Command::RevokeInvitation { invitation_id: invitation },
        4 => Command::ResendInvitation { invitation_id: invitation, ttl },
        5 => Command::AddMember { user_id: user(a), email: email(b) },
        6 => Command::ChangeRole { user_id: user(a), role: Role::ALL[usize::from(b % 4)] },
        7 => Command::RemoveMember { user_id: user(a) },
        8 => Command::Leave,
        9 => Command::TransferOwnership { to: user(a), verification },
        10 => Command::OfferOwnership { offer_id: offer, to: user(a), verification, ttl },
        11 => Command::RevokeOwnershipOffer { offer_id: offer },
        12 => Command::AcceptOwnershipOffer { offer_id: offer, verification },
        13 => Command::DeclineOwnershipOffer { offer_id: offer },
        _ => Command::Sweep,
    }
}

fn org_actor(who: u8) -> Actor {
    match who % 9 {
        0..=5 => Actor::User(user(who)),
        6 => Actor::Token(ORG),
        7 => Actor::Staff,
        _ => Actor::System,
    }
}

fn member(n: u8) -> MemberId {
    MemberId::new(Uuid::from_u128(0x400 + u128::from(n % 6)))
}

fn customer_command(op: u8, a: u8, b: u8) -> customer::Command {
    let role = MemberRole::ALL[usize::from(b % 3)];
    match op % 6 {
        0 => {
            customer::Command::AddMember { member_id: member(a), email: email(b), name: None, external_id: None, role }
        }
        1 => customer::Command::UpdateMember {
            member_id: member(a),
            update: MemberUpdate { role: Some(role), email: (b & 0x40 != 0).then(|| email(b)), name: None },
        },
        2 => customer::Command::DeleteMember { member_id: member(a) },
        3 => customer::Command::ChangeEmail { email: email(b) },
        4 => customer::Command::ChangeKind { kind: CustomerKind::ALL[usize::from(b % 2)] },
        _ => customer::Command::Delete,
    }
}

fn customer_actor(who: u8, shop: &Organization) -> CustomerActor {
    match who % 9 {
        0..=5 => CustomerActor::Portal { member_id: member(who) },
        6 => shop.merchant(Actor::User(user(0))).map_or(CustomerActor::System, CustomerActor::from),
        7 => CustomerActor::Merchant(Merchant::token(ORG)),
        _ => CustomerActor::System,
    }
}

fuzz_target!(|data: &[u8]| {
    let start = Timestamp::parse("2025-01-01T00:00:00Z").expect("valid");
    let create = CreateOrganization { organization_id: ORG, email: email(0) };
    let mut log = Organization::create(create, Actor::User(user(0)), start).expect("a user creates");
    let mut org = Organization::replay(&log).expect("a created organization replays");
    let shop = org.clone();
    let create = customer::CreateCustomer {
        customer_id: Uuid::from_u128(0xC).into(),
        organization_id: ORG,
        kind: CustomerKind::Team,
        email: Some(email(0)),
        name: None,
        external_id: None,
        owner: customer::OwnerMember { member_id: member(0), email: None, name: None, external_id: None },
    };
    let mut customer_log = customer::create(None, create, CustomerActor::System, start).expect("created");
    let mut account = Customer::replay(&customer_log).expect("a created customer replays");
    for (step, chunk) in (0..).zip(data.chunks_exact(5)) {
        let &[side, op, who, a, b] = chunk else { continue };
        // Time moves on by whole minutes, further on some steps, so expiries come into play.
        let now = start.saturating_add(TimeDelta::minutes(step * i64::from(side >> 4).max(1)));
        if side % 2 == 0 {
            let before = org.clone();
            match org.decide(org_command(op, a, b), org_actor(who), now) {
                Ok(events) => {
                    for event in &events {
                        org.apply(event).expect("decided events apply");
                    }
                    log.extend(events);
                }
                Err(_) => assert_eq!(org, before, "a refusal changes nothing"),
            }
            assert_org_invariants(&org);
        } else {
            let before = account.clone();
            match account.decide(customer_command(op, a, b), customer_actor(who, &shop), now) {
                Ok(events) => {
                    for event in &events {
                        account.apply(event).expect("decided events apply");
                    }
                    customer_log.extend(events);
                }
                Err(_) => assert_eq!(account, before, "a refusal changes nothing"),
            }
            assert_customer_invariants(&account);
        }
    }
    assert_eq!(Organization::replay(&log).as_ref(), Ok(&org), "replay rebuilds the organization");
    assert_eq!(Customer::replay(&customer_log).as_ref(), Ok(&account), "replay rebuilds the customer");
});
