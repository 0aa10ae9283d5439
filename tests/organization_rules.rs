//! One test (or table) per ORG rule, named after its id.

use membership::organization::{
    Change, Command, CreateOrganization, DEFAULT_TTL, InvitationStatus, OfferStatus, Organization, VerificationStatus,
    VoidReason,
};
use membership::{Actor, ActorKind, AssignableRole, Error, ErrorKind, Permission, ReplayProblem, Role, policy};

use crate::support::*;

const VERIFIED: VerificationStatus = VerificationStatus::Verified;

fn u(user: membership::UserId) -> Actor {
    Actor::User(user)
}

/// One of every user-only command, aimed at plausible targets.
fn user_only_commands() -> Vec<Command> {
    vec![
        Command::Invite { invitation_id: invitation(1), email: email("x@example.com"), ttl: DEFAULT_TTL },
        Command::ResendInvitation { invitation_id: invitation(1), ttl: DEFAULT_TTL },
        Command::RevokeInvitation { invitation_id: invitation(1) },
        Command::AcceptInvitation { invitation_id: invitation(1), email: email("x@example.com") },
        Command::DeclineInvitation { invitation_id: invitation(1), email: email("x@example.com") },
        Command::ChangeRole { user_id: MEMBER, role: Role::Admin },
        Command::RemoveMember { user_id: MEMBER },
        Command::Leave,
        Command::OfferOwnership { offer_id: offer(1), to: ADMIN, verification: VERIFIED, ttl: DEFAULT_TTL },
        Command::RevokeOwnershipOffer { offer_id: offer(1) },
        Command::AcceptOwnershipOffer { offer_id: offer(1), verification: VERIFIED },
        Command::DeclineOwnershipOffer { offer_id: offer(1) },
    ]
}

// ORG-1 ------------------------------------------------------------------------------------

#[test]
fn org_1_check_follows_the_matrix_for_every_role_and_permission() {
    let mut team = Team::standard();
    for (user, role) in [(OWNER, Role::Owner), (ADMIN, Role::Admin), (FINANCE, Role::Finance), (MEMBER, Role::Member)] {
        assert_eq!(team.role(user), Some(role));
        for permission in Permission::ALL {
            let result = team.org.check(u(user), permission);
            if policy::grant_of(permission).held_by[Role::ALL.iter().position(|r| *r == role).unwrap()] {
                assert_eq!(result, Ok(()), "{role} × {permission}");
            } else {
                let err = result.unwrap_err();
                assert_eq!(err, Error::PermissionDenied { organization_id: ORG, permission });
                assert_eq!(err.to_string(), policy::denial(permission));
                assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Forbidden, 403));
            }
        }
    }
    // Checks change nothing.
    let before = team.org.clone();
    let _ = team.org.check(u(MEMBER), Permission::MembersManage);
    assert_eq!(team.org, before);
    team.ok(Actor::System, Command::Sweep);
}

// ORG-2 ------------------------------------------------------------------------------------

#[test]
fn org_2_a_token_on_a_user_only_command_is_unauthenticated_whatever_its_organization() {
    for token in [Actor::Token(ORG), Actor::Token(OTHER_ORG)] {
        for command in user_only_commands() {
            let err = Team::standard().refused(token, command.clone(), "user_actor_required");
            assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Unauthenticated, 401), "{command:?}");
        }
    }
}

#[test]
fn org_2_staff_and_system_may_not_run_user_only_commands() {
    for (actor, kind) in [(Actor::Staff, ActorKind::Staff), (Actor::System, ActorKind::System)] {
        for command in user_only_commands() {
            let err = Team::standard().refused(actor, command, "actor_not_allowed");
            assert_eq!(err, Error::ActorNotAllowed { actor: kind });
        }
    }
}

#[test]
fn org_2_only_staff_transfers_directly_and_only_the_system_adds_and_sweeps() {
    let transfer = Command::TransferOwnership { to: ADMIN, verification: VERIFIED };
    let add = Command::AddMember { user_id: OUTSIDER, email: email_of(OUTSIDER) };
    for actor in [u(OWNER), u(ADMIN), Actor::Token(ORG), Actor::System] {
        let err = Team::standard().refused(actor, transfer.clone(), "actor_not_allowed");
        assert_eq!(err, Error::ActorNotAllowed { actor: actor.kind() });
    }
    for actor in [u(OWNER), Actor::Token(ORG), Actor::Staff] {
        Team::standard().refused(actor, add.clone(), "actor_not_allowed");
        Team::standard().refused(actor, Command::Sweep, "actor_not_allowed");
    }
}

#[test]
fn org_2_a_non_member_gets_not_found_even_when_they_also_lack_the_permission() {
    let mut team = Team::standard();
    for command in user_only_commands() {
        let is_invitee_command =
            matches!(command, Command::AcceptInvitation { .. } | Command::DeclineInvitation { .. });
        if is_invitee_command {
            continue; // authorised by the invitation itself (ORG-5)
        }
        let err = team.refused(u(OUTSIDER), command, "organization_not_found");
        assert_eq!(err, Error::OrganizationNotFound { organization_id: ORG });
        assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::NotFound, 404));
    }
    assert_eq!(
        team.org.check(u(OUTSIDER), Permission::MembersManage),
        Err(Error::OrganizationNotFound { organization_id: ORG })
    );
}

