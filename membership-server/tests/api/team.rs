//! The team side: Polar's dashboard endpoints, invitations and ownership offers.

use axum::http::{Method, StatusCode};
use membership::organization::VerificationStatus;
use serde_json::json;

use crate::support::Api;

/// Invites `email` as the owner and has that user accept: the user's id and token.
async fn join(api: &Api, email: &str, verification: VerificationStatus) -> (membership::UserId, String) {
    let owner = api.created.user_token.clone();
    let invited = api
        .call(Method::POST, &api.organization("/members/invite"), Some(&owner), Some(json!({ "email": email })))
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{invited:?}");
    let (user, token) = api.user(email, verification).await;
    let accept = api.organization(&format!("/invitations/{}/accept", invited.json["id"].as_str().unwrap()));
    let accepted = api.call(Method::POST, &accept, Some(&token), None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{accepted:?}");
    (user, token)
}

#[tokio::test]
async fn the_team_lists_its_owner_in_polars_organization_member_shape() {
    let api = Api::new().await;
    let answer =
        api.call(Method::GET, &api.organization("/members"), Some(&api.created.user_token.clone()), None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let owner = &answer.json["items"][0];
    assert_eq!(owner["role"], "owner");
    assert_eq!(owner["user_id"], api.created.user_id.to_string());
    assert!(owner["avatar_url"].is_null());
}

#[tokio::test]
async fn org_invitation_accepted_by_its_email_joins_the_team() {
    let api = Api::new().await;
    let (user, _) = join(&api, "dev@example.com", VerificationStatus::Verified).await;
    let team = api.get(&api.organization("/members")).await;
    assert_eq!(team.json["pagination"]["total_count"], 2);
    assert_eq!(team.json["items"][1]["user_id"], user.to_string());
}

#[tokio::test]
async fn org_invitation_for_another_email_cannot_be_accepted() {
    let api = Api::new().await;
    let owner = api.created.user_token.clone();
    let invited = api
        .call(
            Method::POST,
            &api.organization("/members/invite"),
            Some(&owner),
            Some(json!({ "email": "a@example.com" })),
        )
        .await;
    let (_, token) = api.user("b@example.com", VerificationStatus::Verified).await;
    let accept = api.organization(&format!("/invitations/{}/accept", invited.json["id"].as_str().unwrap()));
    let answer = api.call(Method::POST, &accept, Some(&token), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn org_invitations_are_revoked_resent_and_declined() {
    let api = Api::new().await;
    let owner = api.created.user_token.clone();
    let invite = |email: &'static str| {
        let owner = owner.clone();
        let api = &api;
        async move {
            let answer = api
                .call(Method::POST, &api.organization("/members/invite"), Some(&owner), Some(json!({ "email": email })))
                .await;
            answer.json["id"].as_str().unwrap().to_owned()
        }
    };
    let first = invite("a@example.com").await;
    let resent =
        api.call(Method::POST, &api.organization(&format!("/invitations/{first}/resend")), Some(&owner), None).await;
    assert_eq!(resent.status, StatusCode::OK);
    let revoked =
        api.call(Method::POST, &api.organization(&format!("/invitations/{first}/revoke")), Some(&owner), None).await;
    assert_eq!(revoked.json["status"], "revoked");
    let again =
        api.call(Method::POST, &api.organization(&format!("/invitations/{first}/revoke")), Some(&owner), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "invitation_not_open");
    let second = invite("b@example.com").await;
    let (_, token) = api.user("b@example.com", VerificationStatus::Verified).await;
    let declined =
        api.call(Method::POST, &api.organization(&format!("/invitations/{second}/decline")), Some(&token), None).await;
    assert_eq!(declined.json["status"], "declined");
    let unknown = api
        .call(Method::POST, &api.organization(&format!("/invitations/{second}/frobnicate")), Some(&owner), None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn org_6_role_changes_and_org_7_removal() {
    let api = Api::new().await;
    let (user, _) = join(&api, "dev@example.com", VerificationStatus::Verified).await;
    let path = api.organization(&format!("/members/{user}"));
    let owner = api.created.user_token.clone();
    let changed = api.call(Method::PATCH, &path, Some(&owner), Some(json!({ "role": "admin" }))).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.json["role"], "admin");
    let to_owner = api.call(Method::PATCH, &path, Some(&owner), Some(json!({ "role": "owner" }))).await;
    assert_eq!(to_owner.status, StatusCode::UNPROCESSABLE_ENTITY, "owner_role_not_assignable");
    let owner_path = api.organization(&format!("/members/{}", api.created.user_id));
    let remove_owner = api.call(Method::DELETE, &owner_path, Some(&owner), None).await;
    assert_eq!(remove_owner.status, StatusCode::FORBIDDEN, "owner_cannot_be_removed");
    assert_eq!(api.call(Method::DELETE, &path, Some(&owner), None).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn org_8_the_owner_cannot_leave_and_a_member_can() {
    let api = Api::new().await;
    let owner = api.created.user_token.clone();
    let answer = api.call(Method::DELETE, &api.organization("/members/leave"), Some(&owner), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.error(), "NotPermitted");
    let (_, token) = join(&api, "dev@example.com", VerificationStatus::Verified).await;
    assert_eq!(
        api.call(Method::DELETE, &api.organization("/members/leave/"), Some(&token), None).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_token_of_another_organization_sees_no_team() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let answer = api
        .call(Method::GET, &format!("/v1/organizations/{}/members", other.organization_id), Some(api.org_token()), None)
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn org_10_ownership_moves_by_an_accepted_offer_to_a_verified_member() {
    let api = Api::new().await;
    let owner = api.created.user_token.clone();
    let (unverified, _) = join(&api, "new@example.com", VerificationStatus::Pending).await;
    let refused = api
        .call(
            Method::POST,
            &api.organization("/ownership-offers"),
            Some(&owner),
            Some(json!({ "to": unverified.to_string() })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "new_owner_not_verified");
    let (verified, token) = join(&api, "heir@example.com", VerificationStatus::Verified).await;
    let offer = api
        .call(
            Method::POST,
            &api.organization("/ownership-offers"),
            Some(&owner),
            Some(json!({ "to": verified.to_string() })),
        )
        .await;
    assert_eq!(offer.status, StatusCode::CREATED, "{offer:?}");
    let accept = api.organization(&format!("/ownership-offers/{}/accept", offer.json["id"].as_str().unwrap()));
    let accepted = api.call(Method::POST, &accept, Some(&token), None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{accepted:?}");
    let team = api.get(&api.organization("/members")).await;
    assert_eq!(team.json["items"][0]["user_id"], verified.to_string(), "the new owner is listed first");
    let missing = api.call(Method::POST, &api.organization("/ownership-offers"), Some(&owner), Some(json!({}))).await;
    assert_eq!(missing.loc(), "body.to");
}
