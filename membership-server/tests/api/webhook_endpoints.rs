//! Webhook endpoints on Polar's contract: create (the secret shown once), list, get,
//! update, delete and rotate, each refused without the scope, for another organization's
//! endpoint, and for a URL that is not http(s); a rotated secret signs the next delivery;
//! deliveries listed by page and endpoint, and an event redelivered.

use axum::http::{Method, StatusCode};
use membership_server::auth::{Scope, Scopes, TokenKind};
use membership_server::state::now;
use membership_server::webhooks::{Deliverer, Pass};
use serde_json::{Value, json};

use crate::support::{Answer, Api};
use crate::webhooks::{received, receiver, verify};

const ENDPOINTS: &str = "/v1/webhooks/endpoints";

fn endpoint(id: &str) -> String {
    format!("{ENDPOINTS}/{id}")
}

async fn create(api: &Api, url: &str) -> Answer {
    api.post(ENDPOINTS, json!({ "url": url, "format": "raw", "events": ["member.created"], "name": "ops" })).await
}

/// Creates an endpoint at `url`: its JSON, secret included.
async fn created(api: &Api, url: &str) -> Value {
    let answer = create(api, url).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    answer.json
}

#[tokio::test]
async fn an_endpoint_is_created_with_its_secret_shown_once() {
    let api = Api::new().await;
    let made = created(&api, "https://example.com/hooks").await;
    let secret = made["secret"].as_str().unwrap();
    assert!(secret.starts_with("polar_whs_") && secret.len() > 20, "{secret}");
    assert_eq!(
        (&made["url"], &made["format"], &made["events"], &made["enabled"], &made["name"]),
        (&json!("https://example.com/hooks"), &json!("raw"), &json!(["member.created"]), &json!(true), &json!("ops"))
    );
    assert_eq!(made["organization_id"], api.created.organization_id.to_string());
    assert!(made["modified_at"].is_null() && made["created_at"].is_string());
    // Never again: not when read, listed or updated.
    let id = made["id"].as_str().unwrap();
    let read = api.get(&endpoint(id)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json["secret"], "polar_whs_********");
    assert_eq!(read.json["url"], made["url"]);
    let listed = api.get(ENDPOINTS).await;
    assert!(listed.json["items"].as_array().unwrap().iter().all(|item| item["secret"] != made["secret"]));
    let updated = api.patch(&endpoint(id), json!({ "name": "renamed" })).await;
    assert_eq!(updated.json["secret"], "polar_whs_********");
}

