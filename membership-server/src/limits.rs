//! What one client may hold of the server: how long its headers and body may take, how
//! long its URI and headers may be, and how many connections and requests in flight the
//! server takes at once. Past a limit the answer is Polar's JSON (408, 414, 431, 503 with
//! `Retry-After`), never a hang, and `/health` and `/health/live` stay outside the request
//! limit so a probe still answers during a flood.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::error::ApiError;

/// The limits, each a flag of `membership-server` (see `--help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a request's headers may take to arrive, from the end of the previous
    /// answer (or the connection's start): past it, 408 if part of a request came, else
    /// the idle connection is closed.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive in all, from the end of its headers:
    /// past it, 408 and the connection is closed.
    pub body_timeout: Duration,
    /// Connections served at once; past it a connection gets one 503 answer (health
    /// checks excepted) and is closed.
    pub max_connections: usize,
    /// Requests in flight at once, health checks excepted; past it, 503.
    pub max_in_flight: usize,
    /// The longest request target (path and query), in bytes; past it, 414.
    pub max_uri_bytes: usize,
    /// The most header bytes a request may send (names, values and separators); past it,
    /// 431.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    /// Timeouts a slow mobile client meets easily; URI and header sizes as Cloudflare,
    /// which fronts Polar's API, allows them (16 KiB and 32 KiB).
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_in_flight: 256,
            max_uri_bytes: 16 * 1024,
            max_header_bytes: 32 * 1024,
        }
    }
}

/// When a request's body must have arrived: set on every request by [`guard`], read by
/// [`crate::extract::JsonBody`].
#[derive(Clone, Copy, Debug)]
pub struct BodyDeadline(pub Instant);

/// The request limit's shared state.
#[derive(Clone, Debug)]
pub struct Guard {
    limits: Limits,
    in_flight: Arc<Semaphore>,
}

impl Guard {
    /// A guard enforcing `limits`, with no request in flight.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Guard { limits, in_flight: Arc::new(Semaphore::new(limits.max_in_flight.min(Semaphore::MAX_PERMITS))) }
    }
}

/// Is this a health check, which no request limit holds back?
#[must_use]
pub fn is_health(path: &str) -> bool {
    path == "/health" || path.starts_with("/health/")
}

/// The per-request limits: URI and header sizes, the body's deadline, requests in flight.
pub async fn guard(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    if uri_bytes(request.uri()) > guard.limits.max_uri_bytes {
        return ApiError::UriTooLong.into_response();
    }
    if header_bytes(request.headers()) > guard.limits.max_header_bytes {
        return ApiError::HeadersTooLarge.into_response();
    }
    request.extensions_mut().insert(BodyDeadline(Instant::now() + guard.limits.body_timeout));
    if is_health(request.uri().path()) {
        return next.run(request).await;
    }
    // Shed rather than queue: a queued request would wait past its client's patience.
    let Ok(_permit) = guard.in_flight.try_acquire() else {
        return ApiError::Overloaded.into_response();
    };
    next.run(request).await
}

/// The request target's length as sent.
fn uri_bytes(uri: &Uri) -> usize {
    let authority = uri.authority().map_or(0, |authority| authority.as_str().len());
    let scheme = uri.scheme_str().map_or(0, |scheme| scheme.len() + 3);
    scheme + authority + uri.path_and_query().map_or(0, |target| target.as_str().len())
}

/// The headers' size as sent: `name: value\r\n` each.
fn header_bytes(headers: &HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum()
}
