//! Polar's `member.*` webhooks, made from a decision's events alone, and its `customer.*`
//! webhooks, made from a decision's events and the customer's row before them.

use serde::{Deserialize, Serialize};

use super::PolarCustomer;
use crate::customer::{Change, Event, Member, Profile};
use crate::{CustomerId, Timestamp};

/// What a `member.*` webhook is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookType {
    /// `member.created`
    #[serde(rename = "member.created")]
    MemberCreated,
    /// `member.updated`
    #[serde(rename = "member.updated")]
    MemberUpdated,
    /// `member.deleted`
    #[serde(rename = "member.deleted")]
    MemberDeleted,
}

/// A webhook payload: `{"type": "member.updated", "timestamp": …, "data": <Member>}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: WebhookType,
    /// When (the event's time).
    pub timestamp: Timestamp,
    /// The member, as it is after the decision (as it was, for a deletion).
    pub data: Member,
}

/// What a `customer.*` webhook is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerWebhookType {
    /// `customer.created`
    #[serde(rename = "customer.created")]
    CustomerCreated,
    /// `customer.updated`
    #[serde(rename = "customer.updated")]
    CustomerUpdated,
    /// `customer.deleted`
    #[serde(rename = "customer.deleted")]
    CustomerDeleted,
}

/// A `customer.*` webhook payload: `{"type": "customer.updated", "timestamp": …, "data":
/// <Customer>}`, `data` being Polar's `Customer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerWebhook {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: CustomerWebhookType,
    /// When (the event's time).
    pub timestamp: Timestamp,
    /// The customer, as it is after the decision (with `deleted_at`, for a deletion).
    pub data: PolarCustomer,
}

/// Any webhook the crate makes: a member's or a customer's. Serialized as the webhook
/// itself (no wrapper), so it is exactly the payload a receiver gets; read back by its
/// `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnyWebhook {
    /// A `member.*` webhook.
    Member(Webhook),
    /// A `customer.*` webhook.
    Customer(CustomerWebhook),
}

impl AnyWebhook {
    /// Its `type`, as Polar spells it (`member.created`, `customer.deleted`, …): the event
    /// name a webhook endpoint subscribes to.
    #[must_use]
    pub const fn topic(&self) -> &'static str {
        match self {
            AnyWebhook::Member(hook) => match hook.kind {
                WebhookType::MemberCreated => "member.created",
                WebhookType::MemberUpdated => "member.updated",
                WebhookType::MemberDeleted => "member.deleted",
            },
            AnyWebhook::Customer(hook) => match hook.kind {
                CustomerWebhookType::CustomerCreated => "customer.created",
                CustomerWebhookType::CustomerUpdated => "customer.updated",
                CustomerWebhookType::CustomerDeleted => "customer.deleted",
            },
        }
    }

    /// When it happened.
    #[must_use]
    pub const fn timestamp(&self) -> Timestamp {
        match self {
            AnyWebhook::Member(hook) => hook.timestamp,
            AnyWebhook::Customer(hook) => hook.timestamp,
        }
    }

    /// The id of what it is about: the member, or the customer.
    #[must_use]
    pub fn subject(&self) -> uuid::Uuid {
        match self {
            AnyWebhook::Member(hook) => *hook.data.id.as_uuid(),
            AnyWebhook::Customer(hook) => *hook.data.id.as_uuid(),
        }
    }

    /// The member webhook, if it is one.
    #[must_use]
    pub const fn member(&self) -> Option<&Webhook> {
        match self {
            AnyWebhook::Member(hook) => Some(hook),
            AnyWebhook::Customer(_) => None,
        }
    }

    /// The customer webhook, if it is one.
    #[must_use]
    pub const fn customer(&self) -> Option<&CustomerWebhook> {
        match self {
            AnyWebhook::Customer(hook) => Some(hook),
            AnyWebhook::Member(_) => None,
        }
    }
}

impl From<Webhook> for AnyWebhook {
    fn from(hook: Webhook) -> Self {
        AnyWebhook::Member(hook)
    }
}

impl From<CustomerWebhook> for AnyWebhook {
    fn from(hook: CustomerWebhook) -> Self {
        AnyWebhook::Customer(hook)
    }
}

