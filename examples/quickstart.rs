//! A team's first week: create an organization, invite two people, one joins and is
//! promoted, a member is refused, the owner hands over ownership and then leaves.
//!
//! Prints each event as a JSON line and each refusal as `code: message`.

use membership::organization::{Command, CreateOrganization, DEFAULT_TTL, Event, Organization, VerificationStatus};
use membership::{Actor, Email, Role, Timestamp, UserId};
use uuid::Uuid;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ada = UserId::new(Uuid::new_v4());
    let grace = UserId::new(Uuid::new_v4());
    let linus = UserId::new(Uuid::new_v4());
    let mut now = Timestamp::parse("2025-03-03T09:00:00Z")?;

    // Ada creates the organization and is its owner.
    let create = CreateOrganization { organization_id: Uuid::new_v4().into(), email: Email::parse("ada@example.com")? };
    let created = Organization::create(create, Actor::User(ada), now)?;
    print_events(&created);
    let mut org = Organization::replay(&created)?;

    // Ada invites Grace and Linus.
    let invite_grace = Uuid::new_v4().into();
    for (id, email) in [(invite_grace, "grace@example.com"), (Uuid::new_v4().into(), "linus@example.com")] {
        let invite = Command::Invite { invitation_id: id, email: Email::parse(email)?, ttl: DEFAULT_TTL };
        run(&mut org, invite, Actor::User(ada), now);
    }

    // Grace accepts the next morning, signed in with her verified email.
    now = Timestamp::parse("2025-03-04T08:30:00Z")?;
    let accept = Command::AcceptInvitation { invitation_id: invite_grace, email: Email::parse("Grace@Example.com")? };
    run(&mut org, accept, Actor::User(grace), now);

    // Linus joins through single sign-on: the service adds him directly.
    let sso = Command::AddMember { user_id: linus, email: Email::parse("linus@example.com")? };
    run(&mut org, sso, Actor::System, now);

    // Ada promotes Grace to admin.
    run(&mut org, Command::ChangeRole { user_id: grace, role: Role::Admin }, Actor::User(ada), now);

    // Linus, a member, tries to invite a friend and is refused.
    let invite = Command::Invite {
        invitation_id: Uuid::new_v4().into(),
        email: Email::parse("friend@example.com")?,
        ttl: DEFAULT_TTL,
    };
    run(&mut org, invite, Actor::User(linus), now);

    // Ada tries to leave, but she is the owner.
    run(&mut org, Command::Leave, Actor::User(ada), now);

    // So she offers ownership to Grace, who has verified her identity and accepts.
    let offer_id = Uuid::new_v4().into();
    let offer =
        Command::OfferOwnership { offer_id, to: grace, verification: VerificationStatus::Verified, ttl: DEFAULT_TTL };
    run(&mut org, offer, Actor::User(ada), now);
    let accept = Command::AcceptOwnershipOffer { offer_id, verification: VerificationStatus::Verified };
    run(&mut org, accept, Actor::User(grace), now);

    // Ada, now an admin, leaves.
    run(&mut org, Command::Leave, Actor::User(ada), now);

    for (membership, role) in org.members() {
        println!("# {} is {role}", membership.email);
    }
    Ok(())
}

/// Decides and applies one command, printing what happened.
fn run(org: &mut Organization, command: Command, actor: Actor, now: Timestamp) {
    match org.execute(command, actor, now) {
        Ok(events) => print_events(&events),
        Err(refusal) => println!("{}: {refusal}", refusal.code()),
    }
}

fn print_events(events: &[Event]) {
    for event in events {
        match serde_json::to_string(event) {
            Ok(line) => println!("{line}"),
            Err(err) => println!("unprintable event: {err}"),
        }
    }
}
