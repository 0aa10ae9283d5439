//! The rules hold through the store: each command decided on the rows of its plan, written
//! in one transaction, and read back from the tables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use membership::customer::{self, Customer, MemberRole, MemberUpdate};
use membership::organization::{Command, Organization};
use membership::wire::{ListQuery, WebhookType};
use membership::{Actor, Permission, Role, Ttl};
use membership_sqlx::DeliveryStatus;
use support::*;

#[tokio::test]
async fn store_runs_on_the_backend_asked_for() {
    let store = fresh_store().await;
    let expected = std::env::var("MEMBERSHIP_EXPECT_BACKEND").unwrap_or_else(|_| "sqlite".to_owned());
    assert_eq!(backend_name(&store), expected);
}

#[tokio::test]
async fn store_runs_organization_commands_and_reads_them_back() {
    let store = fresh_store().await;
    team(&store, org(1), 3, Role::Admin).await;
    // A permission check is one point read.
    store.check(org(1), Actor::User(user(2)), Permission::MembersManage).await.unwrap();
    let refused = store.check(org(1), Actor::User(user(9)), Permission::MembersRead).await.unwrap_err();
    assert_eq!(refused.code(), "organization_not_found");
    // Invite, accept, leave: the rules answer through the store.
    let invite =
        Command::Invite { invitation_id: uuid::Uuid::from_u128(1).into(), email: email_of(user(7)), ttl: Ttl::DEFAULT };
    org_ok(&store, org(1), Actor::User(user(2)), invite).await;
    let accept = Command::AcceptInvitation { invitation_id: uuid::Uuid::from_u128(1).into(), email: email_of(user(7)) };
    assert_eq!(org_ok(&store, org(1), Actor::User(user(7)), accept).await.len(), 2);
    let refused = store.execute::<Organization>(org(1), Command::Leave, Actor::User(user(1)), at(0)).await.unwrap_err();
    assert_eq!((refused.code(), refused.polar_status().as_u16()), ("owner_cannot_leave", 403));
    let team = store.team(org(1)).await.unwrap();
    assert_eq!(team.len(), 4);
    assert_eq!(team[0].1, Role::Owner);
    assert!(team.iter().any(|(member, role)| member.user_id == user(7) && *role == Role::Member));
    assert_consistent(&store).await;
}

#[tokio::test]
async fn store_runs_customer_commands_writes_webhooks_and_pages_members() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 5).await;
    // Promote member 3 to owner: one event carrying both records, two webhooks.
    let promote = customer::Command::UpdateMember {
        member_id: member(3),
        update: MemberUpdate { role: Some(MemberRole::Owner), ..MemberUpdate::default() },
    };
    store.execute::<Customer>(customer_id(1), promote, token(org(1)), at(1)).await.unwrap();
    let customer = store.customer(customer_id(1)).await.unwrap().unwrap();
    assert_eq!(customer.role_of(member(3)), Some(MemberRole::Owner));
    assert_eq!(customer.role_of(member(1)), Some(MemberRole::BillingManager));
    // Newest first, with Polar's totals.
    let query: ListQuery = serde_json::from_value(serde_json::json!({"page": "1", "limit": "2"})).unwrap();
    let page = store.members_page(customer_id(1), query.into_paging().unwrap()).await.unwrap();
    assert_eq!((page.pagination.total_count, page.pagination.max_page, page.items.len()), (5, 3, 2));
    // The outbox holds one member.created per member, and two member.updated: what
    // `claim_webhooks` takes. `customer.created` waits for `claim_any_webhooks`.
    let deliveries = store.claim_webhooks(at(2), 100).await.unwrap();
    let created = deliveries.iter().filter(|d| d.webhook.kind == WebhookType::MemberCreated).count();
    let updated: Vec<_> = deliveries.iter().filter(|d| d.webhook.kind == WebhookType::MemberUpdated).collect();
    assert_eq!((created, updated.len()), (5, 2));
    assert!(deliveries.iter().all(|delivery| delivery.organization_id == org(1)));
    // Claimed webhooks are not claimed again while leased; dispatched ones never again.
    assert!(store.claim_webhooks(at(2), 100).await.unwrap().is_empty());
    for delivery in &deliveries {
        assert!(store.dispatch(delivery, &[], at(2)).await.unwrap());
    }
    assert_eq!(store.undelivered().await.unwrap(), 1, "customer.created");
    let rest = store.claim_any_webhooks(at(2), 100).await.unwrap();
    let topics: Vec<_> = rest.iter().map(|delivery| delivery.webhook.topic()).collect();
    assert_eq!(topics, ["customer.created"]);
    assert_eq!(rest[0].webhook.customer().unwrap().data.id, customer_id(1));
    assert!(store.dispatch(&rest[0], &[], at(2)).await.unwrap());
    assert_eq!(store.undelivered().await.unwrap(), 0);
    assert!(store.claim_webhooks(at(60), 100).await.unwrap().is_empty());
    assert!(store.claim_any_webhooks(at(60), 100).await.unwrap().is_empty());
    assert_consistent(&store).await;
}

