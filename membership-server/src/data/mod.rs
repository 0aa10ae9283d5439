//! The service's own data, beside the store's: the users it knows, token hashes and webhook
//! endpoints. Every SQL statement of the server is here, behind typed functions over the
//! [`Store`]; handlers, auth, setup and webhook delivery never write SQL.
//!
//! The tables come from the service's own `sqlx::migrate!` set (`migrations/sqlite`,
//! `migrations/postgres`), run after the store's own migrations on the same database.

mod access_tokens;
mod endpoints;
mod login_codes;
mod organizations;
mod tokens;
mod users;
mod web_sessions;

use membership_sqlx::{Backend, Budget, Store, StoreError};
use sqlx::Any;
use sqlx::any::{AnyArguments, AnyQueryResult};
use sqlx::migrate::Migrator;
use sqlx::query::Query;

pub use access_tokens::{
    AccessToken, NewAccessToken, TokenOwner, access_token, access_tokens_page, insert_access_token, revoke_token,
    token_hash_of, touch_token, update_access_token, user_ids_by_email,
};
pub use endpoints::{
    Endpoint, EndpointChange, EndpointRecord, delete_endpoint, endpoint, endpoint_ids, endpoint_ids_for,
    endpoint_record, endpoints, endpoints_page, insert_endpoint, insert_endpoint_record, set_endpoint_secret,
    update_endpoint,
};
pub use login_codes::{put_login_code, redeem_login_code};
pub use organizations::{
    OrganizationRecord, Profile as OrganizationProfile, Visible, delete_profile, memberships_of, organization,
    organizations_page, save_profile,
};
pub use tokens::Known;
pub(crate) use tokens::principal;
pub use tokens::{Grant, LONG_SESSION, SessionTerms, insert_session, insert_token};
pub use users::{User, upsert_user, user, user_by_email, users, verification, verify_email};
pub use web_sessions::{WebSession, choose_organization, delete_web_session, insert_web_session, web_session};

/// The table the service's migrations are recorded in.
///
/// Not the store's `_sqlx_migrations`: a sqlx migrator refuses a database whose table lists
/// a version it does not have (`VersionMissing`), so two migrators sharing one table each
/// break the other. `set_ignore_missing(true)` with versions from 1001 would work only if
/// the store's migrator ignored missing versions too (a change to `membership-sqlx`), and
/// would blind both to a migration really lost. A table of its own keeps the two histories
/// apart and each fully checked: sqlx 0.9 names it with `dangerous_set_table_name`, whose
/// danger (renaming the table of a database already migrated) cannot arise for a name used
/// from the service's first migration on.
pub const MIGRATIONS_TABLE: &str = "_membership_server_migrations";

/// The service's migrations for `backend`, recorded in [`MIGRATIONS_TABLE`].
fn migrator(backend: Backend) -> Migrator {
    // The sets differ from 0004 on (each backend makes a random UUID its own way).
    let mut migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
}

/// Opens the store at `url` (see [`Store::open`]) and brings the service's tables up to
/// date: what the server runs at every start.
///
/// # Errors
///
/// What [`Store::open`] fails with, or a database error when the service's migrations do
/// not apply (a migration already applied was changed, or one failed half-way).
pub async fn open(url: &str) -> Result<Store, StoreError> {
    open_with(url, Budget::default()).await
}

/// [`open`] with the store's time budget of your own (see [`Budget`]).
///
/// # Errors
///
/// As [`open`].
pub async fn open_with(url: &str, budget: Budget) -> Result<Store, StoreError> {
    let store = Store::open_with(url, budget).await?;
    migrate(&store).await?;
    Ok(store)
}

/// Applies the service's migrations that `store`'s database has not seen; a database made
/// before they existed is adopted as it is. Running it again does nothing.
///
/// # Errors
///
/// A database error when a migration does not apply, or one already applied was changed.
pub async fn migrate(store: &Store) -> Result<(), StoreError> {
    migrator(store.backend()).run(store.pool()).await.map_err(sqlx::Error::from)?;
    Ok(())
}

/// Runs a statement of the service's own tables as a write of its own, through the store's
/// one way in ([`Store::begin_write`]): on SQLite it waits its turn for the writer
/// connection, in order with the store's commands, instead of contending for the
/// database's write lock from a pooled connection (which, under load, answers "database is
/// locked" once its busy timeout passes).
pub(crate) trait WriteIn {
    /// Executes and commits it.
    async fn write_in(self, store: &Store) -> Result<AnyQueryResult, StoreError>;
}

impl WriteIn for Query<'_, Any, AnyArguments> {
    async fn write_in(self, store: &Store) -> Result<AnyQueryResult, StoreError> {
        let mut tx = store.begin_write().await?;
        let done = self.execute(tx.conn()?).await?;
        tx.commit().await?;
        Ok(done)
    }
}
