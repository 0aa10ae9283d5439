//! The equality INV-ORG-D and INV-ORG-E rest on: every "a refusal changes nothing" and
//! "replay rebuilds the state" assertion compares two `Organization`s, so two states must
//! compare unequal whenever anything a member could see differs, whatever else is the same.

use membership::organization::{InvitationStatus, OfferStatus, Organization, Snapshot};
use membership::{Role, Timestamp};

use crate::support::*;

/// A team with a member of every role, a pending invitation and a pending offer, as rows.
fn rows() -> Snapshot {
    let mut team = Team::standard();
    team.invite(invitation(1), email("invitee@example.com"));
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    team.org.to_rows()
}

fn later(at: Timestamp) -> Timestamp {
    at.saturating_add(chrono::TimeDelta::minutes(1))
}

/// `rows` changed by `change`, each change alone.
fn variants() -> Vec<(&'static str, Snapshot)> {
    let base = rows();
    let with = |change: &dyn Fn(&mut Snapshot)| {
        let mut rows = base.clone();
        change(&mut rows);
        rows
    };
    vec![
        ("id", with(&|rows| rows.id = OTHER_ORG)),
        ("version", with(&|rows| rows.version += 1)),
        ("created_at", with(&|rows| rows.created_at = later(rows.created_at))),
        (
            "owner's joining time",
            with(&|rows| {
                let owner = rows.members.iter_mut().find(|row| row.role == Role::Owner).unwrap();
                owner.membership.created_at = later(owner.membership.created_at);
            }),
        ),
        (
            "owner's email",
            with(&|rows| {
                let owner = rows.members.iter_mut().find(|row| row.role == Role::Owner).unwrap();
                owner.membership.email = email("owner-elsewhere@example.com");
            }),
        ),
        (
            "a member's role",
            with(&|rows| {
                rows.members.iter_mut().find(|row| row.membership.user_id == MEMBER).unwrap().role = Role::Finance;
            }),
        ),
        (
            "a member's email",
            with(&|rows| {
                let row = rows.members.iter_mut().find(|row| row.membership.user_id == MEMBER).unwrap();
                row.membership.email = email("member-elsewhere@example.com");
            }),
        ),
        ("a member fewer", with(&|rows| rows.members.retain(|row| row.membership.user_id != MEMBER))),
        (
            "the owner and an admin swapped",
            with(&|rows| {
                for row in &mut rows.members {
                    row.role = match row.role {
                        Role::Owner => Role::Admin,
                        Role::Admin => Role::Owner,
                        role => role,
                    };
                }
                rows.offers.clear();
            }),
        ),
        ("an invitation's status", with(&|rows| rows.invitations[0].status = InvitationStatus::Declined)),
        (
            "an invitation's expiry",
            with(&|rows| rows.invitations[0].expires_at = later(rows.invitations[0].expires_at)),
        ),
        ("an invitation fewer", with(&|rows| rows.invitations.clear())),
        ("an offer's status", with(&|rows| rows.offers[0].status = OfferStatus::Revoked)),
        ("an offer's expiry", with(&|rows| rows.offers[0].expires_at = later(rows.offers[0].expires_at))),
        ("an offer fewer", with(&|rows| rows.offers.clear())),
    ]
}

#[test]
fn inv_org_d_states_equal_exactly_when_their_rows_are() {
    let base = Organization::from_rows(rows()).unwrap();
    // Another load of the same rows has other hash seeds and layouts, and is equal.
    assert_eq!(Organization::from_rows(rows()).unwrap(), base);
    for (what, variant) in variants() {
        let variant = Organization::from_rows(variant).unwrap_or_else(|error| panic!("{what}: {error}"));
        assert_ne!(variant, base, "states differing only in {what} compare equal");
        assert_ne!(base, variant, "states differing only in {what} compare equal");
    }
}
