//! Customers in tables: the reads of a plan, the projection of events (soft-deleted
//! members keep their rows), the outbox of Polar webhooks, and a service's reads.

use membership::customer::{
    self, Change, Customer, CustomerKind, CustomerView, Event, Member, MemberRole, Prefetched, Profile, Read, Snapshot,
};
use membership::wire::{AnyWebhook, ListResource, Paging, Sorting, customer_webhooks};
use membership::{Aggregate, CustomerId, Email, ExternalId, MemberId, Name, OrganizationId, Timestamp};
use sqlx::AnyConnection;
use std::sync::LazyLock;

use crate::error::{StoreError, corrupt};
use crate::sql::{self, Columns, RootRead, folded, parsed, select, time, time_opt};
use crate::store::Store;
use crate::stored::Stored;

const T: &str = "members";

impl Stored for Customer {
    async fn open(
        conn: &mut AnyConnection,
        read: RootRead,
        id: CustomerId,
    ) -> Result<(Option<u64>, Prefetched), StoreError> {
        let root = root(conn, read, id).await?;
        let version = root.as_ref().map(|(version, _)| *version);
        Ok((version, Prefetched::new(id, version.unwrap_or(0), root.map(|(_, profile)| profile))))
    }

    async fn load(
        conn: &mut AnyConnection,
        id: CustomerId,
        view: &mut Prefetched,
        read: Read,
    ) -> Result<(), StoreError> {
        load(conn, id, view, read).await
    }

    async fn webhooks(
        conn: &mut AnyConnection,
        view: &Prefetched,
        events: &[Event],
    ) -> Result<Vec<AnyWebhook>, StoreError> {
        let id = view.id();
        let Some(first) = events.first() else { return Ok(Vec::new()) };
        // `customer.updated` and `customer.deleted` carry when the customer was created,
        // which its row does not keep: its first journal event does. Only they look it up;
        // a creation's time is its own first event's.
        let changes_customer = events.iter().any(|event| {
            matches!(event.change, Change::EmailChanged { .. } | Change::KindChanged { .. } | Change::Deleted)
        });
        let created_at = match view.profile() {
            Some(_) if changes_customer => created_at(conn, id).await?,
            _ => first.at,
        };
        let mut webhooks = customer_webhooks(id, view.profile(), created_at, events);
        crate::avatar::fill(&mut webhooks);
        Ok(webhooks)
    }
}

/// When customer `id` was created: its first journal event's time.
async fn created_at(conn: &mut AnyConnection, id: CustomerId) -> Result<Timestamp, StoreError> {
    let row = sqlx::query("SELECT at FROM journal WHERE aggregate = $1 AND stream_id = $2 AND version = 1")
        .bind(Customer::TYPE_NAME)
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| corrupt("journal", id, "a stored customer has no creation event"))?;
    time(&row, "journal", "at")
}

/// The statement that reads a customer's root row by id (`$1`).
macro_rules! root_row {
    () => {
        "SELECT version, organization_id, kind, email, name, external_id, deleted FROM customers WHERE id = $1"
    };
}

/// The customer's version and row, `None` when it does not exist yet; when `read` is locked,
/// its root row stays locked until the transaction ends (PostgreSQL; SQLite's transaction
/// holds the write lock already).
pub(crate) async fn root(
    conn: &mut AnyConnection,
    read: RootRead,
    id: CustomerId,
) -> Result<Option<(u64, Profile)>, StoreError> {
    let sql = match read {
        RootRead::Locked => concat!(root_row!(), " FOR UPDATE"),
        RootRead::Plain => root_row!(),
    };
    let row = sqlx::query(sql).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    row.as_ref().map(|row| versioned_profile(row)).transpose()
}

/// A customer's root row: its version and its profile.
pub(crate) fn versioned_profile(row: &dyn Columns) -> Result<(u64, Profile), StoreError> {
    Ok((sql::version(row, "customers", "version")?, profile(row)?))
}

