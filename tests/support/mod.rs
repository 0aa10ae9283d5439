//! A given/when/then kit for organization scenarios.

use membership::organization::{
    Change, Command, CreateOrganization, DEFAULT_TTL, Event, Organization, VerificationStatus,
};
use membership::testing::pool;
use membership::{Actor, Email, Error, InvitationId, OfferId, OrganizationId, Role, Timestamp, Ttl, UserId};

// The scenarios number their ids as the conformance kit's pool does, so a property test's
// `Team` and the kit's strategies name the same users, invitations and offers.
pub use membership::testing::pool::{OUTSIDER, email_of, invitation, offer, user};

pub const ORG: OrganizationId = pool::organization(0);
pub const OTHER_ORG: OrganizationId = pool::organization(1);
pub const OWNER: UserId = user(1);
pub const ADMIN: UserId = user(2);
pub const FINANCE: UserId = user(3);
pub const MEMBER: UserId = user(4);

pub fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

/// Minutes after the start of every scenario.
pub fn at(minutes: i64) -> Timestamp {
    Timestamp::parse("2025-01-01T00:00:00Z").unwrap().saturating_add(chrono::TimeDelta::minutes(minutes))
}

pub fn ttl_minutes(minutes: u64) -> Ttl {
    Ttl::from_secs(minutes * 60).unwrap()
}

/// An organization under test, with a clock, that checks INV-ORG-D on every rejection.
pub struct Team {
    pub org: Organization,
    pub log: Vec<Event>,
    pub now: Timestamp,
}

impl Team {
    /// A new organization owned by `OWNER`.
    pub fn new() -> Self {
        Self::new_in(ORG)
    }

    /// A new organization `organization_id` owned by `OWNER`.
    pub fn new_in(organization_id: OrganizationId) -> Self {
        let create = CreateOrganization { organization_id, email: email_of(OWNER) };
        let log = Organization::create(create, Actor::User(OWNER), at(0)).unwrap();
        let org = Organization::replay(&log).unwrap();
        Team { org, log, now: at(0) }
    }

    /// OWNER, ADMIN, FINANCE and MEMBER, each with that role.
    pub fn standard() -> Self {
        Self::standard_in(ORG)
    }

    /// OWNER, ADMIN, FINANCE and MEMBER in organization `organization_id`.
    pub fn standard_in(organization_id: OrganizationId) -> Self {
        let mut team = Team::new_in(organization_id);
        team.join(ADMIN, Role::Admin);
        team.join(FINANCE, Role::Finance);
        team.join(MEMBER, Role::Member);
        team
    }

    /// Adds `user` directly and gives them `role` (not Owner).
    pub fn join(&mut self, user: UserId, role: Role) -> &mut Self {
        self.ok(Actor::System, Command::AddMember { user_id: user, email: email_of(user) });
        if role != Role::Member {
            self.ok(Actor::User(OWNER), Command::ChangeRole { user_id: user, role });
        }
        self
    }

    pub fn at(&mut self, minutes: i64) -> &mut Self {
        self.now = at(minutes);
        self
    }

    /// Decides and, on success, applies. A rejection must leave the state as it was.
    #[track_caller]
    pub fn run(&mut self, actor: Actor, command: Command) -> Result<Vec<Change>, Error> {
        let before = self.org.clone();
        let mut result = None;
        let allocations = allocation_counter::measure(|| result = Some(self.org.decide(command, actor, self.now)));
        let result = result.unwrap();
        assert_eq!(self.org, before, "deciding must not change the state");
        if let Err(err) = &result {
            // Refusing is a few lookups: it allocates nothing (only this error carries text).
            if !["member_email_taken", "invalid_input"].contains(&err.code()) {
                assert_eq!(allocations.count_total, 0, "{} allocated", err.code());
            }
        }
        let events = result?;
        for (offset, event) in (1..).zip(&events) {
            assert_eq!(event.version, before.version() + offset, "versions number on");
            assert_eq!((event.organization_id, event.at, event.actor), (self.org.id(), self.now, actor));
            self.org.apply(event).unwrap();
        }
        self.log.extend(events.iter().cloned());
        assert_eq!(Organization::replay(&self.log).as_ref(), Ok(&self.org), "replay rebuilds the state");
        Ok(events.into_iter().map(|event| event.change).collect())
    }

    #[track_caller]
    pub fn ok(&mut self, actor: Actor, command: Command) -> Vec<Change> {
        match self.run(actor, command) {
            Ok(changes) => changes,
            Err(err) => panic!("expected success, got {}: {err}", err.code()),
        }
    }

    #[track_caller]
    pub fn err(&mut self, actor: Actor, command: Command) -> Error {
        match self.run(actor, command) {
            Ok(changes) => panic!("expected an error, got {changes:?}"),
            Err(err) => err,
        }
    }

    /// Asserts the error code, and returns the error for more checks.
    #[track_caller]
    pub fn refused(&mut self, actor: Actor, command: Command, code: &str) -> Error {
        let err = self.err(actor, command);
        assert_eq!(err.code(), code, "{err}");
        err
    }

    pub fn role(&self, user: UserId) -> Option<Role> {
        self.org.member(user).map(|(_, role)| role)
    }

    /// OWNER invites `email` with the default TTL, as invitation `id`.
    pub fn invite(&mut self, id: InvitationId, email: Email) -> Vec<Change> {
        self.ok(Actor::User(OWNER), Command::Invite { invitation_id: id, email, ttl: DEFAULT_TTL })
    }

    /// OWNER offers ownership to `to` (verified), as offer `id`.
    pub fn offer(&mut self, id: OfferId, to: UserId, ttl: Ttl) -> Vec<Change> {
        self.ok(
            Actor::User(OWNER),
            Command::OfferOwnership { offer_id: id, to, verification: VerificationStatus::Verified, ttl },
        )
    }
}
