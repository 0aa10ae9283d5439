//! Concurrent writers against a real database: tasks released together behind a barrier,
//! each on its own pooled connection, and exactly the outcomes a serial order allows, many
//! times over. After each round the database is re-read: one owner, versions contiguous,
//! and the journal replays to exactly the tables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::future::Future;
use std::sync::Arc;

use membership::customer::{self, Customer, MemberRole, MemberUpdate};
use membership::organization::{self, Command, Organization, VerificationStatus};
use membership::{Actor, Role, StreamId, Ttl};
use membership_sqlx::{Store, StoreError};
use support::*;
use tokio::sync::Barrier;

/// How many times each scenario runs (`MEMBERSHIP_ROUNDS` to soak).
fn rounds() -> usize {
    std::env::var("MEMBERSHIP_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(8)
}

/// Runs `tasks` futures at once, released together.
async fn race<T: Send + 'static, F: Future<Output = T> + Send + 'static>(tasks: Vec<F>) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(tasks.len()));
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                task.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

type OrgResult = Result<Vec<organization::Event>, StoreError>;
type CustomerResult = Result<Vec<customer::Event>, StoreError>;

fn org_task(store: &Store, actor: Actor, command: Command) -> impl Future<Output = OrgResult> + Send + 'static {
    let store = store.clone();
    async move { store.execute::<Organization>(org(1), command, actor, at(5)).await.map(|outcome| outcome.events) }
}

fn customer_task(store: &Store, command: customer::Command) -> impl Future<Output = CustomerResult> + Send + 'static {
    let store = store.clone();
    async move {
        store.execute::<Customer>(customer_id(1), command, token(org(1)), at(5)).await.map(|outcome| outcome.events)
    }
}

/// What must hold after every round: the invariants, contiguous versions, journal ≡ tables.
async fn assert_sound(store: &Store) {
    assert_consistent(store).await;
    let owners = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE organization_id = $1 AND role = 'owner'")
        .bind(org(1).to_string())
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sqlx::Row::try_get::<i64, _>(&owners, "n").unwrap(), 1, "exactly one owner");
    for stream in [StreamId::Organization(org(1)), StreamId::Customer(customer_id(1))] {
        let rows = sqlx::query("SELECT version FROM journal WHERE aggregate = $1 AND stream_id = $2 ORDER BY version")
            .bind(stream.type_name())
            .bind(stream.as_uuid().to_string())
            .fetch_all(store.pool())
            .await
            .unwrap();
        for (expected, row) in (1..).zip(&rows) {
            assert_eq!(sqlx::Row::try_get::<i64, _>(row, "version").unwrap(), expected, "versions contiguous");
        }
    }
}

