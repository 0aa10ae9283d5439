//! The server under real faults, as a process (issue 17): the built binary run as a child,
//! eight HTTP clients writing through it, a webhook receiver beside it, and then a fault a
//! production service meets: the process killed with SIGKILL mid-write, PostgreSQL stopped
//! and started under load, PostgreSQL's backends terminated under load. Each test prints a
//! one-paragraph summary (run with `--nocapture`) and asserts that every request was
//! answered, within the store's budget, never 500, and that nothing acknowledged was lost.
//!
//! The SQLite test runs in every `cargo test`; the PostgreSQL ones need `PGHOST`, and the
//! two that stop the cluster or kill its backends need `MEMBERSHIP_PG_CLUSTER` (`15
//! regress`) and a serial run (`--test-threads=1`): `membership-sqlx/test-postgres.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::missing_panics_doc,
    missing_docs,
    reason = "tests fail loudly"
)]

mod load;
mod postgres;
mod receiver;
mod server;
mod tokens;
mod verify;

use std::time::{Duration, Instant};

use membership_sqlx::Store;

use load::{Load, Outcome, assert_answers, assert_probes, statuses, worst};
use receiver::Receiver;
use server::Server;

/// How many clients write at once.
const CLIENTS: usize = 8;
/// The store's command budget (5 s) and slack for HTTP and scheduling on a busy machine:
/// no request may take longer.
const ANSWER_LIMIT: Duration = Duration::from_secs(7);
/// How long `/health` may take to answer 503 while the database is away: its read and its
/// write each wait [`membership_server::routes::READINESS_TIMEOUT`] (1 s), one after the
/// other, for a connection that cannot come, so 2 s and the HTTP round trip.
const HEALTH_LIMIT: Duration = Duration::from_millis(2500);
/// How long webhooks may take to arrive after a crash: a webhook claimed by the killed
/// process is claimed again when its 30 s lease ends.
const WEBHOOK_LIMIT: Duration = Duration::from_secs(40);

