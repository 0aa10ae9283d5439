//! The organization aggregate: its team, invitations and offers, and `apply`.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use serde::{Deserialize, Serialize};

use super::{Change, Event, Invitation, InvitationStatus, OfferStatus, OwnershipOffer};
use crate::{AssignableRole, Email, InvitationId, OfferId, OrganizationId, Role, Timestamp, UserId};

/// One user's membership of an organization; the role is held by the [`Organization`]
/// (an owner field and the others' roles), so it comes beside this, never inside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The member.
    pub user_id: UserId,
    /// Their stored email: the one they joined with.
    pub email: Email,
    /// When they joined (a re-join starts again).
    pub created_at: Timestamp,
}

/// A member other than the Owner: their role cannot be Owner, by type.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seat {
    membership: Membership,
    role: AssignableRole,
}

/// What [`decide`](super::decide) needs to know about an organization, and nothing more.
///
/// [`Organization`] answers it from memory. A database-backed service can answer it from a
/// small struct it loads for the command at hand (the owner, the actor's and the target's
/// memberships, the invitation or offer named, the member count) instead of the whole
/// roster. Every method is a point lookup, so deciding is O(1) in the number of members.
pub trait OrganizationView {
    /// The organization's id.
    fn id(&self) -> OrganizationId;
    /// Its version: the `version` of the last event applied.
    fn version(&self) -> u64;
    /// The Owner's user id.
    fn owner_id(&self) -> UserId;
    /// How many members it has, the Owner included.
    fn member_count(&self) -> usize;
    /// The role of `user`, if a member.
    fn role_of(&self, user: UserId) -> Option<Role>;
    /// The member whose folded email equals `email`'s, if any.
    fn member_with_email(&self, email: &Email) -> Option<UserId>;
    /// The invitation with this id, in any status.
    fn invitation(&self, id: InvitationId) -> Option<&Invitation>;
    /// The pending invitation for `email`'s folded form, if any (expired or not).
    fn pending_invitation(&self, email: &Email) -> Option<&Invitation>;
    /// Every pending invitation, in any order (the sweep's input).
    fn pending_invitations(&self) -> impl Iterator<Item = &Invitation>;
    /// The ownership offer with this id, in any status.
    fn offer(&self, id: OfferId) -> Option<&OwnershipOffer>;
    /// The pending ownership offer, if any (expired or not).
    fn pending_offer(&self) -> Option<&OwnershipOffer>;
}

/// An organization and its team: exactly one Owner (a field, not a role to count), the
/// other members with their roles, invitations and ownership offers.
///
/// Built only from events ([`Organization::replay`]) and changed only by
/// [`apply`](Organization::apply); every rule is in [`decide`](super::decide).
///
/// Members are held once: a hash table of seats keyed by user id, and an email index that
/// holds only each member's email hash and user id (the email itself lives in the seat), so
/// a membership costs about 130 bytes at 100,000 members.
#[derive(Clone, Debug)]
pub struct Organization {
    id: OrganizationId,
    version: u64,
    created_at: Timestamp,
    owner: Membership,
    /// Everyone but the Owner, keyed by `membership.user_id`.
    others: HashTable<Seat>,
    /// Every member's (folded email hash, user id), the Owner's included.
    by_email: HashTable<(u64, UserId)>,
    invitations: HashMap<InvitationId, Invitation>,
    pending_by_email: HashMap<Email, InvitationId>,
    offers: HashMap<OfferId, OwnershipOffer>,
    pending_offer: Option<OfferId>,
    /// Seeded per organization: emails are chosen by outsiders.
    hasher: DefaultHashBuilder,
}

