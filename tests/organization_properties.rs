//! INV-ORG-A…E after every step of random command sequences from random actors.
//!
//! `Team::run` already asserts, on every step, that a rejected command changes nothing and
//! that replaying the log rebuilds the state (INV-ORG-D, INV-ORG-E); here we add the
//! structural invariants, permission checks against the matrix, and serde round trips.

use std::collections::{HashMap, HashSet};

use membership::organization::{
    Command, InvitationStatus, OfferStatus, Organization, OrganizationView, Prefetched, Read, decide, plan,
};
use membership::testing::organization::{state, step};
use membership::testing::pool::{USERS, pool_user};
use membership::{Actor, Error, Permission, Role, policy};
use proptest::prelude::*;

use crate::row_store::OrgRows;
use crate::support::*;

/// INV-ORG-A, B and C, and the indexes agreeing with the roster.
fn assert_invariants(org: &Organization) {
    let members: Vec<_> = org.members().collect();
    // INV-ORG-A: exactly one Owner, and the Owner is a member.
    let owners: Vec<_> = members.iter().filter(|(_, role)| *role == Role::Owner).collect();
    assert_eq!(owners.len(), 1, "exactly one owner");
    assert_eq!(owners[0].0.user_id, org.owner().user_id);
    assert_eq!(org.role_of(org.owner().user_id), Ok(Some(Role::Owner)));
    // INV-ORG-B: at least one member.
    assert!(org.member_count() >= 1);
    assert_eq!(org.member_count(), members.len());
    // INV-ORG-C: one membership per user; member emails index back to their member.
    let users: HashSet<_> = members.iter().map(|(m, _)| m.user_id).collect();
    assert_eq!(users.len(), members.len());
    for (membership, role) in &members {
        assert_eq!(org.member_with_email(&membership.email).unwrap(), Some(membership.user_id));
        assert_eq!(org.role_of(membership.user_id), Ok(Some(*role)));
    }
    // INV-ORG-C: at most one pending invitation per folded email, none for a member's.
    let mut pending: HashMap<String, usize> = HashMap::new();
    for invitation in org.invitations().filter(|i| i.status == InvitationStatus::Pending) {
        *pending.entry(invitation.email.folded().into_owned()).or_default() += 1;
        assert_eq!(org.pending_invitation(&invitation.email).map(|i| i.id), Some(invitation.id));
        assert!(org.member_by_email(&invitation.email).is_none(), "pending invitation for a member's email");
    }
    assert!(pending.values().all(|count| *count == 1));
    assert_eq!(org.pending_invitations().count(), pending.len());
    // INV-ORG-C: at most one pending offer, from the current Owner to another current member.
    let offers: Vec<_> = org.offers().filter(|o| o.status == OfferStatus::Pending).collect();
    assert!(offers.len() <= 1);
    assert_eq!(org.pending_offer().map(|o| o.id), offers.first().map(|o| o.id));
    if let Some(offer) = offers.first() {
        assert_eq!(offer.from, org.owner().user_id);
        assert!(matches!(org.role_of(offer.to), Ok(Some(role)) if role != Role::Owner));
    }
}

/// ORG-1/ORG-2: `check` agrees with the matrix for everyone in the pool.
fn assert_checks_follow_the_matrix(team: &Team) {
    for n in 0..USERS {
        let user = pool_user(n);
        for permission in [Permission::MembersManage, Permission::MembersRead, Permission::FinanceRead] {
            let expected = match team.role(user) {
                None => Err(Error::OrganizationNotFound { organization_id: ORG }),
                Some(role) if role.can(permission) => Ok(()),
                Some(_) => Err(Error::PermissionDenied { organization_id: ORG, permission }),
            };
            assert_eq!(team.org.check(Actor::User(user), permission), expected);
            assert_eq!(policy::roles_holding(permission).any(|r| Some(r) == team.role(user)), expected.is_ok());
        }
    }
}

/// The whole state, seen through a view that holds no membership rows: only roles and
/// user ids, as a lean store loads them.
struct Lean<'a>(&'a Organization);

impl OrganizationView for Lean<'_> {
    fn id(&self) -> membership::OrganizationId {
        OrganizationView::id(self.0)
    }
    fn version(&self) -> u64 {
        OrganizationView::version(self.0)
    }
    fn owner_id(&self) -> membership::Lookup<membership::UserId> {
        OrganizationView::owner_id(self.0)
    }
    fn member_count(&self) -> membership::Lookup<usize> {
        OrganizationView::member_count(self.0)
    }
    fn role_of(&self, user: membership::UserId) -> membership::Lookup<Option<Role>> {
        OrganizationView::role_of(self.0, user)
    }
    fn member_with_email(&self, email: &membership::Email) -> membership::Lookup<Option<membership::UserId>> {
        OrganizationView::member_with_email(self.0, email)
    }
    fn invitation(
        &self,
        id: membership::InvitationId,
    ) -> membership::Lookup<Option<&membership::organization::Invitation>> {
        OrganizationView::invitation(self.0, id)
    }
    fn pending_invitation(
        &self,
        email: &membership::Email,
    ) -> membership::Lookup<Option<&membership::organization::Invitation>> {
        OrganizationView::pending_invitation(self.0, email)
    }
    fn expired_pending_invitations(
        &self,
        now: membership::Timestamp,
    ) -> membership::Lookup<impl Iterator<Item = &membership::organization::Invitation>> {
        OrganizationView::expired_pending_invitations(self.0, now)
    }
    fn offer(&self, id: membership::OfferId) -> membership::Lookup<Option<&membership::organization::OwnershipOffer>> {
        OrganizationView::offer(self.0, id)
    }
    fn pending_offer(&self) -> membership::Lookup<Option<&membership::organization::OwnershipOffer>> {
        OrganizationView::pending_offer(self.0)
    }
}

