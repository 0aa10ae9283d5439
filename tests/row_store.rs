//! A scratch row-backed service: tables changed only by the crate's own row effects
//! (`membership::rows`, docs/rules.md#events), and every command decided on a view filled from its read plan,
//! with a version check before the append. It holds no copy of the crate's access logic,
//! its rules or what an event means: if it decides like the in-memory aggregate on random
//! commands, the seam is enough to build a store on.

use std::collections::BTreeMap;

use membership::customer::{self, CustomerActor, CustomerKind, Member, MemberRole, Profile};
use membership::organization::{
    self, Invitation, InvitationStatus, MemberRow, Membership, OfferStatus, OwnershipOffer, VoidReason,
};
use membership::rows::{Field, RowEffect, Table, Value};
use membership::{
    Actor, Aggregate, CustomerId, Email, Error, ExternalId, InvitationId, MemberId, Name, OfferId, OrganizationId,
    ReplayError, Role, StoredEvent, StreamId, Timestamp, UserId,
};

type Row = BTreeMap<&'static str, Value>;

/// Tables of rows, changed only by interpreting row effects, as a SQL store's are.
#[derive(Debug, Default)]
struct Tables(BTreeMap<Table, Vec<Row>>);

/// The columns that identify a row: what a primary key would hold.
fn key_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Organizations => &["id"],
        Table::Customers | Table::Invitations | Table::Offers => &["organization_id", "id"],
        Table::Memberships => &["organization_id", "user_id"],
        Table::Members => &["organization_id", "customer_id", "id"],
    }
}

fn matches(row: &Row, key: &[Field]) -> bool {
    key.iter().all(|(column, value)| row.get(column) == Some(value))
}

impl Tables {
    /// Applies one effect; every effect but an insert names exactly one existing row.
    fn apply(&mut self, effect: &RowEffect) {
        let rows = self.0.entry(effect.table()).or_default();
        let one = |rows: &mut Vec<Row>, key: &[Field]| {
            let found: Vec<usize> = (0..rows.len()).filter(|&i| matches(&rows[i], key)).collect();
            assert_eq!(found.len(), 1, "{effect:?} must name exactly one row");
            found[0]
        };
        match effect {
            RowEffect::Insert { table, row } => {
                let row: Row = row.iter().cloned().collect();
                let key: Vec<Field> = key_columns(*table).iter().map(|column| (*column, row[column].clone())).collect();
                assert!(!rows.iter().any(|held| matches(held, &key)), "{effect:?} inserts a duplicate key");
                rows.push(row);
            }
            RowEffect::Set { key, fields, .. } => {
                let i = one(rows, key);
                for (column, value) in fields {
                    assert!(rows[i].contains_key(column), "{effect:?} sets an unknown column");
                    rows[i].insert(column, value.clone());
                }
            }
            RowEffect::Add { key, column, by, .. } => {
                let i = one(rows, key);
                let Value::Count(count) = rows[i][column] else { panic!("{column} is not a counter") };
                rows[i].insert(column, Value::Count(count.checked_add_signed(*by).unwrap()));
            }
            RowEffect::Delete { key, .. } => {
                let i = one(rows, key);
                rows.remove(i);
            }
        }
    }

    fn rows<'a>(&'a self, table: Table, key: &'a [Field]) -> impl Iterator<Item = &'a Row> + 'a {
        self.0.get(&table).into_iter().flatten().filter(move |row| matches(row, key))
    }
}

fn text(row: &Row, column: &str) -> String {
    match &row[column] {
        Value::Text(text) => text.clone(),
        other => panic!("{column} is {other:?}, not text"),
    }
}

fn text_opt(row: &Row, column: &str) -> Option<String> {
    match &row[column] {
        Value::Null(_) => None,
        _ => Some(text(row, column)),
    }
}

fn parsed<T, E: std::fmt::Debug>(row: &Row, column: &str, parse: impl Fn(&str) -> Result<T, E>) -> T {
    parse(&text(row, column)).unwrap()
}

fn time(row: &Row, column: &str) -> Timestamp {
    match &row[column] {
        Value::Time(at) => *at,
        other => panic!("{column} is {other:?}, not a time"),
    }
}

fn time_opt(row: &Row, column: &str) -> Option<Timestamp> {
    match &row[column] {
        Value::Null(_) => None,
        _ => Some(time(row, column)),
    }
}

fn count(row: &Row, column: &str) -> u64 {
    match &row[column] {
        Value::Count(count) => *count,
        other => panic!("{column} is {other:?}, not a count"),
    }
}

fn flag(row: &Row, column: &str) -> bool {
    match &row[column] {
        Value::Flag(flag) => *flag,
        other => panic!("{column} is {other:?}, not a flag"),
    }
}

