//! `membership-server`: Polar's member API on `127.0.0.1:8000`, over an SQLite file by
//! default or PostgreSQL with `--database-url postgres://…`.
//!
//! ```text
//! membership-server setup          # an organization, a customer and tokens, printed once
//! membership-server                # serve
//! membership-server webhooks failed [--json]          # deliveries that used up their attempts
//! membership-server webhooks requeue WEBHOOK_ID|--all # try them again
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use membership::{Email, ExternalId};
use membership_server::setup::Setup;
use membership_server::state::now;
use membership_server::webhooks::{self, Deliverer, Settings};
use membership_server::{AppState, app, data};
use membership_sqlx::Budget;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

/// Polar's member API over the membership store.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// `sqlite://file.db` (created if missing) or `postgres://user:password@host/database`.
    #[arg(long, env = "MEMBERSHIP_DATABASE_URL", default_value = "sqlite://membership.db", global = true)]
    database_url: String,
    /// What to do; serving is the default.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API.
    Serve(Serve),
    /// Look at and re-queue webhook deliveries that used up their attempts.
    Webhooks {
        /// What to do.
        #[command(subcommand)]
        command: Webhooks,
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

#[derive(Debug, Parser)]
struct Serve {
    /// The address to listen on.
    #[arg(long, env = "MEMBERSHIP_LISTEN", default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
    /// How often the webhook task looks for new webhooks when idle, in milliseconds.
    #[arg(long, default_value_t = 200)]
    webhook_poll_ms: u64,
    /// Attempts per webhook and endpoint before the delivery is failed (see `webhooks failed`).
    #[arg(long, default_value_t = Settings::default().max_attempts, value_parser = clap::value_parser!(u32).range(1..))]
    webhook_max_attempts: u32,
    /// How long delivered webhooks are kept before they are pruned, in hours.
    #[arg(long, default_value_t = Settings::default().retention.as_secs() / 3600)]
    webhook_retention_hours: u64,
    /// Webhook POSTs in flight at most.
    #[arg(long, default_value_t = Settings::default().parallelism, value_parser = clap::value_parser!(u32).range(1..))]
    webhook_parallelism: u32,
    /// How long a request waits for a database connection, in milliseconds (the store's
    /// `Budget::acquire`): with the database down, a read answers 503 after this.
    #[arg(long, env = "MEMBERSHIP_DB_ACQUIRE_MS", default_value_t = millis(Budget::default().acquire))]
    db_acquire_ms: u64,
    /// How long one statement may run, in milliseconds (`Budget::statement`).
    #[arg(long, env = "MEMBERSHIP_DB_STATEMENT_MS", default_value_t = millis(Budget::default().statement))]
    db_statement_ms: u64,
    /// How long a write may take in all, retries included, in milliseconds
    /// (`Budget::command`): past it the request answers 503 with `Retry-After`.
    #[arg(long, env = "MEMBERSHIP_DB_COMMAND_MS", default_value_t = millis(Budget::default().command))]
    db_command_ms: u64,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    json_logs: bool,
}

impl Serve {
    /// The store's time budget these flags give.
    fn budget(&self) -> Budget {
        Budget {
            acquire: Duration::from_millis(self.db_acquire_ms),
            statement: Duration::from_millis(self.db_statement_ms),
            command: Duration::from_millis(self.db_command_ms),
        }
    }
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("membership-server: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let command = cli.command.unwrap_or_else(|| Command::Serve(Serve::parse_from(["serve"])));
    match command {
        Command::Serve(serve_args) => serve(&cli.database_url, serve_args).await,
        Command::Webhooks { command } => operate(&cli.database_url, command).await,
        Command::Setup {
            owner_email,
            customer_email,
            customer_external_id,
            webhook_url,
            individual_customer,
            json,
        } => {
            let store = data::open(&cli.database_url).await?;
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
            Ok(())
        }
    }
}

async fn serve(database_url: &str, args: Serve) -> Result<(), Box<dyn std::error::Error>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if args.json_logs {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let store = data::open_with(database_url, args.budget()).await?;
    let settings = Settings {
        max_attempts: args.webhook_max_attempts,
        parallelism: args.webhook_parallelism,
        // Saturating: an absurd retention keeps everything rather than panicking.
        retention: Duration::from_secs(args.webhook_retention_hours.saturating_mul(3600)),
        ..Settings::default()
    };
    let (stop, stopped) = watch::channel(false);
    let deliverer = Deliverer::with_settings(store.clone(), settings)?;
    let deliverer = tokio::spawn(deliverer.run(Duration::from_millis(args.webhook_poll_ms), stopped));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(address = %listener.local_addr()?, backend = ?store.backend(), ?settings, "listening");
    let service = axum::ServiceExt::<axum::extract::Request>::into_make_service(app(AppState::new(store)));
    axum::serve(listener, service).with_graceful_shutdown(shutdown_signal()).await?;
    // Requests have finished; let the webhook POSTs in flight finish and be marked too.
    stop.send_replace(true);
    deliverer.await?;
    tracing::info!("stopped");
    Ok(())
}

/// The operator's webhook commands.
async fn operate(database_url: &str, command: Webhooks) -> Result<(), Box<dyn std::error::Error>> {
    let store = data::open(database_url).await?;
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
