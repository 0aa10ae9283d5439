//! What each customer event does to the rows of [`Table::Customers`] and
//! [`Table::Members`]: the one place a store learns it. Deleted members and customers keep
//! their rows (ids are never reused); the customer row counts its active members, so a
//! list's total costs one row read at any size.

use super::{Change, Event, Member};
use crate::OrganizationId;
use crate::rows::{Field, RowEffect, Table, Value};

impl Event {
    /// The rows this event changes, in order, for a customer of organization
    /// `organization_id` (the tenant every row carries; `customer.created` names it, later
    /// events do not). A transfer steps the old owner down first, so a one-owner index
    /// never sees two.
    #[must_use]
    pub fn row_effects(&self, organization_id: OrganizationId) -> Vec<RowEffect> {
        let tenant = organization_id;
        let customer = || vec![("organization_id", Value::text(tenant)), ("id", Value::text(self.customer_id))];
        let count = |by| RowEffect::Add { table: Table::Customers, key: customer(), column: "member_count", by };
        let set_customer = |fields| RowEffect::Set { table: Table::Customers, key: customer(), fields };
        let insert = |member: &Member| RowEffect::Insert {
            table: Table::Members,
            row: member_row(member, tenant, self.version),
        };
        match &self.change {
            Change::Created { organization_id, kind, email, name, external_id, owner } => vec![
                RowEffect::Insert {
                    table: Table::Customers,
                    row: vec![
                        ("id", Value::text(self.customer_id)),
                        ("version", Value::Count(self.version)),
                        ("organization_id", Value::text(organization_id)),
                        ("kind", Value::text(kind)),
                        ("email", Value::text_opt(email.as_ref())),
                        ("name", Value::text_opt(name.as_ref())),
                        ("external_id", Value::text_opt(external_id.as_ref())),
                        ("deleted", Value::Flag(false)),
                        ("member_count", Value::Count(0)),
                    ],
                },
                insert(owner),
                count(1),
            ],
            Change::MemberCreated { member } => vec![insert(member), count(1)],
            Change::MemberUpdated { member } => vec![update(member, tenant)],
            Change::MemberOwnershipTransferred { from, to } => vec![update(from, tenant), update(to, tenant)],
            Change::MemberDeleted { member } => vec![
                RowEffect::Set {
                    table: Table::Members,
                    key: member_key(member, tenant),
                    fields: vec![("deleted", Value::Flag(true))],
                },
                count(-1),
            ],
            Change::EmailChanged { email } => vec![set_customer(vec![("email", Value::text(email))])],
            Change::KindChanged { kind } => vec![set_customer(vec![("kind", Value::text(kind))])],
            Change::Deleted => vec![set_customer(vec![("deleted", Value::Flag(true))])],
        }
    }
}

/// A member's row key: its tenant, its customer and its id.
fn member_key(member: &Member, organization_id: OrganizationId) -> Vec<Field> {
    vec![
        ("organization_id", Value::text(organization_id)),
        ("customer_id", Value::text(member.customer_id)),
        ("id", Value::text(member.id)),
    ]
}

/// A new member's whole row, created by the event at `version`.
fn member_row(member: &Member, organization_id: OrganizationId, version: u64) -> Vec<Field> {
    let mut row = member_key(member, organization_id);
    row.extend([
        ("created_at", Value::Time(member.created_at)),
        ("modified_at", Value::time_opt(member.modified_at)),
        ("email", Value::text(&member.email)),
        ("email_folded", Value::text(member.email.folded())),
        ("name", Value::text_opt(member.name.as_ref())),
        ("external_id", Value::text_opt(member.external_id.as_ref())),
        ("role", Value::text(member.role)),
        ("deleted", Value::Flag(false)),
        ("ord", Value::Count(version)),
    ]);
    row
}

/// A member's record after a change: every field that can change (the external id never
/// does).
fn update(member: &Member, organization_id: OrganizationId) -> RowEffect {
    RowEffect::Set {
        table: Table::Members,
        key: member_key(member, organization_id),
        fields: vec![
            ("modified_at", Value::time_opt(member.modified_at)),
            ("email", Value::text(&member.email)),
            ("email_folded", Value::text(member.email.folded())),
            ("name", Value::text_opt(member.name.as_ref())),
            ("role", Value::text(member.role)),
        ],
    }
}
