//! CUS-1: the crate reads and writes Polar's JSON. Golden inputs are Polar's own shapes
//! (`tests/fixtures/polar-wire`, copied from the project's shared fixtures).

use std::num::NonZeroU64;

use membership::customer::{Command, Member, MemberRole, MemberUpdate};
use membership::organization::Organization;
use membership::wire::{
    InviteBody, ListQuery, ListResource, MemberCreateBody, MemberCreateFromCustomerBody, MemberUpdateBody,
    OrganizationMember, Paging, PolarErrorBody, PortalMember, PortalMemberCreateBody, PortalMemberUpdateBody, RoleBody,
    Sorting, Webhook,
};
use membership::{Error, InvitationId, MemberId, Permission, Role};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::customer_kit::{Account, CUSTOMER, PLAIN};
use crate::support::{ADMIN, ORG};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/polar-wire/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(file["expect"], "accept");
    file["value"].clone()
}

/// What the crate writes for a value Polar accepts: timestamps in UTC with `Z`.
fn as_written(mut value: Value) -> Value {
    match &mut value {
        Value::String(text) if text.ends_with("+00:00") => *text = text.replace("+00:00", "Z"),
        Value::Array(items) => items.iter_mut().for_each(|item| *item = as_written(item.take())),
        Value::Object(map) => map.values_mut().for_each(|item| *item = as_written(item.take())),
        _ => {}
    }
    value
}

#[track_caller]
fn golden<T: serde::Serialize + serde::de::DeserializeOwned>(name: &str) -> T {
    let value = fixture(name);
    let parsed: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), as_written(value), "{name}");
    parsed
}

#[test]
fn cus_1_members_read_and_write_polars_member_object() {
    let full: Member = golden("valid-member-full");
    assert_eq!(full.role, MemberRole::BillingManager);
    assert_eq!(full.created_at.to_string(), "2025-01-01T12:34:56.123456Z");
    let minimal: Member = golden("valid-member-minimal");
    assert_eq!((minimal.name, minimal.external_id, minimal.modified_at), (None, None, None));
    let keys: Vec<String> = serde_json::to_value(&full).unwrap().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 8, "{keys:?}");
}

#[test]
fn cus_1_the_seeds_response_example_round_trips_once_its_placeholders_are_filled() {
    // The seed's example uses "<string>" for ids and omits `role`, which its schema requires
    // (docs/rules.md#cus-1: follow the schema). Fill both and it must round-trip unchanged.
    let seed = json!({
        "id": "<string>",
        "created_at": "2023-11-07T05:31:56Z",
        "modified_at": "2023-11-07T05:31:56Z",
        "customer_id": "<string>",
        "email": "<string>",
        "name": "Jane Doe",
        "external_id": "usr_1337"
    });
    let mut value = seed.clone();
    value["id"] = json!("aba9c0b9-eb6d-4da2-93cf-dad1b939d730");
    value["customer_id"] = json!("f28fd84a-e271-40be-a581-b4035f809abc");
    value["email"] = json!("member@example.com");
    value["role"] = json!("owner");
    let member: Member = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&member).unwrap(), value);
    assert!(serde_json::from_value::<Member>(seed).is_err(), "placeholders are not UUIDs");
}

#[test]
fn cus_1_list_envelopes() {
    let page: ListResource<Member> = golden("valid-member-list");
    assert_eq!(page.items.len(), 2);
    let empty: ListResource<Member> = golden("valid-member-list-empty");
    assert_eq!(empty, ListResource::new(Vec::new(), 0, NonZeroU64::new(10).unwrap()));
    for (total, limit, max_page) in [(0, 10, 0), (1, 10, 1), (10, 10, 1), (11, 10, 2), (2, 1, 2)] {
        let page = ListResource::<Member>::new(Vec::new(), total, NonZeroU64::new(limit).unwrap());
        assert_eq!(page.pagination.max_page, max_page, "{total} / {limit}");
        assert_eq!(page.pagination.total_count, total);
    }
}

