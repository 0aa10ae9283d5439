//! Bearer tokens with Polar's prefixes, stored only as SHA-256 hashes, and the scopes
//! Polar names. A request's token becomes a [`Principal`]: an organization's access
//! token, a user, or a member's portal session.

use std::fmt;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use membership::{CustomerId, MemberId, OrganizationId, Timestamp, UserId};
use sha2::{Digest, Sha256};

use crate::data::{self, Known};
use crate::error::ApiError;
use crate::state::AppState;

/// A permission a token carries, spelled as Polar spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Read customers' members (`GET /v1/members/`, `GET …/members/{id}`).
    MembersRead,
    /// Create, update and delete customers' members; implies reading them.
    MembersWrite,
    /// Read the organization's team.
    OrganizationsRead,
    /// Change the organization's team; implies reading it.
    OrganizationsWrite,
    /// Read one's own customer's members in the portal.
    CustomerPortalRead,
    /// Manage one's own customer's members in the portal; implies reading them.
    CustomerPortalWrite,
    /// Mint a member's portal session (`POST /v1/customer-sessions/`).
    CustomerSessionsWrite,
    /// Read the organization's webhook endpoints and deliveries.
    WebhooksRead,
    /// Manage webhook endpoints and redeliver events; implies reading them.
    WebhooksWrite,
    /// Read the organization's customers (`GET /v1/customers/`, `GET …/customers/{id}`).
    CustomersRead,
    /// Create, update and delete customers; implies reading them.
    CustomersWrite,
    /// List the organization's access tokens.
    OrganizationAccessTokensRead,
    /// Create, change and revoke the organization's access tokens; implies reading them.
    OrganizationAccessTokensWrite,
}

impl Scope {
    /// Every scope, in the order they are written.
    pub const ALL: [Scope; 13] = [
        Scope::MembersRead,
        Scope::MembersWrite,
        Scope::OrganizationsRead,
        Scope::OrganizationsWrite,
        Scope::CustomerPortalRead,
        Scope::CustomerPortalWrite,
        Scope::CustomerSessionsWrite,
        Scope::WebhooksRead,
        Scope::WebhooksWrite,
        Scope::CustomersRead,
        Scope::CustomersWrite,
        Scope::OrganizationAccessTokensRead,
        Scope::OrganizationAccessTokensWrite,
    ];

