//! `membership-server`: Polar's member API on `127.0.0.1:8000`, over an SQLite file by
//! default or PostgreSQL with `--database-url postgres://…`.
//!
//! ```text
//! membership-server setup          # an organization, a customer and tokens, printed once
//! membership-server                # serve
//! membership-server verify [--json]                   # replay the journal against the tables
//! membership-server webhooks failed [--json]          # deliveries that used up their attempts
//! membership-server webhooks requeue WEBHOOK_ID|--all # try them again
//! membership-server users list [--json]               # the users who signed in
//! membership-server users verify EMAIL                # identity verified (ORG-10)
//! membership-server tokens create --organization ID [--user EMAIL] --scope members:read
//! membership-server tokens list [--organization ID] [--json]
//! membership-server tokens revoke TOKEN_ID
//! ```
//!
//! Every setting is one flag, one environment variable and one default, read the same
//! way by every subcommand ([`Config`]).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use membership::{Email, ExternalId};
use membership_server::limits::Limits;
use membership_server::mail::{self, Mailer};
use membership_server::setup::Setup;
use membership_server::state::{self, now};
use membership_server::webhooks::{self, Deliverer, Settings};
use membership_server::{AppState, app, data};
use membership_sqlx::{Budget, Store};
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

/// Polar's member API over the membership store.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The settings, the same for every subcommand.
    #[command(flatten)]
    config: Config,
    /// What to do; serving is the default.
    #[command(subcommand)]
    command: Option<Command>,
}

