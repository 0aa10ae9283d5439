//! Short human-entered texts: trimmed, blank means absent, at most 256 characters.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// The most characters (Unicode scalar values, not bytes) a name or external id may have.
const MAX_CHARS: usize = 256;

macro_rules! short_text {
    ($(#[$doc:meta])* $name:ident => $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            /// Trims `text`; blank becomes `None`.
            ///
            /// # Errors
            ///
            #[doc = concat!("`invalid_input` for the field `", $field, "` when longer than 256 characters.")]
            pub fn parse(text: &str) -> Result<Option<Self>, Error> {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                if text.chars().count() > MAX_CHARS {
                    return Err(Error::invalid($field, "is longer than 256 characters"));
                }
                Ok(Some(Self(text.into())))
            }

            /// Text read back from storage, as it was stored, without re-validating: stored
            /// data must always load. Input from people goes through `parse`.
            #[must_use]
            pub fn from_stored(text: impl Into<Box<str>>) -> Self {
                Self(text.into())
            }

            /// The text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        /// Loads stored text as it is, without re-validating: stored data must always load.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self(text.into()))
            }
        }
    };
}

short_text! {
    /// A person's or a customer's name (docs/rules.md#values): trimmed, blank means none, at most 256
    /// characters.
    Name => "name"
}

short_text! {
    /// The id of a member or customer in the merchant's own system (docs/rules.md#values): trimmed,
    /// blank means none, at most 256 characters, compared exactly (case-sensitive).
    ExternalId => "external_id"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_blank_is_none_and_256_chars_is_the_limit() {
        assert_eq!(Name::parse("  Jane Doe ").unwrap().unwrap().as_str(), "Jane Doe");
        assert_eq!(Name::parse(" \t ").unwrap(), None);
        let wide = "é".repeat(256);
        assert_eq!(Name::parse(&wide).unwrap().unwrap().as_str(), wide, "256 chars, 512 bytes");
        let err = Name::parse(&"é".repeat(257)).unwrap_err();
        assert_eq!(
            (err.code(), err.to_string()),
            ("invalid_input", "invalid `name`: is longer than 256 characters".into())
        );
        let err = ExternalId::parse(&"x".repeat(257)).unwrap_err();
        assert!(err.to_string().contains("external_id"));
    }

    #[test]
    fn external_ids_compare_exactly() {
        assert_ne!(ExternalId::parse("usr_1").unwrap(), ExternalId::parse("USR_1").unwrap());
        let id = ExternalId::parse("usr_1").unwrap().unwrap();
        assert_eq!(format!("{id} {id:?}"), r#"usr_1 "usr_1""#);
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""usr_1""#);
        let stored: Name = serde_json::from_str(&format!("\"{}\"", "x".repeat(300))).unwrap();
        assert_eq!(stored.as_str().len(), 300, "stored data loads as it is");
    }
}