fn code(result: &Result<impl Sized, StoreError>) -> &'static str {
    result.as_ref().err().map_or("ok", StoreError::code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_7_two_admins_removing_each_other_one_wins() {
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 3, Role::Admin).await;
        let results = race(vec![
            org_task(&store, Actor::User(user(2)), Command::RemoveMember { user_id: user(3) }),
            org_task(&store, Actor::User(user(3)), Command::RemoveMember { user_id: user(2) }),
        ])
        .await;
        // Serially, the second remover is no longer a member: invisible organization.
        let mut codes: Vec<_> = results.iter().map(code).collect();
        codes.sort_unstable();
        assert_eq!(codes, ["ok", "organization_not_found"]);
        assert_eq!(store.team(org(1)).await.unwrap().len(), 2);
        assert_sound(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_5_the_same_invitation_accepted_twice_joins_once() {
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 1, Role::Member).await;
        let id = uuid::Uuid::from_u128(7).into();
        org_ok(
            &store,
            org(1),
            Actor::User(user(1)),
            Command::Invite { invitation_id: id, email: email_of(user(7)), ttl: Ttl::DEFAULT },
        )
        .await;
        let accept = Command::AcceptInvitation { invitation_id: id, email: email_of(user(7)) };
        let results = race(vec![
            org_task(&store, Actor::User(user(7)), accept.clone()),
            org_task(&store, Actor::User(user(7)), accept),
        ])
        .await;
        // Serially: the first joins (two events), the second finds it done (none).
        let mut sizes: Vec<_> = results.into_iter().map(|result| result.unwrap().len()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, [0, 2]);
        assert_eq!(store.team(org(1)).await.unwrap().len(), 2);
        assert_sound(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_10_sixteen_concurrent_transfers_leave_one_owner() {
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 17, Role::Member).await;
        let transfers = (2..=17)
            .map(|n| {
                let command = Command::TransferOwnership { to: user(n), verification: VerificationStatus::Verified };
                org_task(&store, Actor::Staff, command)
            })
            .collect();
        // Every serial order lets each transfer through, to a member who is not the owner.
        let results = race(transfers).await;
        assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().map(code).collect::<Vec<_>>());
        // The owner is the last transfer's target.
        let last =
            results.iter().flat_map(|result| result.as_ref().unwrap()).max_by_key(|event| event.version).unwrap();
        let organization::Change::OwnershipTransferred { to, .. } = last.change else { panic!("{last:?}") };
        let team = store.team(org(1)).await.unwrap();
        assert_eq!((team[0].0.user_id, team[0].1), (to, Role::Owner));
        assert_sound(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cus_4_sixteen_concurrent_promotions_leave_one_owner() {
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 1, Role::Member).await;
        team_customer(&store, org(1), customer_id(1), 17).await;
        let promotions = (2..=17)
            .map(|n| {
                let update = MemberUpdate { role: Some(MemberRole::Owner), ..MemberUpdate::default() };
                customer_task(&store, customer::Command::UpdateMember { member_id: member(n), update })
            })
            .collect();
        let results = race(promotions).await;
        assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().map(code).collect::<Vec<_>>());
        let last =
            results.iter().flat_map(|result| result.as_ref().unwrap()).max_by_key(|event| event.version).unwrap();
        let customer::Change::MemberOwnershipTransferred { to, .. } = &last.change else { panic!("{last:?}") };
        let customer = store.customer(customer_id(1)).await.unwrap().unwrap();
        assert_eq!(customer.owner().map(|owner| owner.id), Some(to.id));
        assert_eq!(customer.members().iter().filter(|m| m.role == MemberRole::Owner).count(), 1);
        assert_sound(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cus_3_concurrent_adds_of_case_variants_of_one_email_add_one_member() {
    let variants = ["dup@acme.example", "Dup@Acme.example", "DUP@ACME.EXAMPLE", "dUp@aCmE.example"];
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 1, Role::Member).await;
        team_customer(&store, org(1), customer_id(1), 1).await;
        let adds = (0..16)
            .map(|n| {
                customer_task(
                    &store,
                    customer::Command::AddMember {
                        member_id: member(100 + n),
                        email: email(variants[usize::try_from(n).unwrap() % variants.len()]),
                        name: None,
                        external_id: None,
                        role: MemberRole::Member,
                    },
                )
            })
            .collect();
        // Serially: the first creates the member, the rest find it (no events).
        let results = race(adds).await;
        let mut sizes: Vec<_> = results.into_iter().map(|result| result.unwrap().len()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, [vec![0; 15], vec![1]].concat());
        let customer = store.customer(customer_id(1)).await.unwrap().unwrap();
        assert_eq!(customer.member_count(), 2);
        assert_sound(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_8_the_owner_leaving_while_ownership_is_offered() {
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 2, Role::Admin).await;
        let offer_id = uuid::Uuid::from_u128(9).into();
        let offer = Command::OfferOwnership {
            offer_id,
            to: user(2),
            verification: VerificationStatus::Verified,
            ttl: Ttl::DEFAULT,
        };
        org_ok(&store, org(1), Actor::User(user(1)), offer).await;
        let results = race(vec![
            org_task(
                &store,
                Actor::User(user(2)),
                Command::AcceptOwnershipOffer { offer_id, verification: VerificationStatus::Verified },
            ),
            org_task(&store, Actor::User(user(1)), Command::Leave),
        ])
        .await;
        // The accept always succeeds; the leave only if it came after (then user 1 is an admin).
        assert_eq!(code(&results[0]), "ok");
        let team = store.team(org(1)).await.unwrap();
        assert_eq!((team[0].0.user_id, team[0].1), (user(2), Role::Owner));
        match code(&results[1]) {
            "ok" => assert_eq!(team.len(), 1),
            "owner_cannot_leave" => assert_eq!(team.len(), 2),
            other => panic!("no serial order gives {other}"),
        }
        assert_sound(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_13_a_sweep_racing_an_accept() {
    for _ in 0..rounds() {
        let store = fresh_store().await;
        team(&store, org(1), 1, Role::Member).await;
        let id = uuid::Uuid::from_u128(7).into();
        // Open at 0, expired from minute 1: the race runs at minute 5.
        let invite = Command::Invite { invitation_id: id, email: email_of(user(7)), ttl: Ttl::from_secs(60).unwrap() };
        org_ok(&store, org(1), Actor::User(user(1)), invite).await;
        let results = race(vec![
            org_task(&store, Actor::System, Command::Sweep),
            org_task(
                &store,
                Actor::User(user(7)),
                Command::AcceptInvitation { invitation_id: id, email: email_of(user(7)) },
            ),
        ])
        .await;
        assert_eq!(results[0].as_ref().unwrap().len(), 1, "the sweep expires it either way");
        assert!(matches!(code(&results[1]), "invitation_expired" | "invitation_not_open"), "{}", code(&results[1]));
        assert_eq!(store.team(org(1)).await.unwrap().len(), 1);
        assert_sound(&store).await;
    }
}

/// A service's own writes (its tokens, sessions, profiles) share the database with the
/// store's commands. Through `begin_write` they take the store's one way in, in order with
/// the commands: 24 of them released together with 8 commands (twice the pool) all
/// commit, every round,
/// and one dropped without its commit leaves nothing. (Plain pooled writes pass this too
/// at this size; it was the load bench, 16 clients for 3 s on a busy machine, that had
/// them answered "database is locked" once SQLite's busy timeout passed.)
#[tokio::test]
async fn a_services_own_writes_through_begin_write_commit_beside_commands() {
    let store = fresh_store().await;
    sqlx::raw_sql("CREATE TABLE service_rows (id TEXT PRIMARY KEY, n BIGINT NOT NULL)")
        .execute(store.pool())
        .await
        .unwrap();
    team(&store, org(1), 1, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 1).await;
    for round in 0..rounds() {
        let mut writes = Vec::new();
        for n in 0..24 {
            let store = store.clone();
            writes.push(async move {
                let mut tx = store.begin_write().await?;
                sqlx::query("INSERT INTO service_rows (id, n) VALUES ($1, $2)")
                    .bind(format!("{round}-{n}"))
                    .bind(i64::from(n))
                    .execute(tx.conn()?)
                    .await?;
                tx.commit().await
            });
        }
        let mut commands = Vec::new();
        for n in 0..8u128 {
            let command = customer::Command::AddMember {
                member_id: member(1000 * (round as u128 + 1) + n),
                email: email(&format!("r{round}n{n}@example.com")),
                name: None,
                external_id: None,
                role: MemberRole::Member,
            };
            commands.push(customer_task(&store, command));
        }
        let (writes, commands) = tokio::join!(race(writes), race(commands));
        assert!(writes.iter().all(Result::is_ok), "{writes:?}");
        assert!(commands.iter().all(Result::is_ok), "{commands:?}");
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_rows").fetch_one(store.pool()).await.unwrap();
    assert_eq!(rows, i64::try_from(24 * rounds()).unwrap());
    // A transaction dropped without its commit leaves nothing.
    let mut tx = store.begin_write().await.unwrap();
    sqlx::query("INSERT INTO service_rows (id, n) VALUES ('dropped', 0)").execute(tx.conn().unwrap()).await.unwrap();
    drop(tx);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_rows").fetch_one(store.pool()).await.unwrap();
    assert_eq!(rows, i64::try_from(24 * rounds()).unwrap());
    assert_consistent(&store).await;
}
