//! One page of an organization's team, as a settings page shows it: the members, the
//! pending invitations, and a view the crate can decide on, so the page offers only what
//! the crate would allow.

use membership::organization::{Invitation, InvitationStatus, MemberRow, OrganizationView, Prefetched, Read};
use membership::{OrganizationId, Role, UserId};
use sqlx::AnyConnection;
use std::sync::LazyLock;

use crate::error::StoreError;
use crate::organization::{invitation, load, member_row};
use crate::sql::{self, page_bound, select};
use crate::store::Store;

/// One page of an organization's team.
#[derive(Clone, Debug)]
pub struct TeamPage {
    /// The members on this page: the owner first, then by join time.
    pub members: Vec<MemberRow>,
    /// How many members the organization has.
    pub member_total: u64,
    /// The pending invitations on this page (expired ones too, until swept), newest first.
    pub invitations: Vec<Invitation>,
    /// How many pending invitations it has.
    pub invitation_total: u64,
    /// A view holding what the crate decides a team page's commands on: the organization's
    /// version, its owner, its member count, its pending ownership offer (and that offer by
    /// id), and the row of the viewer and of every member on the page. Run
    /// [`membership::organization::decide`] on it to ask whether a command would pass.
    pub view: Prefetched,
}

static PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT user_id, email, role, created_at FROM memberships WHERE organization_id = $1 \
         ORDER BY CASE WHEN role = '{}' THEN 0 ELSE 1 END, created_at, user_id LIMIT $2 OFFSET $3",
        Role::Owner
    )
});
static INVITATIONS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} AND status = '{}' ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
        select!(invitations, "organization_id = $1"),
        InvitationStatus::Pending
    )
});
static INVITATION_COUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT COUNT(*) AS n FROM invitations WHERE organization_id = $1 AND status = '{}'",
        InvitationStatus::Pending
    )
});

impl Store {
    /// Page `offset..offset + limit` of organization `id`'s members and of its pending
    /// invitations, as `viewer` sees them; `None` when the organization does not exist.
    /// Read in one transaction, so the page and its view agree.
    ///
    /// This reads; whether `viewer` may see the team is the caller's to ask first
    /// ([`Store::check`] with `members:read`).
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn team_page(
        &self,
        id: OrganizationId,
        viewer: UserId,
        offset: u64,
        limit: u64,
    ) -> Result<Option<TeamPage>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let Some(mut view) = team_view(&mut tx, id, &[viewer]).await? else { return Ok(None) };
        let org = id.to_string();
        let rows = sqlx::query(sql::built(&PAGE))
            .bind(org.clone())
            .bind(page_bound(limit))
            .bind(page_bound(offset))
            .fetch_all(&mut *tx)
            .await?;
        let members = rows.iter().map(|row| member_row(row)).collect::<Result<Vec<_>, _>>()?;
        for member in &members {
            view.load_member_row(member.membership.user_id, Some(member.clone()));
        }
        let member_total = u64::try_from(view.member_count().unwrap_or(0)).unwrap_or(u64::MAX);
        let rows = sqlx::query(sql::built(&INVITATIONS))
            .bind(org.clone())
            .bind(page_bound(limit))
            .bind(page_bound(offset))
            .fetch_all(&mut *tx)
            .await?;
        let invitations = rows.iter().map(invitation).collect::<Result<Vec<_>, _>>()?;
        let count = sqlx::query(sql::built(&INVITATION_COUNT)).bind(org).fetch_one(&mut *tx).await?;
        let invitation_total = u64::try_from(sql::int(&count, "invitations", "n")?).unwrap_or(0);
        tx.commit().await?;
        Ok(Some(TeamPage { members, member_total, invitations, invitation_total, view }))
    }

    /// Organization `id`'s view with the answers to `reads` loaded (see
    /// [`membership::organization::plan`]), read in one transaction: what a page asks the
    /// crate about before offering a command. `None` when the organization does not exist.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn prefetch(&self, id: OrganizationId, reads: &[Read]) -> Result<Option<Prefetched>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let Some(mut view) = root(&mut tx, id).await? else { return Ok(None) };
        for read in reads {
            load(&mut tx, id, &mut view, read.clone()).await?;
        }
        tx.commit().await?;
        Ok(Some(view))
    }

    /// What the crate decides a team command on, for a page about `users` (the viewer and
    /// the member a page is about): the version, the owner, the member count, the pending
    /// ownership offer (also by its id), and each user's row; `None` when the organization
    /// does not exist. See [`TeamPage::view`].
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn team_view(&self, id: OrganizationId, users: &[UserId]) -> Result<Option<Prefetched>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let view = team_view(&mut tx, id, users).await?;
        tx.commit().await?;
        Ok(view)
    }
}

/// [`Store::team_view`] on `conn`.
async fn team_view(
    conn: &mut AnyConnection,
    id: OrganizationId,
    users: &[UserId],
) -> Result<Option<Prefetched>, StoreError> {
    let Some(mut view) = root(conn, id).await? else { return Ok(None) };
    for read in [Read::Owner, Read::MemberCount, Read::PendingOffer] {
        load(conn, id, &mut view, read).await?;
    }
    for user in users {
        load(conn, id, &mut view, Read::Member(*user)).await?;
    }
    if let Ok(Some(offer)) = view.pending_offer().map(Option::<&_>::copied) {
        view.load_offer(offer.id, Some(offer));
    }
    Ok(Some(view))
}

/// An empty view of organization `id` at its version; `None` when it does not exist.
async fn root(conn: &mut AnyConnection, id: OrganizationId) -> Result<Option<Prefetched>, StoreError> {
    let row = sqlx::query("SELECT version FROM organizations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| Ok(Prefetched::new(id, sql::version(&row, "organizations", "version")?))).transpose()
}
