//! Every organization rule, in the order docs/rules.md#org-2 fixes: actor kind, visibility,
//! authority, then the target and the rules.

use super::{
    Change, Command, CreateOrganization, Event, Invitation, InvitationStatus, OfferStatus, OrganizationView,
    OwnershipOffer, VerificationStatus, VoidReason,
};
use crate::customer::Merchant;
use crate::{
    Actor, ActorKind, AssignableRole, Email, Error, InvitationId, Lookup, OfferId, OrganizationId, Permission, Role,
    Timestamp, Ttl, UserId,
};

/// Decides `command` by `actor` at `now` against an organization: the events that happen
/// (none for an idempotent no-op), or the first rule it breaks.
///
/// Reads the state through point lookups only and allocates nothing but the returned
/// events. Apply them, in order, with [`Organization::apply`](super::Organization::apply).
///
/// # Errors
///
/// Access is checked first, in this order (ORG-2): `user_actor_required` (a token on a
/// user-only command) or `actor_not_allowed`; `organization_not_found` (a user who is not
/// a member); `permission_denied`, `not_owner` or `not_offer_target`. Then each command's
/// own checks, in the order its rule gives: see [`Command`].
///
/// # Example
///
/// ```
/// # fn main() -> Result<(), membership::Error> {
/// use membership::organization::{decide, Command, CreateOrganization, Organization, DEFAULT_TTL};
/// use membership::{Actor, Email, OrganizationId, Timestamp, UserId};
/// use uuid::Uuid;
///
/// let (owner, now) = (UserId::new(Uuid::from_u128(1)), Timestamp::parse("2025-01-01T00:00:00Z")?);
/// let create = CreateOrganization {
///     organization_id: OrganizationId::new(Uuid::from_u128(10)),
///     email: Email::parse("owner@example.com")?,
/// };
/// let mut org = Organization::replay(&Organization::create(create, Actor::User(owner), now)?).unwrap();
///
/// let invite = Command::Invite {
///     invitation_id: Uuid::from_u128(20).into(),
///     email: Email::parse("dev@example.com")?,
///     ttl: DEFAULT_TTL,
/// };
/// for event in decide(&org, invite, Actor::User(owner), now)? {
///     org.apply(&event);
/// }
/// assert_eq!(org.invitations().count(), 1);
/// # Ok(()) }
/// ```
pub fn decide<V: OrganizationView>(
    org: &V,
    command: Command,
    actor: Actor,
    now: Timestamp,
) -> Result<Vec<Event>, Error> {
    let org = &Rows(org);
    if org.exists() == matches!(command, Command::Create { .. }) {
        // Here a creation means the organization exists, and anything else that it does not:
        // no guard on `exists()` (it would be always true, a mutant no test can kill).
        return match command {
            Command::Create { .. } => recreate(org, actor),
            _ => Err(Error::OrganizationNotFound { organization_id: org.id() }),
        };
    }
    let out = Decision { org, actor, now, version: org.0.version(), events: Vec::new() };
    match command {
        Command::Create { email } => {
            let command = CreateOrganization { organization_id: org.id(), email };
            create(command, actor, now)
        }
        Command::Invite { invitation_id, email, ttl } => out.invite(invitation_id, email, ttl),
        Command::AcceptInvitation { invitation_id, email } => out.accept_invitation(invitation_id, &email),
        Command::DeclineInvitation { invitation_id, email } => {
            user(actor)?;
            pending_invitation(org, invitee_invitation(org, invitation_id, &email)?)?;
            out.emit(Change::InvitationDeclined { invitation_id })
        }
        Command::RevokeInvitation { invitation_id } => {
            manager(org, actor)?;
            pending_invitation(org, find_invitation(org, invitation_id)?)?;
            out.emit(Change::InvitationRevoked { invitation_id })
        }
        Command::ResendInvitation { invitation_id, ttl } => {
            manager(org, actor)?;
            open_invitation(org, find_invitation(org, invitation_id)?, now)?;
            out.emit(Change::InvitationResent { invitation_id, expires_at: now.after(ttl) })
        }
        Command::AddMember { user_id, email } => out.add_member(user_id, email),
        Command::ChangeRole { user_id, role } => out.change_role(user_id, role),
        Command::RemoveMember { user_id } => out.remove_member(user_id),
        Command::Leave => out.leave(),
        Command::TransferOwnership { to, verification } => out.transfer_ownership(to, verification),
        Command::OfferOwnership { offer_id, to, verification, ttl } => {
            out.offer_ownership(offer_id, to, verification, ttl)
        }
        Command::RevokeOwnershipOffer { offer_id } => {
            owner(org, actor)?;
            pending_offer(org, find_offer(org, offer_id)?)?;
            out.emit(Change::OwnershipOfferRevoked { offer_id })
        }
        Command::AcceptOwnershipOffer { offer_id, verification } => out.accept_offer(offer_id, verification),
        Command::DeclineOwnershipOffer { offer_id } => {
            pending_offer(org, target_offer(org, actor, offer_id)?)?;
            out.emit(Change::OwnershipOfferDeclined { offer_id })
        }
        Command::Sweep => out.sweep(),
    }
}

