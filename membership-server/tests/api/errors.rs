//! Refusals before any rule: tokens, scopes, paths, bodies, routes. Every one is Polar's
//! JSON, never plain text, never a 500.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use membership_server::auth::{Scope, Scopes, TokenKind};
use serde_json::json;

use crate::support::Api;

/// Polar's challenge for an unknown, revoked or expired token (authlib's RFC 6750 error).
const INVALID_TOKEN_CHALLENGE: &str = "Bearer realm=\"polar\", error=\"invalid_token\", error_description=\"The access \
     token provided is expired, revoked, malformed, or invalid for other reasons.\"";

#[tokio::test]
async fn rfc_6750_a_missing_token_is_401_unauthorized_with_the_realm_only() {
    let api = Api::new().await;
    for token in [None, Some("")] {
        let answer = api.call(Method::GET, "/v1/members/", token, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(answer.error(), "Unauthorized");
        assert!(answer.json["detail"].is_string());
        // RFC 6750 §3.1: no error code when the request carried no token.
        assert_eq!(answer.headers["www-authenticate"], "Bearer realm=\"polar\"");
    }
}

#[tokio::test]
async fn rfc_6750_an_unknown_token_is_401_invalid_token_in_body_and_challenge() {
    let api = Api::new().await;
    let answer = api.call(Method::GET, "/v1/members/", Some("polar_oat_nope"), None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.json,
        json!({
            "error": "invalid_token",
            "error_description": "The access token provided is expired, revoked, malformed, or invalid for other reasons.",
        })
    );
    assert_eq!(answer.headers["www-authenticate"], INVALID_TOKEN_CHALLENGE);
    assert!(!answer.headers["x-request-id"].is_empty());
}

#[tokio::test]
async fn rfc_6750_a_missing_scope_is_403_insufficient_scope_naming_the_scopes_that_grant_it() {
    let api = Api::new().await;
    let reader = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersRead])).await;
    let denied = api.call(Method::POST, &api.members(), Some(&reader), Some(json!({ "email": "a@example.com" }))).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        denied.json,
        json!({
            "error": "insufficient_scope",
            "error_description": "The request requires higher privileges than provided by the access token.",
        })
    );
    assert_eq!(
        denied.headers["www-authenticate"],
        "Bearer realm=\"polar\", scope=\"members:write\", error=\"insufficient_scope\", error_description=\"The \
         request requires higher privileges than provided by the access token.\""
    );
    // A read is granted by either scope, and the challenge says so.
    let nothing = api.token_with(TokenKind::Organization, Scopes::of(&[])).await;
    let denied = api.call(Method::GET, "/v1/members/", Some(&nothing), None).await;
    assert_eq!(denied.error(), "insufficient_scope");
    let challenge = denied.headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("scope=\"members:read members:write\""), "{challenge}");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let api = Api::new().await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let request = Request::builder()
            .uri("/v1/members/")
            .header("authorization", format!("{scheme} {}", api.org_token()))
            .body(Body::empty())
            .unwrap();
        assert_eq!(api.send(request).await.status, StatusCode::OK, "{scheme}");
    }
    // Another scheme is no token at all.
    let request = Request::builder()
        .uri("/v1/members/")
        .header("authorization", format!("Basic {}", api.org_token()))
        .body(Body::empty())
        .unwrap();
    let answer = api.send(request).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.error(), "Unauthorized");
}

#[tokio::test]
async fn a_token_is_checked_before_the_body_or_path() {
    let api = Api::new().await;
    let answer =
        api.call(Method::POST, "/v1/customers/not-a-uuid/members", Some("polar_oat_nope"), Some(json!(1))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_missing_scope_is_403_and_write_implies_read() {
    let api = Api::new().await;
    let reader = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersRead])).await;
    let denied = api.call(Method::POST, &api.members(), Some(&reader), Some(json!({ "email": "a@example.com" }))).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(api.call(Method::GET, "/v1/members/", Some(&reader), None).await.status, StatusCode::OK);
    let writer = api.token_with(TokenKind::Organization, Scopes::of(&[Scope::MembersWrite])).await;
    assert_eq!(api.call(Method::GET, "/v1/members/", Some(&writer), None).await.status, StatusCode::OK);
    let nothing = api.token_with(TokenKind::Organization, Scopes::of(&[])).await;
    assert_eq!(api.call(Method::GET, "/v1/members/", Some(&nothing), None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let api = Api::new().await;
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM server_tokens").fetch_all(api.store.pool()).await.unwrap();
    assert_eq!(rows.len(), 3);
    for (hash,) in rows {
        assert_eq!(hash.len(), 64);
        assert!(!hash.starts_with("polar_"));
    }
    assert!(api.created.organization_token.starts_with("polar_oat_"));
    assert!(api.created.user_token.starts_with("polar_pat_"));
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_422_at_its_path_field() {
    let api = Api::new().await;
    let answer = api.get("/v1/customers/nope/members/also-nope").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "path.id");
    let answer = api.get(&format!("{}/nope", api.members())).await;
    assert_eq!(answer.loc(), "path.member_id");
}

#[tokio::test]
async fn a_wrong_value_type_is_422_naming_the_field() {
    let api = Api::new().await;
    let answer = api.post(&api.members(), json!({ "email": 42 })).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "body.email");
    let answer = api.post(&api.members(), json!({ "email": "not an email" })).await;
    assert_eq!(answer.loc(), "body.email");
    let answer = api.post(&api.members(), json!({})).await;
    assert_eq!(answer.loc(), "body.email");
}

