//! docs/rules.md#org-1: a permission check performs no heap allocation, whatever the answer.

use allocation_counter::measure;
use membership::organization::Command;
use membership::{Actor, Permission, Role};

use crate::support::*;

#[test]
fn org_1_a_permission_check_allocates_nothing() {
    let mut team = Team::standard();
    for n in 10..1_010 {
        team.ok(Actor::System, Command::AddMember { user_id: user(n), email: email_of(user(n)) });
    }
    let actors = [
        Actor::User(OWNER),
        Actor::User(ADMIN),
        Actor::User(FINANCE),
        Actor::User(MEMBER),
        Actor::User(user(500)),
        Actor::User(OUTSIDER),
        Actor::Token(ORG),
        Actor::Token(OTHER_ORG),
        Actor::Staff,
        Actor::System,
    ];
    let (mut allowed, mut refused) = (0, 0);
    let counts = measure(|| {
        for actor in actors {
            for permission in Permission::ALL {
                match team.org.check(actor, permission) {
                    Ok(()) => allowed += 1,
                    Err(_) => refused += 1,
                }
            }
        }
    });
    assert_eq!(counts.count_total, 0);
    assert_eq!(allowed + refused, actors.len() * Permission::ALL.len());
    assert!(allowed > 0 && refused > 0);
    let counts = measure(|| {
        for role in Role::ALL {
            for permission in Permission::ALL {
                std::hint::black_box(role.can(std::hint::black_box(permission)));
            }
        }
    });
    assert_eq!(counts.count_total, 0);
}
