//! A prefetched view moved on by the events decided on it: the state a command left, for
//! what the command looked at. A service answers from it (the invitation as resent, the
//! member as promoted) instead of reading again after the command, when a concurrent
//! command may already have moved the organization on (docs/rules.md#answers).

use super::plan::Found;
use super::{
    Change, Event, Invitation, InvitationStatus, MemberRow, Membership, OfferStatus, OwnershipOffer, Prefetched,
};
use crate::{Role, UserId};

impl Prefetched {
    /// Moves every loaded lookup on by `events`, as if each had been read again right after
    /// them: what was found absent can now be found (a new invitation), what was found can
    /// change (a resent invitation's expiry, a role) or go (a removed member). Lookups that
    /// were never loaded stay unloaded.
    ///
    /// ```
    /// use membership::organization::{decide, plan, Command, OrganizationView, Prefetched, Read, DEFAULT_TTL};
    /// use membership::organization::{CreateOrganization, Organization};
    /// use membership::{Actor, Email, Timestamp, UserId};
    /// use uuid::Uuid;
    ///
    /// let ada = UserId::new(Uuid::from_u128(1));
    /// let now = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
    /// let create = CreateOrganization { organization_id: Uuid::from_u128(9).into(), email: Email::parse("ada@example.com").unwrap() };
    /// let org = Organization::replay(&Organization::create(create, Actor::User(ada), now).unwrap()).unwrap();
    /// let (invitation_id, email) = (Uuid::from_u128(2).into(), Email::parse("grace@example.com").unwrap());
    /// let invite = Command::Invite { invitation_id, email, ttl: DEFAULT_TTL };
    /// let mut view = Prefetched::prefetch(&org, &plan(&invite, Actor::User(ada), now)).unwrap();
    /// let events = decide(&view, invite, Actor::User(ada), now).unwrap();
    /// view.advance(&events);
    /// assert!(view.invitation(invitation_id).unwrap().is_some()); // the invitation it made
    /// ```
    pub fn advance(&mut self, events: &[Event]) {
        for event in events {
            self.version = event.version;
            self.follow(event);
        }
    }

