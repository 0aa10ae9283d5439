//! ORG-4 and the invitation and offer actions answer what their own command did (docs/rules.md#answers):
//! never a read afterwards, which a concurrent command may already have moved on.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::json;
use tokio::sync::Barrier;

use crate::support::{Answer, Api};

const CLIENTS: usize = 8;

async fn invite(api: &Api, email: &str) -> Answer {
    let owner = api.created.user_token.clone();
    api.call(Method::POST, &api.organization("/members/invite"), Some(&owner), Some(json!({ "email": email }))).await
}

#[tokio::test]
async fn org_4_invite_answers_201_new_200_resent_and_200_existing_membership() {
    let api = Api::new().await;
    let first = invite(&api, "new@example.com").await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert_eq!(first.json["status"], "pending");
    // A pending invitation for the same folded email: the same invitation, resent.
    let again = invite(&api, "NEW@example.com").await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.json["id"], first.json["id"]);
    assert_eq!(again.json["email"], "new@example.com", "the stored email text stays");
    assert!(again.json["expires_at"].as_str() >= first.json["expires_at"].as_str(), "its expiry moved");
    // An existing member: the membership, and no invitation.
    let member = invite(&api, "owner@example.com").await;
    assert_eq!(member.status, StatusCode::OK, "{member:?}");
    assert_eq!(member.json["user_id"], api.created.user_id.to_string());
    assert_eq!(member.json["role"], "owner");
    assert!(member.json.get("expires_at").is_none(), "a membership, not an invitation: {member:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_4_concurrent_invites_of_one_email_make_one_invitation_and_answer_it() {
    for _ in 0..3 {
        let api = Arc::new(Api::new().await);
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (api, barrier) = (api.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    invite(&api, "same@example.com").await
                })
            })
            .collect();
        let mut created = 0;
        let mut ids = Vec::new();
        for task in tasks {
            let answer = task.await.unwrap();
            match answer.status {
                StatusCode::CREATED => created += 1,
                StatusCode::OK => {}
                _ => panic!("not an answer a serial order allows: {answer:?}"),
            }
            assert_eq!(answer.json["status"], "pending", "{answer:?}");
            ids.push(answer.json["id"].clone());
        }
        ids.dedup();
        assert_eq!((created, ids.len()), (1, 1), "one invitation made, the same one answered to all");
        assert!(api.store.verify().await.unwrap().mismatched.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn org_5_resend_and_revoke_released_together_each_answer_their_own_command() {
    for _ in 0..4 {
        let api = Arc::new(Api::new().await);
        let invited = invite(&api, "late@example.com").await;
        let id = invited.json["id"].as_str().unwrap().to_owned();
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = ["resend", "revoke"]
            .into_iter()
            .map(|action| {
                let (api, barrier, id) = (api.clone(), barrier.clone(), id.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let path = api.organization(&format!("/invitations/{id}/{action}"));
                    let owner = api.created.user_token.clone();
                    api.call(Method::POST, &path, Some(&owner), None).await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        let [resend, revoke]: [Answer; 2] = answers.try_into().unwrap();
        // Revoked either way; the resend either came first (pending, as it left it) or
        // found it revoked (refused).
        assert_eq!(revoke.status, StatusCode::OK, "{revoke:?}");
        assert_eq!(revoke.json["status"], "revoked");
        match resend.status {
            StatusCode::OK => assert_eq!(resend.json["status"], "pending", "{resend:?}"),
            // `invitation_not_open`, in Polar's shape.
            _ => assert_eq!(resend.status, StatusCode::CONFLICT, "{resend:?}"),
        }
    }
}

#[tokio::test]
async fn org_9_an_offer_and_its_acceptance_answer_what_they_did() {
    let api = Api::new().await;
    let invited = invite(&api, "heir@example.com").await;
    let (heir, token) = api.user("heir@example.com", membership::organization::VerificationStatus::Verified).await;
    let accept = api.organization(&format!("/invitations/{}/accept", invited.json["id"].as_str().unwrap()));
    let joined = api.call(Method::POST, &accept, Some(&token), None).await;
    assert_eq!(joined.json["status"], "accepted", "{joined:?}");
    let owner = api.created.user_token.clone();
    let offered =
        api.call(Method::POST, &api.organization("/ownership-offers"), Some(&owner), Some(json!({ "to": heir }))).await;
    assert_eq!(offered.status, StatusCode::CREATED, "{offered:?}");
    assert_eq!(offered.json["status"], "pending");
    let path = api.organization(&format!("/ownership-offers/{}/accept", offered.json["id"].as_str().unwrap()));
    let accepted = api.call(Method::POST, &path, Some(&token), None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{accepted:?}");
    assert_eq!(accepted.json["status"], "accepted");
    let promoted = api
        .call(
            Method::PATCH,
            &api.organization(&format!("/members/{}", api.created.user_id)),
            Some(&token),
            Some(json!({ "role": "member" })),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{promoted:?}");
    assert_eq!(promoted.json["role"], "member", "the former owner as this change left them");
    assert_eq!(promoted.json["email"], "owner@example.com");
}
