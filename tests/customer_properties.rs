//! INV-CUS-A…D after every step of random command sequences from merchants and portal
//! members of every role. `Account::run` asserts INV-CUS-D (a rejected command changes
//! nothing; replay rebuilds the state) on every step.

use std::collections::HashSet;

use membership::ExternalId;
use membership::customer::{
    Command, Customer, CustomerKind, Event, MemberRole, Prefetched, check_portal, check_read, decide, plan, plan_access,
};
use membership::policy::PortalCapability;
use membership::testing::customer::{state, step};
use membership::wire::{WebhookType, webhooks};
use proptest::prelude::*;

use crate::customer_kit::*;
use crate::row_store::CustomerRows;
use crate::support::ORG;

fn assert_invariants(customer: &Customer) {
    let members = customer.members();
    if customer.is_deleted() {
        assert!(members.is_empty() && customer.owner().is_none());
        return;
    }
    // INV-CUS-A: exactly one owner, and every stored role agrees with the structure.
    let owner = customer.owner().expect("a live customer has an owner");
    assert_eq!(members.iter().filter(|m| m.role == MemberRole::Owner).count(), 1);
    assert_eq!(customer.role_of(owner.id), Some(MemberRole::Owner));
    for member in &members {
        assert_eq!(customer.role_of(member.id), Some(member.role));
        assert_eq!(member.customer_id, CUSTOMER);
    }
    // INV-CUS-B: folded emails and external ids unique among active members; indexes agree.
    let emails: HashSet<String> = members.iter().map(|m| m.email.folded().into_owned()).collect();
    assert_eq!(emails.len(), members.len());
    let external_ids: Vec<&ExternalId> = members.iter().filter_map(|m| m.external_id.as_ref()).collect();
    assert_eq!(external_ids.iter().collect::<HashSet<_>>().len(), external_ids.len());
    for member in &members {
        assert_eq!(customer.active_member_by_email(&member.email).map(|m| m.id), Some(member.id));
        if let Some(external_id) = &member.external_id {
            assert_eq!(customer.member_by_external_id(external_id).map(|m| m.id), Some(member.id));
        }
    }
    assert_eq!(customer.member_count(), members.len());
    // INV-CUS-C: an individual customer has exactly one member.
    if customer.kind() == CustomerKind::Individual {
        assert_eq!(members.len(), 1);
    }
}

/// Webhooks describe the decision: one per member created or deleted, and updated members
/// with their final state.
fn assert_webhooks(account: &Account, events: &[Event]) {
    for hook in webhooks(events) {
        match hook.kind {
            WebhookType::MemberUpdated => assert_eq!(account.customer.member(hook.data.id).as_ref(), Some(&hook.data)),
            WebhookType::MemberCreated | WebhookType::MemberDeleted => {}
        }
    }
}

proptest! {
    // Cases: PROPTEST_CASES (256 unless set), so a soak is one environment variable.

    #[test]
    fn inv_cus_invariants_hold_after_every_step(
        team: bool,
        steps in prop::collection::vec(step(ORG), 1..50),
    ) {
        let kind = if team { CustomerKind::Team } else { CustomerKind::Individual };
        let mut account = Account::create(create_command(kind, Some(mail(1))));
        let mut rows = CustomerRows::new(CUSTOMER);
        rows.project_log(&account.log);
        assert_invariants(&account.customer);
        for step in steps {
            account.now = account.now.saturating_add(step.advance);
            let (actor, command) = (step.actor, step.command);
            let before = account.customer.clone();
            // The read plan names every row `decide` reads: a view holding only those rows
            // (and the customer's own) decides exactly as the whole state does.
            let reads = plan(&command, actor);
            let prefetched = Prefetched::prefetch(&account.customer, &reads).unwrap();
            let from_rows = decide(&prefetched, command.clone(), actor, account.now);
            prop_assert_eq!(&from_rows, &account.customer.decide(command.clone(), actor, account.now), "{:?}", reads);
            let access = Prefetched::prefetch(&account.customer, &plan_access(actor)).unwrap();
            prop_assert_eq!(check_read(&access, actor), check_read(&account.customer, actor));
            for capability in PortalCapability::ALL {
                prop_assert_eq!(
                    check_portal(&access, actor, capability),
                    check_portal(&account.customer, actor, capability)
                );
            }
            // A row store built on the seam alone decides the same, and its tables, projected
            // from the events alone, hold what the aggregate holds.
            prop_assert_eq!(&rows.execute(command.clone(), actor, account.now), &from_rows);
            if let Ok(events) = account.run(actor, command.clone()) {
                prop_assert_eq!(events.is_empty(), account.customer == before, "no-op iff no events");
                assert_webhooks(&account, &events);
            }
            assert_invariants(&account.customer);
            rows.assert_same_as(&account.customer);
            // Snapshots: rows and their JSON load back through the checked constructor.
            prop_assert_eq!(&Customer::from_rows(account.customer.to_rows()).unwrap(), &account.customer);
            let snapshot = serde_json::to_string(&account.customer).unwrap();
            prop_assert_eq!(&serde_json::from_str::<Customer>(&snapshot).unwrap(), &account.customer);
            let json = serde_json::to_string(&command).unwrap();
            prop_assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), command);
        }
        let json = serde_json::to_string(&account.log).unwrap();
        prop_assert_eq!(serde_json::from_str::<Vec<Event>>(&json).unwrap(), account.log);
    }

    /// The kit's state strategy only reaches customers that keep the invariants and load
    /// back from their rows.
    #[test]
    fn inv_cus_random_states_keep_the_invariants(customer in state()) {
        assert_invariants(&customer);
        prop_assert_eq!(&Customer::from_rows(customer.to_rows()).unwrap(), &customer);
    }
}
