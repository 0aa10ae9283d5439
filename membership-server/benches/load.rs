//! Load on the service over loopback HTTP, beside the same work done by the store directly,
//! in the same run: requests/s, p50 and p99 for `GET` member, `POST` member, the list,
//! customer create and customer-session create. The server is the binary's own accept
//! loop (`serve::serve`, with its connection guard and limits), not a plain `axum::serve`.
//!
//! `GET` member is also held against its **serial floor**, `1 / (1/HTTP floor + 1/store)`:
//! what a request costs if the HTTP round trip (an unknown route's 404, no database) and the
//! store's reads only added up, nothing else.
//!
//! `cargo bench -p membership-server --bench load` runs on an SQLite file;
//! `membership-server/bench-postgres.sh` runs it on a throwaway PostgreSQL (`PGHOST` set). `-- --test`
//! runs each scenario for a moment, to prove it works. Set `LOAD_SECONDS` and
//! `LOAD_CONCURRENCY` to change the defaults (3 s, 16 clients).
//!
//! The client and the server share this machine's cores, so the HTTP figures carry the
//! load generator's cost too: the ratio is a floor.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::many_single_char_names,
    missing_docs,
    reason = "a bench program: it fails loudly"
)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use membership::customer::{self, Customer, CustomerActor, Merchant};
use membership::wire::{ListQuery, Paging};
use membership::{CustomerId, Email, MemberId};
use membership_server::auth::{Scope, Scopes, TokenKind, new_token};
use membership_server::data::{self, SessionTerms};
use membership_server::limits::Limits;
use membership_server::setup::Setup;
use membership_server::state::now;
use membership_server::{AppState, app};
use membership_sqlx::MemberFilter;
use uuid::Uuid;

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Stats {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `op` from `clients` tasks for `duration`; every call must succeed.
async fn drive<F, Fut>(clients: usize, duration: Duration, op: F) -> Stats
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (op, counter) = (op.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let began = Instant::now();
                op(n).await;
                latencies.push(began.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Stats { per_second: latencies.len() as f64 / elapsed.as_secs_f64(), p50: at(0.50), p99: at(0.99) }
}

/// A floor's row: requests/s, p50 and p99, with no store beside it.
fn report_floor(name: &str, floor: &Stats) {
    let ms = |at: Duration| at.as_secs_f64() * 1e3;
    println!("| {name} | | | | {:.0} | {:.2} ms | {:.2} ms | |", floor.per_second, ms(floor.p50), ms(floor.p99));
}

fn database_url() -> String {
    // Under pg_virtualenv (bench-postgres.sh): its throwaway cluster.
    if let Ok(host) = std::env::var("PGHOST") {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        let (port, user, password) = (var("PGPORT", "5432"), var("PGUSER", "postgres"), var("PGPASSWORD", ""));
        let database = var("PGDATABASE", "postgres");
        return if host.starts_with('/') {
            format!("postgres://{user}:{password}@localhost:{port}/{database}?host={host}")
        } else {
            format!("postgres://{user}:{password}@{host}:{port}/{database}")
        };
    }
    let path = std::env::temp_dir().join(format!("membership-load-{}.db", Uuid::new_v4()));
    format!("sqlite://{}", path.display())
}

#[tokio::main]
#[allow(clippy::too_many_lines, reason = "one scenario after another, read top to bottom")]
async fn main() {
    let quick = std::env::args().any(|arg| arg == "--test");
    let seconds: f64 = std::env::var("LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let duration = if quick { Duration::from_millis(200) } else { Duration::from_secs_f64(seconds) };
    let clients: usize = std::env::var("LOAD_CONCURRENCY").ok().and_then(|s| s.parse().ok()).unwrap_or(16);

    let store = membership_server::data::open(&database_url()).await.unwrap();
    let setup = Setup {
        owner_email: Email::parse("owner@example.com").unwrap(),
        customer_email: Email::parse("customer@example.com").unwrap(),
        customer_external_id: None,
        webhook_url: None,
        individual_customer: false,
    };
    let created = setup.run(&store).await.unwrap();
    let customer_id = created.customer_id;
    let actor: CustomerActor = Merchant::token(created.organization_id).into();
    // A customer of a thousand members to read from.
    let mut members = Vec::new();
    for n in 0..1000 {
        let member_id = MemberId::new(Uuid::new_v4());
        let command = customer::Command::AddMember {
            member_id,
            email: Email::parse(&format!("seed{n}@example.com")).unwrap(),
            name: None,
            external_id: None,
            role: customer::MemberRole::Member,
        };
        store.execute::<Customer>(customer_id, command, actor, now()).await.unwrap();
        members.push(member_id);
    }
    let members = Arc::new(members);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = app(AppState::new(store.clone()));
    tokio::spawn(async move {
        membership_server::serve::serve(listener, served, Limits::default(), std::future::pending()).await.unwrap();
    });
    // The same app behind plain `axum::serve` (no connection guard, no limits): a peer in
    // the same run for what the binary's own accept loop costs.
    let plain_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_base = format!("http://{}", plain_listener.local_addr().unwrap());
    let plain = axum::ServiceExt::<axum::extract::Request>::into_make_service(app(AppState::new(store.clone())));
    tokio::spawn(async move { axum::serve(plain_listener, plain).await.unwrap() });
    // The load generator's own cost is kept low and the same for every scenario: no
    // redirect policy to run (nothing here redirects), and each address parsed once, ahead.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = Arc::new(format!("Bearer {}", created.organization_token));

    println!("backend {:?}, {clients} clients, {:.1} s a scenario", store.backend(), duration.as_secs_f64());
    println!(
        "| scenario | store req/s | store p50 | store p99 | HTTP req/s | HTTP p50 | HTTP p99 | HTTP / store (CPU µs added) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let report = |name: &str, direct: &Stats, http: &Stats| {
        // What HTTP adds to one request, spread over the clients: 1/http - 1/store.
        let added = (1.0 / http.per_second - 1.0 / direct.per_second) * 1e6;
        let ms = |at: Duration| at.as_secs_f64() * 1e3;
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.0} | {:.2} ms | {:.2} ms | {:.0} % (+{added:.0} µs) |",
            direct.per_second,
            ms(direct.p50),
            ms(direct.p99),
            http.per_second,
            ms(http.p50),
            ms(http.p99),
            100.0 * http.per_second / direct.per_second
        );
    };

    // The floor: a round trip that touches no database (an unknown route's 404 JSON). What
    // the client and the HTTP stack cost on this machine, with the store out of the way.
    let (c, url) = (client.clone(), reqwest::Url::parse(&format!("{base}/v1/no-such-route")).unwrap());
    let floor = drive(clients, duration, move |_| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let response = c.get(url).send().await.unwrap();
            assert_eq!(response.status(), 404);
            response.bytes().await.unwrap();
        }
    })
    .await;
    report_floor("HTTP floor (no database)", &floor);

    // GET member: the store calls the handler makes (access check, point read) …
    let (s, m) = (store.clone(), members.clone());
    let direct = drive(clients, duration, move |n| {
        let (s, m) = (s.clone(), m.clone());
        async move {
            s.check_customer_read(customer_id, actor).await.unwrap();
            s.member(customer_id, m[n % m.len()]).await.unwrap().unwrap();
        }
    })
    .await;
    // … and the same over HTTP: the binary's accept loop, then plain `axum::serve`.
    let get_member_over = |base: &String| {
        let urls: Arc<Vec<reqwest::Url>> = Arc::new(
            members
                .iter()
                .map(|member_id| {
                    reqwest::Url::parse(&format!("{base}/v1/customers/{customer_id}/members/{member_id}")).unwrap()
                })
                .collect(),
        );
        let (c, bearer) = (client.clone(), reqwest::header::HeaderValue::from_str(&token).unwrap());
        drive(clients, duration, move |n| {
            let (c, bearer, urls) = (c.clone(), bearer.clone(), urls.clone());
            async move {
                let url = urls[n % urls.len()].clone();
                let response = c.get(url).header(reqwest::header::AUTHORIZATION, bearer).send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
            }
        })
    };
    let http = get_member_over(&base).await;
    report("GET member", &direct, &http);
    let plain = get_member_over(&plain_base).await;
    report("GET member, plain axum::serve", &direct, &plain);
    let serial = 1.0 / (1.0 / floor.per_second + 1.0 / direct.per_second);
    println!(
        "| GET member against its serial floor 1/(1/floor + 1/store) | | | | {serial:.0} | | | {:.0} % |",
        100.0 * http.per_second / serial
    );
    // … and through the same router in-process (no socket, no client): the server's own
    // layers (routing, request id, tracing, token, scope, JSON) without the network, beside
    // the floor's 404 in-process.
    let router = app(AppState::new(store.clone()));
    let in_process_floor = drive(clients, duration, move |_| {
        let router = router.clone();
        async move {
            let request = axum::http::Request::get("/v1/no-such-route").body(axum::body::Body::empty()).unwrap();
            let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
            assert_eq!(response.status(), 404);
            axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        }
    })
    .await;
    report_floor("HTTP floor, in-process", &in_process_floor);
    let get_member_in_process = |state: AppState| {
        let (router, t, m) = (app(state), token.clone(), members.clone());
        drive(clients, duration, move |n| {
            let (router, t, m) = (router.clone(), t.clone(), m.clone());
            async move {
                let request =
                    axum::http::Request::get(format!("/v1/customers/{customer_id}/members/{}", m[n % m.len()]))
                        .header("authorization", t.as_str())
                        .body(axum::body::Body::empty())
                        .unwrap();
                let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
                assert_eq!(response.status(), 200);
                axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            }
        })
    };
    let in_process = get_member_in_process(AppState::new(store.clone())).await;
    report("GET member, in-process", &direct, &in_process);
    // … and in-process without the metrics layer (`--metrics false`): what counting and
    // timing each request by its route costs.
    let settings = membership_server::state::Settings { metrics: false, ..Default::default() };
    let no_metrics = get_member_in_process(AppState::with_settings(store.clone(), settings)).await;
    report("GET member, in-process, no metrics", &direct, &no_metrics);

    // POST member: one command, one transaction.
    let s = store.clone();
    let direct = drive(clients, duration, move |n| {
        let s = s.clone();
        async move {
            let command = customer::Command::AddMember {
                member_id: MemberId::new(Uuid::new_v4()),
                email: Email::parse(&format!("direct{n}@example.com")).unwrap(),
                name: None,
                external_id: None,
                role: customer::MemberRole::Member,
            };
            s.execute::<Customer>(customer_id, command, actor, now()).await.unwrap();
        }
    })
    .await;
    let (c, t, b) = (client.clone(), token.clone(), base.clone());
    let http = drive(clients, duration, move |n| {
        let (c, t, b) = (c.clone(), t.clone(), b.clone());
        async move {
            let response = c
                .post(format!("{b}/v1/customers/{customer_id}/members"))
                .header("authorization", t.as_str())
                .header("content-type", "application/json")
                .body(format!(r#"{{"email":"http{n}@example.com"}}"#))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.bytes().await.unwrap();
        }
    })
    .await;
    report("POST member", &direct, &http);

    // The list: a page of ten of the customer's members.
    let paging: Paging = ListQuery::default().into_paging().unwrap();
    let organization_id = created.organization_id;
    let s = store.clone();
    let direct = drive(clients, duration, move |_| {
        let s = s.clone();
        async move {
            let filter = MemberFilter::all().customer(customer_id);
            s.organization_members_page(organization_id, &filter, paging).await.unwrap();
        }
    })
    .await;
    let (c, t, b) = (client.clone(), token.clone(), base.clone());
    let http = drive(clients, duration, move |_| {
        let (c, t, b) = (c.clone(), t.clone(), b.clone());
        async move {
            let url = format!("{b}/v1/members/?customer_id={customer_id}&limit=10");
            let response = c.get(url).header("authorization", t.as_str()).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().await.unwrap();
        }
    })
    .await;
    report("list (10 of 1,000+)", &direct, &http);
    // Customer create: the crate's `Create` of an individual customer with its owner
    // member, one transaction …
    let s = store.clone();
    let direct = drive(clients, duration, move |n| {
        let s = s.clone();
        async move {
            let command = customer::Command::Create {
                organization_id,
                kind: customer::CustomerKind::Individual,
                email: Some(Email::parse(&format!("direct-customer{n}@example.com")).unwrap()),
                name: None,
                external_id: None,
                owner: customer::OwnerMember {
                    member_id: MemberId::new(Uuid::new_v4()),
                    email: None,
                    name: None,
                    external_id: None,
                },
            };
            s.execute::<Customer>(CustomerId::new(Uuid::new_v4()), command, actor, now()).await.unwrap();
        }
    })
    .await;
    // … and `POST /v1/customers/`, which also reads the customer back for its answer.
    let (c, t, b) = (client.clone(), token.clone(), base.clone());
    let http = drive(clients, duration, move |n| {
        let (c, t, b) = (c.clone(), t.clone(), b.clone());
        async move {
            let response = c
                .post(format!("{b}/v1/customers/"))
                .header("authorization", t.as_str())
                .header("content-type", "application/json")
                .body(format!(r#"{{"email":"http-customer{n}@example.com"}}"#))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.bytes().await.unwrap();
        }
    })
    .await;
    report("customer create", &direct, &http);

    // Session create: the member's lookup and the session's row …
    let s = store.clone();
    let scopes = Scopes::of(&[Scope::CustomerPortalRead, Scope::CustomerPortalWrite]);
    let owner = created.member_id;
    let direct = drive(clients, duration, move |_| {
        let (s, scopes) = (s.clone(), scopes.clone());
        async move {
            s.check_customer_read(customer_id, actor).await.unwrap();
            let owner = s.member(customer_id, owner).await.unwrap().unwrap();
            let token = new_token(TokenKind::MemberSession).unwrap();
            let at = now();
            let terms = SessionTerms { expires_at: at.saturating_add(chrono::TimeDelta::hours(1)), return_url: None };
            let grant = (organization_id, customer_id, owner.id);
            data::insert_session(&s, &token, grant, &scopes, at, terms).await.unwrap();
        }
    })
    .await;
    // … and `POST /v1/customer-sessions/` for the customer's owner (a team customer's
    // session names its member).
    let owner = created.member_id;
    let (c, t, b) = (client.clone(), token.clone(), base.clone());
    let http = drive(clients, duration, move |_| {
        let (c, t, b) = (c.clone(), t.clone(), b.clone());
        async move {
            let response = c
                .post(format!("{b}/v1/customer-sessions/"))
                .header("authorization", t.as_str())
                .header("content-type", "application/json")
                .body(format!(r#"{{"customer_id":"{customer_id}","member_id":"{owner}"}}"#))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.bytes().await.unwrap();
        }
    })
    .await;
    report("session create", &direct, &http);
}