/// `view` answers every read of `reads` as `state` does.
fn assert_same_answers(view: &Prefetched, state: &Organization, reads: &[Read]) {
    assert_eq!(view.version(), OrganizationView::version(state));
    for read in reads {
        match read {
            Read::Owner => assert_eq!(view.owner_id(), OrganizationView::owner_id(state)),
            Read::MemberCount => assert_eq!(view.member_count(), OrganizationView::member_count(state)),
            Read::Member(user) => {
                assert_eq!(view.member_row(*user), OrganizationView::member_row(state, *user), "{read:?}");
                assert_eq!(view.role_of(*user), OrganizationView::role_of(state, *user), "{read:?}");
            }
            Read::MemberByEmail(email) => {
                assert_eq!(
                    view.member_row_with_email(email),
                    OrganizationView::member_row_with_email(state, email),
                    "{read:?}"
                );
            }
            Read::Invitation(id) => {
                assert_eq!(view.invitation(*id), OrganizationView::invitation(state, *id), "{read:?}");
            }
            Read::PendingInvitation(email) => {
                assert_eq!(
                    view.pending_invitation(email),
                    OrganizationView::pending_invitation(state, email),
                    "{read:?}"
                );
            }
            Read::ExpiredPendingInvitations(now) => {
                let ids = |found: Vec<&membership::organization::Invitation>| {
                    let mut ids: Vec<_> = found.into_iter().map(|invitation| invitation.id).collect();
                    ids.sort();
                    ids
                };
                let advanced = ids(view.expired_pending_invitations(*now).unwrap().collect());
                let held = ids(OrganizationView::expired_pending_invitations(state, *now).unwrap().collect());
                assert_eq!(advanced, held);
            }
            Read::Offer(id) => assert_eq!(view.offer(*id), OrganizationView::offer(state, *id), "{read:?}"),
            Read::PendingOffer => assert_eq!(view.pending_offer(), OrganizationView::pending_offer(state)),
        }
    }
}

proptest! {
    // Cases: PROPTEST_CASES (256 unless set), so a soak is one environment variable.

    #[test]
    fn inv_org_invariants_hold_after_every_step(start_full: bool, steps in prop::collection::vec(step(), 1..60)) {
        let mut team = if start_full { Team::standard() } else { Team::new() };
        let mut rows = OrgRows::new(ORG);
        rows.project_log(&team.log);
        assert_invariants(&team.org);
        for step in steps {
            team.now = team.now.saturating_add(step.advance);
            let before = team.org.clone();
            // INV-ORG-D and E are asserted inside `run`.
            let (actor, command) = step.resolve(ORG, Some(&team.org));
            // The read plan names every row `decide` reads: a view holding only those rows
            // decides exactly as the whole state does.
            let reads = plan(&command, actor, team.now);
            let prefetched = Prefetched::prefetch(&team.org, &reads).unwrap();
            let from_rows = decide(&prefetched, command.clone(), actor, team.now);
            prop_assert_eq!(&from_rows, &team.org.decide(command.clone(), actor, team.now), "{:?}", reads);
            // A store that loads only roles and user ids (the lean `load_member`,
            // `load_member_by_email`) decides the same.
            let lean = Prefetched::prefetch(&Lean(&team.org), &reads).unwrap();
            prop_assert_eq!(&decide(&lean, command.clone(), actor, team.now), &from_rows);
            // A row store built on the seam alone decides the same, and its tables, projected
            // from the events alone, hold what the aggregate holds.
            prop_assert_eq!(&rows.execute(command.clone(), actor, team.now), &from_rows);
            if let Ok(changes) = team.run(actor, command) {
                // A no-op emits nothing; a decision that emits changes the state.
                prop_assert_eq!(changes.is_empty(), team.org == before);
                // docs/rules.md#answers: the view a command decided on, advanced by its own events, answers
                // every read as the state it left does: what a service answers from.
                let mut advanced = prefetched;
                advanced.advance(&team.log[team.log.len() - changes.len()..]);
                assert_same_answers(&advanced, &team.org, &reads);
            }
            assert_invariants(&team.org);
            rows.assert_same_as(&team.org);
            // Snapshots: rows and their JSON load back through the checked constructor.
            prop_assert_eq!(&Organization::from_rows(team.org.to_rows()).unwrap(), &team.org);
            let snapshot = serde_json::to_string(&team.org).unwrap();
            prop_assert_eq!(&serde_json::from_str::<Organization>(&snapshot).unwrap(), &team.org);
            assert_checks_follow_the_matrix(&team);
            // Commands round-trip through serde.
            let json = serde_json::to_string(&step.command).unwrap();
            prop_assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), step.command);
        }
        // Events round-trip through serde: what a service stores, it can load.
        let json = serde_json::to_string(&team.log).unwrap();
        prop_assert_eq!(serde_json::from_str::<Vec<membership::organization::Event>>(&json).unwrap(), team.log);
    }

    /// The kit's state strategy (a fresh creation, random steps folded through `execute`)
    /// only reaches states that keep the invariants and load back from their rows.
    #[test]
    fn inv_org_random_states_keep_the_invariants(org in state()) {
        assert_invariants(&org);
        prop_assert_eq!(&Organization::from_rows(org.to_rows()).unwrap(), &org);
    }
}
