//! Public scenarios, in one test binary so linking stays fast.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod allocations;
mod conformance;
mod customer_equality;
mod customer_kit;
mod customer_properties;
mod customer_rules;
mod customer_webhooks;
mod organization_equality;
mod organization_properties;
mod organization_replay;
mod organization_rules;
mod organization_tenancy;
mod polar_wire;
mod readme;
mod row_store;
mod rows;
mod rules_doc;
mod seam;
mod support;
mod wire;
