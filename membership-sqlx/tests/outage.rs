//! Outages: when the database cannot serve (a full disk, a write lock held elsewhere, the
//! server stopped, its backends terminated), a command fails with
//! `database_unavailable` within its budget and writes nothing, and the same `Store`
//! writes again by itself once the database can. Nothing acknowledged is lost; the journal
//! still replays to the tables.
//!
//! The SQLite disk test mounts a small tmpfs, which needs root: without it they say they
//! were skipped, unless `MEMBERSHIP_REQUIRE_TMPFS` is set (CI sets it). The PostgreSQL
//! stop-and-start test stops the cluster named by `MEMBERSHIP_PG_CLUSTER` (`15 regress`
//! under `pg_virtualenv`), so it runs alone: `membership-sqlx/test-postgres.sh` runs this
//! file by itself, one test at a time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::Command as Process;
use std::time::Duration;

use membership::organization::{Command, Organization};
use membership::{Actor, Role};
use membership_sqlx::{Backend, Budget, Clock, Store, StoreError, SystemClock};
use sqlx::{AnyConnection, Connection};
use support::*;
use tokio::time::Instant;
use uuid::Uuid;

/// A small tmpfs mounted at a fresh directory, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts one of `size` (`mount`'s syntax: `4m`), or `None` when this process may not.
    fn mount(size: &str) -> Option<Tmpfs> {
        let path = std::env::temp_dir().join(format!("membership-tmpfs-{}", Uuid::new_v4()));
        std::fs::create_dir(&path).unwrap();
        let mounted = Process::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|status| status.success());
        if !mounted {
            std::fs::remove_dir(&path).unwrap();
            assert!(std::env::var_os("MEMBERSHIP_REQUIRE_TMPFS").is_none(), "cannot mount a tmpfs (needs root)");
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(Tmpfs { path })
    }

    fn url(&self) -> String {
        format!("sqlite://{}/membership.db", self.path.display())
    }

    /// Fills every free byte with a file: the disk is full until it is removed.
    fn fill(&self) -> PathBuf {
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        for chunk in [64 * 1024, 4096, 512, 1] {
            let bytes = vec![0u8; chunk];
            while file.write_all(&bytes).and_then(|()| file.sync_all()).is_ok() {}
        }
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg("-l").arg(&self.path).status();
        let _ = std::fs::remove_dir(&self.path);
    }
}

fn add(n: u128) -> Command {
    Command::AddMember { user_id: user(n), email: email_of(user(n)) }
}

/// Adds users `from..to` to organization 1 one after another: which were acknowledged,
/// and that every refusal was `database_unavailable` (503) within the budget.
async fn add_members(store: &Store, from: u128, to: u128) -> (Vec<u128>, usize) {
    let (mut acknowledged, mut refused) = (Vec::new(), 0);
    for n in from..to {
        let started = Instant::now();
        match store.execute::<Organization>(org(1), add(n), Actor::System, at(0)).await {
            Ok(_) => acknowledged.push(n),
            Err(error) => {
                assert_unavailable(&error);
                let waited = started.elapsed();
                assert!(waited < store.budget().command + Duration::from_secs(1), "{waited:?}");
                if waited > Duration::from_millis(100) {
                    eprintln!("a refusal took {waited:?}");
                }
                refused += 1;
            }
        }
    }
    (acknowledged, refused)
}

fn assert_unavailable(error: &StoreError) {
    assert_eq!(error.code(), "database_unavailable", "{error}");
    assert_eq!(error.polar_status().as_u16(), 503);
    assert_eq!(error.retry_after(), Some(membership_sqlx::RETRY_AFTER));
}

