//! A scratch row-backed service: tables projected from the events alone (SPEC §1.4), and
//! every command decided on a view filled from its read plan, with a version check before
//! the append. It holds no copy of the crate's access logic or rules: if it decides like
//! the in-memory aggregate on random commands, the seam is enough to build a store on.

use std::collections::HashMap;

use membership::customer::{self, CustomerActor, Member, MemberRole, Profile};
use membership::organization::{
    self, Invitation, InvitationStatus, MemberRow, Membership, OfferStatus, OwnershipOffer,
};
use membership::{
    Actor, Aggregate, CustomerId, Email, Error, InvitationId, MemberId, OfferId, OrganizationId, ReplayError, Role,
    StoredEvent, StreamId, Timestamp, UserId,
};

/// The rows of one organization, as a store's tables would hold them.
#[derive(Debug)]
pub struct OrgRows {
    id: OrganizationId,
    version: u64,
    created_at: Option<Timestamp>,
    owner: Option<UserId>,
    members: HashMap<UserId, (Email, Role, Timestamp)>,
    invitations: HashMap<InvitationId, Invitation>,
    offers: HashMap<OfferId, OwnershipOffer>,
}

/// The stale-write check every store makes before appending.
fn append<E: StoredEvent>(version: &mut u64, events: &[E]) -> Result<(), Error> {
    let stream = events.first().map(StoredEvent::stream);
    for (offset, event) in (1..).zip(events) {
        if event.version() != *version + offset {
            return Err(Error::StaleWrite { stream: stream.unwrap(), expected_version: *version });
        }
    }
    *version += events.len() as u64;
    Ok(())
}

impl OrgRows {
    pub fn new(id: OrganizationId) -> Self {
        OrgRows {
            id,
            version: 0,
            created_at: None,
            owner: None,
            members: HashMap::new(),
            invitations: HashMap::new(),
            offers: HashMap::new(),
        }
    }

    /// Projects a stored log, as a store rebuilding its tables from the journal would.
    pub fn project_log(&mut self, events: &[organization::Event]) {
        append(&mut self.version, events).unwrap();
        for event in events {
            self.project(event);
        }
    }

