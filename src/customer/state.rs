//! The customer aggregate: its members, one of them the owner, checked `apply`, and the
//! view `decide` reads.

use hashbrown::HashSet;
use serde::{Deserialize, Serialize};

use super::roster::Roster;
use super::{Change, CustomerKind, Event, Member, MemberRole};
use crate::replay::next_version;
use crate::{
    CustomerId, Email, ExternalId, Lookup, MemberId, Name, OrganizationId, ReplayError, ReplayProblem, StreamId,
};

/// The customer's own row: everything but its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// Individual or team.
    pub kind: CustomerKind,
    /// Its email (an individual customer always has one).
    pub email: Option<Email>,
    /// Its name.
    pub name: Option<Name>,
    /// Its id in the merchant's system.
    pub external_id: Option<ExternalId>,
    /// Whether it was deleted (CUS-6): then it has no members.
    pub deleted: bool,
}

/// What [`decide`](super::decide) needs to know about a customer, and nothing more.
///
/// [`Customer`] answers it from memory; a store answers it with a
/// [`Prefetched`](super::Prefetched) filled from the command's [`plan`](super::plan): the
/// customer's row and a few member rows, whatever the customer's size. Member lookups may
/// answer [`NotLoaded`](crate::NotLoaded); `decide` then refuses with `view_incomplete`.
#[expect(clippy::missing_errors_doc, reason = "every lookup errs only with `NotLoaded`, said once above")]
pub trait CustomerView {
    /// The customer's id.
    fn id(&self) -> CustomerId;
    /// Its version: the `version` of the last event applied (0 before it exists).
    fn version(&self) -> u64;
    /// Its row; `None` before it exists.
    fn profile(&self) -> Option<&Profile>;
    /// The owner member (absent only once the customer is deleted).
    fn owner(&self) -> Lookup<Option<Member>>;
    /// The active member with this id.
    fn member(&self, id: MemberId) -> Lookup<Option<Member>>;
    /// Whether this customer ever had a member with this id, deleted ones included.
    fn member_id_used(&self, id: MemberId) -> Lookup<bool>;
    /// The active member whose folded email equals `email`'s.
    fn active_member_by_email(&self, email: &Email) -> Lookup<Option<Member>>;
    /// The active member with this external id (compared exactly).
    fn member_by_external_id(&self, external_id: &ExternalId) -> Lookup<Option<Member>>;
    /// Every active member, in creation order (what deleting the customer needs).
    fn members(&self) -> Lookup<Vec<Member>>;
}

/// A customer and its members: exactly one owner (held apart, not a role to count) while
/// the customer exists, and the other active members indexed by id, folded email and
/// external id.
///
/// Built only from events ([`Customer::replay`]) or checked rows
/// ([`Customer::from_rows`]), and changed only by the checked [`apply`](Customer::apply);
/// every rule is in [`decide`](super::decide).
#[derive(Clone, Debug)]
pub struct Customer {
    id: CustomerId,
    version: u64,
    profile: Profile,
    /// The active members. No owner only once the customer is deleted (and, within the
    /// decision that deletes it, between the owner's deletion and `customer.deleted`).
    roster: Roster,
    /// Ids of deleted members: never used again (docs/rules.md#values).
    retired: HashSet<MemberId>,
}

