//! The web pages (issue 19) over plain HTTP, as a browser without script would use them:
//! a cookie jar, form posts carrying the CSRF token, redirects read by hand. The browser
//! suite (`membership-server/browser/`) clicks the same pages in Chromium.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use membership::organization::{Command, Organization, VerificationStatus};
use membership::policy::{self, DocsRow};
use membership::{Actor, AssignableRole, Email, OrganizationId, Role, UserId};
use membership_server::auth::{TokenKind, new_token, token_hash};
use membership_server::data::{self, WebSession};
use membership_server::mail::Mailer;
use membership_server::state::{Settings, now};
use membership_server::web::SESSION_LIFETIME;
use membership_server::{AppState, app};
use tower::ServiceExt;

use crate::support::{Api, fresh_store, setup};

/// A browser: the service, and the cookies it was given.
struct Browser<'a> {
    api: &'a Api,
    cookies: HashMap<String, String>,
}

/// One answer: status, headers, the page's text.
#[derive(Debug)]
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    html: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|value| value.to_str().ok()).unwrap_or_default()
    }

    fn has(&self, text: &str) -> bool {
        self.html.contains(text)
    }
}

impl<'a> Browser<'a> {
    fn new(api: &'a Api) -> Self {
        Browser { api, cookies: HashMap::new() }
    }

    /// A browser signed in as `user_id` (a session row made directly; the sign-in test
    /// goes through the forms).
    async fn signed_in(api: &'a Api, user_id: UserId) -> Self {
        let token = new_token(TokenKind::User).unwrap();
        let session = WebSession { user_id, organization_id: None, expires_at: now().saturating_add(SESSION_LIFETIME) };
        data::insert_web_session(&api.store, &token_hash(&token), session, now()).await.unwrap();
        let mut browser = Browser::new(api);
        browser.cookies.insert("membership_session".into(), token);
        browser
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
        let cookie: Vec<String> = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let request = request.header(header::COOKIE, cookie.join("; ")).body(body).unwrap();
        let response = self.api.app.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        for set in headers.get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if set.to_str().unwrap().contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes: Bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page { status, headers, html: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Request::builder().method(Method::GET).uri(path), Body::empty()).await
    }

    /// Posts `fields` with the browser's form token, as a page's form would.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        if !self.cookies.contains_key("membership_csrf") {
            self.get("/login").await;
        }
        let csrf = self.cookies["membership_csrf"].clone();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// Posts exactly `fields`, with extra `headers`.
    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request, Body::from(body)).await
    }

    /// Follows a 303 to its page.
    async fn follow(&mut self, page: &Page) -> Page {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{page:?}");
        let to = page.location().to_owned();
        self.get(&to).await
    }
}

fn members_page(organization_id: OrganizationId) -> String {
    format!("/dashboard/{organization_id}/settings/members")
}

/// A user of the setup's organization with `role`: their id.
async fn teammate(api: &Api, email: &str, role: Role, verification: VerificationStatus) -> UserId {
    let (user_id, _) = api.user(email, verification).await;
    api.join(api.created.organization_id, user_id, email).await;
    if role != Role::Member {
        let command = Command::ChangeRole { user_id, role };
        let owner = Actor::User(api.created.user_id);
        api.store.execute::<Organization>(api.created.organization_id, command, owner, now()).await.unwrap();
    }
    user_id
}

async fn role_of(api: &Api, user_id: UserId) -> Option<Role> {
    let team = api.store.team(api.created.organization_id).await.unwrap();
    team.iter().find(|(membership, _)| membership.user_id == user_id).map(|(_, role)| *role)
}

