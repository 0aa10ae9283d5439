//! Many requests released together against a real database: every answer is one a serial
//! order allows, and the rules hold after.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::json;
use tokio::sync::Barrier;

use crate::support::Api;

const CLIENTS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cus_3_concurrent_adds_of_one_email_make_one_member() {
    for _ in 0..3 {
        let api = Arc::new(Api::new().await);
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (api, barrier) = (api.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                api.post(&api.members(), json!({ "email": "same@example.com" })).await
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            let answer = task.await.unwrap();
            assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
            ids.push(answer.json["id"].clone());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one member, the same answer to everyone");
        let list = api.get(&format!("/v1/members/?customer_id={}", api.created.customer_id)).await;
        assert_eq!(list.json["pagination"]["total_count"], 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn inv_cus_concurrent_promotions_leave_exactly_one_owner() {
    for _ in 0..3 {
        let api = Arc::new(Api::new().await);
        let mut members = Vec::new();
        for n in 0..CLIENTS {
            members.push(api.add(&format!("m{n}@example.com")).await["id"].as_str().unwrap().to_owned());
        }
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let mut tasks = Vec::new();
        for id in members {
            let (api, barrier) = (api.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let path = format!("{}/{id}", api.members());
                api.call(Method::PATCH, &path, Some(api.org_token()), Some(json!({ "role": "owner" }))).await
            }));
        }
        for task in tasks {
            // Every promotion is allowed in any serial order: each one moves ownership.
            let answer = task.await.unwrap();
            assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
            assert_eq!(answer.json["role"], "owner");
        }
        let owners = api.get(&format!("/v1/members/?customer_id={}&role=owner", api.created.customer_id)).await;
        assert_eq!(owners.json["pagination"]["total_count"], 1, "exactly one owner");
        api.store.verify().await.unwrap();
    }
}