    /// Plan, load exactly the planned rows, decide, append, project.
    pub fn execute(
        &mut self,
        command: organization::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<organization::Event>, Error> {
        let mut view = organization::Prefetched::new(self.id, self.version);
        // Before its creation there are no rows to read: `decide` refuses or creates.
        for read in Organization::plan(&command, actor, now).into_iter().filter(|_| self.version > 0) {
            self.load(&mut view, read);
        }
        let events = <Organization as Aggregate>::decide(&view, command, actor, now)?;
        append(&mut self.version, &events)?;
        for event in &events {
            self.project(event);
        }
        Ok(events)
    }

    fn pending(&self) -> impl Iterator<Item = &Invitation> {
        self.invitations.values().filter(|invitation| invitation.status == InvitationStatus::Pending)
    }

    fn load(&self, view: &mut organization::Prefetched, read: organization::Read) {
        use organization::Read as R;
        match read {
            R::Owner => view.load_owner(self.owner.unwrap()),
            R::MemberCount => view.load_member_count(self.members.len()),
            R::Member(user) => view.load_member(user, self.members.get(&user).map(|(_, role, _)| *role)),
            R::MemberByEmail(email) => {
                let user = self.members.iter().find(|(_, (held, _, _))| *held == email).map(|(user, _)| *user);
                view.load_member_by_email(email, user);
            }
            R::Invitation(id) => view.load_invitation(id, self.invitations.get(&id).cloned()),
            R::PendingInvitation(email) => {
                let pending = self.pending().find(|invitation| invitation.email == email).cloned();
                view.load_pending_invitation(email, pending);
            }
            R::ExpiredPendingInvitations(now) => {
                let expired = self.pending().filter(|invitation| invitation.expires_at <= now).cloned().collect();
                view.load_expired_pending_invitations(now, expired);
            }
            R::Offer(id) => view.load_offer(id, self.offers.get(&id).copied()),
            R::PendingOffer => {
                view.load_pending_offer(
                    self.offers.values().find(|offer| offer.status == OfferStatus::Pending).copied(),
                );
            }
        }
    }

    /// Updates the tables from one event and nothing else.
    fn project(&mut self, event: &organization::Event) {
        use organization::Change as C;
        let at = event.at;
        let mut close = |id: &InvitationId, status, accepted_by| {
            let invitation = self.invitations.get_mut(id).unwrap();
            (invitation.status, invitation.accepted_by) = (status, accepted_by);
        };
        match &event.change {
            C::Created { owner, email } => {
                self.created_at = Some(at);
                self.owner = Some(*owner);
                self.members.insert(*owner, (email.clone(), Role::Owner, at));
            }
            C::InvitationCreated { invitation_id, email, invited_by, expires_at } => {
                let invitation = Invitation {
                    id: *invitation_id,
                    email: email.clone(),
                    invited_by: *invited_by,
                    created_at: at,
                    expires_at: *expires_at,
                    status: InvitationStatus::Pending,
                    accepted_by: None,
                };
                self.invitations.insert(*invitation_id, invitation);
            }
            C::InvitationResent { invitation_id, expires_at } => {
                self.invitations.get_mut(invitation_id).unwrap().expires_at = *expires_at;
            }
            C::InvitationAccepted { invitation_id, user_id } => {
                close(invitation_id, InvitationStatus::Accepted, Some(*user_id));
            }
            C::InvitationDeclined { invitation_id } => close(invitation_id, InvitationStatus::Declined, None),
            C::InvitationRevoked { invitation_id } => close(invitation_id, InvitationStatus::Revoked, None),
            C::InvitationExpired { invitation_id } => close(invitation_id, InvitationStatus::Expired, None),
            C::MemberAdded { user_id, email, role } => {
                self.members.insert(*user_id, (email.clone(), role.role(), at));
            }
            C::MemberRoleChanged { user_id, to, .. } => self.members.get_mut(user_id).unwrap().1 = to.role(),
            C::MemberRemoved { user_id, .. } | C::MemberLeft { user_id, .. } => {
                self.members.remove(user_id);
            }
            C::OwnershipTransferred { from, from_role, to, to_role } => {
                self.members.get_mut(from).unwrap().1 = from_role.role();
                self.members.get_mut(to).unwrap().1 = *to_role;
                self.owner = Some(*to);
            }
            C::OwnershipOffered { offer_id, from, to, expires_at } => {
                let offer = OwnershipOffer {
                    id: *offer_id,
                    from: *from,
                    to: *to,
                    created_at: at,
                    expires_at: *expires_at,
                    status: OfferStatus::Pending,
                    void_reason: None,
                };
                self.offers.insert(*offer_id, offer);
            }
            C::OwnershipOfferAccepted { offer_id } => {
                self.offers.get_mut(offer_id).unwrap().status = OfferStatus::Accepted;
            }
            C::OwnershipOfferDeclined { offer_id } => {
                self.offers.get_mut(offer_id).unwrap().status = OfferStatus::Declined;
            }
            C::OwnershipOfferRevoked { offer_id } => {
                self.offers.get_mut(offer_id).unwrap().status = OfferStatus::Revoked;
            }
            C::OwnershipOfferExpired { offer_id } => {
                self.offers.get_mut(offer_id).unwrap().status = OfferStatus::Expired;
            }
            C::OwnershipOfferVoided { offer_id, reason } => {
                let offer = self.offers.get_mut(offer_id).unwrap();
                (offer.status, offer.void_reason) = (OfferStatus::Voided, Some(*reason));
            }
        }
    }

    /// The organization its tables hold, through the checked constructor (`None` before
    /// its creation), as a store on tables loads it.
    pub fn state(&self) -> Result<Option<Organization>, ReplayError> {
        let Some(created_at) = self.created_at else { return Ok(None) };
        let members = self.members.iter().map(|(user_id, (email, role, created_at))| MemberRow {
            membership: Membership { user_id: *user_id, email: email.clone(), created_at: *created_at },
            role: *role,
        });
        Organization::from_rows(organization::Snapshot {
            schema_version: organization::SNAPSHOT_SCHEMA_VERSION,
            id: self.id,
            version: self.version,
            created_at,
            members: members.collect(),
            invitations: self.invitations.values().cloned().collect(),
            offers: self.offers.values().copied().collect(),
        })
        .map(Some)
    }

    /// The tables hold exactly what the aggregate holds: "replaying the events rebuilds
    /// the tables".
    pub fn assert_same_as(&self, org: &Organization) {
        assert_eq!(self.version, org.version());
        assert_eq!(self.owner, Some(org.owner().user_id));
        let members: HashMap<_, _> =
            org.members().map(|(m, role)| (m.user_id, (m.email.clone(), role, m.created_at))).collect();
        assert_eq!(self.members, members);
        let invitations: HashMap<_, _> = org.invitations().map(|i| (i.id, i.clone())).collect();
        assert_eq!(self.invitations, invitations);
        let offers: HashMap<_, _> = org.offers().map(|o| (o.id, *o)).collect();
        assert_eq!(self.offers, offers);
    }
}

use membership::customer::Customer;
use membership::organization::Organization;

/// The rows of one customer: its row, and every member row ever written (soft-deleted
/// ones kept, as Polar's tables keep them).
#[derive(Debug)]
pub struct CustomerRows {
    id: CustomerId,
    version: u64,
    profile: Option<Profile>,
    /// member id → (record, deleted, creation order)
    members: HashMap<MemberId, (Member, bool, u64)>,
}

impl CustomerRows {
    pub fn new(id: CustomerId) -> Self {
        CustomerRows { id, version: 0, profile: None, members: HashMap::new() }
    }