/// Organization 1 holds exactly users `1` and `expected`.
async fn assert_members(store: &Store, expected: &[u128]) {
    let organization = store.organization(org(1)).await.unwrap().unwrap();
    let mut held: Vec<_> = organization.members().map(|(membership, _)| membership.user_id).collect();
    let mut wanted: Vec<_> = std::iter::once(1).chain(expected.iter().copied()).map(user).collect();
    held.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(held, wanted, "every acknowledged member, and no refused one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_sqlite_a_full_disk_fails_as_unavailable_and_writes_resume_once_space_frees() {
    let Some(disk) = Tmpfs::mount("4m") else { return };
    let store = Store::open(&disk.url()).await.unwrap();
    team(&store, org(1), 1, Role::Member).await;
    let filler = disk.fill();
    // Eight writers at once, so commands share transactions when the disk fills.
    let writers: Vec<_> = (0..8u128)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move { add_members(&store, 2 + w * 50, 2 + (w + 1) * 50).await })
        })
        .collect();
    let (mut acknowledged, mut refused) = (Vec::new(), 0);
    for writer in writers {
        let (done, failed) = writer.await.unwrap();
        acknowledged.extend(done);
        refused += failed;
    }
    assert!(refused > 0, "the disk never filled");
    eprintln!("full disk: {} acknowledged, {refused} refused as database_unavailable", acknowledged.len());
    assert!(!store.health(Duration::from_secs(1), at(0)).await.is_ready(), "readiness says a full disk is not ready");
    // Space frees: the same store writes again, without a restart.
    std::fs::remove_file(filler).unwrap();
    let (resumed, refused) = add_members(&store, 400, 410).await;
    assert_eq!((resumed.len(), refused), (10, 0), "writes resume once space frees");
    acknowledged.extend(resumed);
    assert!(store.health(Duration::from_secs(1), at(0)).await.is_ready());
    // The outbox's own transactions work again too: webhook delivery resumes.
    team_customer(&store, org(1), customer_id(1), 1).await;
    assert_eq!(store.claim_webhooks(at(1), 500).await.unwrap().len(), 1, "the new member's member.created");
    assert_members(&store, &acknowledged).await;
    assert_consistent(&store).await;
}

/// Another process holds SQLite's write lock (here a second connection in `BEGIN
/// IMMEDIATE`): commands wait within their budget, then fail as unavailable; once the lock
/// is released the same store writes again.
#[tokio::test]
async fn store_sqlite_a_write_lock_held_elsewhere_past_the_budget_is_unavailable_then_writes_resume() {
    let path = std::env::temp_dir().join(format!("membership-outage-{}.db", Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());
    let budget =
        Budget { statement: Duration::from_millis(200), command: Duration::from_millis(600), ..Budget::default() };
    let store = Store::open_with(&url, budget).await.unwrap();
    team(&store, org(1), 1, Role::Member).await;
    let mut other = AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let started = Instant::now();
    let error = store.execute::<Organization>(org(1), add(2), Actor::System, at(0)).await.unwrap_err();
    assert_unavailable(&error);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(200) && waited < Duration::from_millis(1500), "{waited:?}");
    sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
    store.execute::<Organization>(org(1), add(3), Actor::System, at(0)).await.unwrap();
    assert_members(&store, &[3]).await;
}

