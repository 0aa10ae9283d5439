//! The seam a store and a service stand on: checked replay (docs/rules.md#replay), views that
//! answer "not loaded", ids never reused and bounded TTLs (docs/rules.md#values), CUS-7's owner email, the
//! portal check (CUS-8), self-describing events (docs/rules.md#events) and the storage codecs.

use membership::customer::{self, Change as CustomerChange, Command as CustomerCommand, CustomerKind, MemberRole};
use membership::organization::{
    self, Change, Command, InvitationStatus, OfferStatus, Organization, OwnershipOffer, Prefetched, Read,
    VerificationStatus, VoidReason,
};
use membership::policy::PortalCapability;
use membership::{
    Actor, AssignableRole, Error, Location, ReplayError, ReplayProblem, Role, StreamId, Timestamp, Ttl,
    version_from_i64, version_to_i64,
};

use crate::customer_kit::*;
use crate::support::*;

// docs/rules.md#replay: checked replay ------------------------------------------------------

/// The standard team's log with its last event replaced by `change` (numbered on).
fn org_log_ending_in(change: Change) -> Vec<organization::Event> {
    let team = Team::standard();
    let mut log = team.log.clone();
    let mut last = log.last().unwrap().clone();
    last.version += 1;
    last.change = change;
    log.push(last);
    log
}

#[track_caller]
fn org_refused(log: &[organization::Event], version: u64, problem: ReplayProblem) {
    let error = Organization::replay(log).unwrap_err();
    assert_eq!(error, ReplayError { stream: StreamId::Organization(ORG), version, problem }, "{error}");
    // A corrupt log is an internal error for a service (500), with its own stable code.
    let error = Error::from(error);
    assert_eq!((error.code(), error.is_internal(), error.polar_status().as_u16()), ("corrupt_log", true, 500));
}

#[test]
fn spec_1_5_hostile_organization_logs_get_a_typed_error_naming_the_version() {
    let good = Team::standard().log;
    let next = good.len() as u64 + 1;
    // Another aggregate's event.
    let mut other = org_log_ending_in(Change::MemberRoleChanged {
        user_id: ADMIN,
        from: AssignableRole::Admin,
        to: AssignableRole::Member,
    });
    other.last_mut().unwrap().organization_id = OTHER_ORG;
    org_refused(&other, next, ReplayProblem::OtherStream { found: StreamId::Organization(OTHER_ORG) });
    // A version gap, and a version that goes back.
    let mut gap = good.clone();
    gap.last_mut().unwrap().version += 1;
    org_refused(&gap, next, ReplayProblem::VersionOutOfOrder { expected: next - 1 });
    // A duplicate add.
    let duplicate = Change::MemberAdded { user_id: ADMIN, email: email("x@example.com"), role: AssignableRole::Member };
    org_refused(&org_log_ending_in(duplicate), next, ReplayProblem::AlreadyAMember);
    // An add with a member's (folded) email.
    let clash = Change::MemberAdded { user_id: user(7), email: email("U2@EXAMPLE.com"), role: AssignableRole::Member };
    org_refused(&org_log_ending_in(clash), next, ReplayProblem::EmailTaken);
    // Removing a non-member, removing with the wrong role, removing the owner.
    let stranger = Change::MemberRemoved { user_id: OUTSIDER, role: AssignableRole::Member };
    org_refused(&org_log_ending_in(stranger), next, ReplayProblem::NotAMember);
    let wrong_role = Change::MemberLeft { user_id: ADMIN, role: AssignableRole::Member };
    org_refused(&org_log_ending_in(wrong_role), next, ReplayProblem::RoleMismatch);
    let owner = Change::MemberRemoved { user_id: OWNER, role: AssignableRole::Admin };
    org_refused(&org_log_ending_in(owner), next, ReplayProblem::RoleNotAllowed);
    // A transfer to a non-member, and one from someone who is not the owner.
    let transfer =
        |from, to| Change::OwnershipTransferred { from, from_role: AssignableRole::Admin, to, to_role: Role::Owner };
    org_refused(&org_log_ending_in(transfer(OWNER, OUTSIDER)), next, ReplayProblem::NotAMember);
    org_refused(&org_log_ending_in(transfer(ADMIN, MEMBER)), next, ReplayProblem::NotTheOwner);
    // Closing an invitation that was never made; a second creation.
    let unknown = Change::InvitationRevoked { invitation_id: invitation(404) };
    org_refused(&org_log_ending_in(unknown), next, ReplayProblem::UnknownInvitation);
    let again = good[0].change.clone();
    org_refused(&org_log_ending_in(again), next, ReplayProblem::CreatedAgain);
    // A first event that is not the creation, and an empty log.
    org_refused(&good[1..], good[1].version, ReplayProblem::FirstEventNotCreation);
    assert_eq!(Organization::replay(&[]).unwrap_err().problem, ReplayProblem::Empty);
}

