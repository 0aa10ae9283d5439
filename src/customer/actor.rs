//! Who acts on a customer (docs/rules.md#customer-access).

use serde::{Deserialize, Serialize};

use crate::{ActorKind, MemberId, OrganizationId, Role, UserId};

/// Whoever runs a customer command. Serializes as `{"kind": "user", "organization_id": …,
/// "user_id": …, "role": …}`, `{"kind": "token", "organization_id": …}`,
/// `{"kind": "portal", "member_id": …}` or `{"kind": "system"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "ActorRecord", into = "ActorRecord")]
pub enum CustomerActor {
    /// A merchant: a user of the organization with the role it gives them, or one of its
    /// access tokens. Users need `customers:manage` to change anything.
    Merchant(Merchant),
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
            CustomerActor::Merchant(Merchant { user: Some(_), .. }) => ActorKind::User,
            CustomerActor::Merchant(Merchant { user: None, .. }) => ActorKind::Token,
            CustomerActor::Portal { .. } => ActorKind::Portal,
            CustomerActor::System => ActorKind::System,
        }
    }
}

impl From<Merchant> for CustomerActor {
    fn from(merchant: Merchant) -> Self {
        CustomerActor::Merchant(merchant)
    }
}

/// A merchant acting on its customers: an organization user *with the role the organization
/// gives them*, or an organization access token.
///
/// A user's merchant comes only from the organization
/// ([`organization::merchant`](crate::organization::merchant) or
/// [`Organization::merchant`](crate::organization::Organization::merchant)), so a role cannot
/// be made up by whoever builds the actor. Deserializing one is for stored events, not for
/// requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Merchant {
    organization_id: OrganizationId,
    user: Option<(UserId, Role)>,
}

impl Merchant {
    /// An organization access token of `organization_id` (authenticated by the service:
    /// a token has no role to make up).
    #[must_use]
    pub const fn token(organization_id: OrganizationId) -> Self {
        Merchant { organization_id, user: None }
    }

    /// A member of the organization, with their role there: made by the organization only.
    pub(crate) const fn user(organization_id: OrganizationId, user_id: UserId, role: Role) -> Self {
        Merchant { organization_id, user: Some((user_id, role)) }
    }

    /// The organization the merchant acts in.
    #[must_use]
    pub const fn organization_id(&self) -> OrganizationId {
        self.organization_id
    }

    /// The acting user and their role there; `None` for a token.
    #[must_use]
    pub const fn user_role(&self) -> Option<(UserId, Role)> {
        self.user
    }
}

/// The serialized form of a [`CustomerActor`], as stored in events.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ActorRecord {
    User { organization_id: OrganizationId, user_id: UserId, role: Role },
    Token { organization_id: OrganizationId },
    Portal { member_id: MemberId },
    System,
}

impl From<ActorRecord> for CustomerActor {
    fn from(record: ActorRecord) -> Self {
        match record {
            ActorRecord::User { organization_id, user_id, role } => {
                CustomerActor::Merchant(Merchant::user(organization_id, user_id, role))
            }
            ActorRecord::Token { organization_id } => CustomerActor::Merchant(Merchant::token(organization_id)),
            ActorRecord::Portal { member_id } => CustomerActor::Portal { member_id },
            ActorRecord::System => CustomerActor::System,
        }
    }
}

impl From<CustomerActor> for ActorRecord {
    fn from(actor: CustomerActor) -> Self {
        match actor {
            CustomerActor::Merchant(Merchant { organization_id, user: Some((user_id, role)) }) => {
                ActorRecord::User { organization_id, user_id, role }
            }
            CustomerActor::Merchant(Merchant { organization_id, user: None }) => ActorRecord::Token { organization_id },
            CustomerActor::Portal { member_id } => ActorRecord::Portal { member_id },
            CustomerActor::System => ActorRecord::System,
        }
    }
}