/// How long the tests lease a delivery.
const LEASE: std::time::Duration = std::time::Duration::from_mins(1);

/// The destinations the tests fan out to.
fn destinations(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// The tests of the outbox's mechanics follow `member.created`: the `customer.created`
/// beside it is taken as long gone (dispatched and pruned).
async fn customer_webhooks_out_of_the_way(store: &membership_sqlx::Store) {
    sqlx::query("DELETE FROM outbox WHERE topic LIKE 'customer.%'").execute(store.pool()).await.unwrap();
}

/// A store with one webhook in its outbox (the customer owner's `member.created`),
/// dispatched at minute 0 to `to`.
async fn one_webhook_dispatched(to: &[&str]) -> (membership_sqlx::Store, String) {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 1).await;
    customer_webhooks_out_of_the_way(&store).await;
    let claimed = store.claim_webhooks(at(0), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(store.dispatch(&claimed[0], &destinations(to), at(0)).await.unwrap());
    (store, claimed[0].id.clone())
}

#[tokio::test]
async fn store_dispatch_is_fenced_and_idempotent_after_a_lost_lease() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 1).await;
    customer_webhooks_out_of_the_way(&store).await;
    let first = store.claim_webhooks(at(0), 10).await.unwrap();
    // The first worker stalls past its lease; a second claims the row, with a new token.
    let second = store.claim_webhooks(at(1), 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(first[0].id, second[0].id);
    assert_ne!(first[0].token, second[0].token);
    // The stale worker's fan-out is refused and writes nothing.
    assert!(!store.dispatch(&first[0], &destinations(&["a", "b"]), at(1)).await.unwrap());
    assert!(store.claim_deliveries(at(2), 10, LEASE).await.unwrap().is_empty());
    assert_eq!(store.undelivered().await.unwrap(), 1, "still waiting to be dispatched");
    // The holder's fan-out takes, once: one delivery per destination.
    assert!(store.dispatch(&second[0], &destinations(&["a", "b"]), at(1)).await.unwrap());
    assert!(!store.dispatch(&second[0], &destinations(&["a", "b", "c"]), at(1)).await.unwrap(), "dispatched once");
    assert!(store.claim_webhooks(at(9), 10).await.unwrap().is_empty(), "never claimed again");
    let attempts = store.claim_deliveries(at(2), 10, LEASE).await.unwrap();
    let mut to: Vec<_> = attempts.iter().map(|attempt| attempt.destination.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["a", "b"]);
    assert!(attempts.iter().all(|attempt| attempt.webhook_id == second[0].id && attempt.attempts == 0));
    assert_eq!(store.undelivered().await.unwrap(), 2);
}

#[tokio::test]
async fn store_delivery_mark_with_a_stale_token_is_refused() {
    let (store, _) = one_webhook_dispatched(&["a"]).await;
    let stale = store.claim_deliveries(at(0), 10, LEASE).await.unwrap();
    assert_eq!(stale.len(), 1);
    // Leased: nobody else claims it.
    assert!(store.claim_deliveries(at(0), 10, LEASE).await.unwrap().is_empty());
    // Its lease runs out; another worker claims it with a new token.
    let holder = store.claim_deliveries(at(2), 10, LEASE).await.unwrap();
    assert_eq!(holder.len(), 1);
    assert_ne!(stale[0].token, holder[0].token);
    // The stale worker's marks do not take, either way.
    assert!(!store.delivered(&stale[0], at(2)).await.unwrap());
    assert!(!store.attempt_failed(&stale[0], at(2), "timed out", 10).await.unwrap());
    assert_eq!(store.undelivered().await.unwrap(), 1);
    // The holder's does, once.
    assert!(store.delivered(&holder[0], at(2)).await.unwrap());
    assert!(!store.delivered(&holder[0], at(2)).await.unwrap(), "no longer pending");
    assert!(!store.attempt_failed(&holder[0], at(2), "late", 10).await.unwrap(), "a delivered row stays delivered");
    assert_eq!(store.undelivered().await.unwrap(), 0);
    assert!(store.claim_deliveries(at(60), 10, LEASE).await.unwrap().is_empty());
}