/// The stale-write check every store makes before appending.
fn append<E: StoredEvent>(version: u64, events: &[E]) -> Result<(), Error> {
    let stream = events.first().map(StoredEvent::stream);
    for (offset, event) in (1..).zip(events) {
        if event.version() != version + offset {
            return Err(Error::StaleWrite { stream: stream.unwrap(), expected_version: version });
        }
    }
    Ok(())
}

fn member_row((user_id, email, role, created_at): &(UserId, Email, Role, Timestamp)) -> MemberRow {
    MemberRow {
        membership: Membership { user_id: *user_id, email: email.clone(), created_at: *created_at },
        role: *role,
    }
}

/// The rows of one organization, as a store's tables would hold them.
#[derive(Debug)]
pub struct OrgRows {
    id: OrganizationId,
    tables: Tables,
}

impl OrgRows {
    pub fn new(id: OrganizationId) -> Self {
        OrgRows { id, tables: Tables::default() }
    }

    fn tenant(&self) -> Vec<Field> {
        vec![("organization_id", Value::text(self.id))]
    }

    fn version(&self) -> u64 {
        self.tables
            .rows(Table::Organizations, &[("id", Value::text(self.id))])
            .next()
            .map_or(0, |row| count(row, "version"))
    }

    /// Projects a stored log, as a store rebuilding its tables from the journal would.
    pub fn project_log(&mut self, events: &[organization::Event]) {
        self.commit(events).unwrap();
    }

    /// The version check, the row effects, then the root's version moved on.
    fn commit(&mut self, events: &[organization::Event]) -> Result<(), Error> {
        append(self.version(), events)?;
        for event in events {
            for effect in Organization::row_effects(event, self.id) {
                self.tables.apply(&effect);
            }
        }
        if let Some(last) = events.last() {
            let root = [("id", Value::text(self.id))];
            let bump = RowEffect::Set {
                table: Table::Organizations,
                key: root.to_vec(),
                fields: vec![("version", Value::Count(last.version))],
            };
            self.tables.apply(&bump);
        }
        Ok(())
    }