#[test]
fn spec_1_5_a_version_counter_at_u64_max_is_refused_never_wrapped() {
    let mut log = Team::new().log;
    log[0].version = u64::MAX;
    org_refused(&log, u64::MAX, ReplayProblem::VersionOutOfOrder { expected: 1 });
    // A state can't reach u64::MAX through replay, since versions must follow on from 1:
    // the next version of any replayed state is always checked, never wrapped.
    let mut team = Team::standard();
    let mut event = team.log.last().unwrap().clone();
    event.version = u64::MAX;
    let error = team.org.apply(&event).unwrap_err();
    assert!(matches!(error.problem, ReplayProblem::VersionOutOfOrder { .. }));
}

#[test]
fn spec_1_5_a_refused_event_changes_nothing() {
    let mut team = Team::standard();
    let before = team.org.clone();
    let mut event = team.log.last().unwrap().clone();
    event.version += 1;
    event.change = Change::MemberRemoved { user_id: OUTSIDER, role: AssignableRole::Member };
    assert!(team.org.apply(&event).is_err());
    assert_eq!(team.org, before);
}

#[test]
fn spec_1_5_hostile_customer_logs_get_a_typed_error_naming_the_version() {
    let account = Account::team();
    let good = account.log.clone();
    let next = good.len() as u64 + 1;
    let refused = |log: &[customer::Event], version, problem| {
        let error = customer::Customer::replay(log).unwrap_err();
        assert_eq!(error, ReplayError { stream: StreamId::Customer(CUSTOMER), version, problem }, "{error}");
    };
    let ending_in = |change| {
        let mut log = good.clone();
        let mut last = log.last().unwrap().clone();
        last.version += 1;
        last.change = change;
        log.push(last);
        log
    };
    let plain = account.member(PLAIN).unwrap().clone();
    let owner = account.member(OWNER_M).unwrap().clone();
    // Another customer's event.
    let mut other = ending_in(CustomerChange::KindChanged { kind: CustomerKind::Team });
    other.last_mut().unwrap().customer_id = membership::CustomerId::new(uuid::Uuid::from_u128(0xD));
    refused(
        &other,
        next,
        ReplayProblem::OtherStream {
            found: StreamId::Customer(membership::CustomerId::new(uuid::Uuid::from_u128(0xD))),
        },
    );
    // A duplicate add, and a second owner.
    refused(&ending_in(CustomerChange::MemberCreated { member: plain.clone() }), next, ReplayProblem::IdReused);
    let second_owner =
        membership::customer::Member { id: member(9), email: mail(9), role: MemberRole::Owner, ..plain.clone() };
    refused(&ending_in(CustomerChange::MemberCreated { member: second_owner }), next, ReplayProblem::RoleNotAllowed);
    // Deleting a non-member.
    let stranger = membership::customer::Member { id: member(404), ..plain.clone() };
    refused(&ending_in(CustomerChange::MemberDeleted { member: stranger }), next, ReplayProblem::NotAMember);
    // A transfer to a non-member.
    let heir = membership::customer::Member { id: member(404), role: MemberRole::Owner, ..plain.clone() };
    let from = membership::customer::Member { role: MemberRole::BillingManager, ..owner.clone() };
    let transfer = CustomerChange::MemberOwnershipTransferred { from, to: heir };
    refused(&ending_in(transfer), next, ReplayProblem::NotAMember);
    // A customer left without its owner: the owner deleted while others remain, or a log
    // that ends with the owner deleted and the customer not.
    refused(&ending_in(CustomerChange::MemberDeleted { member: owner.clone() }), next, ReplayProblem::OwnerMissing);
    let alone = Account::individual();
    let mut log = alone.log.clone();
    let mut last = log[0].clone();
    last.version = 2;
    last.change = CustomerChange::MemberDeleted { member: alone.member(OWNER_M).unwrap().clone() };
    log.push(last);
    refused(&log, 2, ReplayProblem::OwnerMissing);
    // A downgrade, and an event after the deletion.
    refused(
        &ending_in(CustomerChange::KindChanged { kind: CustomerKind::Individual }),
        next,
        ReplayProblem::KindDowngrade,
    );
    let mut deleted = Account::team();
    deleted.ok(TOKEN, CustomerCommand::Delete);
    let mut log = deleted.log.clone();
    let mut after = log.last().unwrap().clone();
    after.version += 1;
    after.change = CustomerChange::KindChanged { kind: CustomerKind::Team };
    log.push(after);
    refused(&log, log.len() as u64, ReplayProblem::AfterDeletion);
}

