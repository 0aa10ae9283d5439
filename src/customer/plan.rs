//! Read plans for customers: which member rows `decide` reads for a command, and the view
//! a store fills with exactly those rows.

use super::{Command, CustomerActor, CustomerView, Member, Profile};
use crate::{CustomerId, Email, ExternalId, Lookup, MemberId, NotLoaded};

/// One point lookup [`decide`](super::decide) may make beyond the customer's own row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// The owner member.
    Owner,
    /// The active member with this id.
    Member(MemberId),
    /// Whether this customer ever had a member with this id (soft-deleted rows included).
    MemberIdUsed(MemberId),
    /// The active member with this folded email.
    MemberByEmail(Email),
    /// The active member with this external id.
    MemberByExternalId(ExternalId),
    /// Every active member, in creation order (deleting the customer).
    Members,
}

/// The member lookups [`decide`](super::decide) (and [`check_read`](super::check_read) or
/// [`check_portal`](super::check_portal), for the actor's own row) makes for `command` by
/// `actor`, on any path it can take. The customer's row is always read; these are the
/// rest: a few rows, whatever the customer's size (all of them only to delete it).
#[must_use]
pub fn plan(command: &Command, actor: CustomerActor) -> Vec<Read> {
    let mut reads = plan_access(actor);
    match command {
        Command::Create { .. } | Command::ChangeKind { .. } => {}
        Command::AddMember { member_id, email, external_id, .. } => {
            reads.push(Read::MemberByEmail(email.clone()));
            reads.extend(external_id.clone().map(Read::MemberByExternalId));
            reads.push(Read::MemberIdUsed(*member_id));
        }
        Command::UpdateMember { member_id, update } => {
            reads.extend([Read::Member(*member_id), Read::Owner]);
            reads.extend(update.email.clone().map(Read::MemberByEmail));
        }
        Command::DeleteMember { member_id } => reads.push(Read::Member(*member_id)),
        Command::ChangeEmail { .. } => reads.push(Read::Owner),
        Command::Delete => reads.extend([Read::Owner, Read::Members]),
    }
    reads
}

/// The lookups the access checks make for `actor`: a portal member's own row.
#[must_use]
pub fn plan_access(actor: CustomerActor) -> Vec<Read> {
    match actor {
        CustomerActor::Portal { member_id } => vec![Read::Member(member_id)],
        CustomerActor::Merchant(_) | CustomerActor::System => Vec::new(),
    }
}

/// A customer view holding only the rows a store loaded for one command: the customer's
/// row, and the member rows of the [`plan`]. Every lookup it was not given answers
/// [`NotLoaded`], so a forgotten read is an error (`view_incomplete`), never a wrong
/// decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefetched {
    id: CustomerId,
    version: u64,
    profile: Option<Profile>,
    owner: Lookup<Option<Member>>,
    members: Vec<(MemberId, Option<Member>)>,
    used: Vec<(MemberId, bool)>,
    by_email: Vec<(Email, Option<Member>)>,
    by_external_id: Vec<(ExternalId, Option<Member>)>,
    all: Option<Vec<Member>>,
}

impl Prefetched {
    /// A view of customer `id` at `version` with its row (`None` and 0: it does not exist
    /// yet), and no member rows loaded.
    #[must_use]
    pub fn new(id: CustomerId, version: u64, profile: Option<Profile>) -> Self {
        Prefetched {
            id,
            version,
            profile,
            owner: Err(NotLoaded { lookup: "owner" }),
            members: Vec::new(),
            used: Vec::new(),
            by_email: Vec::new(),
            by_external_id: Vec::new(),
            all: None,
        }
    }

    /// Fills the view with the answer to every read in `reads`, from another view.
    ///
    /// # Errors
    ///
    /// The first lookup `source` did not load.
    pub fn prefetch<V: CustomerView>(source: &V, reads: &[Read]) -> Result<Self, NotLoaded> {
        let mut view = Prefetched::new(source.id(), source.version(), source.profile().cloned());
        for read in reads {
            match read {
                Read::Owner => view.load_owner(source.owner()?),
                Read::Member(id) => view.load_member(*id, source.member(*id)?),
                Read::MemberIdUsed(id) => view.load_member_id_used(*id, source.member_id_used(*id)?),
                Read::MemberByEmail(email) => {
                    view.load_member_by_email(email.clone(), source.active_member_by_email(email)?);
                }
                Read::MemberByExternalId(id) => {
                    view.load_member_by_external_id(id.clone(), source.member_by_external_id(id)?);
                }
                Read::Members => view.load_members(source.members()?),
            }
        }
        Ok(view)
    }

    /// [`Read::Owner`].
    pub fn load_owner(&mut self, owner: Option<Member>) {
        self.owner = Ok(owner);
    }

    /// [`Read::Member`]: `None` when no active member has that id.
    pub fn load_member(&mut self, id: MemberId, member: Option<Member>) {
        self.members.push((id, member));
    }

    /// [`Read::MemberIdUsed`].
    pub fn load_member_id_used(&mut self, id: MemberId, used: bool) {
        self.used.push((id, used));
    }

    /// [`Read::MemberByEmail`].
    pub fn load_member_by_email(&mut self, email: Email, member: Option<Member>) {
        self.by_email.push((email, member));
    }

    /// [`Read::MemberByExternalId`].
    pub fn load_member_by_external_id(&mut self, external_id: ExternalId, member: Option<Member>) {
        self.by_external_id.push((external_id, member));
    }

    /// [`Read::Members`]: every active member, in creation order.
    pub fn load_members(&mut self, members: Vec<Member>) {
        self.all = Some(members);
    }
}

fn answer<'a, K: PartialEq, T>(rows: &'a [(K, T)], key: &K, lookup: &'static str) -> Lookup<&'a T> {
    rows.iter().find(|(loaded, _)| loaded == key).map(|(_, row)| row).ok_or(NotLoaded { lookup })
}

impl CustomerView for Prefetched {
    fn id(&self) -> CustomerId {
        self.id
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    fn owner(&self) -> Lookup<Option<Member>> {
        self.owner.clone()
    }

    fn member(&self, id: MemberId) -> Lookup<Option<Member>> {
        answer(&self.members, &id, "member").cloned()
    }

    fn member_id_used(&self, id: MemberId) -> Lookup<bool> {
        answer(&self.used, &id, "member_id_used").copied()
    }

    fn active_member_by_email(&self, email: &Email) -> Lookup<Option<Member>> {
        answer(&self.by_email, email, "member_by_email").cloned()
    }

    fn member_by_external_id(&self, external_id: &ExternalId) -> Lookup<Option<Member>> {
        answer(&self.by_external_id, external_id, "member_by_external_id").cloned()
    }

    fn members(&self) -> Lookup<Vec<Member>> {
        self.all.clone().ok_or(NotLoaded { lookup: "members" })
    }
}
