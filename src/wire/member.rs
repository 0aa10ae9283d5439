//! The member shapes Polar's portal and dashboard endpoints answer with.

use serde::{Deserialize, Serialize};

use crate::customer::{Member, MemberRole};
use crate::organization::Membership;
use crate::{Email, MemberId, Name, Role, Timestamp, UserId};

/// A member as the customer portal shows it: Polar's `CustomerPortalMember`, without the
/// customer id and external id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalMember {
    /// The member's id.
    pub id: MemberId,
    /// When the member was created.
    pub created_at: Timestamp,
    /// When the member was last changed.
    pub modified_at: Option<Timestamp>,
    /// The member's email.
    pub email: Email,
    /// The member's name.
    pub name: Option<Name>,
    /// The member's role.
    pub role: MemberRole,
}

impl From<&Member> for PortalMember {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            created_at: member.created_at,
            modified_at: member.modified_at,
            email: member.email.clone(),
            name: member.name.clone(),
            role: member.role,
        }
    }
}

/// An organization team member as Polar writes it (`OrganizationMember`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationMember {
    /// The member.
    pub user_id: UserId,
    /// When they joined.
    pub created_at: Timestamp,
    /// Their stored email.
    pub email: Email,
    /// Their avatar, a fact from outside the crate.
    pub avatar_url: Option<String>,
    /// Their role.
    pub role: Role,
}

impl OrganizationMember {
    /// The wire form of a membership, with the user's avatar passed in.
    #[must_use]
    pub fn new(membership: &Membership, role: Role, avatar_url: Option<String>) -> Self {
        Self {
            user_id: membership.user_id,
            created_at: membership.created_at,
            email: membership.email.clone(),
            avatar_url,
            role,
        }
    }
}
