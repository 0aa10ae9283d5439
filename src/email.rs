//! Email addresses: kept as written, compared as folded.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use email_address::{EmailAddress, Options};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// The longest address SMTP can carry (RFC 5321 §4.5.3.1.3, as errata'd).
const MAX_LEN: usize = 254;

/// An email address: syntax checked once, its text kept exactly as given, and every
/// comparison and hash made on its folded form (`str::to_lowercase` of the whole address).
///
/// Two `Email`s are equal when their folded forms are: `Jane@Example.com` equals
/// `jane@example.com`, and a `HashMap<Email, _>` treats them as one key. That is the
/// uniqueness rule everywhere in the crate (SPEC §3, "Email").
///
/// ```
/// # fn main() -> Result<(), membership::Error> {
/// use membership::Email;
///
/// let email = Email::parse("  Jane@Example.com ")?;
/// assert_eq!(email.as_str(), "Jane@Example.com");
/// assert_eq!(email.folded(), "jane@example.com");
/// assert_eq!(email, Email::parse("jane@example.com")?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Email {
    text: Box<str>,
    /// `None` when the text is already folded: most addresses are, and the copy would
    /// double the memory of every roster index.
    folded: Option<Box<str>>,
}

impl Email {
    /// Parses an address: trims ASCII whitespace, then checks syntax only (no DNS).
    ///
    /// Accepted: a dotted domain (`a@b.example`, not `a@localhost`), at most 64 characters
    /// before the `@` and 254 in all. Refused: display names (`Jane <j@x.com>`) and
    /// domain literals (`j@[10.0.0.1]`), which no sign-up form produces.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `email`, saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim_ascii();
        if text.len() > MAX_LEN {
            return Err(Error::invalid("email", "is longer than 254 characters"));
        }
        let options = Options::default().with_required_tld().without_display_text().without_domain_literal();
        EmailAddress::parse_with_options(text, options)
            .map_err(|reason| Error::invalid("email", reason.to_string().trim_end_matches('.').to_lowercase()))?;
        Ok(Self::from_stored(text))
    }

    /// Wraps text that was validated when it was first stored, without checking it again:
    /// stored data must always load, even if the rules of [`Email::parse`] tighten later.
    fn from_stored(text: &str) -> Self {
        let folded = text.to_lowercase();
        let folded = (folded != text).then(|| folded.into_boxed_str());
        Self { text: text.into(), folded }
    }

    /// The address as it was given (trimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The folded form used for every comparison: the whole address lowercased.
    #[must_use]
    pub fn folded(&self) -> &str {
        self.folded.as_deref().unwrap_or(&self.text)
    }

    /// Whether both addresses have exactly the same text (not just the same folded form).
    #[must_use]
    pub fn same_text(&self, other: &Email) -> bool {
        self.text == other.text
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.folded() == other.folded()
    }
}

impl Eq for Email {}

impl Hash for Email {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.folded().hash(state);
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Email {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl TryFrom<&str> for Email {
    type Error = Error;

    fn try_from(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// Loads stored addresses (events, records) without re-validating them: see
/// [`Email::from_stored`]. Input from people goes through [`Email::parse`].
impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::from_stored(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(input: &str, expected: Result<&str, &str>) {
        let got = Email::parse(input);
        match (got, expected) {
            (Ok(email), Ok(text)) => assert_eq!(email.as_str(), text, "input {input:?}"),
            (Err(err), Err(reason)) => {
                assert_eq!(err.code(), "invalid_input", "input {input:?}");
                assert!(err.to_string().contains(reason), "input {input:?}: {err}");
            }
            (got, expected) => panic!("input {input:?}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn parse_accepts_and_refuses_at_the_edge() {
        let local64 = format!("{}@example.com", "a".repeat(64));
        let local65 = format!("{}@example.com", "a".repeat(65));
        let long = format!("ab@{}com", "b.".repeat(124));
        assert_eq!(long.len(), 254);
        let too_long = format!("abc@{}com", "b.".repeat(124));
        case(" jane@example.com\t", Ok("jane@example.com"));
        case("Jane@Example.COM", Ok("Jane@Example.COM"));
        case(&local64, Ok(&local64));
        case(&long, Ok(&long));
        case(&local65, Err("email"));
        case(&too_long, Err("longer than 254"));
        case("jane", Err("email"));
        case("jane@localhost", Err("email"));
        case("Jane <jane@example.com>", Err("email"));
        case("jane@[10.0.0.1]", Err("email"));
        case("", Err("email"));
    }

    #[test]
    fn equality_and_hash_use_the_folded_form() {
        use std::collections::HashSet;
        let upper = Email::parse("JANE@Example.com").unwrap();
        let lower = Email::parse("jane@example.com").unwrap();
        assert_eq!(upper, lower);
        assert!(!upper.same_text(&lower));
        assert!(upper.same_text(&upper.clone()));
        assert_eq!(upper.folded(), "jane@example.com");
        assert_eq!(lower.folded(), "jane@example.com");
        let hash = |email: &Email| {
            let mut hasher = std::hash::DefaultHasher::new();
            email.hash(&mut hasher);
            hasher.finish()
        };
        assert_eq!(hash(&upper), hash(&lower));
        assert_ne!(hash(&lower), hash(&Email::parse("jane@example.org").unwrap()));
        let set: HashSet<Email> = [upper, lower].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn serde_keeps_the_text_and_loads_without_revalidating() {
        let email = Email::parse("Jane@Example.com").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), r#""Jane@Example.com""#);
        let stored: Email = serde_json::from_str(r#""legacy@localhost""#).unwrap();
        assert_eq!(stored.as_str(), "legacy@localhost");
        assert_eq!(format!("{stored} {stored:?}"), r#"legacy@localhost "legacy@localhost""#);
    }
}