/// May `actor` do `permission` in this organization (ORG-2)? Users by their role here,
/// tokens of this organization always. Never allocates.
///
/// # Errors
///
/// `actor_not_allowed` for staff and the system; `organization_not_found` for a user who is
/// not a member or a token of another organization (even when the permission would be
/// missing too: nothing leaks); `permission_denied` with Polar's message otherwise;
/// `view_incomplete` when a user acts and the view did not load their membership.
#[inline]
pub fn check<V: OrganizationView>(org: &V, actor: Actor, permission: Permission) -> Result<(), Error> {
    let role = match actor {
        Actor::User(user) => Rows(org).role_of(user)?,
        Actor::Token(_) | Actor::Staff | Actor::System => None,
    };
    check_role(org.id(), actor, role, permission)
}

/// [`check`] from the one row it needs: the acting user's role in `organization_id`
/// (`None` when they are not a member; ignored for other actors). A store answers it with
/// one indexed point read.
///
/// # Errors
///
/// As [`check`].
#[inline]
pub fn check_role(
    organization_id: OrganizationId,
    actor: Actor,
    role: Option<Role>,
    permission: Permission,
) -> Result<(), Error> {
    match actor {
        Actor::User(_) => {
            let role = role.ok_or(Error::OrganizationNotFound { organization_id })?;
            require(organization_id, role, permission)
        }
        Actor::Token(token_organization) if token_organization == organization_id => Ok(()),
        Actor::Token(_) => Err(Error::OrganizationNotFound { organization_id }),
        Actor::Staff | Actor::System => Err(Error::ActorNotAllowed { actor: actor.kind() }),
    }
}

/// The merchant `actor` is in this organization, for customer commands (docs/rules.md#customer-access,
/// CUS-8): a member with the role the organization gives them, or one of its tokens. The
/// only way to a user's [`Merchant`], so a customer never trusts a role the caller made up.
///
/// # Errors
///
/// `organization_not_found` for a user who is not a member or a token of another
/// organization; `actor_not_allowed` for staff and the system (the system acts on customers
/// as [`CustomerActor::System`](crate::customer::CustomerActor::System));
/// `view_incomplete` when the view did not load the user's membership.
pub fn merchant<V: OrganizationView>(org: &V, actor: Actor) -> Result<Merchant, Error> {
    let organization_id = org.id();
    match actor {
        Actor::User(user) => {
            let role = Rows(org).role_of(user)?.ok_or(Error::OrganizationNotFound { organization_id })?;
            Ok(Merchant::user(organization_id, user, role))
        }
        Actor::Token(token_organization) if token_organization == organization_id => {
            Ok(Merchant::token(organization_id))
        }
        Actor::Token(_) => Err(Error::OrganizationNotFound { organization_id }),
        Actor::Staff | Actor::System => Err(Error::ActorNotAllowed { actor: actor.kind() }),
    }
}

/// Decides [`CreateOrganization`] (ORG-3): the acting user becomes its Owner.
///
/// # Errors
///
/// `actor_not_allowed` unless a user acts.
pub(super) fn create(command: CreateOrganization, actor: Actor, now: Timestamp) -> Result<Vec<Event>, Error> {
    let Actor::User(owner) = actor else {
        return Err(Error::ActorNotAllowed { actor: actor.kind() });
    };
    let change = Change::Created { owner, email: command.email };
    Ok(vec![Event { organization_id: command.organization_id, version: 1, at: now, actor, change }])
}