#[test]
fn org_2_a_member_without_the_permission_is_denied_before_the_target_is_looked_up() {
    let mut team = Team::standard();
    for actor in [MEMBER, FINANCE] {
        for command in [
            Command::Invite { invitation_id: invitation(1), email: email("x@example.com"), ttl: DEFAULT_TTL },
            Command::ResendInvitation { invitation_id: invitation(404), ttl: DEFAULT_TTL },
            Command::RevokeInvitation { invitation_id: invitation(404) },
            Command::ChangeRole { user_id: OUTSIDER, role: Role::Owner },
            Command::RemoveMember { user_id: OUTSIDER },
        ] {
            let err = team.refused(u(actor), command, "permission_denied");
            assert_eq!(err.to_string(), "You don't have permission to manage members");
        }
    }
}

#[test]
fn org_2_tokens_pass_every_check_in_their_own_organization_only() {
    let team = Team::standard();
    for permission in Permission::ALL {
        assert_eq!(team.org.check(Actor::Token(ORG), permission), Ok(()));
        assert_eq!(
            team.org.check(Actor::Token(OTHER_ORG), permission),
            Err(Error::OrganizationNotFound { organization_id: ORG })
        );
        for actor in [Actor::Staff, Actor::System] {
            assert_eq!(team.org.check(actor, permission), Err(Error::ActorNotAllowed { actor: actor.kind() }));
        }
    }
}

// ORG-3 ------------------------------------------------------------------------------------

#[test]
fn org_3_the_creating_user_becomes_owner_with_their_email() {
    let team = Team::new();
    assert_eq!(team.org.id(), ORG);
    assert_eq!(team.org.version(), 1);
    assert_eq!(team.org.owner().user_id, OWNER);
    assert_eq!(team.org.owner().email.as_str(), "u1@example.com");
    assert_eq!(team.org.owner().created_at, at(0));
    assert_eq!(team.org.created_at(), at(0));
    assert_eq!(team.org.member_count(), 1);
    assert_eq!(team.role(OWNER), Some(Role::Owner));
}

#[test]
fn org_3_only_a_user_creates_an_organization() {
    for actor in [Actor::Token(ORG), Actor::Staff, Actor::System] {
        let create = CreateOrganization { organization_id: ORG, email: email_of(OWNER) };
        let err = Organization::create(create, actor, at(0)).unwrap_err();
        assert_eq!(err, Error::ActorNotAllowed { actor: actor.kind() });
    }
    assert_eq!(Organization::replay(&[]).unwrap_err().problem, ReplayProblem::Empty);
}

// ORG-4 ------------------------------------------------------------------------------------

#[test]
fn org_4_inviting_creates_a_pending_invitation_and_no_membership() {
    let mut team = Team::new();
    let changes = team.invite(invitation(1), email("  New@Example.com "));
    assert_eq!(
        changes,
        [Change::InvitationCreated {
            invitation_id: invitation(1),
            email: email("New@Example.com"),
            invited_by: OWNER,
            expires_at: at(0).after(DEFAULT_TTL),
        }]
    );
    let pending = team.org.invitation(invitation(1)).unwrap();
    assert_eq!(pending.email.as_str(), "New@Example.com");
    assert_eq!(pending.status, InvitationStatus::Pending);
    assert_eq!(pending.created_at, at(0));
    assert_eq!(team.org.member_count(), 1, "invitees are not members before they accept");
    assert_eq!(DEFAULT_TTL.as_secs(), 7 * 24 * 60 * 60);
}

#[test]
fn org_4_inviting_a_members_email_in_any_case_sends_nothing() {
    let mut team = Team::standard();
    assert_eq!(team.invite(invitation(1), email("U4@EXAMPLE.COM")), []);
    let (membership, role) = team.org.member_by_email(&email("u4@example.com")).unwrap();
    assert_eq!((membership.user_id, role), (MEMBER, Role::Member));
    assert!(team.org.invitation(invitation(1)).is_none());
}

#[test]
fn org_4_reinviting_an_open_invitation_resends_it_keeping_id_email_and_inviter() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("New@example.com"));
    team.at(60);
    let changes = team.ok(
        u(ADMIN),
        Command::Invite { invitation_id: invitation(2), email: email("new@EXAMPLE.com"), ttl: ttl_minutes(30) },
    );
    assert_eq!(changes, [Change::InvitationResent { invitation_id: invitation(1), expires_at: at(90) }]);
    let resent = team.org.invitation(invitation(1)).unwrap();
    assert_eq!((resent.email.as_str(), resent.invited_by, resent.expires_at), ("New@example.com", OWNER, at(90)));
    assert!(team.org.invitation(invitation(2)).is_none());
}

