//! Who is acting on an organization (ORG-2).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{OrganizationId, UserId};

/// Whoever runs a command. Serializes as `{"kind": "user", "id": "…"}`,
/// `{"kind": "token", "id": "<organization id>"}`, `{"kind": "staff"}` or `{"kind": "system"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A signed-in user, allowed what their role in *this* organization allows.
    User(UserId),
    /// An organization access token: passes every permission check in its own
    /// organization, but cannot run user-only commands.
    Token(OrganizationId),
    /// Platform support (the direct ownership transfer of ORG-10).
    Staff,
    /// The service itself (direct add, the expiry sweep).
    System,
}

impl Actor {
    /// The kind of actor, without its id.
    #[must_use]
    pub const fn kind(&self) -> ActorKind {
        match self {
            Actor::User(_) => ActorKind::User,
            Actor::Token(_) => ActorKind::Token,
            Actor::Staff => ActorKind::Staff,
            Actor::System => ActorKind::System,
        }
    }
}

/// The kind of an [`Actor`]; carried by `actor_not_allowed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// [`Actor::User`].
    User,
    /// [`Actor::Token`].
    Token,
    /// [`Actor::Staff`].
    Staff,
    /// [`Actor::System`].
    System,
    /// A member acting in the customer portal.
    Portal,
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ActorKind::User => "a user",
            ActorKind::Token => "an organization token",
            ActorKind::Staff => "staff",
            ActorKind::System => "the system",
            ActorKind::Portal => "a customer portal member",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_kinds_read_as_words_in_messages() {
        let kinds = [ActorKind::User, ActorKind::Token, ActorKind::Staff, ActorKind::System, ActorKind::Portal];
        let words = kinds.map(|kind| kind.to_string());
        assert_eq!(words, ["a user", "an organization token", "staff", "the system", "a customer portal member"]);
        let error = crate::Error::ActorNotAllowed { actor: ActorKind::Staff };
        assert_eq!(error.to_string(), "staff may not perform this action");
    }
}
