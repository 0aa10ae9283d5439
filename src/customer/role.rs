//! Member roles inside a customer.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::policy::{self, PortalCapability};

/// A member's role inside a customer (docs/rules.md#values). Exactly one member is the owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Exactly one per customer; the only one who transfers ownership in the portal.
    Owner,
    /// Manages members and billing.
    BillingManager,
    /// Uses what the customer bought.
    Member,
}

impl MemberRole {
    /// Every role, most powerful first.
    pub const ALL: [MemberRole; 3] = [MemberRole::Owner, MemberRole::BillingManager, MemberRole::Member];

    /// The wire string: `"owner"`, `"billing_manager"`, `"member"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::BillingManager => "billing_manager",
            MemberRole::Member => "member",
        }
    }

    /// Parses a wire string.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `role` when `text` names no member role.
    pub fn parse(text: &str) -> Result<Self, Error> {
        MemberRole::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| Error::invalid("role", "is not one of owner, billing_manager, member"))
    }

    /// Whether this role may use `capability` in the customer portal (CUS-8), from the one
    /// matrix in [`policy`].
    #[must_use]
    pub const fn can(self, capability: PortalCapability) -> bool {
        policy::portal_allows(self, capability)
    }
}

impl fmt::Display for MemberRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MemberRole {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

/// A member role other than owner: what every member but the owner holds, so that a
/// customer with two owners cannot be represented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SeatRole {
    BillingManager,
    Member,
}

impl SeatRole {
    pub(crate) const fn role(self) -> MemberRole {
        match self {
            SeatRole::BillingManager => MemberRole::BillingManager,
            SeatRole::Member => MemberRole::Member,
        }
    }

    pub(crate) const fn of(role: MemberRole) -> Option<Self> {
        match role {
            MemberRole::Owner => None,
            MemberRole::BillingManager => Some(SeatRole::BillingManager),
            MemberRole::Member => Some(SeatRole::Member),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_roles_use_snake_case_wire_strings() {
        for role in MemberRole::ALL {
            assert_eq!(role.to_string().parse::<MemberRole>(), Ok(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
            assert_eq!(SeatRole::of(role).map(SeatRole::role), (role != MemberRole::Owner).then_some(role));
        }
        assert_eq!(serde_json::to_string(&MemberRole::BillingManager).unwrap(), r#""billing_manager""#);
        assert_eq!(MemberRole::parse("BillingManager").unwrap_err().code(), "invalid_input");
    }
}
