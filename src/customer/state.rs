//! The customer aggregate: its members, one of them the owner, and `apply`.

use hashbrown::HashMap;

use super::{Change, CustomerKind, Event, Member, MemberRole, SeatRole};
use crate::{CustomerId, Email, ExternalId, MemberId, Name, OrganizationId};

/// An active member and when, in event order, it was created (CUS-6: timestamps can tie).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    member: Member,
    order: u64,
}

/// A customer and its members: exactly one owner (a field, not a role to count) while the
/// customer exists, and the other active members indexed by id, folded email and external
/// id.
///
/// Built only from events ([`Customer::replay`]), changed only by
/// [`apply`](Customer::apply); every rule is in [`decide`](super::decide).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    id: CustomerId,
    organization_id: OrganizationId,
    version: u64,
    kind: CustomerKind,
    email: Option<Email>,
    name: Option<Name>,
    external_id: Option<ExternalId>,
    deleted: bool,
    /// `None` only between `customer.created` and its owner's `member_created`, and after
    /// the customer is deleted.
    owner: Option<Record>,
    /// Everyone else, with a role that cannot be owner, by type. The owner is who the field
    /// above says; each record's `role` is a copy kept in step for readers.
    others: HashMap<MemberId, (Record, SeatRole)>,
    by_email: HashMap<Email, MemberId>,
    by_external_id: HashMap<ExternalId, MemberId>,
}

