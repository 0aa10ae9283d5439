//! One test (or table) per CUS rule, named after its id.

use membership::customer::{self, Change, Command, CustomerActor, CustomerKind, Member, MemberRole, MemberUpdate};
use membership::policy::PortalCapability;
use membership::wire::{MemberUpdateBody, WebhookType, webhooks};
use membership::{ActorKind, Error, ErrorKind, Permission, Role};

use crate::customer_kit::*;
use crate::support::{ORG, at, email};

fn update(member_id: membership::MemberId, update: MemberUpdate) -> Command {
    Command::UpdateMember { member_id, update }
}

// CUS-2 ------------------------------------------------------------------------------------

#[test]
fn cus_2_creating_a_customer_creates_its_owner_from_the_customers_fields() {
    let account = Account::individual();
    let owner = account.customer.owner().unwrap();
    assert_eq!(
        owner,
        Member {
            id: OWNER_M,
            created_at: at(0),
            modified_at: None,
            customer_id: CUSTOMER,
            email: mail(1),
            name: name("Acme"),
            external_id: external("cus_1"),
            role: MemberRole::Owner,
        }
    );
    // One event: `customer.created` carries its owner, so no customer exists without one.
    assert_eq!(account.log.len(), 1);
    assert!(matches!(&account.log[0].change, Change::Created { owner: created, .. } if *created == owner));
    assert_eq!((account.customer.kind(), account.customer.version()), (CustomerKind::Individual, 1));
    assert_eq!(account.customer.organization_id(), crate::support::ORG);
    assert_eq!(account.customer.email(), Some(&mail(1)));
    assert_eq!(account.customer.name().map(membership::Name::as_str), Some("Acme"));
    assert_eq!(account.customer.external_id().map(membership::ExternalId::as_str), Some("cus_1"));
}

#[test]
fn cus_2_the_owner_override_wins_field_by_field() {
    let mut command = create_command(CustomerKind::Team, None);
    command.owner.email = Some(mail(9));
    command.owner.external_id = external("usr_9");
    let account = Account::create(command);
    let owner = account.customer.owner().unwrap();
    assert_eq!((&owner.email, owner.external_id.as_ref()), (&mail(9), external("usr_9").as_ref()));
    assert_eq!(owner.name, name("Acme"), "name falls back to the customer's");
}

/// A store's version check for a creation expects the stream at 0, and a view of a customer
/// that does not exist must say so: version 0, no row, no member by any key.
#[test]
fn cus_2_an_absent_customer_is_version_0_with_nothing_in_it() {
    use membership::customer::{Absent, CustomerView};
    let absent = Absent(CUSTOMER);
    assert_eq!((absent.id(), absent.version(), absent.profile()), (CUSTOMER, 0, None));
    assert_eq!(absent.owner(), Ok(None));
    assert_eq!(absent.member(OWNER_M), Ok(None));
    assert_eq!(absent.member_id_used(OWNER_M), Ok(false));
    assert_eq!(absent.active_member_by_email(&mail(1)), Ok(None));
    assert_eq!(absent.member_by_external_id(&external("usr_1").unwrap()), Ok(None));
    assert_eq!(absent.members(), Ok(Vec::new()));
}

#[test]
fn cus_2_a_team_customer_with_no_email_anywhere_needs_one() {
    let err =
        customer::create(None, create_command(CustomerKind::Team, None), CustomerActor::System, at(0)).unwrap_err();
    assert_eq!((err, ErrorKind::Invalid), (Error::OwnerEmailRequired { customer_id: CUSTOMER }, ErrorKind::Invalid));
    let err = customer::create(None, create_command(CustomerKind::Individual, None), CustomerActor::System, at(0))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("email"), "{err}");
}

