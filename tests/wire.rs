//! Exact JSON of events, actors and errors: the wire format cannot drift unnoticed.

use membership::organization::{Change, Command, Event, InvitationStatus, OfferStatus, VerificationStatus, VoidReason};
use membership::{Actor, ActorKind, AssignableRole, Error, ErrorKind, Permission, Role};
use serde_json::json;

use crate::support::*;

#[track_caller]
fn round_trip(event: &Event, expected: serde_json::Value) {
    assert_eq!(serde_json::to_value(event).unwrap(), expected);
    assert_eq!(&serde_json::from_value::<Event>(expected).unwrap(), event);
}

#[test]
fn events_serialize_flat_with_a_type_tag_version_actor_and_time() {
    let mut team = Team::standard();
    team.at(90);
    team.ok(Actor::User(ADMIN), Command::ChangeRole { user_id: MEMBER, role: membership::Role::Admin });
    let event = team.log.last().unwrap();
    round_trip(
        event,
        json!({
            "organization_id": "00000000-0000-0000-0000-00000000000a",
            "version": team.org.version(),
            "at": "2025-01-01T01:30:00Z",
            "actor": {"kind": "user", "id": "00000000-0000-0000-0000-000000000102"},
            "type": "organization.member_role_changed",
            "user_id": "00000000-0000-0000-0000-000000000104",
            "from": "member",
            "to": "admin",
        }),
    );
    assert_eq!(
        event.change,
        Change::MemberRoleChanged { user_id: MEMBER, from: AssignableRole::Member, to: AssignableRole::Admin }
    );
}

#[test]
fn every_event_type_has_its_stable_tag() {
    let base = |change| Event { organization_id: ORG, version: 7, at: at(0), actor: Actor::System, change };
    let (i, o) = (invitation(1), offer(1));
    for (change, tag) in [
        (Change::Created { owner: OWNER, email: email_of(OWNER) }, "organization.created"),
        (
            Change::InvitationCreated {
                invitation_id: i,
                email: email("a@example.com"),
                invited_by: OWNER,
                expires_at: at(1),
            },
            "organization.invitation_created",
        ),
        (Change::InvitationResent { invitation_id: i, expires_at: at(2) }, "organization.invitation_resent"),
        (Change::InvitationAccepted { invitation_id: i, user_id: MEMBER }, "organization.invitation_accepted"),
        (Change::InvitationDeclined { invitation_id: i }, "organization.invitation_declined"),
        (Change::InvitationRevoked { invitation_id: i }, "organization.invitation_revoked"),
        (Change::InvitationExpired { invitation_id: i }, "organization.invitation_expired"),
        (
            Change::MemberAdded { user_id: MEMBER, email: email_of(MEMBER), role: AssignableRole::Member },
            "organization.member_added",
        ),
        (Change::MemberRemoved { user_id: MEMBER, role: AssignableRole::Member }, "organization.member_removed"),
        (Change::MemberLeft { user_id: MEMBER, role: AssignableRole::Member }, "organization.member_left"),
        (
            Change::OwnershipTransferred {
                from: OWNER,
                from_role: AssignableRole::Admin,
                to: ADMIN,
                to_role: Role::Owner,
            },
            "organization.ownership_transferred",
        ),
        (
            Change::OwnershipOffered { offer_id: o, from: OWNER, to: ADMIN, expires_at: at(3) },
            "organization.ownership_offered",
        ),
        (Change::OwnershipOfferAccepted { offer_id: o }, "organization.ownership_offer_accepted"),
        (Change::OwnershipOfferDeclined { offer_id: o }, "organization.ownership_offer_declined"),
        (Change::OwnershipOfferRevoked { offer_id: o }, "organization.ownership_offer_revoked"),
        (
            Change::OwnershipOfferVoided { offer_id: o, reason: VoidReason::TargetRemoved },
            "organization.ownership_offer_voided",
        ),
        (Change::OwnershipOfferExpired { offer_id: o }, "organization.ownership_offer_expired"),
    ] {
        let event = base(change);
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["type"], tag);
        assert_eq!(value["actor"], json!({"kind": "system"}));
        assert_eq!(serde_json::from_value::<Event>(value).unwrap(), event);
    }
}