    fn follow(&mut self, event: &Event) {
        let at = event.at;
        let joined = |user_id, email: &crate::Email, role| MemberRow {
            membership: Membership { user_id, email: email.clone(), created_at: at },
            role,
        };
        match &event.change {
            Change::Created { owner, email } => {
                self.owner = Some(*owner);
                self.seat(*owner, Some(&joined(*owner, email, Role::Owner)));
            }
            Change::MemberAdded { user_id, email, role } => {
                self.member_count = self.member_count.map(|count| count + 1);
                self.seat(*user_id, Some(&joined(*user_id, email, role.role())));
            }
            Change::MemberRoleChanged { user_id, to, .. } => self.set_role(*user_id, to.role()),
            Change::MemberRemoved { user_id, .. } | Change::MemberLeft { user_id, .. } => {
                self.member_count = self.member_count.map(|count| count.saturating_sub(1));
                self.seat(*user_id, None);
            }
            Change::OwnershipTransferred { from, from_role, to, to_role } => {
                self.owner = self.owner.map(|_| *to);
                self.set_role(*from, from_role.role());
                self.set_role(*to, *to_role);
            }
            Change::InvitationCreated { invitation_id, .. } => {
                let Some(invitation) = Invitation::created(event) else { return };
                for (email, pending) in &mut self.pending_by_email {
                    if *email == invitation.email {
                        *pending = Some(invitation.clone());
                    }
                }
                self.update_invitation(*invitation_id, |found| *found = Some(invitation.clone()));
            }
            Change::InvitationResent { invitation_id, expires_at } => {
                self.update_invitation(*invitation_id, |found| {
                    if let Some(invitation) = found {
                        invitation.expires_at = *expires_at;
                    }
                });
            }
            Change::InvitationAccepted { invitation_id, user_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Accepted, Some(*user_id));
            }
            Change::InvitationDeclined { invitation_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Declined, None);
            }
            Change::InvitationRevoked { invitation_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Revoked, None);
            }
            Change::InvitationExpired { invitation_id } => {
                self.close_invitation(*invitation_id, InvitationStatus::Expired, None);
            }
            Change::OwnershipOffered { offer_id, .. } => {
                let offer = OwnershipOffer::offered(event);
                self.update_offer(*offer_id, |found| *found = offer);
            }
            Change::OwnershipOfferAccepted { offer_id } => self.close_offer(*offer_id, OfferStatus::Accepted, None),
            Change::OwnershipOfferDeclined { offer_id } => self.close_offer(*offer_id, OfferStatus::Declined, None),
            Change::OwnershipOfferRevoked { offer_id } => self.close_offer(*offer_id, OfferStatus::Revoked, None),
            Change::OwnershipOfferExpired { offer_id } => self.close_offer(*offer_id, OfferStatus::Expired, None),
            Change::OwnershipOfferVoided { offer_id, reason } => {
                self.close_offer(*offer_id, OfferStatus::Voided, Some(*reason));
            }
        }
    }

    /// `user` now holds `row` (`None`: no longer a member), wherever they were looked up.
    fn seat(&mut self, user: UserId, row: Option<&MemberRow>) {
        for (loaded, member) in &mut self.members {
            if *loaded == user {
                *member = row.cloned().map(Found::Row);
            }
        }
        for (email, member) in &mut self.by_email {
            let was = member.as_ref().and_then(Found::user) == Some(user);
            let is = row.is_some_and(|row| row.membership.email == *email);
            if was || is {
                *member = row.filter(|_| is).cloned().map(Found::Row);
            }
        }
    }

    fn set_role(&mut self, user: UserId, role: Role) {
        let members = self.members.iter_mut().filter(|(loaded, _)| *loaded == user).map(|(_, member)| member);
        let by_email = self.by_email.iter_mut().map(|(_, member)| member);
        for member in members.chain(by_email).filter_map(Option::as_mut) {
            match member {
                Found::Row(row) if row.membership.user_id == user => row.role = role,
                Found::Role(held) => *held = role,
                _ => {}
            }
        }
    }

    /// Runs `change` on every loaded copy of invitation `id`, then drops copies that no
    /// longer answer their lookup (not pending, or no longer expired at the sweep's time).
    fn update_invitation(&mut self, id: crate::InvitationId, change: impl Fn(&mut Option<Invitation>)) {
        for (loaded, found) in &mut self.invitations {
            if *loaded == id {
                change(found);
            }
        }
        for (_, found) in &mut self.pending_by_email {
            if found.as_ref().is_some_and(|invitation| invitation.id == id) {
                change(found);
                *found = found.take().filter(|invitation| invitation.status == InvitationStatus::Pending);
            }
        }
        if let Some((now, expired)) = &mut self.expired {
            let mut kept = Vec::with_capacity(expired.len());
            for invitation in expired.drain(..) {
                let mut found = Some(invitation);
                if found.as_ref().is_some_and(|invitation| invitation.id == id) {
                    change(&mut found);
                }
                kept.extend(found.filter(|invitation| {
                    invitation.status == InvitationStatus::Pending && invitation.is_expired_at(*now)
                }));
            }
            *expired = kept;
        }
    }

    fn close_invitation(&mut self, id: crate::InvitationId, status: InvitationStatus, accepted_by: Option<UserId>) {
        self.update_invitation(id, |found| {
            if let Some(invitation) = found {
                (invitation.status, invitation.accepted_by) = (status, accepted_by);
            }
        });
    }

    fn update_offer(&mut self, id: crate::OfferId, change: impl Fn(&mut Option<OwnershipOffer>)) {
        for (loaded, found) in &mut self.offers {
            if *loaded == id {
                change(found);
            }
        }
        if let Ok(pending) = &mut self.pending_offer {
            let mut found = Some(*pending).flatten().filter(|offer| offer.id == id);
            if found.is_some() || pending.is_none() {
                change(&mut found);
                if found.is_some() {
                    *pending = found.filter(|offer| offer.status == OfferStatus::Pending);
                }
            }
        }
    }

    fn close_offer(&mut self, id: crate::OfferId, status: OfferStatus, reason: Option<super::VoidReason>) {
        self.update_offer(id, |found| {
            if let Some(offer) = found {
                (offer.status, offer.void_reason) = (status, reason);
            }
        });
    }
}
