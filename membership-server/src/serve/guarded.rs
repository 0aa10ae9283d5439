//! A connection's bytes as hyper sees them, with the two answers hyper does not give in
//! Polar's shape:
//!
//! * a request whose headers stop arriving gets a 408 JSON answer when its header time
//!   runs out, and the connection is closed (hyper would close it without a word); an
//!   idle connection is closed silently at the same time;
//! * a request hyper cannot parse gets, instead of hyper's empty 400, 414 or 431, the same
//!   status with Polar's JSON body and an `x-request-id`.
//!
//! It follows the HTTP/1.1 exchange from the outside: a request's head ends at its blank
//! line, and the server's answer to it starts with `HTTP/1.x NNN`. hyper's automatic
//! answers never carry an `x-request-id`, which every answer of the service does; that is
//! how they are told apart.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;

/// Where the exchange is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request's head, until the deadline; `started` once a byte of it came.
    AwaitHead {
        /// Some of the head has arrived.
        started: bool,
    },
    /// The head was read whole; the request is the service's until its answer starts.
    InRequest,
}

/// A connection, watched.
#[derive(Debug)]
pub(crate) struct Guarded {
    inner: TcpStream,
    header_timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    phase: Phase,
    /// The last four bytes read while waiting for a head, to find its end across reads.
    window: u32,
    /// An answer of ours being written, and how much of it is.
    answer: Option<(Vec<u8>, usize)>,
    /// The exchange is over: reads see the end of the stream, hyper's writes are dropped.
    done: bool,
}

impl Guarded {
    /// `inner`, whose first request's head must arrive within `header_timeout`.
    pub(crate) fn new(inner: TcpStream, header_timeout: Duration) -> Self {
        Guarded {
            inner,
            header_timeout,
            deadline: Box::pin(tokio::time::sleep(header_timeout)),
            phase: Phase::AwaitHead { started: false },
            window: 0,
            answer: None,
            done: false,
        }
    }

    /// Writes our answer out, if there is one; then the exchange is over.
    fn poll_answer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.answer {
            let rest = bytes.get(*written..).unwrap_or_default();
            if rest.is_empty() {
                self.answer = None;
                self.done = true;
                break;
            }
            let wrote = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if wrote == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += wrote;
        }
        Poll::Ready(Ok(()))
    }

    /// Follows the head being read; true at its end (a blank line).
    fn head_ends_in(&mut self, read: &[u8]) -> bool {
        for &byte in read {
            self.window = (self.window << 8) | u32::from(byte);
            // `\r\n\r\n`, or `\n\n`, which HTTP/1.1 parsers also take.
            if self.window == u32::from_be_bytes(*b"\r\n\r\n") || self.window & 0xFFFF == 0x0A0A {
                self.window = 0;
                return true;
            }
        }
        false
    }
}

impl AsyncRead for Guarded {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_answer(cx))?;
        if this.done {
            return Poll::Ready(Ok(()));
        }
        if let Phase::AwaitHead { started } = this.phase
            && this.deadline.as_mut().poll(cx).is_ready()
        {
            if started {
                this.answer = Some((answer(&ApiError::RequestTimeout), 0));
                ready!(this.poll_answer(cx))?;
            }
            this.done = true;
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if let Phase::AwaitHead { started } = this.phase {
            let read = buf.filled().get(before..).unwrap_or_default();
            let ended = this.head_ends_in(read);
            this.phase =
                if ended { Phase::InRequest } else { Phase::AwaitHead { started: started || !read.is_empty() } };
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.answer.is_none()
            && !this.done
            && let Some(error) = automatic(buf)
        {
            this.answer = Some((answer(&error), 0));
        }
        if this.answer.is_some() || this.done {
            ready!(this.poll_answer(cx))?;
            // hyper's own bytes are replaced by ours.
            return Poll::Ready(Ok(buf.len()));
        }
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        if starts_final_answer(buf) {
            // The next request's head has its own time, from now.
            this.phase = Phase::AwaitHead { started: false };
            this.window = 0;
            this.deadline.as_mut().reset(Instant::now() + this.header_timeout);
        }
        Poll::Ready(Ok(written))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_answer(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_answer(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Does `buf` start an answer that ends the request (not a `100 Continue`)?
fn starts_final_answer(buf: &[u8]) -> bool {
    buf.starts_with(b"HTTP/1.") && buf.get(9).is_some_and(|digit| (b'2'..=b'5').contains(digit))
}

/// The error hyper answers with an empty body on its own, if `buf` is that answer: a 400,
/// 414 or 431 head without the `x-request-id` every answer of the service has.
fn automatic(buf: &[u8]) -> Option<ApiError> {
    if !buf.starts_with(b"HTTP/1.") {
        return None;
    }
    let head = buf.windows(4).position(|end| end == b"\r\n\r\n").and_then(|end| buf.get(..end)).unwrap_or(buf);
    let has_request_id = head
        .split(|byte| *byte == b'\n')
        .any(|line| line.get(..13).is_some_and(|name| name.eq_ignore_ascii_case(b"x-request-id:")));
    if has_request_id {
        return None;
    }
    match buf.get(9..12)? {
        b"400" => Some(ApiError::BadRequest),
        b"414" => Some(ApiError::UriTooLong),
        b"431" => Some(ApiError::HeadersTooLarge),
        _ => None,
    }
}

/// `error` as a whole HTTP/1.1 answer that closes the connection, with a fresh request id
/// (no request was read whole to carry one).
pub(crate) fn answer(error: &ApiError) -> Vec<u8> {
    use std::fmt::Write;
    let body = error.json().to_string();
    let status = error.status();
    let id = uuid::Uuid::new_v4();
    tracing::info!(status = status.as_u16(), code = error.code(), request_id = %id, "answered before a request was read");
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: {id}\r\nconnection: close\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or_default(),
        body.len(),
    );
    if let Some(wait) = error.retry_after() {
        let _ = write!(head, "retry-after: {wait}\r\n");
    }
    head.push_str("\r\n");
    head.push_str(&body);
    head.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_own_answers_are_told_from_the_services() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert!(matches!(automatic(hyper), Some(ApiError::HeadersTooLarge)));
        let ours = b"HTTP/1.1 400 Bad Request\r\nX-Request-Id: 1\r\ncontent-length: 2\r\n\r\n{}";
        assert!(automatic(ours).is_none());
        assert!(automatic(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(!starts_final_answer(b"HTTP/1.1 100 Continue\r\n\r\n"));
        assert!(starts_final_answer(b"HTTP/1.1 201 Created\r\n"));
    }
}