impl Customer {
    /// Rebuilds a customer from its events, oldest first, checking each (docs/rules.md#replay).
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] naming the first event at fault: an empty log, a first event that
    /// is not `customer.created`, another customer's event, a version that does not follow
    /// on, an event whose precondition fails (a member added twice, a second owner, a
    /// deleted member updated, …), or a log that leaves the customer without its owner.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Self, ReplayError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ReplayError {
            stream: StreamId::Customer(CustomerId::new(uuid::Uuid::nil())),
            version: 1,
            problem: ReplayProblem::Empty,
        })?;
        let fail = |problem| ReplayError { stream: first.stream(), version: first.version, problem };
        let Change::Created { organization_id, kind, email, name, external_id, owner } = &first.change else {
            return Err(fail(ReplayProblem::FirstEventNotCreation));
        };
        if first.version != 1 {
            return Err(fail(ReplayProblem::VersionOutOfOrder { expected: 1 }));
        }
        if owner.customer_id != first.customer_id {
            return Err(fail(ReplayProblem::OtherCustomer));
        }
        if owner.role != MemberRole::Owner {
            return Err(fail(ReplayProblem::RoleNotAllowed));
        }
        let profile = Profile {
            organization_id: *organization_id,
            kind: *kind,
            email: email.clone(),
            name: name.clone(),
            external_id: external_id.clone(),
            deleted: false,
        };
        let mut customer = Customer {
            id: first.customer_id,
            version: 1,
            profile,
            roster: Roster::new(first.customer_id),
            retired: HashSet::new(),
        };
        customer.roster.insert(owner, 1);
        for event in events {
            customer.apply(event)?;
        }
        if !customer.roster.has_owner() && !customer.profile.deleted {
            let version = customer.version;
            return Err(ReplayError { stream: customer.stream(), version, problem: ReplayProblem::OwnerMissing });
        }
        Ok(customer)
    }

    /// Builds a customer from its rows (a [`Snapshot`](super::Snapshot), or a store's
    /// tables), checking every invariant: exactly one owner while it exists and no members
    /// once deleted, members of this customer only, unique ids (retired ones included),
    /// unique folded emails and external ids, and one member for an individual customer.
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] at the snapshot's version naming the first broken invariant.
    pub fn from_rows(rows: super::Snapshot) -> Result<Self, ReplayError> {
        use ReplayProblem as P;
        let super::Snapshot { schema_version, id, version, profile, members, retired } = rows;
        let fail = |problem| ReplayError { stream: StreamId::Customer(id), version, problem };
        if schema_version != super::SNAPSHOT_SCHEMA_VERSION {
            return Err(fail(P::UnknownSchema));
        }
        if version == 0 {
            return Err(fail(P::VersionOutOfOrder { expected: 1 }));
        }
        let owners = members.iter().filter(|member| member.role == MemberRole::Owner).count();
        match (profile.deleted, owners) {
            (true, _) if !members.is_empty() => return Err(fail(P::MembersRemain)),
            (false, 0) => return Err(fail(P::OwnerMissing)),
            (false, 2..) => return Err(fail(P::TwoOwners)),
            _ => {}
        }
        if profile.kind == CustomerKind::Individual && members.len() > 1 {
            return Err(fail(P::IndividualCustomerSingleMember));
        }
        let mut customer =
            Customer { id, version, profile, roster: Roster::new(id), retired: retired.into_iter().collect() };
        for (order, member) in (1..).zip(members) {
            customer.ours(&member).map_err(fail)?;
            if customer.used(member.id) {
                return Err(fail(P::IdReused));
            }
            customer.free_for(&member, None).map_err(fail)?;
            customer.roster.insert(&member, order);
        }
        Ok(customer)
    }

    /// The ids of deleted members, in no particular order.
    pub fn retired_ids(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.retired.iter().copied()
    }

    /// Applies one event, after checking that it can follow this state: its customer, the
    /// next version, and its precondition (docs/rules.md#replay). Holds no rules; events `decide` made
    /// always pass. A refused event changes nothing.
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] naming the event's version and what is wrong with it.
    pub fn apply(&mut self, event: &Event) -> Result<(), ReplayError> {
        let expected = next_version(self.stream(), self.version, (event.stream(), event.version))?;
        let fail = |problem| ReplayError { stream: self.stream(), version: event.version, problem };
        self.precondition(&event.change).map_err(fail)?;
        self.version = expected;
        self.evolve(&event.change, expected);
        Ok(())
    }

    /// What must be true of this state for `change` to follow it: what keeps INV-CUS-A..C.
    fn precondition(&self, change: &Change) -> Result<(), ReplayProblem> {
        use ReplayProblem as P;
        if self.profile.deleted {
            return Err(P::AfterDeletion);
        }
        // Only `customer.deleted` may follow the owner's deletion (CUS-6).
        if !self.roster.has_owner() && !matches!(change, Change::Deleted) {
            return Err(P::OwnerMissing);
        }
        match change {
            Change::Created { .. } => Err(P::CreatedAgain),
            Change::MemberCreated { member } => {
                self.ours(member)?;
                if self.used(member.id) {
                    Err(P::IdReused)
                } else if member.role == MemberRole::Owner {
                    Err(P::RoleNotAllowed)
                } else if self.profile.kind == CustomerKind::Individual {
                    Err(P::IndividualCustomerSingleMember)
                } else {
                    self.free_for(member, None)
                }
            }
            Change::MemberUpdated { member } => {
                let held = self.same_member(member)?;
                match (held.role, member.role) {
                    (MemberRole::Owner, MemberRole::Owner) => {}
                    (MemberRole::Owner, _) | (_, MemberRole::Owner) => return Err(P::RoleNotAllowed),
                    _ => {}
                }
                if held.external_id != member.external_id {
                    return Err(P::RecordMismatch);
                }
                self.free_for(member, Some(member.id))
            }
            Change::MemberOwnershipTransferred { from, to } => {
                let (previous, heir) = (self.same_member(from)?, self.same_member(to)?);
                if previous.role != MemberRole::Owner || heir.role == MemberRole::Owner {
                    Err(P::NotTheOwner)
                } else if from.role != MemberRole::BillingManager || to.role != MemberRole::Owner {
                    Err(P::RoleNotAllowed)
                } else if [(&previous, from), (&heir, to)].iter().any(|(held, new)| !unchanged_but_role(held, new)) {
                    Err(P::RecordMismatch)
                } else {
                    Ok(())
                }
            }
            Change::MemberDeleted { member } => {
                let held = self.same_member(member)?;
                if held.role == MemberRole::Owner && self.member_count() > 1 { Err(P::OwnerMissing) } else { Ok(()) }
            }
            Change::KindChanged { kind } => match (self.profile.kind, kind) {
                (CustomerKind::Team, CustomerKind::Individual) => Err(P::KindDowngrade),
                _ => Ok(()),
            },
            Change::Deleted if self.member_count() > 0 => Err(P::MembersRemain),
            Change::EmailChanged { .. } | Change::Deleted => Ok(()),
        }
    }

    /// The event's member must belong to this customer.
    fn ours(&self, member: &Member) -> Result<(), ReplayProblem> {
        if member.customer_id == self.id { Ok(()) } else { Err(ReplayProblem::OtherCustomer) }
    }

    /// The active member the event's record is of, with the same id and creation.
    fn same_member(&self, member: &Member) -> Result<Member, ReplayProblem> {
        self.ours(member)?;
        let held = self.member(member.id).ok_or(ReplayProblem::NotAMember)?;
        if held.created_at == member.created_at { Ok(held) } else { Err(ReplayProblem::RecordMismatch) }
    }

    /// The member's email and external id are not another active member's.
    fn free_for(&self, member: &Member, itself: Option<MemberId>) -> Result<(), ReplayProblem> {
        let taken = |holder: Option<MemberId>| holder.is_some_and(|holder| Some(holder) != itself);
        if taken(self.roster.email_holder(&member.email)) {
            return Err(ReplayProblem::EmailTaken);
        }
        if member.external_id.as_ref().is_some_and(|id| taken(self.roster.external_id_holder(id))) {
            return Err(ReplayProblem::ExternalIdTaken);
        }
        Ok(())
    }

    fn used(&self, id: MemberId) -> bool {
        self.roster.role_of(id).is_some() || self.retired.contains(&id)
    }

    /// Moves the state on by a change whose precondition holds.
    fn evolve(&mut self, change: &Change, version: u64) {
        match change {
            Change::Created { .. } => {}
            Change::MemberCreated { member } => self.roster.insert(member, version),
            Change::MemberUpdated { member } => self.roster.replace(member),
            Change::MemberOwnershipTransferred { from, to } => {
                let (Some((_, from_order)), Some((_, to_order))) =
                    (self.roster.remove(from.id), self.roster.remove(to.id))
                else {
                    return;
                };
                self.roster.insert(from, from_order);
                self.roster.insert(to, to_order);
            }
            Change::MemberDeleted { member } => {
                self.roster.remove(member.id);
                self.retired.insert(member.id);
            }
            Change::EmailChanged { email } => self.profile.email = Some(email.clone()),
            Change::KindChanged { kind } => self.profile.kind = *kind,
            Change::Deleted => self.profile.deleted = true,
        }
    }

    fn stream(&self) -> StreamId {
        StreamId::Customer(self.id)
    }

    /// The customer's id.
    #[must_use]
    pub fn id(&self) -> CustomerId {
        self.id
    }

    /// The `version` of the last event applied.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The customer's own row.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The organization it belongs to.
    #[must_use]
    pub fn organization_id(&self) -> OrganizationId {
        self.profile.organization_id
    }

    /// Individual or team.
    #[must_use]
    pub fn kind(&self) -> CustomerKind {
        self.profile.kind
    }

    /// The customer's email.
    #[must_use]
    pub fn email(&self) -> Option<&Email> {
        self.profile.email.as_ref()
    }

    /// The customer's name.
    #[must_use]
    pub fn name(&self) -> Option<&Name> {
        self.profile.name.as_ref()
    }

    /// The customer's id in the merchant's system.
    #[must_use]
    pub fn external_id(&self) -> Option<&ExternalId> {
        self.profile.external_id.as_ref()
    }

    /// Whether the customer was deleted (CUS-6): then it has no members.
    #[must_use]
    pub fn is_deleted(&self) -> bool {
        self.profile.deleted
    }

    /// The owner member: exactly one while the customer exists.
    #[must_use]
    pub fn owner(&self) -> Option<Member> {
        self.roster.owner()
    }

    /// The active member with this id.
    #[must_use]
    pub fn member(&self, id: MemberId) -> Option<Member> {
        self.roster.get(id)
    }

    /// The role of the active member with this id, from the structure (the owner is held
    /// apart).
    #[must_use]
    pub fn role_of(&self, id: MemberId) -> Option<MemberRole> {
        self.roster.role_of(id)
    }

    /// The active member whose folded email equals `email`'s: what a service shows when an
    /// add finds the member already there (CUS-3).
    #[must_use]
    pub fn active_member_by_email(&self, email: &Email) -> Option<Member> {
        self.roster.email_holder(email).and_then(|id| self.roster.get(id))
    }

    /// The active member with this external id (compared exactly).
    #[must_use]
    pub fn member_by_external_id(&self, external_id: &ExternalId) -> Option<Member> {
        self.roster.external_id_holder(external_id).and_then(|id| self.roster.get(id))
    }

    /// How many active members.
    #[must_use]
    pub fn member_count(&self) -> usize {
        self.roster.len()
    }

    /// The active members in creation order, the owner among them.
    #[must_use]
    pub fn members(&self) -> Vec<Member> {
        self.roster.members()
    }
}

