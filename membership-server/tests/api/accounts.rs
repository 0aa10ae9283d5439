//! Accounts (issue 18): signing in with an emailed login code, the first sign-in creating
//! the account, and the invitation email with its join link. Mail is written as `.eml`
//! files in a folder of the test's own and read back from there.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use membership::Email;
use membership::organization::VerificationStatus;
use membership_server::mail::Mailer;
use membership_server::state::{Settings, now};
use membership_server::{AppState, app, data, login_code};
use serde_json::{Value, json};

use crate::support::{Api, fresh_store, setup};

/// The base of mailed links in these tests.
const PUBLIC_URL: &str = "http://membership.test";

/// The service mailing into a new folder: the service and the folder.
async fn mailing() -> (Api, PathBuf) {
    let folder = std::env::temp_dir().join(format!("membership-mail-{}", uuid::Uuid::new_v4()));
    let mailer = Mailer::folder(&folder, "Membership <no-reply@membership.test>").unwrap();
    (with_mailer(mailer).await, folder)
}

/// The service over a fresh store, set up, mailing through `mailer`.
async fn with_mailer(mailer: Mailer) -> Api {
    let store = fresh_store().await;
    let created = setup().run(&store).await.unwrap();
    let settings = Settings { public_url: PUBLIC_URL.to_owned(), ..Settings::default() };
    let app = app(AppState::with_settings(store.clone(), settings).with_mailer(mailer));
    Api { app, store, created }
}

/// Every message in `folder` to `to`, its quoted-printable soft breaks undone.
fn mails_to(folder: &Path, to: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    entries
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .map(|text| text.replace("=\r\n", "").replace("=3D", "="))
        .filter(|text| text.lines().any(|line| line.eq_ignore_ascii_case(&format!("To: {to}"))))
        .collect()
}