    /// Projects a stored log, as a store rebuilding its tables from the journal would.
    pub fn project_log(&mut self, events: &[customer::Event]) {
        append(&mut self.version, events).unwrap();
        for event in events {
            self.project(event);
        }
    }

    /// Plan, load exactly the planned rows, decide, append, project.
    pub fn execute(
        &mut self,
        command: customer::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Vec<customer::Event>, Error> {
        let mut view = customer::Prefetched::new(self.id, self.version, self.profile.clone());
        for read in Customer::plan(&command, actor, now) {
            self.load(&mut view, read);
        }
        let events = <Customer as Aggregate>::decide(&view, command, actor, now)?;
        append(&mut self.version, &events)?;
        for event in &events {
            self.project(event);
        }
        Ok(events)
    }

    fn active(&self) -> impl Iterator<Item = &Member> {
        self.members.values().filter(|(_, deleted, _)| !deleted).map(|(member, _, _)| member)
    }

    fn load(&self, view: &mut customer::Prefetched, read: customer::Read) {
        use customer::Read as R;
        match read {
            R::Owner => view.load_owner(self.active().find(|m| m.role == MemberRole::Owner).cloned()),
            R::Member(id) => view.load_member(id, self.active().find(|m| m.id == id).cloned()),
            R::MemberIdUsed(id) => view.load_member_id_used(id, self.members.contains_key(&id)),
            R::MemberByEmail(email) => {
                let found = self.active().find(|m| m.email == email).cloned();
                view.load_member_by_email(email, found);
            }
            R::MemberByExternalId(external_id) => {
                let found = self.active().find(|m| m.external_id.as_ref() == Some(&external_id)).cloned();
                view.load_member_by_external_id(external_id, found);
            }
            R::Members => {
                let mut rows: Vec<_> = self.members.values().filter(|(_, deleted, _)| !deleted).collect();
                rows.sort_by_key(|(_, _, order)| *order);
                view.load_members(rows.into_iter().map(|(member, _, _)| member.clone()).collect());
            }
        }
    }

    /// Updates the tables from one event and nothing else.
    fn project(&mut self, event: &customer::Event) {
        use customer::Change as C;
        let order = event.version;
        let mut put = |member: &Member| {
            let order = self.members.get(&member.id).map_or(order, |(_, _, order)| *order);
            self.members.insert(member.id, (member.clone(), false, order));
        };
        match &event.change {
            C::Created { organization_id, kind, email, name, external_id, owner } => {
                put(owner);
                self.profile = Some(Profile {
                    organization_id: *organization_id,
                    kind: *kind,
                    email: email.clone(),
                    name: name.clone(),
                    external_id: external_id.clone(),
                    deleted: false,
                });
            }
            C::MemberCreated { member } | C::MemberUpdated { member } => put(member),
            C::MemberOwnershipTransferred { from, to } => {
                put(from);
                put(to);
            }
            C::MemberDeleted { member } => self.members.get_mut(&member.id).unwrap().1 = true,
            C::EmailChanged { email } => self.profile.as_mut().unwrap().email = Some(email.clone()),
            C::KindChanged { kind } => self.profile.as_mut().unwrap().kind = *kind,
            C::Deleted => self.profile.as_mut().unwrap().deleted = true,
        }
    }

    /// The customer its tables hold, through the checked constructor (`None` before its
    /// creation), soft-deleted members as retired ids.
    pub fn state(&self) -> Result<Option<Customer>, ReplayError> {
        let Some(profile) = self.profile.clone() else { return Ok(None) };
        let mut rows: Vec<_> = self.members.values().collect();
        rows.sort_by_key(|(_, _, order)| *order);
        let (retired, active): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, deleted, _)| *deleted);
        Customer::from_rows(customer::Snapshot {
            schema_version: customer::SNAPSHOT_SCHEMA_VERSION,
            id: self.id,
            version: self.version,
            profile,
            members: active.into_iter().map(|(member, _, _)| member.clone()).collect(),
            retired: retired.into_iter().map(|(member, _, _)| member.id).collect(),
        })
        .map(Some)
    }

    pub fn assert_same_as(&self, customer: &Customer) {
        assert_eq!(self.version, customer.version());
        assert_eq!(self.profile.as_ref(), Some(customer.profile()));
        let mut active: Vec<_> = self.members.values().filter(|(_, deleted, _)| !deleted).collect();
        active.sort_by_key(|(_, _, order)| *order);
        let active: Vec<Member> = active.into_iter().map(|(member, _, _)| member.clone()).collect();
        assert_eq!(active, customer.members());
    }
}

#[test]
fn seam_stream_ids_name_their_aggregate() {
    assert_eq!(<Organization as Aggregate>::TYPE_NAME, "organization");
    assert_eq!(<Customer as Aggregate>::TYPE_NAME, "customer");
    let id = OrganizationId::new(uuid::Uuid::from_u128(1));
    assert_eq!(StreamId::from(id).type_name(), "organization");
    assert_eq!(StreamId::from(id).to_string(), "organization `00000000-0000-0000-0000-000000000001`");
}
