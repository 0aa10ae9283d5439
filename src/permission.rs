//! Organization permissions and a constant-time set of them.

use std::fmt;
use std::str::FromStr;

use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// One thing a role may do in an organization. The strings are Polar's own and part of
/// the wire format (ORG-1).
///
/// Variants are declared in the alphabetical order of their strings, so that a
/// [`PermissionSet`] iterates (and serializes) sorted without sorting.
/// `#[non_exhaustive]`: Polar adds permissions, and adding one is not a breaking change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[repr(u8)]
pub enum Permission {
    /// `analytics:manage`
    AnalyticsManage,
    /// `analytics:read`
    AnalyticsRead,
    /// `custom_fields:manage`
    CustomFieldsManage,
    /// `custom_fields:read`
    CustomFieldsRead,
    /// `customers:manage`
    CustomersManage,
    /// `customers:read`
    CustomersRead,
    /// `events:ingest` (API only)
    EventsIngest,
    /// `finance:manage`
    FinanceManage,
    /// `finance:read`
    FinanceRead,
    /// `members:manage`: invite, remove and change member roles.
    MembersManage,
    /// `members:read`: see the member list.
    MembersRead,
    /// `organization:manage`: organization settings, webhooks and API keys.
    OrganizationManage,
    /// `products:manage`
    ProductsManage,
    /// `products:read`
    ProductsRead,
    /// `sales:manage`: orders, subscriptions, refunds.
    SalesManage,
    /// `sales:read`
    SalesRead,
}

impl Permission {
    /// Every permission, sorted by its string.
    pub const ALL: [Permission; 16] = [
        Permission::AnalyticsManage,
        Permission::AnalyticsRead,
        Permission::CustomFieldsManage,
        Permission::CustomFieldsRead,
        Permission::CustomersManage,
        Permission::CustomersRead,
        Permission::EventsIngest,
        Permission::FinanceManage,
        Permission::FinanceRead,
        Permission::MembersManage,
        Permission::MembersRead,
        Permission::OrganizationManage,
        Permission::ProductsManage,
        Permission::ProductsRead,
        Permission::SalesManage,
        Permission::SalesRead,
    ];

    /// Polar's string for this permission, e.g. `"members:manage"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::AnalyticsManage => "analytics:manage",
            Permission::AnalyticsRead => "analytics:read",
            Permission::CustomFieldsManage => "custom_fields:manage",
            Permission::CustomFieldsRead => "custom_fields:read",
            Permission::CustomersManage => "customers:manage",
            Permission::CustomersRead => "customers:read",
            Permission::EventsIngest => "events:ingest",
            Permission::FinanceManage => "finance:manage",
            Permission::FinanceRead => "finance:read",
            Permission::MembersManage => "members:manage",
            Permission::MembersRead => "members:read",
            Permission::OrganizationManage => "organization:manage",
            Permission::ProductsManage => "products:manage",
            Permission::ProductsRead => "products:read",
            Permission::SalesManage => "sales:manage",
            Permission::SalesRead => "sales:read",
        }
    }

    /// Parses Polar's string.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `permission` when `text` names no permission.
    pub fn parse(text: &str) -> Result<Self, Error> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .ok_or_else(|| Error::invalid("permission", "is not a known permission"))
    }

    const fn bit(self) -> u16 {
        1 << self as u8
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A set of permissions in one `u16`: `const` to build, a bit test to query, `Copy`,
/// never allocates. Serializes as a JSON array of the strings, sorted.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u16);

impl PermissionSet {
    /// The empty set.
    pub const EMPTY: PermissionSet = PermissionSet(0);

    /// This set with `permission` added.
    #[must_use]
    pub const fn with(self, permission: Permission) -> Self {
        Self(self.0 | permission.bit())
    }

    /// Whether `permission` is in the set.
    #[must_use]
    pub const fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// Whether every permission of `other` is in this set.
    #[must_use]
    pub const fn contains_all(self, other: PermissionSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// How many permissions the set holds.
    #[must_use]
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in the set, sorted by their strings.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Permission::as_str)).finish()
    }
}

impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for permission in self.iter() {
            seq.serialize_element(&permission)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for PermissionSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = PermissionSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of permission strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PermissionSet, A::Error> {
                let mut set = PermissionSet::EMPTY;
                while let Some(permission) = seq.next_element::<Permission>()? {
                    set = set.with(permission);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(SetVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_sorted_by_string_and_in_declaration_order() {
        for (index, permission) in Permission::ALL.into_iter().enumerate() {
            assert_eq!(permission as usize, index);
            assert_eq!(Permission::parse(permission.as_str()), Ok(permission));
            assert_eq!(permission.to_string().parse::<Permission>(), Ok(permission));
        }
        assert!(Permission::ALL.is_sorted_by_key(|p| p.as_str()));
        assert_eq!(Permission::parse("members:delete").unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn org_1_permission_sets_serialize_as_sorted_string_arrays() {
        let set: PermissionSet = [Permission::SalesRead, Permission::AnalyticsRead].into_iter().collect();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["analytics:read","sales:read"]"#);
        assert_eq!(serde_json::from_str::<PermissionSet>(&json).unwrap(), set);
        assert_eq!(format!("{set:?}"), r#"{"analytics:read", "sales:read"}"#);
        assert!(serde_json::from_str::<PermissionSet>(r#"["nope"]"#).is_err());
        let err = serde_json::from_str::<PermissionSet>(r#""members:read""#).unwrap_err();
        assert!(err.to_string().contains("an array of permission strings"), "{err}");
    }

    #[test]
    fn set_algebra() {
        let one = PermissionSet::EMPTY.with(Permission::MembersRead);
        let two = one.with(Permission::MembersManage);
        assert_eq!(two.with(Permission::MembersManage), two, "adding twice is adding once");
        assert!(PermissionSet::EMPTY.is_empty());
        assert!(!one.is_empty());
        assert_eq!((one.len(), two.len()), (1, 2));
        assert!(two.contains_all(one));
        assert!(!one.contains_all(two));
        assert!(two.contains(Permission::MembersManage));
        assert!(!one.contains(Permission::MembersManage));
        assert_eq!(two.iter().collect::<Vec<_>>(), [Permission::MembersManage, Permission::MembersRead]);
    }
}