#[tokio::test]
async fn endpoints_are_listed_by_page() {
    let api = Api::new().await;
    for n in 0..3 {
        created(&api, &format!("https://example.com/{n}")).await;
    }
    let first = api.get(&format!("{ENDPOINTS}?limit=2")).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert_eq!(first.json["items"].as_array().unwrap().len(), 2);
    assert_eq!(first.json["pagination"], json!({ "total_count": 3, "max_page": 2 }));
    let second = api.get(&format!("{ENDPOINTS}?limit=2&page=2")).await;
    assert_eq!(second.json["items"][0]["url"], "https://example.com/2");
    // Naming another organization lists none of them.
    let other = api.other_organization().await;
    let filtered = api.get(&format!("{ENDPOINTS}?organization_id={}", other.organization_id)).await;
    assert_eq!(filtered.json["pagination"]["total_count"], 0);
    let bad = api.get(&format!("{ENDPOINTS}?limit=0")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_update_stores_every_field_it_takes() {
    let api = Api::new().await;
    let id = created(&api, "https://example.com/a").await["id"].as_str().unwrap().to_owned();
    let change = json!({
        "url": "http://example.com/b", "name": null, "events": ["member.updated", "member.deleted", "member.updated"],
        "enabled": false, "format": "raw"
    });
    let updated = api.patch(&endpoint(&id), change).await;
    assert_eq!(updated.status, StatusCode::OK, "{updated:?}");
    let read = api.get(&endpoint(&id)).await.json;
    assert_eq!(
        (&read["url"], &read["name"], &read["events"], &read["enabled"]),
        (&json!("http://example.com/b"), &Value::Null, &json!(["member.updated", "member.deleted"]), &json!(false))
    );
    assert!(read["modified_at"].is_string());
    // Absent fields stay.
    api.patch(&endpoint(&id), json!({ "enabled": true })).await;
    assert_eq!(api.get(&endpoint(&id)).await.json["url"], "http://example.com/b");
}

#[tokio::test]
async fn a_url_that_is_not_http_or_https_is_refused() {
    let api = Api::new().await;
    for url in ["ftp://example.com/hook", "javascript:alert(1)", "not a url", "", "https://"] {
        let answer = create(&api, url).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {answer:?}");
        assert_eq!(answer.loc(), "body.url", "{url}");
    }
    let long = format!("https://example.com/{}", "a".repeat(2083));
    assert_eq!(create(&api, &long).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let id = created(&api, "https://example.com/a").await["id"].as_str().unwrap().to_owned();
    let answer = api.patch(&endpoint(&id), json!({ "url": "file:///etc/passwd" })).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.url".to_owned()));
    assert_eq!(api.get(&endpoint(&id)).await.json["url"], "https://example.com/a", "nothing changed");
}

#[tokio::test]
async fn a_body_with_a_field_the_service_cannot_honour_is_refused() {
    let api = Api::new().await;
    let cases = [
        (json!({ "url": "https://example.com", "format": "slack", "events": [] }), "body.format"),
        (json!({ "url": "https://example.com", "format": "raw", "events": ["member.exploded"] }), "body.events"),
        (json!({ "url": "https://example.com", "format": "raw", "events": "member.created" }), "body.events"),
        (json!({ "url": "https://example.com", "events": [] }), "body.format"),
        (json!({ "format": "raw", "events": [] }), "body.url"),
        (json!({ "url": "https://example.com", "format": "raw" }), "body.events"),
        (json!({ "url": "https://example.com", "format": "raw", "events": [], "name": 3 }), "body.name"),
        (
            json!({ "url": "https://example.com", "format": "raw", "events": [],
                    "organization_id": "00000000-0000-4000-8000-000000000000" }),
            "body.organization_id",
        ),
    ];
    for (body, loc) in cases {
        let answer = api.post(ENDPOINTS, body.clone()).await;
        assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, loc.to_owned()), "{body}");
    }
    let id = created(&api, "https://example.com/a").await["id"].as_str().unwrap().to_owned();
    let answer = api.patch(&endpoint(&id), json!({ "enabled": "yes" })).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "body.enabled".to_owned()));
    let answer = api.get(&endpoint("not-a-uuid")).await;
    assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, "path.id".to_owned()));
}

