//! A member of a customer, as Polar's public API writes it (CUS-1).

use serde::{Deserialize, Serialize};

use super::MemberRole;
use crate::{CustomerId, Email, ExternalId, MemberId, Name, Timestamp};

/// A member of a customer: exactly Polar's public `Member` object on the wire (CUS-1).
///
/// All eight keys are always written, `null` for absent optionals; timestamps are UTC with
/// a `Z`. Deserializing does not re-validate (stored data, events and webhooks must always
/// load); input from people goes through the request types of [`wire`](crate::wire).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member's id.
    pub id: MemberId,
    /// When the member was created.
    pub created_at: Timestamp,
    /// When the member was last changed; `None` until then.
    pub modified_at: Option<Timestamp>,
    /// The customer the member belongs to.
    pub customer_id: CustomerId,
    /// The member's email: unique (folded) among the customer's active members.
    pub email: Email,
    /// The member's name.
    pub name: Option<Name>,
    /// The member's id in the merchant's system: unique among the customer's active members.
    pub external_id: Option<ExternalId>,
    /// The member's role.
    pub role: MemberRole,
}
