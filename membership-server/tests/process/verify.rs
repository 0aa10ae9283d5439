//! `membership-server verify` as an operator runs it: 0 when the tables are what the
//! journal replays to, 1 naming each stream that differs, 2 when it cannot read.

use std::process::{Command, Output};

use membership_sqlx::Store;

use crate::server::{self, BINARY};

fn verify(url: &str, json: bool) -> Output {
    let mut command = Command::new(BINARY);
    command.args(["--database-url", url, "verify"]);
    if json {
        command.arg("--json");
    }
    command.env_remove("MEMBERSHIP_DATABASE_URL").output().unwrap()
}

fn sqlite_url() -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("membership-verify-{}.db", uuid::Uuid::new_v4().simple()));
    (format!("sqlite://{}", path.display()), path)
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
}

#[tokio::test]
async fn verify_exits_0_when_every_table_matches_its_journal() {
    let (url, path) = sqlite_url();
    server::setup(&url, None);
    let output = verify(&url, false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("every table matches its journal"), "{stdout}");
    let json: serde_json::Value = serde_json::from_slice(&verify(&url, true).stdout).unwrap();
    assert!(json["streams"].as_u64().unwrap() >= 2, "{json}");
    assert_eq!(json["mismatched"], serde_json::json!([]));
    remove(&path);
}

#[tokio::test]
async fn verify_exits_1_naming_a_stream_whose_table_differs_from_its_journal() {
    let (url, path) = sqlite_url();
    let created = server::setup(&url, None);
    // A row edited behind the store's back, as a bad restore or a hand-made fix would.
    let store = Store::open(&url).await.unwrap();
    sqlx::query("UPDATE members SET name = 'edited by hand' WHERE customer_id = $1")
        .bind(created.customer_id.clone())
        .execute(store.pool())
        .await
        .unwrap();
    store.pool().close().await;
    let output = verify(&url, false);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&format!("differs from its journal: customer `{}`", created.customer_id)), "{stdout}");
    let json: serde_json::Value = serde_json::from_slice(&verify(&url, true).stdout).unwrap();
    assert_eq!(json["mismatched"], serde_json::json!([{ "aggregate": "customer", "id": created.customer_id }]));
    remove(&path);
}

#[tokio::test]
async fn verify_exits_2_when_it_cannot_read_the_database() {
    let path = std::env::temp_dir().join("membership-verify-no-such-directory").join("x.db");
    let output = verify(&format!("sqlite://{}", path.display()), false);
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stdout));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot verify"));
}
