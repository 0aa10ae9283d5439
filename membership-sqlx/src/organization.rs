//! Organizations in tables: the reads of a plan, the projection of events, and the reads a
//! service makes (a permission check, the team, the whole state).

use membership::organization::{
    self, Change, Event, Invitation, InvitationStatus, MemberRow, Membership, OfferStatus, Organization,
    OwnershipOffer, Prefetched, Read, Snapshot,
};
use membership::{Actor, OrganizationId, Permission, Role, StreamId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Executor};

use crate::error::StoreError;
use crate::journal;
use crate::sql::{self, Backend, RootRead, folded, parsed, parsed_opt, select, time, to_i64};
use crate::store::{Store, Stored, expect, stale};

impl Stored for Organization {
    async fn write(
        conn: &mut AnyConnection,
        backend: Backend,
        expected: Option<u64>,
        id: OrganizationId,
        command: organization::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<Event>, StoreError> {
        let version = root_version(conn, RootRead::for_command(backend), id).await?;
        expect(StreamId::Organization(id), expected, version.unwrap_or(0))?;
        let mut view = Prefetched::new(id, version.unwrap_or(0));
        for read in organization::plan(&command, actor, now) {
            load(conn, id, &mut view, read).await?;
        }
        let events = organization::decide(&view, command, actor, now)?;
        let Some(last) = events.last() else { return Ok(events) };
        match version {
            None => {
                sqlx::query("INSERT INTO organizations (id, version, created_at) VALUES ($1, $2, $3)")
                    .bind(id.to_string())
                    .bind(to_i64(last.version)?)
                    .bind(now.unix_micros())
                    .execute(&mut *conn)
                    .await?;
            }
            Some(version) => {
                let updated = sqlx::query("UPDATE organizations SET version = $1 WHERE id = $2 AND version = $3")
                    .bind(to_i64(last.version)?)
                    .bind(id.to_string())
                    .bind(to_i64(version)?)
                    .execute(&mut *conn)
                    .await?;
                if updated.rows_affected() != 1 {
                    return Err(stale(StreamId::Organization(id), version));
                }
            }
        }
        journal::append(conn, "organization", &id.to_string(), &events).await?;
        for event in &events {
            project(conn, event).await?;
        }
        Ok(events)
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

fn invitation(row: &AnyRow) -> Result<Invitation, StoreError> {
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
            let row = sqlx::query("SELECT user_id FROM memberships WHERE organization_id = $1 AND role = 'owner'")
                .bind(org)
                .fetch_optional(&mut *conn)
                .await?;
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
            let row = sqlx::query("SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2")
                .bind(org)
                .bind(user.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            let role = row.map(|row| parsed(&row, "memberships", "role", Role::parse)).transpose()?;
            view.load_member(user, role);
        }
        Read::MemberByEmail(email) => {
            let row = sqlx::query(
                "SELECT user_id, email, role, created_at FROM memberships WHERE organization_id = $1 AND email_folded = $2",
            )
            .bind(org)
            .bind(folded(&email))
            .fetch_optional(&mut *conn)
            .await?;
            view.load_member_by_email(email, row.as_ref().map(member_row).transpose()?);
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
            let row =
                sqlx::query(select!(invitations, "organization_id = $1 AND email_folded = $2 AND status = 'pending'"))
                    .bind(org)
                    .bind(folded(&email))
                    .fetch_optional(&mut *conn)
                    .await?;
            view.load_pending_invitation(email, row.as_ref().map(invitation).transpose()?);
        }
        Read::ExpiredPendingInvitations(now) => {
            let rows =
                sqlx::query(select!(invitations, "organization_id = $1 AND status = 'pending' AND expires_at <= $2"))
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
            let row = sqlx::query(select!(offers, "organization_id = $1 AND status = 'pending'"))
                .bind(org)
                .fetch_optional(&mut *conn)
                .await?;
            view.load_pending_offer(row.as_ref().map(offer).transpose()?);
        }
    }
    Ok(())
}

/// Updates the state tables from one event, and nothing else.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per event, each one statement: splitting it would scatter the table"
)]
async fn project(conn: &mut AnyConnection, event: &Event) -> Result<(), StoreError> {
    let org = event.organization_id.to_string();
    let at = event.at.unix_micros();
    let close_invitation =
        "UPDATE invitations SET status = $1, accepted_by = $2 WHERE organization_id = $3 AND id = $4";
    let close_offer = "UPDATE offers SET status = $1, void_reason = $2 WHERE organization_id = $3 AND id = $4";
    let set_role = "UPDATE memberships SET role = $1 WHERE organization_id = $2 AND user_id = $3";
    let query = match &event.change {
        Change::Created { owner, email } => sqlx::query(
            "INSERT INTO memberships (organization_id, user_id, email, email_folded, role, created_at) \
             VALUES ($1, $2, $3, $4, 'owner', $5)",
        )
        .bind(org)
        .bind(owner.to_string())
        .bind(email.as_str().to_owned())
        .bind(folded(email))
        .bind(at),
        Change::InvitationCreated { invitation_id, email, invited_by, expires_at } => sqlx::query(
            "INSERT INTO invitations \
             (organization_id, id, email, email_folded, invited_by, created_at, expires_at, status, accepted_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', NULL)",
        )
        .bind(org)
        .bind(invitation_id.to_string())
        .bind(email.as_str().to_owned())
        .bind(folded(email))
        .bind(invited_by.to_string())
        .bind(at)
        .bind(expires_at.unix_micros()),
        Change::InvitationResent { invitation_id, expires_at } => {
            sqlx::query("UPDATE invitations SET expires_at = $1 WHERE organization_id = $2 AND id = $3")
                .bind(expires_at.unix_micros())
                .bind(org)
                .bind(invitation_id.to_string())
        }
        Change::InvitationAccepted { invitation_id, user_id } => sqlx::query(close_invitation)
            .bind(InvitationStatus::Accepted.as_str())
            .bind(Some(user_id.to_string()))
            .bind(org)
            .bind(invitation_id.to_string()),
        Change::InvitationDeclined { invitation_id }
        | Change::InvitationRevoked { invitation_id }
        | Change::InvitationExpired { invitation_id } => {
            let status = match &event.change {
                Change::InvitationDeclined { .. } => InvitationStatus::Declined,
                Change::InvitationRevoked { .. } => InvitationStatus::Revoked,
                _ => InvitationStatus::Expired,
            };
            sqlx::query(close_invitation)
                .bind(status.as_str())
                .bind(None::<String>)
                .bind(org)
                .bind(invitation_id.to_string())
        }
        Change::MemberAdded { user_id, email, role } => sqlx::query(
            "INSERT INTO memberships (organization_id, user_id, email, email_folded, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org)
        .bind(user_id.to_string())
        .bind(email.as_str().to_owned())
        .bind(folded(email))
        .bind(role.role().as_str())
        .bind(at),
        Change::MemberRoleChanged { user_id, to, .. } => {
            sqlx::query(set_role).bind(to.role().as_str()).bind(org).bind(user_id.to_string())
        }
        Change::MemberRemoved { user_id, .. } | Change::MemberLeft { user_id, .. } => {
            sqlx::query("DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2")
                .bind(org)
                .bind(user_id.to_string())
        }
        Change::OwnershipTransferred { from, from_role, to, to_role } => {
            // The old owner steps down first: the one-owner index never sees two.
            sqlx::query(set_role)
                .bind(from_role.role().as_str())
                .bind(org.clone())
                .bind(from.to_string())
                .execute(&mut *conn)
                .await?;
            sqlx::query(set_role).bind(to_role.as_str()).bind(org).bind(to.to_string())
        }
        Change::OwnershipOffered { offer_id, from, to, expires_at } => sqlx::query(
            "INSERT INTO offers (organization_id, id, from_user, to_user, created_at, expires_at, status, void_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', NULL)",
        )
        .bind(org)
        .bind(offer_id.to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(at)
        .bind(expires_at.unix_micros()),
        Change::OwnershipOfferAccepted { offer_id }
        | Change::OwnershipOfferDeclined { offer_id }
        | Change::OwnershipOfferRevoked { offer_id }
        | Change::OwnershipOfferExpired { offer_id }
        | Change::OwnershipOfferVoided { offer_id, .. } => {
            let (status, reason) = match &event.change {
                Change::OwnershipOfferAccepted { .. } => (OfferStatus::Accepted, None),
                Change::OwnershipOfferDeclined { .. } => (OfferStatus::Declined, None),
                Change::OwnershipOfferRevoked { .. } => (OfferStatus::Revoked, None),
                Change::OwnershipOfferVoided { reason, .. } => (OfferStatus::Voided, Some(reason.as_str())),
                _ => (OfferStatus::Expired, None),
            };
            sqlx::query(close_offer).bind(status.as_str()).bind(reason).bind(org).bind(offer_id.to_string())
        }
    };
    conn.execute(query).await?;
    Ok(())
}

/// The view the access checks need (`check`, `merchant`): the acting user's role, the one
/// read their plans make.
pub(crate) async fn access_view(
    conn: &mut AnyConnection,
    id: OrganizationId,
    actor: Actor,
) -> Result<Prefetched, StoreError> {
    let mut view = Prefetched::new(id, 0);
    if let Actor::User(user) = actor {
        load(conn, id, &mut view, Read::Member(user)).await?;
    }
    Ok(view)
}

impl Store {
    /// May `actor` do `permission` in organization `id` (ORG-2)? One indexed point read:
    /// the acting user's role.
    ///
    /// # Errors
    ///
    /// As [`membership::organization::check`]; a database error.
    pub async fn check(&self, id: OrganizationId, actor: Actor, permission: Permission) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let view = access_view(&mut conn, id, actor).await?;
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
             ORDER BY CASE WHEN role = 'owner' THEN 0 ELSE 1 END, created_at, user_id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(member_row).map(|row| row.map(|row| (row.membership, row.role))).collect()
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
        members: members.iter().map(member_row).collect::<Result<_, _>>()?,
        invitations: invitations.iter().map(invitation).collect::<Result<_, _>>()?,
        offers: offers.iter().map(offer).collect::<Result<_, _>>()?,
    };
    Organization::from_rows(snapshot).map(Some).map_err(|error| membership::Error::from(error).into())
}

fn member_row(row: &AnyRow) -> Result<MemberRow, StoreError> {
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