#[test]
fn cus_2_creating_again_is_idempotent_and_a_deleted_customer_stays_gone() {
    let mut account = Account::team();
    let again =
        customer::create(Some(&account.customer), create_command(CustomerKind::Team, Some(mail(1))), TOKEN, at(1));
    assert_eq!(again, Ok(Vec::new()));
    account.ok(TOKEN, Command::Delete);
    let again =
        customer::create(Some(&account.customer), create_command(CustomerKind::Team, Some(mail(1))), TOKEN, at(2));
    assert_eq!(again, Err(Error::CustomerNotFound { customer_id: CUSTOMER }));
}

#[test]
fn cus_2_who_may_create_a_customer() {
    let create = |actor| customer::create(None, create_command(CustomerKind::Team, Some(mail(1))), actor, at(0));
    assert_eq!(create(portal(OWNER_M)), Err(Error::ActorNotAllowed { actor: ActorKind::Portal }));
    assert_eq!(create(OTHER_TOKEN), Err(Error::OrganizationNotFound { organization_id: crate::support::ORG }));
    assert_eq!(
        create(merchant(Role::Finance)),
        Err(Error::PermissionDenied { organization_id: ORG, permission: Permission::CustomersManage })
    );
    for actor in [merchant(Role::Member), merchant(Role::Admin), TOKEN, CustomerActor::System] {
        assert_eq!(create(actor).map(|events| events.len()), Ok(1));
    }
}

// Access (docs/rules.md#customer-access) ----------------------------------------------------

#[test]
fn cus_access_merchants_of_other_organizations_and_finance_users_are_refused_in_order() {
    let mut account = Account::team();
    let other_user = other_merchant(Role::Finance);
    account.refused(other_user, add(7, MemberRole::Member), "customer_not_found");
    account.refused(OTHER_TOKEN, add(7, MemberRole::Member), "customer_not_found");
    let err = account.refused(merchant(Role::Finance), add(7, MemberRole::Owner), "permission_denied");
    assert_eq!(err.to_string(), "You don't have permission to manage customers");
    account.ok(merchant(Role::Member), add(7, MemberRole::Member));
    account.ok(CustomerActor::System, add(8, MemberRole::Member));
}

#[test]
fn cus_access_reading_needs_customers_read_and_visibility() {
    let mut account = Account::team();
    let read = |account: &Account, actor| customer::check_read(&account.customer, actor);
    for actor in [
        merchant(Role::Finance),
        merchant(Role::Member),
        TOKEN,
        CustomerActor::System,
        portal(BILLING),
        portal(OWNER_M),
    ] {
        assert_eq!(read(&account, actor), Ok(()), "{actor:?}");
    }
    // CUS-8: reading members in the portal needs ManageMembers (Polar answers 403).
    assert_eq!(
        read(&account, portal(PLAIN)),
        Err(Error::InsufficientPortalRole { customer_id: CUSTOMER, capability: PortalCapability::ManageMembers })
    );
    assert_eq!(read(&account, OTHER_TOKEN), Err(Error::CustomerNotFound { customer_id: CUSTOMER }));
    let other = other_merchant(Role::Admin);
    assert_eq!(read(&account, other), Err(Error::CustomerNotFound { customer_id: CUSTOMER }));
    assert_eq!(
        read(&account, portal(member(404))),
        Err(Error::MemberSessionInvalid { customer_id: CUSTOMER, member_id: member(404) })
    );
    account.ok(TOKEN, Command::Delete);
    for actor in [TOKEN, CustomerActor::System, portal(PLAIN)] {
        assert_eq!(read(&account, actor), Err(Error::CustomerNotFound { customer_id: CUSTOMER }));
    }
}

#[test]
fn cus_access_portal_members_only_manage_members() {
    let mut account = Account::team();
    for command in
        [Command::ChangeEmail { email: mail(5) }, Command::ChangeKind { kind: CustomerKind::Team }, Command::Delete]
    {
        let err = account.refused(portal(OWNER_M), command, "actor_not_allowed");
        assert_eq!(err, Error::ActorNotAllowed { actor: ActorKind::Portal });
    }
}

