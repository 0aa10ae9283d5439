//! ORG-2's tenant checks for tokens, on every path that takes one: `check`, `check_role` and
//! `merchant`. The service happens not to call `merchant` with a token, so only these tests
//! stand between a library user and another organization's token acting here.

use membership::customer::Merchant;
use membership::organization::{check, check_role, merchant};
use membership::{Actor, ActorKind, Error, Permission, Role};

use crate::support::*;

const NOT_FOUND: Error = Error::OrganizationNotFound { organization_id: ORG };

#[test]
fn org_2_a_token_is_the_merchant_of_its_own_organization_only() {
    let team = Team::standard();
    assert_eq!(merchant(&team.org, Actor::Token(ORG)), Ok(Merchant::token(ORG)));
    assert_eq!(team.org.merchant(Actor::Token(ORG)), Ok(Merchant::token(ORG)));
    // Another organization's token is not this organization's merchant: the organization is
    // invisible to it, as to a non-member.
    assert_eq!(merchant(&team.org, Actor::Token(OTHER_ORG)), Err(NOT_FOUND));
    assert_eq!(team.org.merchant(Actor::Token(OTHER_ORG)), Err(NOT_FOUND));
}

#[test]
fn org_2_a_user_is_a_merchant_with_the_role_the_organization_gives_them() {
    let team = Team::standard();
    for (user, role) in [(OWNER, Role::Owner), (ADMIN, Role::Admin), (FINANCE, Role::Finance), (MEMBER, Role::Member)] {
        let merchant = merchant(&team.org, Actor::User(user)).unwrap();
        assert_eq!((merchant.organization_id(), merchant.user_role()), (ORG, Some((user, role))));
    }
    assert_eq!(merchant(&team.org, Actor::User(OUTSIDER)), Err(NOT_FOUND));
    for (actor, kind) in [(Actor::Staff, ActorKind::Staff), (Actor::System, ActorKind::System)] {
        assert_eq!(merchant(&team.org, actor), Err(Error::ActorNotAllowed { actor: kind }));
    }
}

#[test]
fn org_2_a_token_passes_every_check_in_its_own_organization_and_none_in_another() {
    let team = Team::standard();
    for permission in Permission::ALL {
        assert_eq!(check(&team.org, Actor::Token(ORG), permission), Ok(()), "{permission}");
        assert_eq!(check(&team.org, Actor::Token(OTHER_ORG), permission), Err(NOT_FOUND), "{permission}");
        // The one-row form ignores the role for a token, even an Owner's role passed by mistake.
        assert_eq!(check_role(ORG, Actor::Token(ORG), None, permission), Ok(()), "{permission}");
        assert_eq!(check_role(ORG, Actor::Token(OTHER_ORG), Some(Role::Owner), permission), Err(NOT_FOUND));
    }
}
