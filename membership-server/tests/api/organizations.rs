//! Polar's organization endpoints: create (ORG-3: the calling user becomes the owner), list
//! the caller's, get and update one; who may is the crate's rule.

use axum::http::{Method, StatusCode};
use membership::organization::VerificationStatus;
use serde_json::json;

use crate::support::Api;

const CREATE: &str = "/v1/organizations/";

#[tokio::test]
async fn org_3_create_makes_the_calling_user_its_owner_and_answers_polars_organization() {
    let api = Api::new().await;
    let (user, token) = api.user("founder@example.com", VerificationStatus::Verified).await;
    let body = json!({ "name": "Acme Inc", "slug": "acme", "website": "https://acme.example" });
    let answer = api.call(Method::POST, CREATE, Some(&token), Some(body)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let org = &answer.json;
    assert_eq!(
        (&org["name"], &org["slug"], &org["website"]),
        (&json!("Acme Inc"), &json!("acme"), &json!("https://acme.example"))
    );
    for key in [
        "created_at",
        "modified_at",
        "avatar_url",
        "email",
        "socials",
        "status",
        "subscription_settings",
        "capabilities",
    ] {
        assert!(org.get(key).is_some(), "{key} is required");
    }
    // The team: the caller alone, as owner.
    let id = org["id"].as_str().unwrap().to_owned();
    let team = api
        .call_with(
            Method::GET,
            &format!("/v1/organizations/{id}/members"),
            Some(&token),
            &[("polar-organization", &id)],
            None,
        )
        .await;
    assert_eq!(team.status, StatusCode::OK, "{team:?}");
    assert_eq!(team.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(team.json["items"][0]["user_id"], user.to_string());
    assert_eq!(team.json["items"][0]["role"], "owner");
}

#[tokio::test]
async fn organization_create_refuses_a_taken_slug_and_keeps_nothing() {
    let api = Api::new().await;
    let (_, token) = api.user("founder@example.com", VerificationStatus::Verified).await;
    let first = api.call(Method::POST, CREATE, Some(&token), Some(json!({ "name": "Acme", "slug": "acme" }))).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = api.call(Method::POST, CREATE, Some(&token), Some(json!({ "name": "Other", "slug": "acme" }))).await;
    assert_eq!((again.status, again.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.slug".to_owned()));
    let mine = api.call(Method::GET, CREATE, Some(&token), None).await;
    // The setup's organization the token was made in is not the user's; only Acme is.
    assert_eq!(mine.json["pagination"]["total_count"], 1, "{mine:?}");
}

#[tokio::test]
async fn organization_create_refuses_bad_fields_and_settings_it_does_not_keep() {
    let api = Api::new().await;
    let (_, token) = api.user("founder@example.com", VerificationStatus::Verified).await;
    for (body, loc) in [
        (json!({ "slug": "acme" }), "body.name"),
        (json!({ "name": "Acme" }), "body.slug"),
        (json!({ "name": "Ac", "slug": "acme" }), "body.name"),
        (json!({ "name": "Acme", "slug": "Acme Inc" }), "body.slug"),
        (json!({ "name": "Acme", "slug": "acme", "website": "ftp://x" }), "body.website"),
        (json!({ "name": "Acme", "slug": "acme", "email": "not-an-email" }), "body.email"),
        (json!({ "name": "Acme", "slug": "acme", "subscription_settings": {} }), "body.subscription_settings"),
        (json!({ "name": 7, "slug": "acme" }), "body.name"),
    ] {
        let answer = api.call(Method::POST, CREATE, Some(&token), Some(body.clone())).await;
        assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, loc.to_owned()), "{body}");
    }
    let mine = api.call(Method::GET, CREATE, Some(&token), None).await;
    assert_eq!(mine.json["pagination"]["total_count"], 0, "nothing was created");
}

#[tokio::test]
async fn org_3_an_organization_token_cannot_create_an_organization() {
    let api = Api::new().await;
    let answer = api.post(CREATE, json!({ "name": "Acme", "slug": "acme" })).await;
    // The crate's refusal (`user_actor_required`), as it maps it.
    assert_eq!((answer.status, answer.error()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{answer:?}");
    let slug_free = api
        .call(
            Method::POST,
            CREATE,
            Some(&api.created.user_token.clone()),
            Some(json!({ "name": "Acme", "slug": "acme" })),
        )
        .await;
    assert_eq!(slug_free.status, StatusCode::CREATED, "the refused creation kept no slug: {slug_free:?}");
}

#[tokio::test]
async fn org_2_organization_get_answers_a_member_and_its_own_token_and_hides_it_from_others() {
    let api = Api::new().await;
    let path = api.organization("");
    let by_token = api.get(&path).await;
    assert_eq!(by_token.status, StatusCode::OK, "{by_token:?}");
    assert_eq!(by_token.json["id"], api.created.organization_id.to_string());
    let by_owner = api.call(Method::GET, &path, Some(&api.created.user_token.clone()), None).await;
    assert_eq!(by_owner.status, StatusCode::OK);
    let other = api.other_organization().await;
    let by_stranger = api.call(Method::GET, &path, Some(&other.organization_token), None).await;
    assert_eq!(by_stranger.status, StatusCode::NOT_FOUND);
    let (_, outsider) = api.user("outsider@example.com", VerificationStatus::Verified).await;
    assert_eq!(api.call(Method::GET, &path, Some(&outsider), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/v1/organizations/not-a-uuid").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn org_1_organization_update_needs_organization_manage() {
    let api = Api::new().await;
    let path = api.organization("");
    let answer = api.patch(&path, json!({ "name": "Renamed", "email": "hello@acme.example" })).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert_eq!((&answer.json["name"], &answer.json["email"]), (&json!("Renamed"), &json!("hello@acme.example")));
    assert!(answer.json["modified_at"].is_string());
    // Null clears a contact field; absent keeps it.
    let cleared = api.patch(&path, json!({ "email": null })).await;
    assert_eq!((&cleared.json["name"], &cleared.json["email"]), (&json!("Renamed"), &serde_json::Value::Null));
    // A plain member may not manage the organization.
    let (member, token) = api.user("member@example.com", VerificationStatus::Verified).await;
    api.join(api.created.organization_id, member, "member@example.com").await;
    let refused = api.call(Method::PATCH, &path, Some(&token), Some(json!({ "name": "Mine now" }))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    assert_eq!(api.get(&path).await.json["name"], "Renamed", "a refusal changes nothing");
    let unkept = api.patch(&path, json!({ "sso_enforced": true })).await;
    assert_eq!((unkept.status, unkept.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.sso_enforced".to_owned()));
}

#[tokio::test]
async fn organization_list_is_the_token_organization_or_the_users_by_slug() {
    let api = Api::new().await;
    let by_token = api.get(CREATE).await;
    assert_eq!(by_token.json["pagination"]["total_count"], 1);
    let token = api.created.user_token.clone();
    let made = api.call(Method::POST, CREATE, Some(&token), Some(json!({ "name": "Second", "slug": "second" }))).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let all = api.call(Method::GET, CREATE, Some(&token), None).await;
    assert_eq!(all.json["pagination"]["total_count"], 2);
    assert_eq!(all.json["items"][1]["slug"], "second", "oldest first");
    let one = api.call(Method::GET, "/v1/organizations/?slug=second", Some(&token), None).await;
    assert_eq!(
        (one.json["pagination"]["total_count"].clone(), one.json["items"][0]["name"].clone()),
        (json!(1), json!("Second"))
    );
    let session = api.created.member_session_token.clone();
    assert_eq!(api.call(Method::GET, CREATE, Some(&session), None).await.status, StatusCode::UNAUTHORIZED);
}