impl Organization {
    /// Rebuilds an organization from its events, oldest first. `None` unless the first
    /// event is `organization.created`.
    ///
    /// ```
    /// # fn main() -> Result<(), membership::Error> {
    /// use membership::organization::{CreateOrganization, Organization};
    /// use membership::{Actor, Email, OrganizationId, Timestamp, UserId};
    /// use uuid::Uuid;
    ///
    /// let owner = UserId::new(Uuid::from_u128(1));
    /// let create = CreateOrganization {
    ///     organization_id: OrganizationId::new(Uuid::from_u128(10)),
    ///     email: Email::parse("owner@example.com")?,
    /// };
    /// let events = Organization::create(create, Actor::User(owner), Timestamp::parse("2025-01-01T00:00:00Z")?)?;
    /// let org = Organization::replay(&events).expect("starts with organization.created");
    /// assert_eq!(org.owner().user_id, owner);
    /// # Ok(()) }
    /// ```
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Self> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let Change::Created { owner, email } = &first.change else {
            return None;
        };
        let owner = Membership { user_id: *owner, email: email.clone(), created_at: first.at };
        let hasher = DefaultHashBuilder::default();
        let mut by_email = HashTable::new();
        let email_hash = hasher.hash_one(&owner.email);
        by_email.insert_unique(email_hash, (email_hash, owner.user_id), |(hash, _)| *hash);
        let mut org = Organization {
            id: first.organization_id,
            version: first.version,
            created_at: first.at,
            owner,
            others: HashTable::new(),
            by_email,
            invitations: HashMap::new(),
            pending_by_email: HashMap::new(),
            offers: HashMap::new(),
            pending_offer: None,
            hasher,
        };
        for event in events {
            org.apply(event);
        }
        Some(org)
    }

    /// Applies one event. Holds no rules and never fails: events are facts that `decide`
    /// already checked. An event that names nobody here (it cannot come from `decide`) leaves
    /// the state as it was, except for the version.
    pub fn apply(&mut self, event: &Event) {
        self.version = event.version;
        match &event.change {
            // Only `replay` starts an organization.
            Change::Created { .. } => {}
            Change::InvitationCreated { invitation_id, email, invited_by, expires_at } => {
                self.pending_by_email.insert(email.clone(), *invitation_id);
                self.invitations.insert(
                    *invitation_id,
                    Invitation {
                        id: *invitation_id,
                        email: email.clone(),
                        invited_by: *invited_by,
                        created_at: event.at,
                        expires_at: *expires_at,
                        status: InvitationStatus::Pending,
                    },
                );
            }
            Change::InvitationResent { invitation_id, expires_at } => {
                if let Some(invitation) = self.invitations.get_mut(invitation_id) {
                    invitation.expires_at = *expires_at;
                }
            }
            Change::InvitationAccepted { invitation_id, user_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Accepted { user_id: *user_id });
            }
            Change::InvitationDeclined { invitation_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Declined);
            }
            Change::InvitationRevoked { invitation_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Revoked);
            }
            Change::InvitationExpired { invitation_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Expired);
            }
            Change::MemberAdded { user_id, email } => {
                let email_hash = self.hasher.hash_one(email);
                self.by_email.insert_unique(email_hash, (email_hash, *user_id), |(hash, _)| *hash);
                let membership = Membership { user_id: *user_id, email: email.clone(), created_at: event.at };
                self.insert_seat(Seat { membership, role: AssignableRole::Member });
            }
            Change::MemberRoleChanged { user_id, to, .. } => {
                let hash = self.hasher.hash_one(user_id);
                if let Some(seat) = self.others.find_mut(hash, |seat| seat.membership.user_id == *user_id) {
                    seat.role = *to;
                }
            }
            Change::MemberRemoved { user_id } | Change::MemberLeft { user_id } => {
                if let Some(seat) = self.remove_seat(*user_id) {
                    let email_hash = self.hasher.hash_one(&seat.membership.email);
                    if let Ok(entry) = self.by_email.find_entry(email_hash, |(_, user)| user == user_id) {
                        entry.remove();
                    }
                }
            }
            Change::OwnershipTransferred { to, .. } => {
                if let Some(seat) = self.remove_seat(*to) {
                    let previous = std::mem::replace(&mut self.owner, seat.membership);
                    self.insert_seat(Seat { membership: previous, role: AssignableRole::Admin });
                }
            }
            Change::OwnershipOffered { offer_id, from, to, expires_at } => {
                self.pending_offer = Some(*offer_id);
                self.offers.insert(
                    *offer_id,
                    OwnershipOffer {
                        id: *offer_id,
                        from: *from,
                        to: *to,
                        created_at: event.at,
                        expires_at: *expires_at,
                        status: OfferStatus::Pending,
                    },
                );
            }
            Change::OwnershipOfferAccepted { offer_id } => self.close_offer(*offer_id, OfferStatus::Accepted),
            Change::OwnershipOfferDeclined { offer_id } => self.close_offer(*offer_id, OfferStatus::Declined),
            Change::OwnershipOfferRevoked { offer_id } => self.close_offer(*offer_id, OfferStatus::Revoked),
            Change::OwnershipOfferVoided { offer_id, reason } => {
                self.close_offer(*offer_id, OfferStatus::Voided { reason: *reason });
            }
            Change::OwnershipOfferExpired { offer_id } => self.close_offer(*offer_id, OfferStatus::Expired),
        }
    }

    fn insert_seat(&mut self, seat: Seat) {
        let hash = self.hasher.hash_one(seat.membership.user_id);
        self.others.insert_unique(hash, seat, |seat| self.hasher.hash_one(seat.membership.user_id));
    }

    fn remove_seat(&mut self, user: UserId) -> Option<Seat> {
        let hash = self.hasher.hash_one(user);
        let entry = self.others.find_entry(hash, |seat| seat.membership.user_id == user).ok()?;
        Some(entry.remove().0)
    }

    #[inline]
    fn seat(&self, user: UserId) -> Option<&Seat> {
        self.others.find(self.hasher.hash_one(user), |seat| seat.membership.user_id == user)
    }

    fn close_invitation(&mut self, id: InvitationId, status: InvitationStatus) {
        if let Some(invitation) = self.invitations.get_mut(&id) {
            invitation.status = status;
            if self.pending_by_email.get(&invitation.email) == Some(&id) {
                self.pending_by_email.remove(&invitation.email);
            }
        }
    }

    fn close_offer(&mut self, id: OfferId, status: OfferStatus) {
        if let Some(offer) = self.offers.get_mut(&id) {
            offer.status = status;
        }
        if self.pending_offer == Some(id) {
            self.pending_offer = None;
        }
    }

    /// The organization's id.
    #[must_use]
    pub fn id(&self) -> OrganizationId {
        self.id
    }

    /// The `version` of the last event applied.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When it was created.
    #[must_use]
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// The Owner's membership: there is always exactly one.
    #[must_use]
    pub fn owner(&self) -> &Membership {
        &self.owner
    }

    /// How many members, the Owner included (never zero).
    #[must_use]
    pub fn member_count(&self) -> usize {
        self.others.len() + 1
    }

    /// `user`'s membership and role, if they are a member.
    #[must_use]
    pub fn member(&self, user: UserId) -> Option<(&Membership, Role)> {
        if user == self.owner.user_id {
            return Some((&self.owner, Role::Owner));
        }
        self.seat(user).map(|seat| (&seat.membership, seat.role.role()))
    }

    /// The member whose folded email equals `email`'s: what a service shows when an invite
    /// finds "already a member" (ORG-4).
    #[must_use]
    pub fn member_by_email(&self, email: &Email) -> Option<(&Membership, Role)> {
        self.user_with_email(email).and_then(|user| self.member(user))
    }

    /// The user whose membership has this folded email: one probe of the index, checked
    /// against the email held in the member's seat.
    fn user_with_email(&self, email: &Email) -> Option<UserId> {
        let email_hash = self.hasher.hash_one(email);
        let (_, user) = self.by_email.find(email_hash, |(hash, user)| {
            *hash == email_hash && self.member(*user).is_some_and(|(member, _)| member.email == *email)
        })?;
        Some(*user)
    }

    /// Every member with their role, the Owner first, the rest in no particular order.
    pub fn members(&self) -> impl Iterator<Item = (&Membership, Role)> {
        std::iter::once((&self.owner, Role::Owner))
            .chain(self.others.iter().map(|seat| (&seat.membership, seat.role.role())))
    }

    /// Every invitation ever made here, in any status, in no particular order.
    pub fn invitations(&self) -> impl Iterator<Item = &Invitation> {
        self.invitations.values()
    }

    /// Every ownership offer ever made here, in no particular order.
    pub fn offers(&self) -> impl Iterator<Item = &OwnershipOffer> {
        self.offers.values()
    }
}

