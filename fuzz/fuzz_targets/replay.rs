//! Replay of arbitrary logs: a typed error, or a state that keeps every invariant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use membership::customer::{self, Customer};
use membership::organization::{self, Organization};
use membership_fuzz::{assert_customer_invariants, assert_org_invariants};

fuzz_target!(|data: &[u8]| {
    if let Ok(log) = serde_json::from_slice::<Vec<organization::Event>>(data) {
        if let Ok(org) = Organization::replay(&log) {
            assert_org_invariants(&org);
        }
    }
    if let Ok(log) = serde_json::from_slice::<Vec<customer::Event>>(data) {
        if let Ok(customer) = Customer::replay(&log) {
            assert_customer_invariants(&customer);
        }
    }
});