/// Creation on an organization that exists: a retry by its Owner changes nothing; anyone
/// else is reusing an id.
fn recreate<V: OrganizationView>(org: &Rows<'_, V>, actor: Actor) -> Result<Vec<Event>, Error> {
    let Actor::User(user) = actor else {
        return Err(Error::ActorNotAllowed { actor: actor.kind() });
    };
    if org.owner_id()? == user {
        return Ok(Vec::new());
    }
    Err(Error::invalid("organization_id", "is already used by another organization; pass a new id"))
}

/// The view, with each lookup's "not loaded" turned into the `view_incomplete` error.
struct Rows<'v, V>(&'v V);

impl<'v, V: OrganizationView> Rows<'v, V> {
    fn id(&self) -> OrganizationId {
        self.0.id()
    }

    fn exists(&self) -> bool {
        self.0.version() > 0
    }

    fn got<T>(&self, lookup: Lookup<T>) -> Result<T, Error> {
        lookup.map_err(|missing| Error::ViewIncomplete { stream: self.id().into(), missing })
    }

    fn owner_id(&self) -> Result<UserId, Error> {
        self.got(self.0.owner_id())
    }

    fn member_count(&self) -> Result<usize, Error> {
        self.got(self.0.member_count())
    }

    #[inline]
    fn role_of(&self, user: UserId) -> Result<Option<Role>, Error> {
        self.got(self.0.role_of(user))
    }

    fn member_with_email(&self, email: &Email) -> Result<Option<UserId>, Error> {
        self.got(self.0.member_with_email(email))
    }

    fn invitation(&self, id: InvitationId) -> Result<Option<&'v Invitation>, Error> {
        self.got(self.0.invitation(id))
    }

    fn pending_invitation(&self, email: &Email) -> Result<Option<&'v Invitation>, Error> {
        self.got(self.0.pending_invitation(email))
    }

    fn offer(&self, id: OfferId) -> Result<Option<&'v OwnershipOffer>, Error> {
        self.got(self.0.offer(id))
    }

    fn pending_offer(&self) -> Result<Option<&'v OwnershipOffer>, Error> {
        self.got(self.0.pending_offer())
    }
}

/// One decision in the making: the state it reads, and the events so far, numbered on
/// from the state's version.
struct Decision<'r, 'v, V> {
    org: &'r Rows<'v, V>,
    actor: Actor,
    now: Timestamp,
    version: u64,
    events: Vec<Event>,
}

impl<V: OrganizationView> Decision<'_, '_, V> {
    fn push(&mut self, change: Change) {
        // A state at `u64::MAX` cannot come from a checked replay of real events; saturating
        // makes the store's version check refuse the write instead of wrapping.
        self.version = self.version.saturating_add(1);
        let event =
            Event { organization_id: self.org.id(), version: self.version, at: self.now, actor: self.actor, change };
        self.events.push(event);
    }

    /// Pushes the decision's last event and returns them all.
    #[expect(clippy::unnecessary_wraps, reason = "every arm of `decide` ends in a Result; this keeps them uniform")]
    fn emit(mut self, change: Change) -> Result<Vec<Event>, Error> {
        self.push(change);
        Ok(self.events)
    }

