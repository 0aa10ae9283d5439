//! What a service reads around the commands: who may read or act in the portal, a
//! merchant's role, lookups by external id, and Polar's organization-wide member list.
//! Each access check runs the crate's own check on a view prefetched from its plan, so
//! no access rule is written twice.

use membership::customer::{self, Customer, CustomerActor, Member, MemberRole, Merchant, Prefetched, Read};
use membership::organization;
use membership::policy::PortalCapability;
use membership::wire::{ListResource, Paging, Sorting};
use membership::{Actor, Aggregate, CustomerId, Email, ExternalId, MemberId, OrganizationId, Timestamp, UserId};

use crate::customer::{MemberKey, active_member, member};
use crate::error::StoreError;
use crate::sql::{self, parsed};
use crate::store::Store;

/// Which members Polar's list endpoint returns, within one organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberFilter {
    /// Only this customer's members.
    pub customer_id: Option<CustomerId>,
    /// Only members with this role.
    pub role: Option<MemberRole>,
}

impl MemberFilter {
    /// Every member of the organization's customers.
    #[must_use]
    pub fn all() -> Self {
        Self::default()
    }

    /// Only this customer's members.
    #[must_use]
    pub fn customer(mut self, customer_id: CustomerId) -> Self {
        self.customer_id = Some(customer_id);
        self
    }

    /// Only members with this role.
    #[must_use]
    pub fn role(mut self, role: MemberRole) -> Self {
        self.role = Some(role);
        self
    }
}

/// A query over the active members of an organization's live customers (`$1`): `ONE`
/// customer's (`$2`), so its index (`members_newest`) serves the order and the page, or
/// `ALL` of them, keyed by the members' own tenant so `members_organization_newest` serves
/// the order and a page stops after its rows instead of sorting every member; filtered by
/// role (the next parameter) when that is not null.
macro_rules! organization_members {
    (PAGE, $scope:tt, $tail:literal) => {
        organization_members!(
            "SELECT m.customer_id, m.id, m.created_at, m.modified_at, m.email, m.name, m.external_id, m.role",
            $scope,
            $tail
        )
    };
    ($head:literal, ONE, $tail:literal) => {
        concat!(
            $head,
            " FROM members m JOIN customers c ON c.id = m.customer_id \
             WHERE m.customer_id = $2 AND c.organization_id = $1 AND c.deleted = 0 AND m.deleted = 0 \
             AND (CAST($3 AS TEXT) IS NULL OR m.role = $3) ",
            $tail
        )
    };
    ($head:literal, ALL, $tail:literal) => {
        concat!(
            $head,
            " FROM members m JOIN customers c ON c.id = m.customer_id \
             WHERE m.organization_id = $1 AND c.organization_id = $1 AND c.deleted = 0 AND m.deleted = 0 \
             AND (CAST($2 AS TEXT) IS NULL OR m.role = $2) ",
            $tail
        )
    };
}

/// The active members of organization `$1`'s live customers, from the customer rows'
/// `member_count` (cast, as PostgreSQL's `SUM` of a `BIGINT` is a `NUMERIC`).
macro_rules! counted {
    ($tail:literal) => {
        concat!(
            "SELECT CAST(COALESCE(SUM(c.member_count), 0) AS BIGINT) AS n FROM customers c \
             WHERE c.organization_id = $1 AND c.deleted = 0",
            $tail
        )
    };
}

impl Store {
    /// The merchant `actor` is in organization `id`: its token, or a user with the role the
    /// organization gives them (one indexed read).
    ///
    /// # Errors
    ///
    /// As [`membership::organization::merchant`] (`organization_not_found` for a user who is
    /// not a member, or another organization's token); a database error.
    pub async fn merchant(&self, id: OrganizationId, actor: Actor) -> Result<Merchant, StoreError> {
        let view = self.organization_access_view(id, actor).await?;
        organization::merchant(&view, actor).map_err(StoreError::from)
    }

