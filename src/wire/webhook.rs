//! Polar's `member.*` webhooks, made from a decision's events alone.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::customer::{Change, Event, Member};

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
