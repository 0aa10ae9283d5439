//! A store for the [`membership`] crate on real databases: embedded `SQLite` by default,
//! `PostgreSQL` to scale out.
//!
//! [`Store::open`] takes a URL and brings the schema up to date; [`Store::execute`] runs a
//! command of either aggregate in one transaction (lock the stream, run the command's read
//! plan as indexed point queries, decide, write the journal, the state tables and the
//! outbox, check the version, commit), retrying conflicts. The state tables are the source
//! of truth for reads and carry Polar's partial unique indexes as a backstop; the journal
//! is append-only and replays to exactly the tables ([`Store::verify`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use membership::organization::{Command, Organization};
//! use membership::{Actor, Email, OrganizationId, Permission, Timestamp, UserId};
//! use membership_sqlx::Store;
//! use uuid::Uuid;
//!
//! let store = Store::open("sqlite::memory:").await?;
//! let (org, ada) = (OrganizationId::new(Uuid::from_u128(1)), UserId::new(Uuid::from_u128(2)));
//! let now = Timestamp::parse("2025-03-03T09:00:00Z")?;
//! let create = Command::Create { email: Email::parse("ada@example.com")? };
//! store.execute::<Organization>(org, create, Actor::User(ada), now).await?;
//! store.check(org, Actor::User(ada), Permission::MembersManage).await?;
//! # Ok(()) }
//! ```

mod avatar;
mod batch;
mod budget;
mod clock;
mod customer;
mod customer_list;
mod delivery;
mod error;
mod health;
mod journal;
mod organization;
mod outbox;
mod project;
mod reader;
mod service;
mod sql;
mod store;
mod stored;
mod team_page;
mod transaction;
mod writing;

pub use avatar::{avatar_url, with_avatar};
pub use budget::{Budget, RETRY_AFTER};
pub use clock::{Clock, SystemClock};
pub use customer_list::{CustomerFilter, CustomerRecord};
pub use delivery::{Attempt, DeliveryRecord, DeliveryStatus, FailedDelivery};
pub use error::StoreError;
pub use health::Health;
pub use journal::Verification;
pub use outbox::Delivery;
pub use service::MemberFilter;
pub use sql::Backend;
pub use sql::RootRead;
pub use store::Store;
pub use stored::{Outcome, Stored};
pub use team_page::TeamPage;
pub use writing::WriteTransaction;