// Views: "not loaded" is never "absent" ------------------------------------------------------

#[test]
fn seam_a_view_missing_a_planned_row_refuses_with_view_incomplete() {
    let team = Team::standard();
    let invite = Command::Invite { invitation_id: invitation(1), email: email_of(ADMIN), ttl: Ttl::DEFAULT };
    let reads = organization::plan(&invite, Actor::User(OWNER), team.now);
    assert!(reads.contains(&Read::MemberByEmail(email_of(ADMIN))));
    // Forget the email lookup: the view refuses instead of inviting an existing member.
    let forgetful: Vec<Read> = reads.into_iter().filter(|read| !matches!(read, Read::MemberByEmail(_))).collect();
    let view = Prefetched::prefetch(&team.org, &forgetful).unwrap();
    let error = organization::decide(&view, invite, Actor::User(OWNER), team.now).unwrap_err();
    assert_eq!((error.code(), error.is_internal(), error.polar_status().as_u16()), ("view_incomplete", true, 500));
    assert!(error.to_string().contains("member_by_email"), "{error}");
    // `check` needs one row: the actor's role.
    let empty = Prefetched::new(ORG, team.org.version());
    assert_eq!(
        organization::check(&empty, Actor::User(ADMIN), membership::Permission::MembersRead).unwrap_err().code(),
        "view_incomplete"
    );
    assert_eq!(organization::check(&empty, Actor::Token(ORG), membership::Permission::MembersRead), Ok(()));
    assert_eq!(
        organization::check_role(ORG, Actor::User(ADMIN), Some(Role::Finance), membership::Permission::MembersRead),
        Err(Error::PermissionDenied { organization_id: ORG, permission: membership::Permission::MembersRead })
    );
    assert_eq!(
        organization::check_role(ORG, Actor::User(OUTSIDER), None, membership::Permission::MembersRead),
        Err(Error::OrganizationNotFound { organization_id: ORG })
    );
}

#[test]
fn seam_creation_is_a_command_on_version_zero() {
    let create = Command::Create { email: email_of(OWNER) };
    let empty = Prefetched::new(ORG, 0);
    let events = organization::decide(&empty, create.clone(), Actor::User(OWNER), at(0)).unwrap();
    let org = Organization::replay(&events).unwrap();
    assert_eq!((org.id(), org.owner().user_id, org.version()), (ORG, OWNER, 1));
    // Any other command on an organization that does not exist: not found.
    let error = organization::decide(&empty, Command::Leave, Actor::User(OWNER), at(0)).unwrap_err();
    assert_eq!(error, Error::OrganizationNotFound { organization_id: ORG });
    // Again, by its owner: a retry, no events; by anyone else: the id is taken.
    let mut team = Team::new();
    assert_eq!(team.ok(Actor::User(OWNER), create.clone()), []);
    let error = team.refused(Actor::User(ADMIN), create, "invalid_input");
    assert_eq!(error.field(), Some("organization_id"));
}