/// The service's settings: each a flag (before or after the subcommand), an environment
/// variable, or its default, in that order.
#[derive(Debug, Args)]
struct Config {
    /// `sqlite://file.db` (created if missing) or `postgres://user:password@host/database`.
    #[arg(
        long,
        env = "MEMBERSHIP_DATABASE_URL",
        default_value = "sqlite://membership.db",
        global = true,
        help_heading = "Database"
    )]
    database_url: String,
    /// How long a request waits for a database connection, in milliseconds (the store's
    /// `Budget::acquire`): with the database down, a read answers 503 after this.
    #[arg(long, env = "MEMBERSHIP_DB_ACQUIRE_MS", default_value_t = millis(Budget::default().acquire), global = true, help_heading = "Database")]
    db_acquire_ms: u64,
    /// How long one statement may run, in milliseconds (`Budget::statement`).
    #[arg(long, env = "MEMBERSHIP_DB_STATEMENT_MS", default_value_t = millis(Budget::default().statement), global = true, help_heading = "Database")]
    db_statement_ms: u64,
    /// How long a write may take in all, retries included, in milliseconds
    /// (`Budget::command`): past it the request answers 503 with `Retry-After`.
    #[arg(long, env = "MEMBERSHIP_DB_COMMAND_MS", default_value_t = millis(Budget::default().command), global = true, help_heading = "Database")]
    db_command_ms: u64,
    /// The address to serve on (`0.0.0.0:8000` for every interface, port 0 for any free port).
    #[arg(long, env = "MEMBERSHIP_LISTEN", default_value = "127.0.0.1:8000", global = true, help_heading = "Server")]
    listen: SocketAddr,
    /// How long a request's headers may take, in milliseconds, from the connection's start
    /// or the previous answer: then 408 (or, with nothing sent, the connection closed).
    #[arg(long, env = "MEMBERSHIP_HEADER_TIMEOUT_MS", default_value_t = millis(Limits::default().header_timeout), value_parser = clap::value_parser!(u64).range(1..), global = true, help_heading = "Limits")]
    header_timeout_ms: u64,
    /// How long a request's body may take in all, in milliseconds: then 408.
    #[arg(long, env = "MEMBERSHIP_BODY_TIMEOUT_MS", default_value_t = millis(Limits::default().body_timeout), value_parser = clap::value_parser!(u64).range(1..), global = true, help_heading = "Limits")]
    body_timeout_ms: u64,
    /// Connections served at once; more get one 503 with `Retry-After` (health checks are
    /// answered) and are closed. Keep it under the process's file limit (`ulimit -n`).
    #[arg(long, env = "MEMBERSHIP_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections, value_parser = at_least_one, global = true, help_heading = "Limits")]
    max_connections: usize,
    /// Requests in flight at once, health checks excepted; more get 503 with `Retry-After`.
    #[arg(long, env = "MEMBERSHIP_MAX_IN_FLIGHT", default_value_t = Limits::default().max_in_flight, value_parser = at_least_one, global = true, help_heading = "Limits")]
    max_in_flight: usize,
    /// The longest request target (path and query), in bytes; longer is 414.
    #[arg(long, env = "MEMBERSHIP_MAX_URI_BYTES", default_value_t = Limits::default().max_uri_bytes, global = true, help_heading = "Limits")]
    max_uri_bytes: usize,
    /// The most header bytes a request may send; more is 431.
    #[arg(long, env = "MEMBERSHIP_MAX_HEADER_BYTES", default_value_t = Limits::default().max_header_bytes, global = true, help_heading = "Limits")]
    max_header_bytes: usize,
    /// How often the webhook task looks for new webhooks when idle, in milliseconds.
    #[arg(long, env = "MEMBERSHIP_WEBHOOK_POLL_MS", default_value_t = 200, global = true, help_heading = "Webhooks")]
    webhook_poll_ms: u64,
    /// Attempts per webhook and endpoint before the delivery is failed (see `webhooks failed`).
    #[arg(long, env = "MEMBERSHIP_WEBHOOK_MAX_ATTEMPTS", default_value_t = Settings::default().max_attempts, value_parser = clap::value_parser!(u32).range(1..), global = true, help_heading = "Webhooks")]
    webhook_max_attempts: u32,
    /// How long delivered webhooks are kept before they are pruned, in hours.
    #[arg(long, env = "MEMBERSHIP_WEBHOOK_RETENTION_HOURS", default_value_t = Settings::default().retention.as_secs() / 3600, global = true, help_heading = "Webhooks")]
    webhook_retention_hours: u64,
    /// How long a token is remembered after a read, in milliseconds: a token revoked by
    /// another process (or `tokens revoke`) keeps working here for at most this long.
    #[arg(long, env = "MEMBERSHIP_TOKEN_CACHE_MS", default_value_t = millis(state::PRINCIPAL_TTL), global = true, help_heading = "Server")]
    token_cache_ms: u64,
    /// Serve `GET /metrics` (Prometheus' text format, no token); `--metrics false` answers
    /// 404 there instead. Keep it from the public: see the README.
    #[arg(long, env = "MEMBERSHIP_METRICS", default_value_t = true, action = clap::ArgAction::Set, global = true, help_heading = "Server")]
    metrics: bool,
    /// Webhook POSTs in flight at most.
    #[arg(long, env = "MEMBERSHIP_WEBHOOK_PARALLELISM", default_value_t = Settings::default().parallelism, value_parser = clap::value_parser!(u32).range(1..), global = true, help_heading = "Webhooks")]
    webhook_parallelism: u32,
    /// Write each outgoing message (login codes, invitations) as an `.eml` file in this
    /// folder, created with the first message; unused with `--smtp-url`.
    #[arg(long, env = "MEMBERSHIP_MAIL_DIR", default_value = "./mail", global = true, help_heading = "Mail")]
    mail_dir: std::path::PathBuf,
    /// Send mail through this SMTP relay instead: `smtp://127.0.0.1:2525` (plain, for a
    /// local relay), `smtp://host:587?tls=required` (STARTTLS) or `smtps://user:password@host:465`.
    #[arg(long, env = "MEMBERSHIP_SMTP_URL", global = true, help_heading = "Mail")]
    smtp_url: Option<String>,
    /// The sender of outgoing mail.
    #[arg(long, env = "MEMBERSHIP_MAIL_FROM", default_value = mail::DEFAULT_FROM, global = true, help_heading = "Mail")]
    mail_from: String,
    /// Where clients reach the service, the base of mailed links [default: `http://` and
    /// the address served on].
    #[arg(long, env = "MEMBERSHIP_PUBLIC_URL", global = true, help_heading = "Mail")]
    public_url: Option<String>,
    /// Where a customer session's `customer_portal_url` points, when the portal is another
    /// front end [default: this service's own portal pages, the public URL and `/portal`].
    #[arg(long, env = "MEMBERSHIP_CUSTOMER_PORTAL_URL", global = true, help_heading = "Server")]
    customer_portal_url: Option<String>,
}

impl Config {
    /// The store's time budget.
    fn budget(&self) -> Budget {
        Budget {
            acquire: Duration::from_millis(self.db_acquire_ms),
            statement: Duration::from_millis(self.db_statement_ms),
            command: Duration::from_millis(self.db_command_ms),
        }
    }

    /// The store, with the service's tables, under the budget.
    async fn open(&self) -> Result<Store, membership_sqlx::StoreError> {
        data::open_with(&self.database_url, self.budget()).await
    }

    /// What one client may hold of the server.
    fn limits(&self) -> Limits {
        Limits {
            header_timeout: Duration::from_millis(self.header_timeout_ms),
            body_timeout: Duration::from_millis(self.body_timeout_ms),
            max_connections: self.max_connections,
            max_in_flight: self.max_in_flight,
            max_uri_bytes: self.max_uri_bytes,
            max_header_bytes: self.max_header_bytes,
        }
    }