#[test]
fn org_4_reinviting_after_expiry_expires_the_old_one_and_creates_a_new_one() {
    let mut team = Team::new();
    team.ok(
        u(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("n@example.com"), ttl: ttl_minutes(10) },
    );
    team.at(10); // expired at exactly expires_at (ORG-13)
    let changes = team.invite(invitation(2), email("n@example.com"));
    assert_eq!(
        changes,
        [
            Change::InvitationExpired { invitation_id: invitation(1) },
            Change::InvitationCreated {
                invitation_id: invitation(2),
                email: email("n@example.com"),
                invited_by: OWNER,
                expires_at: at(10).after(DEFAULT_TTL),
            },
        ]
    );
    assert_eq!(team.org.invitation(invitation(1)).unwrap().status, InvitationStatus::Expired);
    assert_eq!(team.org.pending_invitation(&email("N@example.com")).unwrap().id, invitation(2));
}

#[test]
fn org_4_a_new_invitation_needs_an_unused_id() {
    let mut team = Team::new();
    team.invite(invitation(1), email("a@example.com"));
    let err = team.refused(
        u(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("b@example.com"), ttl: DEFAULT_TTL },
        "invalid_input",
    );
    assert!(err.to_string().contains("invitation_id"), "{err}");
}

// ORG-5 ------------------------------------------------------------------------------------

fn accept(id: membership::InvitationId, user: membership::UserId) -> Command {
    Command::AcceptInvitation { invitation_id: id, email: email_of(user) }
}

#[test]
fn org_5_accepting_adds_a_member_with_the_invitations_email() {
    let mut team = Team::new();
    team.invite(invitation(1), email("U7@Example.com"));
    team.at(5);
    let changes = team.ok(u(user(7)), accept(invitation(1), user(7)));
    assert_eq!(
        changes,
        [
            Change::InvitationAccepted { invitation_id: invitation(1), user_id: user(7) },
            Change::MemberAdded { user_id: user(7), email: email("U7@Example.com"), role: AssignableRole::Member },
        ]
    );
    let (membership, role) = team.org.member(user(7)).unwrap();
    assert_eq!((membership.email.as_str(), role, membership.created_at), ("U7@Example.com", Role::Member, at(5)));
    assert_eq!(team.org.invitation(invitation(1)).unwrap().status, InvitationStatus::Accepted);
}

#[test]
fn org_5_accept_check_1_unknown_invitation_is_not_found_not_organization_not_found() {
    let mut team = Team::new();
    let err = team.refused(u(OUTSIDER), accept(invitation(404), OUTSIDER), "invitation_not_found");
    assert_eq!(err, Error::InvitationNotFound { organization_id: ORG, invitation_id: invitation(404) });
    team.refused(
        u(OUTSIDER),
        Command::DeclineInvitation { invitation_id: invitation(404), email: email_of(OUTSIDER) },
        "invitation_not_found",
    );
}

#[test]
fn org_5_accept_check_2_another_email_is_a_mismatch_even_when_not_open() {
    let mut team = Team::new();
    team.invite(invitation(1), email_of(user(7)));
    team.ok(u(OWNER), Command::RevokeInvitation { invitation_id: invitation(1) });
    team.refused(u(OUTSIDER), accept(invitation(1), OUTSIDER), "invitation_email_mismatch");
    team.refused(
        u(OUTSIDER),
        Command::DeclineInvitation { invitation_id: invitation(1), email: email_of(OUTSIDER) },
        "invitation_email_mismatch",
    );
}

#[test]
fn org_5_accept_check_3_accepting_again_while_a_member_is_a_no_op() {
    let mut team = Team::new();
    team.invite(invitation(1), email_of(user(7)));
    team.ok(u(user(7)), accept(invitation(1), user(7)));
    assert_eq!(team.ok(u(user(7)), accept(invitation(1), user(7))), []);
}

#[test]
fn org_5_accept_check_4_a_removed_members_old_link_never_lets_them_back_in() {
    let mut team = Team::new();
    team.invite(invitation(1), email_of(user(7)));
    team.ok(u(user(7)), accept(invitation(1), user(7)));
    team.ok(u(OWNER), Command::RemoveMember { user_id: user(7) });
    let err = team.refused(u(user(7)), accept(invitation(1), user(7)), "invitation_not_open");
    assert!(err.to_string().contains("accepted"), "{err}");
    assert_eq!(team.role(user(7)), None);
}

#[test]
fn org_5_accept_check_4_not_pending_comes_before_expired() {
    let mut team = Team::new();
    team.invite(invitation(1), email_of(user(7)));
    team.ok(u(user(7)), Command::DeclineInvitation { invitation_id: invitation(1), email: email_of(user(7)) });
    team.at(60 * 24 * 30);
    let err = team.refused(u(user(7)), accept(invitation(1), user(7)), "invitation_not_open");
    assert_eq!(
        err,
        Error::InvitationNotOpen {
            organization_id: ORG,
            invitation_id: invitation(1),
            status: InvitationStatus::Declined
        }
    );
}

#[test]
fn org_5_accept_check_5_an_expired_invitation_is_refused() {
    let mut team = Team::new();
    team.ok(u(OWNER), Command::Invite { invitation_id: invitation(1), email: email_of(user(7)), ttl: ttl_minutes(10) });
    team.at(9);
    team.at(10);
    let err = team.refused(u(user(7)), accept(invitation(1), user(7)), "invitation_expired");
    assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Conflict, 409));
}

