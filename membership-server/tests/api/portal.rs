//! The customer portal: a member's session manages its own customer (CUS-8).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::Api;

async fn portal(api: &Api, method: Method, path: &str, body: Option<Value>) -> crate::support::Answer {
    let token = api.created.member_session_token.clone();
    api.call(method, path, Some(&token), body).await
}

#[tokio::test]
async fn cus_8_the_owner_lists_adds_updates_and_removes_members() {
    let api = Api::new().await;
    let added =
        portal(&api, Method::POST, "/v1/customer-portal/members", Some(json!({ "email": "bo@example.com" }))).await;
    assert_eq!(added.status, StatusCode::CREATED);
    assert!(added.json.get("customer_id").is_none(), "the portal's member has no customer id");
    let id = added.json["id"].as_str().unwrap().to_owned();
    let list = portal(&api, Method::GET, "/v1/customer-portal/members/", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["pagination"]["total_count"], 2);
    let path = format!("/v1/customer-portal/members/{id}");
    let updated = portal(&api, Method::PATCH, &path, Some(json!({ "role": "billing_manager" }))).await;
    assert_eq!(updated.json["role"], "billing_manager");
    assert_eq!(portal(&api, Method::DELETE, &path, None).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn cus_8_a_member_cannot_remove_themselves() {
    let api = Api::new().await;
    let path = format!("/v1/customer-portal/members/{}", api.created.member_id);
    let answer = portal(&api, Method::DELETE, &path, None).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn cus_8_a_plain_member_may_not_manage_members() {
    let api = Api::new().await;
    let member = api.add("plain@example.com").await;
    let member_id = membership::MemberId::parse(member["id"].as_str().unwrap()).unwrap();
    let token = api.session(member_id).await;
    let answer = api.call(Method::GET, "/v1/customer-portal/members", Some(&token), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.error(), "NotPermitted");
}

#[tokio::test]
async fn cus_8_a_deleted_members_session_is_401() {
    let api = Api::new().await;
    let member = api.add("gone@example.com").await;
    let member_id = membership::MemberId::parse(member["id"].as_str().unwrap()).unwrap();
    let token = api.session(member_id).await;
    api.delete(&format!("{}/{member_id}", api.members())).await;
    let answer = api
        .call(Method::POST, "/v1/customer-portal/members", Some(&token), Some(json!({ "email": "x@example.com" })))
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}
