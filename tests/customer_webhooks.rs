//! Polar's `customer.*` webhooks: one decision's events and the customer's row before them
//! make `customer.created`, `customer.updated` and `customer.deleted`, around the
//! `member.*` ones, each carrying Polar's `Customer`.

use membership::customer::{Command, CustomerKind};
use membership::wire::{AnyWebhook, PolarCustomer, customer_webhooks};

use crate::customer_kit::*;
use crate::support::at;

fn kinds(hooks: &[AnyWebhook]) -> Vec<&'static str> {
    hooks.iter().map(AnyWebhook::topic).collect()
}

fn customer(hook: &AnyWebhook) -> &PolarCustomer {
    &hook.customer().unwrap().data
}

#[test]
fn cus_2_a_creation_sends_customer_created_then_its_owners_member_created() {
    let account = Account::individual();
    let hooks = customer_webhooks(CUSTOMER, None, at(0), &account.log);
    assert_eq!(kinds(&hooks), ["customer.created", "member.created"]);
    let created = customer(&hooks[0]);
    assert_eq!((created.id, created.created_at, created.kind), (CUSTOMER, at(0), CustomerKind::Individual));
    assert_eq!((created.email.as_ref(), created.deleted_at), (Some(&mail(1)), None));
    assert_eq!(hooks[1].member().unwrap().data.id, OWNER_M);
}

#[test]
fn cus_7_an_email_change_sends_customer_updated_with_the_new_email_after_the_owners_member_updated() {
    let mut account = Account::individual();
    let before = account.customer.profile().clone();
    account.at(5);
    let events = account.ok(TOKEN, Command::ChangeEmail { email: mail(9) });
    let hooks = customer_webhooks(CUSTOMER, Some(&before), at(0), &events);
    assert_eq!(kinds(&hooks), ["member.updated", "customer.updated"]);
    let updated = customer(&hooks[1]);
    assert_eq!((updated.email.as_ref(), updated.created_at, hooks[1].timestamp()), (Some(&mail(9)), at(0), at(5)));
}

#[test]
fn cus_9_a_kind_change_sends_customer_updated_as_a_team() {
    let mut account = Account::individual();
    let before = account.customer.profile().clone();
    let events = account.ok(TOKEN, Command::ChangeKind { kind: CustomerKind::Team });
    let hooks = customer_webhooks(CUSTOMER, Some(&before), at(0), &events);
    assert_eq!(kinds(&hooks), ["customer.updated"]);
    assert_eq!(customer(&hooks[0]).kind, CustomerKind::Team);
}

#[test]
fn cus_6_a_deletion_sends_each_member_deleted_then_customer_deleted_with_deleted_at() {
    let mut account = Account::team();
    let before = account.customer.profile().clone();
    account.at(7);
    let events = account.ok(TOKEN, Command::Delete);
    let hooks = customer_webhooks(CUSTOMER, Some(&before), at(0), &events);
    assert_eq!(kinds(&hooks), ["member.deleted", "member.deleted", "member.deleted", "customer.deleted"]);
    let deleted = customer(&hooks[3]);
    assert_eq!((deleted.deleted_at, deleted.email.as_ref()), (Some(at(7)), Some(&mail(1))));
}

#[test]
fn member_decisions_send_no_customer_webhook() {
    let mut account = Account::team();
    let before = account.customer.profile().clone();
    let events = account.ok(TOKEN, add(4, membership::customer::MemberRole::Member));
    let hooks = customer_webhooks(CUSTOMER, Some(&before), at(0), &events);
    assert_eq!(kinds(&hooks), ["member.created"]);
}

#[test]
fn a_customer_webhook_serializes_as_polars_customer_payload() {
    let account = Account::individual();
    let hooks = customer_webhooks(CUSTOMER, None, at(0), &account.log);
    let json = serde_json::to_value(&hooks[0]).unwrap();
    assert_eq!(json["type"], "customer.created");
    assert_eq!(json["data"]["type"], "individual");
    assert_eq!(json["data"]["metadata"], serde_json::json!({}));
    for key in
        ["id", "created_at", "modified_at", "email_verified", "billing_address", "tax_id", "deleted_at", "avatar_url"]
    {
        assert!(json["data"].get(key).is_some(), "{key} is required");
    }
    let back: AnyWebhook = serde_json::from_value(json).unwrap();
    assert_eq!(back, hooks[0], "it reads back as a customer, not a member");
}
