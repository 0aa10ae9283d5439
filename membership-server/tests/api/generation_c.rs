//! Generation C (`@polar-sh/sdk` 1.0.x): a customer's members listed by the customer's id
//! or external id, with `role`, `page`, `limit` and `sorting`.

use axum::http::{Method, StatusCode};

use crate::support::Api;

#[tokio::test]
async fn generation_c_lists_a_customers_members_paged_sorted_and_by_role() {
    let api = Api::new().await;
    for n in 0..4 {
        api.add(&format!("m{n}@example.com")).await;
    }
    let all = api.get(&api.members()).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json["pagination"]["total_count"], 5);
    let page = api.get(&format!("{}?limit=2&page=3&sorting=created_at", api.members())).await;
    assert_eq!((page.json["items"].as_array().unwrap().len(), &page.json["pagination"]["max_page"]), (1, &3.into()));
    let oldest = api.get(&format!("{}?limit=1&sorting=created_at", api.members())).await;
    assert_eq!(oldest.json["items"][0]["id"], api.created.member_id.to_string(), "the owner came first");
    let owners = api.get(&format!("{}?role=owner", api.members())).await;
    assert_eq!(owners.json["pagination"]["total_count"], 1);
    let external = api.get("/v1/customers/external/cus_1/members?role=member").await;
    assert_eq!((external.status, &external.json["pagination"]["total_count"]), (StatusCode::OK, &4.into()));
}

#[tokio::test]
async fn generation_c_list_of_another_organizations_customer_is_not_found() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let answer = api.get(&format!("/v1/customers/{}/members", other.customer_id)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/v1/customers/external/cus_other/members").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn generation_c_list_refuses_a_bad_role_limit_or_customer_id() {
    let api = Api::new().await;
    let role = api.get(&format!("{}?role=emperor", api.members())).await;
    assert_eq!((role.status, role.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "query.role".to_owned()));
    let limit = api.get(&format!("{}?limit=0", api.members())).await;
    assert_eq!((limit.status, limit.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "query.limit".to_owned()));
    let id = api.get("/v1/customers/nope/members").await;
    assert_eq!((id.status, id.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "path.id".to_owned()));
}

#[tokio::test]
async fn generation_c_list_needs_a_members_scope() {
    use membership_server::auth::{Scope, Scopes, TokenKind};
    let api = Api::new().await;
    let token = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::OrganizationsRead])).await;
    let answer = api.call(Method::GET, &api.members(), Some(&token), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}