/// Waits (at most 5 s: mail is sent in a task of its own) until `count` messages to `to`
/// are in `folder`; they.
async fn wait_for_mails(folder: &Path, to: &str, count: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let mails = mails_to(folder, to);
        if mails.len() >= count {
            return mails;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{count} mails to {to} did not arrive: {mails:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The code in a login-code message (none in another message).
fn code_in(mail: &str) -> Option<String> {
    mail.lines().find_map(|line| line.strip_prefix("Subject: Your sign-in code: ")).map(|code| code.trim().to_owned())
}

/// Requests a code for `email` and reads it from the message that arrives.
async fn request_code(api: &Api, folder: &Path, email: &str) -> String {
    let before = mails_to(folder, email);
    let answer = api.call(Method::POST, "/v1/login-code/request", None, Some(json!({ "email": email }))).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
    // Wait for a new message with a code: another (an invitation) may arrive meanwhile.
    let started = Instant::now();
    loop {
        let mails = mails_to(folder, email);
        if let Some(code) = mails.iter().filter(|mail| !before.contains(mail)).find_map(|mail| code_in(mail)) {
            return code;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no code reached {email}: {mails:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn authenticate(api: &Api, email: &str, code: &str) -> crate::support::Answer {
    api.call(Method::POST, "/v1/login-code/authenticate", None, Some(json!({ "email": email, "code": code }))).await
}

async fn user_count(api: &Api) -> usize {
    data::users(&api.store).await.unwrap().len()
}

#[tokio::test]
async fn login_code_is_mailed_as_six_uppercase_alphanumerics() {
    let (api, folder) = mailing().await;
    let code = request_code(&api, &folder, "dev@example.com").await;
    assert_eq!(code.len(), login_code::LENGTH);
    assert!(code.bytes().all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit()), "{code}");
}

#[tokio::test]
async fn login_code_first_sign_in_creates_the_account_unverified() {
    let (api, folder) = mailing().await;
    let users = user_count(&api).await;
    let code = request_code(&api, &folder, "Dev@Example.com").await;
    let answer = authenticate(&api, "dev@example.com", &code.to_lowercase()).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert!(answer.json["token"].as_str().unwrap().starts_with("polar_pat_"));
    assert!(answer.json["expires_at"].is_null());
    let user_id = membership::UserId::parse(answer.json["user_id"].as_str().unwrap()).unwrap();
    let user = data::user(&api.store, user_id).await.unwrap().unwrap();
    assert_eq!(user.verification, VerificationStatus::Unverified);
    assert_eq!(user_count(&api).await, users + 1);

    // The second sign-in is the same account.
    let code = request_code(&api, &folder, "dev@example.com").await;
    let again = authenticate(&api, "DEV@example.com", &code).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.json["user_id"], answer.json["user_id"]);
    assert_eq!(user_count(&api).await, users + 1);
}

#[tokio::test]
async fn login_code_of_an_existing_user_signs_them_in() {
    let (api, folder) = mailing().await;
    let code = request_code(&api, &folder, "owner@example.com").await;
    let answer = authenticate(&api, "owner@example.com", &code).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    assert_eq!(answer.json["user_id"], api.created.user_id.to_string());
    // The owner's new token acts in their organization without naming it.
    let token = answer.json["token"].as_str().unwrap();
    let team = api.call(Method::GET, &api.organization("/members"), Some(token), None).await;
    assert_eq!(team.status, StatusCode::OK, "{team:?}");
}

/// The 401 every refused code gets, whatever the reason.
fn assert_refused(answer: &crate::support::Answer) {
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer:?}");
    assert_eq!(answer.error(), "LoginCodeInvalidOrExpired");
    assert!(answer.json["detail"].as_str().unwrap().contains("/v1/login-code/request"));
}

#[tokio::test]
async fn login_code_wrong_is_refused_and_creates_nobody() {
    let (api, folder) = mailing().await;
    let users = user_count(&api).await;
    let code = request_code(&api, &folder, "dev@example.com").await;
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    assert_refused(&authenticate(&api, "dev@example.com", wrong).await);
    assert_eq!(user_count(&api).await, users);
    // The right code still works after one wrong try.
    assert_eq!(authenticate(&api, "dev@example.com", &code).await.status, StatusCode::OK);
}

#[tokio::test]
async fn login_code_is_good_only_for_its_email() {
    let (api, folder) = mailing().await;
    let users = user_count(&api).await;
    let code = request_code(&api, &folder, "dev@example.com").await;
    assert_refused(&authenticate(&api, "other@example.com", &code).await);
    assert_eq!(user_count(&api).await, users);
}

#[tokio::test]
async fn login_code_is_used_once() {
    let (api, folder) = mailing().await;
    let code = request_code(&api, &folder, "dev@example.com").await;
    assert_eq!(authenticate(&api, "dev@example.com", &code).await.status, StatusCode::OK);
    let users = user_count(&api).await;
    assert_refused(&authenticate(&api, "dev@example.com", &code).await);
    assert_eq!(user_count(&api).await, users);
}

#[tokio::test]
async fn login_code_void_after_too_many_wrong_tries() {
    let (api, folder) = mailing().await;
    let users = user_count(&api).await;
    let code = request_code(&api, &folder, "dev@example.com").await;
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    for _ in 0..login_code::MAX_ATTEMPTS {
        assert_refused(&authenticate(&api, "dev@example.com", wrong).await);
    }
    assert_refused(&authenticate(&api, "dev@example.com", &code).await);
    assert_eq!(user_count(&api).await, users);
}

#[tokio::test]
async fn login_code_expired_is_refused() {
    let (api, _folder) = mailing().await;
    let users = user_count(&api).await;
    let email = Email::parse("dev@example.com").unwrap();
    let at = now();
    let hash = login_code::code_hash(&email, "ABC123");
    // Made 31 minutes ago, expired a minute ago.
    let made = membership::Timestamp::from_unix_micros(at.unix_micros() - 31 * 60 * 1_000_000).unwrap();
    let expired = membership::Timestamp::from_unix_micros(at.unix_micros() - 60 * 1_000_000).unwrap();
    data::put_login_code(&api.store, &email.folded(), &hash, made, expired).await.unwrap();
    assert_refused(&authenticate(&api, "dev@example.com", "ABC123").await);
    assert_eq!(user_count(&api).await, users);
}

#[tokio::test]
async fn login_code_with_no_code_requested_is_refused() {
    let (api, _folder) = mailing().await;
    assert_refused(&authenticate(&api, "nobody@example.com", "ABC123").await);
}

#[tokio::test]
async fn login_code_request_tells_nobody_whether_an_account_exists() {
    let (api, _folder) = mailing().await;
    let known =
        api.call(Method::POST, "/v1/login-code/request", None, Some(json!({ "email": "owner@example.com" }))).await;
    let unknown =
        api.call(Method::POST, "/v1/login-code/request", None, Some(json!({ "email": "new@example.com" }))).await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(unknown.status, StatusCode::ACCEPTED);
    assert_eq!(known.json, Value::Null);
    assert_eq!(unknown.json, Value::Null);
}

#[tokio::test]
async fn login_code_request_with_a_malformed_email_is_422() {
    let (api, _folder) = mailing().await;
    let answer = api.call(Method::POST, "/v1/login-code/request", None, Some(json!({ "email": "not an email" }))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{answer:?}");
    let missing =
        api.call(Method::POST, "/v1/login-code/authenticate", None, Some(json!({ "email": "a@b.example" }))).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{missing:?}");
}

/// The seed's "invite → they join": the invitation email carries the accept link; the
/// invitee signs in with a mailed code (their account is created) and accepts through it.
#[tokio::test]
async fn org_4_invitation_mail_carries_the_join_link_the_invitee_accepts() {
    let (api, folder) = mailing().await;
    let owner = api.created.user_token.clone();
    let invite = api.organization("/members/invite");
    let invited = api.call(Method::POST, &invite, Some(&owner), Some(json!({ "email": "dev@example.com" }))).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{invited:?}");
    let link = format!(
        "{PUBLIC_URL}/v1/organizations/{}/invitations/{}/accept",
        api.created.organization_id,
        invited.json["id"].as_str().unwrap()
    );
    let mail = wait_for_mails(&folder, "dev@example.com", 1).await.pop().unwrap();
    assert!(mail.contains(&link), "{mail}");
    assert!(mail.contains("owner@example.com invited you"), "{mail}");

    let code = request_code(&api, &folder, "dev@example.com").await;
    let signed_in = authenticate(&api, "dev@example.com", &code).await;
    let token = signed_in.json["token"].as_str().unwrap().to_owned();
    // A user of no organization yet: merchant routes without the header find none.
    let before = api.call(Method::GET, "/v1/customers/", Some(&token), None).await;
    assert_ne!(before.status, StatusCode::OK, "{before:?}");
    let path = link.strip_prefix(PUBLIC_URL).unwrap();
    let accepted = api.call(Method::POST, path, Some(&token), None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{accepted:?}");
    assert_eq!(accepted.json["status"], "accepted");
    // Now a member: the same token lists the team without naming the organization.
    let team = api.call(Method::GET, &api.organization("/members"), Some(&token), None).await;
    assert_eq!(team.status, StatusCode::OK, "{team:?}");
    assert_eq!(team.json["pagination"]["total_count"], 2);
}

#[tokio::test]
async fn org_4_invitation_resent_is_mailed_again_and_a_member_is_not_mailed() {
    let (api, folder) = mailing().await;
    let owner = api.created.user_token.clone();
    let invite = api.organization("/members/invite");
    for _ in 0..2 {
        let answer = api.call(Method::POST, &invite, Some(&owner), Some(json!({ "email": "dev@example.com" }))).await;
        assert!(answer.status.is_success(), "{answer:?}");
    }
    wait_for_mails(&folder, "dev@example.com", 2).await;
    let member = api.call(Method::POST, &invite, Some(&owner), Some(json!({ "email": "owner@example.com" }))).await;
    assert_eq!(member.status, StatusCode::OK, "{member:?}");
    assert_eq!(member.json["role"], "owner");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(mails_to(&folder, "owner@example.com").is_empty());
}

#[tokio::test]
async fn mail_failure_does_not_fail_the_invite_or_the_code_request() {
    // Nothing listens on port 1: every send fails (and is retried in the background).
    let api = with_mailer(Mailer::smtp("smtp://127.0.0.1:1", "no-reply@membership.test").unwrap()).await;
    let owner = api.created.user_token.clone();
    let invite = api.organization("/members/invite");
    let invited = api.call(Method::POST, &invite, Some(&owner), Some(json!({ "email": "dev@example.com" }))).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{invited:?}");
    let requested =
        api.call(Method::POST, "/v1/login-code/request", None, Some(json!({ "email": "dev@example.com" }))).await;
    assert_eq!(requested.status, StatusCode::ACCEPTED, "{requested:?}");
}

#[tokio::test]
async fn mail_send_now_reports_an_unreachable_relay() {
    let mailer = Mailer::smtp("smtp://127.0.0.1:1", "no-reply@membership.test").unwrap();
    let letter = login_code::letter(&Email::parse("dev@example.com").unwrap(), "ABC123");
    assert!(mailer.send_now(&letter).await.is_err());
    assert!(Mailer::smtp("http://example.com", "no-reply@membership.test").is_err());
    assert!(Mailer::folder(Path::new("/tmp"), "not a mailbox").is_err());
    // A folder that cannot be created fails the send.
    let blocked = std::env::temp_dir().join(format!("membership-mail-{}", uuid::Uuid::new_v4()));
    std::fs::write(&blocked, "in the way").unwrap();
    assert!(
        Mailer::folder(&blocked.join("mail"), "no-reply@membership.test").unwrap().send_now(&letter).await.is_err()
    );
}

#[tokio::test]
async fn login_code_redeemed_concurrently_signs_in_once() {
    let (api, folder) = mailing().await;
    let code = request_code(&api, &folder, "dev@example.com").await;
    let (first, second) =
        tokio::join!(authenticate(&api, "dev@example.com", &code), authenticate(&api, "dev@example.com", &code));
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNAUTHORIZED], "{first:?} {second:?}");
}

#[tokio::test]
async fn login_code_request_replaces_the_previous_code() {
    let (api, folder) = mailing().await;
    let old = request_code(&api, &folder, "dev@example.com").await;
    let new = request_code(&api, &folder, "dev@example.com").await;
    if old != new {
        assert_refused(&authenticate(&api, "dev@example.com", &old).await);
    }
    assert_eq!(authenticate(&api, "dev@example.com", &new).await.status, StatusCode::OK);
}

/// ORG-10's seam: a signed-in invitee is unverified, so ownership cannot move to them
/// until the operator's `users verify` (here its data call) records the verification.
#[tokio::test]
async fn org_10_a_signed_in_member_takes_ownership_once_verified() {
    let (api, folder) = mailing().await;
    let owner = api.created.user_token.clone();
    let invite = api.organization("/members/invite");
    let invited = api.call(Method::POST, &invite, Some(&owner), Some(json!({ "email": "heir@example.com" }))).await;
    let code = request_code(&api, &folder, "heir@example.com").await;
    let signed_in = authenticate(&api, "heir@example.com", &code).await;
    let (token, heir) = (signed_in.json["token"].as_str().unwrap(), signed_in.json["user_id"].as_str().unwrap());
    let accept = api.organization(&format!("/invitations/{}/accept", invited.json["id"].as_str().unwrap()));
    assert_eq!(api.call(Method::POST, &accept, Some(token), None).await.status, StatusCode::OK);

    let offers = api.organization("/ownership-offers");
    let refused = api.call(Method::POST, &offers, Some(&owner), Some(json!({ "to": heir }))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "new_owner_not_verified: {refused:?}");
    assert_eq!(data::verify_email(&api.store, "heir@example.com").await.unwrap(), 1);
    assert_eq!(data::verify_email(&api.store, "nobody@example.com").await.unwrap(), 0);
    let offer = api.call(Method::POST, &offers, Some(&owner), Some(json!({ "to": heir }))).await;
    assert_eq!(offer.status, StatusCode::CREATED, "{offer:?}");
    let accept = api.organization(&format!("/ownership-offers/{}/accept", offer.json["id"].as_str().unwrap()));
    assert_eq!(api.call(Method::POST, &accept, Some(token), None).await.status, StatusCode::OK);
}

/// A new user, signed in and of no organization yet, sees none and can create their own
/// (ORG-3), then acts in it without naming it.
#[tokio::test]
async fn org_3_a_signed_in_user_of_no_organization_lists_none_and_creates_one() {
    let (api, folder) = mailing().await;
    let code = request_code(&api, &folder, "founder@example.com").await;
    let signed_in = authenticate(&api, "founder@example.com", &code).await;
    let token = signed_in.json["token"].as_str().unwrap();
    let none = api.call(Method::GET, "/v1/organizations/", Some(token), None).await;
    assert_eq!(none.status, StatusCode::OK, "{none:?}");
    assert_eq!(none.json["items"], json!([]));
    let body = json!({ "name": "Founder Inc", "slug": "founder-inc" });
    let created = api.call(Method::POST, "/v1/organizations/", Some(token), Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let team = format!("/v1/organizations/{}/members", created.json["id"].as_str().unwrap());
    let members = api.call(Method::GET, &team, Some(token), None).await;
    assert_eq!(members.json["items"][0]["role"], "owner", "{members:?}");
    let customers = api.call(Method::GET, "/v1/customers/", Some(token), None).await;
    assert_eq!(customers.status, StatusCode::OK, "acts in its only organization: {customers:?}");
}

/// A failed send is tried again ([`membership_server::mail::RETRY_WAITS`]): the folder's
/// path taken by a file at the first attempt and free before the second, the message
/// arrives.
#[tokio::test]
async fn mail_failed_once_is_retried() {
    let folder = std::env::temp_dir().join(format!("membership-mail-{}", uuid::Uuid::new_v4()));
    let mailer = Mailer::folder(&folder, "no-reply@membership.test").unwrap();
    std::fs::write(&folder, "in the way").unwrap();
    mailer.send(login_code::letter(&Email::parse("dev@example.com").unwrap(), "ABC123"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::remove_file(&folder).unwrap();
    let mail = wait_for_mails(&folder, "dev@example.com", 1).await.pop().unwrap();
    assert_eq!(code_in(&mail).as_deref(), Some("ABC123"));
}