#[test]
fn cus_1_webhooks_portal_members_organization_members_and_roles() {
    let hook: Webhook = golden("valid-webhook-member-created");
    assert_eq!(hook.data.role, MemberRole::Owner);
    let portal: PortalMember = golden("valid-customer-portal-member");
    assert_eq!(portal.role, MemberRole::Owner);
    let team_member: OrganizationMember = golden("valid-organization-member");
    assert_eq!((team_member.role, team_member.avatar_url), (Role::Admin, None));
    let role: MemberRole = golden("valid-member-role");
    assert_eq!(role, MemberRole::BillingManager);
    // Built from the crate's own records.
    let account = Account::team();
    let member = account.member(PLAIN).unwrap();
    let portal = PortalMember::from(&member);
    assert_eq!((portal.id, &portal.email, portal.role), (member.id, &member.email, member.role));
    let team = crate::support::Team::standard();
    let (membership, role) = team.org.member(crate::support::ADMIN).unwrap();
    let wire = serde_json::to_value(OrganizationMember::new(membership, role, Some("https://a.example/x.png".into())))
        .unwrap();
    assert_eq!(
        wire,
        json!({
            "user_id": "00000000-0000-0000-0000-000000000102",
            "created_at": "2025-01-01T00:00:00Z",
            "email": "u2@example.com",
            "avatar_url": "https://a.example/x.png",
            "role": "admin",
        })
    );
    let _: &Organization = &team.org;
}

#[test]
fn cus_1_create_bodies_parse_into_add_member() {
    let member_id = MemberId::new(Uuid::from_u128(7));
    let body: MemberCreateBody = serde_json::from_value(fixture("valid-member-create-deprecated")).unwrap();
    let (customer_id, command) = body.into_command(member_id).unwrap();
    assert_eq!(customer_id.to_string(), "f28fd84a-e271-40be-a581-b4035f809abc");
    assert!(matches!(command, Command::AddMember { role: MemberRole::BillingManager, name: None, .. }));

    let body: MemberCreateFromCustomerBody =
        serde_json::from_value(fixture("valid-member-create-from-customer")).unwrap();
    let command = body.into_command(member_id).unwrap();
    let Command::AddMember { email, name, external_id, role, .. } = command else { panic!("{command:?}") };
    assert_eq!(
        (email.as_str(), name.unwrap().as_str(), external_id.unwrap().as_str(), role),
        ("new@example.com", "New Member", "usr_42", MemberRole::Member)
    );
}

#[test]
fn cus_1_create_bodies_refuse_what_polar_refuses() {
    let member_id = MemberId::new(Uuid::from_u128(7));
    let field = |body: Value| {
        let body: MemberCreateBody = serde_json::from_value(body).unwrap();
        body.into_command(member_id).unwrap_err().field()
    };
    let customer = "f28fd84a-e271-40be-a581-b4035f809abc";
    assert_eq!(field(json!({"customerId": customer, "email": "a@example.com"})), Some("customer_id"));
    assert_eq!(field(json!({"customer_id": "nope", "email": "a@example.com"})), Some("customer_id"));
    assert_eq!(field(json!({"customer_id": customer})), Some("email"));
    assert_eq!(field(json!({"customer_id": customer, "email": "nope"})), Some("email"));
    assert_eq!(
        field(json!({"customer_id": customer, "email": "a@example.com", "name": "x".repeat(257)})),
        Some("name")
    );
    assert_eq!(
        field(json!({"customer_id": customer, "email": "a@example.com", "external_id": "x".repeat(257)})),
        Some("external_id")
    );
    assert_eq!(field(json!({"customer_id": customer, "email": "a@example.com", "role": null})), Some("role"));
    assert_eq!(field(json!({"customer_id": customer, "email": "a@example.com", "role": "admin"})), Some("role"));
    // Unknown keys are ignored; any RFC 4122 UUID is accepted.
    let body: MemberCreateBody = serde_json::from_value(json!({
        "customer_id": "00000000-0000-1000-8000-000000000001", "email": "a@example.com", "extra": 1, "name": "  "
    }))
    .unwrap();
    let (_, command) = body.into_command(member_id).unwrap();
    assert!(matches!(command, Command::AddMember { name: None, role: MemberRole::Member, .. }));
}

