//! Strategies for organization commands, actors, steps and states.

use chrono::TimeDelta;
use proptest::prelude::*;

use super::pool::{self, INVITATIONS, OFFERS, OUTSIDER, USERS, email_of, pool_user, pool_user_email};
use crate::organization::{Command, CreateOrganization, Organization, VerificationStatus};
use crate::{Actor, OrganizationId, Role, Timestamp, Ttl, UserId};

/// Who runs a step, named by their place in the organization at that step, so that a
/// random sequence reaches the owner's, the invitee's and the offer target's paths often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// [`pool_user`]`(n)`, whatever their role.
    User(u8),
    /// Whoever owns the organization at that step.
    Owner,
    /// The target of the pending ownership offer, if any (else an outsider).
    OfferTarget,
    /// The pool user a pending invitation was sent to, if any (else an outsider).
    Invitee,
    /// An access token of the organization itself.
    OwnToken,
    /// An access token of another organization.
    OtherToken,
    /// Staff.
    Staff,
    /// The service itself.
    System,
}

/// One random step: who, what, how long after the previous step, and whether to aim the
/// command at what is live (the pending offer, the actor's pending invitation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Who runs it.
    pub who: Who,
    /// The command as drawn.
    pub command: Command,
    /// How far the clock moves before it: expiry happens between steps.
    pub advance: TimeDelta,
    /// Point acceptances, declines and revocations at the live invitation or offer, so
    /// that they succeed often instead of naming an id that does not exist.
    pub aim: bool,
}

impl Step {
    /// The actor and the command to run on organization `id`, whose state is `state`
    /// (`None`: it does not exist).
    #[must_use]
    pub fn resolve(&self, id: OrganizationId, state: Option<&Organization>) -> (Actor, Command) {
        let actor = self.actor(id, state);
        let mut command = self.command.clone();
        let Some(org) = state.filter(|_| self.aim) else { return (actor, command) };
        match (&mut command, actor) {
            (
                Command::AcceptInvitation { invitation_id, email }
                | Command::DeclineInvitation { invitation_id, email },
                Actor::User(user),
            ) => {
                *email = email_of(user);
                if let Some(invitation) = org.pending_invitation(email) {
                    *invitation_id = invitation.id;
                }
            }
            (
                Command::AcceptOwnershipOffer { offer_id, .. }
                | Command::DeclineOwnershipOffer { offer_id }
                | Command::RevokeOwnershipOffer { offer_id },
                _,
            ) => {
                if let Some(offer) = org.pending_offer() {
                    *offer_id = offer.id;
                }
            }
            _ => {}
        }
        (actor, command)
    }

    fn actor(&self, id: OrganizationId, state: Option<&Organization>) -> Actor {
        match self.who {
            Who::User(n) => Actor::User(pool_user(n)),
            Who::Owner => Actor::User(state.map_or(OUTSIDER, |org| org.owner().user_id)),
            Who::OfferTarget => Actor::User(state.and_then(Organization::pending_offer).map_or(OUTSIDER, |o| o.to)),
            Who::Invitee => Actor::User(state.and_then(invitee).unwrap_or(OUTSIDER)),
            Who::OwnToken => Actor::Token(id),
            Who::OtherToken => Actor::Token(pool::other_organization(id)),
            Who::Staff => Actor::Staff,
            Who::System => Actor::System,
        }
    }
}

/// The pool user the first pending invitation (by id) was sent to.
fn invitee(org: &Organization) -> Option<UserId> {
    let invitation = org.pending_invitations().min_by_key(|invitation| invitation.id)?;
    (1..=u128::from(USERS)).map(pool::user).find(|user| email_of(*user) == invitation.email)
}

/// Who runs a step, weighted towards pool users, the owner and the invitee.
pub fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        10 => (0..USERS).prop_map(Who::User),
        5 => Just(Who::Owner),
        2 => Just(Who::OfferTarget),
        5 => Just(Who::Invitee),
        1 => Just(Who::OwnToken),
        1 => Just(Who::OtherToken),
        2 => Just(Who::Staff),
        2 => Just(Who::System),
    ]
}

/// Actors on organization `id` that need no state: pool users, its token, another
/// organization's token, staff and the system.
pub fn actor(id: OrganizationId) -> impl Strategy<Value = Actor> {
    prop_oneof![
        10 => (0..USERS).prop_map(|n| Actor::User(pool_user(n))),
        1 => Just(Actor::Token(id)),
        1 => Just(Actor::Token(pool::other_organization(id))),
        1 => Just(Actor::Staff),
        1 => Just(Actor::System),
    ]
}

/// Times to live from one second to the longest allowed.
pub fn ttl() -> impl Strategy<Value = Ttl> {
    prop_oneof![Just(30 * 60), Just(24 * 60 * 60), Just(7 * 24 * 60 * 60), Just(1), Just(365 * 24 * 60 * 60)]
        .prop_map(|seconds| Ttl::from_secs(seconds).unwrap_or(Ttl::DEFAULT))
}