    /// ORG-4.
    fn invite(mut self, invitation_id: InvitationId, email: Email, ttl: Ttl) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let invited_by = manager(org, self.actor)?;
        if org.member_with_email(&email)?.is_some() {
            return Ok(Vec::new());
        }
        let pending = org.pending_invitation(&email)?;
        if let Some(open) = pending.filter(|pending| !pending.is_expired_at(self.now)) {
            let expires_at = self.now.after(ttl);
            return self.emit(Change::InvitationResent { invitation_id: open.id, expires_at });
        }
        if org.invitation(invitation_id)?.is_some() {
            return Err(Error::invalid("invitation_id", "is already used by another invitation; pass a new id"));
        }
        if let Some(expired) = pending {
            self.push(Change::InvitationExpired { invitation_id: expired.id });
        }
        let expires_at = self.now.after(ttl);
        self.emit(Change::InvitationCreated { invitation_id, email, invited_by, expires_at })
    }

    /// ORG-5, accept: checks 1 to 7 in order.
    fn accept_invitation(mut self, invitation_id: InvitationId, email: &Email) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let user_id = user(self.actor)?;
        let invitation = invitee_invitation(org, invitation_id, email)?;
        let already_member = org.role_of(user_id)?.is_some();
        if invitation.status == InvitationStatus::Accepted && invitation.accepted_by == Some(user_id) && already_member
        {
            return Ok(Vec::new());
        }
        open_invitation(org, invitation, self.now)?;
        self.push(Change::InvitationAccepted { invitation_id, user_id });
        if !already_member {
            let email = invitation.email.clone();
            self.push(Change::MemberAdded { user_id, email, role: AssignableRole::Member });
        }
        Ok(self.events)
    }

    /// ORG-5, direct add.
    fn add_member(mut self, user_id: UserId, email: Email) -> Result<Vec<Event>, Error> {
        let org = self.org;
        only(self.actor, ActorKind::System)?;
        if org.role_of(user_id)?.is_some() {
            return Ok(Vec::new());
        }
        // Not in the spec: two members sharing one email would make "already a member"
        // (ORG-4) ambiguous, so a second user with a member's email is refused.
        if org.member_with_email(&email)?.is_some() {
            return Err(Error::MemberEmailTaken { organization_id: org.id(), email: email.as_str().to_owned() });
        }
        if let Some(invitation) = org.pending_invitation(&email)? {
            self.push(Change::InvitationAccepted { invitation_id: invitation.id, user_id });
        }
        self.emit(Change::MemberAdded { user_id, email, role: AssignableRole::Member })
    }

    /// ORG-6.
    fn change_role(self, user_id: UserId, role: Role) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let organization_id = org.id();
        manager(org, self.actor)?;
        let current = org.role_of(user_id)?.ok_or(Error::MemberNotFound { organization_id, user_id })?;
        let to = AssignableRole::of(role).ok_or(Error::OwnerRoleNotAssignable { organization_id, user_id })?;
        let from = AssignableRole::of(current).ok_or(Error::OwnerRoleImmutable { organization_id, user_id })?;
        if from == to {
            return Ok(Vec::new());
        }
        self.emit(Change::MemberRoleChanged { user_id, from, to })
    }

    /// ORG-7.
    fn remove_member(mut self, user_id: UserId) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let organization_id = org.id();
        manager(org, self.actor)?;
        let role = match org.role_of(user_id)? {
            None => return Err(Error::MemberNotFound { organization_id, user_id }),
            Some(role) => AssignableRole::of(role).ok_or(Error::OwnerCannotBeRemoved { organization_id, user_id })?,
        };
        self.void_offer_to(user_id, VoidReason::TargetRemoved)?;
        self.emit(Change::MemberRemoved { user_id, role })
    }

    /// ORG-8: "last member" before "owner", the reverse of Polar, so the sole member is told
    /// the real reason (there is nobody to transfer to).
    fn leave(mut self) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let organization_id = org.id();
        let user_id = user(self.actor)?;
        let role = visible(org, user_id)?;
        if org.member_count()? == 1 {
            return Err(Error::LastMemberCannotLeave { organization_id, user_id });
        }
        let role = AssignableRole::of(role).ok_or(Error::OwnerCannotLeave { organization_id, user_id })?;
        self.void_offer_to(user_id, VoidReason::TargetLeft)?;
        self.emit(Change::MemberLeft { user_id, role })
    }

    /// ORG-10, direct path.
    fn transfer_ownership(mut self, to: UserId, verification: VerificationStatus) -> Result<Vec<Event>, Error> {
        let org = self.org;
        only(self.actor, ActorKind::Staff)?;
        may_take_ownership(org, to, verification)?;
        if let Some(offer) = org.pending_offer()? {
            self.push(Change::OwnershipOfferVoided { offer_id: offer.id, reason: VoidReason::OwnerChanged });
        }
        let from = org.owner_id()?;
        self.emit(transferred(from, to))
    }

    /// ORG-10, make an offer.
    fn offer_ownership(
        mut self,
        offer_id: OfferId,
        to: UserId,
        verification: VerificationStatus,
        ttl: Ttl,
    ) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let from = owner(org, self.actor)?;
        may_take_ownership(org, to, verification)?;
        if org.offer(offer_id)?.is_some() {
            return Err(Error::invalid("offer_id", "is already used by another offer; pass a new id"));
        }
        if let Some(pending) = org.pending_offer()? {
            self.push(Change::OwnershipOfferVoided { offer_id: pending.id, reason: VoidReason::Replaced });
        }
        let expires_at = self.now.after(ttl);
        self.emit(Change::OwnershipOffered { offer_id, from, to, expires_at })
    }

    /// ORG-10, accept an offer: a rejected acceptance leaves the offer as it was.
    fn accept_offer(mut self, offer_id: OfferId, verification: VerificationStatus) -> Result<Vec<Event>, Error> {
        let org = self.org;
        let offer = target_offer(org, self.actor, offer_id)?;
        pending_offer(org, offer)?;
        if offer.is_expired_at(self.now) {
            return Err(Error::OwnershipOfferExpired { organization_id: org.id(), offer_id });
        }
        verified(org, offer.to, verification)?;
        self.push(Change::OwnershipOfferAccepted { offer_id });
        let from = org.owner_id()?;
        self.emit(transferred(from, offer.to))
    }

    /// ORG-13.
    fn sweep(mut self) -> Result<Vec<Event>, Error> {
        let (org, now) = (self.org, self.now);
        only(self.actor, ActorKind::System)?;
        for invitation in org.got(org.0.expired_pending_invitations(now))? {
            self.push(Change::InvitationExpired { invitation_id: invitation.id });
        }
        // Storage order is arbitrary; events must not be: expiry order, then id, then the
        // versions numbered again. (Sorting in place: the events are the only allocation.)
        let expiry = |event: &Event| match &event.change {
            Change::InvitationExpired { invitation_id } => {
                org.invitation(*invitation_id).ok().flatten().map(|invitation| (invitation.expires_at, invitation.id))
            }
            _ => None,
        };
        self.events.sort_unstable_by_key(expiry);
        for (event, version) in self.events.iter_mut().zip(org.0.version().saturating_add(1)..) {
            event.version = version;
        }
        if let Some(offer) = org.pending_offer()?.filter(|offer| offer.is_expired_at(now)) {
            self.push(Change::OwnershipOfferExpired { offer_id: offer.id });
        }
        Ok(self.events)
    }

    /// Voids the pending offer if it is made to `user` (ORG-10: offers are voided eagerly).
    fn void_offer_to(&mut self, user: UserId, reason: VoidReason) -> Result<(), Error> {
        if let Some(offer) = self.org.pending_offer()?.filter(|offer| offer.to == user) {
            self.push(Change::OwnershipOfferVoided { offer_id: offer.id, reason });
        }
        Ok(())
    }
}

