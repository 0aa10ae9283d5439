//! The merchant member endpoints: by customer id, by external ids, the older
//! `POST /v1/members`, and the organization-wide list.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::Api;

const MEMBER_KEYS: [&str; 8] =
    ["id", "created_at", "modified_at", "customer_id", "email", "name", "external_id", "role"];

#[tokio::test]
async fn cus_3_create_answers_201_with_polars_member() {
    let api = Api::new().await;
    let answer =
        api.post(&api.members(), json!({ "email": "ada@example.com", "name": "Ada", "external_id": "u_1" })).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let member = answer.json.as_object().unwrap();
    let mut keys: Vec<&str> = member.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = MEMBER_KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(member["role"], "member");
    assert_eq!(member["customer_id"], api.created.customer_id.to_string());
    assert!(member["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn cus_3_adding_an_active_email_again_answers_the_same_member() {
    let api = Api::new().await;
    let first = api.add("ada@example.com").await;
    let again = api.post(&api.members(), json!({ "email": "ADA@example.com" })).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json["id"], first["id"]);
}

#[tokio::test]
async fn cus_3_owner_role_is_not_creatable() {
    let api = Api::new().await;
    let answer = api.post(&api.members(), json!({ "email": "ada@example.com", "role": "owner" })).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "body.role");
}

#[tokio::test]
async fn cus_3_external_id_taken_is_422_at_external_id() {
    let api = Api::new().await;
    api.post(&api.members(), json!({ "email": "ada@example.com", "external_id": "u_1" })).await;
    let answer = api.post(&api.members(), json!({ "email": "bob@example.com", "external_id": "u_1" })).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "body.external_id");
}

#[tokio::test]
async fn cus_3_an_individual_customer_takes_no_second_member_not_permitted() {
    let api = Api::new().await;
    let mut setup = crate::support::setup();
    setup.individual_customer = true;
    let created = setup.run(&api.store).await.unwrap();
    let path = format!("/v1/customers/{}/members", created.individual_customer_id.unwrap());
    let body = json!({ "email": "two@example.com" });
    let answer = api.call(Method::POST, &path, Some(&created.organization_token), Some(body)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.error(), "NotPermitted");
}

#[tokio::test]
async fn get_answers_the_member_and_404_for_an_unknown_one() {
    let api = Api::new().await;
    let member = api.add("ada@example.com").await;
    let path = format!("{}/{}", api.members(), member["id"].as_str().unwrap());
    let answer = api.get(&path).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json, member);
    let missing = api.get(&format!("{}/{}", api.members(), uuid::Uuid::new_v4())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error(), "ResourceNotFound");
}

#[tokio::test]
async fn cus_4_update_renames_and_promoting_moves_ownership() {
    let api = Api::new().await;
    let member = api.add("ada@example.com").await;
    let path = format!("{}/{}", api.members(), member["id"].as_str().unwrap());
    let renamed = api.patch(&path, json!({ "name": "Ada L." })).await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(renamed.json["name"], "Ada L.");
    assert!(renamed.json["modified_at"].is_string());
    let promoted = api.patch(&path, json!({ "role": "owner" })).await;
    assert_eq!(promoted.status, StatusCode::OK, "{promoted:?}");
    assert_eq!(promoted.json["role"], "owner");
    let old_owner = api.get(&format!("{}/{}", api.members(), api.created.member_id)).await;
    assert_eq!(old_owner.json["role"], "billing_manager", "exactly one owner: the old one steps down");
}

#[tokio::test]
async fn cus_4_demoting_the_only_owner_is_422() {
    let api = Api::new().await;
    let path = format!("{}/{}", api.members(), api.created.member_id);
    let answer = api.patch(&path, json!({ "role": "member" })).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "body.role");
}

#[tokio::test]
async fn cus_5_delete_answers_204_then_the_member_is_gone() {
    let api = Api::new().await;
    let member = api.add("ada@example.com").await;
    let path = format!("{}/{}", api.members(), member["id"].as_str().unwrap());
    let answer = api.delete(&path).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.json, serde_json::Value::Null);
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cus_5_the_only_owner_cannot_be_deleted() {
    let api = Api::new().await;
    let answer = api.delete(&format!("{}/{}", api.members(), api.created.member_id)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn another_organizations_customer_is_404() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let path = format!("/v1/customers/{}/members", other.customer_id);
    assert_eq!(api.post(&path, json!({ "email": "x@example.com" })).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&format!("{path}/{}", other.member_id)).await.status, StatusCode::NOT_FOUND);
    let list = api.get(&format!("/v1/members/?customer_id={}", other.customer_id)).await;
    assert_eq!(list.json["pagination"]["total_count"], 0, "the list never shows another organization's members");
}

#[tokio::test]
async fn a_user_token_acts_with_the_users_role() {
    let api = Api::new().await;
    let token = api.created.user_token.clone();
    let answer = api.call(Method::POST, &api.members(), Some(&token), Some(json!({ "email": "u@example.com" }))).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let list = api.call(Method::GET, "/v1/members/", Some(&token), None).await;
    assert_eq!(list.json["pagination"]["total_count"], 2);
}

