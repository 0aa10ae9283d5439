//! Customers in tables: the reads of a plan, the projection of events (soft-deleted
//! members keep their rows), the outbox of Polar webhooks, and a service's reads.

use membership::customer::{
    self, Change, Customer, CustomerActor, CustomerKind, Event, Member, MemberRole, Prefetched, Profile, Read, Snapshot,
};
use membership::wire::{ListResource, Paging, Sorting};
use membership::{CustomerId, Email, ExternalId, MemberId, Name, OrganizationId, StreamId, Timestamp};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::error::StoreError;
use crate::sql::{self, Backend, RootRead, folded, parsed, select, time, time_opt, to_i64};
use crate::store::{Store, Stored, expect, stale};
use crate::{journal, outbox};

const T: &str = "members";

impl Stored for Customer {
    async fn write(
        conn: &mut AnyConnection,
        backend: Backend,
        expected: Option<u64>,
        id: CustomerId,
        command: customer::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Vec<Event>, StoreError> {
        let root = root(conn, RootRead::for_command(backend), id).await?;
        let version = root.as_ref().map_or(0, |(version, _)| *version);
        expect(StreamId::Customer(id), expected, version)?;
        let mut view = Prefetched::new(id, version, root.as_ref().map(|(_, profile)| profile.clone()));
        for read in customer::plan(&command, actor) {
            load(conn, id, &mut view, read).await?;
        }
        let events = customer::decide(&view, command, actor, now)?;
        let Some(last) = events.last() else { return Ok(events) };
        match &root {
            None => {}
            Some((version, _)) => {
                let updated = sqlx::query("UPDATE customers SET version = $1 WHERE id = $2 AND version = $3")
                    .bind(to_i64(last.version)?)
                    .bind(id.to_string())
                    .bind(to_i64(*version)?)
                    .execute(&mut *conn)
                    .await?;
                if updated.rows_affected() != 1 {
                    return Err(stale(StreamId::Customer(id), *version));
                }
            }
        }
        journal::append(conn, "customer", &id.to_string(), &events).await?;
        for event in &events {
            project(conn, event, last.version).await?;
        }
        let organization_id = match (&root, &events.first().map(|event| &event.change)) {
            (Some((_, profile)), _) => profile.organization_id,
            (None, Some(Change::Created { organization_id, .. })) => *organization_id,
            (None, _) => return Ok(events),
        };
        outbox::enqueue(conn, organization_id, StreamId::Customer(id), last.version, &events, now).await?;
        Ok(events)
    }
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
        RootRead::Locked => {
            "SELECT version, organization_id, kind, email, name, external_id, deleted FROM customers WHERE id = $1 FOR UPDATE"
        }
        RootRead::Plain => {
            "SELECT version, organization_id, kind, email, name, external_id, deleted FROM customers WHERE id = $1"
        }
    };
    let row = sqlx::query(sql).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    row.map(|row| Ok((sql::version(&row, "customers", "version")?, profile(&row)?))).transpose()
}

