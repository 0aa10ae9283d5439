//! Customer sessions (`POST /v1/customer-sessions/`): a merchant mints an expiring portal
//! session for one active member of its customer, which introspects itself.

use axum::http::{Method, StatusCode};
use membership_server::auth::{Scope, Scopes, TokenKind, token_hash};
use serde_json::{Value, json};

use crate::support::{Answer, Api};

const SESSIONS: &str = "/v1/customer-sessions/";
const INTROSPECT: &str = "/v1/customer-portal/customer-session/introspect";

async fn mint(api: &Api, body: Value) -> Answer {
    api.post(SESSIONS, body).await
}

#[tokio::test]
async fn customer_session_for_a_named_member_in_polars_shape() {
    let api = Api::new().await;
    let body = json!({
        "customer_id": api.created.customer_id,
        "member_id": api.created.member_id,
        "return_url": "https://example.com/account"
    });
    let answer = mint(&api, body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let session = &answer.json;
    let token = session["token"].as_str().unwrap();
    assert!(token.starts_with("polar_mst_"));
    for key in [
        "id",
        "created_at",
        "modified_at",
        "expires_at",
        "return_url",
        "customer_portal_url",
        "customer_id",
        "customer",
    ] {
        assert!(session.get(key).is_some(), "{key} is required");
    }
    assert_eq!(session["customer_id"], api.created.customer_id.to_string());
    assert_eq!(session["return_url"], "https://example.com/account");
    assert!(session["customer_portal_url"].as_str().unwrap().ends_with(&format!("customer_session_token={token}")));
    let customer = &session["customer"];
    assert_eq!(
        (customer["id"].as_str(), customer["type"].as_str()),
        (Some(api.created.customer_id.to_string().as_str()), Some("team"))
    );
    assert_eq!(customer["external_id"], "cus_1");
    assert_eq!(customer["organization_id"], api.created.organization_id.to_string());
    for key in [
        "created_at",
        "modified_at",
        "metadata",
        "email_verified",
        "name",
        "billing_name",
        "billing_address",
        "tax_id",
        "deleted_at",
        "first_user_event_at",
        "avatar_url",
    ] {
        assert!(customer.get(key).is_some(), "customer.{key} is required");
    }
    // An hour, give or take the test's own time.
    let created = chrono::DateTime::parse_from_rfc3339(session["created_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(session["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - created).num_minutes(), 60);
    // The session acts as the owner in the portal, and introspects itself.
    let list = api.call(Method::GET, "/v1/customer-portal/members", Some(token), None).await;
    assert_eq!(list.status, StatusCode::OK);
    let introspection = api.call(Method::GET, INTROSPECT, Some(token), None).await;
    assert_eq!(introspection.status, StatusCode::OK);
    assert_eq!(
        introspection.json,
        json!({ "expires_at": session["expires_at"], "return_url": "https://example.com/account" })
    );
}

#[tokio::test]
async fn customer_session_for_a_member_by_id_or_external_id_and_customer_by_external_id() {
    let api = Api::new().await;
    let member = api.post(&api.members(), json!({ "email": "bo@example.com", "external_id": "usr_bo" })).await.json;
    let by_id = mint(&api, json!({ "external_customer_id": "cus_1", "member_id": member["id"] })).await;
    assert_eq!(by_id.status, StatusCode::CREATED, "{by_id:?}");
    assert_eq!(by_id.json["return_url"], Value::Null);
    let by_external =
        mint(&api, json!({ "customer_id": api.created.customer_id, "external_member_id": "usr_bo" })).await;
    assert_eq!(by_external.status, StatusCode::CREATED);
    // Both act as Bo, a plain member: the portal's member list is not for them (CUS-8).
    for answer in [by_id, by_external] {
        let token = answer.json["token"].as_str().unwrap().to_owned();
        let list = api.call(Method::GET, "/v1/customer-portal/members", Some(&token), None).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
        assert_eq!(api.call(Method::GET, INTROSPECT, Some(&token), None).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn customer_session_expired_is_401_even_when_remembered() {
    let api = Api::new().await;
    let answer =
        mint(&api, json!({ "customer_id": api.created.customer_id, "member_id": api.created.member_id })).await;
    let token = answer.json["token"].as_str().unwrap().to_owned();
    // Read once, so the principal is in the server's memory.
    assert_eq!(api.call(Method::GET, INTROSPECT, Some(&token), None).await.status, StatusCode::OK);
    sqlx::query("UPDATE server_tokens SET expires_at = 0 WHERE token_hash = $1")
        .bind(token_hash(&token))
        .execute(api.store.pool())
        .await
        .unwrap();
    // A new service over the same store: nothing remembered.
    let fresh = membership_server::app(membership_server::AppState::new(api.store.clone()));
    let fresh = Api { app: fresh, store: api.store.clone(), created: api.created.clone() };
    let expired = fresh.call(Method::GET, INTROSPECT, Some(&token), None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.json["detail"].as_str().unwrap().contains("expired"), "{expired:?}");
    let portal = fresh.call(Method::GET, "/v1/customer-portal/members", Some(&token), None).await;
    assert_eq!(portal.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn customer_session_of_a_deleted_member_stops_at_once() {
    let api = Api::new().await;
    let member = api.add("gone@example.com").await;
    let answer = mint(&api, json!({ "customer_id": api.created.customer_id, "member_id": member["id"] })).await;
    let token = answer.json["token"].as_str().unwrap().to_owned();
    api.delete(&format!("{}/{}", api.members(), member["id"].as_str().unwrap())).await;
    let introspection = api.call(Method::GET, INTROSPECT, Some(&token), None).await;
    assert_eq!(introspection.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn customer_session_for_an_individual_customer_is_its_owners_by_default() {
    let api = Api::new().await;
    let individual = api.post("/v1/customers/", json!({ "email": "solo@example.com" })).await;
    let answer = mint(&api, json!({ "customer_id": individual.json["id"] })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let owner: String =
        sqlx::query_scalar("SELECT member_id FROM server_tokens WHERE kind = 'member_session' AND customer_id = $1")
            .bind(individual.json["id"].as_str().unwrap().to_owned())
            .fetch_one(api.store.pool())
            .await
            .unwrap();
    let owner_id = membership::MemberId::parse(&owner).unwrap();
    let customer_id = membership::CustomerId::parse(individual.json["id"].as_str().unwrap()).unwrap();
    let member = api.store.member(customer_id, owner_id).await.unwrap().unwrap();
    assert_eq!(member.role, membership::customer::MemberRole::Owner);
}

#[tokio::test]
async fn customer_session_for_a_team_customer_names_its_member_as_polar_requires() {
    let api = Api::new().await;
    let answer = mint(&api, json!({ "customer_id": api.created.customer_id })).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.member_id".to_owned()));
    assert!(answer.json["detail"][0]["msg"].as_str().unwrap().contains("required for team customers"), "{answer:?}");
}

#[tokio::test]
async fn customer_session_for_a_member_of_another_customer_is_422_at_the_member_field() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    // The other organization's owner member, named under this organization's customer.
    let answer = mint(&api, json!({ "customer_id": api.created.customer_id, "member_id": other.member_id })).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.member_id".to_owned()));
    assert!(answer.json["detail"][0]["msg"].as_str().unwrap().contains("Member does not exist"), "{answer:?}");
    let answer = mint(&api, json!({ "customer_id": api.created.customer_id, "external_member_id": "nobody" })).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.external_member_id".to_owned()));
}

#[tokio::test]
async fn customer_session_for_another_organizations_customer_is_422_at_the_customer_field() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let answer = mint(&api, json!({ "customer_id": other.customer_id, "member_id": other.member_id })).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.customer_id".to_owned()));
    assert!(answer.json["detail"][0]["msg"].as_str().unwrap().contains("Customer does not exist"), "{answer:?}");
    let answer = mint(&api, json!({ "external_customer_id": "cus_other" })).await;
    assert_eq!(
        (answer.status, answer.loc()),
        (StatusCode::UNPROCESSABLE_ENTITY, "body.external_customer_id".to_owned())
    );
    let unknown = mint(&api, json!({ "customer_id": uuid::Uuid::new_v4() })).await;
    assert_eq!((unknown.status, unknown.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.customer_id".to_owned()));
}

#[tokio::test]
async fn customer_session_body_refusals_are_422_naming_the_field() {
    let api = Api::new().await;
    let customer = api.created.customer_id;
    let cases = [
        (json!({}), "body.customer_id"),
        (json!({ "customer_id": "nope" }), "body.customer_id"),
        (json!({ "customer_id": 7 }), "body.customer_id"),
        (json!({ "customer_id": customer, "member_id": "nope" }), "body.member_id"),
        (
            json!({ "customer_id": customer, "member_id": api.created.member_id, "external_member_id": "x" }),
            "body.member_id",
        ),
        (json!({ "customer_id": customer, "return_url": "not a url" }), "body.return_url"),
        (json!({ "customer_id": customer, "return_url": "" }), "body.return_url"),
        (
            json!({ "customer_id": customer, "return_url": format!("https://example.com/{}", "a".repeat(2100)) }),
            "body.return_url",
        ),
    ];
    for (body, loc) in cases {
        let answer = mint(&api, body.clone()).await;
        assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, loc.to_owned()), "{body}");
    }
}

#[tokio::test]
async fn customer_session_needs_the_customer_sessions_write_scope() {
    let api = Api::new().await;
    let token = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersWrite])).await;
    let body = json!({ "customer_id": api.created.customer_id });
    let answer = api.call(Method::POST, SESSIONS, Some(&token), Some(body.clone())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // A portal session cannot mint sessions.
    let session = api.created.member_session_token.clone();
    let answer = api.call(Method::POST, SESSIONS, Some(&session), Some(body)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // A user token of the organization can.
    let answer = api
        .call(
            Method::POST,
            SESSIONS,
            Some(&api.created.user_token.clone()),
            Some(json!({ "customer_id": api.created.customer_id, "member_id": api.created.member_id })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
}

#[tokio::test]
async fn customer_session_introspect_refuses_merchant_tokens() {
    let api = Api::new().await;
    let answer = api.call(Method::GET, INTROSPECT, Some(api.org_token()), None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn customer_session_setup_sessions_last_thirty_days_and_introspect() {
    let api = Api::new().await;
    let answer = api.call(Method::GET, INTROSPECT, Some(&api.created.member_session_token.clone()), None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let expires = chrono::DateTime::parse_from_rfc3339(answer.json["expires_at"].as_str().unwrap()).unwrap();
    assert!((expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days() >= 29);
    assert_eq!(answer.json["return_url"], Value::Null);
}
