//! Organization roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::policy;
use crate::{Error, Permission, PermissionSet};

/// A user's role in one organization (ORG-1). Exhaustive on purpose: a service's
/// projection should fail to compile when a role is added, not silently deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Exactly one per organization, always; the same permissions as Admin.
    Owner,
    /// Full access, including members, finances and settings.
    Admin,
    /// The accounting seat: reads most things, manages sales, cannot see the member list.
    Finance,
    /// Day-to-day work; no members management, finances or settings.
    Member,
}

impl Role {
    /// Every role, most powerful first: Polar's "role definitions" order (ORG-9).
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Finance, Role::Member];

    /// The stable wire string (`"owner"`, `"admin"`, `"finance"`, `"member"`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Member => "member",
        }
    }

    /// Parses a wire string.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `role` when `text` names no role.
    pub fn parse(text: &str) -> Result<Self, Error> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| Error::invalid("role", "is not one of owner, admin, finance, member"))
    }

    /// Everything this role may do, from the one matrix in [`policy`](crate::policy).
    #[must_use]
    pub const fn permissions(self) -> PermissionSet {
        policy::permissions_of(self)
    }

    /// Whether this role holds `permission`: a bit test on a constant, no allocation.
    ///
    /// ```
    /// use membership::{Permission, Role};
    ///
    /// assert!(Role::Finance.can(Permission::FinanceRead));
    /// assert!(!Role::Finance.can(Permission::MembersRead));
    /// ```
    #[must_use]
    pub const fn can(self, permission: Permission) -> bool {
        self.permissions().contains(permission)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

/// A role that can be given by changing a member's role: every role but Owner, which only
/// moves by ownership transfer (ORG-10). Holding non-owner members in this type is what makes
/// "two owners" unrepresentable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignableRole {
    /// See [`Role::Admin`].
    Admin,
    /// See [`Role::Finance`].
    Finance,
    /// See [`Role::Member`].
    Member,
}

impl AssignableRole {
    /// The role picker's order (ORG-9).
    pub const ALL: [AssignableRole; 3] = [AssignableRole::Admin, AssignableRole::Finance, AssignableRole::Member];

    /// `role` if it is not Owner.
    #[must_use]
    pub const fn of(role: Role) -> Option<Self> {
        match role {
            Role::Owner => None,
            Role::Admin => Some(AssignableRole::Admin),
            Role::Finance => Some(AssignableRole::Finance),
            Role::Member => Some(AssignableRole::Member),
        }
    }

    /// The same role as a [`Role`].
    #[must_use]
    pub const fn role(self) -> Role {
        match self {
            AssignableRole::Admin => Role::Admin,
            AssignableRole::Finance => Role::Finance,
            AssignableRole::Member => Role::Member,
        }
    }
}

impl From<AssignableRole> for Role {
    fn from(role: AssignableRole) -> Self {
        role.role()
    }
}

impl TryFrom<Role> for AssignableRole {
    type Error = Error;

    /// # Errors
    ///
    /// `invalid_input` (field `role`) for [`Role::Owner`]: ownership moves only by transfer.
    fn try_from(role: Role) -> Result<Self, Error> {
        Self::of(role).ok_or_else(|| Error::invalid("role", "can't be owner; use ownership transfer instead"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_print_their_wire_strings() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{role}\""));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        assert_eq!(Role::parse("Owner").unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn assignable_roles_are_every_role_but_owner() {
        for role in Role::ALL {
            assert_eq!(AssignableRole::of(role).map(Role::from), (role != Role::Owner).then_some(role));
            match AssignableRole::try_from(role) {
                Ok(assignable) => assert_eq!(Role::from(assignable), role),
                Err(err) => {
                    assert_eq!(role, Role::Owner);
                    assert_eq!((err.code(), err.field()), ("invalid_input", Some("role")));
                }
            }
        }
        assert_eq!(serde_json::to_string(&AssignableRole::Finance).unwrap(), r#""finance""#);
    }
}
