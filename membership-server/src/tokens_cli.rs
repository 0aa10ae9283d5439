//! `membership-server tokens …`: the operator's access tokens, without an HTTP call or a
//! token to begin with. `create` prints the new token once (only its hash is stored),
//! `list` never prints a token, `revoke` deletes one by id (any kind, portal sessions
//! included). A running server stops accepting a revoked token within
//! [`crate::state::PRINCIPAL_TTL`].
//!
//! Exit codes, as `verify`'s: 0 done; 1 refused (no such organization, user, membership,
//! scope or token); 2 the database cannot be opened or read.

use std::process::ExitCode;

use chrono::TimeDelta;
use clap::Subcommand;
use membership::{Actor, OrganizationId, UserId};
use membership_sqlx::{Store, StoreError};
use serde_json::json;

use crate::auth::{Scope, Scopes, TokenKind, new_token};
use crate::data::{self, AccessToken, NewAccessToken, TokenOwner};
use crate::state::now;

/// The `tokens` subcommands.
#[derive(Debug, Subcommand)]
pub enum Tokens {
    /// Create an organization access token, or with `--user` a personal access token of a
    /// member of the organization, and print it once.
    Create {
        /// The organization it acts in.
        #[arg(long)]
        organization: String,
        /// Make a personal access token of this user (an email or a user id) instead; they
        /// must be a member of the organization.
        #[arg(long)]
        user: Option<String>,
        /// A scope it grants (repeat, or separate with commas), e.g. `members:read`.
        #[arg(long = "scope", value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// It stops working after this many days; without, it never expires.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
        expires_in_days: Option<u32>,
        /// What it is for.
        #[arg(long, default_value = "created with membership-server tokens create")]
        comment: String,
        /// Print JSON (the token's fields and `token`) instead of the token alone.
        #[arg(long)]
        json: bool,
    },
    /// List organization and personal access tokens, oldest first: id, kind, organization,
    /// user, scopes, created, expires. Never the tokens themselves.
    List {
        /// Only this organization's.
        #[arg(long)]
        organization: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id: it stops working at once.
    Revoke {
        /// The token's id (from `tokens list` or the API).
        id: String,
    },
}

/// Why a command did not complete: the operator's input (exit 1) or the database (2).
#[derive(Debug)]
enum Failure {
    Refused(String),
    Database(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        // The crate's refusals (no such organization, not a member) are the operator's.
        match error {
            StoreError::Domain(error) => Failure::Refused(error.to_string()),
            other => Failure::Database(other),
        }
    }
}

/// Runs `command` against the database that `open` opens; the exit code.
pub async fn run<F>(open: F, command: Tokens) -> ExitCode
where
    F: Future<Output = Result<Store, StoreError>>,
{
    let outcome = match open.await {
        Ok(store) => execute(&store, command).await,
        Err(error) => Err(Failure::Database(error)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(reason)) => {
            eprintln!("membership-server tokens: {reason}");
            ExitCode::from(1)
        }
        Err(Failure::Database(error)) => {
            eprintln!("membership-server tokens: cannot read the database: {error}");
            ExitCode::from(2)
        }
    }
}

async fn execute(store: &Store, command: Tokens) -> Result<(), Failure> {
    match command {
        Tokens::Create { organization, user, scopes, expires_in_days, comment, json } => {
            let organization_id = organization_id(&organization)?;
            let scopes = parse_scopes(&scopes)?;
            membership::refuse_control_characters("comment", &comment)
                .map_err(|error| Failure::Refused(error.to_string()))?;
            let user_id = if let Some(user) = user {
                let user_id = user_id(store, &user).await?;
                // Not a member: the crate's `organization_not_found`.
                store.merchant(organization_id, Actor::User(user_id)).await?;
                Some(user_id)
            } else {
                if store.organization(organization_id).await?.is_none() {
                    return Err(Failure::Refused(format!("no organization has id {organization_id}")));
                }
                None
            };
            let kind = if user_id.is_some() { TokenKind::User } else { TokenKind::Organization };
            let token =
                new_token(kind).map_err(|error| Failure::Refused(format!("no randomness for a token: {error}")))?;
            let expires_at = expires_in_days.map(|days| now().saturating_add(TimeDelta::days(i64::from(days))));
            let new = NewAccessToken { organization_id, user_id, scopes, comment, expires_at };
            let record = data::insert_access_token(store, &token, new, now()).await?;
            if json {
                let mut value = token_json(&record);
                if let Some(object) = value.as_object_mut() {
                    object.insert("token".to_owned(), json!(token));
                }
                println!("{value}");
            } else {
                eprintln!("# token {} (shown once: only its hash is stored)", record.id);
                println!("{token}");
            }
        }
        Tokens::List { organization, json } => {
            let organization_id = organization.as_deref().map(organization_id).transpose()?;
            let owner = TokenOwner::Operator(organization_id);
            let (tokens, _) = data::access_tokens_page(store, owner, u64::MAX, 0).await?;
            if json {
                let items: Vec<_> = tokens.iter().map(token_json).collect();
                println!("{}", serde_json::Value::from(items));
            } else if tokens.is_empty() {
                println!("no access tokens");
            } else {
                for token in &tokens {
                    println!("{}", token_line(token));
                }
            }
        }
        Tokens::Revoke { id } => {
            let id = uuid::Uuid::parse_str(&id)
                .map_err(|_| Failure::Refused(format!("`{id}` is not a token id (a UUID from `tokens list`)")))?
                .to_string();
            match data::revoke_token(store, TokenOwner::Operator(None), &id).await? {
                Some(_) => println!("revoked {id}"),
                None => return Err(Failure::Refused(format!("no token has id {id}"))),
            }
        }
    }
    Ok(())
}

fn organization_id(text: &str) -> Result<OrganizationId, Failure> {
    OrganizationId::parse(text.trim())
        .map_err(|_| Failure::Refused(format!("`{text}` is not an organization id (a UUID)")))
}

/// A user by id, or by email when exactly one user has it.
async fn user_id(store: &Store, text: &str) -> Result<UserId, Failure> {
    if let Ok(id) = UserId::parse(text.trim()) {
        return Ok(id);
    }
    match data::user_ids_by_email(store, text.trim()).await?.as_slice() {
        [id] => Ok(*id),
        [] => Err(Failure::Refused(format!("no user has the email {text}"))),
        _ => Err(Failure::Refused(format!("several users have the email {text}; name one by id"))),
    }
}

fn parse_scopes(words: &[String]) -> Result<Scopes, Failure> {
    let mut scopes = Vec::with_capacity(words.len());
    for word in words.iter().flat_map(|word| word.split_whitespace()) {
        let scope = Scope::parse(word).ok_or_else(|| {
            let known: Vec<&str> = Scope::ALL.iter().map(|scope| scope.as_str()).collect();
            Failure::Refused(format!("unknown scope `{word}`; the scopes are: {}", known.join(", ")))
        })?;
        scopes.push(scope);
    }
    Ok(Scopes::of(&scopes))
}

fn token_json(token: &AccessToken) -> serde_json::Value {
    json!({
        "id": token.id,
        "kind": token.kind.as_str(),
        "organization_id": token.organization_id,
        "user_id": token.user_id,
        "scopes": token.scopes.iter().map(Scope::as_str).collect::<Vec<_>>(),
        "comment": token.comment,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    })
}

fn token_line(token: &AccessToken) -> String {
    let user = token.user_id.map_or_else(|| "-".to_owned(), |id| id.to_string());
    let expires = token.expires_at.map_or_else(|| "never".to_owned(), |at| at.to_string());
    format!(
        "{} {} organization={} user={} scopes=\"{}\" created={} expires={}",
        token.id,
        token.kind.as_str(),
        token.organization_id,
        user,
        token.scopes,
        token.created_at,
        expires
    )
}