#[tokio::test]
async fn the_older_post_v1_members_takes_the_customer_from_the_body() {
    let api = Api::new().await;
    let body = json!({ "customer_id": api.created.customer_id.to_string(), "email": "ada@example.com" });
    let answer = api.post("/v1/members", body).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json["customer_id"], api.created.customer_id.to_string());
    let missing = api.post("/v1/members", json!({ "email": "ada@example.com" })).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.loc(), "body.customer_id");
}

#[tokio::test]
async fn external_routes_address_customer_and_member_by_external_id() {
    let api = Api::new().await;
    let create = api
        .post("/v1/customers/external/cus_1/members", json!({ "email": "ada@example.com", "external_id": "u_ada" }))
        .await;
    assert_eq!(create.status, StatusCode::CREATED);
    let path = "/v1/customers/external/cus_1/members/u_ada";
    let read = api.get(path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json["id"], create.json["id"]);
    let update = api.patch(path, json!({ "name": "Ada" })).await;
    assert_eq!(update.json["name"], "Ada");
    assert_eq!(api.delete(path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(path).await.status, StatusCode::NOT_FOUND);
    let unknown = api.get("/v1/customers/external/nobody/members/u_ada").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error(), "ResourceNotFound");
}

#[tokio::test]
async fn an_external_customer_id_held_twice_is_409_ambiguous() {
    let api = Api::new().await;
    let mut twin = crate::support::setup();
    twin.customer_external_id = Some(membership::ExternalId::parse("dup").unwrap().unwrap());
    let first = twin.clone().run(&api.store).await.unwrap();
    // A second customer with the same external id in the first one's organization.
    let create = membership::customer::Command::Create {
        organization_id: first.organization_id,
        kind: membership::customer::CustomerKind::Team,
        email: None,
        name: None,
        external_id: Some(membership::ExternalId::parse("dup").unwrap().unwrap()),
        owner: membership::customer::OwnerMember {
            member_id: membership::MemberId::new(uuid::Uuid::new_v4()),
            email: Some(membership::Email::parse("o@example.com").unwrap()),
            name: None,
            external_id: None,
        },
    };
    let merchant = membership::customer::Merchant::token(first.organization_id);
    let customer = membership::CustomerId::new(uuid::Uuid::new_v4());
    api.store
        .execute::<membership::customer::Customer>(customer, create, merchant.into(), membership_server::state::now())
        .await
        .unwrap();
    let token = first.organization_token.clone();
    let answer = api.call(Method::GET, "/v1/customers/external/dup/members/x", Some(&token), None).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.error(), "AmbiguousExternalCustomerID");
}

#[tokio::test]
async fn list_pages_newest_first_with_polars_envelope_and_both_spellings() {
    let api = Api::new().await;
    for n in 0..5 {
        api.add(&format!("m{n}@example.com")).await;
    }
    let page1 = api.get("/v1/members/?limit=2").await;
    assert_eq!(page1.status, StatusCode::OK);
    assert_eq!(page1.json["pagination"], json!({ "total_count": 6, "max_page": 3 }));
    assert_eq!(page1.json["items"][0]["email"], "m4@example.com");
    let page3 = api.get("/v1/members?limit=2&page=3").await;
    assert_eq!(page3.json["items"].as_array().unwrap().len(), 2);
    assert_eq!(page3.json["items"][1]["role"], "owner", "the owner is the oldest");
    let far = api.get("/v1/members/?page=562962266821306613760").await;
    assert_eq!(far.status, StatusCode::OK, "a page past u64 is an empty page, not an error");
    assert_eq!(far.json["items"], json!([]));
    let oldest = api.get("/v1/members/?sorting=created_at&limit=1").await;
    assert_eq!(oldest.json["items"][0]["role"], "owner");
}

#[tokio::test]
async fn list_filters_by_customer_external_customer_and_role() {
    let api = Api::new().await;
    api.add("ada@example.com").await;
    let other = api.other_organization().await;
    let _ = other;
    let by_customer = api.get(&format!("/v1/members/?customer_id={}", api.created.customer_id)).await;
    assert_eq!(by_customer.json["pagination"]["total_count"], 2);
    let not_an_id = api.get("/v1/members/?customer_id=not-a-uuid").await;
    assert_eq!((not_an_id.status, not_an_id.json["pagination"]["total_count"].clone()), (StatusCode::OK, json!(0)));
    let empty = api.get("/v1/members/?customer_id=").await;
    assert_eq!(empty.json["pagination"]["total_count"], 2, "an empty filter is no filter");
    let by_external = api.get("/v1/members/?external_customer_id=cus_1").await;
    assert_eq!(by_external.json["pagination"]["total_count"], 2);
    let nobody = api.get("/v1/members/?external_customer_id=nobody").await;
    assert_eq!(nobody.json["pagination"]["total_count"], 0);
    let owners = api.get("/v1/members/?role=owner").await;
    assert_eq!(owners.json["pagination"]["total_count"], 1);
    let bad_role = api.get("/v1/members/?role=boss").await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_role.loc(), "query.role");
}

#[tokio::test]
async fn list_refuses_a_bad_page_at_its_query_field() {
    let api = Api::new().await;
    for (query, field) in [("page=0", "query.page"), ("limit=x", "query.limit"), ("sorting=name", "query.sorting")] {
        let answer = api.get(&format!("/v1/members/?{query}")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(answer.loc(), field, "{query}");
    }
}