// docs/rules.md#values: ids are never reused; TTLs are bounded ------------------------------

#[test]
fn spec_2_1_a_deleted_members_id_is_never_reused() {
    let mut account = Account::team();
    account.ok(TOKEN, CustomerCommand::DeleteMember { member_id: PLAIN });
    let reuse = CustomerCommand::AddMember {
        member_id: PLAIN,
        email: mail(7),
        name: None,
        external_id: None,
        role: MemberRole::Member,
    };
    let error = account.refused(TOKEN, reuse, "invalid_input");
    assert_eq!(error.field(), Some("member_id"));
}

#[test]
fn spec_2_1_invitation_and_offer_ids_are_never_reused() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("a@example.com"));
    team.ok(Actor::User(OWNER), Command::RevokeInvitation { invitation_id: invitation(1) });
    let error = team.refused(
        Actor::User(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("b@example.com"), ttl: Ttl::DEFAULT },
        "invalid_input",
    );
    assert_eq!(error.field(), Some("invitation_id"));
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    team.ok(Actor::User(OWNER), Command::RevokeOwnershipOffer { offer_id: offer(1) });
    let again = Command::OfferOwnership {
        offer_id: offer(1),
        to: ADMIN,
        verification: VerificationStatus::Verified,
        ttl: Ttl::DEFAULT,
    };
    assert_eq!(team.refused(Actor::User(OWNER), again, "invalid_input").field(), Some("offer_id"));
}

#[test]
fn spec_2_1_ttls_are_bounded_and_every_expiry_loads_back() {
    for seconds in [0, Ttl::MAX.as_secs() + 1] {
        let error = Ttl::from_secs(seconds).unwrap_err();
        assert_eq!((error.code(), error.field()), ("invalid_input", Some("ttl")));
    }
    // The longest TTL from the last instant still writes an expiry that parses back.
    let mut team = Team::standard();
    team.now = Timestamp::MAX;
    team.ok(
        Actor::User(OWNER),
        Command::Invite { invitation_id: invitation(1), email: email("a@example.com"), ttl: Ttl::MAX },
    );
    let json = serde_json::to_string(&team.log).unwrap();
    let log: Vec<organization::Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(Organization::replay(&log).unwrap(), team.org);
    assert_eq!(team.org.invitation(invitation(1)).unwrap().expires_at, Timestamp::MAX);
}

// CUS-7: the owner email always ends equal -------------------------------------------------------

#[test]
fn cus_7_an_individual_owners_email_is_synced_even_when_the_customers_does_not_change() {
    let mut create = create_command(CustomerKind::Individual, Some(mail(1)));
    create.owner.email = Some(mail(2));
    let mut account = Account::create(create);
    assert_eq!(account.customer.owner().unwrap().email, mail(2));
    let changes = account.changes(TOKEN, CustomerCommand::ChangeEmail { email: mail(1) });
    let owner = account.customer.owner().unwrap().clone();
    assert_eq!(changes, [CustomerChange::MemberUpdated { member: owner.clone() }]);
    assert!(owner.email.same_text(&mail(1)));
    assert_eq!(account.changes(TOKEN, CustomerCommand::ChangeEmail { email: mail(1) }), []);
}

// CUS-8: the typed portal check ---------------------------------------------------------------

