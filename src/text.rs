//! Short human-entered texts: trimmed, blank means absent, no control characters, at most
//! 256 characters.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// The most characters (Unicode scalar values, not bytes) a name or external id may have.
const MAX_CHARS: usize = 256;

/// Refuses text that holds a control character: U+0000 and the rest of Unicode category Cc
/// (U+0001–U+001F, U+007F–U+009F), tab and newline included (docs/rules.md#values).
/// PostgreSQL cannot store NUL while SQLite can; refusing every such character before a
/// store sees it makes both answer alike.
///
/// Every parser of text the crate keeps calls it, after trimming; a service calls it
/// itself on text it only looks things up by (a path segment, a query filter), so that a
/// control character there is refused rather than taken to name nothing.
///
/// # Errors
///
/// `invalid_input` naming `field`, saying which character it found.
pub fn refuse_control_characters(field: &'static str, text: &str) -> Result<(), Error> {
    match text.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => Err(Error::invalid(
            field,
            format!("contains the control character U+{:04X}; send the text without control characters", u32::from(c)),
        )),
    }
}

macro_rules! short_text {
    ($(#[$doc:meta])* $name:ident => $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            /// Trims `text`; blank becomes `None`. Whitespace trimmed off the ends is never
            /// kept, so only a control character left inside the text is refused.
            ///
            /// # Errors
            ///
            #[doc = concat!("`invalid_input` for the field `", $field, "` when the trimmed text holds a control character (docs/rules.md#values) or is longer than 256 characters.")]
            pub fn parse(text: &str) -> Result<Option<Self>, Error> {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                refuse_control_characters($field, text)?;
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
    /// A person's or a customer's name (docs/rules.md#values): trimmed, blank means none, no
    /// control characters, at most 256 characters.
    Name => "name"
}

short_text! {
    /// The id of a member or customer in the merchant's own system (docs/rules.md#values): trimmed,
    /// blank means none, no control characters, at most 256 characters, compared exactly
    /// (case-sensitive).
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

    /// Every character of Unicode category Cc: U+0000–U+001F and U+007F–U+009F.
    fn control_characters() -> impl Iterator<Item = char> {
        ('\u{0}'..='\u{1f}').chain('\u{7f}'..='\u{9f}')
    }

    #[track_caller]
    fn refused(parse: fn(&str) -> Result<(), Error>, text: &str, field: &str, found: char) {
        let err = parse(text).unwrap_err();
        let reason = format!("contains the control character U+{:04X}", u32::from(found));
        assert!(matches!(err, Error::InvalidInput { field: f, .. } if f == field), "input {text:?}: {err:?}");
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains(&reason), "input {text:?}: {err}");
        assert!(!err.to_string().contains(found), "the message never echoes the character: {err}");
    }

    fn name(text: &str) -> Result<(), Error> {
        Name::parse(text).map(drop)
    }

    fn external_id(text: &str) -> Result<(), Error> {
        ExternalId::parse(text).map(drop)
    }

    #[test]
    fn spec_2_1_names_and_external_ids_refuse_every_control_character() {
        assert_eq!(control_characters().count(), 65);
        assert!(control_characters().all(char::is_control), "exactly what `char::is_control` calls control");
        for c in control_characters() {
            refused(name, &format!("a{c}b"), "name", c);
            refused(external_id, &format!("a{c}b"), "external_id", c);
            refused(
                |text| refuse_control_characters("external_customer_id", text),
                &format!("{c}"),
                "external_customer_id",
                c,
            );
        }
        // The neighbours of the ranges, and look-alikes outside Cc, are ordinary text.
        for text in ["a b", "a~b", "a\u{a0}b", "a\u{ad}b", "a\u{200b}b", "a\u{2028}b", "a\u{fffd}b"] {
            assert_eq!(Name::parse(text).unwrap().unwrap().as_str(), text);
            assert_eq!(ExternalId::parse(text).unwrap().unwrap().as_str(), text);
        }
    }

    #[test]
    fn spec_2_1_whitespace_trimmed_off_the_ends_is_not_kept_so_not_refused() {
        // Tab, newline and NEL (U+0085) are whitespace: around the text they are trimmed
        // as before, inside it they are refused.
        assert_eq!(Name::parse("\t Jane Doe\r\n").unwrap().unwrap().as_str(), "Jane Doe");
        assert_eq!(ExternalId::parse("\u{85}usr_1\n").unwrap().unwrap().as_str(), "usr_1");
        assert_eq!(Name::parse(" \t\n ").unwrap(), None, "blank is none");
        refused(name, "Jane\tDoe", "name", '\t');
        refused(external_id, "usr\n1", "external_id", '\n');
        // NUL and the other non-whitespace controls are never trimmed.
        refused(name, "Jane\0", "name", '\0');
        refused(external_id, "\u{1}usr_1", "external_id", '\u{1}');
    }

    #[test]
    fn spec_2_1_a_control_character_is_refused_before_the_length_rule() {
        refused(name, &format!("{}\0", "x".repeat(300)), "name", '\0');
        refused(external_id, &format!("\u{7f}{}", "x".repeat(300)), "external_id", '\u{7f}');
    }

    #[test]
    fn spec_2_1_stored_text_loads_as_it_was_stored() {
        assert_eq!(Name::from_stored("a\0b").as_str(), "a\0b");
        assert_eq!(ExternalId::from_stored("a\u{9f}").as_str(), "a\u{9f}");
        let stored: ExternalId = serde_json::from_str(r#""usr\u0000""#).unwrap();
        assert_eq!(stored.as_str(), "usr\0", "events and records load without re-validating");
    }
}