fn profile(row: &AnyRow) -> Result<Profile, StoreError> {
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
pub(crate) fn member(row: &AnyRow, customer_id: CustomerId) -> Result<Member, StoreError> {
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
        MemberKey::Owner => {
            sqlx::query(select!(members, "customer_id = $1 AND role = 'owner' AND deleted = 0"))
                .bind(customer)
                .fetch_optional(&mut *conn)
                .await?
        }
        MemberKey::Id(member_id) => {
            sqlx::query(select!(members, "customer_id = $1 AND id = $2 AND deleted = 0"))
                .bind(customer)
                .bind(member_id.to_string())
                .fetch_optional(&mut *conn)
                .await?
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

/// Inserts a member row, created by the event at `version`.
async fn insert_member(conn: &mut AnyConnection, member: &Member, version: u64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO members (customer_id, id, created_at, modified_at, email, email_folded, name, external_id, \
         role, deleted, ord) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)",
    )
    .bind(member.customer_id.to_string())
    .bind(member.id.to_string())
    .bind(member.created_at.unix_micros())
    .bind(member.modified_at.map(|at| at.unix_micros()))
    .bind(member.email.as_str().to_owned())
    .bind(folded(&member.email))
    .bind(member.name.as_ref().map(|name| name.as_str().to_owned()))
    .bind(member.external_id.as_ref().map(|id| id.as_str().to_owned()))
    .bind(member.role.as_str())
    .bind(to_i64(version)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes a member's record after a change (the external id never changes).
async fn update_member(conn: &mut AnyConnection, member: &Member) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE members SET modified_at = $1, email = $2, email_folded = $3, name = $4, role = $5 \
         WHERE customer_id = $6 AND id = $7",
    )
    .bind(member.modified_at.map(|at| at.unix_micros()))
    .bind(member.email.as_str().to_owned())
    .bind(folded(&member.email))
    .bind(member.name.as_ref().map(|name| name.as_str().to_owned()))
    .bind(member.role.as_str())
    .bind(member.customer_id.to_string())
    .bind(member.id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Updates the state tables from one event (of a decision ending at `last`), and nothing
/// else: every member change carries the member's record after it.
async fn project(conn: &mut AnyConnection, event: &Event, last: u64) -> Result<(), StoreError> {
    let customer = event.customer_id.to_string();
    match &event.change {
        Change::Created { organization_id, kind, email, name, external_id, owner } => {
            sqlx::query(
                "INSERT INTO customers (id, version, organization_id, kind, email, name, external_id, deleted) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
            )
            .bind(customer)
            .bind(to_i64(last)?)
            .bind(organization_id.to_string())
            .bind(kind.as_str())
            .bind(email.as_ref().map(|email| email.as_str().to_owned()))
            .bind(name.as_ref().map(|name| name.as_str().to_owned()))
            .bind(external_id.as_ref().map(|id| id.as_str().to_owned()))
            .execute(&mut *conn)
            .await?;
            insert_member(conn, owner, event.version).await?;
        }
        Change::MemberCreated { member } => insert_member(conn, member, event.version).await?,
        Change::MemberUpdated { member } => update_member(conn, member).await?,
        Change::MemberOwnershipTransferred { from, to } => {
            // The old owner steps down first: the one-owner index never sees two.
            update_member(conn, from).await?;
            update_member(conn, to).await?;
        }
        Change::MemberDeleted { member } => {
            sqlx::query("UPDATE members SET deleted = 1 WHERE customer_id = $1 AND id = $2")
                .bind(customer)
                .bind(member.id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        Change::EmailChanged { email } => {
            sqlx::query("UPDATE customers SET email = $1 WHERE id = $2")
                .bind(email.as_str().to_owned())
                .bind(customer)
                .execute(&mut *conn)
                .await?;
        }
        Change::KindChanged { kind } => {
            sqlx::query("UPDATE customers SET kind = $1 WHERE id = $2")
                .bind(kind.as_str())
                .bind(customer)
                .execute(&mut *conn)
                .await?;
        }
        Change::Deleted => {
            sqlx::query("UPDATE customers SET deleted = 1 WHERE id = $1").bind(customer).execute(&mut *conn).await?;
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
        let mut conn = self.pool.acquire().await?;
        root(&mut conn, RootRead::Plain, id).await
    }

    /// One active member.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn member(&self, customer_id: CustomerId, member_id: MemberId) -> Result<Option<Member>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        active_member(&mut conn, customer_id, MemberKey::Id(member_id)).await
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
        let total = sqlx::query("SELECT COUNT(*) AS n FROM members WHERE customer_id = $1 AND deleted = 0")
            .bind(customer_id.to_string())
            .fetch_one(&mut *conn)
            .await?;
        let total = u64::try_from(sql::int(&total, T, "n")?).unwrap_or(0);
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
