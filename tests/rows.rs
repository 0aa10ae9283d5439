//! The row contract (`membership::rows`) as a store reads it: the name each table carries
//! in SQL, and the key an effect names, which a store reports when the row an event
//! changes is not where the journal says it is.

use membership::organization::{Change, Event};
use membership::rows::{RowEffect, Table, Value};
use membership::{Actor, Email, InvitationId, OrganizationId, Timestamp, UserId};
use uuid::Uuid;

/// The SQL stores' migrations create tables of these names; a store spells none of them.
#[test]
fn rows_each_table_is_named_as_the_sql_stores_create_it() {
    let names: Vec<&str> = Table::ALL.iter().map(|table| table.name()).collect();
    assert_eq!(names, ["organizations", "customers", "memberships", "invitations", "offers", "members"]);
}

/// An insert's key is its whole row; every other effect's is the key it was given.
#[test]
fn rows_an_effect_names_the_key_of_the_row_it_touches() {
    let (org, ada) = (OrganizationId::new(Uuid::from_u128(1)), UserId::new(Uuid::from_u128(2)));
    let at = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
    let email = Email::parse("ada@example.com").unwrap();
    let created = Event {
        organization_id: org,
        version: 1,
        at,
        actor: Actor::User(ada),
        change: Change::Created { owner: ada, email },
    };
    let effects = created.row_effects();
    let RowEffect::Insert { row, .. } = &effects[0] else { panic!("creation inserts its root: {effects:?}") };
    assert_eq!(effects[0].key(), row.as_slice());

    let invitation_id = InvitationId::from(Uuid::from_u128(3));
    let resent = Event { version: 2, change: Change::InvitationResent { invitation_id, expires_at: at }, ..created };
    let tenant_and_id = [("organization_id", Value::text(org)), ("id", Value::text(invitation_id))];
    assert_eq!(resent.row_effects()[0].key(), tenant_and_id);

    let key = vec![("organization_id", Value::text(org)), ("user_id", Value::text(ada))];
    let add = RowEffect::Add { table: Table::Customers, key: key.clone(), column: "member_count", by: 1 };
    assert_eq!(add.key(), key);
    assert_eq!(RowEffect::Delete { table: Table::Memberships, key: key.clone() }.key(), key);
}
