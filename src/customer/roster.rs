//! The customer's members, held lean: one dense row per member (no copy of the customer id,
//! name and external id boxed together and absent when both are), and indexes that hold
//! only a row's slot, so a member costs well under 150 bytes at 100,000 members.

use std::hash::{BuildHasher, Hash};

use hashbrown::{DefaultHashBuilder, HashTable};

use super::{Member, MemberRole, SeatRole};
use crate::{CustomerId, Email, ExternalId, MemberId, Name, Timestamp};

/// The slot the indexes use for the owner, who is held apart.
const OWNER: u32 = u32::MAX;

/// A member's row, without its customer id (the roster's) or its role (the roster's
/// structure).
#[derive(Clone, Debug)]
struct Row {
    id: MemberId,
    created_at: Timestamp,
    modified_at: Option<Timestamp>,
    email: Email,
    /// Name and external id, boxed together: most members have neither.
    extra: Option<Box<(Option<Name>, Option<ExternalId>)>>,
    /// Creation order (CUS-6: timestamps can tie).
    order: u64,
}

impl Row {
    fn new(member: &Member, order: u64) -> Self {
        let extra = (member.name.is_some() || member.external_id.is_some())
            .then(|| Box::new((member.name.clone(), member.external_id.clone())));
        Row {
            id: member.id,
            created_at: member.created_at,
            modified_at: member.modified_at,
            email: member.email.clone(),
            extra,
            order,
        }
    }

    fn external_id(&self) -> Option<&ExternalId> {
        self.extra.as_ref().and_then(|extra| extra.1.as_ref())
    }

    fn member(&self, customer_id: CustomerId, role: MemberRole) -> Member {
        let (name, external_id) = self.extra.as_deref().cloned().unwrap_or_default();
        Member {
            id: self.id,
            created_at: self.created_at,
            modified_at: self.modified_at,
            customer_id,
            email: self.email.clone(),
            name,
            external_id,
            role,
        }
    }
}

/// The active members of one customer: the owner apart (so two owners cannot be
/// represented), the others in a dense vector with a role that cannot be owner.
#[derive(Clone, Debug)]
pub(super) struct Roster {
    customer_id: CustomerId,
    owner: Option<Row>,
    others: Vec<(Row, SeatRole)>,
    by_id: HashTable<u32>,
    by_email: HashTable<u32>,
    by_external_id: HashTable<u32>,
    /// Seeded per roster: emails and external ids are chosen by outsiders.
    hasher: DefaultHashBuilder,
}

/// The row in `slot`.
fn row_at<'a>(owner: Option<&'a Row>, others: &'a [(Row, SeatRole)], slot: u32) -> Option<&'a Row> {
    if slot == OWNER { owner } else { others.get(usize::try_from(slot).ok()?).map(|(row, _)| row) }
}

