//! What an event does to a store's rows, stated once, in storage-neutral terms.
//!
//! Each event's effect on the tables is a short list of [`RowEffect`]s: a row inserted,
//! fields set on a row, a counter moved, a row deleted. A SQL store turns each into one
//! statement; a test store turns them into map updates; neither knows what an event
//! means. Domain words (roles, statuses) come out of the crate's codecs as
//! [`Value::Text`], so no store spells them.
//!
//! The table layout is part of this contract: every row carries its tenant
//! (`organization_id`), so a store can index by tenant and a sharded database can
//! distribute every table by it.
//!
//! ```
//! use membership::organization::{Change, Event};
//! use membership::rows::{RowEffect, Table, Value};
//! use membership::{Actor, Email, OrganizationId, Timestamp, UserId};
//! use uuid::Uuid;
//!
//! let (org, ada) = (OrganizationId::new(Uuid::from_u128(1)), UserId::new(Uuid::from_u128(2)));
//! let at = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
//! let email = Email::parse("Ada@Example.com").unwrap();
//! let created = Event { organization_id: org, version: 1, at, actor: Actor::User(ada), change: Change::Created { owner: ada, email } };
//! let effects = created.row_effects();
//! assert!(matches!(&effects[1], RowEffect::Insert { table: Table::Memberships, .. }));
//! assert_eq!(effects[1].value("role"), Some(&Value::Text("owner".into())));
//! assert_eq!(effects[1].value("email_folded"), Some(&Value::Text("ada@example.com".into())));
//! ```

use crate::Timestamp;

/// A table of a store's state. The column names of each are those the effects use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// One row per organization: `id`, `version`, `created_at`.
    Organizations,
    /// One row per team member: `organization_id`, `user_id`, `email`, `email_folded`,
    /// `role`, `created_at`.
    Memberships,
    /// One row per invitation, kept after it closes: `organization_id`, `id`, `email`,
    /// `email_folded`, `invited_by`, `created_at`, `expires_at`, `status`, `accepted_by`.
    Invitations,
    /// One row per ownership offer, kept after it closes: `organization_id`, `id`,
    /// `from_user`, `to_user`, `created_at`, `expires_at`, `status`, `void_reason`.
    Offers,
    /// One row per customer, kept after deletion: `id`, `version`, `organization_id`,
    /// `kind`, `email`, `name`, `external_id`, `deleted`, `member_count` (active members).
    Customers,
    /// One row per customer member, kept after deletion: `organization_id`, `customer_id`,
    /// `id`, `created_at`, `modified_at`, `email`, `email_folded`, `name`, `external_id`,
    /// `role`, `deleted`, `ord` (the version of the event that created it).
    Members,
}

impl Table {
    /// Every table, roots first.
    pub const ALL: [Table; 6] =
        [Table::Organizations, Table::Customers, Table::Memberships, Table::Invitations, Table::Offers, Table::Members];

    /// Its name in SQL.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Table::Organizations => "organizations",
            Table::Memberships => "memberships",
            Table::Invitations => "invitations",
            Table::Offers => "offers",
            Table::Customers => "customers",
            Table::Members => "members",
        }
    }
}

/// One column's value, typed by meaning so each store picks its own encoding (a SQL store
/// keeps times as Unix microseconds and flags as 0/1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text: an id, an email, a name, or a domain word from a codec.
    Text(String),
    /// A point in time.
    Time(Timestamp),
    /// A version or a position in a stream.
    Count(u64),
    /// Yes or no (`deleted`).
    Flag(bool),
    /// No value, in a column that holds values of this kind (a SQL store binds a typed
    /// null).
    Null(Kind),
}

/// What a column holds: the type of a [`Value::Null`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// [`Value::Text`].
    Text,
    /// [`Value::Time`].
    Time,
}

impl Value {
    /// Text from anything printable: ids, emails, codec words.
    pub fn text(value: impl std::fmt::Display) -> Self {
        Value::Text(value.to_string())
    }

    /// Text, or a text null for `None`.
    pub fn text_opt(value: Option<impl std::fmt::Display>) -> Self {
        value.map_or(Value::Null(Kind::Text), Value::text)
    }

    /// A time, or a time null for `None`.
    #[must_use]
    pub fn time_opt(value: Option<Timestamp>) -> Self {
        value.map_or(Value::Null(Kind::Time), Value::Time)
    }
}

/// A column and its value.
pub type Field = (&'static str, Value);

/// One change to one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowEffect {
    /// A new row with these columns.
    Insert {
        /// Where.
        table: Table,
        /// Every column of the row.
        row: Vec<Field>,
    },
    /// These fields set on the one row whose key columns have these values.
    Set {
        /// Where.
        table: Table,
        /// The row's key.
        key: Vec<Field>,
        /// The columns that change.
        fields: Vec<Field>,
    },
    /// A counter column moved by `by` on the one row with this key.
    Add {
        /// Where.
        table: Table,
        /// The row's key.
        key: Vec<Field>,
        /// The counter.
        column: &'static str,
        /// By how much: +1 or -1.
        by: i64,
    },
    /// The one row with this key removed.
    Delete {
        /// Where.
        table: Table,
        /// The row's key.
        key: Vec<Field>,
    },
}

impl RowEffect {
    /// The table it touches.
    #[must_use]
    pub fn table(&self) -> Table {
        match self {
            RowEffect::Insert { table, .. }
            | RowEffect::Set { table, .. }
            | RowEffect::Add { table, .. }
            | RowEffect::Delete { table, .. } => *table,
        }
    }

    /// The row's key (every column, for an insert).
    #[must_use]
    pub fn key(&self) -> &[Field] {
        match self {
            RowEffect::Insert { row, .. } => row,
            RowEffect::Set { key, .. } | RowEffect::Add { key, .. } | RowEffect::Delete { key, .. } => key,
        }
    }

    /// The value it writes to `column`, if it writes one (an insert's or a set's).
    #[must_use]
    pub fn value(&self, column: &str) -> Option<&Value> {
        let fields = match self {
            RowEffect::Insert { row, .. } => row,
            RowEffect::Set { fields, .. } => fields,
            RowEffect::Add { .. } | RowEffect::Delete { .. } => return None,
        };
        fields.iter().find(|(name, _)| *name == column).map(|(_, value)| value)
    }
}
