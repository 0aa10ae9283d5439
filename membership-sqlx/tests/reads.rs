//! Point reads outside a command (a member, a customer's row, the access checks): on an
//! SQLite file they run on the caller's thread, on PostgreSQL through the pool. Either way
//! they see every committed write at once and nothing uncommitted, never wait for the
//! writer, answer a corrupt row as `corrupt_row`, and let other tasks run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::time::Duration;

use membership::customer::{self, CustomerActor, MemberRole, MemberUpdate};
use membership::policy::PortalCapability;
use membership::{Actor, Permission, Role};
use support::*;

/// Every change a command commits is what the next read answers, with no delay, many
/// times over (a reader that kept an old snapshot would fail here).
#[tokio::test]
async fn store_point_reads_see_each_committed_command_at_once() {
    let store = fresh_store().await;
    team_customer(&store, org(1), customer_id(1), 1).await;
    for n in 2..=20 {
        assert_eq!(store.member(customer_id(1), member(n)).await.unwrap(), None);
        add_member(&store, org(1), customer_id(1), n).await;
        let read = store.member(customer_id(1), member(n)).await.unwrap().expect("the member just added");
        assert_eq!(read.role, MemberRole::Member);
        let promote = customer::Command::UpdateMember {
            member_id: member(n),
            update: MemberUpdate { role: Some(MemberRole::BillingManager), ..MemberUpdate::default() },
        };
        store.execute::<customer::Customer>(customer_id(1), promote, token(org(1)), at(0)).await.unwrap();
        assert_eq!(store.member(customer_id(1), member(n)).await.unwrap().unwrap().role, MemberRole::BillingManager);
        let (version, _) = store.customer_profile(customer_id(1)).await.unwrap().unwrap();
        assert_eq!(version, u64::try_from(2 * n - 1).unwrap(), "one version per command");
    }
}

/// A reader does not wait for a write in progress and does not see it: it answers what
/// was committed before, and the change once it commits.
#[tokio::test]
async fn store_point_reads_answer_the_committed_row_while_a_write_is_open() {
    let store = fresh_store().await;
    team_customer(&store, org(1), customer_id(1), 2).await;
    let mut write = store.begin_write().await.unwrap();
    sqlx::query("UPDATE members SET role = 'billing_manager' WHERE id = $1")
        .bind(member(2).to_string())
        .execute(write.conn().unwrap())
        .await
        .unwrap();
    let read = tokio::time::timeout(Duration::from_secs(1), store.member(customer_id(1), member(2)))
        .await
        .expect("a read does not wait for the writer");
    assert_eq!(read.unwrap().unwrap().role, MemberRole::Member, "nothing uncommitted is read");
    write.commit().await.unwrap();
    assert_eq!(store.member(customer_id(1), member(2)).await.unwrap().unwrap().role, MemberRole::BillingManager);
}

/// A stored value of the wrong form is `corrupt_row` from every point read, naming the
/// table and the column.
#[tokio::test]
async fn store_point_reads_of_a_corrupt_row_answer_corrupt_row() {
    let store = fresh_store().await;
    team(&store, org(1), 2, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 2).await;
    let corrupt = [
        "UPDATE members SET role = 'overlord' WHERE id = $1",
        "UPDATE customers SET kind = 'conglomerate' WHERE id = $1",
        "UPDATE memberships SET role = 'overlord' WHERE user_id = $1",
    ];
    let ids = [member(2).to_string(), customer_id(1).to_string(), user(2).to_string()];
    for (statement, id) in corrupt.iter().zip(&ids) {
        sqlx::query(*statement).bind(id).execute(store.pool()).await.unwrap();
    }
    let portal = CustomerActor::Portal { member_id: member(1) };
    let errors = [
        store.member(customer_id(1), member(2)).await.unwrap_err(),
        store.customer_profile(customer_id(1)).await.unwrap_err(),
        store.check_customer_read(customer_id(1), token(org(1))).await.unwrap_err(),
        store.check_portal(customer_id(1), portal, PortalCapability::ManageMembers).await.unwrap_err(),
        store.check(org(1), Actor::User(user(2)), Permission::CustomersRead).await.unwrap_err(),
    ];
    let named = ["members", "customers", "customers", "customers", "memberships"];
    for (error, table) in errors.iter().zip(named) {
        assert_eq!(error.code(), "corrupt_row", "{error}");
        assert!(error.to_string().contains(table), "{error} names {table}");
    }
    // The rows a read does not touch still read.
    assert_eq!(store.member(customer_id(1), member(1)).await.unwrap().unwrap().role, MemberRole::Owner);
}