#[test]
fn cus_1_update_bodies_treat_null_and_absent_alike() {
    let body: MemberUpdateBody = serde_json::from_value(fixture("valid-member-update")).unwrap();
    assert_eq!(body.into_update().unwrap(), MemberUpdate { name: None, email: None, role: Some(MemberRole::Owner) });
    let body: MemberUpdateBody = serde_json::from_value(json!({"email": "B@example.com", "name": "  "})).unwrap();
    let update = body.into_update().unwrap();
    assert_eq!((update.email.unwrap().as_str(), update.name), ("B@example.com", None));
    let body: MemberUpdateBody = serde_json::from_value(json!({"role": "boss"})).unwrap();
    assert_eq!(body.into_update().unwrap_err().field(), Some("role"));
}

#[test]
fn cus_1_error_bodies_have_polars_shapes() {
    let forbidden =
        Error::PermissionDenied { organization_id: ORG, permission: Permission::MembersManage }.polar_body();
    assert_eq!(
        serde_json::to_value(&forbidden).unwrap(),
        json!({"error": "NotPermitted", "detail": "You don't have permission to manage members"})
    );
    let fixture_403 = fixture("valid-error-403");
    assert_eq!(fixture_403.as_object().unwrap().keys().collect::<Vec<_>>(), ["detail", "error"]);

    let not_found = Error::CustomerMemberNotFound { customer_id: CUSTOMER, member_id: PLAIN }.polar_body();
    let value = serde_json::to_value(&not_found).unwrap();
    assert_eq!(value["error"], fixture("valid-error-404")["error"]);
    assert!(value["detail"].is_string());

    let invalid = membership::Email::parse("nope").unwrap_err().polar_body();
    let value = serde_json::to_value(&invalid).unwrap();
    let fixture_422 = fixture("valid-error-422");
    assert_eq!(value["error"], fixture_422["error"]);
    assert_eq!(value["detail"][0]["loc"], json!(["body", "email"]));
    let keys = |v: &Value| v["detail"][0].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&value), keys(&fixture_422));

    for (error, name) in [
        (Error::UserActorRequired, "Unauthorized"),
        (Error::AlreadyOwner { organization_id: ORG, user_id: crate::support::OWNER }, "BadRequest"),
        (
            Error::InvitationNotOpen {
                organization_id: ORG,
                invitation_id: crate::support::invitation(1),
                status: membership::organization::InvitationStatus::Declined,
            },
            "ResourceAlreadyExists",
        ),
        (Error::CustomerNotFound { customer_id: crate::customer_kit::CUSTOMER }, "ResourceNotFound"),
    ] {
        let PolarErrorBody::Plain { error: got, detail } = error.polar_body() else { panic!("{error:?}") };
        assert_eq!((got.as_str(), detail), (name, error.to_string()));
    }
    let PolarErrorBody::Validation { detail, .. } =
        (Error::CustomerNeedsOneOwner { customer_id: CUSTOMER, member_id: PLAIN }).polar_body()
    else {
        panic!("422 is a validation body")
    };
    assert_eq!(detail[0].loc, ["body", "role"]);
    for (error, field) in [
        (Error::MemberEmailTaken { organization_id: ORG, email: "a@example.com".into() }, Some("email")),
        (Error::IndividualCustomerEmailLocked { customer_id: CUSTOMER, member_id: PLAIN }, Some("email")),
        (Error::OwnerEmailRequired { customer_id: CUSTOMER }, Some("email")),
        (Error::OwnerRoleNotAssignable { organization_id: ORG, user_id: ADMIN }, Some("role")),
        (Error::OwnerRoleNotCreatable { customer_id: CUSTOMER }, Some("role")),
        (Error::OnlyOwnerCanTransfer { customer_id: CUSTOMER, member_id: PLAIN }, Some("role")),
        (Error::CannotChangeOwnRole { customer_id: CUSTOMER, member_id: PLAIN }, Some("role")),
        (Error::ExternalIdTaken { customer_id: CUSTOMER, external_id: "x".into() }, Some("external_id")),
        (Error::CustomerKindDowngrade { customer_id: crate::customer_kit::CUSTOMER }, Some("type")),
        (Error::CannotRemoveSelf { customer_id: CUSTOMER, member_id: PLAIN }, None),
    ] {
        assert_eq!(error.field(), field, "{error:?}");
    }
    let PolarErrorBody::Validation { detail, .. } =
        (Error::OnlyOwnerCannotBeDeleted { customer_id: CUSTOMER, member_id: PLAIN }).polar_body()
    else {
        panic!("422 is a validation body")
    };
    assert_eq!(detail[0].loc, ["body"]);
}