    /// Plan, load exactly the planned rows, decide, append, project.
    pub fn execute(
        &mut self,
        command: organization::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<organization::Event>, Error> {
        let mut view = organization::Prefetched::new(self.id, self.version());
        // Before its creation there are no rows to read: `decide` refuses or creates.
        for read in Organization::plan(&command, actor, now).into_iter().filter(|_| self.version() > 0) {
            self.load(&mut view, read);
        }
        let events = <Organization as Aggregate>::decide(&view, command, actor, now)?;
        self.commit(&events)?;
        Ok(events)
    }

    fn members(&self) -> Vec<(UserId, Email, Role, Timestamp)> {
        self.tables
            .rows(Table::Memberships, &self.tenant())
            .map(|row| {
                let user = parsed(row, "user_id", UserId::parse);
                (
                    user,
                    Email::from_stored(text(row, "email")),
                    parsed(row, "role", Role::parse),
                    time(row, "created_at"),
                )
            })
            .collect()
    }

    fn invitations(&self) -> Vec<Invitation> {
        self.tables
            .rows(Table::Invitations, &self.tenant())
            .map(|row| Invitation {
                id: parsed(row, "id", InvitationId::parse),
                email: Email::from_stored(text(row, "email")),
                invited_by: parsed(row, "invited_by", UserId::parse),
                created_at: time(row, "created_at"),
                expires_at: time(row, "expires_at"),
                status: parsed(row, "status", InvitationStatus::parse),
                accepted_by: text_opt(row, "accepted_by").map(|id| UserId::parse(&id).unwrap()),
            })
            .collect()
    }

    fn offers(&self) -> Vec<OwnershipOffer> {
        self.tables
            .rows(Table::Offers, &self.tenant())
            .map(|row| OwnershipOffer {
                id: parsed(row, "id", OfferId::parse),
                from: parsed(row, "from_user", UserId::parse),
                to: parsed(row, "to_user", UserId::parse),
                created_at: time(row, "created_at"),
                expires_at: time(row, "expires_at"),
                status: parsed(row, "status", OfferStatus::parse),
                void_reason: text_opt(row, "void_reason").map(|reason| VoidReason::parse(&reason).unwrap()),
            })
            .collect()
    }

    fn pending(&self) -> impl Iterator<Item = Invitation> {
        self.invitations().into_iter().filter(|invitation| invitation.status == InvitationStatus::Pending)
    }

    fn load(&self, view: &mut organization::Prefetched, read: organization::Read) {
        use organization::Read as R;
        let members = self.members();
        match read {
            R::Owner => view.load_owner(members.iter().find(|m| m.2 == Role::Owner).unwrap().0),
            R::MemberCount => view.load_member_count(members.len()),
            R::Member(user) => view.load_member_row(user, members.iter().find(|m| m.0 == user).map(member_row)),
            R::MemberByEmail(email) => {
                let member = members.iter().find(|m| m.1 == email).map(member_row);
                view.load_member_row_by_email(email, member);
            }
            R::Invitation(id) => view.load_invitation(id, self.invitations().into_iter().find(|i| i.id == id)),
            R::PendingInvitation(email) => {
                let pending = self.pending().find(|invitation| invitation.email == email);
                view.load_pending_invitation(email, pending);
            }
            R::ExpiredPendingInvitations(now) => {
                let expired = self.pending().filter(|invitation| invitation.expires_at <= now).collect();
                view.load_expired_pending_invitations(now, expired);
            }
            R::Offer(id) => view.load_offer(id, self.offers().into_iter().find(|o| o.id == id)),
            R::PendingOffer => {
                view.load_pending_offer(self.offers().into_iter().find(|offer| offer.status == OfferStatus::Pending));
            }
        }
    }

    /// The organization its tables hold, through the checked constructor (`None` before
    /// its creation), as a store on tables loads it.
    pub fn state(&self) -> Result<Option<Organization>, ReplayError> {
        let key = [("id", Value::text(self.id))];
        let Some(root) = self.tables.rows(Table::Organizations, &key).next() else { return Ok(None) };
        Organization::from_rows(organization::Snapshot {
            schema_version: organization::SNAPSHOT_SCHEMA_VERSION,
            id: self.id,
            version: count(root, "version"),
            created_at: time(root, "created_at"),
            members: self.members().iter().map(member_row).collect(),
            invitations: self.invitations(),
            offers: self.offers(),
        })
        .map(Some)
    }

    /// The tables hold exactly what the aggregate holds: "replaying the events rebuilds
    /// the tables".
    pub fn assert_same_as(&self, org: &Organization) {
        assert_eq!(self.version(), org.version());
        let key = [("id", Value::text(self.id))];
        let root = self.tables.rows(Table::Organizations, &key).next().unwrap();
        assert_eq!(time(root, "created_at"), org.created_at());
        let sorted = |mut rows: Vec<(UserId, Email, Role, Timestamp)>| {
            rows.sort_by_key(|row| row.0);
            rows
        };
        let expected = org.members().map(|(m, role)| (m.user_id, m.email.clone(), role, m.created_at)).collect();
        assert_eq!(sorted(self.members()), sorted(expected));
        let mut invitations = self.invitations();
        invitations.sort_by_key(|i| i.id);
        let mut expected: Vec<_> = org.invitations().cloned().collect();
        expected.sort_by_key(|i| i.id);
        assert_eq!(invitations, expected);
        let mut offers = self.offers();
        offers.sort_by_key(|o| o.id);
        let mut expected: Vec<_> = org.offers().copied().collect();
        expected.sort_by_key(|o| o.id);
        assert_eq!(offers, expected);
    }
}

use membership::customer::Customer;
use membership::organization::Organization;

/// The rows of one customer: its row, and every member row ever written (soft-deleted
/// ones kept, as Polar's tables keep them).
#[derive(Debug)]
pub struct CustomerRows {
    id: CustomerId,
    tables: Tables,
}

impl CustomerRows {
    pub fn new(id: CustomerId) -> Self {
        CustomerRows { id, tables: Tables::default() }
    }

    fn root(&self) -> Option<&Row> {
        self.tables.rows(Table::Customers, &[]).find(|row| text(row, "id") == self.id.to_string())
    }

    fn version(&self) -> u64 {
        self.root().map_or(0, |row| count(row, "version"))
    }

    fn profile(&self) -> Option<Profile> {
        self.root().map(|row| Profile {
            organization_id: parsed(row, "organization_id", OrganizationId::parse),
            kind: parsed(row, "kind", CustomerKind::parse),
            email: text_opt(row, "email").map(Email::from_stored),
            name: text_opt(row, "name").map(Name::from_stored),
            external_id: text_opt(row, "external_id").map(ExternalId::from_stored),
            deleted: flag(row, "deleted"),
        })
    }

    /// Projects a stored log, as a store rebuilding its tables from the journal would.
    pub fn project_log(&mut self, events: &[customer::Event]) {
        let view = customer::Prefetched::new(self.id, self.version(), self.profile());
        self.commit(&view, events).unwrap();
    }

