//! Settings → Members of an organization with 1,000 members and 1,000 pending invitations:
//! the first page, rendered server-side by the whole service in-process (session cookie,
//! organization picker, team page read, the crate's dry runs for each row's actions, the
//! HTML), on an SQLite file. Beside it, in the same run, the floor: `GET /health/live`
//! through the same router (no database, no page), so the figure reads as a ratio too.
//!
//! `cargo bench -p membership-server --bench members_page`; issue 19's target is a p50
//! (criterion's median) under 5 ms.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, reason = "a bench program: it fails loudly")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use membership::organization::{Command, Organization};
use membership::{Actor, Email, InvitationId, UserId};
use membership_server::auth::{TokenKind, new_token, token_hash};
use membership_server::data::{self, WebSession};
use membership_server::setup::Setup;
use membership_server::state::now;
use membership_server::web::SESSION_LIFETIME;
use membership_server::{AppState, app};
use tower::ServiceExt;
use uuid::Uuid;

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MEMBERS: usize = 1_000;
const INVITATIONS: usize = 1_000;

fn members_page(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (service, path, cookie) = runtime.block_on(async {
        let file = std::env::temp_dir().join(format!("membership-members-page-{}.db", Uuid::new_v4()));
        let store = data::open(&format!("sqlite://{}", file.display())).await.unwrap();
        let setup = Setup {
            owner_email: Email::parse("owner@example.com").unwrap(),
            customer_email: Email::parse("customer@example.com").unwrap(),
            customer_external_id: None,
            webhook_url: None,
            individual_customer: false,
        };
        let created = setup.run(&store).await.unwrap();
        let (organization_id, owner) = (created.organization_id, Actor::User(created.user_id));
        for n in 1..MEMBERS {
            let command = Command::AddMember {
                user_id: UserId::new(Uuid::new_v4()),
                email: Email::parse(&format!("member{n}@example.com")).unwrap(),
            };
            store.execute::<Organization>(organization_id, command, Actor::System, now()).await.unwrap();
        }
        for n in 0..INVITATIONS {
            let command = Command::Invite {
                invitation_id: InvitationId::new(Uuid::new_v4()),
                email: Email::parse(&format!("invitee{n}@example.com")).unwrap(),
                ttl: membership::organization::DEFAULT_TTL,
            };
            store.execute::<Organization>(organization_id, command, owner, now()).await.unwrap();
        }
        let token = new_token(TokenKind::User).unwrap();
        let session = WebSession {
            user_id: created.user_id,
            organization_id: None,
            expires_at: now().saturating_add(SESSION_LIFETIME),
        };
        data::insert_web_session(&store, &token_hash(&token), session, now()).await.unwrap();
        let cookie = format!("membership_session={token}; membership_csrf={}", "a".repeat(43));
        (app(AppState::new(store)), format!("/dashboard/{organization_id}/settings/members"), cookie)
    });
    let get =
        |path: &str| Request::builder().uri(path).header(header::COOKIE, cookie.as_str()).body(Body::empty()).unwrap();
    // The page is what it claims to be before it is timed.
    runtime.block_on(async {
        let response = service.clone().oneshot(get(&path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let html = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(
            html.contains(&format!("Members ({MEMBERS})"))
                && html.contains(&format!("Pending invitations ({INVITATIONS})"))
        );
        assert!(html.contains("Change role") && html.contains("Send Invite"));
    });
    let mut group = c.benchmark_group("members_page");
    group.bench_function("first page, 1,000 members + 1,000 invitations", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = service.clone().oneshot(get(&path)).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes()
        });
    });
    group.bench_function("floor: GET /health/live", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = service.clone().oneshot(get("/health/live")).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes()
        });
    });
    group.finish();
}

criterion_group!(benches, members_page);
criterion_main!(benches);
