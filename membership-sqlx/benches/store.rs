//! The SQLite store beside hand-written SQL on the same database file and durability
//! (`journal_mode = WAL`, `synchronous = FULL`): each command beside its write floor (the
//! same rows written by hand in one `BEGIN IMMEDIATE` transaction), `check` beside a bare
//! indexed `SELECT`, at 10 and 100,000 members.
//!
//! Run with `cargo bench -p membership-sqlx --bench store`; ids read `group/case/members`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a bench fails loudly")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use membership::customer::{self, Customer, CustomerKind, MemberUpdate, Merchant, OwnerMember};
use membership::organization::{Command, Organization};
use membership::{Actor, CustomerId, Email, MemberId, Name, OrganizationId, Permission, Role, Timestamp, UserId};
use membership_sqlx::Store;
use tokio::runtime::Runtime;
use uuid::Uuid;

const SIZES: [u64; 2] = [10, 100_000];
const ORG: OrganizationId = OrganizationId::new(Uuid::from_u128(0xA));
const CUSTOMER: CustomerId = CustomerId::new(Uuid::from_u128(0xC));

fn user(n: u64) -> UserId {
    UserId::new(Uuid::from_u128(0x1_0000_0000 + u128::from(n)))
}

fn member(n: u64) -> MemberId {
    MemberId::new(Uuid::from_u128(0x2_0000_0000 + u128::from(n)))
}

fn now() -> Timestamp {
    Timestamp::parse("2025-01-01T00:00:00Z").unwrap()
}

