//! PostgreSQL as `pg_virtualenv` leaves it (PGHOST, PGPORT, PGUSER, PGPASSWORD): a fresh
//! database per test, an admin connection, and the cluster itself, stopped and started
//! with `pg_ctlcluster` when `MEMBERSHIP_PG_CLUSTER` names it (`15 regress`).

use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::{AnyConnection, Connection};

/// Whether a PostgreSQL server is there (`PGHOST` set).
pub fn available() -> bool {
    std::env::var_os("PGHOST").is_some()
}

/// `version` and `name` of the cluster the tests may stop, from `MEMBERSHIP_PG_CLUSTER`.
pub fn cluster() -> Option<(String, String)> {
    let value = std::env::var("MEMBERSHIP_PG_CLUSTER").ok()?;
    let mut words = value.split_whitespace();
    let (version, name) = (words.next()?.to_owned(), words.next()?.to_owned());
    Some((version, name))
}

/// The address of `database` on the server `PG*` names.
pub fn url(database: &str) -> String {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let (host, port, user) = (var("PGHOST", "localhost"), var("PGPORT", "5432"), var("PGUSER", "postgres"));
    let password = var("PGPASSWORD", "");
    if host.starts_with('/') {
        format!("postgres://{user}:{password}@localhost:{port}/{database}?host={host}")
    } else {
        format!("postgres://{user}:{password}@{host}:{port}/{database}")
    }
}

/// A connection to the maintenance database, outside the one under test.
pub async fn admin() -> AnyConnection {
    sqlx::any::install_default_drivers();
    let database = std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".to_owned());
    AnyConnection::connect(&url(&database)).await.unwrap()
}

/// A new, empty database: its name and address.
pub async fn fresh() -> (String, String) {
    let database = format!("membership_process_{}", uuid::Uuid::new_v4().simple());
    let mut admin = admin().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    let url = url(&database);
    (database, url)
}

/// `pg_ctlcluster VERSION NAME action [args]`, run off the runtime's threads: how long it
/// took.
pub async fn ctl(action: &'static str, args: &'static [&'static str]) -> Duration {
    let (version, name) = cluster().unwrap();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let status = Command::new("pg_ctlcluster").arg(&version).arg(&name).arg(action).args(args).status().unwrap();
        assert!(status.success(), "pg_ctlcluster {version} {name} {action} failed: {status}");
        started.elapsed()
    })
    .await
    .unwrap()
}

/// Terminates every backend of `database` every `every`, for `length`: how many it
/// terminated.
pub async fn terminate_backends(database: &str, every: Duration, length: Duration) -> usize {
    let mut admin = admin().await;
    let started = Instant::now();
    let mut terminated = 0;
    let query = format!(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity \
         WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    );
    while started.elapsed() < length {
        let rows = sqlx::query(sqlx::AssertSqlSafe(query.clone())).fetch_all(&mut admin).await.unwrap();
        terminated += rows.iter().filter(|row| sqlx::Row::try_get::<bool, _>(*row, "done").unwrap_or(false)).count();
        tokio::time::sleep(every).await;
    }
    admin.close().await.unwrap();
    terminated
}