/// A loop of reads gives its thread back now and then, so a task beside it runs: on a
/// one-thread runtime the spawned task finishes before the loop does.
#[tokio::test(flavor = "current_thread")]
async fn store_a_loop_of_point_reads_lets_other_tasks_run() {
    let store = fresh_store().await;
    team_customer(&store, org(1), customer_id(1), 1).await;
    let beside = tokio::spawn(async {});
    for _ in 0..1_000 {
        store.member(customer_id(1), member(1)).await.unwrap().unwrap();
        if beside.is_finished() {
            return;
        }
    }
    panic!("a thousand reads never let the task beside them run");
}

/// ORG-2 through the store's point read: a user who is not a member and a token of another
/// organization are told the organization does not exist, before any permission is
/// weighed; a member without the permission is refused it; the organization's own token
/// passes.
#[tokio::test]
async fn org_2_the_stores_check_hides_the_organization_before_it_weighs_the_permission() {
    let store = fresh_store().await;
    team(&store, org(1), 2, Role::Member).await;
    team(&store, org(2), 1, Role::Member).await;
    let code = |result: Result<(), membership_sqlx::StoreError>| result.unwrap_err().code();
    let manage = Permission::MembersManage;
    assert_eq!(code(store.check(org(1), Actor::User(user(9)), manage).await), "organization_not_found");
    assert_eq!(code(store.check(org(1), Actor::Token(org(2)), manage).await), "organization_not_found");
    assert_eq!(code(store.check(org(1), Actor::User(user(2)), manage).await), "permission_denied");
    store.check(org(1), Actor::User(user(2)), Permission::MembersRead).await.unwrap();
    store.check(org(1), Actor::Token(org(1)), manage).await.unwrap();
    let stranger = store.merchant(org(1), Actor::User(user(9))).await.unwrap_err();
    assert_eq!(stranger.code(), "organization_not_found");
}

/// CUS-8 through the store's point reads, in the rules' order: a session whose member is
/// not active is invalid whatever its role; then the role; then the customer's kind.
#[tokio::test]
async fn cus_8_the_stores_portal_check_answers_in_the_rules_order() {
    let store = fresh_store().await;
    team_customer(&store, org(1), customer_id(1), 3).await;
    let portal = |n| CustomerActor::Portal { member_id: member(n) };
    let manage = PortalCapability::ManageMembers;
    let code = |result: Result<(), membership_sqlx::StoreError>| result.unwrap_err().code();
    assert_eq!(code(store.check_portal(customer_id(1), portal(9), manage).await), "member_session_invalid");
    assert_eq!(code(store.check_portal(customer_id(1), portal(2), manage).await), "insufficient_portal_role");
    store.check_portal(customer_id(1), portal(1), manage).await.unwrap();
    // A removed member's session ends at once: the read sees only active members.
    let remove = customer::Command::DeleteMember { member_id: member(3) };
    store.execute::<customer::Customer>(customer_id(1), remove, token(org(1)), at(0)).await.unwrap();
    assert_eq!(code(store.check_portal(customer_id(1), portal(3), manage).await), "member_session_invalid");
    // The owner of an individual customer has the role, and is refused for the kind.
    let individual = customer::Command::Create {
        organization_id: org(1),
        kind: customer::CustomerKind::Individual,
        email: Some(email("solo@acme.example")),
        name: None,
        external_id: None,
        owner: customer::OwnerMember { member_id: member(5), email: None, name: None, external_id: None },
    };
    store.execute::<customer::Customer>(customer_id(2), individual, token(org(1)), at(0)).await.unwrap();
    assert_eq!(code(store.check_portal(customer_id(2), portal(5), manage).await), "team_customers_only");
}

/// Who acts on a customer (docs/rules.md#customer-access), through the store's point read:
/// a merchant of another organization, and anyone once the customer is deleted, are told
/// it does not exist.
#[tokio::test]
async fn customer_access_another_organization_or_a_deleted_customer_is_customer_not_found() {
    let store = fresh_store().await;
    team_customer(&store, org(1), customer_id(1), 1).await;
    store.check_customer_read(customer_id(1), token(org(1))).await.unwrap();
    let other = store.check_customer_read(customer_id(1), token(org(2))).await.unwrap_err();
    assert_eq!(other.code(), "customer_not_found");
    store.execute::<customer::Customer>(customer_id(1), customer::Command::Delete, token(org(1)), at(0)).await.unwrap();
    let deleted = store.check_customer_read(customer_id(1), token(org(1))).await.unwrap_err();
    assert_eq!(deleted.code(), "customer_not_found");
}