/// The one swap of ORG-10, with the roles each holds after it.
fn transferred(from: UserId, to: UserId) -> Change {
    Change::OwnershipTransferred { from, from_role: AssignableRole::Admin, to, to_role: Role::Owner }
}

// Access, step 0: the actor kind.

fn user(actor: Actor) -> Result<UserId, Error> {
    match actor {
        Actor::User(user_id) => Ok(user_id),
        // Polar answers 401 before it looks the organization up, so whose token it is
        // does not matter.
        Actor::Token(_) => Err(Error::UserActorRequired),
        Actor::Staff | Actor::System => Err(Error::ActorNotAllowed { actor: actor.kind() }),
    }
}

fn only(actor: Actor, kind: ActorKind) -> Result<(), Error> {
    if actor.kind() == kind { Ok(()) } else { Err(Error::ActorNotAllowed { actor: actor.kind() }) }
}

// Access, step 1: visibility.

#[inline]
fn visible<V: OrganizationView>(org: &Rows<'_, V>, user_id: UserId) -> Result<Role, Error> {
    org.role_of(user_id)?.ok_or(Error::OrganizationNotFound { organization_id: org.id() })
}

// Access, step 2: authority.

#[inline]
fn require(organization_id: OrganizationId, role: Role, permission: Permission) -> Result<(), Error> {
    if role.can(permission) { Ok(()) } else { Err(Error::PermissionDenied { organization_id, permission }) }
}