pub(crate) fn profile(row: &dyn Columns) -> Result<Profile, StoreError> {
    const C: &str = "customers";
    Ok(Profile {
        organization_id: parsed(row, C, "organization_id", OrganizationId::parse)?,
        kind: parsed(row, C, "kind", CustomerKind::parse)?,
        email: sql::text_opt(row, C, "email")?.map(membership::Email::from_stored),
        name: sql::text_opt(row, C, "name")?.map(Name::from_stored),
        external_id: sql::text_opt(row, C, "external_id")?.map(ExternalId::from_stored),
        deleted: sql::int(row, C, "deleted")? != 0,
    })
}

/// A member row, as Polar's `Member`.
pub(crate) fn member(row: &dyn Columns, customer_id: CustomerId) -> Result<Member, StoreError> {
    Ok(Member {
        id: parsed(row, T, "id", MemberId::parse)?,
        created_at: time(row, T, "created_at")?,
        modified_at: time_opt(row, T, "modified_at")?,
        customer_id,
        email: sql::email(row, T, "email")?,
        name: sql::text_opt(row, T, "name")?.map(Name::from_stored),
        external_id: sql::text_opt(row, T, "external_id")?.map(ExternalId::from_stored),
        role: parsed(row, T, "role", MemberRole::parse)?,
    })
}

/// An active member by customer (`$1`) and id (`$2`).
const MEMBER_BY_ID: &str = select!(members, "customer_id = $1 AND id = $2 AND deleted = 0");

