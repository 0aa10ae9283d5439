//! `membership-server tokens` as an operator runs it: create prints a working token once,
//! list never prints one, revoke stops it working on a running server; exit codes 0, 1
//! (refused) and 2 (no database), as `verify`'s.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::{BINARY, Server, log_file};

fn tokens(url: &str, args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(["--database-url", url, "tokens"])
        .args(args)
        .env_remove("MEMBERSHIP_DATABASE_URL")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {} stderr: {}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn tokens_create_list_and_revoke_from_the_command_line() {
    let path = std::env::temp_dir().join(format!("membership-tokens-{}.db", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", path.display());
    let setup = Command::new(BINARY)
        .args(["--database-url", &url, "setup", "--json"])
        .env_remove("MEMBERSHIP_DATABASE_URL")
        .output()
        .unwrap();
    assert_exit(&setup, 0);
    let created: Value = serde_json::from_slice(&setup.stdout).unwrap();
    let organization = created["organization_id"].as_str().unwrap().to_owned();
    let customer = created["customer_id"].as_str().unwrap().to_owned();

    // An organization token: the token alone on stdout.
    let output = tokens(&url, &["create", "--organization", &organization, "--scope", "members:read"]);
    assert_exit(&output, 0);
    let token = stdout(&output).trim().to_owned();
    assert!(token.starts_with("polar_oat_"), "{token}");
    // A member's personal token, as JSON.
    let output = tokens(
        &url,
        &[
            "create",
            "--organization",
            &organization,
            "--user",
            "OWNER@example.com",
            "--scope",
            "members:read,members:write",
            "--expires-in-days",
            "7",
            "--json",
        ],
    );
    assert_exit(&output, 0);
    let personal: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(personal["kind"], "user");
    assert_eq!(personal["scopes"], serde_json::json!(["members:read", "members:write"]));
    assert!(personal["token"].as_str().unwrap().starts_with("polar_pat_"));
    assert!(personal["expires_at"].is_string());

    // Listed, never shown.
    let output = tokens(&url, &["list", "--json"]);
    assert_exit(&output, 0);
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let listed = listed.as_array().unwrap();
    // `setup`'s two and these two; member sessions are not access tokens.
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(!stdout(&output).contains(&token) && !stdout(&output).contains(personal["token"].as_str().unwrap()));
    let id = listed
        .iter()
        .rev()
        .find(|item| item["kind"] == "organization")
        .and_then(|item| item["id"].as_str())
        .unwrap()
        .to_owned();
    let text = tokens(&url, &["list", "--organization", &organization]);
    assert_exit(&text, 0);
    assert!(stdout(&text).contains(&format!("{id} organization organization={organization}")), "{}", stdout(&text));

    // Revoked while a server runs: it stops working there within the token cache time.
    let log = log_file("tokens");
    let mut server = Server::start(&url, &log).await;
    let client = reqwest::Client::new();
    let members = format!("{}/v1/customers/{customer}/members", server.base);
    let status = || async { client.get(&members).bearer_auth(&token).send().await.unwrap().status().as_u16() };
    assert_eq!(status().await, 200);
    let output = tokens(&url, &["revoke", &id]);
    assert_exit(&output, 0);
    assert!(stdout(&output).contains(&format!("revoked {id}")));
    let revoked_at = Instant::now();
    while status().await != 401 {
        assert!(revoked_at.elapsed() < Duration::from_secs(3), "still accepted 3 s after revocation");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop().await;

    // Refusals exit 1; a database that cannot be opened, 2.
    assert_exit(&tokens(&url, &["revoke", &id]), 1);
    assert_exit(&tokens(&url, &["revoke", "not-an-id"]), 1);
    assert_exit(&tokens(&url, &["create", "--organization", &organization, "--scope", "members:everything"]), 1);
    let stranger = uuid::Uuid::new_v4().to_string();
    assert_exit(&tokens(&url, &["create", "--organization", &stranger, "--scope", "members:read"]), 1);
    let not_member =
        ["create", "--organization", &organization, "--user", "nobody@example.com", "--scope", "members:read"];
    assert_exit(&tokens(&url, &not_member), 1);
    let missing = std::env::temp_dir().join("membership-tokens-no-such-directory").join("x.db");
    assert_exit(&tokens(&format!("sqlite://{}", missing.display()), &["list"]), 2);
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
}
