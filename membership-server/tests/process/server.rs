//! The real `membership-server` binary as a child process: `setup --json`, then `serve` on
//! a port of its own choosing (read back from its JSON log), killed with SIGKILL or stopped
//! with SIGTERM as an operator would.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BINARY: &str = env!("CARGO_BIN_EXE_membership-server");

/// What `setup --json` printed: ids and tokens.
#[derive(Clone, Debug)]
pub struct Created {
    pub customer_id: String,
    pub token: String,
}

/// Runs `membership-server --database-url URL setup --json [--webhook-url WEBHOOK]`.
pub fn setup(url: &str, webhook_url: Option<&str>) -> Created {
    let mut command = Command::new(BINARY);
    command.args(["--database-url", url, "setup", "--json"]);
    if let Some(webhook_url) = webhook_url {
        command.args(["--webhook-url", webhook_url]);
    }
    let output = command.env_remove("MEMBERSHIP_DATABASE_URL").output().unwrap();
    assert!(output.status.success(), "setup failed: {}", String::from_utf8_lossy(&output.stderr));
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = |field: &str| created[field].as_str().unwrap().to_owned();
    Created { customer_id: text("customer_id"), token: text("organization_token") }
}

/// A running `membership-server serve`, its JSON log appended to `log`.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The log file (every start of a test appends to the same one).
    pub log: PathBuf,
    /// Where this process's lines start in the log.
    from: u64,
}

/// The log file of a test, fresh.
pub fn log_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("membership-process-{name}-{}.log", uuid::Uuid::new_v4().simple()));
    File::create(&path).unwrap();
    path
}

impl Server {
    /// Starts `serve` on `url` and waits (at most 20 s) until it listens.
    pub async fn start(url: &str, log: &Path) -> Server {
        let from = std::fs::metadata(log).unwrap().len();
        let out = OpenOptions::new().append(true).open(log).unwrap();
        let err = out.try_clone().unwrap();
        let child = Command::new(BINARY)
            .args(["--database-url", url, "serve", "--listen", "127.0.0.1:0", "--json-logs", "--webhook-poll-ms", "50"])
            .env("RUST_LOG", "info")
            .env_remove("MEMBERSHIP_DATABASE_URL")
            .env_remove("MEMBERSHIP_LISTEN")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap();
        let mut server = Server { child, base: String::new(), log: log.to_owned(), from };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(address) = server.lines().iter().find_map(|line| {
                (line["fields"]["message"] == "listening")
                    .then(|| line["fields"]["address"].as_str().map(str::to_owned))?
            }) {
                server.base = format!("http://{address}");
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited before listening ({status}): {}", server.text());
            }
            assert!(Instant::now() < deadline, "the server did not listen within 20 s: {}", server.text());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and reap it.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM (a graceful stop) and its exit status, within 15 s.
    pub async fn stop(&mut self) -> ExitStatus {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop within 15 s of SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// This process's log lines that are JSON.
    pub fn lines(&self) -> Vec<Value> {
        let mut file = File::open(&self.log).unwrap();
        file.seek(SeekFrom::Start(self.from)).unwrap();
        BufReader::new(file).lines().map_while(Result::ok).filter_map(|line| serde_json::from_str(&line).ok()).collect()
    }

    /// This process's log as text.
    fn text(&self) -> String {
        let mut file = File::open(&self.log).unwrap();
        file.seek(SeekFrom::Start(self.from)).unwrap();
        BufReader::new(file).lines().map_while(Result::ok).collect::<Vec<_>>().join("\n")
    }

    /// Why requests were answered 503: each distinct database error the log gives for
    /// `database_unavailable`, with how often.
    pub fn unavailable_causes(&self) -> String {
        let mut causes = std::collections::BTreeMap::new();
        for line in self.lines() {
            let fields = &line["fields"];
            if fields["message"] == "request failed" && fields["code"] == "database_unavailable" {
                let error = fields["error"].as_str().unwrap_or_default();
                *causes.entry(error.chars().take(160).collect::<String>()).or_insert(0_usize) += 1;
            }
        }
        if causes.is_empty() {
            return "none".to_owned();
        }
        causes.iter().map(|(cause, count)| format!("{count}× {cause}")).collect::<Vec<_>>().join("; ")
    }

    /// The log lines of requests that failed with a 5xx other than 503 (`request failed`
    /// with a code other than `database_unavailable`), and of panics.
    pub fn failures(&self) -> Vec<String> {
        self.text()
            .lines()
            .filter(|line| {
                (line.contains("request failed") && !line.contains("database_unavailable")) || line.contains("panicked")
            })
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