#[test]
fn cus_8_check_portal_answers_in_the_spec_order() {
    let team = Account::team();
    let check = |account: &Account, actor, capability| customer::check_portal(&account.customer, actor, capability);
    assert_eq!(check(&team, portal(OWNER_M), PortalCapability::TransferOwnership), Ok(()));
    assert_eq!(check(&team, portal(BILLING), PortalCapability::ManageMembers), Ok(()));
    assert_eq!(check(&team, portal(PLAIN), PortalCapability::ViewSeats), Ok(()));
    assert_eq!(
        check(&team, portal(member(404)), PortalCapability::ViewSeats),
        Err(Error::MemberSessionInvalid { customer_id: CUSTOMER, member_id: member(404) })
    );
    assert_eq!(
        check(&team, portal(BILLING), PortalCapability::TransferOwnership),
        Err(Error::InsufficientPortalRole { customer_id: CUSTOMER, capability: PortalCapability::TransferOwnership })
    );
    assert_eq!(
        check(&team, portal(PLAIN), PortalCapability::ManageMembers),
        Err(Error::InsufficientPortalRole { customer_id: CUSTOMER, capability: PortalCapability::ManageMembers })
    );
    // Role before kind: on an individual customer the owner holds ManageMembers, but only
    // team customers manage members; billing capabilities need no team.
    let individual = Account::individual();
    assert_eq!(
        check(&individual, portal(OWNER_M), PortalCapability::ManageMembers),
        Err(Error::TeamCustomersOnly { customer_id: CUSTOMER })
    );
    assert_eq!(check(&individual, portal(OWNER_M), PortalCapability::ManagePaymentMethods), Ok(()));
    // Only portal members have portal capabilities.
    assert_eq!(check(&team, TOKEN, PortalCapability::ViewSeats).unwrap_err().code(), "actor_not_allowed");
}

// docs/rules.md#events: self-describing events --------------------------------------------------

#[test]
fn spec_1_4_event_types_are_their_serialized_tags() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("a@example.com"));
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    team.ok(Actor::User(OWNER), Command::RemoveMember { user_id: ADMIN });
    for event in &team.log {
        let json = serde_json::to_value(event).unwrap();
        assert_eq!(json["type"], event.event_type());
        assert_eq!(event.stream(), StreamId::Organization(ORG));
    }
    let mut account = Account::team();
    account.ok(TOKEN, set_role(PLAIN, MemberRole::Owner));
    account.ok(TOKEN, CustomerCommand::Delete);
    for event in &account.log {
        assert_eq!(serde_json::to_value(event).unwrap()["type"], event.event_type());
    }
    assert_eq!(membership::EVENT_SCHEMA_VERSION, 2);
}

// Storage codecs ---------------------------------------------------------------------------------

#[test]
fn storage_codecs_statuses_have_one_word_for_serde_as_str_from_str_and_display() {
    fn agree<T>(values: &[T])
    where
        T: serde::Serialize
            + serde::de::DeserializeOwned
            + std::str::FromStr
            + std::fmt::Display
            + PartialEq
            + std::fmt::Debug
            + Copy,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for value in values {
            let word = value.to_string();
            assert_eq!(serde_json::to_value(value).unwrap(), serde_json::Value::String(word.clone()));
            assert_eq!(word.parse::<T>().unwrap(), *value);
            assert_eq!(serde_json::from_value::<T>(serde_json::Value::String(word)).unwrap(), *value);
        }
    }
    agree(&InvitationStatus::ALL);
    agree(&OfferStatus::ALL);
    agree(&VoidReason::ALL);
    agree(&VerificationStatus::ALL);
    agree(&CustomerKind::ALL);
    agree(&Role::ALL);
    agree(&MemberRole::ALL);
    assert_eq!(InvitationStatus::Accepted.as_str(), "accepted");
    assert_eq!("nope".parse::<OfferStatus>().unwrap_err().field(), Some("status"));
}

#[test]
fn storage_codecs_versions_and_times_convert_to_sql_integers_checked() {
    assert_eq!(version_to_i64(7), Ok(7));
    assert_eq!(version_to_i64(u64::MAX).unwrap_err().field(), Some("version"));
    assert_eq!(version_from_i64(7), Ok(7));
    assert_eq!(version_from_i64(-1).unwrap_err().field(), Some("version"));
    let t = at(90);
    assert_eq!(Timestamp::from_unix_micros(t.unix_micros()), Ok(t));
    let stored = membership::Email::from_stored("Not An Email".to_owned());
    assert_eq!(stored.as_str(), "Not An Email");
}

// docs/rules.md#errors ---------------------------------------------------------------------