// CUS-3 ------------------------------------------------------------------------------------

#[test]
fn cus_3_adding_a_member_creates_it_with_the_default_role() {
    let mut account = Account::team();
    account.at(5);
    let command = Command::AddMember {
        member_id: member(7),
        email: email(" New@Example.com "),
        name: name("  New Person "),
        external_id: external("usr_7"),
        role: MemberRole::Member,
    };
    let changes = account.changes(TOKEN, command);
    let expected = Member {
        id: member(7),
        created_at: at(5),
        modified_at: None,
        customer_id: CUSTOMER,
        email: email("New@Example.com"),
        name: name("New Person"),
        external_id: external("usr_7"),
        role: MemberRole::Member,
    };
    assert_eq!(changes, [Change::MemberCreated { member: expected.clone() }]);
    assert_eq!(account.member(member(7)), Some(expected));
    assert_eq!(account.customer.member_count(), 4);
}

#[test]
fn cus_3_checks_owner_role_then_individual_then_duplicate_email_then_external_id() {
    let mut individual = Account::individual();
    individual.refused(TOKEN, add(7, MemberRole::Owner), "owner_role_not_creatable");
    let err = individual.refused(TOKEN, add(1, MemberRole::Member), "individual_customer_single_member");
    assert_eq!(err.kind(), ErrorKind::Forbidden);

    let mut team = Account::team();
    let duplicate = Command::AddMember {
        member_id: member(7),
        email: email("M2@EXAMPLE.com"),
        name: None,
        external_id: external("cus_1"), // the owner's: but a duplicate email wins first
        role: MemberRole::Member,
    };
    assert_eq!(team.changes(TOKEN, duplicate), []);
    assert_eq!(team.customer.active_member_by_email(&email("m2@example.com")).unwrap().id, BILLING);
    let taken = Command::AddMember {
        member_id: member(7),
        email: mail(7),
        name: None,
        external_id: external("cus_1"),
        role: MemberRole::BillingManager,
    };
    let err = team.refused(TOKEN, taken, "external_id_taken");
    assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Conflict, 422));
    let case_differs = Command::AddMember {
        member_id: member(7),
        email: mail(7),
        name: None,
        external_id: external("CUS_1"),
        role: MemberRole::BillingManager,
    };
    team.ok(TOKEN, case_differs);
    assert_eq!(team.role(member(7)), Some(MemberRole::BillingManager));
    let reused_id = Command::AddMember {
        member_id: member(7),
        email: mail(8),
        name: None,
        external_id: None,
        role: MemberRole::Member,
    };
    let err = team.refused(TOKEN, reused_id, "invalid_input");
    assert!(err.to_string().contains("member_id"), "{err}");
}

// CUS-4 ------------------------------------------------------------------------------------

/// A transfer event changes two members' roles and nothing else: a hostile log whose
/// transfer carries either member with another email, name or external id is refused on
/// replay, whichever of the three differs and whichever side carries it.
#[test]
fn cus_4_a_transfer_that_changes_more_than_roles_is_refused_on_replay() {
    use membership::ReplayProblem;
    let mut account = Account::team();
    let events = account.ok(TOKEN, set_role(PLAIN, MemberRole::Owner));
    let mut honest = account.log.clone();
    honest.truncate(honest.len() - events.len());
    let Change::MemberOwnershipTransferred { from, to } = events[0].change.clone() else { panic!("{events:?}") };
    let altered: [fn(&mut Member); 3] = [
        |member| member.email = mail(77),
        |member| member.name = name("Someone Else"),
        |member| member.external_id = external("usr_other"),
    ];
    for alter in altered {
        for side in [true, false] {
            let (mut from, mut to) = (from.clone(), to.clone());
            alter(if side { &mut from } else { &mut to });
            let mut event = events[0].clone();
            event.change = Change::MemberOwnershipTransferred { from, to };
            let log: Vec<_> = honest.iter().chain([&event]).collect();
            let refused = customer::Customer::replay(log).unwrap_err();
            assert_eq!(refused.problem, ReplayProblem::RecordMismatch, "{event:?}");
        }
    }
    let log: Vec<_> = honest.iter().chain(events.iter()).collect();
    assert!(customer::Customer::replay(log).is_ok(), "the honest transfer replays");
}