#[test]
fn actors_statuses_and_reasons_serialize_as_snake_case() {
    for (actor, expected) in [
        (Actor::User(OWNER), json!({"kind": "user", "id": "00000000-0000-0000-0000-000000000101"})),
        (Actor::Token(ORG), json!({"kind": "token", "id": "00000000-0000-0000-0000-00000000000a"})),
        (Actor::Staff, json!({"kind": "staff"})),
        (Actor::System, json!({"kind": "system"})),
    ] {
        assert_eq!(serde_json::to_value(actor).unwrap(), expected);
        assert_eq!(serde_json::from_value::<Actor>(expected).unwrap(), actor);
    }
    assert_eq!(serde_json::to_value(VoidReason::OwnerChanged).unwrap(), json!("owner_changed"));
    assert_eq!(serde_json::to_value(VerificationStatus::Unverified).unwrap(), json!("unverified"));
    assert_eq!(serde_json::to_value(InvitationStatus::Accepted).unwrap(), json!("accepted"));
    assert_eq!(serde_json::to_value(OfferStatus::Voided).unwrap(), json!("voided"));
    assert_eq!(serde_json::to_value(ActorKind::Token).unwrap(), json!("token"));
}

#[test]
fn state_records_round_trip() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("a@example.com"));
    team.offer(offer(1), ADMIN, ttl_minutes(24 * 60));
    let invitation = team.org.invitations().next().unwrap().clone();
    let json = serde_json::to_string(&invitation).unwrap();
    assert_eq!(serde_json::from_str::<membership::organization::Invitation>(&json).unwrap(), invitation);
    let offer = *team.org.pending_offer().unwrap();
    let json = serde_json::to_string(&offer).unwrap();
    assert_eq!(serde_json::from_str::<membership::organization::OwnershipOffer>(&json).unwrap(), offer);
    let (membership, _) = team.org.member(MEMBER).unwrap();
    let json = serde_json::to_value(membership).unwrap();
    assert_eq!(json["email"], "u4@example.com");
    assert_eq!(&serde_json::from_value::<membership::organization::Membership>(json).unwrap(), membership);
}