#[tokio::test]
async fn store_delivery_retries_with_backoff_and_keeps_the_webhook_id() {
    let (store, id) = one_webhook_dispatched(&["a"]).await;
    let first = store.claim_deliveries(at(0), 10, LEASE).await.unwrap();
    assert!(store.attempt_failed(&first[0], at(0), "503", 10).await.unwrap());
    // Not due before its backoff (2 s), due after it, with the same id and one attempt made.
    let soon = at(0).saturating_add(chrono::TimeDelta::seconds(1));
    assert!(store.claim_deliveries(soon, 10, LEASE).await.unwrap().is_empty());
    let later = at(0).saturating_add(chrono::TimeDelta::seconds(2));
    let again = store.claim_deliveries(later, 10, LEASE).await.unwrap();
    assert_eq!((again[0].webhook_id.as_str(), again[0].attempts), (id.as_str(), 1));
}

#[tokio::test]
async fn store_delivery_attempts_cap_then_failed_listed_requeued_and_claimable() {
    let (store, id) = one_webhook_dispatched(&["a", "b"]).await;
    // "a" answers; "b" fails three times, the cap.
    for round in 0..3 {
        for attempt in store.claim_deliveries(at(round * 10), 10, LEASE).await.unwrap() {
            if attempt.destination == "a" {
                assert!(store.delivered(&attempt, at(round * 10)).await.unwrap());
            } else {
                assert_eq!(attempt.attempts, u32::try_from(round).unwrap());
                let reason = format!("503 on attempt {}", round + 1);
                assert!(store.attempt_failed(&attempt, at(round * 10), &reason, 3).await.unwrap());
            }
        }
    }
    // Failed: never claimed again, not counted as waiting, listed for the operator.
    assert!(store.claim_deliveries(at(600), 10, LEASE).await.unwrap().is_empty());
    assert_eq!(store.undelivered().await.unwrap(), 0);
    let failed = store.failed_deliveries(100).await.unwrap();
    assert_eq!(failed.len(), 1);
    let failure = &failed[0];
    assert_eq!((failure.webhook_id.as_str(), failure.destination.as_str()), (id.as_str(), "b"));
    assert_eq!((failure.organization_id, failure.attempts), (org(1), 3));
    assert_eq!((failure.last_error.as_deref(), failure.failed_at), (Some("503 on attempt 3"), at(20)));
    // Re-queued: an unknown id changes nothing; the webhook's id brings it back, due now
    // with a fresh set of attempts, for "b" alone.
    assert_eq!(store.requeue_failed(Some("no-such-webhook"), at(30)).await.unwrap(), 0);
    assert_eq!(store.requeue_failed(Some(&id), at(30)).await.unwrap(), 1);
    assert!(store.failed_deliveries(100).await.unwrap().is_empty());
    let again = store.claim_deliveries(at(30), 10, LEASE).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].destination.as_str(), again[0].attempts), ("b", 0));
    // And the whole queue at once.
    assert!(store.attempt_failed(&again[0], at(30), "503", 1).await.unwrap());
    assert_eq!(store.requeue_failed(None, at(31)).await.unwrap(), 1);
    assert_eq!(store.claim_deliveries(at(31), 10, LEASE).await.unwrap().len(), 1);
}

