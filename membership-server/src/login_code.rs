//! Emailed login codes, the way Polar signs users in: six characters from `A–Z0–9`, drawn
//! from the operating system's randomness, mailed to the address, valid for
//! [`LIFETIME`], good for one sign-in, void after [`MAX_ATTEMPTS`] wrong tries. Only the
//! SHA-256 of the folded email and the code is stored.

use chrono::TimeDelta;
use membership::Email;

use crate::auth::token_hash;
use crate::mail::Letter;

/// How many characters a code has.
pub const LENGTH: usize = 6;

/// The characters a code is made of (36: about 2.2 billion codes).
const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// How long a code stays valid, as Polar's.
pub const LIFETIME: TimeDelta = TimeDelta::minutes(30);

/// Wrong tries a code takes before it is void: a guesser gets five chances in 2.2 billion
/// per code mailed.
pub const MAX_ATTEMPTS: u32 = 5;

/// A new code.
///
/// # Errors
///
/// When the operating system has no randomness to give.
pub fn new_code() -> Result<String, getrandom::Error> {
    let mut code = String::with_capacity(LENGTH);
    // Rejection sampling keeps every character equally likely: 252 = 7 × 36, so bytes
    // 252–255 are drawn again rather than folded onto the first four characters.
    while code.len() < LENGTH {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        for byte in bytes {
            if code.len() == LENGTH {
                break;
            }
            if byte < 252 {
                let index = usize::from(byte % 36);
                if let Some(&character) = ALPHABET.get(index) {
                    code.push(char::from(character));
                }
            }
        }
    }
    Ok(code)
}

/// What is stored of `code` sent to `email`: the SHA-256 of both, so a code is good only
/// for the address it was mailed to. A code typed in lowercase or with spaces around it is
/// the same code.
#[must_use]
pub fn code_hash(email: &Email, code: &str) -> String {
    token_hash(&format!("{}\n{}", email.folded(), code.trim().to_ascii_uppercase()))
}

/// The message that carries `code` to `to`.
#[must_use]
pub fn letter(to: &Email, code: &str) -> Letter {
    let minutes = LIFETIME.num_minutes();
    Letter {
        to: to.clone(),
        subject: format!("Your sign-in code: {code}"),
        body: format!(
            "Here is your code to sign in: {code}\n\
             \n\
             It is valid for the next {minutes} minutes, for one sign-in.\n\
             Enter it on the sign-in page, or send it with this email address to\n\
             POST /v1/login-code/authenticate.\n\
             \n\
             If you didn't request this email, you can safely ignore it.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_uppercase_alphanumerics() {
        for _ in 0..200 {
            let code = new_code().unwrap_or_default();
            assert_eq!(code.len(), LENGTH);
            assert!(code.bytes().all(|byte| ALPHABET.contains(&byte)), "{code}");
        }
    }

    #[test]
    fn a_code_hash_is_bound_to_the_folded_email_and_forgives_case_and_spaces() {
        let email = Email::parse("Dev@Example.com").unwrap_or_else(|_| Email::from_stored("dev@example.com"));
        let same = Email::from_stored("dev@example.com");
        let other = Email::from_stored("other@example.com");
        assert_eq!(code_hash(&email, "ABC123"), code_hash(&same, " abc123 "));
        assert_ne!(code_hash(&email, "ABC123"), code_hash(&other, "ABC123"));
        assert_ne!(code_hash(&email, "ABC123"), code_hash(&email, "ABC124"));
    }
}