impl Roster {
    pub(super) fn new(customer_id: CustomerId) -> Self {
        Roster {
            customer_id,
            owner: None,
            others: Vec::new(),
            by_id: HashTable::new(),
            by_email: HashTable::new(),
            by_external_id: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.others.len() + usize::from(self.owner.is_some())
    }

    pub(super) fn has_owner(&self) -> bool {
        self.owner.is_some()
    }

    fn hash(&self, key: impl Hash) -> u64 {
        self.hasher.hash_one(key)
    }

    fn row(&self, slot: u32) -> Option<&Row> {
        row_at(self.owner.as_ref(), &self.others, slot)
    }

    /// The role of the row in `slot`: the owner's slot is past every seat, so it finds none.
    fn role(&self, slot: u32) -> MemberRole {
        match self.others.get(usize::try_from(slot).unwrap_or(usize::MAX)) {
            Some((_, role)) => role.role(),
            None => MemberRole::Owner,
        }
    }

    fn slot_of(&self, id: MemberId) -> Option<u32> {
        let found = self.by_id.find(self.hash(id), |slot| self.row(*slot).is_some_and(|row| row.id == id));
        found.copied()
    }

    fn member_at(&self, slot: u32) -> Option<Member> {
        Some(self.row(slot)?.member(self.customer_id, self.role(slot)))
    }

    /// The active member with this id.
    pub(super) fn get(&self, id: MemberId) -> Option<Member> {
        self.member_at(self.slot_of(id)?)
    }

    /// The active member's role.
    pub(super) fn role_of(&self, id: MemberId) -> Option<MemberRole> {
        self.slot_of(id).map(|slot| self.role(slot))
    }

    /// The owner.
    pub(super) fn owner(&self) -> Option<Member> {
        self.member_at(OWNER)
    }

    /// The id of the active member with this folded email.
    pub(super) fn email_holder(&self, email: &Email) -> Option<MemberId> {
        let slot = self.by_email.find(self.hash(email), |slot| self.row(*slot).is_some_and(|row| row.email == *email));
        slot.and_then(|slot| self.row(*slot)).map(|row| row.id)
    }

    /// The id of the active member with this external id.
    pub(super) fn external_id_holder(&self, external_id: &ExternalId) -> Option<MemberId> {
        let hash = self.hash(external_id);
        let slot = self
            .by_external_id
            .find(hash, |slot| self.row(*slot).is_some_and(|row| row.external_id() == Some(external_id)));
        slot.and_then(|slot| self.row(*slot)).map(|row| row.id)
    }

    /// Every active member, in creation order.
    pub(super) fn members(&self) -> Vec<Member> {
        let mut slots: Vec<(u64, u32)> = self.owner.iter().map(|row| (row.order, OWNER)).collect();
        slots.extend((0..).zip(&self.others).map(|(slot, (row, _))| (row.order, slot)));
        slots.sort_unstable();
        slots.into_iter().filter_map(|(_, slot)| self.member_at(slot)).collect()
    }

    /// Adds a member whose id, email and external id are free (the caller checked).
    pub(super) fn insert(&mut self, member: &Member, order: u64) {
        let row = Row::new(member, order);
        let slot = match SeatRole::of(member.role) {
            None => {
                self.owner = Some(row);
                OWNER
            }
            Some(role) => {
                self.others.push((row, role));
                u32::try_from(self.others.len() - 1).unwrap_or(OWNER - 1)
            }
        };
        self.index(slot);
    }

    /// Puts `slot`'s row in the three indexes.
    fn index(&mut self, slot: u32) {
        let Some(row) = self.row(slot) else { return };
        let (id_hash, email_hash) = (self.hash(row.id), self.hash(&row.email));
        let external_hash = row.external_id().map(|external_id| self.hash(external_id));
        let Roster { owner, others, by_id, by_email, by_external_id, hasher, .. } = self;
        by_id.insert_unique(id_hash, slot, |slot| {
            row_at(owner.as_ref(), others, *slot).map_or(0, |row| hasher.hash_one(row.id))
        });
        by_email.insert_unique(email_hash, slot, |slot| {
            row_at(owner.as_ref(), others, *slot).map_or(0, |row| hasher.hash_one(&row.email))
        });
        if let Some(external_hash) = external_hash {
            by_external_id.insert_unique(external_hash, slot, |slot| {
                row_at(owner.as_ref(), others, *slot).and_then(Row::external_id).map_or(0, |id| hasher.hash_one(id))
            });
        }
    }

    /// Each index beside the hash of the key the row in `slot` has in it (`None` for an
    /// absent external id, or an empty slot).
    fn keyed(&mut self, slot: u32) -> [(&mut HashTable<u32>, Option<u64>); 3] {
        let hashes = self.row(slot).map(|row| {
            let external_id = row.external_id().map(|external_id| self.hash(external_id));
            (self.hash(row.id), self.hash(&row.email), external_id)
        });
        let (id, email, external_id) = match hashes {
            Some((id, email, external_id)) => (Some(id), Some(email), external_id),
            None => (None, None, None),
        };
        [(&mut self.by_id, id), (&mut self.by_email, email), (&mut self.by_external_id, external_id)]
    }

    /// Takes `slot`'s row out of the three indexes.
    fn unindex(&mut self, slot: u32) {
        for (table, hash) in self.keyed(slot) {
            if let Some(entry) = hash.and_then(|hash| table.find_entry(hash, |held| *held == slot).ok()) {
                entry.remove();
            }
        }
    }

    /// Points the three indexes' entries for `from` at `to`, where its row now is.
    fn reslot(&mut self, from: u32, to: u32) {
        for (table, hash) in self.keyed(to) {
            if let Some(held) = hash.and_then(|hash| table.find_mut(hash, |held| *held == from)) {
                *held = to;
            }
        }
    }

    /// Removes an active member, returning their record as it was.
    pub(super) fn remove(&mut self, id: MemberId) -> Option<(Member, u64)> {
        let slot = self.slot_of(id)?;
        let member = self.member_at(slot)?;
        self.unindex(slot);
        let row = if slot == OWNER {
            self.owner.take()?
        } else {
            let index = usize::try_from(slot).ok()?;
            let last = u32::try_from(self.others.len() - 1).ok()?;
            let (row, _) = self.others.swap_remove(index);
            if last != slot {
                self.reslot(last, slot);
            }
            row
        };
        Some((member, row.order))
    }

    /// Replaces an active member's record (its role included), keeping its place in the
    /// creation order.
    pub(super) fn replace(&mut self, member: &Member) {
        if let Some((_, order)) = self.remove(member.id) {
            self.insert(member, order);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(n: u128, role: MemberRole, external_id: Option<&str>) -> Member {
        Member {
            id: MemberId::new(uuid::Uuid::from_u128(n)),
            created_at: Timestamp::MIN,
            modified_at: None,
            customer_id: CustomerId::new(uuid::Uuid::from_u128(0xC)),
            email: Email::from_stored(format!("m{n}@example.com")),
            name: None,
            external_id: external_id.map(ExternalId::from_stored),
            role,
        }
    }

    /// Every index holds exactly one entry per member that has the key, pointing at it.
    fn assert_indexed(roster: &Roster) {
        let members = roster.members();
        let with_external_id = members.iter().filter(|m| m.external_id.is_some()).count();
        assert_eq!(
            (roster.by_id.len(), roster.by_email.len(), roster.by_external_id.len()),
            (members.len(), members.len(), with_external_id)
        );
        for member in &members {
            assert_eq!(roster.get(member.id).as_ref(), Some(member));
            assert_eq!(roster.email_holder(&member.email), Some(member.id));
            if let Some(external_id) = &member.external_id {
                assert_eq!(roster.external_id_holder(external_id), Some(member.id));
            }
        }
    }

    #[test]
    fn removing_and_moving_rows_keeps_every_index_exact() {
        let mut roster = Roster::new(CustomerId::new(uuid::Uuid::from_u128(0xC)));
        roster.insert(&member(1, MemberRole::Owner, Some("owner")), 1);
        for n in 2..=9 {
            let external_id = (n % 2 == 0).then(|| format!("ext{n}"));
            roster.insert(&member(n, MemberRole::Member, external_id.as_deref()), u64::try_from(n).unwrap());
        }
        assert_indexed(&roster);
        // Removing from the middle moves the last row into the hole.
        for n in [3, 2, 9, 5] {
            assert!(roster.remove(MemberId::new(uuid::Uuid::from_u128(n))).is_some());
            assert_indexed(&roster);
        }
        // A replaced record keeps its place and its indexes follow its new email.
        let mut renamed = member(4, MemberRole::BillingManager, Some("ext4"));
        renamed.email = Email::from_stored("new4@example.com".to_owned());
        roster.replace(&renamed);
        assert_indexed(&roster);
        assert_eq!(roster.email_holder(&Email::from_stored("m4@example.com".to_owned())), None);
        assert_eq!(roster.members().iter().map(|m| m.id.as_uuid().as_u128()).collect::<Vec<_>>(), [1, 4, 6, 7, 8]);
        assert!(roster.remove(MemberId::new(uuid::Uuid::from_u128(1))).is_some());
        assert!(!roster.has_owner());
        assert_indexed(&roster);
    }
}
