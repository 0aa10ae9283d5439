//! Organizations in tables: the reads of a plan, the projection of events, and the reads a
//! service makes (a permission check, the team, the whole state).

use membership::organization::{
    self, Event, Invitation, InvitationStatus, MemberRow, Membership, OfferStatus, Organization, OwnershipOffer,
    Prefetched, Read, Snapshot,
};
use membership::wire::AnyWebhook;
use membership::{Actor, OrganizationId, Permission, Role, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::sync::LazyLock;

use crate::error::StoreError;
use crate::sql::{self, Columns, RootRead, folded, parsed, parsed_opt, select, time};
use crate::store::Store;
use crate::stored::Stored;

impl Stored for Organization {
    async fn open(
        conn: &mut AnyConnection,
        read: RootRead,
        id: OrganizationId,
    ) -> Result<(Option<u64>, Prefetched), StoreError> {
        let version = root_version(conn, read, id).await?;
        Ok((version, Prefetched::new(id, version.unwrap_or(0))))
    }

    async fn load(
        conn: &mut AnyConnection,
        id: OrganizationId,
        view: &mut Prefetched,
        read: Read,
    ) -> Result<(), StoreError> {
        load(conn, id, view, read).await
    }

    async fn webhooks(
        _conn: &mut AnyConnection,
        _view: &Prefetched,
        _events: &[Event],
    ) -> Result<Vec<AnyWebhook>, StoreError> {
        Ok(Vec::new())
    }
}

/// The organization's version, `None` when it does not exist yet; when `read` is locked, its
/// root row stays locked until the transaction ends (PostgreSQL; SQLite's transaction holds
/// the write lock already).
async fn root_version(conn: &mut AnyConnection, read: RootRead, id: OrganizationId) -> Result<Option<u64>, StoreError> {
    let sql = match read {
        RootRead::Locked => "SELECT version FROM organizations WHERE id = $1 FOR UPDATE",
        RootRead::Plain => "SELECT version FROM organizations WHERE id = $1",
    };
    let row = sqlx::query(sql).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    row.map(|row| sql::version(&row, "organizations", "version")).transpose()
}

pub(crate) fn invitation(row: &AnyRow) -> Result<Invitation, StoreError> {
    const T: &str = "invitations";
    Ok(Invitation {
        id: parsed(row, T, "id", membership::InvitationId::parse)?,
        email: sql::email(row, T, "email")?,
        invited_by: parsed(row, T, "invited_by", UserId::parse)?,
        created_at: time(row, T, "created_at")?,
        expires_at: time(row, T, "expires_at")?,
        status: parsed(row, T, "status", InvitationStatus::parse)?,
        accepted_by: parsed_opt(row, T, "accepted_by", UserId::parse)?,
    })
}

fn offer(row: &AnyRow) -> Result<OwnershipOffer, StoreError> {
    const T: &str = "offers";
    Ok(OwnershipOffer {
        id: parsed(row, T, "id", membership::OfferId::parse)?,
        from: parsed(row, T, "from_user", UserId::parse)?,
        to: parsed(row, T, "to_user", UserId::parse)?,
        created_at: time(row, T, "created_at")?,
        expires_at: time(row, T, "expires_at")?,
        status: parsed(row, T, "status", OfferStatus::parse)?,
        void_reason: parsed_opt(row, T, "void_reason", membership::organization::VoidReason::parse)?,
    })
}

// The lookups a partial index serves. Its predicate (`role = 'owner'`, `status = 'pending'`)
// matches only the same text, never a bound parameter, so the word is rendered into the
// statement from the crate's codec: no domain word is spelled here.
static OWNER: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT user_id FROM memberships WHERE organization_id = $1 AND role = '{}'", Role::Owner)
});
static PENDING_INVITATION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} AND status = '{}'",
        select!(invitations, "organization_id = $1 AND email_folded = $2"),
        InvitationStatus::Pending
    )
});
static EXPIRED_INVITATIONS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} AND status = '{}'",
        select!(invitations, "organization_id = $1 AND expires_at <= $2"),
        InvitationStatus::Pending
    )
});
static PENDING_OFFER: LazyLock<String> =
    LazyLock::new(|| format!("{} AND status = '{}'", select!(offers, "organization_id = $1"), OfferStatus::Pending));

/// A membership by organization (`$1`) and user (`$2`).
const MEMBERSHIP_BY_USER: &str =
    "SELECT user_id, email, role, created_at FROM memberships WHERE organization_id = $1 AND user_id = $2";

