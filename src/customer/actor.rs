//! Who acts on a customer (SPEC §2.2).

use serde::{Deserialize, Serialize};

use crate::{ActorKind, MemberId, OrganizationId, Role, UserId};

/// Whoever runs a customer command. Serializes as `{"kind": "user", "organization_id": …,
/// "user_id": …, "role": …}`, `{"kind": "token", "organization_id": …}`,
/// `{"kind": "portal", "member_id": …}` or `{"kind": "system"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CustomerActor {
    /// A merchant's user, with their role in the organization that owns the customer.
    /// Needs `customers:manage` to change anything.
    User {
        /// The organization the user acts in.
        organization_id: OrganizationId,
        /// The user.
        user_id: UserId,
        /// Their role there (looked up by the service, e.g. with `Organization::member`).
        role: Role,
    },
    /// An organization access token: passes every permission check in its organization.
    Token {
        /// The token's organization.
        organization_id: OrganizationId,
    },
    /// A member acting for themselves in the customer portal (CUS-8).
    Portal {
        /// The member whose session this is.
        member_id: MemberId,
    },
    /// The service itself (e.g. the email sync of CUS-7).
    System,
}

impl CustomerActor {
    /// The kind of actor, without its ids.
    #[must_use]
    pub const fn kind(&self) -> ActorKind {
        match self {
            CustomerActor::User { .. } => ActorKind::User,
            CustomerActor::Token { .. } => ActorKind::Token,
            CustomerActor::Portal { .. } => ActorKind::Portal,
            CustomerActor::System => ActorKind::System,
        }
    }
}
