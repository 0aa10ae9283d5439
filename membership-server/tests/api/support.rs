//! A fresh service per test: the whole router over a new store (SQLite in a temporary
//! file, or, with `PGHOST` set as `pg_virtualenv` does, a new PostgreSQL database), set up
//! with an organization, a customer and tokens, and called in-process with `oneshot`.

#![allow(dead_code, reason = "each test binary uses part of the kit")]

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use membership::Email;
use membership_server::auth::{Scopes, TokenKind, new_token};
use membership_server::data::{self, Grant};
use membership_server::setup::{Created, Setup};
use membership_server::state::now;
use membership_server::{AppState, app};
use membership_sqlx::Store;
use serde_json::Value;
use tower::ServiceExt;
use tower_http::normalize_path::NormalizePath;
use uuid::Uuid;

/// A new, empty store on the backend under test, with the service's tables.
pub async fn fresh_store() -> Store {
    data::open(&fresh_url().await).await.unwrap()
}

/// The address of a new, empty database on the backend under test.
pub async fn fresh_url() -> String {
    if std::env::var_os("PGHOST").is_some() {
        return postgres_url().await;
    }
    let path = std::env::temp_dir().join(format!("membership-server-test-{}.db", Uuid::new_v4()));
    format!("sqlite://{}", path.display())
}

async fn postgres_url() -> String {
    use sqlx::{AnyConnection, Connection};
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let (host, port, user) = (var("PGHOST", "localhost"), var("PGPORT", "5432"), var("PGUSER", "postgres"));
    let password = var("PGPASSWORD", "");
    let url = |database: &str| {
        if host.starts_with('/') {
            format!("postgres://{user}:{password}@localhost:{port}/{database}?host={host}")
        } else {
            format!("postgres://{user}:{password}@{host}:{port}/{database}")
        }
    };
    sqlx::any::install_default_drivers();
    let database = format!("membership_server_{}", Uuid::new_v4().simple());
    let mut admin = AnyConnection::connect(&url(&var("PGDATABASE", "postgres"))).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    url(&database)
}

/// The service under test, and what setup made.
pub struct Api {
    pub app: NormalizePath<Router>,
    pub store: Store,
    pub created: Created,
}

/// One answer: status, headers and JSON (`Value::Null` for an empty body).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Answer {
    /// Polar's `error` field.
    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or_default()
    }

    /// The `loc` of the first validation issue, joined with dots.
    pub fn loc(&self) -> String {
        let loc = self.json["detail"][0]["loc"].as_array().cloned().unwrap_or_default();
        loc.iter().map(|part| part.as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>().join(".")
    }
}

pub fn setup() -> Setup {
    Setup {
        owner_email: Email::parse("owner@example.com").unwrap(),
        customer_email: Email::parse("customer@example.com").unwrap(),
        customer_external_id: Some(membership::ExternalId::parse("cus_1").unwrap().unwrap()),
        webhook_url: None,
        individual_customer: false,
    }
}

impl Api {
    pub async fn new() -> Api {
        Api::on(fresh_store().await).await
    }

    /// The service over `store`, set up afresh.
    pub async fn on(store: Store) -> Api {
        let created = setup().run(&store).await.unwrap();
        let app = app(AppState::new(store.clone()));
        Api { app, store, created }
    }

    /// Another organization with its own customer, in the same store.
    pub async fn other_organization(&self) -> Created {
        let mut other = setup();
        other.customer_external_id = Some(membership::ExternalId::parse("cus_other").unwrap().unwrap());
        other.run(&self.store).await.unwrap()
    }

    /// A token of `kind` with only `scopes`, for this setup's organization, user or member.
    pub async fn token_with(&self, kind: TokenKind, scopes: Scopes) -> String {
        let token = new_token(kind).unwrap();
        let c = &self.created;
        let grant = match kind {
            TokenKind::Organization => Grant::Organization(c.organization_id),
            TokenKind::User => Grant::User(c.organization_id, c.user_id),
            _ => Grant::MemberSession(c.organization_id, c.customer_id, c.member_id),
        };
        data::insert_token(&self.store, &token, grant, &scopes, now()).await.unwrap();
        token
    }

    pub fn org_token(&self) -> &str {
        &self.created.organization_token
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes: Bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
        Answer { status, headers, json }
    }

    /// A JSON request with a bearer token.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        self.call_with(method, path, token, &[], body).await
    }

    /// [`Api::call`] with extra request headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, Some(&self.created.organization_token.clone()), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(&self.created.organization_token.clone()), Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(&self.created.organization_token.clone()), Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, Some(&self.created.organization_token.clone()), None).await
    }

    /// `/v1/customers/{customer}/members`.
    pub fn members(&self) -> String {
        format!("/v1/customers/{}/members", self.created.customer_id)
    }

    /// Adds a member by the API; its JSON.
    pub async fn add(&self, email: &str) -> Value {
        let answer = self.post(&self.members(), serde_json::json!({ "email": email })).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        answer.json
    }
}

impl Api {
    /// A user the server knows, with a token of every scope: its id and token.
    pub async fn user(
        &self,
        email: &str,
        verification: membership::organization::VerificationStatus,
    ) -> (membership::UserId, String) {
        let id = membership::UserId::new(Uuid::new_v4());
        let user = data::User { id, email: Email::parse(email).unwrap(), verification };
        data::upsert_user(&self.store, &user).await.unwrap();
        let token = new_token(TokenKind::User).unwrap();
        let grant = Grant::User(self.created.organization_id, id);
        data::insert_token(&self.store, &token, grant, &Scopes::all(), now()).await.unwrap();
        (id, token)
    }

    /// A portal session for `member_id` of this setup's customer, with every scope.
    pub async fn session(&self, member_id: membership::MemberId) -> String {
        let token = new_token(TokenKind::MemberSession).unwrap();
        let grant = Grant::MemberSession(self.created.organization_id, self.created.customer_id, member_id);
        data::insert_token(&self.store, &token, grant, &Scopes::all(), now()).await.unwrap();
        token
    }

    /// Makes user `user_id` a member of organization `organization_id` too (the service's
    /// own command, as an accepted invitation would).
    pub async fn join(&self, organization_id: membership::OrganizationId, user_id: membership::UserId, email: &str) {
        use membership::organization::{Command, Organization};
        let command = Command::AddMember { user_id, email: Email::parse(email).unwrap() };
        self.store.execute::<Organization>(organization_id, command, membership::Actor::System, now()).await.unwrap();
    }

    /// `/v1/organizations/{organization}` and `rest`.
    pub fn organization(&self, rest: &str) -> String {
        format!("/v1/organizations/{}{rest}", self.created.organization_id)
    }
}