    /// Polar's name for it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::MembersRead => "members:read",
            Scope::MembersWrite => "members:write",
            Scope::OrganizationsRead => "organizations:read",
            Scope::OrganizationsWrite => "organizations:write",
            Scope::CustomerPortalRead => "customer_portal:read",
            Scope::CustomerPortalWrite => "customer_portal:write",
            Scope::CustomerSessionsWrite => "customer_sessions:write",
            Scope::WebhooksRead => "webhooks:read",
            Scope::WebhooksWrite => "webhooks:write",
            Scope::CustomersRead => "customers:read",
            Scope::CustomersWrite => "customers:write",
            Scope::OrganizationAccessTokensRead => "organization_access_tokens:read",
            Scope::OrganizationAccessTokensWrite => "organization_access_tokens:write",
        }
    }

    /// The scope named `text`, if there is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }

    /// The scopes any one of which grants this one, space-separated, as Polar names them in
    /// `WWW-Authenticate`'s `scope` (a read is granted by its write scope too).
    #[must_use]
    pub const fn granted_by(self) -> &'static str {
        match self {
            Scope::MembersRead => "members:read members:write",
            Scope::OrganizationsRead => "organizations:read organizations:write",
            Scope::CustomerPortalRead => "customer_portal:read customer_portal:write",
            Scope::WebhooksRead => "webhooks:read webhooks:write",
            Scope::CustomersRead => "customers:read customers:write",
            Scope::OrganizationAccessTokensRead => "organization_access_tokens:read organization_access_tokens:write",
            Scope::MembersWrite
            | Scope::OrganizationsWrite
            | Scope::CustomerPortalWrite
            | Scope::CustomerSessionsWrite
            | Scope::WebhooksWrite
            | Scope::CustomersWrite
            | Scope::OrganizationAccessTokensWrite => self.as_str(),
        }
    }

    /// The write scope that also grants this one, as Polar's `OpenAPI` lists them
    /// (`members:read` or `members:write` may read).
    const fn implied_by(self) -> Scope {
        match self {
            Scope::MembersRead | Scope::MembersWrite => Scope::MembersWrite,
            Scope::OrganizationsRead | Scope::OrganizationsWrite => Scope::OrganizationsWrite,
            Scope::CustomerPortalRead | Scope::CustomerPortalWrite => Scope::CustomerPortalWrite,
            Scope::CustomerSessionsWrite => Scope::CustomerSessionsWrite,
            Scope::WebhooksRead | Scope::WebhooksWrite => Scope::WebhooksWrite,
            Scope::CustomersRead | Scope::CustomersWrite => Scope::CustomersWrite,
            Scope::OrganizationAccessTokensRead | Scope::OrganizationAccessTokensWrite => {
                Scope::OrganizationAccessTokensWrite
            }
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes of one token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Every scope.
    #[must_use]
    pub fn all() -> Self {
        Scopes(Scope::ALL.to_vec())
    }

    /// Exactly these scopes.
    #[must_use]
    pub fn of(scopes: &[Scope]) -> Self {
        Scopes(scopes.to_vec())
    }

    /// Reads the space-separated form; unknown words are dropped (a token never gains a
    /// scope it was not given).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        Scopes(text.split_whitespace().filter_map(Scope::parse).collect())
    }

    /// Does this token grant `scope`?
    #[must_use]
    pub fn allows(&self, scope: Scope) -> bool {
        self.0.iter().any(|held| *held == scope || *held == scope.implied_by())
    }

    /// The scopes of `requested` this token does not grant: what a token it made would
    /// gain over it (a token never grants a scope its maker lacks).
    #[must_use]
    pub fn excess(&self, requested: &Scopes) -> Vec<Scope> {
        requested.0.iter().copied().filter(|scope| !self.allows(*scope)).collect()
    }

    /// Each scope once, in the order of [`Scope::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        Scope::ALL.into_iter().filter(|scope| self.0.contains(scope))
    }

    /// Refuses with 403 unless this token grants `scope`.
    ///
    /// # Errors
    ///
    /// [`ApiError::InsufficientScope`].
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.allows(scope) { Ok(()) } else { Err(ApiError::InsufficientScope(scope)) }
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.0.iter().map(|scope| scope.as_str()).collect();
        f.write_str(&words.join(" "))
    }
}

/// What kind of token it is, by Polar's prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `polar_oat_…`: an organization access token, acting as the organization.
    Organization,
    /// `polar_pat_…`: a user's personal access token, acting as that user.
    User,
    /// `polar_mst_…`: a member's customer-portal session.
    MemberSession,
    /// `polar_whs_…`: a webhook signing secret (never a bearer token).
    WebhookSecret,
}

impl TokenKind {
    /// The prefix of its tokens.
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            TokenKind::Organization => "polar_oat_",
            TokenKind::User => "polar_pat_",
            TokenKind::MemberSession => "polar_mst_",
            TokenKind::WebhookSecret => "polar_whs_",
        }
    }

    /// The word stored for it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenKind::Organization => "organization",
            TokenKind::User => "user",
            TokenKind::MemberSession => "member_session",
            TokenKind::WebhookSecret => "webhook_secret",
        }
    }

    /// The kind stored as `text`.
    #[must_use]
    pub fn parse(text: &str) -> Option<TokenKind> {
        [TokenKind::Organization, TokenKind::User, TokenKind::MemberSession]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// A new secret token of `kind`: its prefix and 256 random bits.
///
/// # Errors
///
/// When the operating system has no randomness to give.
pub fn new_token(kind: TokenKind) -> Result<String, getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    Ok(format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(secret)))
}

/// The SHA-256 of a token, in hex: all the server ever stores of it.
#[must_use]
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0x0f])
        .filter_map(|nibble| char::from_digit(u32::from(nibble), 16))
        .collect()
}