impl OrganizationView for Organization {
    #[inline]
    fn id(&self) -> OrganizationId {
        self.id
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn owner_id(&self) -> UserId {
        self.owner.user_id
    }

    fn member_count(&self) -> usize {
        Organization::member_count(self)
    }

    #[inline]
    fn role_of(&self, user: UserId) -> Option<Role> {
        if user == self.owner.user_id {
            return Some(Role::Owner);
        }
        self.seat(user).map(|seat| seat.role.role())
    }

    fn member_with_email(&self, email: &Email) -> Option<UserId> {
        self.user_with_email(email)
    }

    fn invitation(&self, id: InvitationId) -> Option<&Invitation> {
        self.invitations.get(&id)
    }

    fn pending_invitation(&self, email: &Email) -> Option<&Invitation> {
        self.pending_by_email.get(email).and_then(|id| self.invitations.get(id))
    }

    fn pending_invitations(&self) -> impl Iterator<Item = &Invitation> {
        self.pending_by_email.values().filter_map(|id| self.invitations.get(id))
    }

    fn offer(&self, id: OfferId) -> Option<&OwnershipOffer> {
        self.offers.get(&id)
    }

    fn pending_offer(&self) -> Option<&OwnershipOffer> {
        self.pending_offer.and_then(|id| self.offers.get(&id))
    }
}

/// Equal when they hold the same members, invitations and offers: the hash tables' seeds
/// and layouts do not matter.
impl PartialEq for Organization {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.version == other.version
            && self.created_at == other.created_at
            && self.owner == other.owner
            && self.others.len() == other.others.len()
            && self.others.iter().all(|seat| other.seat(seat.membership.user_id) == Some(seat))
            && self.by_email.len() == other.by_email.len()
            && self.members().all(|(member, _)| {
                other.member_by_email(&member.email).map(|(found, _)| found.user_id) == Some(member.user_id)
            })
            && self.invitations == other.invitations
            && self.pending_by_email == other.pending_by_email
            && self.offers == other.offers
            && self.pending_offer == other.pending_offer
    }
}

impl Eq for Organization {}
