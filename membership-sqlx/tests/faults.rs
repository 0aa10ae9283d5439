//! Faults: a transaction that fails halfway leaves nothing behind, a dropped command is
//! applied at most once, a serialization failure at COMMIT is retried and applied once,
//! creation races settle on one stream, a stale expected version is refused, and an event
//! whose row does not take it is refused as corrupt.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use membership::customer::{self, Customer, MemberRole, MemberUpdate};
use membership::organization::{Command, Organization};
use membership::{Actor, Role, Ttl};
use membership_sqlx::{Backend, Store};
use support::*;
use tokio::sync::Barrier;

async fn journal_length(store: &Store) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM journal").fetch_one(store.pool()).await.unwrap();
    sqlx::Row::try_get(&row, "n").unwrap()
}

/// A trigger that fails every insert of a membership for `boom@example.com`.
async fn install_boom(store: &Store) {
    let statements: &[&'static str] = match store.backend() {
        Backend::Sqlite => &["CREATE TRIGGER boom BEFORE INSERT ON memberships WHEN NEW.email = 'boom@example.com' \
              BEGIN SELECT RAISE(ABORT, 'injected fault'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN \
               IF NEW.email = 'boom@example.com' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; \
             END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON memberships FOR EACH ROW EXECUTE FUNCTION boom()",
        ],
    };
    for statement in statements {
        sqlx::raw_sql(*statement).execute(store.pool()).await.unwrap();
    }
}

/// A trigger that silently skips every update of a member row: the row the plan read is
/// there, but the event's update changes none.
async fn install_skip_member_updates(store: &Store) {
    let statements: &[&'static str] = match store.backend() {
        Backend::Sqlite => &["CREATE TRIGGER skip BEFORE UPDATE ON members BEGIN SELECT RAISE(IGNORE); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION skip() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER skip BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION skip()",
        ],
    };
    for statement in statements {
        sqlx::raw_sql(*statement).execute(store.pool()).await.unwrap();
    }
}

/// The projection's guard: an effect on an existing row must change exactly one. One that
/// changes none means the tables and the journal have parted; the command is refused whole
/// rather than journal an event no row took.
#[tokio::test]
async fn store_an_event_whose_row_changes_nothing_is_refused_as_corrupt_and_writes_nothing() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 2).await;
    install_skip_member_updates(&store).await;
    let before = journal_length(&store).await;
    let promote = customer::Command::UpdateMember {
        member_id: member(2),
        update: MemberUpdate { role: Some(MemberRole::BillingManager), ..MemberUpdate::default() },
    };
    let error = store.execute::<Customer>(customer_id(1), promote, token(org(1)), at(1)).await.unwrap_err();
    assert_eq!((error.code(), error.kind()), ("corrupt_row", membership::ErrorKind::Internal));
    assert!(error.to_string().contains("members") && error.to_string().contains("0 rows"), "{error}");
    assert_eq!(journal_length(&store).await, before, "a refused command journals nothing");
    let customer = store.customer(customer_id(1)).await.unwrap().unwrap();
    assert_eq!((customer.version(), customer.role_of(member(2))), (2, Some(MemberRole::Member)));
}

#[tokio::test]
async fn store_a_command_failing_after_its_first_projected_row_leaves_nothing() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    let id = uuid::Uuid::from_u128(7).into();
    org_ok(
        &store,
        org(1),
        Actor::User(user(1)),
        Command::Invite { invitation_id: id, email: email("boom@example.com"), ttl: Ttl::DEFAULT },
    )
    .await;
    install_boom(&store).await;
    let before = (store.organization(org(1)).await.unwrap(), journal_length(&store).await);
    // Accepting projects the invitation's row first, then fails on the membership's.
    let accept = Command::AcceptInvitation { invitation_id: id, email: email("boom@example.com") };
    let error = store.execute::<Organization>(org(1), accept, Actor::User(user(7)), at(1)).await.unwrap_err();
    assert_eq!(error.code(), "database_error");
    assert_eq!((store.organization(org(1)).await.unwrap(), journal_length(&store).await), before);
    let invitation = store.organization(org(1)).await.unwrap().unwrap().invitation(id).cloned().unwrap();
    assert_eq!(invitation.status, membership::organization::InvitationStatus::Pending);
    assert_consistent(&store).await;
}

