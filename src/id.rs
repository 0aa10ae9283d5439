//! Typed identifiers: a `UserId` can never be passed where an `OrganizationId` is wanted.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Error;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident => $field:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(Uuid);

        /// One `u128` in native byte order (no byte swap), not sixteen bytes and a length:
        /// ids are hashed on every check.
        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                state.write_u128(u128::from_ne_bytes(*self.0.as_bytes()));
            }
        }

        impl $name {
            /// Wraps a UUID the caller generated (the crate never makes ids itself).
            #[must_use]
            pub const fn new(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses the hyphenated UUID form (any RFC 4122 version).
            ///
            /// # Errors
            ///
            /// `invalid_input` naming the field when `text` is not a UUID.
            pub fn parse(text: &str) -> Result<Self, Error> {
                Uuid::parse_str(text)
                    .map(Self)
                    .map_err(|_| Error::invalid($field, "is not a UUID"))
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(text: &str) -> Result<Self, Error> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}

ids! {
    /// Identifies an organization (a merchant's workspace).
    OrganizationId => "organization_id";
    /// Identifies a user: a person with a dashboard account.
    UserId => "user_id";
    /// Identifies an invitation to join an organization.
    InvitationId => "invitation_id";
    /// Identifies an offer of an organization's ownership (ORG-10).
    OfferId => "offer_id";
    /// Identifies a customer: one of a merchant's billing accounts.
    CustomerId => "customer_id";
    /// Identifies a member of a customer.
    MemberId => "member_id";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_any_uuid_and_name_the_field_when_not() {
        let id = UserId::parse("ae612377-1a40-4e33-997c-14237fe736f4").unwrap();
        assert_eq!(id.to_string(), "ae612377-1a40-4e33-997c-14237fe736f4");
        assert_eq!(Uuid::from(id), *id.as_uuid());
        let err = OrganizationId::parse("nope").unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("organization_id"), "{err}");
    }
}