#[test]
fn org_5_accept_check_6_a_member_under_another_email_only_closes_the_invitation() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("second-address@example.com"));
    let changes = team.ok(
        u(MEMBER),
        Command::AcceptInvitation { invitation_id: invitation(1), email: email("SECOND-address@example.com") },
    );
    assert_eq!(changes, [Change::InvitationAccepted { invitation_id: invitation(1), user_id: MEMBER }]);
    assert_eq!(team.org.member(MEMBER).unwrap().0.email, email_of(MEMBER));
}

#[test]
fn org_5_decline_checks_not_found_mismatch_not_pending_and_allows_expired() {
    let mut team = Team::new();
    team.ok(u(OWNER), Command::Invite { invitation_id: invitation(1), email: email_of(user(7)), ttl: ttl_minutes(10) });
    team.at(20);
    let decline = Command::DeclineInvitation { invitation_id: invitation(1), email: email_of(user(7)) };
    assert_eq!(team.ok(u(user(7)), decline.clone()), [Change::InvitationDeclined { invitation_id: invitation(1) }]);
    team.refused(u(user(7)), decline, "invitation_not_open");
    assert_eq!(team.org.member_count(), 1);
}

#[test]
fn org_5_revoke_closes_pending_invitations_expired_or_not() {
    let mut team = Team::standard();
    team.ok(
        u(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("a@example.com"), ttl: ttl_minutes(10) },
    );
    team.invite(invitation(2), email("b@example.com"));
    team.at(30);
    for id in [invitation(1), invitation(2)] {
        let changes = team.ok(u(ADMIN), Command::RevokeInvitation { invitation_id: id });
        assert_eq!(changes, [Change::InvitationRevoked { invitation_id: id }]);
        assert_eq!(team.org.invitation(id).unwrap().status, InvitationStatus::Revoked);
        team.refused(u(ADMIN), Command::RevokeInvitation { invitation_id: id }, "invitation_not_open");
    }
    team.refused(u(ADMIN), Command::RevokeInvitation { invitation_id: invitation(404) }, "invitation_not_found");
}

#[test]
fn org_5_resend_checks_not_pending_before_expired() {
    let mut team = Team::new();
    team.ok(
        u(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("a@example.com"), ttl: ttl_minutes(10) },
    );
    team.at(5);
    let resend = |ttl| Command::ResendInvitation { invitation_id: invitation(1), ttl };
    assert_eq!(
        team.ok(u(OWNER), resend(ttl_minutes(10))),
        [Change::InvitationResent { invitation_id: invitation(1), expires_at: at(15) }]
    );
    team.at(15);
    team.refused(u(OWNER), resend(DEFAULT_TTL), "invitation_expired");
    team.ok(u(OWNER), Command::RevokeInvitation { invitation_id: invitation(1) });
    team.refused(u(OWNER), resend(DEFAULT_TTL), "invitation_not_open");
    team.refused(
        u(OWNER),
        Command::ResendInvitation { invitation_id: invitation(404), ttl: DEFAULT_TTL },
        "invitation_not_found",
    );
}

#[test]
fn org_5_direct_add_joins_as_member_and_closes_a_pending_invitation() {
    let mut team = Team::new();
    team.ok(
        u(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("U7@example.com"), ttl: ttl_minutes(1) },
    );
    team.at(30); // even an expired pending invitation is closed as accepted
    let changes = team.ok(Actor::System, Command::AddMember { user_id: user(7), email: email("u7@example.com") });
    assert_eq!(
        changes,
        [
            Change::InvitationAccepted { invitation_id: invitation(1), user_id: user(7) },
            Change::MemberAdded { user_id: user(7), email: email("u7@example.com"), role: AssignableRole::Member },
        ]
    );
    assert_eq!(team.role(user(7)), Some(Role::Member));
    assert!(team.org.pending_invitation(&email("u7@example.com")).is_none());
}

#[test]
fn org_5_direct_add_of_a_member_changes_nothing() {
    let mut team = Team::standard();
    assert_eq!(team.ok(Actor::System, Command::AddMember { user_id: ADMIN, email: email("other@example.com") }), []);
    assert_eq!(team.role(ADMIN), Some(Role::Admin));
}