    /// The webhook task's settings.
    fn webhooks(&self) -> Settings {
        Settings {
            max_attempts: self.webhook_max_attempts,
            parallelism: self.webhook_parallelism,
            // Saturating: an absurd retention keeps everything rather than panicking.
            retention: Duration::from_secs(self.webhook_retention_hours.saturating_mul(3600)),
            ..Settings::default()
        }
    }
}

impl Config {
    /// The mailer the settings name: the SMTP relay, or the folder.
    fn mailer(&self) -> Result<Mailer, mail::MailError> {
        match &self.smtp_url {
            Some(url) => Mailer::smtp(url, &self.mail_from),
            None => Mailer::folder(&self.mail_dir, &self.mail_from),
        }
    }
}

/// A count that must be at least one.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(count) => Ok(count),
        Err(error) => Err(error.to_string()),
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve(Serve),
    /// Replay every journal against the state tables and report the streams that differ:
    /// exit 0 when none does, 1 when one does, 2 when the database cannot be read or a
    /// journal cannot be replayed.
    Verify {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create, list and revoke organization and personal access tokens: exit 0 when done,
    /// 1 when refused (no such organization, user, scope or token), 2 when the database
    /// cannot be read.
    Tokens {
        /// What to do.
        #[command(subcommand)]
        command: membership_server::tokens_cli::Tokens,
    },
    /// Look at and re-queue webhook deliveries that used up their attempts.
    Webhooks {
        /// What to do.
        #[command(subcommand)]
        command: Webhooks,
    },
    /// The users the server knows, and their identity verification (ORG-10).
    Users {
        /// What to do.
        #[command(subcommand)]
        command: Users,
    },
    /// Create an organization, its owner, a team customer and one token of each kind,
    /// and print them once.
    Setup {
        /// The organization owner's email.
        #[arg(long, default_value = "owner@example.com")]
        owner_email: String,
        /// The customer owner's email.
        #[arg(long, default_value = "customer@example.com")]
        customer_email: String,
        /// The customer's external id.
        #[arg(long)]
        customer_external_id: Option<String>,
        /// Send the organization's webhooks here (a signing secret is printed).
        #[arg(long)]
        webhook_url: Option<String>,
        /// Also create an individual customer (it takes no second member).
        #[arg(long)]
        individual_customer: bool,
        /// Print JSON instead of shell variables.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum Users {
    /// List every user: id, email and verification.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Mark the user(s) with this email verified, so they may take ownership (ORG-10). A
    /// real deployment calls this from its identity provider once it has checked them.
    Verify {
        /// The user's email.
        email: String,
    },
}

#[derive(Debug, Default, Args)]
struct Serve {
    /// Log as JSON lines instead of text.
    #[arg(long)]
    json_logs: bool,
}

/// A duration in whole milliseconds, for a flag's default.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[derive(Debug, Subcommand)]
enum Webhooks {
    /// List the deliveries that used up their attempts, the longest failed first.
    Failed {
        /// At most this many.
        #[arg(long, default_value_t = 1000)]
        limit: u64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Put failed deliveries back in the queue, with a fresh set of attempts.
    #[command(group = clap::ArgGroup::new("which").required(true))]
    Requeue {
        /// The webhook whose failed deliveries to re-queue (its `webhook-id`).
        #[arg(group = "which")]
        webhook_id: Option<String>,
        /// Re-queue every failed delivery.
        #[arg(long, group = "which")]
        all: bool,
    },
}

/// mimalloc instead of the system allocator: see the dependency's note in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("membership-server: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = cli.config;
    match cli.command.unwrap_or_else(|| Command::Serve(Serve::default())) {
        Command::Serve(serve_args) => serve(&config, &serve_args).await?,
        Command::Verify { json } => return Ok(verify(&config, json).await),
        Command::Webhooks { command } => operate(&config, command).await?,
        Command::Users { command } => return users(&config, command).await,
        Command::Tokens { command } => return Ok(membership_server::tokens_cli::run(config.open(), command).await),
        Command::Setup {
            owner_email,
            customer_email,
            customer_external_id,
            webhook_url,
            individual_customer,
            json,
        } => {
            let store = config.open().await?;
            let setup = Setup {
                owner_email: Email::parse(&owner_email)?,
                customer_email: Email::parse(&customer_email)?,
                customer_external_id: customer_external_id.as_deref().map(ExternalId::parse).transpose()?.flatten(),
                webhook_url,
                individual_customer,
            };
            let created = setup.run(&store).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                println!("# Shown once: only their hashes are stored.");
                println!("export ORGANIZATION_ID={}", created.organization_id);
                println!("export CUSTOMER_ID={}", created.customer_id);
                println!("export MEMBER_ID={}", created.member_id);
                println!("export USER_ID={}", created.user_id);
                println!("export POLAR_ACCESS_TOKEN={}", created.organization_token);
                println!("export USER_TOKEN={}", created.user_token);
                println!("export MEMBER_SESSION_TOKEN={}", created.member_session_token);
                if let Some(id) = created.individual_customer_id {
                    println!("export INDIVIDUAL_CUSTOMER_ID={id}");
                }
                if let Some(secret) = created.webhook_secret {
                    println!("export WEBHOOK_SECRET={secret}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: &Config, args: &Serve) -> Result<(), Box<dyn std::error::Error>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if args.json_logs {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let store = config.open().await?;
    let settings = config.webhooks();
    let limits = config.limits();
    let (stop, stopped) = watch::channel(false);
    let backend = store.backend();
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, ?backend, ?settings, ?limits, "listening");
    let mailer = config.mailer()?;
    // The address taken, not the one asked for: port 0 asks for any free port.
    let public_url = match &config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", listener.local_addr()?),
    };
    tracing::info!(mail = %mailer.describe(), %public_url, "mail");
    let state = AppState::with_settings(
        store.clone(),
        state::Settings {
            limits,
            public_url,
            customer_portal_url: config.customer_portal_url.as_ref().map(|url| url.trim_end_matches('/').to_owned()),
            principal_ttl: Duration::from_millis(config.token_cache_ms),
            metrics: config.metrics,
            ..state::Settings::default()
        },
    )
    .with_mailer(mailer);
    // The deliverer counts its attempts where `GET /metrics` reads them.
    let deliverer = Deliverer::with_settings(store, settings)?.with_metrics(state.metrics.clone());
    let deliverer = tokio::spawn(deliverer.run(Duration::from_millis(config.webhook_poll_ms), stopped));
    let app = app(state);
    membership_server::serve::serve(listener, app, limits, shutdown_signal()).await?;
    // Requests have finished; let the webhook POSTs in flight finish and be marked too.
    stop.send_replace(true);
    deliverer.await?;
    tracing::info!("stopped");
    Ok(())
}

/// `verify`: 0 when every stream's tables are what its journal replays to, 1 when one
/// differs (each is named), 2 when the database cannot be read or a journal not replayed.
async fn verify(config: &Config, json: bool) -> ExitCode {
    let verification = match config.open().await {
        Ok(store) => store.verify().await,
        Err(error) => Err(error),
    };
    let verification = match verification {
        Ok(verification) => verification,
        Err(error) => {
            eprintln!("membership-server verify: cannot verify: {error}");
            return ExitCode::from(2);
        }
    };
    let (streams, events, mismatched) = (verification.streams, verification.events, &verification.mismatched);
    if json {
        let mismatched: Vec<_> = mismatched
            .iter()
            .map(|stream| serde_json::json!({ "aggregate": stream.type_name(), "id": stream.as_uuid() }))
            .collect();
        println!("{}", serde_json::json!({ "streams": streams, "events": events, "mismatched": mismatched }));
    } else {
        for stream in mismatched {
            println!("differs from its journal: {stream}");
        }
        if mismatched.is_empty() {
            println!("verified {streams} streams ({events} events): every table matches its journal");
        } else {
            println!("{} of {streams} streams ({events} events) differ from their journal", mismatched.len());
        }
    }
    if mismatched.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The operator's webhook commands.
async fn operate(config: &Config, command: Webhooks) -> Result<(), Box<dyn std::error::Error>> {
    let store = config.open().await?;
    match command {
        Webhooks::Failed { limit, json } => {
            let failed = store.failed_deliveries(limit).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&webhooks::failed_json(&failed))?);
            } else if failed.is_empty() {
                println!("no failed deliveries");
            } else {
                for line in webhooks::failed_lines(&failed) {
                    println!("{line}");
                }
            }
        }
        Webhooks::Requeue { webhook_id, all: _ } => {
            let requeued = store.requeue_failed(webhook_id.as_deref(), now()).await?;
            println!("re-queued {requeued} failed deliveries");
        }
    }
    Ok(())
}

/// The operator's user commands: 0 on success, 1 when `verify` found nobody.
async fn users(config: &Config, command: Users) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let store = config.open().await?;
    match command {
        Users::List { json } => {
            let users = data::users(&store).await?;
            if json {
                let users: Vec<_> = users
                    .iter()
                    .map(|user| {
                        serde_json::json!({
                            "id": user.id, "email": user.email.as_str(), "verification": user.verification.as_str()
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else if users.is_empty() {
                println!("no users");
            } else {
                for user in &users {
                    println!("{}  {}  {}", user.id, user.verification.as_str(), user.email.as_str());
                }
            }
        }
        Users::Verify { email } => {
            let email = Email::parse(&email)?;
            let verified = data::verify_email(&store, &email.folded()).await?;
            if verified == 0 {
                eprintln!("membership-server users verify: no user has the email {email}; they sign in first");
                return Ok(ExitCode::FAILURE);
            }
            println!("verified {verified} user(s) with the email {email}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