impl Customer {
    /// Rebuilds a customer from its events, oldest first. `None` unless the first event is
    /// `customer.created`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Self> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let Change::Created { organization_id, kind, email, name, external_id } = &first.change else {
            return None;
        };
        let mut customer = Customer {
            id: first.customer_id,
            organization_id: *organization_id,
            version: first.version,
            kind: *kind,
            email: email.clone(),
            name: name.clone(),
            external_id: external_id.clone(),
            deleted: false,
            owner: None,
            others: HashMap::new(),
            by_email: HashMap::new(),
            by_external_id: HashMap::new(),
        };
        for event in events {
            customer.apply(event);
        }
        Some(customer)
    }

    /// Applies one event. Holds no rules and never fails: events are facts `decide` checked.
    pub fn apply(&mut self, event: &Event) {
        self.version = event.version;
        match &event.change {
            Change::Created { .. } => {}
            Change::MemberCreated { member } => {
                self.index(member);
                let record = Record { member: member.clone(), order: event.version };
                match SeatRole::of(member.role) {
                    None => self.owner = Some(record),
                    Some(role) => {
                        self.others.insert(member.id, (record, role));
                    }
                }
            }
            Change::MemberUpdated { member } => {
                let Some(record) = self.record_mut(member.id) else { return };
                let old = std::mem::replace(&mut record.member, member.clone());
                let role = old.role;
                self.unindex(&old);
                self.index(member);
                if let Some((record, seat_role)) = self.others.get_mut(&member.id) {
                    *seat_role = SeatRole::of(member.role).unwrap_or(*seat_role);
                    record.member.role = seat_role.role();
                } else if let Some(owner) = &mut self.owner {
                    owner.member.role = role;
                }
            }
            Change::MemberOwnershipTransferred { from, to } => {
                let (Some((mut heir, _)), Some(mut previous)) = (self.others.remove(to), self.owner.take()) else {
                    return;
                };
                debug_assert_eq!(previous.member.id, *from, "ownership moves from the owner");
                heir.member.role = MemberRole::Owner;
                heir.member.modified_at = Some(event.at);
                previous.member.role = MemberRole::BillingManager;
                previous.member.modified_at = Some(event.at);
                self.others.insert(previous.member.id, (previous, SeatRole::BillingManager));
                self.owner = Some(heir);
            }
            Change::MemberDeleted { member } => {
                if let Some((record, _)) = self.others.remove(&member.id) {
                    self.unindex(&record.member);
                } else if let Some(owner) = self.owner.take_if(|owner| owner.member.id == member.id) {
                    self.unindex(&owner.member);
                }
            }
            Change::EmailChanged { email } => self.email = Some(email.clone()),
            Change::KindChanged { kind } => self.kind = *kind,
            Change::Deleted => self.deleted = true,
        }
    }

    fn index(&mut self, member: &Member) {
        self.by_email.insert(member.email.clone(), member.id);
        if let Some(external_id) = &member.external_id {
            self.by_external_id.insert(external_id.clone(), member.id);
        }
    }

    /// Active members' emails and external ids are unique (INV-CUS-B), so the entries are
    /// this member's. (Lookups also check that the member is active, so a stale entry would
    /// only cost memory.)
    fn unindex(&mut self, member: &Member) {
        self.by_email.remove(&member.email);
        if let Some(external_id) = &member.external_id {
            self.by_external_id.remove(external_id);
        }
    }

    fn record_mut(&mut self, id: MemberId) -> Option<&mut Record> {
        match &mut self.owner {
            Some(owner) if owner.member.id == id => Some(owner),
            _ => self.others.get_mut(&id).map(|(record, _)| record),
        }
    }

    /// The customer's id.
    #[must_use]
    pub fn id(&self) -> CustomerId {
        self.id
    }

    /// The organization it belongs to.
    #[must_use]
    pub fn organization_id(&self) -> OrganizationId {
        self.organization_id
    }

    /// The `version` of the last event applied.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Individual or team.
    #[must_use]
    pub fn kind(&self) -> CustomerKind {
        self.kind
    }

    /// The customer's email.
    #[must_use]
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// The customer's name.
    #[must_use]
    pub fn name(&self) -> Option<&Name> {
        self.name.as_ref()
    }

    /// The customer's id in the merchant's system.
    #[must_use]
    pub fn external_id(&self) -> Option<&ExternalId> {
        self.external_id.as_ref()
    }

    /// Whether the customer was deleted (CUS-6): then it has no members.
    #[must_use]
    pub fn is_deleted(&self) -> bool {
        self.deleted
    }

    /// The owner member: exactly one while the customer exists.
    #[must_use]
    pub fn owner(&self) -> Option<&Member> {
        self.owner.as_ref().map(|owner| &owner.member)
    }

    /// The active member with this id.
    #[must_use]
    pub fn member(&self, id: MemberId) -> Option<&Member> {
        match &self.owner {
            Some(owner) if owner.member.id == id => Some(&owner.member),
            _ => self.others.get(&id).map(|(record, _)| &record.member),
        }
    }

    /// The role of the active member with this id, from the structure (the owner field).
    #[must_use]
    pub fn role_of(&self, id: MemberId) -> Option<MemberRole> {
        match &self.owner {
            Some(owner) if owner.member.id == id => Some(MemberRole::Owner),
            _ => self.others.get(&id).map(|(_, role)| role.role()),
        }
    }

    /// The active member whose folded email equals `email`'s: what a service shows when an
    /// add finds the member already there (CUS-3).
    #[must_use]
    pub fn active_member_by_email(&self, email: &Email) -> Option<&Member> {
        self.by_email.get(email).and_then(|id| self.member(*id))
    }

    /// The active member with this external id (compared exactly).
    #[must_use]
    pub fn member_by_external_id(&self, external_id: &ExternalId) -> Option<&Member> {
        self.by_external_id.get(external_id).and_then(|id| self.member(*id))
    }

    /// How many active members.
    #[must_use]
    pub fn member_count(&self) -> usize {
        self.others.len() + usize::from(self.owner.is_some())
    }

    /// The active members in creation order, the owner among them.
    #[must_use]
    pub fn members(&self) -> Vec<&Member> {
        let mut records: Vec<&Record> = self.others.values().map(|(record, _)| record).chain(&self.owner).collect();
        records.sort_by_key(|record| record.order);
        records.into_iter().map(|record| &record.member).collect()
    }
}