/// A user who is a member holding `members:manage`.
fn manager<V: OrganizationView>(org: &Rows<'_, V>, actor: Actor) -> Result<UserId, Error> {
    let user_id = user(actor)?;
    require(org.id(), visible(org, user_id)?, Permission::MembersManage)?;
    Ok(user_id)
}

/// The Owner, acting as a user.
fn owner<V: OrganizationView>(org: &Rows<'_, V>, actor: Actor) -> Result<UserId, Error> {
    let user_id = user(actor)?;
    match visible(org, user_id)? {
        Role::Owner => Ok(user_id),
        _ => Err(Error::NotOwner { organization_id: org.id(), user_id }),
    }
}

/// The offer, which must be made to the acting member (checked once it is found).
fn target_offer<'v, V: OrganizationView>(
    org: &Rows<'v, V>,
    actor: Actor,
    offer_id: OfferId,
) -> Result<&'v OwnershipOffer, Error> {
    let user_id = user(actor)?;
    visible(org, user_id)?;
    let offer = find_offer(org, offer_id)?;
    if offer.to == user_id { Ok(offer) } else { Err(Error::NotOfferTarget { organization_id: org.id(), offer_id }) }
}

// Step 3: targets and rules.

fn find_invitation<'v, V: OrganizationView>(
    org: &Rows<'v, V>,
    invitation_id: InvitationId,
) -> Result<&'v Invitation, Error> {
    org.invitation(invitation_id)?.ok_or(Error::InvitationNotFound { organization_id: org.id(), invitation_id })
}

/// The invitation, which must be addressed to the invitee's verified email (ORG-5 checks 1–2).
fn invitee_invitation<'v, V: OrganizationView>(
    org: &Rows<'v, V>,
    invitation_id: InvitationId,
    email: &Email,
) -> Result<&'v Invitation, Error> {
    let invitation = find_invitation(org, invitation_id)?;
    if invitation.email == *email {
        Ok(invitation)
    } else {
        Err(Error::InvitationEmailMismatch { organization_id: org.id(), invitation_id })
    }
}

fn pending_invitation<V: OrganizationView>(org: &Rows<'_, V>, invitation: &Invitation) -> Result<(), Error> {
    match invitation.status {
        InvitationStatus::Pending => Ok(()),
        status => Err(Error::InvitationNotOpen { organization_id: org.id(), invitation_id: invitation.id, status }),
    }
}

/// Pending, then not expired: "not pending" is checked before "expired" everywhere.
fn open_invitation<V: OrganizationView>(
    org: &Rows<'_, V>,
    invitation: &Invitation,
    now: Timestamp,
) -> Result<(), Error> {
    pending_invitation(org, invitation)?;
    if invitation.is_expired_at(now) {
        return Err(Error::InvitationExpired { organization_id: org.id(), invitation_id: invitation.id });
    }
    Ok(())
}

fn find_offer<'v, V: OrganizationView>(org: &Rows<'v, V>, offer_id: OfferId) -> Result<&'v OwnershipOffer, Error> {
    org.offer(offer_id)?.ok_or(Error::OwnershipOfferNotFound { organization_id: org.id(), offer_id })
}

fn pending_offer<V: OrganizationView>(org: &Rows<'_, V>, offer: &OwnershipOffer) -> Result<(), Error> {
    match offer.status {
        OfferStatus::Pending => Ok(()),
        status => Err(Error::OwnershipOfferNotOpen { organization_id: org.id(), offer_id: offer.id, status }),
    }
}

/// The target checks of both transfer paths (ORG-10), in order.
fn may_take_ownership<V: OrganizationView>(
    org: &Rows<'_, V>,
    to: UserId,
    verification: VerificationStatus,
) -> Result<(), Error> {
    let organization_id = org.id();
    match org.role_of(to)? {
        None => Err(Error::MemberNotFound { organization_id, user_id: to }),
        Some(Role::Owner) => Err(Error::AlreadyOwner { organization_id, user_id: to }),
        Some(_) => verified(org, to, verification),
    }
}

fn verified<V: OrganizationView>(org: &Rows<'_, V>, user_id: UserId, status: VerificationStatus) -> Result<(), Error> {
    match status {
        VerificationStatus::Verified => Ok(()),
        status => Err(Error::NewOwnerNotVerified { organization_id: org.id(), user_id, status }),
    }
}