#[test]
fn cus_1_the_path_wins_over_a_body_customer_id() {
    let member_id = MemberId::new(Uuid::from_u128(7));
    let body: MemberCreateFromCustomerBody = serde_json::from_value(json!({
        "customer_id": "f28fd84a-e271-40be-a581-b4035f809abc", "email": "a@example.com"
    }))
    .unwrap();
    // The command names no customer: the service decides it on the path's.
    assert!(matches!(body.into_command(member_id).unwrap(), Command::AddMember { role: MemberRole::Member, .. }));
}

#[test]
fn cus_1_a_json_value_of_the_wrong_type_is_a_422_naming_its_field() {
    let member_id = MemberId::new(Uuid::from_u128(7));
    let cases = [
        (json!({"email": "a@example.com", "name": 123}), "name", "must be a string, not a number"),
        (json!({"email": true}), "email", "must be a string, not a boolean"),
        (json!({"email": "a@example.com", "external_id": ["x"]}), "external_id", "must be a string, not an array"),
        (json!({"email": "a@example.com", "role": {"x": 1}}), "role", "must be a string, not an object"),
    ];
    for (body, field, reason) in cases {
        let body: MemberCreateFromCustomerBody = serde_json::from_value(body).unwrap();
        let error = body.into_command(member_id).unwrap_err();
        assert_eq!((error.code(), error.field(), error.polar_status().as_u16()), ("invalid_input", Some(field), 422));
        assert!(error.to_string().contains(reason), "{error}");
        let json = serde_json::to_value(error.polar_body()).unwrap();
        assert_eq!(json["detail"][0]["loc"], json!(["body", field]));
    }
    let update: MemberUpdateBody = serde_json::from_value(json!({"role": 5})).unwrap();
    assert_eq!(update.into_update().unwrap_err().field(), Some("role"));
}

#[test]
fn spec_2_1_every_body_refuses_a_control_character_naming_its_field() {
    let member_id = MemberId::new(Uuid::from_u128(7));
    let customer = "f28fd84a-e271-40be-a581-b4035f809abc";
    let check = |error: Error, field: &str| {
        assert_eq!((error.code(), error.field(), error.polar_status().as_u16()), ("invalid_input", Some(field), 422));
        let json = serde_json::to_value(error.polar_body()).unwrap();
        assert_eq!(json["detail"][0]["loc"], json!(["body", field]), "{json}");
    };
    for (key, text) in [("name", "Ann\u{0}"), ("external_id", "usr\u{0}1"), ("email", "a\u{85}@example.com")] {
        let mut body = json!({"customer_id": customer, "email": "a@example.com"});
        body[key] = json!(text);
        let create: MemberCreateBody = serde_json::from_value(body.clone()).unwrap();
        check(create.into_command(member_id).unwrap_err(), key);
        let create: MemberCreateFromCustomerBody = serde_json::from_value(body.clone()).unwrap();
        check(create.into_command(member_id).unwrap_err(), key);
        if key != "external_id" {
            let portal: PortalMemberCreateBody = serde_json::from_value(body.clone()).unwrap();
            check(portal.into_command(member_id).unwrap_err(), key);
            let update: MemberUpdateBody = serde_json::from_value(json!({ key: text })).unwrap();
            check(update.into_update().unwrap_err(), key);
        }
    }
    let update: PortalMemberUpdateBody = serde_json::from_value(json!({"name": "A\tB"})).unwrap();
    check(update.into_update().unwrap_err(), "name");
    let invite: InviteBody = serde_json::from_value(json!({"email": "\"a\u{1}\"@example.com"})).unwrap();
    check(invite.into_command(InvitationId::new(Uuid::from_u128(3)), membership::Ttl::DEFAULT).unwrap_err(), "email");
}