/// The webhooks of one decision, from its events alone (they are self-describing): one per
/// member created (the owner in `customer.created` included) or deleted, and one
/// `member.updated` per member the decision changed, carrying that member's final state,
/// the new owner first (CUS-4: a transfer sends two).
///
/// Give it one decision's events: members changed twice across several decisions would
/// be merged into one `member.updated`.
#[must_use]
pub fn webhooks(events: &[Event]) -> Vec<Webhook> {
    let mut out: Vec<Webhook> = Vec::new();
    let update = |member: &Member, at: Timestamp, out: &mut Vec<Webhook>| {
        let earlier = out.iter_mut().find(|hook| hook.kind == WebhookType::MemberUpdated && hook.data.id == member.id);
        match earlier {
            Some(hook) => hook.data = member.clone(),
            None => out.push(Webhook { kind: WebhookType::MemberUpdated, timestamp: at, data: member.clone() }),
        }
    };
    for event in events {
        let at = event.at;
        match &event.change {
            Change::Created { owner: member, .. } | Change::MemberCreated { member } => {
                out.push(Webhook { kind: WebhookType::MemberCreated, timestamp: at, data: member.clone() });
            }
            Change::MemberDeleted { member } => {
                out.push(Webhook { kind: WebhookType::MemberDeleted, timestamp: at, data: member.clone() });
            }
            Change::MemberOwnershipTransferred { from, to } => {
                update(to, at, &mut out);
                update(from, at, &mut out);
            }
            Change::MemberUpdated { member } => update(member, at, &mut out),
            Change::EmailChanged { .. } | Change::KindChanged { .. } | Change::Deleted => {}
        }
    }
    out
}

/// Every webhook of one decision on customer `id`: `customer.created` first, then the
/// `member.*` webhooks of [`webhooks`], then one `customer.updated` carrying the customer's
/// final state when its email or kind changed (CUS-7, CUS-9), and `customer.deleted` last
/// (CUS-6, after its members' `member.deleted`), as Polar sends them.
///
/// `before` is the customer's row before the decision (`None` for a creation) and
/// `created_at` when it was created; events a customer without a row cannot have make no
/// customer webhook.
#[must_use]
pub fn customer_webhooks(
    id: CustomerId,
    before: Option<&Profile>,
    created_at: Timestamp,
    events: &[Event],
) -> Vec<AnyWebhook> {
    let mut profile = before.cloned();
    let mut created = None;
    let mut updated = None;
    let mut deleted = None;
    for event in events {
        let at = event.at;
        match &event.change {
            Change::Created { organization_id, kind, email, name, external_id, .. } => {
                let row = Profile {
                    organization_id: *organization_id,
                    kind: *kind,
                    email: email.clone(),
                    name: name.clone(),
                    external_id: external_id.clone(),
                    deleted: false,
                };
                created = Some((at, PolarCustomer::new(id, at, &row)));
                profile = Some(row);
            }
            Change::EmailChanged { email } => {
                if let Some(row) = profile.as_mut() {
                    row.email = Some(email.clone());
                    updated = Some(at);
                }
            }
            Change::KindChanged { kind } => {
                if let Some(row) = profile.as_mut() {
                    row.kind = *kind;
                    updated = Some(at);
                }
            }
            Change::Deleted => deleted = Some(at),
            Change::MemberCreated { .. }
            | Change::MemberUpdated { .. }
            | Change::MemberOwnershipTransferred { .. }
            | Change::MemberDeleted { .. } => {}
        }
    }
    let customer = |kind: CustomerWebhookType, timestamp: Timestamp, data: PolarCustomer| {
        AnyWebhook::Customer(CustomerWebhook { kind, timestamp, data })
    };
    let mut out = Vec::new();
    if let Some((at, data)) = created.clone() {
        out.push(customer(CustomerWebhookType::CustomerCreated, at, data));
    }
    out.extend(webhooks(events).into_iter().map(AnyWebhook::Member));
    let Some(row) = profile else { return out };
    // Within its creating decision a customer's later changes are part of what
    // `customer.created` carries: it is sent with the final state instead.
    if let Some(at) = updated {
        let data = PolarCustomer::new(id, created_at, &row);
        match out.first_mut() {
            Some(AnyWebhook::Customer(hook)) if hook.kind == CustomerWebhookType::CustomerCreated => hook.data = data,
            _ => out.push(customer(CustomerWebhookType::CustomerUpdated, at, data)),
        }
    }
    if let Some(at) = deleted {
        let mut data = PolarCustomer::new(id, created_at, &row);
        data.deleted_at = Some(at);
        out.push(customer(CustomerWebhookType::CustomerDeleted, at, data));
    }
    out
}
