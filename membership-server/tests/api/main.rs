//! Every route of the service, in-process (`tower::ServiceExt::oneshot`): statuses, Polar's
//! bodies, and the rules behind them, on SQLite or (with `PGHOST`) PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::missing_panics_doc,
    missing_docs,
    reason = "tests fail loudly"
)]

mod accounts;
mod concurrency;
mod customer_sessions;
mod customers;
mod data;
mod errors;
mod generation_a;
mod generation_c;
mod hardening;
mod invite_answers;
mod merchant;
mod metrics;
mod organization_header;
mod organizations;
mod portal;
mod stored_text;
mod support;
mod team;
mod tokens;
mod versions;
mod web;
mod web_portal;
mod webhook_endpoints;
mod webhooks;
