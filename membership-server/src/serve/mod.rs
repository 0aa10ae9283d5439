//! Serving the app on a TCP listener, HTTP/1.1, with the connection limits of
//! [`Limits`]: at most `max_connections` served, a few more answered 503 (health checks
//! excepted) and closed, the rest closed at once; each connection's headers within
//! `header_timeout` (a 408 JSON answer, see `guarded.rs`); hyper's own error answers
//! replaced by Polar's JSON. A graceful stop lets the requests in flight finish.

mod guarded;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::normalize_path::NormalizePath;

use crate::error::ApiError;
use crate::limits::{Limits, is_health};
use crate::routes::REQUEST_ID;
use guarded::Guarded;

/// Connections answered 503 beyond `max_connections` at once; past them a connection is
/// closed unanswered (answering costs a task and a buffer each, which a flood must not
/// get for free).
pub const OVERFLOW_CONNECTIONS: usize = 64;

/// How long a graceful stop waits for the requests in flight before it gives up.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then waits (at
/// most [`DRAIN_LIMIT`]) for the requests in flight.
///
/// # Errors
///
/// None today: a failed accept (out of file descriptors, say) is logged and retried.
pub async fn serve(
    listener: TcpListener,
    app: NormalizePath<Router>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let served = Arc::new(Semaphore::new(limits.max_connections.min(Semaphore::MAX_PERMITS)));
    let overflow = Arc::new(Semaphore::new(OVERFLOW_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait for connections to end.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (permit, full) = if let Ok(permit) = Arc::clone(&served).try_acquire_owned() {
            (permit, false)
        } else if let Ok(permit) = Arc::clone(&overflow).try_acquire_owned() {
            tracing::warn!(max_connections = limits.max_connections, "connection limit reached: answering 503");
            (permit, true)
        } else {
            tracing::warn!(max_connections = limits.max_connections, "connection limit reached: closing");
            continue;
        };
        // Answers are written whole, one write each; Nagle's delay would only add latency.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let app = app.clone();
            async move {
                if full && !is_health(request.uri().path()) {
                    return Ok::<_, Infallible>(overloaded());
                }
                app.oneshot(request).await
            }
        });
        let mut builder = http1::Builder::new();
        // The guard answers a late head with 408; hyper's own timer is only a backstop.
        builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout.saturating_mul(2)).keep_alive(!full);
        let connection = builder.serve_connection(TokioIo::new(Guarded::new(stream, limits.header_timeout)), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown()).await.is_err() {
        tracing::warn!(limit = ?DRAIN_LIMIT, "requests still in flight at the drain limit: stopping anyway");
    }
    Ok(())
}

/// The answer of a connection over the limit: 503, `Retry-After`, and the connection
/// closed.
fn overloaded() -> Response {
    let mut response = ApiError::Overloaded.into_response();
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::try_from(uuid::Uuid::new_v4().to_string()) {
        headers.insert(REQUEST_ID, id);
    }
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
