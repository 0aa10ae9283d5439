//! The customer portal's Team page (issue 19, CUS-8), driven as a browser would: plain
//! GETs and form posts, cookies carried from answer to request.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use membership::MemberId;
use membership_server::auth::{Scope, Scopes, TokenKind, new_token};
use membership_server::data::{self, SessionTerms};
use membership_server::state::{Settings, now};
use membership_server::{AppState, app};
use serde_json::json;
use tower::ServiceExt;

use crate::support::Api;

/// One answer, as a browser sees it.
#[derive(Debug)]
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|value| value.to_str().ok()).unwrap_or_default()
    }

    /// The `Set-Cookie` line for `name`, if the answer sets it.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// A browser: its cookie jar, and the app it talks to.
struct Browser {
    app: tower_http::normalize_path::NormalizePath<axum::Router>,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(api: &Api) -> Browser {
        Browser { app: api.app.clone(), cookies: Vec::new() }
    }

    fn on(app: tower_http::normalize_path::NormalizePath<axum::Router>) -> Browser {
        Browser { app, cookies: Vec::new() }
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
        let jar: Vec<String> = self.cookies.iter().map(|(key, value)| format!("{key}={value}")).collect();
        let request = if jar.is_empty() { request } else { request.header(header::COOKIE, jar.join("; ")) };
        let response = self.app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes: Bytes = response.into_body().collect().await.unwrap().to_bytes();
        for line in headers.get_all(header::SET_COOKIE).iter().filter_map(|value| value.to_str().ok()) {
            let pair = line.split(';').next().unwrap_or_default();
            let (key, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != key);
            if !line.contains("Max-Age=0") {
                self.cookies.push((key.to_owned(), value.to_owned()));
            }
        }
        Page { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Request::builder().method(Method::GET).uri(path), Body::empty()).await
    }

    /// A form post with the browser's CSRF token.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.cookie("membership_csrf").expect("a page was shown first").to_owned();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A form post of exactly `fields`.
    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    /// Opens the portal with `token`, as the session's `customer_portal_url` does, and
    /// follows the redirect to the Team page.
    async fn open(&mut self, token: &str) -> Page {
        let entry = self.get(&format!("/portal?customer_session_token={token}")).await;
        assert_eq!(entry.status, StatusCode::SEE_OTHER, "{entry:?}");
        self.get(entry.location()).await
    }
}