#[test]
fn cus_4_promotion_to_owner_transfers_ownership_in_one_event() {
    let mut account = Account::team();
    account.at(10);
    let events = account.ok(TOKEN, set_role(PLAIN, MemberRole::Owner));
    // The event carries both records after the swap: a projection needs nothing else.
    let (from, to) = (account.member(OWNER_M).unwrap().clone(), account.member(PLAIN).unwrap().clone());
    assert_eq!(
        events.iter().map(|e| e.change.clone()).collect::<Vec<_>>(),
        [Change::MemberOwnershipTransferred { from, to }]
    );
    assert_eq!(
        (account.role(OWNER_M), account.role(PLAIN)),
        (Some(MemberRole::BillingManager), Some(MemberRole::Owner))
    );
    assert_eq!(account.member(OWNER_M).unwrap().modified_at, Some(at(10)));
    assert_eq!(account.member(PLAIN).unwrap().modified_at, Some(at(10)));
    assert_eq!(account.member(PLAIN).unwrap().role, MemberRole::Owner);
    assert_eq!(account.member(OWNER_M).unwrap().role, MemberRole::BillingManager);
    // Two member.updated webhooks, the new owner first, each with its final state.
    let hooks = webhooks(&events);
    assert_eq!(
        hooks.iter().map(|h| (h.kind, h.data.id, h.data.role)).collect::<Vec<_>>(),
        [
            (WebhookType::MemberUpdated, PLAIN, MemberRole::Owner),
            (WebhookType::MemberUpdated, OWNER_M, MemberRole::BillingManager),
        ]
    );
    assert!(hooks.iter().all(|hook| hook.timestamp == at(10)));
}

#[test]
fn cus_4_a_transfer_with_a_rename_is_one_decision_and_one_webhook_per_member() {
    let mut account = Account::team();
    account.at(10);
    let command = update(PLAIN, MemberUpdate { name: name("Boss"), role: Some(MemberRole::Owner), email: None });
    let events = account.ok(merchant(Role::Admin), command);
    assert_eq!(events.len(), 2);
    let plain = account.member(PLAIN).unwrap().clone();
    assert_eq!((plain.name.clone(), plain.role), (name("Boss"), MemberRole::Owner));
    assert_eq!(events[1].change, Change::MemberUpdated { member: plain });
    let hooks = webhooks(&events);
    assert_eq!(hooks.iter().map(|h| h.data.id).collect::<Vec<_>>(), [PLAIN, OWNER_M]);
}

#[test]
fn cus_4_the_only_owner_is_never_demoted() {
    let mut account = Account::team();
    for role in [MemberRole::BillingManager, MemberRole::Member] {
        let err = account.refused(TOKEN, set_role(OWNER_M, role), "customer_needs_one_owner");
        assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Forbidden, 422));
    }
    assert_eq!(account.changes(TOKEN, set_role(OWNER_M, MemberRole::Owner)), []);
}

#[test]
fn cus_4_non_owner_role_changes_are_member_updates() {
    let mut account = Account::team();
    account.at(3);
    let changes = account.changes(TOKEN, set_role(PLAIN, MemberRole::BillingManager));
    let mut expected = account.member(PLAIN).unwrap().clone();
    assert_eq!((expected.role, expected.modified_at), (MemberRole::BillingManager, Some(at(3))));
    expected.role = MemberRole::BillingManager;
    assert_eq!(changes, [Change::MemberUpdated { member: expected }]);
}