#[test]
fn spec_3_errors_say_where_an_invalid_field_came_from() {
    let error = membership::CustomerId::parse("nope").unwrap_err().with_location(Location::Path);
    let body = serde_json::to_value(error.polar_body()).unwrap();
    assert_eq!(body["detail"][0]["loc"], serde_json::json!(["path", "customer_id"]));
    assert!(error.is_invalid() && !error.is_unauthenticated());
    assert!(Error::UserActorRequired.is_unauthenticated());
    // A Polar error body reads back.
    let read: membership::wire::PolarErrorBody = serde_json::from_value(body).unwrap();
    assert_eq!(read, error.polar_body());
    let stale = Error::StaleWrite { stream: StreamId::Organization(ORG), expected_version: 4 };
    assert_eq!((stale.code(), stale.is_conflict(), stale.polar_status().as_u16()), ("stale_write", true, 409));
}

// Snapshots and rows: a constructor that checks the invariants -------------------------------

#[test]
fn inv_org_a_rows_with_two_owners_or_an_owner_who_is_also_a_member_are_an_error() {
    let team = Team::standard();
    let rows = team.org.to_rows();
    assert_eq!(rows.schema_version, organization::SNAPSHOT_SCHEMA_VERSION);
    let refused = |rows: organization::Snapshot, problem| {
        let error = Organization::from_rows(rows).unwrap_err();
        assert_eq!((error.stream, error.problem), (StreamId::Organization(ORG), problem), "{error}");
    };
    let mut two_owners = rows.clone();
    two_owners.members.iter_mut().find(|row| row.membership.user_id == ADMIN).unwrap().role = Role::Owner;
    refused(two_owners, ReplayProblem::TwoOwners);
    let mut no_owner = rows.clone();
    no_owner.members.retain(|row| row.role != Role::Owner);
    refused(no_owner, ReplayProblem::OwnerMissing);
    let mut owner_twice = rows.clone();
    let owner = owner_twice.members.iter().find(|row| row.role == Role::Owner).unwrap().clone();
    owner_twice.members.push(organization::MemberRow { role: Role::Admin, ..owner });
    refused(owner_twice, ReplayProblem::AlreadyAMember);
    let mut same_email = rows.clone();
    let admin = same_email.members.iter_mut().find(|row| row.membership.user_id == ADMIN).unwrap();
    admin.membership.email = email("U1@example.com");
    refused(same_email, ReplayProblem::EmailTaken);
    let mut unknown = rows.clone();
    unknown.schema_version = 99;
    refused(unknown, ReplayProblem::UnknownSchema);
    // A snapshot that breaks an invariant does not deserialize either.
    let mut json = serde_json::to_value(&team.org).unwrap();
    json["members"][0]["role"] = serde_json::json!("owner");
    json["members"][1]["role"] = serde_json::json!("owner");
    assert!(serde_json::from_value::<Organization>(json).is_err());
}

#[test]
fn inv_org_c_rows_with_two_pending_offers_or_a_pending_invitation_for_a_member_are_an_error() {
    let mut team = Team::standard();
    team.invite(invitation(1), email("a@example.com"));
    team.offer(offer(1), ADMIN, ttl_minutes(10));
    let rows = team.org.to_rows();
    let mut invited_member = rows.clone();
    invited_member.invitations[0].email = email_of(ADMIN);
    assert_eq!(Organization::from_rows(invited_member).unwrap_err().problem, ReplayProblem::InvitationAlreadyPending);
    let mut two_offers = rows.clone();
    two_offers.offers.push(OwnershipOffer { id: offer(2), ..rows.offers[0] });
    assert_eq!(Organization::from_rows(two_offers).unwrap_err().problem, ReplayProblem::OfferLeftPending);
    let mut accepted_by_nobody = rows;
    accepted_by_nobody.invitations[0].status = InvitationStatus::Accepted;
    assert_eq!(Organization::from_rows(accepted_by_nobody).unwrap_err().problem, ReplayProblem::RecordMismatch);
}