/// A store with an organization and a customer of `size` members each: user 1 owns the
/// organization, user 2 is the member whose role the bench changes; member 2 the customer
/// member whose name it changes. The bulk is written straight into the tables.
async fn setup(size: u64) -> Store {
    let path = std::env::temp_dir().join(format!("membership-bench-{}.db", Uuid::new_v4()));
    let store = Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let email = |text: String| Email::parse(&text).unwrap();
    let create = Command::Create { email: email("u1@example.com".into()) };
    store.execute::<Organization>(ORG, create, Actor::User(user(1)), now()).await.unwrap();
    let add = Command::AddMember { user_id: user(2), email: email("u2@example.com".into()) };
    store.execute::<Organization>(ORG, add, Actor::System, now()).await.unwrap();
    let create = customer::Command::Create {
        organization_id: ORG,
        kind: CustomerKind::Team,
        email: Some(email("billing@acme.example".into())),
        name: None,
        external_id: None,
        owner: OwnerMember { member_id: member(1), email: None, name: None, external_id: None },
    };
    let token = customer::CustomerActor::Merchant(Merchant::token(ORG));
    store.execute::<Customer>(CUSTOMER, create, token, now()).await.unwrap();
    let add = customer::Command::AddMember {
        member_id: member(2),
        email: email("m2@acme.example".into()),
        name: None,
        external_id: None,
        role: membership::customer::MemberRole::Member,
    };
    store.execute::<Customer>(CUSTOMER, add, token, now()).await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    for n in 3..=size {
        sqlx::query(
            "INSERT INTO memberships (organization_id, user_id, email, email_folded, role, created_at) \
             VALUES ($1, $2, $3, $3, 'member', 0)",
        )
        .bind(ORG.to_string())
        .bind(user(n).to_string())
        .bind(format!("u{n}@bulk.example"))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO members (organization_id, customer_id, id, created_at, modified_at, email, email_folded, name, \
             external_id, role, deleted, ord) VALUES ($1, $2, $3, 0, NULL, $4, $4, NULL, NULL, 'member', 0, $5)",
        )
        .bind(ORG.to_string())
        .bind(CUSTOMER.to_string())
        .bind(member(n).to_string())
        .bind(format!("m{n}@bulk.example"))
        .bind(i64::try_from(n).unwrap() + 1_000)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    // The customer row counts its active members, as the store keeps it.
    sqlx::query("UPDATE customers SET member_count = (SELECT COUNT(*) FROM members WHERE customer_id = $1 AND deleted = 0) WHERE id = $1")
        .bind(CUSTOMER.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store
}

/// The floor of a role change: the version read and the same writes, by hand.
async fn floor_change_role(store: &Store, version: i64, role: Role) {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query("SELECT version FROM organizations WHERE id = $1")
        .bind(ORG.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE organizations SET version = version + 1 WHERE id = $1")
        .bind(ORG.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO journal (organization_id, aggregate, stream_id, version, event_type, schema_version, at, body) \
         VALUES ($1, 'floor', $1, $2, 'organization.member_role_changed', 2, 0, $3)",
    )
    .bind(ORG.to_string())
    .bind(version)
    .bind(r#"{"organization_id":"00000000-0000-0000-0000-00000000000a","version":3,"at":"2025-01-01T00:00:00Z","actor":{"kind":"user","id":"00000000-0000-0000-0000-000100000001"},"type":"organization.member_role_changed","user_id":"00000000-0000-0000-0000-000100000002","from":"member","to":"admin"}"#)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE memberships SET role = $1 WHERE organization_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(ORG.to_string())
        .bind(user(2).to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The floor of a member rename: the version read and the same writes (journal, member row,
/// outbox), by hand.
async fn floor_rename(store: &Store, version: i64, name: &str) {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query("SELECT version FROM customers WHERE id = $1")
        .bind(CUSTOMER.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE customers SET version = version + 1 WHERE id = $1")
        .bind(CUSTOMER.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let body =
        format!(r#"{{"type":"customer.member_updated","member":{{"name":"{name}","email":"m2@acme.example"}}}}"#);
    sqlx::query(
        "INSERT INTO journal (organization_id, aggregate, stream_id, version, event_type, schema_version, at, body) \
         VALUES ($1, 'floor', $2, $3, 'customer.member_updated', 2, 0, $4)",
    )
    .bind(ORG.to_string())
    .bind(CUSTOMER.to_string())
    .bind(version)
    .bind(body.clone())
    .execute(&mut *tx)
    .await
    .unwrap();
    // Every field a member update can change, keyed by tenant, customer and id: the row
    // effect the store projects.
    sqlx::query(
        "UPDATE members SET modified_at = $1, email = $2, email_folded = $3, name = $4, role = $5 \
         WHERE organization_id = $6 AND customer_id = $7 AND id = $8",
    )
    .bind(0i64)
    .bind("m2@acme.example")
    .bind("m2@acme.example")
    .bind(name.to_owned())
    .bind("member")
    .bind(ORG.to_string())
    .bind(CUSTOMER.to_string())
    .bind(member(2).to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox (id, organization_id, aggregate, stream_id, version, topic, member_id, payload, attempts, \
         due_at, claimed_until, dispatched_at) VALUES ($1, $2, 'floor', $3, $4, 'member.updated', $5, $6, 0, 0, NULL, NULL)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(ORG.to_string())
    .bind(CUSTOMER.to_string())
    .bind(version)
    .bind(member(2).to_string())
    .bind(body)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn commands(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let mut group = c.benchmark_group("sqlite");
    group.sample_size(30).measurement_time(Duration::from_secs(4));
    for size in SIZES {
        let store = runtime.block_on(setup(size));
        let mut turn = 0u64;
        group.bench_function(BenchmarkId::new("change_role/store", size), |b| {
            b.to_async(&runtime).iter(|| {
                turn += 1;
                let role = if turn.is_multiple_of(2) { Role::Member } else { Role::Admin };
                let store = &store;
                async move {
                    let command = Command::ChangeRole { user_id: user(2), role };
                    let events =
                        store.execute::<Organization>(ORG, command, Actor::User(user(1)), now()).await.unwrap().events;
                    assert_eq!(events.len(), 1);
                }
            });
        });
        let mut version = 0i64;
        group.bench_function(BenchmarkId::new("change_role/floor", size), |b| {
            b.to_async(&runtime).iter(|| {
                version += 1;
                let role = if version % 2 == 0 { Role::Member } else { Role::Admin };
                floor_change_role(&store, version, role)
            });
        });
        let mut turn = 0u64;
        group.bench_function(BenchmarkId::new("rename_member/store", size), |b| {
            b.to_async(&runtime).iter(|| {
                turn += 1;
                let name = Name::parse(if turn.is_multiple_of(2) { "Ann" } else { "Bo" }).unwrap();
                let store = &store;
                async move {
                    let update = MemberUpdate { name, ..MemberUpdate::default() };
                    let command = customer::Command::UpdateMember { member_id: member(2), update };
                    let token = customer::CustomerActor::Merchant(Merchant::token(ORG));
                    let events = store.execute::<Customer>(CUSTOMER, command, token, now()).await.unwrap().events;
                    assert_eq!(events.len(), 1);
                }
            });
        });
        let mut version = 0i64;
        group.bench_function(BenchmarkId::new("rename_member/floor", size), |b| {
            b.to_async(&runtime).iter(|| {
                version += 1;
                let name = if version % 2 == 0 { "Ann" } else { "Bo" };
                floor_rename(&store, version, name)
            });
        });
        group.bench_function(BenchmarkId::new("check/store", size), |b| {
            b.to_async(&runtime).iter(|| async {
                store.check(ORG, Actor::User(black_box(user(2))), Permission::MembersRead).await.unwrap();
            });
        });
        group.bench_function(BenchmarkId::new("check/select", size), |b| {
            b.to_async(&runtime).iter(|| async {
                let row = sqlx::query("SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2")
                    .bind(ORG.to_string())
                    .bind(black_box(user(2)).to_string())
                    .fetch_optional(store.pool())
                    .await
                    .unwrap();
                assert!(row.is_some());
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500));
    targets = commands
}
criterion_main!(benches);