#[tokio::test]
async fn store_lists_an_organizations_deliveries_by_page_and_destination() {
    let (store, id) = one_webhook_dispatched(&["a", "b", "c"]).await;
    for attempt in store.claim_deliveries(at(0), 10, LEASE).await.unwrap() {
        match attempt.destination.as_str() {
            "a" => assert!(store.delivered(&attempt, at(1)).await.unwrap()),
            "b" => assert!(store.attempt_failed(&attempt, at(1), "answered 503", 1).await.unwrap()),
            _ => {}
        }
    }
    let (page, total) = store.deliveries_page(org(1), None, 2, 0).await.unwrap();
    assert_eq!((page.len(), total), (2, 3));
    let (rest, _) = store.deliveries_page(org(1), None, 2, 2).await.unwrap();
    let mut to: Vec<_> = page.iter().chain(&rest).map(|delivery| delivery.destination.clone()).collect();
    to.sort_unstable();
    assert_eq!(to, ["a", "b", "c"], "every delivery once across the pages");
    let (b, total) = store.deliveries_page(org(1), Some("b"), 10, 0).await.unwrap();
    assert_eq!(total, 1);
    let b = &b[0];
    assert_eq!((b.webhook_id.as_str(), b.status, b.attempts), (id.as_str(), DeliveryStatus::Failed, 1));
    assert_eq!((b.last_error.as_deref(), b.dispatched_at, b.finished_at), (Some("answered 503"), at(0), Some(at(1))));
    assert_eq!(b.webhook.topic(), "member.created");
    // Tenant-scoped: another organization sees none of them.
    assert_eq!(store.deliveries_page(org(2), None, 10, 0).await.unwrap(), (Vec::new(), 0));
    assert_eq!(store.deliveries_page(org(1), Some("z"), 10, 0).await.unwrap().1, 0);
}

#[tokio::test]
async fn store_redelivers_a_webhooks_delivered_and_failed_deliveries_for_its_organization_only() {
    let (store, id) = one_webhook_dispatched(&["a", "b", "c"]).await;
    for attempt in store.claim_deliveries(at(0), 10, LEASE).await.unwrap() {
        match attempt.destination.as_str() {
            "a" => assert!(store.delivered(&attempt, at(0)).await.unwrap()),
            "b" => assert!(store.attempt_failed(&attempt, at(0), "503", 1).await.unwrap()),
            _ => {} // "c" stays pending, leased for a minute: on its way.
        }
    }
    assert_eq!(store.redeliver(org(2), &id, at(0)).await.unwrap(), None, "another organization's webhook");
    assert_eq!(store.redeliver(org(1), "no-such-webhook", at(0)).await.unwrap(), None);
    assert_eq!(store.redeliver(org(1), &id, at(0)).await.unwrap(), Some(2));
    let again = store.claim_deliveries(at(0), 10, LEASE).await.unwrap();
    let mut to: Vec<_> = again.iter().map(|attempt| (attempt.destination.as_str(), attempt.attempts)).collect();
    to.sort_unstable();
    assert_eq!(to, [("a", 0), ("b", 0)], "the pending one is not claimed twice");
    assert!(store.failed_deliveries(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn store_prune_removes_only_delivered_rows_past_retention() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Member).await;
    // Four webhooks (four members created), fanned out at minute 0 to one destination each,
    // except the last, which has none.
    team_customer(&store, org(1), customer_id(1), 4).await;
    customer_webhooks_out_of_the_way(&store).await;
    let claimed = store.claim_webhooks(at(0), 10).await.unwrap();
    assert_eq!(claimed.len(), 4);
    for (delivery, to) in claimed.iter().zip([&["a"][..], &["a"], &["a"], &[]]) {
        assert!(store.dispatch(delivery, &destinations(to), at(0)).await.unwrap());
    }
    // The first delivered at minute 1, the second at minute 5, the third failed at minute 1.
    let attempts = store.claim_deliveries(at(0), 10, LEASE).await.unwrap();
    let of = |delivery: &membership_sqlx::Delivery| {
        attempts.iter().find(|attempt| attempt.webhook_id == delivery.id).unwrap().clone()
    };
    assert!(store.delivered(&of(&claimed[0]), at(1)).await.unwrap());
    assert!(store.delivered(&of(&claimed[1]), at(5)).await.unwrap());
    assert!(store.attempt_failed(&of(&claimed[2]), at(1), "410", 1).await.unwrap());
    // Nothing finished before minute 0.
    assert_eq!(store.prune_delivered(at(0)).await.unwrap(), 0);
    // Before minute 2: the first delivery and its webhook, and the webhook with no
    // destination; the failed one and its webhook stay, as does the later delivery.
    assert_eq!(store.prune_delivered(at(2)).await.unwrap(), 3);
    let mut expected = vec![claimed[1].id.clone(), claimed[2].id.clone()];
    expected.sort();
    assert_eq!(outbox_ids(&store).await, expected);
    assert_eq!(store.failed_deliveries(10).await.unwrap().len(), 1);
    // Later, the second goes too; the failed one never does.
    assert_eq!(store.prune_delivered(at(600)).await.unwrap(), 2);
    assert_eq!(store.failed_deliveries(10).await.unwrap().len(), 1);
    assert_eq!(outbox_ids(&store).await, [claimed[2].id.clone()]);
}

async fn outbox_ids(store: &membership_sqlx::Store) -> Vec<String> {
    let rows = sqlx::query("SELECT id FROM outbox ORDER BY id").fetch_all(store.pool()).await.unwrap();
    rows.iter().map(|row| sqlx::Row::get::<String, _>(row, "id")).collect()
}

#[tokio::test]
async fn store_refuses_bad_input_with_typed_errors_and_changes_nothing() {
    let store = fresh_store().await;
    // Unknown organization and customer.
    let error = store.execute::<Organization>(org(9), Command::Leave, Actor::User(user(1)), at(0)).await.unwrap_err();
    assert_eq!(error.code(), "organization_not_found");
    let delete = customer::Command::DeleteMember { member_id: member(1) };
    let error = store.execute::<Customer>(customer_id(9), delete.clone(), token(org(1)), at(0)).await.unwrap_err();
    assert_eq!(error.code(), "customer_not_found");
    // A deleted customer.
    team(&store, org(1), 1, Role::Member).await;
    team_customer(&store, org(1), customer_id(1), 2).await;
    store.execute::<Customer>(customer_id(1), customer::Command::Delete, token(org(1)), at(1)).await.unwrap();
    let error = store.execute::<Customer>(customer_id(1), delete, token(org(1)), at(2)).await.unwrap_err();
    assert_eq!(error.code(), "customer_not_found");
    // A refusal writes nothing.
    let before = store.verify().await.unwrap();
    let error = store
        .execute::<Organization>(org(1), Command::RemoveMember { user_id: user(1) }, Actor::User(user(1)), at(3))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "owner_cannot_be_removed");
    assert_eq!(store.verify().await.unwrap(), before);
    assert_consistent(&store).await;
}

