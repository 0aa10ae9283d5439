//! The first page of a member list (limit 10, newest first) with its `total_count`, on
//! SQLite, at 10, 10,000 and 1,000,000 members: one customer's (`Store::members_page`) and
//! the organization's (`Store::organization_members_page`), where the one customer holds
//! every member of the organization.
//!
//! The bulk is seeded by hand in one transaction, each row a copy of a member row the store
//! itself wrote (new ids, emails and `created_at`), and the customer row's `member_count`
//! set to match; seeding through `execute` would take hours at 1,000,000.
//!
//! Run with `cargo bench -p membership-sqlx --bench list`; ids read `list/case/members`.
//! `-- --test` (CI) runs each case once at 10 members only.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a bench fails loudly")]

use std::num::NonZeroU64;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use membership::customer::{self, Customer, CustomerKind, Merchant, OwnerMember};
use membership::organization::{Command, Organization};
use membership::wire::{Paging, Sorting};
use membership::{Actor, CustomerId, Email, MemberId, OrganizationId, Timestamp, UserId};
use membership_sqlx::{MemberFilter, Store};
use tokio::runtime::Runtime;
use uuid::Uuid;

const SIZES: [u64; 3] = [10, 10_000, 1_000_000];
const ORG: OrganizationId = OrganizationId::new(Uuid::from_u128(0xA));
const CUSTOMER: CustomerId = CustomerId::new(Uuid::from_u128(0xC));
/// The member the store writes itself, whose row the bulk copies.
const TEMPLATE: u128 = 0x2_0000_0002;

fn member(n: u128) -> MemberId {
    MemberId::new(Uuid::from_u128(n))
}

fn now() -> Timestamp {
    Timestamp::parse("2025-01-01T00:00:00Z").unwrap()
}

fn first_page() -> Paging {
    Paging { page: NonZeroU64::MIN, limit: NonZeroU64::new(10).unwrap(), sorting: Sorting::NewestFirst }
}

/// Whether criterion runs each bench once, untimed (`cargo bench -- --test`, as CI does).
fn test_mode() -> bool {
    std::env::args().any(|arg| arg == "--test")
}

/// A store whose organization has one customer of `size` active members: the owner and
/// one member through `execute`, the rest copies of that member's row.
async fn setup(size: u64) -> (Store, PathBuf) {
    let path = std::env::temp_dir().join(format!("membership-list-bench-{}.db", Uuid::new_v4()));
    let store = Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
    let email = |text: &str| Email::parse(text).unwrap();
    let create = Command::Create { email: email("u1@example.com") };
    let owner = UserId::new(Uuid::from_u128(0x1_0000_0001));
    store.execute::<Organization>(ORG, create, Actor::User(owner), now()).await.unwrap();
    let create = customer::Command::Create {
        organization_id: ORG,
        kind: CustomerKind::Team,
        email: Some(email("billing@acme.example")),
        name: None,
        external_id: None,
        owner: OwnerMember { member_id: member(0x2_0000_0001), email: None, name: None, external_id: None },
    };
    let token = customer::CustomerActor::Merchant(Merchant::token(ORG));
    store.execute::<Customer>(CUSTOMER, create, token, now()).await.unwrap();
    let add = customer::Command::AddMember {
        member_id: member(TEMPLATE),
        email: email("m2@acme.example"),
        name: None,
        external_id: None,
        role: customer::MemberRole::Member,
    };
    store.execute::<Customer>(CUSTOMER, add, token, now()).await.unwrap();
    // Members 3..=size: the template row with the id's last digits, the email and the
    // creation time (a microsecond apart, newer than the template) taken from n, and the
    // creation order past the journal's.
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query(
        "WITH RECURSIVE seq(n) AS (SELECT 3 WHERE 3 <= $1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) \
         INSERT INTO members (organization_id, customer_id, id, created_at, modified_at, email, email_folded, name, \
         external_id, role, deleted, ord) \
         SELECT t.organization_id, t.customer_id, printf('00000000-0000-0000-0000-%012x', $2 + seq.n), \
         t.created_at + seq.n, t.modified_at, printf('m%d@bulk.example', seq.n), printf('m%d@bulk.example', seq.n), \
         t.name, t.external_id, t.role, t.deleted, 1000 + seq.n FROM seq CROSS JOIN members t \
         WHERE t.customer_id = $3 AND t.id = $4",
    )
    .bind(i64::try_from(size).unwrap())
    .bind(0x2_0000_0000_i64)
    .bind(CUSTOMER.to_string())
    .bind(member(TEMPLATE).to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE customers SET member_count = $1 WHERE id = $2")
        .bind(i64::try_from(size).unwrap())
        .bind(CUSTOMER.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // No `ANALYZE`: the planner sees what a store gets out of the box.
    (store, path)
}

fn lists(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let mut group = c.benchmark_group("list");
    group.sample_size(20).measurement_time(Duration::from_secs(3));
    let sizes: &[u64] = if test_mode() { &SIZES[..1] } else { &SIZES };
    for &size in sizes {
        let (store, path) = runtime.block_on(setup(size));
        group.bench_function(BenchmarkId::new("customer", size), |b| {
            b.to_async(&runtime).iter(|| async {
                let page = store.members_page(CUSTOMER, first_page()).await.unwrap();
                assert_eq!((page.items.len(), page.pagination.total_count), (10, size));
            });
        });
        group.bench_function(BenchmarkId::new("organization", size), |b| {
            b.to_async(&runtime).iter(|| async {
                let page = store.organization_members_page(ORG, &MemberFilter::all(), first_page()).await.unwrap();
                assert_eq!((page.items.len(), page.pagination.total_count), (10, size));
            });
        });
        runtime.block_on(store.pool().close());
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500));
    targets = lists
}
criterion_main!(benches);