/// Which active member a point lookup asks for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum MemberKey<'a> {
    /// The owner.
    Owner,
    /// By id.
    Id(MemberId),
    /// By email, compared folded.
    Email(&'a Email),
    /// By external id.
    ExternalId(&'a ExternalId),
}

/// The active member of customer `id` that `key` names: one indexed query.
pub(crate) async fn active_member(
    conn: &mut AnyConnection,
    id: CustomerId,
    key: MemberKey<'_>,
) -> Result<Option<Member>, StoreError> {
    let customer = id.to_string();
    let row = match key {
        MemberKey::Owner => sqlx::query(sql::built(&OWNER)).bind(customer).fetch_optional(&mut *conn).await?,
        MemberKey::Id(member_id) => {
            sqlx::query(MEMBER_BY_ID).bind(customer).bind(member_id.to_string()).fetch_optional(&mut *conn).await?
        }
        MemberKey::Email(email) => {
            sqlx::query(select!(members, "customer_id = $1 AND email_folded = $2 AND deleted = 0"))
                .bind(customer)
                .bind(folded(email))
                .fetch_optional(&mut *conn)
                .await?
        }
        MemberKey::ExternalId(external_id) => {
            sqlx::query(select!(members, "customer_id = $1 AND external_id = $2 AND deleted = 0"))
                .bind(customer)
                .bind(external_id.as_str().to_owned())
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    row.as_ref().map(|row| member(row, id)).transpose()
}

// The owner's partial index matches only the same text, never a bound parameter: the word
// is rendered from the crate's codec. (`deleted = 0` is this store's own encoding of a
// flag, as `project` binds it; partial indexes need it as text too.)
static OWNER: LazyLock<String> = LazyLock::new(|| {
    format!("{} AND role = '{}'", select!(members, "customer_id = $1 AND deleted = 0"), MemberRole::Owner)
});

/// Answers one read of the plan with one indexed query.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    id: CustomerId,
    view: &mut Prefetched,
    read: Read,
) -> Result<(), StoreError> {
    match read {
        Read::Owner => view.load_owner(active_member(conn, id, MemberKey::Owner).await?),
        Read::Member(member_id) => {
            let member = active_member(conn, id, MemberKey::Id(member_id)).await?;
            view.load_member(member_id, member);
        }
        Read::MemberIdUsed(member_id) => {
            let row = sqlx::query("SELECT 1 AS used FROM members WHERE customer_id = $1 AND id = $2")
                .bind(id.to_string())
                .bind(member_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            view.load_member_id_used(member_id, row.is_some());
        }
        Read::MemberByEmail(email) => {
            let member = active_member(conn, id, MemberKey::Email(&email)).await?;
            view.load_member_by_email(email, member);
        }
        Read::MemberByExternalId(external_id) => {
            let member = active_member(conn, id, MemberKey::ExternalId(&external_id)).await?;
            view.load_member_by_external_id(external_id, member);
        }
        Read::Members => {
            let rows = sqlx::query(select!(members, "customer_id = $1 AND deleted = 0 ORDER BY ord"))
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            view.load_members(rows.iter().map(|row| member(row, id)).collect::<Result<_, _>>()?);
        }
    }
    Ok(())
}

impl Store {
    /// The whole customer, read from the state tables through the checked constructor
    /// (`None` when it does not exist).
    ///
    /// # Errors
    ///
    /// `corrupt_log` when the rows break an invariant; `corrupt_row` for an unreadable row;
    /// a database error.
    pub async fn customer(&self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_customer(&mut conn, id).await
    }
}

/// The whole customer from its tables, on `conn` (inside a snapshot, for `verify`).
pub(crate) async fn read_customer(conn: &mut AnyConnection, id: CustomerId) -> Result<Option<Customer>, StoreError> {
    let Some((version, profile)) = root(&mut *conn, RootRead::Plain, id).await? else { return Ok(None) };
    let rows = sqlx::query(select!(members, "customer_id = $1 ORDER BY ord"))
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut members = Vec::new();
    let mut retired = Vec::new();
    for row in &rows {
        if sql::int(row, T, "deleted")? == 0 {
            members.push(member(row, id)?);
        } else {
            retired.push(parsed(row, T, "id", MemberId::parse)?);
        }
    }
    let counted = sqlx::query("SELECT member_count FROM customers WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let counted = sql::int(&counted, "customers", "member_count")?;
    if usize::try_from(counted).ok() != Some(members.len()) {
        return Err(corrupt("customers", id, format!("member_count = {counted} for {} active members", members.len())));
    }
    let snapshot =
        Snapshot { schema_version: customer::SNAPSHOT_SCHEMA_VERSION, id, version, profile, members, retired };
    Customer::from_rows(snapshot).map(Some).map_err(|error| membership::Error::from(error).into())
}

impl Store {
    /// The customer's row, if it exists (deleted or not).
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn customer_profile(&self, id: CustomerId) -> Result<Option<(u64, Profile)>, StoreError> {
        self.point(root_row!(), &[&id.to_string()], versioned_profile).await
    }

    /// One active member.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn member(&self, customer_id: CustomerId, member_id: MemberId) -> Result<Option<Member>, StoreError> {
        let (customer, member_id) = (customer_id.to_string(), member_id.to_string());
        self.point(MEMBER_BY_ID, &[&customer, &member_id], |row| member(row, customer_id)).await
    }

    /// A page of a customer's active members, newest first unless `paging` says
    /// otherwise, with the total count: Polar's list envelope.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn members_page(
        &self,
        customer_id: CustomerId,
        paging: Paging,
    ) -> Result<ListResource<Member>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        // The customer row counts its active members: one row read at any size.
        let total = sqlx::query("SELECT member_count FROM customers WHERE id = $1")
            .bind(customer_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let total = total.map(|row| sql::int(&row, "customers", "member_count")).transpose()?;
        let total = u64::try_from(total.unwrap_or(0)).unwrap_or(0);
        let sql = match paging.sorting {
            Sorting::NewestFirst => {
                select!(members, "customer_id = $1 AND deleted = 0 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3")
            }
            Sorting::OldestFirst => {
                select!(members, "customer_id = $1 AND deleted = 0 ORDER BY created_at, id LIMIT $2 OFFSET $3")
            }
        };
        let rows = sqlx::query(sql)
            .bind(customer_id.to_string())
            .bind(sql::page_bound(paging.limit.get()))
            .bind(sql::page_bound(paging.offset()))
            .fetch_all(&mut *conn)
            .await?;
        let items = rows.iter().map(|row| member(row, customer_id)).collect::<Result<_, _>>()?;
        Ok(ListResource::new(items, total, paging.limit))
    }
}