/// Who a request acts as, from its bearer token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// An organization access token.
    Organization {
        /// Its organization.
        organization_id: OrganizationId,
        /// Its scopes.
        scopes: Scopes,
    },
    /// A user's token. The organization is the one it was made in: the merchant routes
    /// act there (a user may belong to several).
    User {
        /// The organization the token was made in.
        organization_id: OrganizationId,
        /// The user.
        user_id: UserId,
        /// Its scopes.
        scopes: Scopes,
    },
    /// A member's portal session.
    MemberSession {
        /// The member's customer.
        customer_id: CustomerId,
        /// The member.
        member_id: MemberId,
        /// Its scopes.
        scopes: Scopes,
        /// When it stops working (a 401 from then on).
        expires_at: Timestamp,
        /// Where the portal sends the member back, as the session was made with.
        return_url: Option<String>,
    },
}

impl Principal {
    /// The token's scopes.
    #[must_use]
    pub fn scopes(&self) -> &Scopes {
        match self {
            Principal::Organization { scopes, .. }
            | Principal::User { scopes, .. }
            | Principal::MemberSession { scopes, .. } => scopes,
        }
    }
}

impl Known {
    /// Its principal, unless its token is past its expiry (checked at every request, so a
    /// remembered principal expires on time too).
    fn unexpired(&self) -> Result<Principal, ApiError> {
        let expired = self.expires_at.is_some_and(|at| at <= crate::state::now());
        match self.principal.clone() {
            Principal::MemberSession { .. } if expired => {
                Err(ApiError::Unauthenticated("This session has expired; ask the merchant for a new customer session."))
            }
            // Polar answers an expired access token as an unknown one.
            _ if expired => Err(ApiError::InvalidToken),
            principal => Ok(principal),
        }
    }
}

/// When the request's token stops working (`None`: never), left in the request's
/// extensions by the [`Principal`] extractor for handlers that make tokens: a token may not
/// outlive the token that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenExpiry(pub Option<Timestamp>);

/// How stale a token's `last_used_at` may get before a request records it again: at most
/// one write per token a minute, and none on the requests served from memory.
const LAST_USED_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        const MISSING: &str = "Send a token as `Authorization: Bearer <token>`.";
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
            .ok_or(ApiError::Unauthenticated(MISSING))?;
        let hash = token_hash(token);
        if let Some(known) = state.principals.get(&hash) {
            parts.extensions.insert(TokenExpiry(known.expires_at));
            return known.unexpired();
        }
        // Unknown tokens are not remembered: one made a moment ago works at once.
        let known = Arc::new(data::principal(&state.store, &hash).await?.ok_or(ApiError::InvalidToken)?);
        record_use(state, &known);
        state.principals.insert(hash, Arc::clone(&known));
        parts.extensions.insert(TokenExpiry(known.expires_at));
        known.unexpired()
    }
}

/// Records, off the request's path, that a token was used now, when its `last_used_at`
/// is older than [`LAST_USED_GRANULARITY`]. Member sessions are not recorded.
fn record_use(state: &AppState, known: &Known) {
    let now = crate::state::now();
    let outdated = known.last_used_at.is_none_or(|at| at.saturating_add(LAST_USED_GRANULARITY) <= now);
    let Some(id) = known.id.clone().filter(|_| outdated && !matches!(known.principal, Principal::MemberSession { .. }))
    else {
        return;
    };
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(error) = data::touch_token(&store, &id, now).await {
            tracing::warn!(%error, token_id = id, "could not record a token's last use");
        }
    });
}

/// The token of an `Authorization` value in the Bearer scheme, whose name is
/// case-insensitive (RFC 7235 §2.1: `Bearer`, `bearer` and `BEARER` alike); `None` for
/// another scheme or no token.
#[must_use]
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_hash_is_its_sha256_in_lowercase_hex() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(token_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn a_scope_is_written_as_polar_names_it_and_read_back() {
        for scope in Scope::ALL {
            assert_eq!(scope.to_string(), scope.as_str());
            assert_eq!(Scope::parse(&scope.to_string()), Some(scope));
        }
        let two = Scopes::of(&[Scope::MembersRead, Scope::WebhooksWrite]);
        assert_eq!(two.to_string(), "members:read webhooks:write");
        assert_eq!(Scopes::parse(&two.to_string()), two);
    }

    #[test]
    fn a_token_kind_is_stored_as_its_word_and_read_back_but_a_secret_is_never_a_bearer() {
        for kind in [TokenKind::Organization, TokenKind::User, TokenKind::MemberSession] {
            assert_eq!(TokenKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TokenKind::parse(TokenKind::WebhookSecret.as_str()), None);
    }
}
