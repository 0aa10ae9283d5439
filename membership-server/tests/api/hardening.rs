//! The server on a real socket under clients that misbehave: slow headers, a body that
//! stops, a flood of connections or requests, and requests hyper cannot parse. Each gets
//! Polar's JSON with an `x-request-id` (or, with nothing asked, a closed connection)
//! within its limit, and the health checks stay fast meanwhile.

use std::fmt::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use membership_server::limits::Limits;
use membership_server::serve::serve;
use membership_server::state::Settings;
use membership_server::{AppState, app};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::support::Api;

/// Slack for scheduling on a busy two-core machine.
const SLACK: Duration = Duration::from_millis(1500);

/// A served app on a free port, stopped when dropped.
struct Served {
    address: SocketAddr,
    token: String,
    customer_id: String,
    _stop: oneshot::Sender<()>,
}

async fn served(limits: Limits) -> Served {
    let api = Api::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = app(AppState::with_settings(api.store.clone(), Settings { limits, ..Settings::default() }));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, app, limits, async move {
        let _ = stopped.await;
    }));
    Served {
        address,
        token: api.created.organization_token.clone(),
        customer_id: api.created.customer_id.to_string(),
        _stop: stop,
    }
}

/// One raw answer: status, lower-cased headers, JSON body, and when the connection ended.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    json: Value,
    took: Duration,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// Polar's shape with a request id.
    fn assert_polar(&self, status: u16, error: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.json["error"], error, "{self:?}");
        assert!(self.json["detail"].is_string(), "{self:?}");
        assert!(self.header("x-request-id").is_some_and(|id| !id.is_empty()), "{self:?}");
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
    }
}

/// Sends `bytes` on a new connection and reads until the server closes it (at most 10 s).
async fn exchange(address: SocketAddr, bytes: &[u8]) -> (Vec<u8>, Duration) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let started = Instant::now();
    stream.write_all(bytes).await.unwrap();
    let mut read = Vec::new();
    let result = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut read)).await;
    assert!(result.is_ok(), "the server kept the connection open: {}", String::from_utf8_lossy(&read));
    (read, started.elapsed())
}

fn parse(bytes: &[u8], took: Duration) -> Raw {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no answer: {text:?}"));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    Raw { status, headers, json, took }
}

async fn ask(address: SocketAddr, bytes: &[u8]) -> Raw {
    let (read, took) = exchange(address, bytes).await;
    parse(&read, took)
}

fn get(path: &str, token: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n").into_bytes()
}

fn short(limits: Limits) -> Limits {
    Limits { header_timeout: Duration::from_millis(400), body_timeout: Duration::from_millis(400), ..limits }
}

#[tokio::test]
async fn half_a_requests_headers_gets_408_json_within_the_header_timeout() {
    let server = served(short(Limits::default())).await;
    let answer = ask(server.address, b"GET /v1/members/ HTTP/1.1\r\nhost: x\r\nauthorization: Bea").await;
    answer.assert_polar(408, "RequestTimeout");
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(
        answer.took >= Duration::from_millis(350) && answer.took < Duration::from_millis(400) + SLACK,
        "{answer:?}"
    );
    eprintln!("half a request's headers: 408 after {:?} (header timeout 400 ms)", answer.took);
}

#[tokio::test]
async fn an_idle_connection_is_closed_unanswered_at_the_header_timeout() {
    let server = served(short(Limits::default())).await;
    let (read, took) = exchange(server.address, b"").await;
    assert!(read.is_empty(), "{}", String::from_utf8_lossy(&read));
    assert!(took < Duration::from_millis(400) + SLACK, "{took:?}");
}

#[tokio::test]
async fn a_kept_alive_connection_gets_a_fresh_header_timeout_per_request() {
    let server = served(short(Limits::default())).await;
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    for _ in 0..3 {
        // Each request comes 300 ms after the previous answer: within its own 400 ms.
        tokio::time::sleep(Duration::from_millis(300)).await;
        stream.write_all(b"GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
        let mut buffer = [0u8; 1024];
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(buffer.get(..read).unwrap().starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buffer));
    }
}

#[tokio::test]
async fn a_body_that_stops_gets_408_json_within_the_body_timeout_and_the_connection_closes() {
    let server = served(short(Limits { header_timeout: Duration::from_secs(5), ..Limits::default() })).await;
    let request = format!(
        "POST /v1/customers/{}/members HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: \
         application/json\r\ncontent-length: 100\r\n\r\n{{\"email\":",
        server.customer_id, server.token
    );
    let answer = ask(server.address, request.as_bytes()).await;
    answer.assert_polar(408, "RequestTimeout");
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(answer.took < Duration::from_millis(400) + SLACK, "{answer:?}");
    eprintln!("a body that stops: 408 after {:?} (body timeout 400 ms)", answer.took);
}

