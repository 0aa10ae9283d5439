//! The core's conformance kit on this store: random command sequences over several
//! organizations and customers, every decision and every state read back from the tables
//! compared with the in-memory rules. SQLite in `cargo test`; PostgreSQL through
//! `test-postgres.sh`. `PROPTEST_CASES` sets the length of the run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::time::Instant;

use membership::customer::{self, Customer, CustomerActor};
use membership::organization::{self, Organization};
use membership::testing::{Config, StoreUnderTest, run_conformance};
use membership::{Actor, CustomerId, Error, OrganizationId, Timestamp};
use membership_sqlx::{Backend, Store, StoreError};
use sqlx::Row;
use support::{assert_consistent, backend_name, fresh_store};
use tokio::runtime::Runtime;

/// The store, driven synchronously: each call waits on the runtime.
struct Sql {
    runtime: Runtime,
    store: Store,
}

/// A rule's refusal is an answer to compare; anything else is the store failing.
fn answer<T>(result: Result<T, StoreError>) -> Result<Result<T, Error>, StoreError> {
    match result {
        Ok(answer) => Ok(Ok(answer)),
        Err(StoreError::Domain(error)) => Ok(Err(error)),
        Err(failure) => Err(failure),
    }
}

impl StoreUnderTest for Sql {
    type Failure = StoreError;

    fn reset(&mut self) -> Result<(), StoreError> {
        self.runtime.block_on(empty(&self.store))
    }

    fn execute_organization(
        &mut self,
        id: OrganizationId,
        command: organization::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Result<Vec<organization::Event>, Error>, StoreError> {
        answer(
            self.runtime
                .block_on(self.store.execute::<Organization>(id, command, actor, now))
                .map(|outcome| outcome.events),
        )
    }

    fn execute_customer(
        &mut self,
        id: CustomerId,
        command: customer::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Result<Vec<customer::Event>, Error>, StoreError> {
        answer(
            self.runtime
                .block_on(self.store.execute::<Customer>(id, command, actor, now))
                .map(|outcome| outcome.events),
        )
    }

    fn organization(&mut self, id: OrganizationId) -> Result<Option<Organization>, StoreError> {
        self.runtime.block_on(self.store.organization(id))
    }

    fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        self.runtime.block_on(self.store.customer(id))
    }
}

/// Deletes every row of every table the migrations made, whatever they are named: one
/// store (and one PostgreSQL database) serves the whole run, and each case starts empty.
async fn empty(store: &Store) -> Result<(), StoreError> {
    let tables = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite%' AND name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables \
             WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations'"
        }
    };
    let rows = sqlx::query(tables).fetch_all(store.pool()).await?;
    let tables: Vec<String> = rows.iter().map(|row| row.try_get("name")).collect::<Result<_, _>>()?;
    let script = match store.backend() {
        // Foreign keys are checked at the commit, when every table is empty.
        Backend::Sqlite => {
            let deletes: Vec<String> = tables.iter().map(|table| format!("DELETE FROM {table};")).collect();
            format!("BEGIN; PRAGMA defer_foreign_keys = ON; {} COMMIT;", deletes.join(" "))
        }
        Backend::Postgres => format!("TRUNCATE {} CASCADE", tables.join(", ")),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(script)).execute(store.pool()).await?;
    Ok(())
}

#[test]
fn conformance_the_store_decides_and_holds_what_the_rules_do() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = runtime.block_on(fresh_store());
    let expected = std::env::var("MEMBERSHIP_EXPECT_BACKEND").unwrap_or_else(|_| "sqlite".to_owned());
    assert_eq!(backend_name(&store), expected);
    // Short under `cargo test`; `PROPTEST_CASES=100000` soaks it.
    let config = Config::default().cases_unless_set(32);
    let mut sql = Sql { runtime, store };
    let started = Instant::now();
    if let Err(failure) = run_conformance(&mut sql, &config) {
        panic!("{failure}");
    }
    let elapsed = started.elapsed();
    let cases = config.proptest.cases;
    eprintln!(
        "conformance on {}: {cases} cases in {elapsed:.1?}, {:.1?} a case",
        backend_name(&sql.store),
        elapsed / cases.max(1)
    );
    // The last case's journal replays to exactly its tables.
    sql.runtime.block_on(assert_consistent(&sql.store));
}