/// Identity verification outcomes, mostly verified.
pub fn verification() -> impl Strategy<Value = VerificationStatus> {
    prop_oneof![
        6 => Just(VerificationStatus::Verified),
        1 => Just(VerificationStatus::Unverified),
        1 => Just(VerificationStatus::Pending),
        1 => Just(VerificationStatus::Failed),
    ]
}

/// Any role, the owner's included (which most commands refuse).
pub fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

/// Every organization command over the pool, creation included (a no-op or a refusal on an
/// organization that exists).
pub fn command() -> impl Strategy<Value = Command> {
    let inv = || (0..INVITATIONS).prop_map(|n| pool::invitation(u128::from(n)));
    let off = || (0..OFFERS).prop_map(|n| pool::offer(u128::from(n)));
    let mail = || (0..USERS, any::<bool>()).prop_map(|(n, shout)| pool_user_email(n, shout));
    let member = || (0..USERS).prop_map(pool_user);
    prop_oneof![
        1 => mail().prop_map(|email| Command::Create { email }),
        4 => (inv(), mail(), ttl()).prop_map(|(invitation_id, email, ttl)| Command::Invite { invitation_id, email, ttl }),
        6 => (inv(), mail()).prop_map(|(invitation_id, email)| Command::AcceptInvitation { invitation_id, email }),
        1 => (inv(), mail()).prop_map(|(invitation_id, email)| Command::DeclineInvitation { invitation_id, email }),
        1 => inv().prop_map(|invitation_id| Command::RevokeInvitation { invitation_id }),
        1 => (inv(), ttl()).prop_map(|(invitation_id, ttl)| Command::ResendInvitation { invitation_id, ttl }),
        3 => (member(), mail()).prop_map(|(user_id, email)| Command::AddMember { user_id, email }),
        3 => (member(), role()).prop_map(|(user_id, role)| Command::ChangeRole { user_id, role }),
        2 => member().prop_map(|user_id| Command::RemoveMember { user_id }),
        2 => Just(Command::Leave),
        2 => (member(), verification()).prop_map(|(to, verification)| Command::TransferOwnership { to, verification }),
        4 => (off(), member(), verification(), ttl())
            .prop_map(|(offer_id, to, verification, ttl)| Command::OfferOwnership { offer_id, to, verification, ttl }),
        1 => off().prop_map(|offer_id| Command::RevokeOwnershipOffer { offer_id }),
        4 => (off(), verification()).prop_map(|(offer_id, verification)| Command::AcceptOwnershipOffer { offer_id, verification }),
        1 => off().prop_map(|offer_id| Command::DeclineOwnershipOffer { offer_id }),
        1 => Just(Command::Sweep),
    ]
}

/// One step: who, a command, a clock advance, and aiming (80 % of steps).
pub fn step() -> impl Strategy<Value = Step> {
    (who(), command(), super::advance(), prop::bool::weighted(0.8)).prop_map(|(who, command, advance, aim)| Step {
        who,
        command,
        advance,
        aim,
    })
}

/// The command that creates organization `id`, by its first owner.
#[must_use]
pub fn create(id: OrganizationId) -> (Actor, CreateOrganization) {
    let owner = founder(id);
    (Actor::User(owner), CreateOrganization { organization_id: id, email: email_of(owner) })
}

/// Who creates organization `id`: `user(1)` for the first of the pool, `user(2)` for the
/// second, and so on, so that one user holds different roles in different organizations.
#[must_use]
pub fn founder(id: OrganizationId) -> UserId {
    let n = (0..pool::ORGANIZATIONS).find(|n| pool::organization(*n) == id).unwrap_or(0);
    pool::user(u128::from(n) + 1)
}

/// Random organizations: the pool's first organization, created at `start`, then up to
/// `max_steps` random steps folded through the in-memory aggregate, keeping the accepted
/// ones.
pub fn state_after(start: Timestamp, max_steps: usize) -> impl Strategy<Value = Organization> {
    prop::collection::vec(step(), 0..=max_steps).prop_filter_map("the creation is refused", move |steps| {
        let id = pool::organization(0);
        let (actor, create) = create(id);
        let mut org = Organization::replay(&Organization::create(create, actor, start).ok()?).ok()?;
        let mut now = start;
        for step in steps {
            now = now.saturating_add(step.advance);
            let (actor, command) = step.resolve(id, Some(&org));
            // A refused command changes nothing: keeping only the accepted ones is folding.
            let _refused = org.execute(command, actor, now);
        }
        Some(org)
    })
}

/// [`state_after`] up to 40 steps from [`super::start`].
pub fn state() -> impl Strategy<Value = Organization> {
    state_after(super::start(), 40)
}