/// docs/rules.md#errors, the organization rows: code, kind and Polar status are public API.
#[test]
fn spec_3_codes_kinds_and_polar_statuses() {
    use ErrorKind::*;
    let (i, o) = (invitation(1), offer(1));
    let cases: Vec<(Error, &str, ErrorKind, u16)> = vec![
        (Error::OrganizationNotFound { organization_id: ORG }, "organization_not_found", NotFound, 404),
        (
            Error::PermissionDenied { organization_id: ORG, permission: Permission::FinanceRead },
            "permission_denied",
            Forbidden,
            403,
        ),
        (Error::UserActorRequired, "user_actor_required", Unauthenticated, 401),
        (Error::ActorNotAllowed { actor: ActorKind::Staff }, "actor_not_allowed", Forbidden, 403),
        (Error::MemberNotFound { organization_id: ORG, user_id: OWNER }, "member_not_found", NotFound, 404),
        (
            Error::OwnerRoleNotAssignable { organization_id: ORG, user_id: ADMIN },
            "owner_role_not_assignable",
            Invalid,
            422,
        ),
        (Error::OwnerRoleImmutable { organization_id: ORG, user_id: OWNER }, "owner_role_immutable", Forbidden, 403),
        (
            Error::OwnerCannotBeRemoved { organization_id: ORG, user_id: OWNER },
            "owner_cannot_be_removed",
            Forbidden,
            403,
        ),
        (
            Error::LastMemberCannotLeave { organization_id: ORG, user_id: OWNER },
            "last_member_cannot_leave",
            Forbidden,
            403,
        ),
        (Error::OwnerCannotLeave { organization_id: ORG, user_id: OWNER }, "owner_cannot_leave", Forbidden, 403),
        (Error::NotOwner { organization_id: ORG, user_id: ADMIN }, "not_owner", Forbidden, 403),
        (Error::AlreadyOwner { organization_id: ORG, user_id: OWNER }, "already_owner", Conflict, 400),
        (
            Error::NewOwnerNotVerified { organization_id: ORG, user_id: ADMIN, status: VerificationStatus::Failed },
            "new_owner_not_verified",
            Forbidden,
            400,
        ),
        (Error::InvitationNotFound { organization_id: ORG, invitation_id: i }, "invitation_not_found", NotFound, 404),
        (
            Error::InvitationEmailMismatch { organization_id: ORG, invitation_id: i },
            "invitation_email_mismatch",
            Forbidden,
            403,
        ),
        (
            Error::InvitationNotOpen { organization_id: ORG, invitation_id: i, status: InvitationStatus::Revoked },
            "invitation_not_open",
            Conflict,
            409,
        ),
        (Error::InvitationExpired { organization_id: ORG, invitation_id: i }, "invitation_expired", Conflict, 409),
        (
            Error::OwnershipOfferNotFound { organization_id: ORG, offer_id: o },
            "ownership_offer_not_found",
            NotFound,
            404,
        ),
        (Error::NotOfferTarget { organization_id: ORG, offer_id: o }, "not_offer_target", Forbidden, 403),
        (
            Error::OwnershipOfferNotOpen { organization_id: ORG, offer_id: o, status: OfferStatus::Declined },
            "ownership_offer_not_open",
            Conflict,
            409,
        ),
        (Error::OwnershipOfferExpired { organization_id: ORG, offer_id: o }, "ownership_offer_expired", Conflict, 409),
        (
            Error::MemberEmailTaken { organization_id: ORG, email: "a@example.com".into() },
            "member_email_taken",
            Conflict,
            422,
        ),
        (membership::Email::parse("nope").unwrap_err(), "invalid_input", Invalid, 422),
    ];
    for (error, code, kind, status) in cases {
        assert_eq!((error.code(), error.kind(), error.polar_status().as_u16()), (code, kind, status), "{error:?}");
        assert_eq!(error.is_not_found(), kind == NotFound);
        assert_eq!(error.is_forbidden(), kind == Forbidden);
        assert_eq!(error.is_conflict(), kind == Conflict);
        // Messages are one lowercase sentence, without a trailing period (Polar's 403
        // sentences excepted: they are Polar's own).
        let message = error.to_string();
        assert!(!message.ends_with('.') && !message.contains('\n'), "{message}");
        if code != "permission_denied" {
            assert!(message.starts_with(|c: char| !c.is_uppercase()), "{message}");
        }
    }
}

#[test]
fn statuses_read_as_words_in_messages() {
    let offer_statuses = [
        (OfferStatus::Pending, "pending"),
        (OfferStatus::Accepted, "accepted"),
        (OfferStatus::Declined, "declined"),
        (OfferStatus::Revoked, "revoked"),
        (OfferStatus::Voided, "voided"),
        (OfferStatus::Expired, "expired"),
    ];
    for (status, word) in offer_statuses {
        assert_eq!(status.to_string(), word);
        let error = Error::OwnershipOfferNotOpen { organization_id: ORG, offer_id: offer(1), status };
        assert!(error.to_string().contains(&format!(" is {word}, no longer pending")), "{error}");
    }
    let invitation_statuses = [
        (InvitationStatus::Pending, "pending"),
        (InvitationStatus::Accepted, "accepted"),
        (InvitationStatus::Declined, "declined"),
        (InvitationStatus::Revoked, "revoked"),
        (InvitationStatus::Expired, "expired"),
    ];
    for (status, word) in invitation_statuses {
        assert_eq!(status.to_string(), word);
    }
    let verification = [
        (VerificationStatus::Unverified, "unverified"),
        (VerificationStatus::Pending, "pending"),
        (VerificationStatus::Verified, "verified"),
        (VerificationStatus::Failed, "failed"),
    ];
    for (status, word) in verification {
        let error = Error::NewOwnerNotVerified { organization_id: ORG, user_id: ADMIN, status };
        assert!(error.to_string().contains(&format!("(status: {word})")), "{error}");
    }
}