    /// The version check, the row effects, then the root's version moved on.
    fn commit(&mut self, view: &customer::Prefetched, events: &[customer::Event]) -> Result<(), Error> {
        append(self.version(), events)?;
        let Some(tenant) = Customer::tenant(view, events) else { return Ok(()) };
        for event in events {
            for effect in Customer::row_effects(event, tenant) {
                self.tables.apply(&effect);
            }
        }
        if let Some(last) = events.last() {
            let key = vec![("organization_id", Value::text(tenant)), ("id", Value::text(self.id))];
            self.tables.apply(&RowEffect::Set {
                table: Table::Customers,
                key,
                fields: vec![("version", Value::Count(last.version))],
            });
        }
        Ok(())
    }

    /// Plan, load exactly the planned rows, decide, append, project.
    pub fn execute(
        &mut self,
        command: customer::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Vec<customer::Event>, Error> {
        let mut view = customer::Prefetched::new(self.id, self.version(), self.profile());
        for read in Customer::plan(&command, actor, now) {
            self.load(&mut view, read);
        }
        let events = <Customer as Aggregate>::decide(&view, command, actor, now)?;
        self.commit(&view, &events)?;
        Ok(events)
    }

    /// Every member row ever written: (record, deleted, creation order).
    fn members(&self) -> Vec<(Member, bool, u64)> {
        let mut rows: Vec<_> = self
            .tables
            .rows(Table::Members, &[("customer_id", Value::text(self.id))])
            .map(|row| {
                let member = Member {
                    id: parsed(row, "id", MemberId::parse),
                    created_at: time(row, "created_at"),
                    modified_at: time_opt(row, "modified_at"),
                    customer_id: self.id,
                    email: Email::from_stored(text(row, "email")),
                    name: text_opt(row, "name").map(Name::from_stored),
                    external_id: text_opt(row, "external_id").map(ExternalId::from_stored),
                    role: parsed(row, "role", MemberRole::parse),
                };
                (member, flag(row, "deleted"), count(row, "ord"))
            })
            .collect();
        rows.sort_by_key(|(_, _, order)| *order);
        rows
    }

    fn active(&self) -> Vec<Member> {
        self.members().into_iter().filter(|(_, deleted, _)| !deleted).map(|(member, _, _)| member).collect()
    }

    fn load(&self, view: &mut customer::Prefetched, read: customer::Read) {
        use customer::Read as R;
        let active = self.active();
        let find = |found: &dyn Fn(&Member) -> bool| active.iter().find(|m| found(m)).cloned();
        match read {
            R::Owner => view.load_owner(find(&|m| m.role == MemberRole::Owner)),
            R::Member(id) => view.load_member(id, find(&|m| m.id == id)),
            R::MemberIdUsed(id) => view.load_member_id_used(id, self.members().iter().any(|(m, _, _)| m.id == id)),
            R::MemberByEmail(email) => {
                let found = find(&|m| m.email == email);
                view.load_member_by_email(email, found);
            }
            R::MemberByExternalId(external_id) => {
                let found = find(&|m| m.external_id.as_ref() == Some(&external_id));
                view.load_member_by_external_id(external_id, found);
            }
            R::Members => view.load_members(active.clone()),
        }
    }

    /// The customer its tables hold, through the checked constructor (`None` before its
    /// creation), soft-deleted members as retired ids.
    pub fn state(&self) -> Result<Option<Customer>, ReplayError> {
        let Some(profile) = self.profile() else { return Ok(None) };
        let (retired, active): (Vec<_>, Vec<_>) = self.members().into_iter().partition(|(_, deleted, _)| *deleted);
        Customer::from_rows(customer::Snapshot {
            schema_version: customer::SNAPSHOT_SCHEMA_VERSION,
            id: self.id,
            version: self.version(),
            profile,
            members: active.into_iter().map(|(member, _, _)| member).collect(),
            retired: retired.into_iter().map(|(member, _, _)| member.id).collect(),
        })
        .map(Some)
    }

    pub fn assert_same_as(&self, customer: &Customer) {
        assert_eq!(self.version(), customer.version());
        assert_eq!(self.profile().as_ref(), Some(customer.profile()));
        let active = self.active();
        assert_eq!(active, customer.members());
        // The customer row counts its active members: a list's total is one row read.
        assert_eq!(count(self.root().unwrap(), "member_count"), active.len() as u64);
        let mut retired: Vec<MemberId> =
            self.members().into_iter().filter(|(_, deleted, _)| *deleted).map(|(m, _, _)| m.id).collect();
        retired.sort();
        let mut expected: Vec<MemberId> = customer.retired_ids().collect();
        expected.sort();
        assert_eq!(retired, expected);
        // Every row carries its tenant.
        let tenant = customer.profile().organization_id;
        assert!(
            self.tables
                .rows(Table::Members, &[])
                .all(|row| parsed(row, "organization_id", OrganizationId::parse) == tenant)
        );
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
