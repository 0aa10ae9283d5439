//! Read plans: which point lookups `decide` makes for a command, and the view a store
//! fills with exactly those rows.

use super::{Command, Invitation, MemberRow, OrganizationView, OwnershipOffer};
use crate::{Actor, Email, InvitationId, Lookup, NotLoaded, OfferId, OrganizationId, Role, Timestamp, UserId};

/// One point lookup [`decide`](super::decide) may make: one indexed query for a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// The Owner's user id.
    Owner,
    /// How many members there are.
    MemberCount,
    /// The role of this user, if a member (by user id).
    Member(UserId),
    /// The member whose folded email is this one's, if any.
    MemberByEmail(Email),
    /// The invitation with this id, in any status.
    Invitation(InvitationId),
    /// The pending invitation for this folded email, if any (expired or not).
    PendingInvitation(Email),
    /// Every pending invitation with `expires_at <= now`: what a sweep expires.
    ExpiredPendingInvitations(Timestamp),
    /// The ownership offer with this id, in any status.
    Offer(OfferId),
    /// The pending ownership offer, if any.
    PendingOffer,
}

/// The lookups [`decide`](super::decide) makes for `command` by `actor` at `now`, on any
/// path it can take: run exactly these, fill a [`Prefetched`] with the answers, and decide
/// on it. A few rows, whatever the roster's size.
///
/// ```
/// use membership::organization::{plan, Command, Read};
/// use membership::{Actor, Timestamp, UserId};
/// use uuid::Uuid;
///
/// let (ada, grace) = (UserId::new(Uuid::from_u128(1)), UserId::new(Uuid::from_u128(2)));
/// let now = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
/// let reads = plan(&Command::RemoveMember { user_id: grace }, Actor::User(ada), now);
/// assert_eq!(reads, [Read::Member(ada), Read::Member(grace), Read::PendingOffer]);
/// ```
#[must_use]
pub fn plan(command: &Command, actor: Actor, now: Timestamp) -> Vec<Read> {
    let mut reads = Vec::with_capacity(4);
    if let Actor::User(user) = actor {
        reads.push(Read::Member(user));
    }
    match command {
        Command::Create { .. } => reads.push(Read::Owner),
        Command::Invite { invitation_id, email, .. } => reads.extend([
            Read::MemberByEmail(email.clone()),
            Read::PendingInvitation(email.clone()),
            Read::Invitation(*invitation_id),
        ]),
        Command::AcceptInvitation { invitation_id, .. }
        | Command::DeclineInvitation { invitation_id, .. }
        | Command::RevokeInvitation { invitation_id }
        | Command::ResendInvitation { invitation_id, .. } => reads.push(Read::Invitation(*invitation_id)),
        Command::AddMember { user_id, email } => reads.extend([
            Read::Member(*user_id),
            Read::MemberByEmail(email.clone()),
            Read::PendingInvitation(email.clone()),
        ]),
        Command::ChangeRole { user_id, .. } => reads.push(Read::Member(*user_id)),
        Command::RemoveMember { user_id } => reads.extend([Read::Member(*user_id), Read::PendingOffer]),
        Command::Leave => reads.extend([Read::MemberCount, Read::PendingOffer]),
        Command::TransferOwnership { to, .. } => reads.extend([Read::Member(*to), Read::PendingOffer, Read::Owner]),
        Command::OfferOwnership { offer_id, to, .. } => {
            reads.extend([Read::Member(*to), Read::Offer(*offer_id), Read::PendingOffer]);
        }
        Command::RevokeOwnershipOffer { offer_id } | Command::DeclineOwnershipOffer { offer_id } => {
            reads.push(Read::Offer(*offer_id));
        }
        Command::AcceptOwnershipOffer { offer_id, .. } => reads.extend([Read::Offer(*offer_id), Read::Owner]),
        Command::Sweep => reads.extend([Read::ExpiredPendingInvitations(now), Read::PendingOffer]),
    }
    reads
}

/// An organization view holding only the rows a store loaded for one command: every lookup
/// it was not given answers [`NotLoaded`], so a forgotten read is an error
/// (`view_incomplete`), never a wrong decision.
///
/// Fill it with the `load_*` methods, one per [`Read`] of the [`plan`], then pass it to
/// [`decide`](super::decide). For an organization that does not exist yet (creation), give
/// version 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefetched {
    pub(super) id: OrganizationId,
    pub(super) version: u64,
    pub(super) owner: Option<UserId>,
    pub(super) member_count: Option<usize>,
    pub(super) members: Vec<(UserId, Option<Found>)>,
    pub(super) by_email: Vec<(Email, Option<Found>)>,
    pub(super) invitations: Vec<(InvitationId, Option<Invitation>)>,
    pub(super) pending_by_email: Vec<(Email, Option<Invitation>)>,
    pub(super) expired: Option<(Timestamp, Vec<Invitation>)>,
    pub(super) offers: Vec<(OfferId, Option<OwnershipOffer>)>,
    pub(super) pending_offer: Lookup<Option<OwnershipOffer>>,
}

