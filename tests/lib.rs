//! Public scenarios.