#[test]
fn cus_1_portal_bodies_ignore_what_polar_ignores() {
    let member_id = MemberId::new(Uuid::from_u128(7));
    let create: PortalMemberCreateBody = serde_json::from_value(json!({
        "email": "a@example.com", "external_id": "ignored", "role": "billing_manager"
    }))
    .unwrap();
    assert!(matches!(
        create.into_command(member_id).unwrap(),
        Command::AddMember { external_id: None, role: MemberRole::BillingManager, .. }
    ));
    let create: PortalMemberCreateBody =
        serde_json::from_value(json!({"email": "a@example.com", "role": null})).unwrap();
    assert_eq!(create.into_command(member_id).unwrap_err().field(), Some("role"));
    let update: PortalMemberUpdateBody =
        serde_json::from_value(json!({"email": "ignored@example.com", "name": "Ann", "role": "member"})).unwrap();
    let update = update.into_update().unwrap();
    assert_eq!((update.email, update.role), (None, Some(MemberRole::Member)));
    assert_eq!(update.name.unwrap().as_str(), "Ann");
}

#[test]
fn org_4_and_org_6_team_bodies_parse_into_commands() {
    use membership::organization::Command as Team;
    let invitation_id = membership::InvitationId::new(Uuid::from_u128(3));
    let body: InviteBody = serde_json::from_value(json!({"email": "Dev@Example.com"})).unwrap();
    let command = body.into_command(invitation_id, membership::Ttl::DEFAULT).unwrap();
    assert!(matches!(command, Team::Invite { ref email, .. } if email.as_str() == "Dev@Example.com"));
    let body: InviteBody = serde_json::from_value(json!({})).unwrap();
    assert_eq!(body.into_command(invitation_id, membership::Ttl::DEFAULT).unwrap_err().field(), Some("email"));
    let user_id = membership::UserId::new(Uuid::from_u128(4));
    let body: RoleBody = serde_json::from_value(json!({"role": "owner"})).unwrap();
    // `owner` parses; ORG-6 refuses it in its own order.
    assert_eq!(body.into_command(user_id).unwrap(), Team::ChangeRole { user_id, role: Role::Owner });
    let body: RoleBody = serde_json::from_value(json!({"role": "boss"})).unwrap();
    assert_eq!(body.into_command(user_id).unwrap_err().field(), Some("role"));
}

#[test]
fn cus_1_list_queries_page_from_1_and_clamp_the_limit_to_100() {
    let paging = |page: Option<&str>, limit: Option<&str>| {
        // As a query-string parser hands it over: every value a string.
        let mut query = serde_json::Map::new();
        page.map(|page| query.insert("page".into(), json!(page)));
        limit.map(|limit| query.insert("limit".into(), json!(limit)));
        serde_json::from_value::<ListQuery>(Value::Object(query)).unwrap().into_paging()
    };
    let default = paging(None, None).unwrap();
    assert_eq!((default.page.get(), default.limit.get(), default.sorting), (1, 10, Sorting::NewestFirst));
    assert_eq!(paging(Some("3"), Some("1000")).unwrap().limit.get(), 100);
    assert_eq!(paging(Some("3"), Some("20")).unwrap().offset(), 40);
    // Polar's integers are unbounded: a page past u64 is the last possible (empty) page.
    let far = paging(Some("562962266821306613760"), Some("99999999999999999999999")).unwrap();
    assert_eq!((far.page.get(), far.limit.get(), far.offset()), (u64::MAX, 100, u64::MAX));
    assert!(paging(Some("000000000000000000000000"), None).is_err(), "zero is zero however written");
    for (page, limit, field) in [(Some("0"), None, "page"), (Some("x"), None, "page"), (None, Some("0"), "limit")] {
        let error = paging(page, limit).unwrap_err();
        assert_eq!(error.field(), Some(field));
        let json = serde_json::to_value(error.polar_body()).unwrap();
        assert_eq!(json["detail"][0]["loc"], json!(["query", field]));
    }
    // Newest first, then by id; total and max_page count every member.
    let mut account = Account::team();
    account.at(5);
    account.ok(crate::customer_kit::TOKEN, crate::customer_kit::add(4, MemberRole::Member));
    let page: Paging = paging(Some("1"), Some("2")).unwrap();
    let list = page.page_of(account.customer.members());
    assert_eq!(list.pagination, membership::wire::Pagination { total_count: 4, max_page: 2 });
    assert_eq!(list.items[0].id, crate::customer_kit::member(4));
    let second = paging(Some("2"), Some("2")).unwrap().page_of(account.customer.members());
    assert_eq!(second.items.len(), 2);
}
