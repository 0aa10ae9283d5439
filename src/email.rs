//! Email addresses: kept as written, compared as folded.

use std::borrow::Cow;
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
/// uniqueness rule everywhere in the crate (docs/rules.md#email).
///
/// It holds one allocation, the text: the folded form is computed when compared, without
/// allocating for ASCII addresses (the rest allocate a lowercase copy to compare).
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
pub struct Email(Box<str>);

/// Longest folded ASCII address hashed from the stack; longer ones (only unvalidated stored
/// data can be) are folded on the heap.
const STACK_FOLD: usize = 256;

impl Email {
    /// Parses an address: trims ASCII whitespace, then checks syntax only (no DNS).
    ///
    /// Accepted: a dotted domain (`a@b.example`, not `a@localhost`), at most 64 characters
    /// before the `@` and 254 in all. Refused: display names (`Jane <j@x.com>`) and
    /// domain literals (`j@[10.0.0.1]`), which no sign-up form produces, and any control
    /// character (docs/rules.md#values).
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `email`, saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim_ascii();
        if text.len() > MAX_LEN {
            return Err(Error::invalid("email", "is longer than 254 characters"));
        }
        // The address syntax still lets a tab through inside quotes, and C1 controls
        // (U+0080–U+009F) anywhere; no stored text may hold one (docs/rules.md#values).
        crate::text::refuse_control_characters("email", text)?;
        let options = Options::default().with_required_tld().without_display_text().without_domain_literal();
        EmailAddress::parse_with_options(text, options)
            .map_err(|reason| Error::invalid("email", reason.to_string().trim_end_matches('.').to_lowercase()))?;
        Ok(Self(text.into()))
    }

    /// An address read back from storage, as it was stored, without re-validating: stored
    /// data must always load, even if a later release validates more strictly. Input from
    /// people goes through [`Email::parse`].
    #[must_use]
    pub fn from_stored(text: impl Into<Box<str>>) -> Self {
        Self(text.into())
    }

    /// The address as it was given (trimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folded form used for every comparison: the whole address lowercased. Borrowed
    /// when the text is already folded.
    #[must_use]
    pub fn folded(&self) -> Cow<'_, str> {
        if self.0.is_ascii() && !self.0.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Borrowed(&self.0)
        } else {
            Cow::Owned(self.0.to_lowercase())
        }
    }

    /// Whether both addresses have exactly the same text (not just the same folded form).
    #[must_use]
    pub fn same_text(&self, other: &Email) -> bool {
        self.0 == other.0
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        if self.0.is_ascii() && other.0.is_ascii() {
            self.0.eq_ignore_ascii_case(&other.0)
        } else {
            // A non-ASCII letter can fold to ASCII (the Kelvin sign to `k`): fold both.
            self.folded() == other.folded()
        }
    }
}

impl Eq for Email {}

/// Hashes exactly what `str::hash` of the folded form would, so equal emails hash alike
/// whichever way they are folded.
impl Hash for Email {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let text = self.0.as_bytes();
        let mut buffer = [0u8; STACK_FOLD];
        if let Some(folded) = buffer.get_mut(..text.len()).filter(|_| self.0.is_ascii()) {
            for (to, from) in folded.iter_mut().zip(text) {
                *to = from.to_ascii_lowercase();
            }
            // ASCII in, ASCII out: always UTF-8.
            std::str::from_utf8(folded).unwrap_or_default().hash(state);
        } else {
            self.0.to_lowercase().hash(state);
        }
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
        serializer.serialize_str(&self.0)
    }
}

/// Loads stored addresses (events, records) as they are, without re-validating: stored
/// data must always load, even if the rules of [`Email::parse`] tighten later. Input from
/// people goes through [`Email::parse`].
impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::from_stored(text))
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
    fn spec_2_1_emails_refuse_every_control_character() {
        // The address syntax alone lets a quoted tab and C1 controls through.
        for c in ('\u{0}'..='\u{1f}').chain('\u{7f}'..='\u{9f}') {
            for text in [format!("a{c}b@example.com"), format!("\"a{c}b\"@example.com"), format!("ab@exa{c}mple.com")] {
                let err = Email::parse(&text).unwrap_err();
                assert!(matches!(err, Error::InvalidInput { field: "email", .. }), "input {text:?}: {err:?}");
            }
        }
        case("\"a\tb\"@example.com", Err("contains the control character U+0009"));
        case("j\u{85}@example.com", Err("contains the control character U+0085"));
        case("jane@ex\u{9f}ample.com", Err("contains the control character U+009F"));
        case("\tjane@example.com\r\n", Ok("jane@example.com"));
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
        assert!(matches!(lower.folded(), Cow::Borrowed("jane@example.com")));
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
    fn non_ascii_addresses_fold_like_str_to_lowercase() {
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        let kelvin = Email::parse("\u{212A}im@example.com").unwrap();
        let ascii = Email::parse("kim@example.com").unwrap();
        let accented = Email::parse("JOSÉ@example.com").unwrap();
        assert_eq!(kelvin, ascii, "the Kelvin sign folds to k");
        assert_eq!(state.hash_one(&kelvin), state.hash_one(&ascii));
        assert_eq!(accented.folded(), "josé@example.com");
        assert_eq!(accented, Email::parse("josé@example.com").unwrap());
        assert_ne!(accented, Email::parse("jose@example.com").unwrap());
        assert_eq!(state.hash_one(&accented), state.hash_one("josé@example.com"));
        // Stored data longer than the stack buffer still hashes as its folded form.
        let long: Email = serde_json::from_str(&format!("\"{}@EXAMPLE.com\"", "A".repeat(300))).unwrap();
        assert_eq!(state.hash_one(&long), state.hash_one(long.as_str().to_lowercase()));
        assert_eq!(state.hash_one(&ascii), state.hash_one("kim@example.com"));
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