#[tokio::test]
async fn an_endpoint_is_deleted_once() {
    let api = Api::new().await;
    let id = created(&api, "https://example.com/a").await["id"].as_str().unwrap().to_owned();
    assert_eq!(api.delete(&endpoint(&id)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&endpoint(&id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(&endpoint(&id)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_organizations_endpoint_is_not_found() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let theirs = {
        let body = json!({ "url": "https://example.com/theirs", "format": "raw", "events": [] });
        let answer = api.call(Method::POST, ENDPOINTS, Some(&other.organization_token), Some(body)).await;
        answer.json["id"].as_str().unwrap().to_owned()
    };
    for (method, path) in [
        (Method::GET, endpoint(&theirs)),
        (Method::PATCH, endpoint(&theirs)),
        (Method::DELETE, endpoint(&theirs)),
        (Method::PATCH, format!("{}/secret", endpoint(&theirs))),
    ] {
        let body = (method == Method::PATCH).then(|| json!({ "name": "mine now" }));
        let answer = api.call(method.clone(), &path, Some(api.org_token()), body).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}: {answer:?}");
    }
    assert_eq!(api.get(ENDPOINTS).await.json["pagination"]["total_count"], 0, "not listed either");
    let still = api.call(Method::GET, &endpoint(&theirs), Some(&other.organization_token), None).await;
    assert_eq!(still.json["name"], Value::Null, "untouched");
}

#[tokio::test]
async fn webhooks_read_lists_but_does_not_change_and_no_scope_does_neither() {
    let api = Api::new().await;
    let id = created(&api, "https://example.com/a").await["id"].as_str().unwrap().to_owned();
    let read_only = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::WebhooksRead])).await;
    let members = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersWrite])).await;
    assert_eq!(api.call(Method::GET, ENDPOINTS, Some(&read_only), None).await.status, StatusCode::OK);
    assert_eq!(api.call(Method::GET, &endpoint(&id), Some(&read_only), None).await.status, StatusCode::OK);
    let body = json!({ "url": "https://example.com/b", "format": "raw", "events": [] });
    let writes = [
        (Method::POST, ENDPOINTS.to_owned(), Some(body)),
        (Method::PATCH, endpoint(&id), Some(json!({ "name": "x" }))),
        (Method::DELETE, endpoint(&id), None),
        (Method::PATCH, format!("{}/secret", endpoint(&id)), None),
    ];
    for (method, path, body) in writes {
        let answer = api.call(method.clone(), &path, Some(&read_only), body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(answer.error(), "insufficient_scope");
        let scope = answer.headers["www-authenticate"].to_str().unwrap().to_owned();
        assert!(scope.contains("scope=\"webhooks:write\""), "{scope}");
    }
    let answer = api.call(Method::GET, ENDPOINTS, Some(&members), None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let scope = answer.headers["www-authenticate"].to_str().unwrap().to_owned();
    assert!(scope.contains("scope=\"webhooks:read webhooks:write\""), "{scope}");
}

#[tokio::test]
async fn a_rotated_secret_is_shown_once_and_signs_the_next_delivery() {
    let api = Api::new().await;
    let hook = receiver().await;
    let made = created(&api, &hook.url).await;
    let id = made["id"].as_str().unwrap();
    let rotated = api.call(Method::PATCH, &format!("{}/secret", endpoint(id)), Some(api.org_token()), None).await;
    assert_eq!(rotated.status, StatusCode::OK, "{rotated:?}");
    let secret = rotated.json["secret"].as_str().unwrap().to_owned();
    assert_ne!(rotated.json["secret"], made["secret"]);
    assert_eq!(api.get(&endpoint(id)).await.json["secret"], "polar_whs_********");
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    deliverer.pass(now()).await.unwrap();
    api.add("ada@example.com").await;
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass { delivered: 1, ..Pass::default() });
    let seen = hook.seen.lock().unwrap().clone();
    let (headers, body) = seen.last().unwrap();
    assert!(verify(headers, body, &secret), "signed with the new secret");
    assert!(!verify(headers, body, made["secret"].as_str().unwrap()), "not the old one");
}

#[tokio::test]
async fn only_enabled_endpoints_listing_the_event_receive_it() {
    let api = Api::new().await;
    let (listed, unlisted, disabled) = (receiver().await, receiver().await, receiver().await);
    created(&api, &listed.url).await;
    let body = json!({ "url": unlisted.url, "format": "raw", "events": ["member.deleted"] });
    assert_eq!(api.post(ENDPOINTS, body).await.status, StatusCode::CREATED);
    let off = created(&api, &disabled.url).await;
    api.patch(&endpoint(off["id"].as_str().unwrap()), json!({ "enabled": false })).await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    deliverer.pass(now()).await.unwrap();
    let before = received(&listed);
    api.add("ada@example.com").await;
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass { delivered: 1, ..Pass::default() });
    assert_eq!((received(&listed) - before, received(&unlisted), received(&disabled)), (1, 0, 0));
}

const DELIVERIES: &str = "/v1/webhooks/deliveries";

fn redeliver(event_id: &str) -> String {
    format!("/v1/webhooks/events/{event_id}/redeliver")
}