    /// May `actor` read customer `id` and its members ([`customer::check_read`])?
    ///
    /// # Errors
    ///
    /// As [`customer::check_read`]; a database error.
    pub async fn check_customer_read(&self, id: CustomerId, actor: CustomerActor) -> Result<(), StoreError> {
        let view = self.access_view(id, actor).await?;
        customer::check_read(&view, actor).map_err(StoreError::from)
    }

    /// May portal member `actor` use `capability` on customer `id`
    /// ([`customer::check_portal`])?
    ///
    /// # Errors
    ///
    /// As [`customer::check_portal`]; a database error.
    pub async fn check_portal(
        &self,
        id: CustomerId,
        actor: CustomerActor,
        capability: PortalCapability,
    ) -> Result<(), StoreError> {
        let view = self.access_view(id, actor).await?;
        customer::check_portal(&view, actor, capability).map_err(StoreError::from)
    }

    /// The live customers of organization `id` with this external id: none, one, or more
    /// (the crate does not make customer external ids unique; Polar answers
    /// `AmbiguousExternalCustomerID` then). At most two are returned.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn customers_by_external_id(
        &self,
        id: OrganizationId,
        external_id: &ExternalId,
    ) -> Result<Vec<CustomerId>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM customers WHERE organization_id = $1 AND external_id = $2 AND deleted = 0 ORDER BY id LIMIT 2",
        )
        .bind(id.to_string())
        .bind(external_id.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| parsed(row, "customers", "id", CustomerId::parse)).collect()
    }

    /// The active member of customer `id` with this external id.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn member_by_external_id(
        &self,
        id: CustomerId,
        external_id: &ExternalId,
    ) -> Result<Option<Member>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        active_member(&mut conn, id, MemberKey::ExternalId(external_id)).await
    }

    /// The active member of customer `id` with this email (compared folded, docs/rules.md#email).
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn member_by_email(&self, id: CustomerId, email: &Email) -> Result<Option<Member>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        active_member(&mut conn, id, MemberKey::Email(email)).await
    }

    /// The active members of organization `id`'s customers with member id `member_id`:
    /// none, or one (at most two are returned: the store makes member ids unique within a
    /// customer only, so a caller that cannot tell two apart refuses rather than guess).
    /// One indexed read (`members_organization_id`), for Polar's `/v1/members/{id}`.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn members_by_id(&self, id: OrganizationId, member_id: MemberId) -> Result<Vec<Member>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.customer_id, m.id, m.created_at, m.modified_at, m.email, m.name, m.external_id, m.role \
             FROM members m JOIN customers c ON c.id = m.customer_id \
             WHERE m.organization_id = $1 AND m.id = $2 AND m.deleted = 0 AND c.deleted = 0 \
             ORDER BY m.customer_id LIMIT 2",
        )
        .bind(id.to_string())
        .bind(member_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| member(row, parsed(row, "members", "customer_id", CustomerId::parse)?)).collect()
    }

    /// The active owner member of customer `id`, if it has one (a deleted customer has
    /// none): one indexed read.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn owner(&self, id: CustomerId) -> Result<Option<Member>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        active_member(&mut conn, id, MemberKey::Owner).await
    }

    /// The organizations user `id` is a member of, at most `limit` of them, by id: one
    /// indexed read (`memberships_user`), so a service can tell a user of one organization
    /// from a user of several.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn user_organizations(&self, id: UserId, limit: u64) -> Result<Vec<OrganizationId>, StoreError> {
        let rows =
            sqlx::query("SELECT organization_id FROM memberships WHERE user_id = $1 ORDER BY organization_id LIMIT $2")
                .bind(id.to_string())
                .bind(sql::page_bound(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|row| parsed(row, "memberships", "organization_id", OrganizationId::parse)).collect()
    }

    /// When customer `id` was created: the time of its journal's first event (the
    /// customer's row keeps no time of its own), `None` for a customer never created.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn customer_created_at(&self, id: CustomerId) -> Result<Option<Timestamp>, StoreError> {
        let row = sqlx::query("SELECT at FROM journal WHERE aggregate = $1 AND stream_id = $2 AND version = 1")
            .bind(Customer::TYPE_NAME)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| sql::time(&row, "journal", "at")).transpose()
    }

    /// A page of the active members of organization `id`'s live customers that pass
    /// `filter`, newest first unless `paging` says otherwise, with the total: Polar's
    /// `GET /v1/members/`.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn organization_members_page(
        &self,
        id: OrganizationId,
        filter: &MemberFilter,
        paging: Paging,
    ) -> Result<ListResource<Member>, StoreError> {
        let customer = filter.customer_id.map(|id| id.to_string());
        let role = filter.role.map(|role| role.as_str().to_owned());
        // The organization, the customer when there is one, the role: the parameters both
        // queries start with.
        let query = |sql| {
            let query = sqlx::query(sql).bind(id.to_string());
            match &customer {
                Some(customer) => query.bind(customer.clone()),
                None => query,
            }
            .bind(role.clone())
        };
        let mut conn = self.pool.acquire().await?;
        // Without a role filter the total is the live customers' own counts, one row each
        // whatever their members number; a role filter counts its members.
        let count = match (&customer, &role) {
            (Some(customer), None) => {
                sqlx::query(counted!(" AND c.id = $2")).bind(id.to_string()).bind(customer.clone())
            }
            (None, None) => sqlx::query(counted!("")).bind(id.to_string()),
            (Some(_), Some(_)) => query(organization_members!("SELECT COUNT(*) AS n", ONE, "")),
            (None, Some(_)) => query(organization_members!("SELECT COUNT(*) AS n", ALL, "")),
        };
        let total = count.fetch_one(&mut *conn).await?;
        let total = u64::try_from(sql::int(&total, "members", "n")?).unwrap_or(0);
        let sql = match (customer.is_some(), paging.sorting) {
            (true, Sorting::NewestFirst) => {
                organization_members!(PAGE, ONE, "ORDER BY m.created_at DESC, m.id LIMIT $4 OFFSET $5")
            }
            (true, Sorting::OldestFirst) => {
                organization_members!(PAGE, ONE, "ORDER BY m.created_at, m.id LIMIT $4 OFFSET $5")
            }
            (false, Sorting::NewestFirst) => {
                organization_members!(PAGE, ALL, "ORDER BY m.created_at DESC, m.id LIMIT $3 OFFSET $4")
            }
            (false, Sorting::OldestFirst) => {
                organization_members!(PAGE, ALL, "ORDER BY m.created_at, m.id LIMIT $3 OFFSET $4")
            }
        };
        let rows = query(sql)
            .bind(sql::page_bound(paging.limit.get()))
            .bind(sql::page_bound(paging.offset()))
            .fetch_all(&mut *conn)
            .await?;
        let items = rows
            .iter()
            .map(|row| member(row, parsed(row, "members", "customer_id", CustomerId::parse)?))
            .collect::<Result<_, _>>()?;
        Ok(ListResource::new(items, total, paging.limit))
    }
}

impl Store {
    /// The view the access checks need, from the crate's access plan: the customer's row
    /// and the actor's own, each one point read.
    async fn access_view(&self, id: CustomerId, actor: CustomerActor) -> Result<Prefetched, StoreError> {
        let root = self.customer_profile(id).await?;
        let (version, profile) = root.map_or((0, None), |(version, profile)| (version, Some(profile)));
        let mut view = Prefetched::new(id, version, profile);
        for read in customer::plan_access(actor) {
            match read {
                Read::Member(member_id) => view.load_member(member_id, self.member(id, member_id).await?),
                // Any other read a future plan names is answered as a command's plan is.
                read => crate::customer::load(&mut *self.pool.acquire().await?, id, &mut view, read).await?,
            }
        }
        Ok(view)
    }
}
