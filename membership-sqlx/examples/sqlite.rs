//! A team in an SQLite file: open the store, create an organization, invite and accept,
//! check a permission with one point read, and verify the journal against the tables.
//!
//! Run with `cargo run -p membership-sqlx --example sqlite`; it writes `membership.db` in
//! the system's temporary folder.

use membership::organization::{Command, Organization};
use membership::{Actor, Email, OrganizationId, Permission, Timestamp, Ttl, UserId};
use membership_sqlx::Store;
use uuid::Uuid;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join("membership.db");
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    let (org, ada, grace) =
        (OrganizationId::new(Uuid::new_v4()), UserId::new(Uuid::new_v4()), UserId::new(Uuid::new_v4()));
    let now = Timestamp::parse("2025-03-03T09:00:00Z")?;

    // Each command is one transaction: decided on the rows its plan names, then written.
    let create = Command::Create { email: Email::parse("ada@example.com")? };
    store.execute::<Organization>(org, create, Actor::User(ada), now).await?;
    let invitation_id = Uuid::new_v4().into();
    let invite = Command::Invite { invitation_id, email: Email::parse("grace@example.com")?, ttl: Ttl::DEFAULT };
    store.execute::<Organization>(org, invite, Actor::User(ada), now).await?;
    let accept = Command::AcceptInvitation { invitation_id, email: Email::parse("Grace@Example.com")? };
    for event in store.execute::<Organization>(org, accept, Actor::User(grace), now).await? {
        println!("{}", event.event_type());
    }

    // A permission check is one indexed read; refusals are typed.
    store.check(org, Actor::User(grace), Permission::ProductsManage).await?;
    if let Err(refusal) = store.check(org, Actor::User(grace), Permission::MembersManage).await {
        println!("{}: {refusal}", refusal.code());
    }

    // The journal replays to exactly the tables.
    let verification = store.verify().await?;
    println!(
        "verified {} streams, {} events, {} mismatched",
        verification.streams,
        verification.events,
        verification.mismatched.len()
    );
    Ok(())
}
