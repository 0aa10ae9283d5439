//! `membership-server`: Polar's member API over the [`membership`] crate and its
//! [`membership_sqlx`] store. A Polar client (its TypeScript SDK, say) can point at it
//! unchanged: the same paths, JSON, statuses and error bodies, and `member.*` webhooks
//! signed as Standard Webhooks, delivered at least once from the store's outbox.
//!
//! It is a reference for people embedding the crate: each handler reads the token, checks
//! its scope, parses the request into the crate's types, runs one store call, and answers
//! the crate's result in Polar's shape. The rules live in the crate, never here.

pub mod auth;
pub mod data;
pub mod error;
pub mod extract;
pub mod invitation_mail;
pub mod limits;
pub mod login_code;
pub mod mail;
pub mod metrics;
pub mod routes;
pub mod serve;
pub mod setup;
pub mod state;
pub mod tenant;
pub mod tokens_cli;
pub mod version;
pub mod web;
pub mod webhooks;

pub use routes::app;
pub use state::AppState;