#[test]
fn org_5_direct_add_refuses_a_second_user_with_a_members_email() {
    let mut team = Team::standard();
    let err = team.refused(
        Actor::System,
        Command::AddMember { user_id: OUTSIDER, email: email("U2@example.com") },
        "member_email_taken",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn org_5_a_removed_user_who_rejoins_gets_a_new_membership() {
    let mut team = Team::standard();
    team.ok(u(OWNER), Command::RemoveMember { user_id: ADMIN });
    team.at(100);
    team.ok(Actor::System, Command::AddMember { user_id: ADMIN, email: email_of(ADMIN) });
    let (membership, role) = team.org.member(ADMIN).unwrap();
    assert_eq!((membership.created_at, role), (at(100), Role::Member));
}

// ORG-6 ------------------------------------------------------------------------------------

fn change_role(user_id: membership::UserId, role: Role) -> Command {
    Command::ChangeRole { user_id, role }
}

#[test]
fn org_6_changing_a_role_emits_from_and_to() {
    let mut team = Team::standard();
    let changes = team.ok(u(ADMIN), change_role(MEMBER, Role::Finance));
    assert_eq!(
        changes,
        [Change::MemberRoleChanged { user_id: MEMBER, from: AssignableRole::Member, to: AssignableRole::Finance }]
    );
    assert_eq!(team.role(MEMBER), Some(Role::Finance));
}

#[test]
fn org_6_checks_in_order_not_found_then_owner_role_then_owner_target_then_same_role() {
    let mut team = Team::standard();
    team.refused(u(ADMIN), change_role(OUTSIDER, Role::Owner), "member_not_found");
    let err = team.refused(u(ADMIN), change_role(OWNER, Role::Owner), "owner_role_not_assignable");
    assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Invalid, 422));
    team.refused(u(ADMIN), change_role(MEMBER, Role::Owner), "owner_role_not_assignable");
    let err = team.refused(u(ADMIN), change_role(OWNER, Role::Member), "owner_role_immutable");
    assert_eq!(err, Error::OwnerRoleImmutable { organization_id: ORG, user_id: OWNER });
    assert_eq!(team.ok(u(ADMIN), change_role(MEMBER, Role::Member)), []);
}

#[test]
fn org_6_admins_promote_and_demote_admins_including_themselves() {
    let mut team = Team::standard();
    team.join(user(5), Role::Admin);
    team.ok(u(ADMIN), change_role(user(5), Role::Member));
    team.ok(u(ADMIN), change_role(user(5), Role::Admin));
    team.ok(u(ADMIN), change_role(ADMIN, Role::Finance));
    assert_eq!(team.role(ADMIN), Some(Role::Finance));
    team.refused(u(ADMIN), change_role(MEMBER, Role::Admin), "permission_denied");
}

// ORG-7 ------------------------------------------------------------------------------------

#[test]
fn org_7_removing_a_member_ends_their_membership() {
    let mut team = Team::standard();
    let changes = team.ok(u(ADMIN), Command::RemoveMember { user_id: FINANCE });
    assert_eq!(changes, [Change::MemberRemoved { user_id: FINANCE, role: AssignableRole::Finance }]);
    assert_eq!(team.role(FINANCE), None);
    assert_eq!(team.org.member_count(), 3);
    assert!(team.org.member_by_email(&email_of(FINANCE)).is_none());
    team.refused(u(FINANCE), Command::Leave, "organization_not_found");
}

#[test]
fn org_7_checks_not_found_then_owner() {
    let mut team = Team::standard();
    team.refused(u(ADMIN), Command::RemoveMember { user_id: OUTSIDER }, "member_not_found");
    let err = team.refused(u(ADMIN), Command::RemoveMember { user_id: OWNER }, "owner_cannot_be_removed");
    assert_eq!(err, Error::OwnerCannotBeRemoved { organization_id: ORG, user_id: OWNER });
    team.refused(u(OWNER), Command::RemoveMember { user_id: OWNER }, "owner_cannot_be_removed");
}

#[test]
fn org_7_a_non_owner_may_remove_themselves() {
    let mut team = Team::standard();
    assert_eq!(
        team.ok(u(ADMIN), Command::RemoveMember { user_id: ADMIN }),
        [Change::MemberRemoved { user_id: ADMIN, role: AssignableRole::Admin }]
    );
}

#[test]
fn org_7_removal_leaves_invitations_the_member_sent() {
    let mut team = Team::standard();
    team.ok(
        u(ADMIN),
        Command::Invite { invitation_id: invitation(1), email: email("a@example.com"), ttl: DEFAULT_TTL },
    );
    team.ok(u(OWNER), Command::RemoveMember { user_id: ADMIN });
    let invitation = team.org.invitation(invitation(1)).unwrap();
    assert_eq!((invitation.status, invitation.invited_by), (InvitationStatus::Pending, ADMIN));
}

#[test]
fn org_7_removal_voids_a_pending_offer_to_the_removed_member() {
    let mut team = Team::standard();
    team.offer(offer(1), ADMIN, DEFAULT_TTL);
    let changes = team.ok(u(OWNER), Command::RemoveMember { user_id: ADMIN });
    assert_eq!(
        changes,
        [
            Change::OwnershipOfferVoided { offer_id: offer(1), reason: VoidReason::TargetRemoved },
            Change::MemberRemoved { user_id: ADMIN, role: AssignableRole::Admin },
        ]
    );
    assert!(team.org.pending_offer().is_none());
    // An offer to someone else survives.
    team.offer(offer(2), FINANCE, DEFAULT_TTL);
    assert_eq!(
        team.ok(u(OWNER), Command::RemoveMember { user_id: MEMBER }),
        [Change::MemberRemoved { user_id: MEMBER, role: AssignableRole::Member }]
    );
    assert_eq!(team.org.pending_offer().unwrap().id, offer(2));
}

// ORG-8 ------------------------------------------------------------------------------------

#[test]
fn org_8_a_member_leaves() {
    let mut team = Team::standard();
    assert_eq!(
        team.ok(u(MEMBER), Command::Leave),
        [Change::MemberLeft { user_id: MEMBER, role: AssignableRole::Member }]
    );
    assert_eq!(team.role(MEMBER), None);
}

