//! What every handler shares: the store and the server's settings.

use std::sync::Arc;

use membership::{Timestamp, Ttl};
use membership_sqlx::Store;

/// The shared state of the service.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The membership store (and, through its pool, the server's own tables).
    pub store: Store,
    /// The settings.
    pub settings: Arc<Settings>,
}

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long invitations and ownership offers stay open.
    pub ttl: Ttl,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { ttl: membership::organization::DEFAULT_TTL }
    }
}

impl AppState {
    /// State over `store` with default settings.
    #[must_use]
    pub fn new(store: Store) -> Self {
        AppState { store, settings: Arc::new(Settings::default()) }
    }
}

/// The time a command runs at: the server's clock (the crate itself has none).
#[must_use]
pub fn now() -> Timestamp {
    Timestamp::try_from(chrono::Utc::now()).unwrap_or(Timestamp::MAX)
}
