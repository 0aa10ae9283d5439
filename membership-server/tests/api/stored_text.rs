//! Stored text (docs/rules.md#values): a control character in a name or an external id,
//! whether in a body, a path segment or the `external_customer_id` filter, is a 422 naming
//! the field before any rule, on SQLite as on PostgreSQL (which cannot store NUL at all).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Answer, Api};

/// NUL, which PostgreSQL refuses; tab, whitespace that only the ends of a text may hold;
/// DEL; and NEL (U+0085), a C1 control.
const CONTROLS: [(&str, &str); 4] = [("\u{0}", "%00"), ("\t", "%09"), ("\u{7f}", "%7F"), ("\u{85}", "%C2%85")];

#[track_caller]
fn refused(answer: &Answer, loc: &str, what: &str) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {:?}", answer.json);
    assert_eq!(answer.loc(), loc, "{what}");
    let msg = answer.json["detail"][0]["msg"].as_str().unwrap_or_default();
    assert!(msg.contains("control character"), "{what}: {msg}");
}

async fn total(api: &Api) -> Value {
    api.get("/v1/members/").await.json["pagination"]["total_count"].clone()
}

#[tokio::test]
async fn spec_2_1_a_control_character_in_a_body_name_or_external_id_is_422_and_nothing_is_stored() {
    let api = Api::new().await;
    let ada = api.add("ada@example.com").await;
    let before = total(&api).await;
    let by_id = format!("{}/{}", api.members(), ada["id"].as_str().unwrap());
    let creates = [api.members(), "/v1/customers/external/cus_1/members".to_owned()];
    for (control, _) in CONTROLS {
        for (field, body) in [
            ("name", json!({ "email": "bo@example.com", "name": format!("Bo{control}Bo") })),
            ("external_id", json!({ "email": "bo@example.com", "external_id": format!("u{control}1") })),
        ] {
            for path in &creates {
                refused(&api.post(path, body.clone()).await, &format!("body.{field}"), &format!("{path} {body}"));
            }
            let mut with_customer = body.clone();
            with_customer["customer_id"] = json!(api.created.customer_id);
            refused(&api.post("/v1/members", with_customer).await, &format!("body.{field}"), "POST /v1/members");
        }
        let name = json!({ "name": format!("Ad{control}a") });
        refused(&api.patch(&by_id, name.clone()).await, "body.name", "PATCH by id");
        let token = api.created.member_session_token.clone();
        let portal = json!({ "email": "bo@example.com", "name": format!("x{control}x") });
        let answer = api.call(Method::POST, "/v1/customer-portal/members", Some(&token), Some(portal)).await;
        refused(&answer, "body.name", "portal create");
        let path = format!("/v1/customer-portal/members/{}", ada["id"].as_str().unwrap());
        refused(&api.call(Method::PATCH, &path, Some(&token), Some(name)).await, "body.name", "portal update");
    }
    assert_eq!(total(&api).await, before, "nothing was added");
    assert_eq!(api.get(&by_id).await.json["name"], Value::Null, "nothing was renamed");
}

#[tokio::test]
async fn spec_2_1_a_control_character_in_an_external_id_path_segment_is_422_before_any_lookup() {
    let api = Api::new().await;
    let created = api
        .post("/v1/customers/external/cus_1/members", json!({ "email": "ada@example.com", "external_id": "u_ada" }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    for (_, encoded) in CONTROLS {
        let customer = format!("/v1/customers/external/cus{encoded}1/members");
        let body = json!({ "email": "bo@example.com" });
        refused(&api.post(&customer, body).await, "path.external_id", &customer);
        // Refused whichever segment holds it, and before either is looked up: an unknown
        // customer does not turn it into a 404.
        for path in [
            format!("/v1/customers/external/cus_1/members/u_ada{encoded}"),
            format!("/v1/customers/external/nobody/members/{encoded}u_ada"),
        ] {
            refused(&api.get(&path).await, "path.member_external_id", &path);
            refused(&api.patch(&path, json!({ "name": "Ada" })).await, "path.member_external_id", &path);
            refused(&api.delete(&path).await, "path.member_external_id", &path);
        }
        let path = format!("/v1/customers/external/{encoded}/members/u_ada");
        refused(&api.get(&path).await, "path.external_id", &path);
    }
    let ada = api.get("/v1/customers/external/cus_1/members/u_ada").await;
    assert_eq!((ada.status, ada.json["id"].clone()), (StatusCode::OK, created.json["id"].clone()), "still there");
    // Text that is no external id for another reason still names nothing.
    let long = format!("/v1/customers/external/cus_1/members/{}", "x".repeat(257));
    assert_eq!(api.get(&long).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn spec_2_1_a_control_character_in_the_external_customer_id_filter_is_422() {
    let api = Api::new().await;
    for (_, encoded) in CONTROLS {
        for query in [format!("external_customer_id={encoded}"), format!("external_customer_id=cus_1{encoded}")] {
            let answer = api.get(&format!("/v1/members/?{query}")).await;
            refused(&answer, "query.external_customer_id", &query);
        }
    }
    // An external id too long to exist still matches nobody: an empty page.
    let long = api.get(&format!("/v1/members/?external_customer_id={}", "x".repeat(257))).await;
    assert_eq!((long.status, long.json["pagination"]["total_count"].clone()), (StatusCode::OK, json!(0)));
}
