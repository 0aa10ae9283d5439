//! Polar's `avatar_url` for a customer: a Gravatar address from the SHA-256 of the
//! lowercased email, `?d=404` so a client shows its own fallback when there is none. Polar's
//! `Customer` carries it (older SDKs refuse a customer without one), the crate keeps no
//! hashing dependency, so the store fills it in where it makes `customer.*` webhooks, and
//! a service where it answers customers.

use membership::Email;
use membership::wire::{AnyWebhook, PolarCustomer};
use sha2::{Digest, Sha256};

/// The avatar address Polar gives a customer with `email`.
#[must_use]
pub fn avatar_url(email: &Email) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(email.as_str().to_lowercase().as_bytes());
    let mut url = String::from("https://www.gravatar.com/avatar/");
    for byte in digest {
        let _ = write!(url, "{byte:02x}");
    }
    url.push_str("?d=404");
    url
}

/// `customer` with its `avatar_url` from its email (none without one).
#[must_use]
pub fn with_avatar(mut customer: PolarCustomer) -> PolarCustomer {
    set_avatar(&mut customer);
    customer
}

/// Sets `customer`'s `avatar_url` from its email (none without one).
fn set_avatar(customer: &mut PolarCustomer) {
    customer.avatar_url = customer.email.as_ref().map(avatar_url);
}

/// Fills in the avatar of every `customer.*` webhook.
pub(crate) fn fill(webhooks: &mut [AnyWebhook]) {
    for webhook in webhooks {
        if let AnyWebhook::Customer(hook) = webhook {
            set_avatar(&mut hook.data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avatar_is_gravatars_address_for_the_lowercased_emails_sha256() {
        let email = Email::parse("Jane@Example.com").map(|email| avatar_url(&email));
        // sha256("jane@example.com")
        assert_eq!(
            email.ok().as_deref(),
            Some(
                "https://www.gravatar.com/avatar/\
                 8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d?d=404"
            )
        );
    }
}