/// Commands released together run together (on SQLite, in one transaction, one savepoint
/// each): one that fails half-way undoes only its own rows, and every other commits, the
/// first time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_a_command_failing_among_concurrent_ones_undoes_only_itself() {
    let store = fresh_store().await;
    for n in 0..16 {
        org_ok(&store, org(n), Actor::User(user(1)), Command::Create { email: email_of(user(1)) }).await;
    }
    install_boom(&store).await;
    let retries = store.retries();
    for round in 0..5u128 {
        let barrier = Arc::new(Barrier::new(16));
        let tasks: Vec<_> = (0..16u128)
            .map(|n| {
                let (store, barrier) = (store.clone(), barrier.clone());
                // Every other command adds boom@example.com, whose membership row fails.
                let address =
                    if n % 2 == 0 { "boom@example.com".to_owned() } else { format!("u{n}-{round}@example.com") };
                let add = Command::AddMember { user_id: user(100 + round * 16 + n), email: email(&address) };
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.execute::<Organization>(org(n), add, Actor::System, at(0)).await
                })
            })
            .collect();
        for (n, task) in tasks.into_iter().enumerate() {
            let result = task.await.unwrap();
            if n % 2 == 0 {
                assert_eq!(result.unwrap_err().code(), "database_error", "the boom command fails");
            } else {
                assert_eq!(result.unwrap().events.len(), 1, "its neighbours commit");
            }
        }
    }
    for n in 0..16u128 {
        let members = store.team(org(n)).await.unwrap().len();
        assert_eq!(members, if n % 2 == 0 { 1 } else { 6 }, "organization {n}");
    }
    // Undone alone, not by undoing its neighbours and running them again.
    assert_eq!(store.retries(), retries, "no command was run again");
    assert_consistent(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_a_command_dropped_midway_is_applied_at_most_once() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    for round in 0..40u64 {
        let add = Command::AddMember { user_id: user(2), email: email_of(user(2)) };
        let task = {
            let store = store.clone();
            tokio::spawn(async move { store.execute::<Organization>(org(1), add, Actor::System, at(0)).await })
        };
        // Abort at a different point of the transaction each round (or not at all).
        tokio::time::sleep(Duration::from_micros(round * 50)).await;
        task.abort();
        let _ = task.await;
        assert_consistent(&store).await;
        let members = store.team(org(1)).await.unwrap().len();
        assert!(members <= 2);
        if members == 2 {
            // Applied once: remove the member so the next round starts over.
            org_ok(&store, org(1), Actor::User(user(1)), Command::RemoveMember { user_id: user(2) }).await;
        }
    }
    // The pool still works: nothing was left holding a transaction open.
    org_ok(&store, org(1), Actor::System, Command::AddMember { user_id: user(3), email: email_of(user(3)) }).await;
    assert_consistent(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_concurrent_creations_of_one_stream_settle_on_one() {
    for _ in 0..4 {
        let store = fresh_store().await;
        let barrier = Arc::new(Barrier::new(16));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (store, barrier) = (store.clone(), Arc::clone(&barrier));
                tokio::spawn(async move {
                    barrier.wait().await;
                    let create = Command::Create { email: email_of(user(1)) };
                    store.execute::<Organization>(org(1), create, Actor::User(user(1)), at(0)).await
                })
            })
            .collect();
        let mut sizes = Vec::new();
        for task in tasks {
            sizes.push(task.await.unwrap().unwrap().events.len());
        }
        sizes.sort_unstable();
        // One creates; every retry finds it made by the same user: no events.
        assert_eq!(sizes, [vec![0; 15], vec![1]].concat());
        assert_consistent(&store).await;
    }
}

#[tokio::test]
async fn store_a_stale_expected_version_is_refused_at_once() {
    let store = fresh_store().await;
    team(&store, org(1), 2, Role::Member).await;
    let leave = Command::Leave;
    let error =
        store.execute_at::<Organization>(org(1), 1, leave.clone(), Actor::User(user(2)), at(0)).await.unwrap_err();
    assert_eq!((error.code(), error.polar_status().as_u16()), ("stale_write", 409));
    let version = store.organization(org(1)).await.unwrap().unwrap().version();
    store.execute_at::<Organization>(org(1), version, leave, Actor::User(user(2)), at(0)).await.unwrap();
    assert_consistent(&store).await;
}

#[tokio::test]
async fn store_a_customer_rows_member_count_that_drifted_from_its_members_is_corrupt_row() {
    let store = fresh_store().await;
    team_customer(&store, org(1), customer_id(1), 3).await;
    sqlx::query("UPDATE customers SET member_count = member_count + 1 WHERE id = $1")
        .bind(customer_id(1).to_string())
        .execute(store.pool())
        .await
        .unwrap();
    let error = store.customer(customer_id(1)).await.unwrap_err();
    assert_eq!(error.code(), "corrupt_row", "{error}");
    assert!(error.to_string().contains("member_count"), "{error}");
}

#[tokio::test]
async fn store_a_journal_entry_of_an_unknown_aggregate_is_a_typed_error_not_a_customer() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    sqlx::query(
        "INSERT INTO journal (organization_id, aggregate, stream_id, version, event_type, schema_version, at, body) \
         VALUES ($1, 'team', $1, 1, 'team.created', 2, 0, '{}')",
    )
    .bind(org(1).to_string())
    .execute(store.pool())
    .await
    .unwrap();
    let error = store.verify().await.unwrap_err();
    assert_eq!(error.code(), "corrupt_row", "{error}");
    assert!(error.to_string().contains("team"), "{error}");
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn store_a_serialization_failure_at_commit_is_retried_and_applied_once() {
    let store = fresh_store().await;
    if store.backend() != Backend::Postgres {
        return;
    }
    team(&store, org(1), 1, Role::Member).await;
    // A deferred trigger fails the next two commits with SQLSTATE 40001; a sequence
    // counts them, since a failed transaction rolls back everything else.
    for statement in [
        "CREATE SEQUENCE injected_faults",
        "CREATE FUNCTION fail_commit() RETURNS trigger AS $$ BEGIN \
           IF nextval('injected_faults') <= 2 THEN \
             RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001'; \
           END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON journal DEFERRABLE INITIALLY DEFERRED \
           FOR EACH ROW EXECUTE FUNCTION fail_commit()",
    ] {
        sqlx::raw_sql(statement).execute(store.pool()).await.unwrap();
    }
    let before = journal_length(&store).await;
    let add = Command::AddMember { user_id: user(2), email: email_of(user(2)) };
    let events = store.execute::<Organization>(org(1), add, Actor::System, at(0)).await.unwrap().events;
    assert_eq!(events.len(), 1);
    assert_eq!(journal_length(&store).await, before + 1, "applied once");
    assert_eq!(store.team(org(1)).await.unwrap().len(), 2);
    assert_consistent(&store).await;
}
