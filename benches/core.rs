//! Permission checks, decisions, apply and replay: what a service pays per request.
//!
//! Run with `cargo bench --bench core`; ids read `group/case/roster`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    reason = "a bench fails loudly, and its indices are its own"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use membership::customer::{self, CustomerActor, MemberRole, MemberUpdate};
use membership::organization::{self, Command, DEFAULT_TTL, Organization, VerificationStatus};
use membership::policy::{self, PortalCapability};
use membership::{Actor, Email, Permission, Role};

mod support;
use support::{OWNER, customer, member, now, one_of_each_role, organization, organization_events, run, user};

const ROSTERS: [u64; 3] = [10, 10_000, 100_000];
const DECIDE_ROSTERS: [u64; 3] = [10, 1_000, 100_000];

/// The floor: a hand-written `[u16; 4]` bit test, indexed by role.
const BARE: [u16; 4] = {
    let mut bits = [0u16; 4];
    let mut r = 0;
    while r < 4 {
        let mut p = 0;
        while p < 16 {
            if Role::ALL[r].can(Permission::ALL[p]) {
                bits[r] |= 1 << p;
            }
            p += 1;
        }
        r += 1;
    }
    bits
};

fn matrix(c: &mut Criterion) {
    let mut group = c.benchmark_group("matrix");
    let cells: Vec<(Role, Permission)> =
        Role::ALL.into_iter().flat_map(|r| Permission::ALL.into_iter().map(move |p| (r, p))).collect();
    group.bench_function("role_can/all_cells", |b| {
        b.iter(|| {
            let mut allowed = 0u32;
            for &(role, permission) in &cells {
                allowed += u32::from(black_box(role).can(black_box(permission)));
            }
            assert_eq!(allowed, 51);
        });
    });
    group.bench_function("bare_u16x4/all_cells", |b| {
        b.iter(|| {
            let mut allowed = 0u32;
            for &(role, permission) in &cells {
                let bits = BARE[black_box(role) as usize];
                allowed += u32::from(bits & (1 << black_box(permission) as u8) != 0);
            }
            assert_eq!(allowed, 51);
        });
    });
    group.bench_function("roles_holding/all_permissions", |b| {
        b.iter(|| {
            let mut holders = 0;
            for permission in Permission::ALL {
                holders += policy::roles_holding(black_box(permission)).count();
            }
            assert_eq!(holders, 51);
        });
    });
    let portal_cells: Vec<(MemberRole, PortalCapability)> =
        MemberRole::ALL.into_iter().flat_map(|r| PortalCapability::ALL.into_iter().map(move |c| (r, c))).collect();
    group.bench_function("portal_can/all_cells", |b| {
        b.iter(|| {
            let mut allowed = 0u32;
            for &(role, capability) in &portal_cells {
                allowed += u32::from(black_box(role).can(black_box(capability)));
            }
            assert_eq!(allowed, 25);
        });
    });
    group.finish();
}

/// The full check a service makes: actor + organization + permission → allow or the typed
/// denial. Each iteration walks every cell of the matrix for one case, so no lucky cell.
fn full_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    for size in ROSTERS {
        let org = organization(size);
        let members = one_of_each_role();
        let allowed: Vec<_> = members
            .iter()
            .flat_map(|&(user, role)| Permission::ALL.into_iter().filter(move |p| role.can(*p)).map(move |p| (user, p)))
            .collect();
        let denied: Vec<_> = members
            .iter()
            .flat_map(|&(user, role)| {
                Permission::ALL.into_iter().filter(move |p| !role.can(*p)).map(move |p| (user, p))
            })
            .collect();
        // A different stranger for each permission: one unlucky probe sequence is not the case.
        let strangers: Vec<_> = (0..16).zip(Permission::ALL).map(|(n, p)| (user(u64::MAX - n), p)).collect();
        for (case, cells, expect_ok) in
            [("allowed", allowed, true), ("denied", denied, false), ("non_member", strangers, false)]
        {
            group.bench_with_input(BenchmarkId::new(case, size), &cells, |b, cells| {
                b.iter(|| {
                    for &(user, permission) in cells {
                        let result = organization::check(&org, Actor::User(black_box(user)), black_box(permission));
                        assert_eq!(result.is_ok(), expect_ok);
                    }
                });
            });
        }
    }
    group.finish();
}

