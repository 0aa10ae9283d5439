//! The service's own tables come from its own migrations, recorded apart from the store's:
//! a database opens twice, a database made before the migrations opens with its rows, a
//! changed migration is refused, and the health check says when the database is gone.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use membership::organization::{Command, Organization, VerificationStatus};
use membership::{Actor, Email, OrganizationId, UserId};
use membership_server::auth::token_hash;
use membership_server::data::{self, Endpoint, MIGRATIONS_TABLE};
use membership_server::state::now;
use membership_server::{AppState, app};
use membership_sqlx::{Backend, Store};
use serde_json::json;
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::{Api, fresh_url};

/// What the server ran at every start before it had migrations, verbatim.
const OLD_SCHEMA: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS server_users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        verification TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS server_tokens (
        token_hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        organization_id TEXT NOT NULL,
        user_id TEXT,
        customer_id TEXT,
        member_id TEXT,
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS server_webhook_endpoints (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS server_webhook_endpoints_organization ON server_webhook_endpoints (organization_id)",
];

/// The versions recorded in a migrations table.
async fn recorded(store: &Store, table: &str) -> Vec<i64> {
    let sql = format!("SELECT version FROM {table} ORDER BY version");
    let rows: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(store.pool()).await.unwrap();
    rows.into_iter().map(|(version,)| version).collect()
}

/// The versions of the migration files in `crate_dir/migrations/<backend>`.
fn on_disk(crate_dir: &str, backend: Backend) -> Vec<i64> {
    let backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate_dir).join("migrations").join(backend);
    let mut versions: Vec<i64> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| Path::new(name).extension().is_some_and(|extension| extension == "sql"))
        .map(|name| name.split('_').next().unwrap().parse().unwrap())
        .collect();
    versions.sort_unstable();
    versions
}

#[tokio::test]
async fn the_store_and_the_service_record_their_migrations_apart() {
    let url = fresh_url().await;
    let store = data::open(&url).await.unwrap();
    let backend = store.backend();
    assert_eq!(recorded(&store, "_sqlx_migrations").await, on_disk("../membership-sqlx", backend));
    assert_eq!(recorded(&store, MIGRATIONS_TABLE).await, on_disk(".", backend));
    // The store alone still opens: the service's versions are not in its table.
    Store::open(&url).await.unwrap();
}

#[tokio::test]
async fn a_database_opens_twice_and_migrates_once() {
    let url = fresh_url().await;
    let first = data::open(&url).await.unwrap();
    let user = data::User {
        id: UserId::new(Uuid::new_v4()),
        email: Email::parse("ada@example.com").unwrap(),
        verification: VerificationStatus::Verified,
    };
    data::upsert_user(&first, &user).await.unwrap();
    let second = data::open(&url).await.unwrap();
    assert_eq!(data::user(&second, user.id).await.unwrap(), Some(user));
    assert_eq!(recorded(&second, MIGRATIONS_TABLE).await, on_disk(".", second.backend()));
}

#[tokio::test]
async fn a_database_made_before_the_migrations_opens_with_its_rows() {
    let url = fresh_url().await;
    let (organization_id, user_id) = (OrganizationId::new(Uuid::new_v4()), UserId::new(Uuid::new_v4()));
    let token = "polar_oat_made_by_the_old_code";
    {
        // The old start: the store's migrations, then the server's tables by hand.
        let store = Store::open(&url).await.unwrap();
        for statement in OLD_SCHEMA {
            sqlx::query(statement).execute(store.pool()).await.unwrap();
        }
        let create = Command::Create { email: Email::parse("owner@example.com").unwrap() };
        store.execute::<Organization>(organization_id, create, Actor::User(user_id), now()).await.unwrap();
        sqlx::query("INSERT INTO server_users (id, email, verification) VALUES ($1, $2, $3)")
            .bind(user_id.to_string())
            .bind("owner@example.com")
            .bind("verified")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO server_tokens (token_hash, kind, organization_id, user_id, customer_id, member_id, \
             scopes, created_at) VALUES ($1, 'organization', $2, NULL, NULL, NULL, 'members:read', 0)",
        )
        .bind(token_hash(token))
        .bind(organization_id.to_string())
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO server_webhook_endpoints (id, organization_id, url, secret, created_at) \
             VALUES ($1, $2, 'http://127.0.0.1:9/hook', 'polar_whs_old', 0)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(organization_id.to_string())
        .execute(store.pool())
        .await
        .unwrap();
        store.pool().close().await;
    }
    let store = data::open(&url).await.unwrap();
    assert_eq!(recorded(&store, MIGRATIONS_TABLE).await, on_disk(".", store.backend()));
    let user = data::user(&store, user_id).await.unwrap().unwrap();
    assert_eq!((user.email.as_str(), user.verification), ("owner@example.com", VerificationStatus::Verified));
    let endpoint = Endpoint { url: "http://127.0.0.1:9/hook".to_owned(), secret: "polar_whs_old".to_owned() };
    assert_eq!(data::endpoints(&store, organization_id).await.unwrap(), [endpoint]);
    // The token the old code stored still signs in.
    let request = Request::get("/v1/members/").header("authorization", format!("Bearer {token}"));
    let response = app(AppState::new(store)).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_changed_service_migration_is_refused_and_the_store_is_not_blinded() {
    let url = fresh_url().await;
    let store = data::open(&url).await.unwrap();
    let sql = format!("UPDATE {MIGRATIONS_TABLE} SET checksum = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(vec![0_u8; 48]).execute(store.pool()).await.unwrap();
    let error = data::open(&url).await.unwrap_err();
    assert_eq!(error.code(), "database_error", "{error}");
    assert!(error.to_string().contains("previously applied but has been modified"), "{error}");
    // Only the service's history is wrong; the store's own migrator still opens it.
    Store::open(&url).await.unwrap();
}

#[tokio::test]
async fn readiness_is_503_when_the_database_does_not_answer_and_liveness_stays_200() {
    let api = Api::new().await;
    assert_eq!(api.get("/health").await.status, StatusCode::OK);
    api.store.pool().close().await;
    for path in ["/health", "/health/ready"] {
        let answer = api.get(path).await;
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(answer.json, json!({ "status": "unavailable", "read": "unavailable", "write": "unavailable" }));
    }
    let live = api.get("/health/live").await;
    assert_eq!((live.status, live.json), (StatusCode::OK, json!({ "status": "ok" })));
}

/// A database that reads but refuses writes (here a trigger standing in for a full disk or
/// a read-only file) is not ready: readiness checks a write, not only a read.
#[tokio::test]
async fn readiness_is_503_when_the_database_reads_but_refuses_writes() {
    let api = Api::new().await;
    let refuse = match api.store.backend() {
        Backend::Sqlite => "CREATE TRIGGER refuse BEFORE UPDATE ON health BEGIN SELECT RAISE(ABORT, 'no writes'); END",
        Backend::Postgres => "CREATE RULE refuse AS ON UPDATE TO health DO INSTEAD SELECT 1/0",
    };
    sqlx::raw_sql(refuse).execute(api.store.pool()).await.unwrap();
    let answer = api.get("/health").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.json, json!({ "status": "unavailable", "read": "ok", "write": "unavailable" }));
}
