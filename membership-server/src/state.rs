//! What every handler shares: the store and the server's settings.

use std::sync::Arc;
use std::time::Duration;

use membership::{Timestamp, Ttl};
use membership_sqlx::{Clock, Store, SystemClock};
use moka::sync::Cache;

use crate::data::Known;
use crate::limits::Limits;
use crate::mail::Mailer;
use crate::metrics::Metrics;

/// How long a token's principal is served from memory before it is read again, unless
/// [`Settings::principal_ttl`] says otherwise. A token revoked through this process stops
/// working at once (its entry is dropped); one revoked through another process sharing the
/// database (or by the CLI) stops within this time.
pub const PRINCIPAL_TTL: Duration = Duration::from_secs(2);

/// The shared state of the service, behind one `Arc`: axum clones the state for every
/// handler call and every extractor that takes it, so a clone is one reference count, not
/// one per part (each a contended atomic when two cores serve requests).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] holds; reached through it (`state.store`).
#[derive(Clone, Debug)]
pub struct Shared {
    /// The membership store (and, through [`crate::data`], the server's own tables).
    pub store: Store,
    /// The settings.
    pub settings: Arc<Settings>,
    /// Principals by token hash, so a request costs no token read once its token is known.
    /// A token revoked elsewhere keeps working for at most [`Settings::principal_ttl`].
    pub principals: Cache<String, Arc<Known>>,
    /// What `GET /metrics` shows; the webhook deliverer of the process records into it too.
    pub metrics: Arc<Metrics>,
    /// Where login codes and invitations are mailed ([`Mailer::discard`] unless set with
    /// [`AppState::with_mailer`]).
    pub mailer: Mailer,
}

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long invitations and ownership offers stay open.
    pub ttl: Ttl,
    /// What one client may hold of the server.
    pub limits: Limits,
    /// Where the customer portal's front end lives, when not this service's own portal
    /// pages (`None`: [`Settings::portal_url`] is `{public_url}/portal`). A customer
    /// session's `customer_portal_url` is the portal's address with
    /// `?customer_session_token=<token>` appended; the portal API is under
    /// `/v1/customer-portal/`.
    pub customer_portal_url: Option<String>,
    /// Where the service is reached from outside, without a trailing slash: the base of
    /// the links it mails (an invitation's accept route).
    pub public_url: String,
    /// How long a token's principal is remembered ([`PRINCIPAL_TTL`] by default): the most
    /// a token revoked by another process keeps working here.
    pub principal_ttl: Duration,
    /// Whether `GET /metrics` answers and requests are counted (otherwise 404 there, as
    /// for no route, and no request is timed).
    pub metrics: bool,
}

/// Where this service serves its customer portal, under [`Settings::public_url`]: the
/// portal's address unless [`Settings::customer_portal_url`] names another front end.
pub const PORTAL_PATH: &str = "/portal";

/// [`Settings::public_url`] unless set otherwise: the default listen address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8000";

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ttl: membership::organization::DEFAULT_TTL,
            limits: Limits::default(),
            customer_portal_url: None,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            principal_ttl: PRINCIPAL_TTL,
            metrics: true,
        }
    }
}

impl Settings {
    /// The customer portal's address: [`Settings::customer_portal_url`] when set, else
    /// this service's own portal pages, `{public_url}/portal`.
    #[must_use]
    pub fn portal_url(&self) -> String {
        self.customer_portal_url.clone().unwrap_or_else(|| format!("{}{PORTAL_PATH}", self.public_url))
    }
}

impl AppState {
    /// State over `store` with default settings.
    #[must_use]
    pub fn new(store: Store) -> Self {
        AppState::with_settings(store, Settings::default())
    }

    /// State over `store` with `settings`.
    #[must_use]
    pub fn with_settings(store: Store, settings: Settings) -> Self {
        let principals = Cache::builder().max_capacity(100_000).time_to_live(settings.principal_ttl).build();
        let metrics = Arc::new(Metrics::new(&store));
        AppState(Arc::new(Shared {
            store,
            settings: Arc::new(settings),
            principals,
            metrics,
            mailer: Mailer::discard(),
        }))
    }

    /// This state, mailing through `mailer`.
    #[must_use]
    pub fn with_mailer(self, mailer: Mailer) -> Self {
        AppState(Arc::new(Shared { mailer, ..Shared::clone(&self.0) }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The time a command runs at: the server's clock (the crate itself has none).
#[must_use]
pub fn now() -> Timestamp {
    SystemClock.now()
}
