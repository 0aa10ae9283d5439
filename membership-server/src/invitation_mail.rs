//! The invitation email (ORG-4, the seed's "the invitee receives an email with a link to
//! join"): who invited them, the link to accept, and how to sign in first. It is mailed
//! when an invite command commits a new invitation or resends one, never for an address
//! that is already a member (that answer shows the membership instead).

use membership::organization::Invitation;
use membership::{Email, OrganizationId};

use crate::mail::Letter;

/// The join page of `invitation` under `public_url`: where a person signs in (or signs up)
/// and accepts or declines it in a browser.
#[must_use]
pub fn join_link(public_url: &str, organization_id: OrganizationId, invitation: &Invitation) -> String {
    format!("{}/join/{organization_id}/{}", public_url.trim_end_matches('/'), invitation.id)
}

/// The accept route of `invitation` in `organization_id`, under `public_url`.
#[must_use]
pub fn accept_link(public_url: &str, organization_id: OrganizationId, invitation: &Invitation) -> String {
    format!(
        "{}/v1/organizations/{organization_id}/invitations/{}/accept",
        public_url.trim_end_matches('/'),
        invitation.id
    )
}

/// The message inviting `invitation.email` to the organization named `organization`;
/// `inviter` is the inviting member's email, when the server knows it.
#[must_use]
pub fn letter(
    public_url: &str,
    organization_id: OrganizationId,
    organization: &str,
    invitation: &Invitation,
    inviter: Option<&Email>,
) -> Letter {
    let who = inviter.map_or_else(|| "A member".to_owned(), |email| email.as_str().to_owned());
    let join = join_link(public_url, organization_id, invitation);
    let accept = accept_link(public_url, organization_id, invitation);
    let base = public_url.trim_end_matches('/');
    let until = chrono::DateTime::from_timestamp_micros(invitation.expires_at.unix_micros())
        .map_or_else(String::new, |at| format!(" The invitation is open until {}.", at.format("%Y-%m-%d %H:%M UTC")));
    Letter {
        to: invitation.email.clone(),
        subject: format!("You're invited to join {organization}"),
        body: format!(
            "{who} invited you to join {organization} ({organization_id}).{until}\n\
             \n\
             Join: {join}\n\
             \n\
             Open the link, sign in with this email (a code is mailed to you; if you don't have an\n\
             account yet, one is created when you sign in), then accept or decline.\n\
             \n\
             With the API instead:\n\
             1. POST {base}/v1/login-code/request with {{\"email\": \"{email}\"}}; a code is mailed to you.\n\
             2. POST {base}/v1/login-code/authenticate with your email and the code; you get a token.\n\
             3. POST {accept} with `Authorization: Bearer <token>`.\n\
             \n\
             New members join with the Member role. If you didn't expect this invitation, ignore it.\n",
            email = invitation.email.as_str(),
        ),
    }
}