fn decide_organization(c: &mut Criterion) {
    let mut group = c.benchmark_group("org/decide");
    let at = now();
    for size in DECIDE_ROSTERS {
        let mut org = organization(size);
        let member = user(3);
        let (invitee, invitee_email) = (user(u64::MAX - 1), Email::parse("invitee@example.com").unwrap());
        let invitation_id = uuid::Uuid::from_u128(0x1_0001).into();
        run(
            &mut org,
            Command::Invite { invitation_id, email: invitee_email.clone(), ttl: DEFAULT_TTL },
            Actor::User(OWNER),
        );
        let with_offer = {
            let mut org = org.clone();
            let offer = Command::OfferOwnership {
                offer_id: uuid::Uuid::from_u128(0x2_0001).into(),
                to: member,
                verification: VerificationStatus::Verified,
                ttl: DEFAULT_TTL,
            };
            run(&mut org, offer, Actor::User(OWNER));
            org
        };
        let cases: [(&str, &Organization, Command, Actor, usize); 7] = [
            (
                "invite",
                &org,
                Command::Invite {
                    invitation_id: uuid::Uuid::from_u128(0x1_0002).into(),
                    email: Email::parse("new@example.com").unwrap(),
                    ttl: DEFAULT_TTL,
                },
                Actor::User(OWNER),
                1,
            ),
            (
                "accept",
                &org,
                Command::AcceptInvitation { invitation_id, email: invitee_email.clone() },
                Actor::User(invitee),
                2,
            ),
            ("change_role", &org, Command::ChangeRole { user_id: member, role: Role::Admin }, Actor::User(OWNER), 1),
            ("remove", &org, Command::RemoveMember { user_id: member }, Actor::User(user(1)), 1),
            ("leave", &org, Command::Leave, Actor::User(member), 1),
            (
                "offer_ownership",
                &org,
                Command::OfferOwnership {
                    offer_id: uuid::Uuid::from_u128(0x2_0002).into(),
                    to: member,
                    verification: VerificationStatus::Verified,
                    ttl: DEFAULT_TTL,
                },
                Actor::User(OWNER),
                1,
            ),
            (
                "accept_ownership",
                &with_offer,
                Command::AcceptOwnershipOffer {
                    offer_id: uuid::Uuid::from_u128(0x2_0001).into(),
                    verification: VerificationStatus::Verified,
                },
                Actor::User(member),
                2,
            ),
        ];
        for (name, state, command, actor, events) in cases {
            // The same decision on a view holding only the plan's rows, as a store makes it.
            let reads = organization::plan(&command, actor, at);
            let view = organization::Prefetched::prefetch(state, &reads).unwrap();
            time_decision(&mut group, name, size, command.clone(), events, |command| {
                organization::decide(state, command, black_box(actor), at)
            });
            time_decision(&mut group, &format!("{name}_prefetched"), size, command, events, |command| {
                organization::decide(&view, command, black_box(actor), at)
            });
        }
    }
    group.finish();
}

/// Times one decision: the command is cloned before and the events dropped after the timed
/// part (both are the caller's), the time is read once, and the number of events is
/// checked inside the loop.
fn time_decision<C: Clone, Ev>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    size: u64,
    command: C,
    events: usize,
    decide: impl Fn(C) -> Result<Vec<Ev>, membership::Error>,
) {
    group.bench_with_input(BenchmarkId::new(name, size), &command, |b, command| {
        b.iter_batched(
            || command.clone(),
            |command| {
                let decided = decide(command).unwrap();
                assert_eq!(decided.len(), events);
                decided
            },
            criterion::BatchSize::SmallInput,
        );
    });
}

fn decide_customer(c: &mut Criterion) {
    let mut group = c.benchmark_group("customer/decide");
    let at = now();
    for size in DECIDE_ROSTERS {
        let account = customer(size);
        let target = member(1);
        let cases: [(&str, customer::Command, usize); 4] = [
            (
                "add",
                customer::Command::AddMember {
                    member_id: member(u64::MAX),
                    email: Email::parse("new@example.com").unwrap(),
                    name: None,
                    external_id: None,
                    role: MemberRole::Member,
                },
                1,
            ),
            (
                "update",
                customer::Command::UpdateMember {
                    member_id: target,
                    update: MemberUpdate { name: membership::Name::parse("Pat").unwrap(), ..MemberUpdate::default() },
                },
                1,
            ),
            (
                "transfer",
                customer::Command::UpdateMember {
                    member_id: target,
                    update: MemberUpdate { role: Some(MemberRole::Owner), ..MemberUpdate::default() },
                },
                1,
            ),
            ("delete", customer::Command::DeleteMember { member_id: target }, 1),
        ];
        for (name, command, events) in cases {
            let reads = customer::plan(&command, CustomerActor::System);
            let view = customer::Prefetched::prefetch(&account, &reads).unwrap();
            time_decision(&mut group, name, size, command.clone(), events, |command| {
                account.decide(command, black_box(CustomerActor::System), at)
            });
            time_decision(&mut group, &format!("{name}_prefetched"), size, command, events, |command| {
                customer::decide(&view, command, black_box(CustomerActor::System), at)
            });
        }
    }
    group.finish();
}

fn apply_and_replay(c: &mut Criterion) {
    let mut group = c.benchmark_group("org");
    let events = organization_events(100_000);
    group.throughput(criterion::Throughput::Elements(events.len() as u64));
    group.sample_size(10);
    group.bench_function("replay/100000", |b| {
        b.iter(|| {
            let org = Organization::replay(black_box(&events)).unwrap();
            assert_eq!(org.member_count(), 100_000);
            org
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = matrix, full_check, decide_organization, decide_customer, apply_and_replay
}
criterion_main!(benches);