#[test]
fn inv_cus_a_rows_with_two_owners_or_none_are_an_error() {
    let account = Account::team();
    let rows = account.customer.to_rows();
    let refused = |rows: customer::Snapshot, problem| {
        let error = customer::Customer::from_rows(rows).unwrap_err();
        assert_eq!((error.stream, error.problem), (StreamId::Customer(CUSTOMER), problem), "{error}");
    };
    let mut two_owners = rows.clone();
    two_owners.members[1].role = MemberRole::Owner;
    refused(two_owners, ReplayProblem::TwoOwners);
    let mut no_owner = rows.clone();
    no_owner.members.remove(0);
    refused(no_owner, ReplayProblem::OwnerMissing);
    let mut twice = rows.clone();
    let again = customer::Member { email: mail(9), role: MemberRole::Member, ..twice.members[0].clone() };
    twice.members.push(again);
    refused(twice, ReplayProblem::IdReused);
    let mut same_email = rows.clone();
    same_email.members[1].email = email("M1@EXAMPLE.com");
    refused(same_email, ReplayProblem::EmailTaken);
    let mut retired_active = rows.clone();
    retired_active.retired.push(PLAIN);
    refused(retired_active, ReplayProblem::IdReused);
    let mut individual = rows.clone();
    individual.profile.kind = CustomerKind::Individual;
    refused(individual, ReplayProblem::IndividualCustomerSingleMember);
    let mut deleted_with_members = rows;
    deleted_with_members.profile.deleted = true;
    refused(deleted_with_members, ReplayProblem::MembersRemain);
}

#[test]
fn spec_1_5_every_replay_problem_reads_as_its_own_sentence() {
    let problems = [
        ReplayProblem::Empty,
        ReplayProblem::FirstEventNotCreation,
        ReplayProblem::CreatedAgain,
        ReplayProblem::OtherStream { found: StreamId::Organization(OTHER_ORG) },
        ReplayProblem::VersionOutOfOrder { expected: 7 },
        ReplayProblem::VersionOverflow,
        ReplayProblem::AlreadyAMember,
        ReplayProblem::NotAMember,
        ReplayProblem::RoleMismatch,
        ReplayProblem::RoleNotAllowed,
        ReplayProblem::NotTheOwner,
        ReplayProblem::EmailTaken,
        ReplayProblem::ExternalIdTaken,
        ReplayProblem::IdReused,
        ReplayProblem::UnknownInvitation,
        ReplayProblem::InvitationNotPending,
        ReplayProblem::InvitationAlreadyPending,
        ReplayProblem::UnknownOffer,
        ReplayProblem::OfferNotPending,
        ReplayProblem::OfferLeftPending,
        ReplayProblem::OtherCustomer,
        ReplayProblem::RecordMismatch,
        ReplayProblem::MembersRemain,
        ReplayProblem::OwnerMissing,
        ReplayProblem::TwoOwners,
        ReplayProblem::UnknownSchema,
        ReplayProblem::IndividualCustomerSingleMember,
        ReplayProblem::KindDowngrade,
        ReplayProblem::AfterDeletion,
    ];
    let sentences: std::collections::HashSet<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(sentences.len(), problems.len(), "each problem says something of its own");
    assert!(sentences.iter().all(|sentence| sentence.len() > 10 && !sentence.ends_with('.')));
    assert_eq!(ReplayProblem::VersionOutOfOrder { expected: 7 }.to_string(), "version 7 should come next");
    let error = ReplayError { stream: StreamId::Customer(CUSTOMER), version: 3, problem: ReplayProblem::TwoOwners };
    assert_eq!(
        error.to_string(),
        "the stored state of customer `00000000-0000-0000-0000-00000000000c` is corrupt at version 3: two members are \
         the owner; restore it from a backup or repair it"
    );
}