/// Equal when they hold the same row, members in the same creation order, and retired ids:
/// how that order is numbered (event versions, or row positions) does not matter.
impl PartialEq for Customer {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.version == other.version
            && self.profile == other.profile
            && self.members() == other.members()
            && self.retired == other.retired
    }
}

impl Eq for Customer {}

/// The same member, changed in nothing but its role and `modified_at`.
fn unchanged_but_role(held: &Member, new: &Member) -> bool {
    held.email.same_text(&new.email) && held.name == new.name && held.external_id == new.external_id
}

impl CustomerView for Customer {
    fn id(&self) -> CustomerId {
        self.id
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn profile(&self) -> Option<&Profile> {
        Some(&self.profile)
    }

    fn owner(&self) -> Lookup<Option<Member>> {
        Ok(Customer::owner(self))
    }

    fn member(&self, id: MemberId) -> Lookup<Option<Member>> {
        Ok(Customer::member(self, id))
    }

    fn member_id_used(&self, id: MemberId) -> Lookup<bool> {
        Ok(self.used(id))
    }

    fn active_member_by_email(&self, email: &Email) -> Lookup<Option<Member>> {
        Ok(Customer::active_member_by_email(self, email))
    }

    fn member_by_external_id(&self, external_id: &ExternalId) -> Lookup<Option<Member>> {
        Ok(Customer::member_by_external_id(self, external_id))
    }

    fn members(&self) -> Lookup<Vec<Member>> {
        Ok(Customer::members(self))
    }
}