#[tokio::test]
async fn a_connection_flood_beyond_the_limit_gets_503_while_health_live_stays_fast() {
    let limits = Limits { max_connections: 8, header_timeout: Duration::from_secs(10), ..Limits::default() };
    let server = served(limits).await;
    // Eight slow clients hold every connection the server serves.
    let mut held = Vec::new();
    for _ in 0..8 {
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        stream.write_all(b"GET /v1/members/ HTTP/1.1\r\nhost: x\r\n").await.unwrap();
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut worst_refusal = Duration::ZERO;
    for _ in 0..20 {
        let answer = ask(server.address, &get("/v1/members/", &server.token)).await;
        answer.assert_polar(503, "ServiceUnavailable");
        assert_eq!(answer.header("retry-after"), Some("1"));
        worst_refusal = worst_refusal.max(answer.took);
    }
    let mut worst_live = Duration::ZERO;
    for _ in 0..20 {
        let answer = ask(server.address, &get("/health/live", "-")).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.json["status"], "ok");
        worst_live = worst_live.max(answer.took);
    }
    let health = ask(server.address, &get("/health", "-")).await;
    assert_eq!(health.status, 200, "{health:?}");
    eprintln!(
        "connection flood (limit 8, 8 held): 20 API requests 503 (worst {worst_refusal:?}); 20 /health/live 200 \
         (worst {worst_live:?}); /health 200 in {:?}",
        health.took
    );
    assert!(worst_live < Duration::from_millis(500), "/health/live took {worst_live:?}");
    // The held connections end; the server serves again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(ask(server.address, &get("/v1/members/", &server.token)).await.status, 200);
}

#[tokio::test]
async fn requests_in_flight_beyond_the_limit_get_503_while_health_stays_fast() {
    let limits = Limits { max_in_flight: 1, body_timeout: Duration::from_secs(3), ..Limits::default() };
    let server = served(limits).await;
    // One request holds the only slot: its body stops half way.
    let mut slow = TcpStream::connect(server.address).await.unwrap();
    let request = format!(
        "POST /v1/customers/{}/members HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-length: 100\r\n\r\n{{",
        server.customer_id, server.token
    );
    slow.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = ask(server.address, &get("/v1/members/", &server.token)).await;
    answer.assert_polar(503, "ServiceUnavailable");
    assert_eq!(answer.header("retry-after"), Some("1"));
    for path in ["/health/live", "/health"] {
        let answer = ask(server.address, &get(path, "-")).await;
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        assert!(answer.took < Duration::from_millis(500), "{path} took {:?}", answer.took);
    }
    drop(slow);
}

#[tokio::test]
async fn a_uri_over_the_limit_is_414_json() {
    let server = served(Limits::default()).await;
    // Over the service's 16 KiB: its own check.
    let answer = ask(server.address, &get(&format!("/v1/members/?q={}", "a".repeat(20_000)), &server.token)).await;
    answer.assert_polar(414, "URITooLong");
    // Over hyper's 64 KiB: hyper's own refusal, in Polar's shape all the same.
    let answer = ask(server.address, &get(&format!("/v1/members/?q={}", "a".repeat(70_000)), &server.token)).await;
    answer.assert_polar(414, "URITooLong");
}

#[tokio::test]
async fn headers_over_the_limit_are_431_json() {
    let server = served(Limits::default()).await;
    // Over the service's 32 KiB in bytes: its own check.
    let big =
        format!("GET /health/live HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-big: {}\r\n\r\n", "a".repeat(40_000));
    ask(server.address, big.as_bytes()).await.assert_polar(431, "RequestHeaderFieldsTooLarge");
    // Over hyper's 100 headers: hyper's own refusal, in Polar's shape all the same.
    let many = (0..150).fold(String::new(), |mut headers, n| {
        let _ = write!(headers, "x-{n}: y\r\n");
        headers
    });
    let many = format!("GET /health/live HTTP/1.1\r\nhost: x\r\n{many}\r\n");
    ask(server.address, many.as_bytes()).await.assert_polar(431, "RequestHeaderFieldsTooLarge");
}

#[tokio::test]
async fn a_request_that_is_not_http_is_400_json() {
    let server = served(Limits::default()).await;
    for request in [
        &b"GET /health/live HTTP/1.1\r\nthis is not a header\r\n\r\n"[..],
        b"HELLO\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
    ] {
        ask(server.address, request).await.assert_polar(400, "BadRequest");
    }
}