#[test]
fn seam_a_prefetched_view_answers_only_what_it_was_given() {
    use membership::organization::{Invitation, OrganizationView};
    let expired = |n: u128| Invitation {
        id: invitation(n),
        email: email(&format!("x{n}@example.com")),
        invited_by: OWNER,
        created_at: at(0),
        expires_at: at(i64::try_from(n).unwrap()),
        status: InvitationStatus::Pending,
        accepted_by: None,
    };
    let mut view = Prefetched::new(ORG, 3);
    view.load_expired_pending_invitations(at(10), vec![expired(1), expired(2)]);
    // A sweep's own rows answer lookups by id, each its own.
    assert_eq!(view.invitation(invitation(2)).unwrap().map(|i| i.id), Some(invitation(2)));
    assert_eq!(view.invitation(invitation(1)).unwrap().map(|i| i.id), Some(invitation(1)));
    assert_eq!(view.invitation(invitation(3)).unwrap_err().lookup, "invitation");
    // The sweep's rows were read for one instant; another is not loaded.
    assert_eq!(view.expired_pending_invitations(at(10)).unwrap().count(), 2);
    assert_eq!(
        view.expired_pending_invitations(at(11)).err().map(|missing| missing.lookup),
        Some("expired_pending_invitations")
    );
    // Nothing else was loaded.
    assert!(view.owner_id().is_err() && view.member_count().is_err() && view.pending_offer().is_err());
    assert!(view.role_of(OWNER).is_err() && view.offer(offer(1)).is_err());
}

#[test]
fn spec_1_5_hostile_customer_logs_that_move_ownership_wrongly_get_a_typed_error() {
    use MemberRole::{BillingManager, Member, Owner};
    let account = Account::team();
    let good = account.log.clone();
    let next = good.len() as u64 + 1;
    let with = |changes: Vec<CustomerChange>| {
        let mut log = good.clone();
        for (offset, change) in (0..).zip(changes) {
            let mut event = good.last().unwrap().clone();
            event.version = next + offset;
            event.change = change;
            log.push(event);
        }
        customer::Customer::replay(&log).unwrap_err()
    };
    let refused = |changes, version, problem| {
        let error = with(changes);
        assert_eq!((error.version, error.problem), (version, problem), "{error}");
    };
    let (owner, billing, plain) =
        (account.member(OWNER_M).unwrap(), account.member(BILLING).unwrap(), account.member(PLAIN).unwrap());
    let as_role = |member: &customer::Member, role| customer::Member { role, ..member.clone() };
    // An update can neither crown a member nor demote the owner.
    refused(
        vec![CustomerChange::MemberUpdated { member: as_role(&plain, MemberRole::Owner) }],
        next,
        ReplayProblem::RoleNotAllowed,
    );
    refused(
        vec![CustomerChange::MemberUpdated { member: as_role(&owner, MemberRole::Member) }],
        next,
        ReplayProblem::RoleNotAllowed,
    );
    // A transfer must go from the owner to another member, leaving them billing manager and owner.
    let transfer = |from: &customer::Member, from_role, to: &customer::Member, to_role| {
        vec![CustomerChange::MemberOwnershipTransferred { from: as_role(from, from_role), to: as_role(to, to_role) }]
    };
    refused(transfer(&billing, BillingManager, &plain, Owner), next, ReplayProblem::NotTheOwner);
    refused(transfer(&owner, BillingManager, &owner, Owner), next, ReplayProblem::NotTheOwner);
    refused(transfer(&owner, Member, &plain, Owner), next, ReplayProblem::RoleNotAllowed);
    refused(transfer(&owner, BillingManager, &plain, BillingManager), next, ReplayProblem::RoleNotAllowed);
    // A member of another customer cannot be added here.
    let stranger = customer::Member {
        id: member(9),
        email: mail(9),
        customer_id: membership::CustomerId::new(uuid::Uuid::from_u128(0xD)),
        ..plain.clone()
    };
    refused(vec![CustomerChange::MemberCreated { member: stranger }], next, ReplayProblem::OtherCustomer);
    // The owner goes only last, and the customer only once empty: the event at fault is named
    // even when more follow.
    let kind = CustomerChange::KindChanged { kind: CustomerKind::Team };
    refused(
        vec![CustomerChange::MemberDeleted { member: owner.clone() }, kind.clone()],
        next,
        ReplayProblem::OwnerMissing,
    );
    refused(vec![CustomerChange::Deleted, kind], next, ReplayProblem::MembersRemain);
}