#[tokio::test]
async fn web_sign_in_by_emailed_code_sets_an_http_only_lax_session_cookie() {
    let folder = std::env::temp_dir().join(format!("membership-web-mail-{}", uuid::Uuid::new_v4()));
    let store = fresh_store().await;
    let created = setup().run(&store).await.unwrap();
    let mailer = Mailer::folder(&folder, "Membership <no-reply@membership.test>").unwrap();
    let state = AppState::with_settings(store.clone(), Settings::default()).with_mailer(mailer);
    let api = Api { app: app(state), store, created };
    let mut browser = Browser::new(&api);

    let form = browser.get("/login?next=/dashboard/organizations").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("Send code") && form.has(r#"name="next" value="/dashboard/organizations""#));
    let sent = browser.post("/login", &[("email", "owner@example.com"), ("next", "/dashboard/organizations")]).await;
    assert!(sent.has("Check your email"), "{sent:?}");

    let wrong = browser.post("/login/code", &[("email", "owner@example.com"), ("code", "WRONG1"), ("next", "/")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.has(r#"id="code-error""#) && wrong.has(r#"aria-invalid="true""#), "the error sits by the code field");
    assert!(!browser.cookies.contains_key("membership_session"));

    // The code from the mail (the wrong try counted, four remain).
    let code = loop {
        let mails: Vec<String> = std::fs::read_dir(&folder)
            .map(|entries| entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect())
            .unwrap_or_default();
        if let Some(code) = mails.iter().find_map(|mail| {
            mail.lines()
                .find_map(|line| line.strip_prefix("Subject: Your sign-in code: ").map(str::trim).map(str::to_owned))
        }) {
            break code;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let signed_in = browser
        .post(
            "/login/code",
            &[("email", "owner@example.com"), ("code", &code.to_lowercase()), ("next", "/dashboard/organizations")],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location(), "/dashboard/organizations");
    let cookie = signed_in
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("membership_session="));
    let cookie = cookie.expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "not over plain HTTP");
    let picker = browser.follow(&signed_in).await;
    assert!(picker.has("owner@example.com") && picker.has("Owner"), "{picker:?}");

    let out = browser.post("/logout", &[]).await;
    assert_eq!(out.location(), "/login");
    assert!(!browser.cookies.contains_key("membership_session"));
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn web_a_page_without_a_session_sends_to_sign_in_and_back() {
    let api = Api::new().await;
    let mut browser = Browser::new(&api);
    let path = members_page(api.created.organization_id);
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let expected: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &path).finish();
    assert_eq!(page.location(), format!("/login?{expected}"));
    let forged = Browser::new(&api).post_raw("/login", &[("csrf", "x"), ("email", "owner@example.com")], &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no token cookie, no post");
}

#[tokio::test]
async fn web_a_form_without_its_token_is_refused_and_changes_nothing() {
    let api = Api::new().await;
    let mut browser = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    browser.get(&path).await;
    let forged = browser.post_raw(&format!("{path}/invite"), &[("email", "eve@example.com")], &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.has("reload the page"), "{forged:?}");
    let wrong = browser
        .post_raw(&format!("{path}/invite"), &[("csrf", &"A".repeat(43)), ("email", "eve@example.com")], &[])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let cross = browser.post(&format!("{path}/invite"), &[("email", "eve@example.com")]).await;
    assert_eq!(cross.status, StatusCode::SEE_OTHER, "the same form with its token goes through");
    let csrf = browser.cookies["membership_csrf"].clone();
    let other_site = browser
        .post_raw(
            &format!("{path}/invite"),
            &[("csrf", &csrf), ("email", "mallory@example.com")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(other_site.status, StatusCode::FORBIDDEN, "a post from another site");
    let page = browser.get(&path).await;
    assert!(page.has("eve@example.com") && !page.has("mallory@example.com"));
    let organization = api.store.organization(api.created.organization_id).await.unwrap().unwrap();
    assert_eq!(organization.pending_invitations().count(), 1, "only the post with its token made one");
}

#[tokio::test]
async fn web_every_form_carries_the_browsers_token_and_a_near_miss_is_refused() {
    let api = Api::new().await;
    let mut browser = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    let page = browser.get(&path).await;
    let csrf = browser.cookies["membership_csrf"].clone();
    // The test browser adds the token itself; a real one posts only what the form holds.
    let forms = page.html.matches("<form").count();
    let carried = page.html.matches(&format!(r#"<input type="hidden" name="csrf" value="{csrf}">"#)).count();
    assert!(forms >= 2 && carried == forms, "{forms} forms, {carried} with the token: {page:?}");
    // The same length, two bytes off by the same bit: their differences cancel out under
    // an XOR fold, so only a comparison that ORs them refuses it.
    let mut near: Vec<u8> = csrf.clone().into_bytes();
    near[0] ^= 1;
    near[1] ^= 1;
    let near = String::from_utf8(near).unwrap();
    let forged =
        browser.post_raw(&format!("{path}/invite"), &[("csrf", &near), ("email", "eve@example.com")], &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{forged:?}");
    let organization = api.store.organization(api.created.organization_id).await.unwrap().unwrap();
    assert_eq!(organization.pending_invitations().count(), 0);
}

#[tokio::test]
async fn web_a_token_cookie_that_is_not_one_of_ours_is_replaced() {
    let api = Api::new().await;
    // Too short but of token characters; the right length but not token characters.
    for planted in ["abc", &".".repeat(43), &format!("{}=", "A".repeat(42))] {
        let mut browser = Browser::new(&api);
        browser.cookies.insert("membership_csrf".to_owned(), planted.to_owned());
        browser.get("/login").await;
        let fresh = browser.cookies["membership_csrf"].clone();
        assert_ne!(fresh, planted);
        assert!(fresh.len() == 43 && fresh.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
    // A well-formed one is kept (it is the browser's until it is replaced).
    let mut browser = Browser::new(&api);
    let ours = format!("{}xy-_", "Ab1".repeat(13));
    assert_eq!(ours.len(), 43);
    browser.cookies.insert("membership_csrf".to_owned(), ours.clone());
    browser.get("/login").await;
    assert_eq!(browser.cookies["membership_csrf"], ours);
}

#[tokio::test]
async fn org_4_invite_from_the_page_sends_resends_or_shows_the_membership() {
    let api = Api::new().await;
    let mut browser = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    let sent = browser.post(&format!("{path}/invite"), &[("email", "grace@example.com")]).await;
    let page = browser.follow(&sent).await;
    assert!(page.has("Invitation sent to grace@example.com."), "{page:?}");
    assert!(page.has("Pending invitations (1)"));
    assert!(!browser.get(&path).await.has("Invitation sent"), "a notice shows once");

    let again = browser.post(&format!("{path}/invite"), &[("email", "Grace@Example.com")]).await;
    let page = browser.follow(&again).await;
    assert!(page.has("Invitation to grace@example.com resent."), "{page:?}");

    let member = browser.post(&format!("{path}/invite"), &[("email", "owner@example.com")]).await;
    let page = browser.follow(&member).await;
    assert!(page.has("owner@example.com is already a member (Owner)."), "{page:?}");
    assert!(page.has("Pending invitations (1)"), "no new invitation");

    let bad = browser.post(&format!("{path}/invite"), &[("email", "not-an-email")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.has(r#"id="invite-error""#) && bad.has(r#"value="not-an-email""#),
        "the error by the field, the input kept"
    );
}

#[tokio::test]
async fn org_1_a_member_sees_the_team_read_only_and_a_hand_made_post_is_refused() {
    let api = Api::new().await;
    let member = teammate(&api, "mia@example.com", Role::Member, VerificationStatus::Verified).await;
    let admin = teammate(&api, "adam@example.com", Role::Admin, VerificationStatus::Verified).await;
    let mut browser = Browser::signed_in(&api, member).await;
    let path = members_page(api.created.organization_id);
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("owner@example.com") && page.has("adam@example.com") && page.has("mia@example.com (you)"));
    for hidden in ["Send Invite", "Change role", "Remove from organization", "Offer ownership", "Revoke"] {
        assert!(!page.has(hidden), "a member sees no {hidden}");
    }
    assert!(page.has("Leave organization"), "but may leave");
    let by_hand = browser.post(&format!("{path}/invite"), &[("email", "eve@example.com")]).await;
    assert_eq!(by_hand.status, StatusCode::FORBIDDEN);
    assert!(
        by_hand.has("You don&#39;t have permission to manage members")
            || by_hand.has("You don't have permission to manage members"),
        "{by_hand:?}"
    );
    let remove = browser.post(&format!("{path}/{admin}/remove"), &[]).await;
    assert_eq!(remove.status, StatusCode::FORBIDDEN);
    assert_eq!(role_of(&api, admin).await, Some(Role::Admin), "nothing changed");
}

#[tokio::test]
async fn org_1_finance_cannot_see_the_member_list() {
    let api = Api::new().await;
    let finance = teammate(&api, "fin@example.com", Role::Finance, VerificationStatus::Verified).await;
    let mut browser = Browser::signed_in(&api, finance).await;
    let page = browser.get(&members_page(api.created.organization_id)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.has(policy::denial(membership::Permission::MembersRead).split('\'').next().unwrap()), "{page:?}");
    assert!(!page.has("owner@example.com"));
}

#[tokio::test]
async fn org_12_the_owner_row_has_no_change_role_nor_remove() {
    let api = Api::new().await;
    let admin = teammate(&api, "adam@example.com", Role::Admin, VerificationStatus::Verified).await;
    let mut browser = Browser::signed_in(&api, admin).await;
    let path = members_page(api.created.organization_id);
    let page = browser.get(&path).await;
    let owner = api.created.user_id;
    assert!(!page.has(&format!("{owner}/role")) && !page.has(&format!("{owner}/remove")), "{page:?}");
    let refused = browser.post(&format!("{path}/{owner}/role"), &[("role", "member")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.has(r#"id="role-error""#), "the crate's refusal by the picker: {refused:?}");
    assert_eq!(role_of(&api, owner).await, Some(Role::Owner));
}

#[tokio::test]
async fn org_9_change_role_shows_the_policy_matrix_and_saves() {
    let api = Api::new().await;
    let mia = teammate(&api, "mia@example.com", Role::Member, VerificationStatus::Verified).await;
    let mut browser = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    let picker = browser.get(&format!("{path}/{mia}/role")).await;
    assert_eq!(picker.status, StatusCode::OK);
    for role in AssignableRole::ALL {
        assert!(picker.has(&format!(r#"id="role-{}""#, role.role().as_str())));
    }
    // Every row of the README's matrix, and each role's cell as `policy` derives it.
    for row in DocsRow::ALL {
        let label = maud::html! { (row.label()) }.into_string();
        let start = picker.html.find(&label).unwrap_or_else(|| panic!("no row {label}"));
        let tr = &picker.html[start..picker.html[start..].find("</tr>").unwrap() + start];
        for role in AssignableRole::ALL {
            let cell = format!(r#"<td class="col-{}">"#, role.role().as_str());
            let after = &tr[tr.find(&cell).unwrap() + cell.len()..];
            let shown = &after[..after.find("</td>").unwrap()];
            let expected = match policy::access(row, role.role()) {
                policy::Access::Denied => r#"<span aria-label="no">—</span>"#.to_owned(),
                access => access.mark().to_owned(),
            };
            assert_eq!(shown, expected, "{label} for {role:?}");
        }
    }
    let saved = browser.post(&format!("{path}/{mia}/role"), &[("role", "admin")]).await;
    assert!(browser.follow(&saved).await.has("mia@example.com is now Admin."));
    assert_eq!(role_of(&api, mia).await, Some(Role::Admin));
    let owner = browser.post(&format!("{path}/{mia}/role"), &[("role", "owner")]).await;
    assert_eq!(owner.status, StatusCode::UNPROCESSABLE_ENTITY, "owner moves only by transfer: {owner:?}");
    assert_eq!(role_of(&api, mia).await, Some(Role::Admin));
}

#[tokio::test]
async fn org_7_remove_asks_first_then_removes() {
    let api = Api::new().await;
    let mia = teammate(&api, "mia@example.com", Role::Member, VerificationStatus::Verified).await;
    let mut browser = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    let confirm = browser.get(&format!("{path}/{mia}/remove")).await;
    assert!(confirm.has("mia@example.com</strong> from"), "{confirm:?}");
    assert_eq!(role_of(&api, mia).await, Some(Role::Member), "asking changes nothing");
    let removed = browser.post(&format!("{path}/{mia}/remove"), &[]).await;
    assert!(browser.follow(&removed).await.has("mia@example.com was removed."));
    assert_eq!(role_of(&api, mia).await, None);
}

#[tokio::test]
async fn org_8_the_owner_and_the_last_member_see_why_they_cannot_leave() {
    let api = Api::new().await;
    let mut owner = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    let alone = owner.get(&format!("{path}/leave")).await;
    assert_eq!(alone.status, StatusCode::FORBIDDEN);
    assert!(
        alone.has("is the only member and can&#39;t leave") || alone.has("is the only member and can't leave"),
        "{alone:?}"
    );
    assert!(!alone.has(">Leave organization</button>"), "no button to click");

    let mia = teammate(&api, "mia@example.com", Role::Member, VerificationStatus::Verified).await;
    let as_owner = owner.get(&format!("{path}/leave")).await;
    assert!(
        as_owner.has("owner@example.com is the owner and can"),
        "the crate's words, naming people by email: {as_owner:?}"
    );
    assert!(as_owner.has("Transfer ownership"));
    let by_hand = owner.post(&format!("{path}/leave"), &[]).await;
    assert_eq!(by_hand.status, StatusCode::FORBIDDEN);
    assert_eq!(role_of(&api, api.created.user_id).await, Some(Role::Owner));

    let mut member = Browser::signed_in(&api, mia).await;
    let page = member.get(&format!("{path}/leave")).await;
    assert!(page.has(">Leave organization</button>"));
    let left = member.post(&format!("{path}/leave"), &[]).await;
    assert_eq!(left.location(), "/dashboard/organizations");
    assert_eq!(role_of(&api, mia).await, None);
}

#[tokio::test]
async fn org_10_ownership_is_offered_to_a_verified_member_who_accepts() {
    let api = Api::new().await;
    let vera = teammate(&api, "vera@example.com", Role::Member, VerificationStatus::Verified).await;
    let uma = teammate(&api, "uma@example.com", Role::Member, VerificationStatus::Unverified).await;
    let mut owner = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    let unverified = owner.post(&format!("{path}/{uma}/offer"), &[]).await;
    assert!(unverified.status.is_client_error(), "{unverified:?}");
    assert!(unverified.has(r#"id="offer-error""#) && unverified.has("identity verification"));

    let offered = owner.post(&format!("{path}/{vera}/offer"), &[]).await;
    assert!(owner.follow(&offered).await.has("Ownership offered to vera@example.com"));
    let mut member = Browser::signed_in(&api, vera).await;
    let page = member.get(&path).await;
    assert!(page.has("been offered ownership"), "{page:?}");
    let action = page
        .html
        .split("action=\"")
        .map(|rest| &rest[..rest.find('"').unwrap_or(0)])
        .find(|a| a.ends_with("/accept"))
        .unwrap()
        .to_owned();
    let accepted = member.post(&action, &[]).await;
    assert!(member.follow(&accepted).await.has("You are now the owner"));
    assert_eq!(role_of(&api, vera).await, Some(Role::Owner));
    assert_eq!(role_of(&api, api.created.user_id).await, Some(Role::Admin), "the previous owner becomes an admin");
}

#[tokio::test]
async fn org_4_the_join_link_accepts_and_a_closed_invitation_offers_nothing() {
    let api = Api::new().await;
    let mut owner = Browser::signed_in(&api, api.created.user_id).await;
    let path = members_page(api.created.organization_id);
    for email in ["ivy@example.com", "rex@example.com"] {
        owner.post(&format!("{path}/invite"), &[("email", email)]).await;
    }
    let organization = api.store.organization(api.created.organization_id).await.unwrap().unwrap();
    let id_of = |email: &str| organization.pending_invitation(&Email::parse(email).unwrap()).unwrap().id;
    let (ivy_invitation, rex_invitation) = (id_of("ivy@example.com"), id_of("rex@example.com"));
    owner.post(&format!("{path}/invitations/{rex_invitation}/revoke"), &[]).await;

    let (ivy, _) = api.user("ivy@example.com", VerificationStatus::Unverified).await;
    let mut browser = Browser::signed_in(&api, ivy).await;
    let join = format!("/join/{}/{ivy_invitation}", api.created.organization_id);
    let page = browser.get(&join).await;
    assert!(page.has("Accept invitation") && page.has("Decline invitation"), "{page:?}");
    let accepted = browser.post(&format!("{join}/accept"), &[]).await;
    assert_eq!(accepted.location(), path);
    assert_eq!(role_of(&api, ivy).await, Some(Role::Member));
    let used = browser.get(&join).await;
    assert!(used.has("already accepted") && !used.has("Accept invitation"), "{used:?}");

    let (rex, _) = api.user("rex@example.com", VerificationStatus::Unverified).await;
    let mut browser = Browser::signed_in(&api, rex).await;
    let revoked = browser.get(&format!("/join/{}/{rex_invitation}", api.created.organization_id)).await;
    assert_eq!(revoked.status, StatusCode::GONE);
    assert!(revoked.has("was revoked") && !revoked.has("<button type=\"submit\">Accept"), "{revoked:?}");
    let by_hand = browser.post(&format!("/join/{}/{rex_invitation}/accept", api.created.organization_id), &[]).await;
    assert!(by_hand.status.is_client_error(), "{by_hand:?}");
    assert_eq!(role_of(&api, rex).await, None);
}

#[tokio::test]
async fn web_the_picker_lists_each_organization_with_the_role_and_remembers_the_choice() {
    let api = Api::new().await;
    let other = api.other_organization().await;
    let owner = api.created.user_id;
    // The other organization's owner has the setup's email too: this user joins by another.
    api.join(other.organization_id, owner, "owner.alias@example.com").await;
    let mut browser = Browser::signed_in(&api, owner).await;
    let picker = browser.get("/dashboard/organizations").await;
    assert_eq!(picker.html.matches("aria-label=\"Open ").count(), 2, "{picker:?}");
    assert!(picker.has("Owner") && picker.has("Member"));
    let chosen = browser
        .post("/dashboard/organizations/select", &[("organization_id", &other.organization_id.to_string())])
        .await;
    assert_eq!(chosen.location(), members_page(other.organization_id));
    assert_eq!(browser.get("/dashboard").await.location(), members_page(other.organization_id), "remembered");
    // Each members page names its own organization, as the picker does.
    let organizations = data::memberships_of(&api.store, owner).await.unwrap();
    assert_eq!(organizations.len(), 2);
    for (record, _) in organizations {
        let page = browser.get(&members_page(record.id)).await;
        assert!(page.has(&format!("{} / Settings / Members", record.profile.name)), "{page:?}");
    }
    let stranger = OrganizationId::new(uuid::Uuid::new_v4());
    let refused = browser.post("/dashboard/organizations/select", &[("organization_id", &stranger.to_string())]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get(&members_page(stranger)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn web_an_expired_session_signs_nobody_in() {
    let api = Api::new().await;
    let token = new_token(TokenKind::User).unwrap();
    let past = membership::Timestamp::from_unix_micros(now().unix_micros() - 1).unwrap();
    let session = WebSession { user_id: api.created.user_id, organization_id: None, expires_at: past };
    data::insert_web_session(&api.store, &token_hash(&token), session, past).await.unwrap();
    let mut browser = Browser::new(&api);
    browser.cookies.insert("membership_session".into(), token);
    let page = browser.get(&members_page(api.created.organization_id)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/login?next="), "{page:?}");
}

#[tokio::test]
async fn org_4_the_invitation_email_links_to_the_join_page() {
    let folder = std::env::temp_dir().join(format!("membership-web-mail-{}", uuid::Uuid::new_v4()));
    let store = fresh_store().await;
    let created = setup().run(&store).await.unwrap();
    let mailer = Mailer::folder(&folder, "Membership <no-reply@membership.test>").unwrap();
    let settings = Settings { public_url: "http://membership.test".into(), ..Settings::default() };
    let api = Api { app: app(AppState::with_settings(store.clone(), settings).with_mailer(mailer)), store, created };
    let mut owner = Browser::signed_in(&api, api.created.user_id).await;
    owner.post(&format!("{}/invite", members_page(api.created.organization_id)), &[("email", "ivy@example.com")]).await;
    let organization = api.store.organization(api.created.organization_id).await.unwrap().unwrap();
    let invitation = organization.pending_invitation(&Email::parse("ivy@example.com").unwrap()).unwrap().id;
    let link = format!("Join: http://membership.test/join/{}/{invitation}", api.created.organization_id);
    for _ in 0..250 {
        let mails: Vec<String> = std::fs::read_dir(&folder)
            .map(|entries| entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect())
            .unwrap_or_default();
        if mails.iter().any(|mail| mail.replace("=\r\n", "").contains(&link)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no invitation email with {link}");
}

#[tokio::test]
async fn org_5_an_expired_invitation_says_so_and_offers_nothing() {
    let store = fresh_store().await;
    let created = setup().run(&store).await.unwrap();
    let settings = Settings { ttl: membership::Ttl::MIN, ..Settings::default() };
    let api = Api { app: app(AppState::with_settings(store.clone(), settings)), store, created };
    let mut owner = Browser::signed_in(&api, api.created.user_id).await;
    owner
        .post(&format!("{}/invite", members_page(api.created.organization_id)), &[("email", "late@example.com")])
        .await;
    let organization = api.store.organization(api.created.organization_id).await.unwrap().unwrap();
    let invitation = organization.pending_invitation(&Email::parse("late@example.com").unwrap()).unwrap().id;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (late, _) = api.user("late@example.com", VerificationStatus::Unverified).await;
    let mut browser = Browser::signed_in(&api, late).await;
    let join = format!("/join/{}/{invitation}", api.created.organization_id);
    let page = browser.get(&join).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.has("This invitation has expired") && !page.has("Accept invitation"), "{page:?}");
    let by_hand = browser.post(&format!("{join}/accept"), &[]).await;
    assert!(by_hand.status.is_client_error(), "{by_hand:?}");
    assert_eq!(role_of(&api, late).await, None);
}