async fn raw(api: &Api, content_type: Option<&str>, body: Vec<u8>) -> crate::support::Answer {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(api.members())
        .header("authorization", format!("Bearer {}", api.org_token()));
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    api.send(request.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn malformed_json_and_non_objects_are_422_at_body() {
    let api = Api::new().await;
    for (body, kind) in [(&b"{\"email\":"[..], "json_invalid"), (b"[1, 2]", "model_attributes_type"), (b"", "missing")]
    {
        let answer = raw(&api, Some("application/json"), body.to_vec()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.loc(), "body");
        assert_eq!(answer.json["detail"][0]["type"], kind);
    }
}

#[tokio::test]
async fn a_body_of_another_content_type_is_422_as_polar_answers() {
    let api = Api::new().await;
    let answer = raw(&api, Some("text/plain"), br#"{"email":"a@example.com"}"#.to_vec()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.loc(), "body");
    // No content type at all is read as JSON, as FastAPI does.
    assert_eq!(raw(&api, None, br#"{"email":"a@example.com"}"#.to_vec()).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let api = Api::new().await;
    let big = format!(r#"{{"email":"a@example.com","name":"{}"}}"#, "x".repeat(70 * 1024));
    let answer = raw(&api, Some("application/json"), big.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.error(), "PayloadTooLarge");
}

#[tokio::test]
async fn an_unknown_route_is_404_json_and_a_wrong_method_405_json() {
    let api = Api::new().await;
    let answer = api.get("/v1/nothing/here").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.error(), "ResourceNotFound");
    let answer = api.call(Method::PUT, "/v1/members/", Some(api.org_token()), None).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.error(), "MethodNotAllowed");
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_keeps_a_given_one() {
    let api = Api::new().await;
    let answer = api.get("/health").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json, json!({ "status": "ok", "read": "ok", "write": "ok" }));
    assert!(!answer.headers["x-request-id"].is_empty());
    let request = Request::builder().uri("/health").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    assert_eq!(api.send(request).await.headers["x-request-id"], "abc-123");
}

#[tokio::test]
async fn a_portal_session_cannot_call_merchant_routes_nor_a_merchant_the_portal() {
    let api = Api::new().await;
    let session = api.created.member_session_token.clone();
    assert_eq!(api.call(Method::GET, "/v1/members/", Some(&session), None).await.status, StatusCode::UNAUTHORIZED);
    let answer = api.call(Method::GET, "/v1/customer-portal/members", Some(api.org_token()), None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_suite_runs_on_the_backend_it_was_asked_for() {
    let api = Api::new().await;
    let expected = std::env::var("MEMBERSHIP_EXPECT_BACKEND").unwrap_or_else(|_| "sqlite".to_owned());
    let actual = match api.store.backend() {
        membership_sqlx::Backend::Sqlite => "sqlite",
        membership_sqlx::Backend::Postgres => "postgres",
    };
    assert_eq!(actual, expected);
}

#[tokio::test]
async fn a_token_of_the_wrong_kind_is_401_before_its_scopes_are_read() {
    let api = Api::new().await;
    // A portal session with no scope at all is still the wrong kind of token here.
    let session = api.token_with(TokenKind::MemberSession, Scopes::of(&[])).await;
    for path in ["/v1/members/".to_owned(), api.organization("/members")] {
        assert_eq!(api.call(Method::GET, &path, Some(&session), None).await.status, StatusCode::UNAUTHORIZED);
    }
    let merchant = api.token_with(TokenKind::Organization, Scopes::of(&[])).await;
    let answer = api.call(Method::GET, "/v1/customer-portal/members", Some(&merchant), None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn setup_grants_each_token_only_the_scopes_of_its_kind() {
    const MERCHANT: &str = "members:read members:write organizations:read organizations:write \
        customer_sessions:write webhooks:read webhooks:write customers:read customers:write";
    let api = Api::new().await;
    let session = api.created.member_session_token.clone();
    let answer = api.call(Method::GET, "/v1/customer-portal/members", Some(&session), None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT kind, scopes FROM server_tokens ORDER BY kind")
        .fetch_all(api.store.pool())
        .await
        .unwrap();
    let scopes: Vec<(&str, &str)> = rows.iter().map(|(kind, scopes)| (kind.as_str(), scopes.as_str())).collect();
    assert_eq!(
        scopes,
        [
            ("member_session", "customer_portal:read customer_portal:write"),
            ("organization", MERCHANT),
            // The owner's token also manages the organization's access tokens.
            ("user", &format!("{MERCHANT} organization_access_tokens:read organization_access_tokens:write")),
        ]
    );
}

/// A 422 names the rule that refused it (docs/rules.md#errors' code) in each issue's `ctx`, Pydantic's
/// free-form context, so a client tells a rule's refusal from an input error without reading
/// the sentence (schemathesis' per-response narrowing reads it), while `type`, `loc` and
/// `msg` stay as Polar writes them.
#[tokio::test]
async fn errors_a_422_names_its_rule_code_in_ctx() {
    let api = Api::new().await;
    api.post(&api.members(), json!({ "email": "ada@example.com", "external_id": "u_1" })).await;
    let taken = api.post(&api.members(), json!({ "email": "bob@example.com", "external_id": "u_1" })).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(taken.json["detail"][0]["ctx"], json!({ "code": "external_id_taken" }));
    assert_eq!(taken.json["detail"][0]["type"], "value_error");
    let owner = api.post(&api.members(), json!({ "email": "cy@example.com", "role": "owner" })).await;
    assert_eq!(owner.json["detail"][0]["ctx"], json!({ "code": "owner_role_not_creatable" }));
    let malformed = api.post(&api.members(), json!({ "email": 7 })).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json["detail"][0]["ctx"], json!({ "code": "invalid_input" }));
    let bad_email = api.post(&api.members(), json!({ "email": "not an email" })).await;
    assert_eq!(bad_email.json["detail"][0]["ctx"], json!({ "code": "invalid_input" }));
}
