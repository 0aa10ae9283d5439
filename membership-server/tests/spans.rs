//! The store's spans nest under the request's span: a write's `store.execute` (in a task
//! of its own) and each `store.attempt` are children of the server's `request` span, so a
//! trace of one request shows its database work.
//!
//! A test binary of its own: `tracing` caches whether a call site is enabled against the
//! dispatchers it knows, so beside the api suite's other tests (no subscriber, other
//! threads) a thread-scoped subscriber could miss a span (seen: `store.attempt` missing in
//! one parallel run of three).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::missing_panics_doc,
    missing_docs,
    reason = "tests fail loudly"
)]

#[path = "api/support.rs"]
mod support;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::json;
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use support::Api;

/// A span's name and its ancestors' names, nearest first.
type Made = (String, Vec<String>);

/// Every span made.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Made>>>);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, _: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let ancestors = span.scope().skip(1).map(|parent| parent.name().to_owned()).collect();
        self.0.lock().unwrap().push((span.name().to_owned(), ancestors));
    }
}

#[tokio::test]
async fn the_stores_spans_nest_under_the_request_span() {
    let api = Api::new().await;
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    // `tokio::test` runs every task on this thread, so the thread's subscriber sees the
    // store's task too.
    let _guard = tracing::subscriber::set_default(subscriber);
    let answer = api.post(&api.members(), json!({ "email": "ada@example.com" })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let spans = spans.0.lock().unwrap().clone();
    let find = |name: &str| spans.iter().find(|(span, _)| span == name).cloned();
    let (_, execute) = find("store.execute").unwrap_or_else(|| panic!("no store.execute span: {spans:?}"));
    assert_eq!(execute.first().map(String::as_str), Some("request"), "{spans:?}");
    let (_, attempt) = find("store.attempt").unwrap_or_else(|| panic!("no store.attempt span: {spans:?}"));
    assert_eq!(attempt, ["store.execute", "request"], "{spans:?}");
}