#[test]
fn cus_4_nothing_changed_means_no_event_and_modified_at_untouched() {
    let mut account = Account::team();
    let same = update(PLAIN, MemberUpdate { name: None, email: Some(mail(3)), role: Some(MemberRole::Member) });
    assert_eq!(account.changes(TOKEN, same), []);
    let blank = MemberUpdateBody::default();
    assert_eq!(account.changes(TOKEN, update(PLAIN, blank.into_update().unwrap())), []);
    assert_eq!(account.member(PLAIN).unwrap().modified_at, None);
    account.ok(TOKEN, update(PLAIN, MemberUpdate { name: name("Pat"), ..MemberUpdate::default() }));
    assert_eq!(
        account.changes(TOKEN, update(PLAIN, MemberUpdate { name: name("Pat"), ..MemberUpdate::default() })),
        []
    );
}

#[test]
fn cus_4_email_rules_on_team_customers() {
    let mut account = Account::team();
    let to = |text: &str| update(PLAIN, MemberUpdate { email: Some(email(text)), ..MemberUpdate::default() });
    let err = account.refused(TOKEN, to("M2@example.com"), "member_email_taken");
    assert_eq!(err.polar_status().as_u16(), 422);
    account.ok(TOKEN, to("M3@Example.com")); // re-casing your own is fine
    assert_eq!(account.member(PLAIN).unwrap().email.as_str(), "M3@Example.com");
    account.ok(TOKEN, to("new3@example.com"));
    assert!(account.customer.active_member_by_email(&mail(3)).is_none());
    assert_eq!(account.customer.active_member_by_email(&email("NEW3@example.com")).unwrap().id, PLAIN);
}

#[test]
fn cus_4_an_individual_customers_member_email_is_locked_even_to_re_casing() {
    let mut account = Account::individual();
    let to = |text: &str| update(OWNER_M, MemberUpdate { email: Some(email(text)), ..MemberUpdate::default() });
    assert_eq!(account.changes(TOKEN, to(" m1@example.com ")), []);
    account.refused(TOKEN, to("M1@example.com"), "individual_customer_email_locked");
    account.refused(TOKEN, to("other@example.com"), "individual_customer_email_locked");
}

#[test]
fn cus_4_checks_member_then_role_then_email() {
    let mut account = Account::team();
    account.refused(TOKEN, set_role(member(404), MemberRole::Member), "member_not_found");
    let both = update(OWNER_M, MemberUpdate { role: Some(MemberRole::Member), email: Some(mail(2)), name: None });
    account.refused(TOKEN, both, "customer_needs_one_owner");
    let both =
        update(PLAIN, MemberUpdate { role: Some(MemberRole::BillingManager), email: Some(mail(2)), name: name("X") });
    account.refused(TOKEN, both, "member_email_taken");
    assert_eq!(account.role(PLAIN), Some(MemberRole::Member), "the first failure rejects the whole update");
}

// CUS-5 ------------------------------------------------------------------------------------

#[test]
fn cus_5_deleting_frees_the_email_and_external_id_at_once() {
    let mut account = Account::team();
    let command = Command::AddMember {
        member_id: member(7),
        email: mail(7),
        name: None,
        external_id: external("usr_7"),
        role: MemberRole::Member,
    };
    account.ok(TOKEN, command);
    let deleted = account.member(member(7)).unwrap().clone();
    assert_eq!(
        account.changes(TOKEN, Command::DeleteMember { member_id: member(7) }),
        [Change::MemberDeleted { member: deleted }]
    );
    account.refused(TOKEN, Command::DeleteMember { member_id: member(7) }, "member_not_found");
    let again = Command::AddMember {
        member_id: member(8),
        email: email("M7@example.com"),
        name: None,
        external_id: external("usr_7"),
        role: MemberRole::Member,
    };
    account.ok(TOKEN, again);
}

#[test]
fn cus_5_the_only_owner_cannot_be_deleted() {
    let mut account = Account::team();
    let err = account.refused(TOKEN, Command::DeleteMember { member_id: OWNER_M }, "only_owner_cannot_be_deleted");
    assert!(err.to_string().contains("transfer ownership first"), "{err}");
    account.refused(TOKEN, Command::DeleteMember { member_id: member(404) }, "member_not_found");
}

