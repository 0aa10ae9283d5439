//! The write tail under concurrency: 1, 8 and 32 writers running role changes, each on its
//! own organization or all on one hot organization; commands per second, p50 and p99
//! latency, and retries per command. `THROUGHPUT_SECONDS` sets each case's length (3 s). Runs on SQLite, or on PostgreSQL under `pg_virtualenv` with the
//! `postgres` feature (`membership-sqlx/bench-postgres.sh`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    reason = "a bench fails loudly; its indices are its own"
)]

use std::time::{Duration, Instant};

use membership::organization::{Command, Organization};
use membership::{Actor, Email, OrganizationId, Role, Timestamp, UserId};
use membership_sqlx::Store;
use uuid::Uuid;

fn org(n: u64) -> OrganizationId {
    OrganizationId::new(Uuid::from_u128(0xA000 + u128::from(n)))
}

fn user(n: u64) -> UserId {
    UserId::new(Uuid::from_u128(0x1_0000 + u128::from(n)))
}

async fn open() -> Store {
    #[cfg(feature = "postgres")]
    if let Ok(host) = std::env::var("PGHOST") {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        let url = format!(
            "postgres://{}:{}@{host}:{}/{}",
            var("PGUSER", "postgres"),
            var("PGPASSWORD", ""),
            var("PGPORT", "5432"),
            var("PGDATABASE", "postgres")
        );
        return Store::open(&url).await.unwrap();
    }
    let path = std::env::temp_dir().join(format!("membership-throughput-{}.db", Uuid::new_v4()));
    Store::open(&format!("sqlite://{}", path.display())).await.unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let store = open().await;
    let now = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
    let backend = format!("{:?}", store.backend()).to_lowercase();
    // The durability each figure was measured with.
    let durability = match store.backend() {
        membership_sqlx::Backend::Sqlite => {
            let row = sqlx::query("PRAGMA synchronous").fetch_one(store.pool()).await.unwrap();
            format!("synchronous = {} (2 = FULL)", sqlx::Row::try_get::<i64, _>(&row, 0).unwrap())
        }
        membership_sqlx::Backend::Postgres => {
            let mut settings = Vec::new();
            for name in ["fsync", "synchronous_commit"] {
                let sql = if name == "fsync" { "SHOW fsync" } else { "SHOW synchronous_commit" };
                let row = sqlx::query(sql).fetch_one(store.pool()).await.unwrap();
                settings.push(format!("{name} = {}", sqlx::Row::try_get::<String, _>(&row, 0).unwrap()));
            }
            settings.join(", ")
        }
    };
    println!("throughput/{backend}: {durability}");
    let seconds = Duration::from_secs_f64(
        std::env::var("THROUGHPUT_SECONDS").ok().and_then(|text| text.parse().ok()).unwrap_or(3.0),
    );
    for clients in [1u64, 8, 32] {
        for hot in [false, true] {
            // Fresh organizations for this configuration: owner user 0, members 1..=clients.
            let base = clients * 100 + u64::from(hot) * 50;
            let orgs: Vec<OrganizationId> = (0..if hot { 1 } else { clients }).map(|n| org(base + n)).collect();
            for &id in &orgs {
                let create = Command::Create { email: Email::parse("owner@example.com").unwrap() };
                store.execute::<Organization>(id, create, Actor::User(user(0)), now).await.unwrap();
                for n in 1..=clients {
                    let email = Email::parse(&format!("u{n}@example.com")).unwrap();
                    store
                        .execute::<Organization>(id, Command::AddMember { user_id: user(n), email }, Actor::System, now)
                        .await
                        .unwrap();
                }
            }
            let retries_before = store.retries();
            let deadline = Instant::now() + seconds;
            let tasks: Vec<_> = (1..=clients)
                .map(|n| {
                    let store = store.clone();
                    let id = if hot { orgs[0] } else { orgs[usize::try_from(n - 1).unwrap()] };
                    tokio::spawn(async move {
                        let mut latencies = Vec::new();
                        let mut turn = 0u32;
                        while Instant::now() < deadline {
                            turn += 1;
                            let role = if turn.is_multiple_of(2) { Role::Member } else { Role::Admin };
                            let started = Instant::now();
                            let command = Command::ChangeRole { user_id: user(n), role };
                            store.execute::<Organization>(id, command, Actor::User(user(0)), now).await.unwrap();
                            latencies.push(started.elapsed());
                        }
                        latencies
                    })
                })
                .collect();
            let mut latencies = Vec::new();
            for task in tasks {
                latencies.extend(task.await.unwrap());
            }
            latencies.sort_unstable();
            let commands = latencies.len();
            let percentile = |p: usize| latencies[(commands * p / 100).min(commands - 1)].as_secs_f64() * 1000.0;
            let retries = store.retries() - retries_before;
            println!(
                "throughput/{backend}/{}/{clients}: {:.0} commands/s, p50 {:.2} ms, p99 {:.2} ms, {:.3} retries per command",
                if hot { "one_hot_org" } else { "own_org_each" },
                commands as f64 / seconds.as_secs_f64(),
                percentile(50),
                percentile(99),
                retries as f64 / commands as f64,
            );
        }
    }
}
