//! `Polar-Organization`: which of a user's organizations a user token acts in. Without it a
//! token acts where it was made, unless its user belongs to several organizations.

use axum::http::{Method, StatusCode};
use membership::organization::VerificationStatus;

use crate::support::Api;

#[tokio::test]
async fn polar_organization_selects_one_of_the_users_organizations() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    api.join(other.organization_id, api.created.user_id, "owner-too@example.com").await;
    let token = api.created.user_token.clone();
    let org = other.organization_id.to_string();
    let path = format!("/v1/customers/{}/members", other.customer_id);
    let answer = api.call_with(Method::GET, &path, Some(&token), &[("polar-organization", &org)], None).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert_eq!(answer.json["items"][0]["id"], other.member_id.to_string());
    // Its own organization, named.
    let mine = api.created.organization_id.to_string();
    let answer = api.call_with(Method::GET, &api.members(), Some(&token), &[("polar-organization", &mine)], None).await;
    assert_eq!(answer.status, StatusCode::OK);
    // The organization list is per organization: the header decides which.
    let answer = api.call_with(Method::GET, "/v1/members/", Some(&token), &[("polar-organization", &org)], None).await;
    assert_eq!(answer.json["pagination"]["total_count"], 1);
}

#[tokio::test]
async fn polar_organization_a_user_of_several_without_the_header_is_told_to_send_it() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    api.join(other.organization_id, api.created.user_id, "owner-too@example.com").await;
    let answer = api.call(Method::GET, &api.members(), Some(&api.created.user_token.clone()), None).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "header.polar-organization");
    assert!(answer.json["detail"][0]["msg"].as_str().unwrap().contains("Polar-Organization"));
}

#[tokio::test]
async fn polar_organization_a_user_of_one_needs_no_header() {
    let api = Api::new().await;
    let answer = api.call(Method::GET, &api.members(), Some(&api.created.user_token.clone()), None).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn polar_organization_naming_one_the_user_is_not_in_is_organization_not_found() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let (_, token) = api.user("solo@example.com", VerificationStatus::Unverified).await;
    let org = other.organization_id.to_string();
    let answer = api.call_with(Method::GET, "/v1/members/", Some(&token), &[("polar-organization", &org)], None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{answer:?}");
    // The setup owner is not in the other organization either.
    let owner = api.created.user_token.clone();
    let answer = api.call_with(Method::GET, "/v1/members/", Some(&owner), &[("polar-organization", &org)], None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn polar_organization_naming_another_organization_with_an_organization_token_is_not_found() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let org = other.organization_id.to_string();
    let token = api.org_token().to_owned();
    let answer = api.call_with(Method::GET, "/v1/members/", Some(&token), &[("polar-organization", &org)], None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let mine = api.created.organization_id.to_string();
    let answer = api.call_with(Method::GET, "/v1/members/", Some(&token), &[("polar-organization", &mine)], None).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn polar_organization_that_is_no_uuid_is_422_at_the_header() {
    let api = Api::new().await;
    let token = api.created.user_token.clone();
    let answer =
        api.call_with(Method::GET, "/v1/members/", Some(&token), &[("polar-organization", "acme")], None).await;
    assert_eq!(
        (answer.status, answer.loc()),
        (StatusCode::UNPROCESSABLE_ENTITY, "header.polar-organization".to_owned())
    );
}
