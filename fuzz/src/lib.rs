//! What the fuzz targets share: the invariant check, done by the crate's own checked
//! constructor (a state's rows must load back through `from_rows`).

use membership::customer::Customer;
use membership::organization::Organization;

/// Every organization invariant, checked by rebuilding the state from its rows.
pub fn assert_org_invariants(org: &Organization) {
    let rows = Organization::from_rows(org.to_rows());
    assert_eq!(rows.as_ref(), Ok(org), "an organization's rows must load back as it is");
}

/// Every customer invariant, checked by rebuilding the state from its rows.
pub fn assert_customer_invariants(customer: &Customer) {
    let rows = Customer::from_rows(customer.to_rows());
    assert_eq!(rows.as_ref(), Ok(customer), "a customer's rows must load back as it is");
}