#[tokio::test]
async fn deliveries_are_listed_by_page_and_endpoint_for_the_organization_alone() {
    let api = Api::new().await;
    let (one, two) = (receiver().await, receiver().await);
    let first = created(&api, &one.url).await["id"].as_str().unwrap().to_owned();
    created(&api, &two.url).await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    deliverer.pass(now()).await.unwrap();
    api.add("ada@example.com").await;
    deliverer.pass(now()).await.unwrap();
    // Two webhooks (setup's owner, then Ada), each to both endpoints.
    let all = api.get(&format!("{DELIVERIES}?limit=3")).await;
    assert_eq!(all.status, StatusCode::OK, "{all:?}");
    assert_eq!(all.json["pagination"], json!({ "total_count": 4, "max_page": 2 }));
    let mine = api.get(&format!("{DELIVERIES}?endpoint_id={first}")).await.json;
    assert_eq!(mine["pagination"]["total_count"], 2);
    let item = &mine["items"][0];
    assert_eq!((&item["succeeded"], &item["http_code"]), (&json!(true), &Value::Null));
    assert_eq!(item["webhook_event"]["type"], "member.created");
    let payload: Value = serde_json::from_str(item["webhook_event"]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["data"]["email"], "ada@example.com", "the latest first");
    let again = api.get(&format!("{DELIVERIES}?endpoint_id={first}")).await.json;
    assert_eq!(again["items"][0]["id"], item["id"], "a delivery keeps its id");
    assert_ne!(mine["items"][1]["id"], item["id"]);
    // Another organization sees none of them.
    let other = api.other_organization().await;
    let theirs = api.call(Method::GET, DELIVERIES, Some(&other.organization_token), None).await;
    assert_eq!(theirs.json["pagination"]["total_count"], 0);
}

#[tokio::test]
async fn a_deliveries_filter_the_service_cannot_apply_is_refused() {
    let api = Api::new().await;
    for (query, loc) in [
        ("endpoint_id=nope", "query.endpoint_id"),
        ("succeeded=true", "query.succeeded"),
        ("event_type=member.created", "query.event_type"),
        ("limit=0", "query.limit"),
    ] {
        let answer = api.get(&format!("{DELIVERIES}?{query}")).await;
        assert_eq!((answer.status, answer.loc()), (StatusCode::UNPROCESSABLE_ENTITY, loc.to_owned()), "{query}");
    }
    let members = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersWrite])).await;
    assert_eq!(api.call(Method::GET, DELIVERIES, Some(&members), None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_redelivered_event_is_sent_again_with_its_id() {
    let api = Api::new().await;
    let hook = receiver().await;
    created(&api, &hook.url).await;
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass { delivered: 1, ..Pass::default() });
    let listed = api.get(DELIVERIES).await.json;
    let event = listed["items"][0]["webhook_event"]["id"].as_str().unwrap().to_owned();
    let answer = api.call(Method::POST, &redeliver(&event), Some(api.org_token()), None).await;
    assert_eq!((answer.status, &answer.json), (StatusCode::ACCEPTED, &json!({})));
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass { delivered: 1, ..Pass::default() });
    let seen = hook.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].0["webhook-id"], event.as_str(), "the same webhook-id, so receivers deduplicate");
}

#[tokio::test]
async fn redelivery_is_refused_without_the_scope_for_another_organization_and_for_a_bad_id() {
    let api = Api::new().await;
    let hook = receiver().await;
    created(&api, &hook.url).await;
    Deliverer::new(api.store.clone()).unwrap().pass(now()).await.unwrap();
    let event = api.get(DELIVERIES).await.json["items"][0]["webhook_event"]["id"].as_str().unwrap().to_owned();
    let read_only = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::WebhooksRead])).await;
    let other = api.other_organization().await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    for (path, token, status) in [
        (redeliver(&event), read_only.as_str(), StatusCode::FORBIDDEN),
        (redeliver(&event), other.organization_token.as_str(), StatusCode::NOT_FOUND),
        (redeliver(unknown), api.org_token(), StatusCode::NOT_FOUND),
        (redeliver("not-a-uuid"), api.org_token(), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let answer = api.call(Method::POST, &path, Some(token), None).await;
        assert_eq!(answer.status, status, "{path}: {answer:?}");
    }
    assert_eq!(received(&hook), 1, "nothing was sent again");
    let deliverer = Deliverer::new(api.store.clone()).unwrap();
    assert_eq!(deliverer.pass(now()).await.unwrap(), Pass::default());
}
