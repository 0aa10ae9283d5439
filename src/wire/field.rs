//! A request field as it arrived: absent, `null`, a string, or a value of another JSON type,
//! so a wrong type becomes a 422 naming the field rather than a bare serde message.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::Error;

/// One string field of a request body or query, as received.
///
/// Bodies deserialize every field as a `Field` (absent keys default to
/// [`Field::Absent`]), so deserializing never fails on a field's value; the body's
/// `into_*` method then refuses a wrong type with `invalid_input` naming the field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Field {
    /// The key was not sent.
    #[default]
    Absent,
    /// The key was sent as `null`.
    Null,
    /// A string.
    Text(String),
    /// A value of another JSON type: what it was (`a number`, `an object`, …).
    Other(&'static str),
}

impl Field {
    /// The text, `None` when absent or `null`.
    ///
    /// # Errors
    ///
    /// `invalid_input` naming `field` for a value that is not a string.
    pub fn text(&self, field: &'static str) -> Result<Option<&str>, Error> {
        match self {
            Field::Absent | Field::Null => Ok(None),
            Field::Text(text) => Ok(Some(text)),
            Field::Other(kind) => Err(Error::invalid(field, format!("must be a string, not {kind}"))),
        }
    }

    /// The text, which must be there.
    ///
    /// # Errors
    ///
    /// `invalid_input` naming `field` when absent, `null` or not a string.
    pub fn required(&self, field: &'static str) -> Result<&str, Error> {
        self.text(field)?.ok_or_else(|| Error::invalid(field, "is required"))
    }

    /// Parses the text with `parse` when there is one.
    ///
    /// # Errors
    ///
    /// As [`Field::text`], or `parse`'s error.
    pub fn parse_with<T>(
        &self,
        field: &'static str,
        parse: impl FnOnce(&str) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        self.text(field)?.map(parse).transpose()
    }
}

impl From<&str> for Field {
    fn from(text: &str) -> Self {
        Field::Text(text.to_owned())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Field, E> {
        Ok(Field::Text(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Field, E> {
        Ok(Field::Text(text))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Field, E> {
        Ok(Field::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Field, E> {
        Ok(Field::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Field, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field, E> {
        Ok(Field::Other("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Field, E> {
        Ok(Field::Other("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Field, E> {
        Ok(Field::Other("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Field, E> {
        Ok(Field::Other("a number"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Field, A::Error> {
        while items.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Field, A::Error> {
        while entries.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other("an object"))
    }
}