/// Answers one read of the plan with one indexed query.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    id: OrganizationId,
    view: &mut Prefetched,
    read: Read,
) -> Result<(), StoreError> {
    let org = id.to_string();
    match read {
        Read::Owner => {
            let row = sqlx::query(sql::built(&OWNER)).bind(org).fetch_optional(&mut *conn).await?;
            if let Some(row) = row {
                view.load_owner(parsed(&row, "memberships", "user_id", UserId::parse)?);
            }
        }
        Read::MemberCount => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE organization_id = $1")
                .bind(org)
                .fetch_one(&mut *conn)
                .await?;
            let count = sql::int(&row, "memberships", "n")?;
            view.load_member_count(usize::try_from(count).unwrap_or(usize::MAX));
        }
        Read::Member(user) => {
            let row =
                sqlx::query(MEMBERSHIP_BY_USER).bind(org).bind(user.to_string()).fetch_optional(&mut *conn).await?;
            view.load_member_row(user, row.as_ref().map(|row| member_row(row)).transpose()?);
        }
        Read::MemberByEmail(email) => {
            let row = sqlx::query(
                "SELECT user_id, email, role, created_at FROM memberships WHERE organization_id = $1 AND email_folded = $2",
            )
            .bind(org)
            .bind(folded(&email))
            .fetch_optional(&mut *conn)
            .await?;
            view.load_member_row_by_email(email, row.as_ref().map(|row| member_row(row)).transpose()?);
        }
        Read::Invitation(invitation_id) => {
            let row = sqlx::query(select!(invitations, "organization_id = $1 AND id = $2"))
                .bind(org)
                .bind(invitation_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            view.load_invitation(invitation_id, row.as_ref().map(invitation).transpose()?);
        }
        Read::PendingInvitation(email) => {
            let row = sqlx::query(sql::built(&PENDING_INVITATION))
                .bind(org)
                .bind(folded(&email))
                .fetch_optional(&mut *conn)
                .await?;
            view.load_pending_invitation(email, row.as_ref().map(invitation).transpose()?);
        }
        Read::ExpiredPendingInvitations(now) => {
            let rows = sqlx::query(sql::built(&EXPIRED_INVITATIONS))
                .bind(org)
                .bind(now.unix_micros())
                .fetch_all(&mut *conn)
                .await?;
            view.load_expired_pending_invitations(now, rows.iter().map(invitation).collect::<Result<_, _>>()?);
        }
        Read::Offer(offer_id) => {
            let row = sqlx::query(select!(offers, "organization_id = $1 AND id = $2"))
                .bind(org)
                .bind(offer_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            view.load_offer(offer_id, row.as_ref().map(offer).transpose()?);
        }
        Read::PendingOffer => {
            let row = sqlx::query(sql::built(&PENDING_OFFER)).bind(org).fetch_optional(&mut *conn).await?;
            view.load_pending_offer(row.as_ref().map(offer).transpose()?);
        }
    }
    Ok(())
}

impl Store {
    /// The view the access checks need (`check`, `merchant`): the acting user's role, the
    /// one read their plans make, as a point read.
    pub(crate) async fn organization_access_view(
        &self,
        id: OrganizationId,
        actor: Actor,
    ) -> Result<Prefetched, StoreError> {
        let mut view = Prefetched::new(id, 0);
        if let Actor::User(user) = actor {
            let row = self.point(MEMBERSHIP_BY_USER, &[&id.to_string(), &user.to_string()], member_row).await?;
            view.load_member_row(user, row);
        }
        Ok(view)
    }
}

impl Store {
    /// May `actor` do `permission` in organization `id` (ORG-2)? One indexed point read:
    /// the acting user's role.
    ///
    /// # Errors
    ///
    /// As [`membership::organization::check`]; a database error.
    pub async fn check(&self, id: OrganizationId, actor: Actor, permission: Permission) -> Result<(), StoreError> {
        let view = self.organization_access_view(id, actor).await?;
        organization::check(&view, actor, permission).map_err(StoreError::from)
    }

    /// The organization's team, the owner first, then by join time.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn team(&self, id: OrganizationId) -> Result<Vec<(Membership, Role)>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, email, role, created_at FROM memberships WHERE organization_id = $1 \
             ORDER BY CASE WHEN role = $2 THEN 0 ELSE 1 END, created_at, user_id",
        )
        .bind(id.to_string())
        .bind(Role::Owner.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| member_row(row)).map(|row| row.map(|row| (row.membership, row.role))).collect()
    }

    /// The whole organization, read from the state tables through the checked constructor
    /// (`None` when it does not exist).
    ///
    /// # Errors
    ///
    /// `corrupt_log` when the rows break an invariant; `corrupt_row` for an unreadable row;
    /// a database error.
    pub async fn organization(&self, id: OrganizationId) -> Result<Option<Organization>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_organization(&mut conn, id).await
    }
}

/// The whole organization from its tables, on `conn` (inside a snapshot, for `verify`).
pub(crate) async fn read_organization(
    conn: &mut AnyConnection,
    id: OrganizationId,
) -> Result<Option<Organization>, StoreError> {
    let Some(root) = sqlx::query("SELECT version, created_at FROM organizations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let org = id.to_string();
    let members = sqlx::query("SELECT user_id, email, role, created_at FROM memberships WHERE organization_id = $1")
        .bind(org.clone())
        .fetch_all(&mut *conn)
        .await?;
    let invitations =
        sqlx::query(select!(invitations, "organization_id = $1")).bind(org.clone()).fetch_all(&mut *conn).await?;
    let offers = sqlx::query(select!(offers, "organization_id = $1")).bind(org).fetch_all(&mut *conn).await?;
    let snapshot = Snapshot {
        schema_version: organization::SNAPSHOT_SCHEMA_VERSION,
        id,
        version: sql::version(&root, "organizations", "version")?,
        created_at: time(&root, "organizations", "created_at")?,
        members: members.iter().map(|row| member_row(row)).collect::<Result<_, _>>()?,
        invitations: invitations.iter().map(invitation).collect::<Result<_, _>>()?,
        offers: offers.iter().map(offer).collect::<Result<_, _>>()?,
    };
    Organization::from_rows(snapshot).map(Some).map_err(|error| membership::Error::from(error).into())
}

pub(crate) fn member_row(row: &dyn Columns) -> Result<MemberRow, StoreError> {
    const T: &str = "memberships";
    Ok(MemberRow {
        membership: Membership {
            user_id: parsed(row, T, "user_id", UserId::parse)?,
            email: sql::email(row, T, "email")?,
            created_at: time(row, T, "created_at")?,
        },
        role: parsed(row, T, "role", Role::parse)?,
    })
}
