//! Access tokens through the routes: organization access tokens and personal access
//! tokens made, listed, changed and revoked; a token never grants more than its maker
//! holds; a revoked or expired token is refused at once.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use membership::organization::VerificationStatus;
use membership_server::auth::{Scope, Scopes, TokenKind};
use membership_server::data::{self, NewAccessToken, TokenOwner};
use membership_server::state::{self, now};
use membership_server::{AppState, app};
use serde_json::{Value, json};

use crate::support::{Answer, Api};

const OATS: &str = "/v1/organization-access-tokens/";
const PATS: &str = "/v1/personal_access_tokens/";

/// Creates an organization access token with the owner's user token.
async fn create(api: &Api, body: Value) -> Answer {
    api.call(Method::POST, OATS, Some(&api.created.user_token.clone()), Some(body)).await
}

async fn created(api: &Api, scopes: &[&str]) -> (String, String) {
    let answer = create(api, json!({ "comment": "CI", "scopes": scopes })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let id = answer.json["organization_access_token"]["id"].as_str().unwrap().to_owned();
    (id, answer.json["token"].as_str().unwrap().to_owned())
}

fn assert_invalid_token(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer:?}");
    assert_eq!(answer.error(), "invalid_token", "{answer:?}");
}

#[tokio::test]
async fn an_organization_token_is_created_shown_once_listed_updated_and_revoked() {
    let api = Api::new().await;
    let answer = create(&api, json!({ "comment": "CI", "scopes": ["members:read"], "expires_in": "P30D" })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let token = answer.json["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("polar_oat_"), "{token}");
    let record = &answer.json["organization_access_token"];
    assert_eq!(record["comment"], "CI");
    assert_eq!(record["scopes"], json!(["members:read"]));
    assert_eq!(record["organization_id"], api.created.organization_id.to_string());
    assert!(record["expires_at"].is_string() && record["last_used_at"].is_null(), "{record}");
    let id = record["id"].as_str().unwrap().to_owned();

    // It works, with its scope only.
    assert_eq!(api.call(Method::GET, &api.members(), Some(&token), None).await.status, StatusCode::OK);
    let write = api.call(Method::POST, &api.members(), Some(&token), Some(json!({ "email": "a@example.com" }))).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "{write:?}");

    // Listed without the token itself.
    let list = api.call(Method::GET, OATS, Some(&api.created.user_token.clone()), None).await;
    assert_eq!(list.status, StatusCode::OK, "{list:?}");
    let items = list.json["items"].as_array().unwrap();
    assert!(items.iter().any(|item| item["id"] == id.as_str()), "{list:?}");
    assert!(!list.json.to_string().contains(&token));
    assert_eq!(list.json["pagination"]["total_count"].as_u64().unwrap(), items.len() as u64);

    // Updated: the new scopes apply from its next request on.
    let path = format!("{OATS}{id}");
    let patched = api
        .call(
            Method::PATCH,
            &path,
            Some(&api.created.user_token.clone()),
            Some(json!({ "comment": "CI (write)", "scopes": ["members:write"] })),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:?}");
    assert_eq!(patched.json["comment"], "CI (write)");
    assert!(patched.json["modified_at"].is_string());
    let write = api.call(Method::POST, &api.members(), Some(&token), Some(json!({ "email": "a@example.com" }))).await;
    assert_eq!(write.status, StatusCode::CREATED, "{write:?}");

    // Revoked: refused at the very next request, and gone from the list.
    let revoked = api.call(Method::DELETE, &path, Some(&api.created.user_token.clone()), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{revoked:?}");
    assert_invalid_token(&api.call(Method::GET, &api.members(), Some(&token), None).await);
    let again = api.call(Method::DELETE, &path, Some(&api.created.user_token.clone()), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{again:?}");
}

#[tokio::test]
async fn a_token_may_not_grant_a_scope_its_maker_lacks() {
    let api = Api::new().await;
    let narrow =
        api.token_with(TokenKind::User, Scopes::of(&[Scope::OrganizationAccessTokensWrite, Scope::MembersRead])).await;
    let answer =
        api.call(Method::POST, OATS, Some(&narrow), Some(json!({ "comment": "x", "scopes": ["members:write"] }))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{answer:?}");
    assert_eq!(answer.loc(), "body.scopes");
    assert_eq!(answer.json["detail"][0]["type"], "value_error");
    // Within its own scopes, it may.
    let answer =
        api.call(Method::POST, OATS, Some(&narrow), Some(json!({ "comment": "x", "scopes": ["members:read"] }))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    // Nor may an update widen a token beyond its maker's scopes.
    let id = answer.json["organization_access_token"]["id"].as_str().unwrap();
    let widen = api
        .call(Method::PATCH, &format!("{OATS}{id}"), Some(&narrow), Some(json!({ "scopes": ["webhooks:write"] })))
        .await;
    assert_eq!(widen.status, StatusCode::UNPROCESSABLE_ENTITY, "{widen:?}");
    // A personal token alike.
    let answer =
        api.call(Method::POST, PATS, Some(&narrow), Some(json!({ "comment": "x", "scopes": ["members:write"] }))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{answer:?}");
}

#[tokio::test]
async fn another_organizations_token_is_not_found() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let answer = api
        .call(
            Method::POST,
            OATS,
            Some(&other.user_token),
            Some(json!({ "comment": "theirs", "scopes": ["members:read"] })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let theirs = answer.json["organization_access_token"]["id"].as_str().unwrap().to_owned();
    let token = answer.json["token"].as_str().unwrap().to_owned();
    let mine = api.created.user_token.clone();
    let path = format!("{OATS}{theirs}");
    let patched = api.call(Method::PATCH, &path, Some(&mine), Some(json!({ "comment": "mine now" }))).await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND, "{patched:?}");
    assert_eq!(api.call(Method::DELETE, &path, Some(&mine), None).await.status, StatusCode::NOT_FOUND);
    let list = api.call(Method::GET, OATS, Some(&mine), None).await;
    assert!(!list.json["items"].as_array().unwrap().iter().any(|item| item["id"] == theirs.as_str()), "{list:?}");
    // Naming their organization in the body: the owner is no member there.
    let body = json!({ "comment": "x", "scopes": [], "organization_id": other.organization_id.to_string() });
    assert_eq!(create(&api, body).await.status, StatusCode::NOT_FOUND);
    // Still theirs, still working.
    assert_eq!(
        api.call(Method::GET, &format!("/v1/customers/{}/members", other.customer_id), Some(&token), None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn managing_tokens_takes_the_scope_and_a_role_that_manages_the_organization() {
    let api = Api::new().await;
    // The organization token `setup` makes lacks `organization_access_tokens:*`.
    let answer = api.call(Method::GET, OATS, Some(api.org_token()), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{answer:?}");
    assert_eq!(answer.error(), "insufficient_scope");
    // An organization token with it manages its own organization's tokens.
    let manager = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::OrganizationAccessTokensWrite])).await;
    let answer = api.call(Method::POST, OATS, Some(&manager), Some(json!({ "comment": "bot", "scopes": [] }))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    // A member whose role lacks `organization:manage` may not, whatever the token holds.
    let (user, token) = api.user("member@example.com", VerificationStatus::Verified).await;
    api.join(api.created.organization_id, user, "member@example.com").await;
    let answer = api.call(Method::GET, OATS, Some(&token), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{answer:?}");
    assert_eq!(answer.json["error"], "NotPermitted", "{answer:?}");
    // A portal session may not at all.
    let answer = api.call(Method::GET, OATS, Some(&api.created.member_session_token.clone()), None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer:?}");
}

#[tokio::test]
async fn a_create_body_is_checked_field_by_field() {
    let api = Api::new().await;
    for (body, loc) in [
        (json!({ "scopes": [] }), "body.comment"),
        (json!({ "comment": "x" }), "body.scopes"),
        (json!({ "comment": "x", "scopes": ["members:everything"] }), "body.scopes"),
        (json!({ "comment": "x", "scopes": [], "expires_in": "soon" }), "body.expires_in"),
        (json!({ "comment": "x", "scopes": [], "expires_in": -5 }), "body.expires_in"),
        (json!({ "comment": "x\u{7}", "scopes": [] }), "body.comment"),
        (json!({ "comment": "x", "scopes": [], "organization_id": "nope" }), "body.organization_id"),
    ] {
        let answer = create(&api, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} {answer:?}");
        assert_eq!(answer.loc(), loc, "{body} {answer:?}");
    }
    let answer = create(&api, json!({ "comment": "x", "scopes": [], "expires_in": 3600 })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    assert!(answer.json["organization_access_token"]["expires_at"].is_string());
}

#[tokio::test]
async fn a_revoked_token_stops_working_in_another_process_within_the_cache_time() {
    let api = Api::new().await;
    let (id, token) = created(&api, &["members:read"]).await;
    // A second server on the same database, as a second process would be.
    let ttl = Duration::from_millis(300);
    let settings = state::Settings { principal_ttl: ttl, ..state::Settings::default() };
    let other = Api {
        app: app(AppState::with_settings(api.store.clone(), settings)),
        store: api.store.clone(),
        created: api.created.clone(),
    };
    assert_eq!(other.call(Method::GET, &api.members(), Some(&token), None).await.status, StatusCode::OK);
    let revoked = api.call(Method::DELETE, &format!("{OATS}{id}"), Some(&api.created.user_token.clone()), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    // This process at once; the other once its memory of the token lapses.
    assert_invalid_token(&api.call(Method::GET, &api.members(), Some(&token), None).await);
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert_invalid_token(&other.call(Method::GET, &api.members(), Some(&token), None).await);
}

#[tokio::test]
async fn an_expired_token_is_refused_even_when_remembered() {
    let api = Api::new().await;
    let organization_id = api.created.organization_id;
    let expired = "polar_oat_expired-for-a-second";
    let new = |expires_at| NewAccessToken {
        organization_id,
        user_id: None,
        scopes: Scopes::of(&[Scope::MembersRead]),
        comment: "short".into(),
        expires_at: Some(expires_at),
    };
    data::insert_access_token(&api.store, expired, new(now().saturating_add(chrono::TimeDelta::seconds(-1))), now())
        .await
        .unwrap();
    assert_invalid_token(&api.call(Method::GET, &api.members(), Some(expired), None).await);
    // One that works now, is remembered, then expires.
    let soon = "polar_oat_expires-in-a-moment";
    let at = now().saturating_add(chrono::TimeDelta::milliseconds(500));
    data::insert_access_token(&api.store, soon, new(at), now()).await.unwrap();
    assert_eq!(api.call(Method::GET, &api.members(), Some(soon), None).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_invalid_token(&api.call(Method::GET, &api.members(), Some(soon), None).await);
}

#[tokio::test]
async fn a_token_records_when_it_was_last_used() {
    let api = Api::new().await;
    let (id, token) = created(&api, &["members:read"]).await;
    assert_eq!(api.call(Method::GET, &api.members(), Some(&token), None).await.status, StatusCode::OK);
    for _ in 0..50 {
        let list = api.call(Method::GET, OATS, Some(&api.created.user_token.clone()), None).await;
        let item = list.json["items"].as_array().unwrap().iter().find(|item| item["id"] == id.as_str()).cloned();
        if item.is_some_and(|item| item["last_used_at"].is_string()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("last_used_at was never recorded");
}

/// `last_used_at` is written at most once a minute per token: a use a minute after the
/// last recorded one is recorded, a use within the minute is not (no write per request).
#[tokio::test]
async fn a_token_records_its_use_again_only_after_a_minute() {
    let api = Api::new().await;
    let last_used = async |id: &str| {
        let token = data::access_token(&api.store, TokenOwner::Operator(None), id).await.unwrap().unwrap();
        token.last_used_at
    };
    let (recent, recent_token) = created(&api, &["members:read"]).await;
    let (stale, stale_token) = created(&api, &["members:read"]).await;
    let ten_seconds_ago = now().saturating_add(chrono::TimeDelta::seconds(-10));
    let two_minutes_ago = now().saturating_add(chrono::TimeDelta::minutes(-2));
    data::touch_token(&api.store, &recent, ten_seconds_ago).await.unwrap();
    data::touch_token(&api.store, &stale, two_minutes_ago).await.unwrap();

    // The recent token's use first: the store's writes are in order, so once the stale
    // token's use is recorded, a write for the recent one would have landed before it.
    assert_eq!(api.call(Method::GET, &api.members(), Some(&recent_token), None).await.status, StatusCode::OK);
    assert_eq!(api.call(Method::GET, &api.members(), Some(&stale_token), None).await.status, StatusCode::OK);
    let mut recorded = false;
    for _ in 0..100 {
        if last_used(&stale).await > Some(two_minutes_ago) {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(recorded, "a use two minutes after the last was never recorded");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(last_used(&recent).await, Some(ten_seconds_ago), "a use within the minute was written");
}

#[tokio::test]
async fn a_personal_token_is_created_listed_and_revoked_by_its_user_only() {
    let api = Api::new().await;
    let owner = api.created.user_token.clone();
    let answer = api
        .call(Method::POST, PATS, Some(&owner), Some(json!({ "comment": "laptop", "scopes": ["members:read"] })))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let token = answer.json["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("polar_pat_"));
    let id = answer.json["personal_access_token"]["id"].as_str().unwrap().to_owned();
    assert!(answer.json["personal_access_token"].get("organization_id").is_none());
    assert_eq!(api.call(Method::GET, &api.members(), Some(&token), None).await.status, StatusCode::OK);

    let list = api.call(Method::GET, PATS, Some(&owner), None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.json["items"].as_array().unwrap().iter().any(|item| item["id"] == id.as_str()), "{list:?}");
    assert!(!list.json.to_string().contains(&token));

    // Another user does not see or reach it; an organization token has no personal tokens.
    let (_, stranger) = api.user("stranger@example.com", VerificationStatus::Verified).await;
    let theirs = api.call(Method::GET, PATS, Some(&stranger), None).await;
    assert!(!theirs.json["items"].as_array().unwrap().iter().any(|item| item["id"] == id.as_str()));
    let path = format!("{PATS}{id}");
    assert_eq!(api.call(Method::DELETE, &path, Some(&stranger), None).await.status, StatusCode::NOT_FOUND);
    // The crate's `user_actor_required`: 401, a user must sign in.
    assert_eq!(api.call(Method::GET, PATS, Some(api.org_token()), None).await.status, StatusCode::UNAUTHORIZED);

    assert_eq!(api.call(Method::DELETE, &path, Some(&owner), None).await.status, StatusCode::NO_CONTENT);
    assert_invalid_token(&api.call(Method::GET, &api.members(), Some(&token), None).await);
}

#[tokio::test]
async fn a_token_id_that_is_not_a_uuid_is_refused() {
    let api = Api::new().await;
    let answer = api.call(Method::DELETE, &format!("{OATS}nope"), Some(&api.created.user_token.clone()), None).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{answer:?}");
    assert_eq!(answer.loc(), "path.id");
}

#[tokio::test]
async fn a_token_may_not_outlive_the_token_that_makes_it() {
    let api = Api::new().await;
    // A personal token of the owner that expires in a day, allowed to manage tokens.
    let answer = api
        .call(
            Method::POST,
            PATS,
            Some(&api.created.user_token.clone()),
            Some(json!({ "comment": "a day", "scopes": ["organization_access_tokens:write", "members:read"], "expires_in": 86_400 })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let short = answer.json["token"].as_str().unwrap().to_owned();
    for body in [
        json!({ "comment": "forever", "scopes": ["members:read"] }),
        json!({ "comment": "a week", "scopes": ["members:read"], "expires_in": "P7D" }),
    ] {
        let answer = api.call(Method::POST, OATS, Some(&short), Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} {answer:?}");
        assert_eq!(answer.loc(), "body.expires_in", "{answer:?}");
        let answer = api.call(Method::POST, PATS, Some(&short), Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} {answer:?}");
    }
    let within = json!({ "comment": "an hour", "scopes": ["members:read"], "expires_in": "PT1H" });
    assert_eq!(api.call(Method::POST, OATS, Some(&short), Some(within)).await.status, StatusCode::CREATED);
}