/// A new member of the setup's customer, by the merchant API, with a portal session: its
/// id and token.
async fn member_with_session(api: &Api, email: &str, role: &str) -> (MemberId, String) {
    let answer = api.post(&api.members(), json!({ "email": email, "role": role })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    let id = MemberId::parse(answer.json["id"].as_str().unwrap()).unwrap();
    (id, api.session(id).await)
}

/// The id of the customer's member with `email`, by the merchant API.
async fn member_id(api: &Api, email: &str) -> MemberId {
    let list = api.get(&format!("{}?limit=100", api.members())).await;
    let items = list.json["items"].as_array().unwrap();
    let member = items.iter().find(|item| item["email"] == email).unwrap();
    MemberId::parse(member["id"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn cus_8_the_session_link_keeps_the_token_in_a_cookie_and_redirects_to_the_team() {
    let api = Api::new().await;
    let minted = api
        .post(
            "/v1/customer-sessions/",
            json!({ "customer_id": api.created.customer_id, "member_id": api.created.member_id }),
        )
        .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{minted:?}");
    let token = minted.json["token"].as_str().unwrap();
    let url = minted.json["customer_portal_url"].as_str().unwrap();
    // Unset, the portal is this service's own page under its public URL.
    assert_eq!(url, format!("http://127.0.0.1:8000/portal?customer_session_token={token}"));
    let mut browser = Browser::new(&api);
    let entry = browser.get(url.trim_start_matches("http://127.0.0.1:8000")).await;
    assert_eq!(entry.status, StatusCode::SEE_OTHER);
    assert_eq!(entry.location(), "/portal/team");
    let cookie = entry.set_cookie("membership_portal").unwrap();
    assert!(cookie.starts_with(&format!("membership_portal={token};")), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/portal", "Max-Age=3"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "not over plain http: {cookie}");
    let team = browser.get("/portal/team").await;
    assert_eq!(team.status, StatusCode::OK, "{team:?}");
    assert!(team.body.contains("<h1>Team</h1>"));
    assert!(team.body.contains("<caption>Members</caption>"));
    assert!(team.body.contains("customer@example.com (you)"));
    assert!(!team.body.contains(token), "the token is never written into a page");
}

#[tokio::test]
async fn cus_8_the_portal_cookie_is_secure_over_https_and_an_explicit_portal_url_is_kept() {
    let api = Api::new().await;
    let settings = Settings {
        public_url: "https://members.example.com".to_owned(),
        customer_portal_url: Some("https://portal.example.com/team".to_owned()),
        ..Settings::default()
    };
    let app = app(AppState::with_settings(api.store.clone(), settings));
    let mut browser = Browser::on(app.clone());
    let entry = browser.get(&format!("/portal?customer_session_token={}", api.created.member_session_token)).await;
    assert!(entry.set_cookie("membership_portal").unwrap().contains("Secure"));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/v1/customer-sessions/")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.created.organization_token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "customer_id": api.created.customer_id, "member_id": api.created.member_id }).to_string(),
        ))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let session: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        session["customer_portal_url"]
            .as_str()
            .unwrap()
            .starts_with("https://portal.example.com/team?customer_session_token=")
    );
}

#[tokio::test]
async fn cus_8_an_unknown_or_expired_link_answers_the_expired_page() {
    let api = Api::new().await;
    let expired = new_token(TokenKind::MemberSession).unwrap();
    let at = now();
    let grant = (api.created.organization_id, api.created.customer_id, api.created.member_id);
    let terms = SessionTerms { expires_at: at, return_url: None };
    data::insert_session(&api.store, &expired, grant, &Scopes::all(), at, terms).await.unwrap();
    let unknown = new_token(TokenKind::MemberSession).unwrap();
    for token in [unknown.as_str(), expired.as_str(), "", api.created.organization_token.as_str()] {
        let mut browser = Browser::new(&api);
        let page = browser.get(&format!("/portal?customer_session_token={token}")).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{token}: {page:?}");
        assert!(page.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(page.body.contains("<h1>This link has expired</h1>"));
        assert!(page.body.contains("Ask the merchant for a new link"));
        assert!(browser.cookie("membership_portal").is_none());
    }
    // Without the cookie, the Team page is the same page.
    let page = Browser::new(&api).get("/portal/team").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("This link has expired"));
}

#[tokio::test]
async fn cus_8_a_removed_members_session_ends_with_the_crates_words() {
    let api = Api::new().await;
    let (id, token) = member_with_session(&api, "gone@example.com", "billing_manager").await;
    let mut browser = Browser::new(&api);
    assert_eq!(browser.open(&token).await.status, StatusCode::OK);
    api.delete(&format!("{}/{id}", api.members())).await;
    let page = browser.get("/portal/team").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("Your customer portal session is no longer valid"), "{}", page.body);
}

#[tokio::test]
async fn cus_8_the_owner_adds_changes_and_removes_members() {
    let api = Api::new().await;
    let mut browser = Browser::new(&api);
    let team = browser.open(&api.created.member_session_token).await;
    for control in [
        r#"<label for="add-email">Email</label>"#,
        r#"<label for="add-name">Name</label>"#,
        r#"<label for="add-role">Role</label>"#,
        ">Add member</button>",
    ] {
        assert!(team.body.contains(control), "{control}");
    }
    // The crate lets no one add an owner: the select offers the other two.
    assert!(team.body.contains(r#"<option value="billing_manager">Billing manager</option>"#));
    assert!(team.body.contains(r#"<option value="member" selected>Member</option>"#), "Polar's default");
    assert!(!team.body.contains(r#"<option value="owner">"#), "only on others' rows, to transfer");

    let added = browser
        .post("/portal/team/add", &[("email", "bo@example.com"), ("name", "Bo"), ("role", "billing_manager")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{added:?}");
    assert_eq!(added.location(), "/portal/team");
    let team = browser.get("/portal/team").await;
    assert!(team.body.contains("bo@example.com was added as Billing manager."), "{}", team.body);
    assert!(team.body.contains("<td>Bo</td>"));
    let bo = member_id(&api, "bo@example.com").await;
    assert!(team.body.contains(&format!(r#"action="/portal/team/{bo}/role""#)));
    assert!(team.body.contains(&format!(r#"href="/portal/team/{bo}/remove""#)));

    let again = browser.post("/portal/team/add", &[("email", "BO@example.com"), ("role", "member")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(browser.get("/portal/team").await.body.contains("bo@example.com is already a member (Billing manager)."));

    let changed = browser.post(&format!("/portal/team/{bo}/role"), &[("role", "member")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{changed:?}");
    assert!(browser.get("/portal/team").await.body.contains("bo@example.com is now Member."));

    let confirm = browser.get(&format!("/portal/team/{bo}/remove")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("<h1>Remove member</h1>"));
    assert!(confirm.body.contains(">Remove member</button>"));
    let removed = browser.post(&format!("/portal/team/{bo}/remove"), &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{removed:?}");
    let team = browser.get("/portal/team").await;
    assert!(team.body.contains("bo@example.com was removed."));
    assert!(!team.body.contains("<td>Bo</td>"));
}

#[tokio::test]
async fn cus_8_the_owner_transfers_ownership_from_a_rows_role_select() {
    let api = Api::new().await;
    let (bo, _) = member_with_session(&api, "bo@example.com", "member").await;
    let mut browser = Browser::new(&api);
    let team = browser.open(&api.created.member_session_token).await;
    assert!(team.body.contains(r#"<option value="owner">Owner (transfer ownership)</option>"#));
    let moved = browser.post(&format!("/portal/team/{bo}/role"), &[("role", "owner")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{moved:?}");
    let team = browser.get("/portal/team").await;
    assert!(team.body.contains("bo@example.com is now the owner; you are now a billing manager."));
    // A billing manager now: the new owner's row has no role select.
    assert!(!team.body.contains(&format!(r#"action="/portal/team/{bo}/role""#)));
}

#[tokio::test]
async fn cus_8_refusals_are_shown_by_their_control_in_the_crates_words() {
    let api = Api::new().await;
    let me = api.created.member_id;
    let mut browser = Browser::new(&api);
    let team = browser.open(&api.created.member_session_token).await;
    // Your own row: no role select (cannot_change_own_role), no Remove (cannot_remove_self).
    assert!(!team.body.contains(&format!(r#"action="/portal/team/{me}/role""#)));
    assert!(!team.body.contains(&format!(r#"href="/portal/team/{me}/remove""#)));

    let bad = browser.post("/portal/team/add", &[("email", "not an email"), ("name", "X"), ("role", "member")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(r#"aria-describedby="add-email-error""#));
    assert!(bad.body.contains(r#"<p class="error" id="add-email-error" role="alert">Invalid `email`"#), "{}", bad.body);
    assert!(bad.body.contains(r#"value="not an email""#), "what was typed stays");

    let owner = browser.post("/portal/team/add", &[("email", "o@example.com"), ("role", "owner")]).await;
    assert_eq!(owner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        owner.body.contains(r#"id="add-role-error" role="alert">A member can't be added as owner"#),
        "{}",
        owner.body
    );

    let long = "x".repeat(257);
    let named = browser.post("/portal/team/add", &[("email", "n@example.com"), ("name", &long)]).await;
    assert_eq!(named.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(named.body.contains(r#"id="add-name-error""#));

    let own = browser.post(&format!("/portal/team/{me}/role"), &[("role", "member")]).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.body.contains(&format!(r#"id="role-{me}-error" role="alert">You can't change your own role"#)));

    let page = browser.get(&format!("/portal/team/{me}/remove")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("You can't remove yourself; ask another member who manages members"));
    assert!(!page.body.contains(">Remove member</button>"));
    let removed = browser.post(&format!("/portal/team/{me}/remove"), &[]).await;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(removed.body.contains("You can't remove yourself"));

    let nobody = browser.post("/portal/team/not-a-uuid/role", &[("role", "member")]).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let missing = browser.get(&format!("/portal/team/{}/remove", uuid::Uuid::new_v4())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("is not an active member"));
}

#[tokio::test]
async fn cus_8_a_plain_member_sees_only_their_profile_and_is_refused_in_the_crates_words() {
    let api = Api::new().await;
    let (_, token) = member_with_session(&api, "plain@example.com", "member").await;
    let owner = api.created.member_id;
    let mut browser = Browser::new(&api);
    let page = browser.open(&token).await;
    assert_eq!(page.status, StatusCode::OK);
    let words = "Your role doesn't allow `manage_members`; ask the customer's owner or a billing manager";
    assert!(page.body.contains(words), "{}", page.body);
    assert!(page.body.contains("Your profile"));
    assert!(page.body.contains("plain@example.com"));
    assert!(!page.body.contains("customer@example.com"), "no other member is shown");
    assert!(!page.body.contains("Add member"));
    assert!(!page.body.contains("/role\""));
    assert!(page.body.contains("Sign out"));

    let add = browser.post("/portal/team/add", &[("email", "x@example.com"), ("role", "member")]).await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);
    assert!(add.body.contains(words));
    let role = browser.post(&format!("/portal/team/{owner}/role"), &[("role", "member")]).await;
    assert_eq!(role.status, StatusCode::FORBIDDEN);
    assert!(role.body.contains(words));
    let remove = browser.post(&format!("/portal/team/{owner}/remove"), &[]).await;
    assert_eq!(remove.status, StatusCode::FORBIDDEN);
    assert!(remove.body.contains(words));
    assert!(!remove.body.contains("customer@example.com"));
    let list = api.get(&api.members()).await;
    assert_eq!(list.json["pagination"]["total_count"], 2, "nothing changed");
}

#[tokio::test]
async fn cus_8_a_billing_manager_manages_members_but_not_the_owner() {
    let api = Api::new().await;
    let (_, token) = member_with_session(&api, "bm@example.com", "billing_manager").await;
    let owner = api.created.member_id;
    let mut browser = Browser::new(&api);
    let page = browser.open(&token).await;
    assert!(page.body.contains("Add member"));
    assert!(!page.body.contains(&format!(r#"action="/portal/team/{owner}/role""#)));
    assert!(!page.body.contains(&format!(r#"href="/portal/team/{owner}/remove""#)));
    let demote = browser.post(&format!("/portal/team/{owner}/role"), &[("role", "member")]).await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(demote.body.contains(&format!(r#"id="role-{owner}-error""#)), "{}", demote.body);
    let remove = browser.post(&format!("/portal/team/{owner}/remove"), &[]).await;
    assert_eq!(remove.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(remove.body.contains("is the only owner and can't be deleted; transfer ownership first"));
}

#[tokio::test]
async fn cus_8_a_post_without_the_form_token_is_403() {
    let api = Api::new().await;
    let mut browser = Browser::new(&api);
    browser.open(&api.created.member_session_token).await;
    let forged = browser.post_raw("/portal/team/add", &[("email", "x@example.com"), ("role", "member")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("reload the page and try again"), "{}", forged.body);
    let wrong = browser.post_raw("/portal/sign-out", &[("csrf", "x")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(browser.cookie("membership_portal").is_some(), "still signed in");
    let list = api.get(&api.members()).await;
    assert_eq!(list.json["pagination"]["total_count"], 1, "nothing was added");
}

#[tokio::test]
async fn cus_8_sign_out_clears_the_portal_cookie() {
    let api = Api::new().await;
    let mut browser = Browser::new(&api);
    browser.open(&api.created.member_session_token).await;
    let out = browser.post("/portal/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/portal");
    assert!(out.set_cookie("membership_portal").unwrap().contains("Max-Age=0"));
    let door = browser.get("/portal").await;
    assert_eq!(door.status, StatusCode::OK);
    assert!(door.body.contains("You signed out of the customer portal."));
    assert_eq!(browser.get("/portal/team").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cus_8_a_read_only_session_sees_the_team_but_changes_nothing() {
    let api = Api::new().await;
    let token = api.token_with(TokenKind::MemberSession, Scopes::of(&[Scope::CustomerPortalRead])).await;
    let mut browser = Browser::new(&api);
    assert_eq!(browser.open(&token).await.status, StatusCode::OK);
    let add = browser.post("/portal/team/add", &[("email", "x@example.com"), ("role", "member")]).await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);
    assert!(add.body.contains("customer_portal:write"), "{}", add.body);
    let (bo, _) = member_with_session(&api, "bo@example.com", "member").await;
    let role = browser.post(&format!("/portal/team/{bo}/role"), &[("role", "billing_manager")]).await;
    assert_eq!(role.status, StatusCode::FORBIDDEN);
    let remove = browser.post(&format!("/portal/team/{bo}/remove"), &[]).await;
    assert_eq!(remove.status, StatusCode::FORBIDDEN);
    let list = api.get(&api.members()).await;
    assert_eq!(list.json["pagination"]["total_count"], 2, "nothing was added or removed");
    // Without `customer_portal:read` (which `write` implies), the session opens nothing.
    let none = api.token_with(TokenKind::MemberSession, Scopes::of(&[])).await;
    let page = Browser::new(&api).get(&format!("/portal?customer_session_token={none}")).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cus_8_the_owner_of_an_individual_customer_sees_the_crates_team_customers_only() {
    let store = crate::support::fresh_store().await;
    let mut setup = crate::support::setup();
    setup.individual_customer = true;
    let created = setup.run(&store).await.unwrap();
    let customer_id = created.individual_customer_id.unwrap();
    let owner = store.customer(customer_id).await.unwrap().unwrap().owner().unwrap();
    let token = new_token(TokenKind::MemberSession).unwrap();
    let grant = data::Grant::MemberSession(created.organization_id, customer_id, owner.id);
    data::insert_token(&store, &token, grant, &Scopes::all(), now()).await.unwrap();
    let mut browser = Browser::on(app(AppState::new(store)));
    let page = browser.open(&token).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("is an individual customer; only team customers manage members"), "{}", page.body);
    assert!(page.body.contains("individual@example.com"), "their own profile");
    assert!(!page.body.contains("Add member"));
    let add = browser.post("/portal/team/add", &[("email", "x@example.com"), ("role", "member")]).await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);
    assert!(add.body.contains("only team customers manage members"));
}

#[tokio::test]
async fn cus_8_the_portal_without_a_token_goes_to_the_team_only_with_a_live_cookie() {
    let api = Api::new().await;
    let mut browser = Browser::new(&api);
    let door = browser.get("/portal").await;
    assert_eq!(door.status, StatusCode::OK);
    assert!(door.body.contains("<h1>Customer portal</h1>"));
    assert!(door.body.contains("from the link the merchant gave you"));
    browser.open(&api.created.member_session_token).await;
    let again = browser.get("/portal").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/portal/team");
}