#[tokio::test]
async fn store_reports_a_corrupt_journal_with_a_typed_error() {
    let store = fresh_store().await;
    team(&store, org(1), 2, Role::Admin).await;
    // An event that does not parse: a corrupt row.
    sqlx::query("UPDATE journal SET body = '{' WHERE aggregate = 'organization' AND version = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap_err().code(), "corrupt_row");
    // An event that parses but cannot follow: a corrupt log, naming its version.
    let store = fresh_store().await;
    team(&store, org(1), 2, Role::Admin).await;
    sqlx::query("UPDATE journal SET version = 9 WHERE aggregate = 'organization' AND version = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let error = store.verify().await.unwrap_err();
    assert_eq!((error.code(), error.kind()), ("corrupt_log", membership::ErrorKind::Internal));
    assert!(error.to_string().contains("at version 3"), "{error}");
}

#[tokio::test]
async fn store_answers_a_services_reads_with_the_crates_own_checks() {
    use membership::customer::{CustomerActor, Merchant};
    use membership::policy::PortalCapability;
    use membership::wire::Paging;
    use membership::{ExternalId, UserId};
    use membership_sqlx::MemberFilter;

    let store = fresh_store().await;
    team(&store, org(1), 3, Role::Finance).await;
    team(&store, org(2), 1, Role::Admin).await;
    team_customer(&store, org(1), customer_id(1), 4).await;
    team_customer(&store, org(2), customer_id(2), 2).await;
    // A merchant is the token, or a user with the role the organization gives them.
    assert_eq!(store.merchant(org(1), Actor::Token(org(1))).await.unwrap(), Merchant::token(org(1)));
    let finance = store.merchant(org(1), Actor::User(user(2))).await.unwrap();
    assert_eq!(finance.user_role(), Some((user(2), Role::Finance)));
    let stranger = store.merchant(org(1), Actor::User(UserId::new(uuid::Uuid::nil()))).await.unwrap_err();
    assert_eq!(stranger.code(), "organization_not_found");
    // Reads are checked as the crate checks them: another organization sees no customer,
    // and a plain portal member may not manage members.
    store.check_customer_read(customer_id(1), CustomerActor::Merchant(finance)).await.unwrap();
    let other = store.check_customer_read(customer_id(1), token(org(2))).await.unwrap_err();
    assert_eq!(other.code(), "customer_not_found");
    let plain = CustomerActor::Portal { member_id: member(2) };
    let refused = store.check_portal(customer_id(1), plain, PortalCapability::ManageMembers).await.unwrap_err();
    assert_eq!(refused.code(), "insufficient_portal_role");
    let owner = CustomerActor::Portal { member_id: member(1) };
    store.check_portal(customer_id(1), owner, PortalCapability::ManageMembers).await.unwrap();
    // Lookups by email (folded) and external id.
    let by_email = store.member_by_email(customer_id(1), &email("M3@ACME.example")).await.unwrap().unwrap();
    assert_eq!(by_email.id, member(3));
    let nobody = ExternalId::parse("nobody").unwrap().unwrap();
    assert!(store.member_by_external_id(customer_id(1), &nobody).await.unwrap().is_none());
    assert!(store.customers_by_external_id(org(1), &nobody).await.unwrap().is_empty());
    // The organization-wide list: every customer of this organization, none of another.
    let paging = |limit: u64| Paging {
        limit: std::num::NonZeroU64::new(limit).unwrap(),
        ..ListQuery::default().into_paging().unwrap()
    };
    let all = store.organization_members_page(org(1), &MemberFilter::all(), paging(10)).await.unwrap();
    assert_eq!(all.pagination.total_count, 4);
    assert!(all.items.iter().all(|member| member.customer_id == customer_id(1)));
    let owners = MemberFilter::all().role(MemberRole::Owner);
    assert_eq!(store.organization_members_page(org(1), &owners, paging(10)).await.unwrap().pagination.total_count, 1);
    let foreign = MemberFilter::all().customer(customer_id(2));
    assert_eq!(store.organization_members_page(org(1), &foreign, paging(10)).await.unwrap().pagination.total_count, 0);
    let mine = MemberFilter::all().customer(customer_id(1)).role(MemberRole::Member);
    let page = store.organization_members_page(org(1), &mine, paging(2)).await.unwrap();
    assert_eq!((page.pagination.total_count, page.pagination.max_page, page.items.len()), (3, 2, 2));
}

#[tokio::test]
async fn cus_5_cus_6_organization_list_total_counts_active_members_of_live_customers() {
    use membership::wire::Paging;
    use membership_sqlx::MemberFilter;

    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Admin).await;
    team_customer(&store, org(1), customer_id(1), 4).await;
    team_customer(&store, org(1), customer_id(2), 2).await;
    let paging =
        Paging { limit: std::num::NonZeroU64::new(10).unwrap(), ..ListQuery::default().into_paging().unwrap() };
    let total = |filter: MemberFilter| {
        let store = &store;
        async move { store.organization_members_page(org(1), &filter, paging).await.unwrap().pagination.total_count }
    };
    // Without a role filter the total comes from the customer rows' counts; it must agree
    // with the members the page lists.
    assert_eq!(total(MemberFilter::all()).await, 6);
    assert_eq!(total(MemberFilter::all().customer(customer_id(1))).await, 4);
    let delete = customer::Command::DeleteMember { member_id: member(3) };
    store.execute::<Customer>(customer_id(1), delete, token(org(1)), at(1)).await.unwrap();
    assert_eq!(total(MemberFilter::all()).await, 5);
    assert_eq!(total(MemberFilter::all().customer(customer_id(1))).await, 3);
    // A deleted customer's members leave the organization's list, counted or listed.
    store.execute::<Customer>(customer_id(2), customer::Command::Delete, token(org(1)), at(2)).await.unwrap();
    assert_eq!(total(MemberFilter::all()).await, 3);
    assert_eq!(total(MemberFilter::all().customer(customer_id(2))).await, 0);
    let page = store.organization_members_page(org(1), &MemberFilter::all(), paging).await.unwrap();
    assert!(page.items.iter().all(|member| member.customer_id == customer_id(1)));
    assert_eq!(page.items.len(), 3);
}

#[tokio::test]
async fn store_finds_members_by_id_owners_user_organizations_and_customer_creation() {
    use membership::customer::{Command as CustomerCommand, MemberRole};
    use membership::{MemberId, UserId};

    let store = fresh_store().await;
    team(&store, org(1), 2, Role::Admin).await;
    team(&store, org(2), 1, Role::Admin).await;
    team_customer(&store, org(1), customer_id(1), 3).await;
    team_customer(&store, org(2), customer_id(2), 3).await;
    // A member id names its member within the organization only: org 2's customer reuses
    // the same ids, and neither organization sees the other's.
    let found = store.members_by_id(org(1), member(2)).await.unwrap();
    assert_eq!(found.iter().map(|m| (m.customer_id, m.id)).collect::<Vec<_>>(), [(customer_id(1), member(2))]);
    assert!(store.members_by_id(org(1), MemberId::new(uuid::Uuid::nil())).await.unwrap().is_empty());
    // Two customers of one organization holding the same member id: both come back, so a
    // caller can refuse rather than pick one.
    team_customer(&store, org(1), customer_id(3), 2).await;
    assert_eq!(store.members_by_id(org(1), member(2)).await.unwrap().len(), 2);
    // A deleted member is not found by its id.
    let delete = CustomerCommand::DeleteMember { member_id: member(3) };
    store.execute::<Customer>(customer_id(1), delete, token(org(1)), at(1)).await.unwrap();
    assert!(store.members_by_id(org(1), member(3)).await.unwrap().is_empty());
    // The owner, by the owner's own index.
    let owner = store.owner(customer_id(1)).await.unwrap().unwrap();
    assert_eq!((owner.id, owner.role), (member(1), MemberRole::Owner));
    assert!(store.owner(customer_id(9)).await.unwrap().is_none());
    // A user's organizations: user 1 owns both, user 2 is in org 1 only, a stranger in none.
    assert_eq!(store.user_organizations(user(1), 5).await.unwrap(), [org(1), org(2)]);
    assert_eq!(store.user_organizations(user(1), 1).await.unwrap().len(), 1);
    assert_eq!(store.user_organizations(user(2), 5).await.unwrap(), [org(1)]);
    assert!(store.user_organizations(UserId::new(uuid::Uuid::nil()), 5).await.unwrap().is_empty());
    // A customer's creation time is its first event's.
    assert_eq!(store.customer_created_at(customer_id(1)).await.unwrap(), Some(at(0)));
    assert_eq!(store.customer_created_at(customer_id(9)).await.unwrap(), None);
}

#[tokio::test]
async fn store_customer_updated_and_deleted_webhooks_carry_the_customers_creation_time() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Admin).await;
    team_customer(&store, org(1), customer_id(1), 2).await;
    let change = customer::Command::ChangeEmail { email: email("accounts@acme.example") };
    store.execute::<Customer>(customer_id(1), change, token(org(1)), at(5)).await.unwrap();
    store.execute::<Customer>(customer_id(1), customer::Command::Delete, token(org(1)), at(9)).await.unwrap();
    // The rows do not keep when a customer was made; its first journal event does, and
    // every customer.* webhook says that time, not the time of the change it reports.
    let claimed = store.claim_any_webhooks(at(10), 100).await.unwrap();
    let mut customer_hooks: Vec<_> = claimed
        .iter()
        .filter_map(|delivery| delivery.webhook.customer().map(|hook| (delivery.webhook.topic(), hook.data.created_at)))
        .collect();
    customer_hooks.sort_unstable();
    assert_eq!(customer_hooks, [("customer.created", at(0)), ("customer.deleted", at(0)), ("customer.updated", at(0))]);
}

#[tokio::test]
async fn store_reads_a_customers_row_and_one_active_member() {
    let store = fresh_store().await;
    team(&store, org(1), 1, Role::Admin).await;
    team_customer(&store, org(1), customer_id(1), 3).await;
    let (version, profile) = store.customer_profile(customer_id(1)).await.unwrap().unwrap();
    assert_eq!((version, profile.organization_id), (3, org(1)), "a creation and two additions");
    assert_eq!(profile.email, Some(email("billing@acme.example")));
    assert!(store.customer_profile(customer_id(9)).await.unwrap().is_none());
    // One active member by id; a deleted one, or one of another customer, is none.
    let found = store.member(customer_id(1), member(2)).await.unwrap().unwrap();
    assert_eq!((found.customer_id, found.id, found.email), (customer_id(1), member(2), email("m2@acme.example")));
    let delete = customer::Command::DeleteMember { member_id: member(2) };
    store.execute::<Customer>(customer_id(1), delete, token(org(1)), at(1)).await.unwrap();
    assert!(store.member(customer_id(1), member(2)).await.unwrap().is_none());
    assert!(store.member(customer_id(9), member(3)).await.unwrap().is_none());
}
