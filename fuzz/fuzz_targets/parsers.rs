//! The text parsers: never panic, what they accept they accept again as written, and
//! nothing they accept holds a control character (docs/rules.md#values: both stores keep it alike).
#![no_main]

use libfuzzer_sys::fuzz_target;
use membership::customer::MemberRole;
use membership::{Email, ExternalId, Name, Role, Timestamp, UserId};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Whitespace at the ends is trimmed; a control character left inside is refused.
    if text.trim().chars().any(char::is_control) {
        assert!(Name::parse(text).is_err() && ExternalId::parse(text).is_err(), "accepted {text:?}");
    }
    if text.trim_ascii().chars().any(char::is_control) {
        assert!(Email::parse(text).is_err(), "accepted {text:?}");
    }
    if let Ok(email) = Email::parse(text) {
        assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(&email));
        assert!(email.same_text(&Email::parse(email.as_str()).expect("accepted once")));
        let _ = email.folded();
    }
    if let Ok(Some(name)) = Name::parse(text) {
        assert_eq!(Name::parse(name.as_str()), Ok(Some(name.clone())));
    }
    if let Ok(Some(id)) = ExternalId::parse(text) {
        assert_eq!(ExternalId::parse(id.as_str()), Ok(Some(id.clone())));
    }
    if let Ok(t) = Timestamp::parse(text) {
        assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
        assert_eq!(Timestamp::from_unix_micros(t.unix_micros()), Ok(t));
    }
    if let Ok(role) = Role::parse(text) {
        assert_eq!(role.as_str(), text);
    }
    if let Ok(role) = MemberRole::parse(text) {
        assert_eq!(role.as_str(), text);
    }
    if let Ok(id) = UserId::parse(text) {
        assert_eq!(UserId::parse(&id.to_string()), Ok(id));
    }
    if let Some(bytes) = data.get(..8) {
        let micros = i64::from_le_bytes(bytes.try_into().expect("eight bytes"));
        if let Ok(t) = Timestamp::from_unix_micros(micros) {
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t), "every timestamp writes and parses back");
        }
    }
});