#[test]
fn org_8_the_last_member_is_told_that_before_being_told_they_are_owner() {
    let mut team = Team::new();
    let err = team.refused(u(OWNER), Command::Leave, "last_member_cannot_leave");
    assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Forbidden, 403));
}

#[test]
fn org_8_owner_cannot_leave() {
    let mut team = Team::standard();
    let err = team.refused(u(OWNER), Command::Leave, "owner_cannot_leave");
    assert!(err.to_string().contains("transfer ownership first"), "{err}");
}

#[test]
fn org_8_leaving_voids_a_pending_offer_to_the_leaver() {
    let mut team = Team::standard();
    team.offer(offer(1), FINANCE, DEFAULT_TTL);
    assert_eq!(
        team.ok(u(FINANCE), Command::Leave),
        [
            Change::OwnershipOfferVoided { offer_id: offer(1), reason: VoidReason::TargetLeft },
            Change::MemberLeft { user_id: FINANCE, role: AssignableRole::Finance },
        ]
    );
    team.offer(offer(2), ADMIN, DEFAULT_TTL);
    assert_eq!(
        team.ok(u(MEMBER), Command::Leave),
        [Change::MemberLeft { user_id: MEMBER, role: AssignableRole::Member }]
    );
}

// ORG-9 ------------------------------------------------------------------------------------

#[test]
fn org_9_role_picker_and_role_definitions_come_from_the_matrix() {
    let picker = policy::role_picker();
    assert_eq!(picker.map(|row| row.role), [AssignableRole::Admin, AssignableRole::Finance, AssignableRole::Member]);
    assert!(picker.iter().all(|row| row.permissions == row.role.role().permissions()));
    let definitions = policy::role_definitions();
    assert_eq!(definitions.map(|row| row.role), Role::ALL);
    assert_eq!(definitions[0].permissions, definitions[1].permissions, "owner and admin carry the same permissions");
}

// ORG-10: direct ---------------------------------------------------------------------------

fn transfer(to: membership::UserId, verification: VerificationStatus) -> Command {
    Command::TransferOwnership { to, verification }
}

#[test]
fn org_10_direct_transfer_swaps_owner_and_admin_in_one_event() {
    let mut team = Team::standard();
    let changes = team.ok(Actor::Staff, transfer(MEMBER, VERIFIED));
    assert_eq!(
        changes,
        [Change::OwnershipTransferred {
            from: OWNER,
            from_role: AssignableRole::Admin,
            to: MEMBER,
            to_role: Role::Owner
        }]
    );
    assert_eq!((team.role(OWNER), team.role(MEMBER)), (Some(Role::Admin), Some(Role::Owner)));
    assert_eq!(team.org.owner().user_id, MEMBER);
    assert_eq!(team.org.member_count(), 4);
}

#[test]
fn org_10_direct_transfer_checks_member_then_owner_then_verification() {
    let mut team = Team::standard();
    team.refused(Actor::Staff, transfer(OUTSIDER, VerificationStatus::Failed), "member_not_found");
    let err = team.refused(Actor::Staff, transfer(OWNER, VerificationStatus::Failed), "already_owner");
    assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Conflict, 400));
    for status in [VerificationStatus::Unverified, VerificationStatus::Pending, VerificationStatus::Failed] {
        let err = team.refused(Actor::Staff, transfer(ADMIN, status), "new_owner_not_verified");
        assert_eq!(err, Error::NewOwnerNotVerified { organization_id: ORG, user_id: ADMIN, status });
        assert_eq!(err.polar_status().as_u16(), 400);
    }
}

#[test]
fn org_10_direct_transfer_voids_the_pending_offer_and_it_never_reopens() {
    let mut team = Team::standard();
    team.offer(offer(1), FINANCE, DEFAULT_TTL);
    assert_eq!(
        team.ok(Actor::Staff, transfer(ADMIN, VERIFIED)),
        [
            Change::OwnershipOfferVoided { offer_id: offer(1), reason: VoidReason::OwnerChanged },
            Change::OwnershipTransferred {
                from: OWNER,
                from_role: AssignableRole::Admin,
                to: ADMIN,
                to_role: Role::Owner
            },
        ]
    );
    team.ok(Actor::Staff, transfer(OWNER, VERIFIED)); // A → B → A
    let err = team.refused(
        u(FINANCE),
        Command::AcceptOwnershipOffer { offer_id: offer(1), verification: VERIFIED },
        "ownership_offer_not_open",
    );
    assert_eq!(
        err,
        Error::OwnershipOfferNotOpen { organization_id: ORG, offer_id: offer(1), status: OfferStatus::Voided }
    );
}

// ORG-10: offers ---------------------------------------------------------------------------