// CUS-6 ------------------------------------------------------------------------------------

#[test]
fn cus_6_deleting_a_customer_deletes_members_in_creation_order_then_the_owner() {
    let mut account = Account::team();
    account.ok(TOKEN, add(4, MemberRole::Member));
    account.ok(TOKEN, set_role(BILLING, MemberRole::Owner)); // the owner is now created in the middle
    let changes = account.changes(TOKEN, Command::Delete);
    let deleted: Vec<_> = changes
        .iter()
        .filter_map(|change| match change {
            Change::MemberDeleted { member } => Some(member.id),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, [OWNER_M, PLAIN, member(4), BILLING]);
    assert_eq!(changes.last(), Some(&Change::Deleted));
    assert!(account.customer.is_deleted());
    assert_eq!(account.customer.member_count(), 0);
    for actor in [TOKEN, CustomerActor::System, portal(PLAIN)] {
        account.refused(actor, add(9, MemberRole::Member), "customer_not_found");
    }
    account.refused(TOKEN, Command::Delete, "customer_not_found");
}

// CUS-7 ------------------------------------------------------------------------------------

#[test]
fn cus_7_an_individual_owners_email_follows_the_customer() {
    let mut account = Account::individual();
    account.at(4);
    let events = account.ok(CustomerActor::System, Command::ChangeEmail { email: email("New@example.com") });
    assert_eq!(events[0].change, Change::EmailChanged { email: email("New@example.com") });
    let owner = account.customer.owner().unwrap().clone();
    assert_eq!((owner.email.as_str(), owner.modified_at), ("New@example.com", Some(at(4))));
    assert_eq!(events[1].change, Change::MemberUpdated { member: owner });
    let hooks = webhooks(&events);
    assert_eq!(hooks.iter().map(|hook| hook.kind).collect::<Vec<_>>(), [WebhookType::MemberUpdated]);
    assert_eq!(account.changes(TOKEN, Command::ChangeEmail { email: email("New@example.com") }), []);
    account.ok(TOKEN, Command::ChangeEmail { email: email("new@example.com") });
    assert_eq!(account.customer.owner().unwrap().email.as_str(), "new@example.com");
}

#[test]
fn cus_7_team_members_keep_their_own_emails() {
    let mut account = Account::team();
    let changes = account.changes(TOKEN, Command::ChangeEmail { email: email("billing@acme.example") });
    assert_eq!(changes, [Change::EmailChanged { email: email("billing@acme.example") }]);
    assert_eq!(account.customer.owner().unwrap().email, mail(1));
}

// CUS-8 ------------------------------------------------------------------------------------

#[test]
fn cus_8_portal_checks_role_before_customer_kind() {
    let mut account = Account::team();
    let err = account.refused(portal(PLAIN), add(7, MemberRole::Member), "insufficient_portal_role");
    assert_eq!(
        err,
        Error::InsufficientPortalRole { customer_id: CUSTOMER, capability: PortalCapability::ManageMembers }
    );
    account.refused(portal(PLAIN), Command::DeleteMember { member_id: member(404) }, "insufficient_portal_role");
    let mut individual = Account::individual();
    individual.refused(portal(OWNER_M), add(7, MemberRole::Member), "team_customers_only");
    individual.refused(portal(OWNER_M), Command::DeleteMember { member_id: member(404) }, "team_customers_only");
    individual.refused(portal(OWNER_M), set_role(OWNER_M, MemberRole::Member), "team_customers_only");
}

#[test]
fn cus_8_a_portal_session_must_be_an_active_member() {
    let mut account = Account::team();
    let err = account.refused(portal(member(404)), add(7, MemberRole::Member), "member_session_invalid");
    assert_eq!((err.kind(), err.polar_status().as_u16()), (ErrorKind::Unauthenticated, 401));
    account.ok(TOKEN, Command::DeleteMember { member_id: BILLING });
    account.refused(portal(BILLING), add(7, MemberRole::Member), "member_session_invalid");
}

#[test]
fn cus_8_portal_target_then_self_checks() {
    let mut account = Account::team();
    account.refused(portal(BILLING), set_role(member(404), MemberRole::Member), "member_not_found");
    account.refused(portal(BILLING), Command::DeleteMember { member_id: member(404) }, "member_not_found");
    account.refused(portal(BILLING), set_role(BILLING, MemberRole::Member), "cannot_change_own_role");
    account.refused(portal(OWNER_M), set_role(OWNER_M, MemberRole::Member), "cannot_change_own_role");
    assert_eq!(account.changes(portal(OWNER_M), set_role(OWNER_M, MemberRole::Owner)), []);
    account.refused(portal(BILLING), Command::DeleteMember { member_id: BILLING }, "cannot_remove_self");
    account.refused(portal(OWNER_M), Command::DeleteMember { member_id: OWNER_M }, "cannot_remove_self");
}

#[test]
fn cus_8_billing_managers_manage_members_but_only_the_owner_transfers() {
    let mut account = Account::team();
    account.refused(portal(BILLING), add(7, MemberRole::Owner), "owner_role_not_creatable");
    let changes = account.changes(portal(BILLING), add(7, MemberRole::Member));
    assert!(matches!(&changes[..], [Change::MemberCreated { member: added }] if added.id == member(7)));
    account.ok(portal(BILLING), set_role(member(7), MemberRole::BillingManager));
    account.ok(portal(BILLING), Command::DeleteMember { member_id: member(7) });
    let err = account.refused(portal(BILLING), set_role(PLAIN, MemberRole::Owner), "only_owner_can_transfer");
    assert_eq!(err, Error::OnlyOwnerCanTransfer { customer_id: CUSTOMER, member_id: BILLING });
    account.refused(portal(BILLING), set_role(OWNER_M, MemberRole::Member), "customer_needs_one_owner");
    account.refused(portal(BILLING), Command::DeleteMember { member_id: OWNER_M }, "only_owner_cannot_be_deleted");
    account.ok(portal(OWNER_M), set_role(PLAIN, MemberRole::Owner));
    assert_eq!(account.role(PLAIN), Some(MemberRole::Owner));
}

#[test]
fn cus_8_portal_updates_carry_name_and_role_only() {
    let mut account = Account::team();
    let err = account.refused(
        portal(BILLING),
        update(PLAIN, MemberUpdate { email: Some(mail(9)), ..MemberUpdate::default() }),
        "invalid_input",
    );
    assert_eq!(err.field(), Some("email"));
    account.ok(portal(BILLING), update(PLAIN, MemberUpdate { name: name("Pat"), ..MemberUpdate::default() }));
    assert_eq!(account.member(PLAIN).unwrap().name, name("Pat"));
}

// CUS-9 ------------------------------------------------------------------------------------

#[test]
fn cus_9_individual_becomes_team_and_never_back() {
    let mut account = Account::individual();
    assert_eq!(account.changes(TOKEN, Command::ChangeKind { kind: CustomerKind::Individual }), []);
    assert_eq!(
        account.changes(TOKEN, Command::ChangeKind { kind: CustomerKind::Team }),
        [Change::KindChanged { kind: CustomerKind::Team }]
    );
    assert_eq!(account.changes(TOKEN, Command::ChangeKind { kind: CustomerKind::Team }), []);
    let err = account.refused(TOKEN, Command::ChangeKind { kind: CustomerKind::Individual }, "customer_kind_downgrade");
    assert_eq!(err.polar_status().as_u16(), 422);
    account.ok(TOKEN, add(7, MemberRole::Member));
    account.ok(portal(OWNER_M), add(8, MemberRole::Member));
}