/// What a member lookup loaded: the whole row (what answers need), or only what `decide`
/// needs (a role by id, a user by email), as the leaner `load_*` give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// The membership and its role.
    Row(MemberRow),
    /// The member's role only.
    Role(Role),
    /// The member's user id only.
    User(UserId),
}

impl Found {
    /// The member's user id, when this lookup loaded it (a lookup by id knows it already).
    pub(super) fn user(&self) -> Option<UserId> {
        match self {
            Found::Row(row) => Some(row.membership.user_id),
            Found::Role(_) => None,
            Found::User(user) => Some(*user),
        }
    }

    /// The role, when this lookup loaded it.
    fn role(&self) -> Option<Role> {
        match self {
            Found::Row(row) => Some(row.role),
            Found::Role(role) => Some(*role),
            Found::User(_) => None,
        }
    }
}

/// The whole row a lookup loaded: `None` for "no member", not loaded when only part was.
fn row(found: Option<&Found>, lookup: &'static str) -> Lookup<Option<MemberRow>> {
    match found {
        None => Ok(None),
        Some(Found::Row(row)) => Ok(Some(row.clone())),
        Some(_) => Err(NotLoaded { lookup }),
    }
}

impl Prefetched {
    /// A view of organization `id` at `version` (0: it does not exist yet), with nothing
    /// loaded.
    #[must_use]
    pub fn new(id: OrganizationId, version: u64) -> Self {
        Prefetched {
            id,
            version,
            owner: None,
            member_count: None,
            members: Vec::new(),
            by_email: Vec::new(),
            invitations: Vec::new(),
            pending_by_email: Vec::new(),
            expired: None,
            offers: Vec::new(),
            pending_offer: Err(NotLoaded { lookup: "pending_offer" }),
        }
    }

    /// Fills the view with the answer to every read in `reads`, from another view (a cache,
    /// or the full state in a test).
    ///
    /// # Errors
    ///
    /// The first lookup `source` did not load.
    pub fn prefetch<V: OrganizationView>(source: &V, reads: &[Read]) -> Result<Self, NotLoaded> {
        let mut view = Prefetched::new(source.id(), source.version());
        for read in reads {
            match read {
                Read::Owner => view.load_owner(source.owner_id()?),
                Read::MemberCount => view.load_member_count(source.member_count()?),
                Read::Member(user) => match source.member_row(*user) {
                    Ok(row) => view.load_member_row(*user, row),
                    Err(_) => view.load_member(*user, source.role_of(*user)?),
                },
                Read::MemberByEmail(email) => match source.member_row_with_email(email) {
                    Ok(row) => view.load_member_row_by_email(email.clone(), row),
                    Err(_) => view.load_member_by_email(email.clone(), source.member_with_email(email)?),
                },
                Read::Invitation(id) => view.load_invitation(*id, source.invitation(*id)?.cloned()),
                Read::PendingInvitation(email) => {
                    view.load_pending_invitation(email.clone(), source.pending_invitation(email)?.cloned());
                }
                Read::ExpiredPendingInvitations(now) => {
                    view.load_expired_pending_invitations(
                        *now,
                        source.expired_pending_invitations(*now)?.cloned().collect(),
                    );
                }
                Read::Offer(id) => view.load_offer(*id, source.offer(*id)?.copied()),
                Read::PendingOffer => view.load_pending_offer(source.pending_offer()?.copied()),
            }
        }
        Ok(view)
    }

    /// [`Read::Owner`].
    pub fn load_owner(&mut self, owner: UserId) {
        self.owner = Some(owner);
    }

    /// [`Read::MemberCount`].
    pub fn load_member_count(&mut self, count: usize) {
        self.member_count = Some(count);
    }

    /// [`Read::Member`]: `role` is `None` when `user` is not a member. Enough to decide;
    /// [`load_member_row`](Prefetched::load_member_row) also lets a service answer with the
    /// membership.
    pub fn load_member(&mut self, user: UserId, role: Option<Role>) {
        self.members.push((user, role.map(Found::Role)));
    }

    /// [`Read::Member`] with the whole row: `member` is `None` when `user` is not a member.
    pub fn load_member_row(&mut self, user: UserId, member: Option<MemberRow>) {
        self.members.push((user, member.map(Found::Row)));
    }