#[test]
fn org_10_the_owner_offers_and_the_target_accepts() {
    let mut team = Team::standard();
    assert_eq!(
        team.offer(offer(1), MEMBER, ttl_minutes(60)),
        [Change::OwnershipOffered { offer_id: offer(1), from: OWNER, to: MEMBER, expires_at: at(60) }]
    );
    let pending = *team.org.pending_offer().unwrap();
    assert_eq!(
        (pending.from, pending.to, pending.created_at, pending.status),
        (OWNER, MEMBER, at(0), OfferStatus::Pending)
    );
    team.at(59);
    let changes = team.ok(u(MEMBER), Command::AcceptOwnershipOffer { offer_id: offer(1), verification: VERIFIED });
    assert_eq!(
        changes,
        [
            Change::OwnershipOfferAccepted { offer_id: offer(1) },
            Change::OwnershipTransferred {
                from: OWNER,
                from_role: AssignableRole::Admin,
                to: MEMBER,
                to_role: Role::Owner
            },
        ]
    );
    assert_eq!((team.role(OWNER), team.role(MEMBER)), (Some(Role::Admin), Some(Role::Owner)));
    assert_eq!(team.org.offer(offer(1)).unwrap().status, OfferStatus::Accepted);
    assert!(team.org.pending_offer().is_none());
}

#[test]
fn org_10_making_an_offer_checks_owner_then_target() {
    let mut team = Team::standard();
    let make = |to, verification| Command::OfferOwnership { offer_id: offer(1), to, verification, ttl: DEFAULT_TTL };
    let err = team.refused(u(ADMIN), make(OUTSIDER, VerificationStatus::Failed), "not_owner");
    assert_eq!(err, Error::NotOwner { organization_id: ORG, user_id: ADMIN });
    team.refused(u(OUTSIDER), make(ADMIN, VERIFIED), "organization_not_found");
    team.refused(u(OWNER), make(OUTSIDER, VerificationStatus::Failed), "member_not_found");
    team.refused(u(OWNER), make(OWNER, VerificationStatus::Failed), "already_owner");
    team.refused(u(OWNER), make(ADMIN, VerificationStatus::Pending), "new_owner_not_verified");
}

#[test]
fn org_10_a_new_offer_replaces_the_pending_one_with_a_new_id() {
    let mut team = Team::standard();
    team.offer(offer(1), ADMIN, DEFAULT_TTL);
    assert_eq!(
        team.offer(offer(2), ADMIN, DEFAULT_TTL),
        [
            Change::OwnershipOfferVoided { offer_id: offer(1), reason: VoidReason::Replaced },
            Change::OwnershipOffered {
                offer_id: offer(2),
                from: OWNER,
                to: ADMIN,
                expires_at: at(0).after(DEFAULT_TTL)
            },
        ]
    );
    let err = team.refused(
        u(OWNER),
        Command::OfferOwnership { offer_id: offer(1), to: FINANCE, verification: VERIFIED, ttl: DEFAULT_TTL },
        "invalid_input",
    );
    assert!(err.to_string().contains("offer_id"), "{err}");
}

#[test]
fn org_10_a_rejected_new_offer_does_not_void_the_pending_one() {
    let mut team = Team::standard();
    team.offer(offer(1), ADMIN, DEFAULT_TTL);
    team.refused(
        u(OWNER),
        Command::OfferOwnership {
            offer_id: offer(2),
            to: FINANCE,
            verification: VerificationStatus::Unverified,
            ttl: DEFAULT_TTL,
        },
        "new_owner_not_verified",
    );
    assert_eq!(team.org.pending_offer().unwrap().id, offer(1));
}

#[test]
fn org_10_revoking_checks_owner_then_found_then_pending_and_allows_expired() {
    let mut team = Team::standard();
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    let revoke = |id| Command::RevokeOwnershipOffer { offer_id: id };
    team.refused(u(ADMIN), revoke(offer(404)), "not_owner");
    team.refused(u(OWNER), revoke(offer(404)), "ownership_offer_not_found");
    team.at(20);
    assert_eq!(team.ok(u(OWNER), revoke(offer(1))), [Change::OwnershipOfferRevoked { offer_id: offer(1) }]);
    team.refused(u(OWNER), revoke(offer(1)), "ownership_offer_not_open");
}

#[test]
fn org_10_accepting_checks_found_target_pending_expiry_verification_in_order() {
    let mut team = Team::standard();
    let accept = |id, verification| Command::AcceptOwnershipOffer { offer_id: id, verification };
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    team.refused(u(OUTSIDER), accept(offer(1), VERIFIED), "organization_not_found");
    team.refused(u(FINANCE), accept(offer(404), VERIFIED), "ownership_offer_not_found");
    let err = team.refused(u(FINANCE), accept(offer(1), VERIFIED), "not_offer_target");
    assert_eq!(err, Error::NotOfferTarget { organization_id: ORG, offer_id: offer(1) });
    // A rejected acceptance leaves the offer as it was.
    let err = team.refused(u(ADMIN), accept(offer(1), VerificationStatus::Pending), "new_owner_not_verified");
    assert_eq!(
        err,
        Error::NewOwnerNotVerified { organization_id: ORG, user_id: ADMIN, status: VerificationStatus::Pending }
    );
    assert_eq!(team.org.pending_offer().unwrap().id, offer(1));
    team.at(10);
    team.refused(u(ADMIN), accept(offer(1), VerificationStatus::Failed), "ownership_offer_expired");
    team.ok(u(OWNER), Command::RevokeOwnershipOffer { offer_id: offer(1) });
    team.refused(u(ADMIN), accept(offer(1), VerificationStatus::Failed), "ownership_offer_not_open");
    team.refused(u(FINANCE), accept(offer(1), VERIFIED), "not_offer_target");
}

