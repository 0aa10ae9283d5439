//! A fresh store per test: SQLite in a temporary file, or, with the `postgres` feature and
//! `PGHOST` set (as `pg_virtualenv` does), a new database on that server.

#![allow(dead_code, reason = "each test binary uses part of the kit")]

use membership::customer::{self, Customer, CustomerActor, CustomerKind, MemberRole, Merchant, OwnerMember};
use membership::organization::{Command, Organization};
use membership::{Actor, CustomerId, Email, MemberId, OrganizationId, Role, Timestamp, UserId};
use membership_sqlx::{Backend, Store};
use uuid::Uuid;

/// A new, empty store on the backend under test.
pub async fn fresh_store() -> Store {
    #[cfg(feature = "postgres")]
    if std::env::var_os("PGHOST").is_some() {
        return postgres_store().await;
    }
    let path = std::env::temp_dir().join(format!("membership-test-{}.db", Uuid::new_v4()));
    Store::open(&format!("sqlite://{}", path.display())).await.unwrap()
}

#[cfg(feature = "postgres")]
async fn postgres_store() -> Store {
    use sqlx::{AnyConnection, Connection};
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let (host, port, user) = (var("PGHOST", "localhost"), var("PGPORT", "5432"), var("PGUSER", "postgres"));
    let password = var("PGPASSWORD", "");
    let host = if host.starts_with('/') { format!("localhost?host={host}") } else { host };
    let url = |database: &str| match host.split_once('?') {
        Some((name, socket)) => format!("postgres://{user}:{password}@{name}:{port}/{database}?{socket}"),
        None => format!("postgres://{user}:{password}@{host}:{port}/{database}"),
    };
    sqlx::any::install_default_drivers();
    let database = format!("membership_{}", Uuid::new_v4().simple());
    let mut admin = AnyConnection::connect(&url(&var("PGDATABASE", "postgres"))).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    Store::open(&url(&database)).await.unwrap()
}

pub fn backend_name(store: &Store) -> &'static str {
    match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

pub const fn org(n: u128) -> OrganizationId {
    OrganizationId::new(Uuid::from_u128(0xA00 + n))
}

pub const fn user(n: u128) -> UserId {
    UserId::new(Uuid::from_u128(0x100 + n))
}

pub const fn member(n: u128) -> MemberId {
    MemberId::new(Uuid::from_u128(0x400 + n))
}

pub const fn customer_id(n: u128) -> CustomerId {
    CustomerId::new(Uuid::from_u128(0xC00 + n))
}

pub fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

pub fn email_of(user: UserId) -> Email {
    email(&format!("u{}@example.com", user.as_uuid().as_u128() - 0x100))
}

pub fn at(minutes: i64) -> Timestamp {
    Timestamp::parse("2025-01-01T00:00:00Z").unwrap().saturating_add(chrono::TimeDelta::minutes(minutes))
}

/// Runs an organization command, which must succeed.
pub async fn org_ok(
    store: &Store,
    id: OrganizationId,
    actor: Actor,
    command: Command,
) -> Vec<membership::organization::Event> {
    store.execute::<Organization>(id, command, actor, at(0)).await.unwrap().events
}

/// An organization owned by user 1, with users 2..=n as members of `role`.
pub async fn team(store: &Store, id: OrganizationId, members: u128, role: Role) {
    org_ok(store, id, Actor::User(user(1)), Command::Create { email: email_of(user(1)) }).await;
    for n in 2..=members {
        org_ok(store, id, Actor::System, Command::AddMember { user_id: user(n), email: email_of(user(n)) }).await;
        if role != Role::Member {
            org_ok(store, id, Actor::User(user(1)), Command::ChangeRole { user_id: user(n), role }).await;
        }
    }
}

/// The token of organization `id`, as a customer actor.
pub fn token(id: OrganizationId) -> CustomerActor {
    CustomerActor::Merchant(Merchant::token(id))
}

/// A team customer of organization `organization`, owned by member 1, with members 2..=n.
pub async fn team_customer(store: &Store, organization: OrganizationId, id: CustomerId, members: u128) {
    let create = customer::Command::Create {
        organization_id: organization,
        kind: CustomerKind::Team,
        email: Some(email("billing@acme.example")),
        name: None,
        external_id: None,
        owner: OwnerMember {
            member_id: member(1),
            email: Some(email("m1@acme.example")),
            name: None,
            external_id: None,
        },
    };
    store.execute::<Customer>(id, create, token(organization), at(0)).await.unwrap();
    for n in 2..=members {
        add_member(store, organization, id, n).await;
    }
}

/// Adds member `n` (`m{n}@acme.example`) to customer `id` of organization `organization`.
pub async fn add_member(store: &Store, organization: OrganizationId, id: CustomerId, n: u128) {
    let add = customer::Command::AddMember {
        member_id: member(n),
        email: email(&format!("m{n}@acme.example")),
        name: None,
        external_id: None,
        role: MemberRole::Member,
    };
    store.execute::<Customer>(id, add, token(organization), at(0)).await.unwrap();
}

/// The store agrees with itself: the journal replays to exactly the tables.
pub async fn assert_consistent(store: &Store) {
    let verification = store.verify().await.unwrap();
    assert!(verification.mismatched.is_empty(), "journal and tables differ: {:?}", verification.mismatched);
}