/// Waits until `GET /health` answers 200, at most `limit`: how long it took.
async fn until_ready(load: &Load, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let answer = load.call("GET /health", reqwest::Method::GET, "/health", None, false).await;
        if answer.status == Some(200) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "not ready within {limit:?}: {answer:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Replays every journal against the state tables, on a store of the test's own.
async fn assert_verified(url: &str) -> String {
    let store = Store::open(url).await.unwrap();
    let verification = store.verify().await.unwrap();
    assert!(verification.mismatched.is_empty(), "verify found mismatched streams: {verification:?}");
    store.pool().close().await;
    format!("verify clean ({} streams, {} events)", verification.streams, verification.events)
}

/// Kill -9 under eight concurrent writers, then a restart on the same database: every
/// member answered 201 is there, the journal replays to the tables, and every acknowledged
/// member's `member.created` reaches the receiver. Requests in flight at the kill get no
/// answer (they were never acknowledged); every answer before it is a 201 or a 503.
async fn kill_9_under_concurrent_writes(backend: &str, url: &str) {
    let hook = Receiver::start().await;
    let created = server::setup(url, Some(&hook.url));
    let log = server::log_file("kill9");
    let mut first = Server::start(url, &log).await;
    let load = Load::new(&first.base, &created.token, &created.customer_id);
    let writers = load.spawn_writers(CLIENTS, false);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let killed_at = load.now();
    first.kill();
    load.finish(writers).await;
    let before_kill = first.failures();

    let restarting = Instant::now();
    let mut second = Server::start(url, &log).await;
    load.retarget(&second.base);
    let listening = restarting.elapsed();
    let ready = listening + until_ready(&load, Duration::from_secs(20)).await;
    let outcomes = load.outcomes();
    let acknowledged = load.acknowledged();
    let lost = load.lost().await;
    let (waited, missing) = hook.wait_for(&acknowledged, WEBHOOK_LIMIT).await;
    let (posts, distinct) = hook.counts();
    let after_restart = second.failures();
    let exit = second.stop().await;
    let verified = assert_verified(url).await;

    let in_flight = outcomes.iter().filter(|outcome| outcome.status.is_none()).count();
    eprintln!(
        "kill -9 ({backend}, {CLIENTS} writers, killed at {killed_at:.2?}): {}; worst latency {:.0?}; \
         {} acknowledged, {} lost, {in_flight} in flight at the kill (no answer, not acknowledged); \
         restart listening in {listening:.2?}, ready (GET /health 200) in {ready:.2?}; \
         member.created for every acknowledged member after {waited:.2?} ({} missing; {posts} POSTs, \
         {distinct} distinct webhook ids); {verified}; graceful stop {exit}.",
        statuses(&outcomes, None),
        worst(&outcomes),
        acknowledged.len(),
        lost.len(),
        missing.len(),
    );
    let answered: Vec<Outcome> = outcomes.iter().filter(|outcome| outcome.status.is_some()).cloned().collect();
    assert_answers(&answered, &[201, 503], ANSWER_LIMIT);
    for outcome in outcomes.iter().filter(|outcome| outcome.status.is_none()) {
        assert!(outcome.answered() >= killed_at, "a request failed before the kill: {outcome:?}");
    }
    assert!(!acknowledged.is_empty(), "nothing was written before the kill");
    assert!(lost.is_empty(), "acknowledged members lost: {lost:?}");
    assert!(missing.is_empty(), "no member.created for {} acknowledged members: {missing:?}", missing.len());
    assert!(before_kill.is_empty() && after_restart.is_empty(), "5xx in the log: {before_kill:?} {after_restart:?}");
    assert!(exit.success(), "SIGTERM stops the server cleanly: {exit}");
    std::fs::remove_file(&log).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_concurrent_writes_loses_nothing_acknowledged_on_sqlite() {
    let path = std::env::temp_dir().join(format!("membership-process-{}.db", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", path.display());
    kill_9_under_concurrent_writes("SQLite", &url).await;
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_concurrent_writes_loses_nothing_acknowledged_on_postgres() {
    if !postgres::available() {
        eprintln!("kill -9 on PostgreSQL: skipped (PGHOST is not set; run membership-sqlx/test-postgres.sh)");
        return;
    }
    let (_, url) = postgres::fresh().await;
    kill_9_under_concurrent_writes("PostgreSQL", &url).await;
}

/// Starts the cluster again if a test panics while it is stopped, so the tests after it
/// find a database.
struct StartOnDrop(bool);

impl Drop for StartOnDrop {
    fn drop(&mut self) {
        if self.0
            && let Some((version, name)) = postgres::cluster()
        {
            let _ = std::process::Command::new("pg_ctlcluster").args([&version, &name, "start"]).status();
        }
    }
}

/// PostgreSQL stopped (`pg_ctlcluster … stop -m fast`) for 5 s under eight clients writing
/// and reading, then started: every request is answered within the budget, with a 2xx, or a
/// 503 with `Retry-After` while the database is away, never a 500 nor a hang; `/health`
/// answers 503 promptly during the outage; the same process serves writes again soon after
/// the start, and nothing acknowledged is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_started_under_load_is_503_then_served_again_by_the_same_process() {
    if postgres::cluster().is_none() {
        eprintln!("PostgreSQL stopped and started: skipped (set MEMBERSHIP_PG_CLUSTER, e.g. \"15 regress\")");
        return;
    }
    let (_, url) = postgres::fresh().await;
    let created = server::setup(&url, None);
    let log = server::log_file("pg-stop");
    let mut server = Server::start(&url, &log).await;
    let load = Load::new(&server.base, &created.token, &created.customer_id);
    let mut tasks = load.spawn_writers(CLIENTS, true);
    tasks.push(load.spawn_health_probe(Duration::from_millis(200)));
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut guard = StartOnDrop(true);
    let stopping = load.now();
    let stop_took = postgres::ctl("stop", &["-m", "fast"]).await;
    let stopped = load.now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let starting = load.now();
    let start_took = postgres::ctl("start", &[]).await;
    guard.0 = false;
    let started = load.now();
    // Recovered: a write sent after the start is acknowledged.
    let recovered = loop {
        let first = load
            .outcomes()
            .iter()
            .filter(|outcome| outcome.what == "POST member" && outcome.status == Some(201) && outcome.sent >= started)
            .map(Outcome::answered)
            .min();
        if let Some(at) = first {
            break Some(at.saturating_sub(started));
        }
        if load.now() > started + Duration::from_secs(20) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    load.finish(tasks).await;

    let outcomes = load.outcomes();
    let requests: Vec<Outcome> = outcomes.iter().filter(|outcome| outcome.what != "GET /health").cloned().collect();
    let health: Vec<Outcome> = outcomes.iter().filter(|outcome| outcome.what == "GET /health").cloned().collect();
    // The probes sent after the stop finished and answered before the start began.
    let during: Vec<Outcome> =
        health.iter().filter(|probe| probe.sent >= stopped && probe.answered() <= starting).cloned().collect();
    let acknowledged = load.acknowledged();
    let lost = load.lost().await;
    let failures = server.failures();
    let causes = server.unavailable_causes();
    let exit = server.stop().await;
    let verified = assert_verified(&url).await;
    eprintln!(
        "PostgreSQL stopped and started ({CLIENTS} clients writing and reading; stop sent at {stopping:.2?}, \
         took {stop_took:.2?}; down {:.2?}; start took {start_took:.2?}): writes {}; reads {}; worst latency \
         {:.2?}; /health during the outage {} (worst {:.2?}), overall {}; {} acknowledged, {} lost; same process \
         served a write {} after the start returned ({} after it was sent); {verified}; graceful stop {exit}; 503 causes: {causes}.",
        starting.saturating_sub(stopped),
        statuses(&requests, Some("POST member")),
        statuses(&requests, Some("GET member")),
        worst(&requests),
        statuses(&during, None),
        worst(&during),
        statuses(&health, None),
        acknowledged.len(),
        lost.len(),
        recovered.map_or_else(|| "never (20 s)".to_owned(), |took| format!("{took:.2?}")),
        recovered.map_or_else(|| "never".to_owned(), |took| format!("{:.2?}", took + started.saturating_sub(starting))),
    );
    assert_answers(&requests, &[200, 201, 404, 409, 503], ANSWER_LIMIT);
    assert_probes(&health, &[200, 503], ANSWER_LIMIT);
    assert!(requests.iter().any(|outcome| outcome.status == Some(503)), "the outage was seen");
    assert!(!during.is_empty(), "/health was probed during the outage");
    assert_probes(&during, &[503], HEALTH_LIMIT);
    let recovered = recovered.expect("the same process serves writes again after the start");
    assert!(recovered <= Duration::from_secs(10), "writes recovered {recovered:?} after the start");
    assert!(lost.is_empty(), "acknowledged members lost: {lost:?}");
    assert!(failures.is_empty(), "5xx other than 503 in the log: {failures:?}");
    assert!(exit.success(), "SIGTERM stops the server cleanly: {exit}");
    std::fs::remove_file(&log).ok();
}

/// PostgreSQL's backends of the service's database terminated every 100 ms for 3 s under
/// eight writers: every request is answered within the budget, 201 or 503, never a 500;
/// everything acknowledged is there and the journal replays to the tables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backends_terminated_under_load_lose_nothing_and_answer_within_budget() {
    if postgres::cluster().is_none() {
        eprintln!("pg_terminate_backend under load: skipped (set MEMBERSHIP_PG_CLUSTER, e.g. \"15 regress\")");
        return;
    }
    let (database, url) = postgres::fresh().await;
    let created = server::setup(&url, None);
    let log = server::log_file("pg-terminate");
    let mut server = Server::start(&url, &log).await;
    let load = Load::new(&server.base, &created.token, &created.customer_id);
    let writers = load.spawn_writers(CLIENTS, false);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let terminated = postgres::terminate_backends(&database, Duration::from_millis(100), Duration::from_secs(3)).await;
    let ended = load.now();
    // Recovered: a write sent after the last termination is acknowledged.
    let recovered = loop {
        let first = load
            .outcomes()
            .iter()
            .filter(|outcome| outcome.status == Some(201) && outcome.sent >= ended)
            .map(Outcome::answered)
            .min();
        if let Some(at) = first {
            break Some(at.saturating_sub(ended));
        }
        if load.now() > ended + Duration::from_secs(10) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    load.finish(writers).await;

    let outcomes = load.outcomes();
    let during: Vec<Outcome> = outcomes.iter().filter(|outcome| outcome.sent < ended).cloned().collect();
    let acknowledged = load.acknowledged();
    let lost = load.lost().await;
    let failures = server.failures();
    let causes = server.unavailable_causes();
    let exit = server.stop().await;
    let verified = assert_verified(&url).await;
    eprintln!(
        "pg_terminate_backend every 100 ms for 3 s ({CLIENTS} writers, {terminated} backends terminated): \
         writes {} (during the terminations {}); worst latency {:.2?}; {} acknowledged, {} lost; a write \
         acknowledged {} after the last termination; {verified}; graceful stop {exit}; 503 causes: {causes}.",
        statuses(&outcomes, None),
        statuses(&during, None),
        worst(&outcomes),
        acknowledged.len(),
        lost.len(),
        recovered.map_or_else(|| "never (10 s)".to_owned(), |took| format!("{took:.2?}")),
    );
    assert!(terminated > 0, "backends were terminated");
    assert_answers(&outcomes, &[201, 503], ANSWER_LIMIT);
    assert!(recovered.is_some(), "writes are served again after the terminations stop");
    assert!(lost.is_empty(), "acknowledged members lost: {lost:?}");
    assert!(failures.is_empty(), "5xx other than 503 in the log: {failures:?}");
    assert!(exit.success(), "SIGTERM stops the server cleanly: {exit}");
    std::fs::remove_file(&log).ok();
}
