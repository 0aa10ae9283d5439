//! `Polar-Version`: the default when absent, the three versions accepted, anything else
//! 404 `{"detail": "Not Found"}` as Polar answers; the version used is echoed.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::Api;

async fn get_with_version(api: &Api, path: &str, version: &str) -> crate::support::Answer {
    let token = api.org_token().to_owned();
    api.call_with(Method::GET, path, Some(&token), &[("polar-version", version)], None).await
}

#[tokio::test]
async fn polar_version_absent_is_2026_04_and_echoed() {
    let api = Api::new().await;
    let answer = api.get(&api.members()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["polar-version"], "2026-04");
}

#[tokio::test]
async fn polar_version_each_supported_one_is_accepted_and_echoed() {
    let api = Api::new().await;
    for version in ["2026-04", "2026-10", "2027-01"] {
        let answer = get_with_version(&api, &api.members(), version).await;
        assert_eq!(answer.status, StatusCode::OK, "{version}");
        assert_eq!(answer.headers["polar-version"], version);
    }
}

#[tokio::test]
async fn polar_version_is_echoed_on_refusals_and_unknown_routes_too() {
    let api = Api::new().await;
    let unknown_route = get_with_version(&api, "/v1/nowhere", "2026-10").await;
    assert_eq!(
        (unknown_route.status, &unknown_route.headers["polar-version"]),
        (StatusCode::NOT_FOUND, &"2026-10".parse().unwrap())
    );
    let no_token = api.call(Method::GET, &api.members(), None, None).await;
    assert_eq!(
        (no_token.status, &no_token.headers["polar-version"]),
        (StatusCode::UNAUTHORIZED, &"2026-04".parse().unwrap())
    );
}

#[tokio::test]
async fn polar_version_unsupported_or_malformed_is_404_detail_not_found() {
    let api = Api::new().await;
    for version in ["2025-01", "2026-05", "2026-4", "2026-04-01", "latest", ""] {
        let answer = get_with_version(&api, &api.members(), version).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{version:?}");
        assert_eq!(answer.json, json!({ "detail": "Not Found" }), "{version:?}");
        assert!(answer.headers.get("polar-version").is_none(), "no version was used");
        assert!(answer.headers.get("x-request-id").is_some(), "the refusal still has its request id");
    }
}

#[tokio::test]
async fn polar_version_is_checked_before_the_token() {
    let api = Api::new().await;
    let answer = api.call_with(Method::GET, &api.members(), None, &[("polar-version", "1999-01")], None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "an unknown version has no routes at all");
}