#[test]
fn org_10_declining_checks_found_target_pending_and_allows_expired() {
    let mut team = Team::standard();
    let decline = |id| Command::DeclineOwnershipOffer { offer_id: id };
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    team.refused(u(ADMIN), decline(offer(404)), "ownership_offer_not_found");
    team.refused(u(OWNER), decline(offer(1)), "not_offer_target");
    team.at(30);
    assert_eq!(team.ok(u(ADMIN), decline(offer(1))), [Change::OwnershipOfferDeclined { offer_id: offer(1) }]);
    team.refused(u(ADMIN), decline(offer(1)), "ownership_offer_not_open");
    assert_eq!(team.role(OWNER), Some(Role::Owner));
}

// ORG-11 -----------------------------------------------------------------------------------

#[test]
fn org_11_a_user_belongs_to_many_organizations_with_a_role_in_each() {
    let mut first = Team::standard();
    let mut second = Team::new();
    second.join(MEMBER, Role::Admin);
    first.ok(u(OWNER), Command::RemoveMember { user_id: MEMBER });
    assert_eq!((first.role(MEMBER), second.role(MEMBER)), (None, Some(Role::Admin)));
}

// ORG-12 -----------------------------------------------------------------------------------

#[test]
fn org_12_the_role_change_table_agrees_with_change_role_for_every_triple() {
    let mut allowed = 0;
    for (a, actor_role) in Role::ALL.into_iter().enumerate() {
        for (x, from) in Role::ALL.into_iter().enumerate() {
            for (y, to) in Role::ALL.into_iter().enumerate() {
                let mut team = Team::new();
                let mut seat = |user, role| {
                    if role == Role::Owner {
                        OWNER
                    } else {
                        team.join(user, role);
                        user
                    }
                };
                let (actor, target) = (seat(user(20), actor_role), seat(user(21), from));
                let outcome = team.run(u(actor), Command::ChangeRole { user_id: target, role: to });
                let expected = policy::ROLE_CHANGES[a][x][y];
                assert_eq!(outcome.is_ok(), expected, "{actor_role}: {from} → {to}: {outcome:?}");
                assert_eq!(team.role(target), Some(if expected { to } else { from }));
                allowed += usize::from(expected);
            }
        }
    }
    assert_eq!(allowed, 18);
}

// ORG-13 -----------------------------------------------------------------------------------

#[test]
fn org_13_an_invitation_is_open_until_the_instant_it_expires() {
    let mut team = Team::new();
    team.ok(
        u(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("a@example.com"), ttl: ttl_minutes(10) },
    );
    let invitation = team.org.invitation(invitation(1)).unwrap().clone();
    assert!(invitation.is_open_at(at(9)));
    assert!(!invitation.is_expired_at(at(9)));
    assert!(!invitation.is_open_at(at(10)));
    assert!(invitation.is_expired_at(at(10)));
}

#[test]
fn org_13_the_sweep_expires_what_is_due_once_in_expiry_order() {
    let mut team = Team::standard();
    let invite = |n, minutes| Command::Invite {
        invitation_id: invitation(n),
        email: email(&format!("i{n}@example.com")),
        ttl: ttl_minutes(minutes),
    };
    // Expiry ties are broken by id; storage order must not show through.
    for (n, minutes) in [(1, 30), (2, 10), (3, 60), (4, 5), (5, 20), (6, 10), (7, 25), (8, 20), (9, 30), (10, 15)] {
        team.ok(u(OWNER), invite(n, minutes));
    }
    team.ok(u(OWNER), Command::RevokeInvitation { invitation_id: invitation(4) });
    team.offer(offer(1), ADMIN, ttl_minutes(30));
    team.at(30);
    let expired = |n| Change::InvitationExpired { invitation_id: invitation(n) };
    assert_eq!(
        team.ok(Actor::System, Command::Sweep),
        [
            expired(2),
            expired(6),
            expired(10),
            expired(5),
            expired(8),
            expired(7),
            expired(1),
            expired(9),
            Change::OwnershipOfferExpired { offer_id: offer(1) },
        ]
    );
    assert_eq!(team.ok(Actor::System, Command::Sweep), []);
    assert_eq!(team.org.invitation(invitation(3)).unwrap().status, InvitationStatus::Pending);
    assert_eq!(team.org.invitation(invitation(4)).unwrap().status, InvitationStatus::Revoked);
    assert_eq!(team.org.offer(offer(1)).unwrap().status, OfferStatus::Expired);
    team.refused(
        u(ADMIN),
        Command::AcceptOwnershipOffer { offer_id: offer(1), verification: VERIFIED },
        "ownership_offer_not_open",
    );
    team.refused(
        u(user(7)),
        Command::AcceptInvitation { invitation_id: invitation(1), email: email("i1@example.com") },
        "invitation_not_open",
    );
}

#[test]
fn org_13_a_sweep_before_expiry_emits_nothing() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("a@example.com"));
    team.offer(offer(1), ADMIN, DEFAULT_TTL);
    assert_eq!(team.ok(Actor::System, Command::Sweep), []);
}
