//! Generation A (`@polar-sh/sdk` 0.45–0.48.1): members by their id alone, and by their
//! external id with the customer in the query, answered by the same rules as the newer
//! paths.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::Api;

#[tokio::test]
async fn generation_a_gets_updates_and_deletes_a_member_by_id_alone() {
    let api = Api::new().await;
    let member = api.add("ada@example.com").await;
    let path = format!("/v1/members/{}", member["id"].as_str().unwrap());
    let got = api.get(&path).await;
    assert_eq!((got.status, &got.json), (StatusCode::OK, &member));
    let renamed = api.patch(&path, json!({ "name": "Ada", "role": "billing_manager" })).await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!((renamed.json["name"].as_str(), renamed.json["role"].as_str()), (Some("Ada"), Some("billing_manager")));
    assert_eq!(api.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND, "a deleted member is gone");
}

#[tokio::test]
async fn generation_a_member_of_another_organization_is_not_found_by_id() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let answer = api.get(&format!("/v1/members/{}", other.member_id)).await;
    assert_eq!((answer.status, answer.error()), (StatusCode::NOT_FOUND, "ResourceNotFound"));
    let answer = api.delete(&format!("/v1/members/{}", other.member_id)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn generation_a_member_id_that_is_no_uuid_is_422_at_the_path() {
    let api = Api::new().await;
    let answer = api.get("/v1/members/not-a-uuid").await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "path.id".to_owned()));
}

#[tokio::test]
async fn generation_a_update_by_id_keeps_the_rules_cus_4_owner_role_immutable() {
    let api = Api::new().await;
    let path = format!("/v1/members/{}", api.created.member_id);
    let answer = api.patch(&path, json!({ "role": "member" })).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{answer:?}");
}

#[tokio::test]
async fn generation_a_by_id_needs_the_members_scopes() {
    use membership_server::auth::{Scope, Scopes, TokenKind};
    let api = Api::new().await;
    let reader = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersRead])).await;
    let path = format!("/v1/members/{}", api.created.member_id);
    assert_eq!(api.call(Method::GET, &path, Some(&reader), None).await.status, StatusCode::OK);
    let answer = api.call(Method::DELETE, &path, Some(&reader), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn generation_a_gets_updates_and_deletes_by_external_id_with_either_customer_key() {
    let api = Api::new().await;
    let created = api.post(&api.members(), json!({ "email": "bo@example.com", "external_id": "usr_bo" })).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let by_id = format!("/v1/members/external/usr_bo?customer_id={}", api.created.customer_id);
    let by_external = "/v1/members/external/usr_bo?external_customer_id=cus_1";
    assert_eq!(api.get(&by_id).await.json, created.json);
    assert_eq!(api.get(by_external).await.json, created.json);
    let both = format!("{by_id}&external_customer_id=cus_1");
    assert_eq!(api.get(&both).await.status, StatusCode::OK, "both keys naming one customer");
    let renamed = api.patch(by_external, json!({ "name": "Bo" })).await;
    assert_eq!(renamed.json["name"], "Bo");
    assert_eq!(api.delete(&by_id).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(by_external).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn generation_a_external_id_without_a_customer_is_422_at_the_query() {
    let api = Api::new().await;
    let answer = api.get("/v1/members/external/usr_bo").await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "query.customer_id".to_owned()));
    let answer = api.get("/v1/members/external/usr_bo?customer_id=nope").await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "query.customer_id".to_owned()));
}

#[tokio::test]
async fn generation_a_external_id_of_another_customers_member_is_not_found() {
    let api = Api::new().await;
    api.post(&api.members(), json!({ "email": "cy@example.com", "external_id": "usr_cy" })).await;
    // The other organization's customer: invisible, as the crate says.
    let other = api.other_organization().await;
    let answer = api.get(&format!("/v1/members/external/usr_cy?customer_id={}", other.customer_id)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // The two keys naming different customers: no such member.
    let answer = api
        .get(&format!(
            "/v1/members/external/usr_cy?customer_id={}&external_customer_id=cus_other",
            api.created.customer_id
        ))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // An unknown external customer.
    assert_eq!(api.get("/v1/members/external/usr_cy?external_customer_id=nobody").await.status, StatusCode::NOT_FOUND);
    // A member external id nobody has.
    let answer = api.get(&format!("/v1/members/external/nobody?customer_id={}", api.created.customer_id)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn generation_a_external_customer_id_with_a_control_character_is_422() {
    let api = Api::new().await;
    let answer = api.get("/v1/members/external/usr_x?external_customer_id=a%00b").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}
