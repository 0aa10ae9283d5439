//! Checked replay (docs/rules.md#replay) and INV-ORG-C against hostile stored data: each
//! event or row below is one that `decide` never emits, and `apply` or `from_rows` must name
//! what is wrong with it.

use membership::organization::{
    Change, Command, Event, InvitationStatus, OfferStatus, Organization, OwnershipOffer, Snapshot,
};
use membership::{Actor, AssignableRole, ReplayError, ReplayProblem, Role, StreamId};

use crate::support::*;

/// The team's log with `change` appended as the next event.
fn log_ending_in(team: &Team, change: Change) -> Vec<Event> {
    let mut log = team.log.clone();
    let mut last = log.last().unwrap().clone();
    last.version += 1;
    last.change = change;
    log.push(last);
    log
}

#[track_caller]
fn refused(team: &Team, change: Change, problem: ReplayProblem) {
    let log = log_ending_in(team, change);
    let version = log.last().unwrap().version;
    let error = Organization::replay(&log).unwrap_err();
    assert_eq!(error, ReplayError { stream: StreamId::Organization(ORG), version, problem }, "{error}");
    // `apply` alone refuses it too, and leaves the state as it was.
    let mut org = team.org.clone();
    assert_eq!(org.apply(log.last().unwrap()).unwrap_err().problem, problem);
    assert_eq!(org.to_rows(), team.org.to_rows());
}

/// A standard team with invitation 1 revoked and offer 1 (to ADMIN) revoked.
fn closed_records() -> Team {
    let mut team = Team::standard();
    team.invite(invitation(1), email("invitee@example.com"));
    team.ok(Actor::User(OWNER), Command::RevokeInvitation { invitation_id: invitation(1) });
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    team.ok(Actor::User(OWNER), Command::RevokeOwnershipOffer { offer_id: offer(1) });
    team
}

#[test]
fn spec_1_5_an_event_on_an_invitation_no_longer_pending_is_refused() {
    let team = closed_records();
    let id = invitation(1);
    for change in [
        Change::InvitationAccepted { invitation_id: id, user_id: OUTSIDER },
        Change::InvitationDeclined { invitation_id: id },
        Change::InvitationRevoked { invitation_id: id },
        Change::InvitationExpired { invitation_id: id },
        Change::InvitationResent { invitation_id: id, expires_at: at(60) },
    ] {
        refused(&team, change, ReplayProblem::InvitationNotPending);
    }
}

#[test]
fn spec_1_5_an_event_on_an_offer_that_is_not_the_pending_one_is_refused() {
    let mut team = closed_records();
    // A closed offer, while no offer is pending.
    for change in [
        Change::OwnershipOfferAccepted { offer_id: offer(1) },
        Change::OwnershipOfferDeclined { offer_id: offer(1) },
        Change::OwnershipOfferRevoked { offer_id: offer(1) },
        Change::OwnershipOfferExpired { offer_id: offer(1) },
    ] {
        refused(&team, change, ReplayProblem::OfferNotPending);
    }
    // A closed offer, while another one is pending.
    team.offer(offer(2), FINANCE, ttl_minutes(10));
    refused(&team, Change::OwnershipOfferAccepted { offer_id: offer(1) }, ReplayProblem::OfferNotPending);
    refused(&team, Change::OwnershipOfferAccepted { offer_id: offer(3) }, ReplayProblem::UnknownOffer);
}

#[test]
fn inv_org_c_an_invitation_for_a_members_email_or_a_pending_one_is_refused_each_alone() {
    let mut team = Team::standard();
    let invited = |invitation_id, email| Change::InvitationCreated {
        invitation_id,
        email,
        invited_by: OWNER,
        expires_at: at(60),
    };
    // A member's email (folded), with no invitation pending for it.
    refused(&team, invited(invitation(1), email("U4@Example.com")), ReplayProblem::InvitationAlreadyPending);
    // An email with a pending invitation, that is no member's.
    team.invite(invitation(1), email("invitee@example.com"));
    refused(&team, invited(invitation(2), email("Invitee@example.com")), ReplayProblem::InvitationAlreadyPending);
}

#[test]
fn org_10_a_transfer_must_leave_the_old_owner_admin_and_make_the_new_one_owner() {
    let team = Team::standard();
    let transfer = |from_role, to_role| Change::OwnershipTransferred { from: OWNER, from_role, to: ADMIN, to_role };
    // Each role wrong alone.
    refused(&team, transfer(AssignableRole::Member, Role::Owner), ReplayProblem::RoleNotAllowed);
    refused(&team, transfer(AssignableRole::Admin, Role::Admin), ReplayProblem::RoleNotAllowed);
}

/// The team's rows with one pending offer, and the same rows with `change` made to it.
fn rows_with_offer(change: impl Fn(&mut OwnershipOffer)) -> (Snapshot, Snapshot) {
    let mut team = Team::standard();
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    let rows = team.org.to_rows();
    let mut changed = rows.clone();
    assert_eq!(changed.offers[0].status, OfferStatus::Pending);
    change(&mut changed.offers[0]);
    (rows, changed)
}

#[test]
fn inv_org_c_rows_with_a_pending_offer_not_from_the_owner_or_not_to_a_member_are_an_error() {
    let (rows, _) = rows_with_offer(|_| ());
    assert!(Organization::from_rows(rows).is_ok());
    for (what, change) in [
        ("from a member who is not the owner", &(|offer: &mut OwnershipOffer| offer.from = MEMBER) as &dyn Fn(&mut _)),
        ("to a non-member", &|offer: &mut OwnershipOffer| offer.to = OUTSIDER),
        ("to the owner", &|offer: &mut OwnershipOffer| offer.to = OWNER),
    ] {
        let (_, rows) = rows_with_offer(change);
        let error = Organization::from_rows(rows).unwrap_err();
        assert_eq!(error.problem, ReplayProblem::OfferLeftPending, "a pending offer {what}: {error}");
    }
    // A closed offer may name anyone: owners and members change after it closes.
    let (_, rows) = rows_with_offer(|offer| {
        offer.to = OUTSIDER;
        offer.status = OfferStatus::Declined;
    });
    assert!(Organization::from_rows(rows).is_ok());
}

#[test]
fn inv_org_c_rows_with_a_closed_invitation_for_a_members_email_load() {
    // Only a *pending* invitation may not name a member's email: an accepted one always does.
    let mut team = Team::standard();
    team.invite(invitation(1), email("invitee@example.com"));
    team.ok(
        Actor::User(user(7)),
        Command::AcceptInvitation { invitation_id: invitation(1), email: email("invitee@example.com") },
    );
    let rows = team.org.to_rows();
    assert_eq!(rows.invitations[0].status, InvitationStatus::Accepted);
    assert_eq!(Organization::from_rows(rows).unwrap(), team.org);
}
