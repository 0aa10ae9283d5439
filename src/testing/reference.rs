//! The in-memory reference the runner holds every store to: the aggregates themselves.

use std::collections::HashMap;

use crate::customer::{self, Customer, CustomerActor};
use crate::organization::{self, Organization, Prefetched};
use crate::{Actor, CustomerId, Error, OrganizationId, Timestamp};

/// Every aggregate of one case, run by `execute` (decide, then apply); an aggregate that
/// does not exist yet decides on an empty view, where only creation succeeds.
#[derive(Debug, Default)]
pub(super) struct Reference {
    organizations: HashMap<OrganizationId, Organization>,
    customers: HashMap<CustomerId, Customer>,
}

impl Reference {
    pub(super) fn organization(&self, id: OrganizationId) -> Option<&Organization> {
        self.organizations.get(&id)
    }

    pub(super) fn customer(&self, id: CustomerId) -> Option<&Customer> {
        self.customers.get(&id)
    }

    pub(super) fn execute_organization(
        &mut self,
        id: OrganizationId,
        command: organization::Command,
        actor: Actor,
        now: Timestamp,
    ) -> Result<Vec<organization::Event>, Error> {
        if let Some(org) = self.organizations.get_mut(&id) {
            return org.execute(command, actor, now);
        }
        let events = organization::decide(&Prefetched::new(id, 0), command, actor, now)?;
        if !events.is_empty() {
            self.organizations.insert(id, Organization::replay(&events)?);
        }
        Ok(events)
    }

    pub(super) fn execute_customer(
        &mut self,
        id: CustomerId,
        command: customer::Command,
        actor: CustomerActor,
        now: Timestamp,
    ) -> Result<Vec<customer::Event>, Error> {
        if let Some(customer) = self.customers.get_mut(&id) {
            return customer.execute(command, actor, now);
        }
        let events = super::customer::decide_absent(id, command, actor, now)?;
        if !events.is_empty() {
            self.customers.insert(id, Customer::replay(&events)?);
        }
        Ok(events)
    }
}