    /// [`Read::MemberByEmail`]: the member with that folded email, if any. Enough to
    /// decide; [`load_member_row_by_email`](Prefetched::load_member_row_by_email) also lets
    /// a service show the existing membership (ORG-4).
    pub fn load_member_by_email(&mut self, email: Email, user: Option<UserId>) {
        self.by_email.push((email, user.map(Found::User)));
    }

    /// [`Read::MemberByEmail`] with the whole row: the member with that folded email, if
    /// any, with their role.
    pub fn load_member_row_by_email(&mut self, email: Email, member: Option<MemberRow>) {
        self.by_email.push((email, member.map(Found::Row)));
    }

    /// [`Read::Invitation`]: the invitation with that id, if any.
    pub fn load_invitation(&mut self, id: InvitationId, invitation: Option<Invitation>) {
        self.invitations.push((id, invitation));
    }

    /// [`Read::PendingInvitation`]: the pending invitation for that folded email, if any.
    pub fn load_pending_invitation(&mut self, email: Email, invitation: Option<Invitation>) {
        self.pending_by_email.push((email, invitation));
    }

    /// [`Read::ExpiredPendingInvitations`]: every pending invitation expired at `now`.
    pub fn load_expired_pending_invitations(&mut self, now: Timestamp, invitations: Vec<Invitation>) {
        self.expired = Some((now, invitations));
    }

    /// [`Read::Offer`]: the offer with that id, if any.
    pub fn load_offer(&mut self, id: OfferId, offer: Option<OwnershipOffer>) {
        self.offers.push((id, offer));
    }

    /// [`Read::PendingOffer`]: the pending offer, if any.
    pub fn load_pending_offer(&mut self, offer: Option<OwnershipOffer>) {
        self.pending_offer = Ok(offer);
    }
}

/// The answer loaded for `key`, if one was.
fn answer<'a, K: PartialEq, T>(rows: &'a [(K, T)], key: &K, lookup: &'static str) -> Lookup<&'a T> {
    rows.iter().find(|(loaded, _)| loaded == key).map(|(_, row)| row).ok_or(NotLoaded { lookup })
}

impl OrganizationView for Prefetched {
    fn id(&self) -> OrganizationId {
        self.id
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn owner_id(&self) -> Lookup<UserId> {
        self.owner.ok_or(NotLoaded { lookup: "owner" })
    }

    fn member_count(&self) -> Lookup<usize> {
        self.member_count.ok_or(NotLoaded { lookup: "member_count" })
    }

    fn role_of(&self, user: UserId) -> Lookup<Option<Role>> {
        let found = answer(&self.members, &user, "member")?;
        found.as_ref().map_or(Ok(None), |found| found.role().map(Some).ok_or(NotLoaded { lookup: "member" }))
    }

    fn member_row(&self, user: UserId) -> Lookup<Option<MemberRow>> {
        row(answer(&self.members, &user, "member")?.as_ref(), "member_row")
    }

    fn member_with_email(&self, email: &Email) -> Lookup<Option<UserId>> {
        let found = answer(&self.by_email, email, "member_by_email")?;
        // A lookup by email holds a row or a user id, never a bare role.
        Ok(found.as_ref().and_then(Found::user))
    }

    fn member_row_with_email(&self, email: &Email) -> Lookup<Option<MemberRow>> {
        row(answer(&self.by_email, email, "member_by_email")?.as_ref(), "member_row_by_email")
    }

    fn invitation(&self, id: InvitationId) -> Lookup<Option<&Invitation>> {
        if let Ok(found) = answer(&self.invitations, &id, "invitation") {
            return Ok(found.as_ref());
        }
        // A sweep's own invitations are loaded rows too.
        let mut expired = self.expired.iter().flat_map(|(_, invitations)| invitations);
        expired.find(|invitation| invitation.id == id).map(Some).ok_or(NotLoaded { lookup: "invitation" })
    }

    fn pending_invitation(&self, email: &Email) -> Lookup<Option<&Invitation>> {
        answer(&self.pending_by_email, email, "pending_invitation").map(Option::as_ref)
    }

    fn expired_pending_invitations(&self, now: Timestamp) -> Lookup<impl Iterator<Item = &Invitation>> {
        match &self.expired {
            Some((at, invitations)) if *at == now => Ok(invitations.iter()),
            _ => Err(NotLoaded { lookup: "expired_pending_invitations" }),
        }
    }

    fn offer(&self, id: OfferId) -> Lookup<Option<&OwnershipOffer>> {
        answer(&self.offers, &id, "offer").map(Option::as_ref)
    }

    fn pending_offer(&self) -> Lookup<Option<&OwnershipOffer>> {
        self.pending_offer.as_ref().map(Option::as_ref).map_err(|missing| *missing)
    }
}
