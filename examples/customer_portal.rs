//! A team customer's members: the owner is made with the customer, a billing manager adds
//! people in the portal, a plain member is refused, ownership moves by promotion, and the
//! sole owner cannot be deleted.
//!
//! Prints each webhook as a JSON line and each refusal as `code: message`.

use membership::customer::{
    self, Command, CreateCustomer, Customer, CustomerActor, CustomerKind, MemberRole, MemberUpdate, OwnerMember,
};
use membership::organization::{CreateOrganization, Organization};
use membership::wire::webhooks;
use membership::{Actor, Email, ExternalId, MemberId, Name, OrganizationId, Timestamp, UserId};
use uuid::Uuid;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let organization_id = OrganizationId::new(Uuid::new_v4());
    let now = Timestamp::parse("2025-03-03T09:00:00Z")?;
    // The merchant's user acts with the role their organization gives them, and no other.
    let ada = Actor::User(UserId::new(Uuid::new_v4()));
    let shop = CreateOrganization { organization_id, email: Email::parse("ada@shop.example")? };
    let shop = Organization::replay(&Organization::create(shop, ada, now)?)?;
    let merchant = CustomerActor::from(shop.merchant(ada)?);
    let (owner, billing, dev) =
        (MemberId::new(Uuid::new_v4()), MemberId::new(Uuid::new_v4()), MemberId::new(Uuid::new_v4()));

    // The merchant creates Acme, a team customer; its owner member comes with it.
    let create = CreateCustomer {
        customer_id: Uuid::new_v4().into(),
        organization_id,
        kind: CustomerKind::Team,
        email: Some(Email::parse("billing@acme.example")?),
        name: Name::parse("Acme Inc.")?,
        external_id: ExternalId::parse("acme")?,
        owner: OwnerMember {
            member_id: owner,
            email: Some(Email::parse("ceo@acme.example")?),
            name: Name::parse("Casey")?,
            external_id: None,
        },
    };
    let created = customer::create(None, create, merchant, now)?;
    let mut acme = Customer::replay(&created)?;
    print_webhooks(&created);

    // The merchant adds a billing manager, who then adds a developer in the portal.
    let add = |member_id, email: &str, role| -> Result<Command, membership::Error> {
        Ok(Command::AddMember { member_id, email: Email::parse(email)?, name: None, external_id: None, role })
    };
    run(&mut acme, add(billing, "finance@acme.example", MemberRole::BillingManager)?, merchant, now);
    run(
        &mut acme,
        add(dev, "dev@acme.example", MemberRole::Member)?,
        CustomerActor::Portal { member_id: billing },
        now,
    );

    // The developer tries to add a friend and is refused.
    let friend = MemberId::new(Uuid::new_v4());
    run(
        &mut acme,
        add(friend, "friend@example.com", MemberRole::Member)?,
        CustomerActor::Portal { member_id: dev },
        now,
    );

    // The billing manager tries to make the developer owner: only the owner transfers it.
    let promote = |member_id| Command::UpdateMember {
        member_id,
        update: MemberUpdate { role: Some(MemberRole::Owner), ..MemberUpdate::default() },
    };
    run(&mut acme, promote(dev), CustomerActor::Portal { member_id: billing }, now);

    // The owner promotes the billing manager: two member.updated webhooks, new owner first.
    run(&mut acme, promote(billing), CustomerActor::Portal { member_id: owner }, now);

    // The new owner is the sole owner and cannot be deleted.
    run(&mut acme, Command::DeleteMember { member_id: billing }, merchant, now);

    for member in acme.members() {
        println!("# {} is {}", member.email, member.role);
    }
    Ok(())
}

/// Decides and applies one command, printing its webhooks or its refusal.
fn run(customer: &mut Customer, command: Command, actor: CustomerActor, now: Timestamp) {
    match customer.execute(command, actor, now) {
        Ok(events) => print_webhooks(&events),
        Err(refusal) => println!("{}: {refusal}", refusal.code()),
    }
}

fn print_webhooks(events: &[customer::Event]) {
    for webhook in webhooks(events) {
        match serde_json::to_string(&webhook) {
            Ok(line) => println!("{line}"),
            Err(err) => println!("unprintable webhook: {err}"),
        }
    }
}