/// A command that waits for another writer is stamped when it runs, not when it was
/// submitted: `SystemClock` is read once the command holds its locks.
#[tokio::test]
async fn store_a_command_is_stamped_when_it_commits_not_when_it_was_submitted() {
    let path = std::env::temp_dir().join(format!("membership-clock-{}.db", Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url).await.unwrap();
    let mut other = AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let submitted = SystemClock.now();
    let create = {
        let store = store.clone();
        tokio::spawn(async move {
            let create = Command::Create { email: email_of(user(1)) };
            store.execute::<Organization>(org(1), create, Actor::User(user(1)), SystemClock).await.unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
    create.await.unwrap();
    let created = store.organization(org(1)).await.unwrap().unwrap().created_at();
    let waited = created.unix_micros() - submitted.unix_micros();
    assert!(waited >= 600_000, "stamped {waited} µs after it was submitted: the time of its first try");
}

/// The PostgreSQL cluster to stop and start (`MEMBERSHIP_PG_CLUSTER="15 regress"`), when
/// this run may: the test owns the cluster while it runs.
fn cluster(store: &Store) -> Option<Vec<String>> {
    let cluster = std::env::var("MEMBERSHIP_PG_CLUSTER").ok().filter(|_| store.backend() == Backend::Postgres);
    if cluster.is_none() {
        eprintln!("skipped: set MEMBERSHIP_PG_CLUSTER (and run on PostgreSQL) to stop and start a cluster");
    }
    cluster.map(|names| names.split_whitespace().map(str::to_owned).collect())
}

fn pg_ctlcluster(cluster: &[String], action: &str) {
    let mut command = Process::new("pg_ctlcluster");
    command.args(cluster).arg(action);
    if action == "stop" {
        command.args(["-m", "fast"]);
    }
    assert!(command.status().unwrap().success(), "pg_ctlcluster {action}");
}

#[tokio::test]
async fn store_postgres_stopped_fails_fast_as_unavailable_and_the_same_store_recovers_once_started() {
    let store = fresh_store().await;
    let Some(cluster) = cluster(&store) else { return };
    team(&store, org(1), 1, Role::Member).await;
    let (mut acknowledged, _) = add_members(&store, 2, 4).await;
    pg_ctlcluster(&cluster, "stop");
    let (none, refused) = add_members(&store, 4, 7).await;
    assert_eq!((none.len(), refused), (0, 3));
    let started = Instant::now();
    assert_unavailable(&store.organization(org(1)).await.unwrap_err());
    assert!(
        started.elapsed() < store.budget().acquire + Duration::from_secs(1),
        "a read fails within its acquire budget"
    );
    let started = Instant::now();
    assert!(!store.health(Duration::from_secs(1), at(0)).await.is_ready());
    assert!(started.elapsed() < Duration::from_secs(3), "readiness answers promptly: {:?}", started.elapsed());
    pg_ctlcluster(&cluster, "start");
    let started = Instant::now();
    let mut n = 100;
    loop {
        match store.execute::<Organization>(org(1), add(n), Actor::System, at(0)).await {
            Ok(_) => break,
            Err(error) => assert_unavailable(&error),
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the store did not recover");
        n += 1;
    }
    eprintln!("postgres stopped and started: writes resumed {:?} after the start", started.elapsed());
    acknowledged.push(n);
    assert_members(&store, &acknowledged).await;
    assert_consistent(&store).await;
}

/// Backends terminated under load (`pg_terminate_backend`, what a failover or an
/// administrator does): every command answers within its budget, succeeded or
/// unavailable, and every acknowledged one is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_postgres_terminated_backends_under_load_answer_within_the_budget_and_lose_nothing() {
    let store = fresh_store().await;
    if store.backend() != Backend::Postgres {
        eprintln!("skipped: PostgreSQL only");
        return;
    }
    for n in 0..8 {
        let id = org(10 + n);
        org_ok(&store, id, Actor::User(user(1)), Command::Create { email: email_of(user(1)) }).await;
    }
    let database: String = sqlx::Row::get(
        &sqlx::query("SELECT CAST(current_database() AS TEXT) AS d").fetch_one(store.pool()).await.unwrap(),
        "d",
    );
    let terminator = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut killed = 0u64;
            let until = Instant::now() + Duration::from_secs(3);
            while Instant::now() < until {
                let sql = "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                           WHERE datname = $1 AND pid <> pg_backend_pid()";
                if let Ok(row) = sqlx::query(sql).bind(database.clone()).fetch_one(store.pool()).await {
                    killed += u64::try_from(sqlx::Row::get::<i64, _>(&row, "n")).unwrap();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            killed
        })
    };
    let writers: Vec<_> = (0..8u128)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let (mut acknowledged, mut worst) = (Vec::new(), Duration::ZERO);
                let until = Instant::now() + Duration::from_secs(3);
                let mut n = 2;
                while Instant::now() < until {
                    let started = Instant::now();
                    match store.execute::<Organization>(org(10 + w), add(n), Actor::System, at(0)).await {
                        Ok(_) => acknowledged.push(n),
                        Err(error) => assert_unavailable(&error),
                    }
                    worst = worst.max(started.elapsed());
                    n += 1;
                }
                (acknowledged, worst)
            })
        })
        .collect();
    let killed = terminator.await.unwrap();
    let mut worst = Duration::ZERO;
    for (w, writer) in writers.into_iter().enumerate() {
        let (acknowledged, slowest) = writer.await.unwrap();
        worst = worst.max(slowest);
        let organization = store.organization(org(10 + w as u128)).await.unwrap().unwrap();
        for n in acknowledged {
            assert!(organization.member(user(n)).is_some(), "acknowledged user {n} of writer {w} is lost");
        }
    }
    eprintln!("pg_terminate_backend: {killed} backends terminated, slowest command {worst:?}");
    assert!(killed > 0, "no backend was terminated");
    assert!(worst < store.budget().command + Duration::from_secs(1), "a command outlived its budget: {worst:?}");
    assert_consistent(&store).await;
}
