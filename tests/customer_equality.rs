//! The equality INV-CUS-D rests on (refusals change nothing, replay rebuilds; see
//! `organization_equality`): two customers compare unequal whenever anything in their rows
//! differs, whatever else is the same.

use membership::customer::{Customer, MemberRole, Snapshot};

use crate::customer_kit::*;
use crate::support::*;

/// `rows` changed by each change alone.
fn variants(base: &Snapshot) -> Vec<(&'static str, Snapshot)> {
    let with = |change: &dyn Fn(&mut Snapshot)| {
        let mut rows = base.clone();
        change(&mut rows);
        rows
    };
    let other = membership::CustomerId::new(uuid::Uuid::from_u128(0xD));
    vec![
        (
            "id",
            with(&|rows| {
                rows.id = other;
                rows.members.iter_mut().for_each(|member| member.customer_id = other);
            }),
        ),
        ("version", with(&|rows| rows.version += 1)),
        ("the profile's name", with(&|rows| rows.profile.name = name("Other"))),
        ("the profile's organization", with(&|rows| rows.profile.organization_id = OTHER_ORG)),
        ("a member's role", with(&|rows| rows.members[2].role = MemberRole::BillingManager)),
        ("a member's name", with(&|rows| rows.members[2].name = name("Plain"))),
        ("a member fewer", with(&|rows| rows.members.truncate(2))),
        ("a retired id more", with(&|rows| rows.retired.push(member(9)))),
    ]
}

#[test]
fn inv_cus_d_customers_equal_exactly_when_their_rows_are() {
    let account = Account::team();
    let rows = account.customer.to_rows();
    assert_eq!(Customer::from_rows(rows.clone()).unwrap(), account.customer);
    for (what, variant) in variants(&rows) {
        let variant = Customer::from_rows(variant).unwrap_or_else(|error| panic!("{what}: {error}"));
        assert_ne!(variant, account.customer, "customers differing only in {what} compare equal");
        assert_ne!(account.customer, variant, "customers differing only in {what} compare equal");
    }
}
