//! The small pools of ids and emails the strategies draw from.
//!
//! Pools are small on purpose: random commands on a handful of users, invitations and
//! members collide often, so duplicates, re-invitations, id reuse and self-targeting are
//! exercised instead of being one chance in 2¹²⁸. Ids repeat across tenants (every
//! organization has an invitation `invitation(0)`, every customer a member `member(1)`):
//! ids are unique within an aggregate only (docs/rules.md#values), so a store that forgets the tenant
//! in a key or a lookup is caught.

use uuid::Uuid;

use crate::{CustomerId, Email, InvitationId, MemberId, OfferId, OrganizationId, UserId};

/// How many organizations the conformance runner drives.
pub const ORGANIZATIONS: u8 = 2;
/// How many customers the conformance runner drives (spread over the organizations).
pub const CUSTOMERS: u8 = 3;
/// How many users act on organizations: `user(1)` to `user(USERS)`.
pub const USERS: u8 = 6;
/// How many customer members commands name: `member(1)` to `member(MEMBERS)`.
pub const MEMBERS: u8 = 6;
/// Invitation ids commands name: `invitation(0)` to `invitation(INVITATIONS - 1)`.
pub const INVITATIONS: u8 = 5;
/// Offer ids commands name: `offer(0)` to `offer(OFFERS - 1)`.
pub const OFFERS: u8 = 3;

/// A user in no organization of the pool, for steps whose target does not exist.
pub const OUTSIDER: UserId = user(9);

/// Organization number `n` (`0xA + n`: the first is the scenario tests' `ORG`).
#[must_use]
pub const fn organization(n: u8) -> OrganizationId {
    OrganizationId::new(Uuid::from_u128(0xA + n as u128))
}

/// The first organization of the pool other than `id`: whose token is a stranger's.
#[must_use]
pub fn other_organization(id: OrganizationId) -> OrganizationId {
    if id == organization(0) { organization(1) } else { organization(0) }
}

/// Customer number `n` (`0xC + 0x100 · n`).
#[must_use]
pub const fn customer(n: u8) -> CustomerId {
    CustomerId::new(Uuid::from_u128(0xC + 0x100 * n as u128))
}

/// The organization customer number `n` belongs to: they take turns, so one organization
/// has several customers and each has at least one.
#[must_use]
pub const fn customer_organization(n: u8) -> OrganizationId {
    organization(n % ORGANIZATIONS)
}

/// User number `n` (`0x100 + n`); `user(1)` creates the first organization.
#[must_use]
pub const fn user(n: u128) -> UserId {
    UserId::new(Uuid::from_u128(0x100 + n))
}

/// The email user number `n` signs in with: `u{n}@example.com`.
#[must_use]
pub fn email_of(user: UserId) -> Email {
    let n = user.as_uuid().as_u128().wrapping_sub(0x100);
    address(&format!("u{n}@example.com"))
}

/// User number `n % USERS + 1`, or their email, possibly shouted (emails compare folded).
#[must_use]
pub fn pool_user(n: u8) -> UserId {
    user(u128::from(n % USERS) + 1)
}

/// The email of [`pool_user`]`(n)`, in capitals when `shout`: the same address, folded.
#[must_use]
pub fn pool_user_email(n: u8, shout: bool) -> Email {
    let text = format!("u{}@example.com", n % USERS + 1);
    address(&if shout { text.to_uppercase() } else { text })
}

/// Invitation number `n` (`0x200 + n`).
#[must_use]
pub const fn invitation(n: u128) -> InvitationId {
    InvitationId::new(Uuid::from_u128(0x200 + n))
}

/// Offer number `n` (`0x300 + n`).
#[must_use]
pub const fn offer(n: u128) -> OfferId {
    OfferId::new(Uuid::from_u128(0x300 + n))
}

/// Customer member number `n` (`0x400 + n`); `member(1)` owns every customer at creation.
#[must_use]
pub const fn member(n: u128) -> MemberId {
    MemberId::new(Uuid::from_u128(0x400 + n))
}

/// Member number `n % MEMBERS + 1`.
#[must_use]
pub fn pool_member(n: u8) -> MemberId {
    member(u128::from(n % MEMBERS) + 1)
}

/// A customer-side email: `m{n}@example.com`.
#[must_use]
pub fn member_email(n: u128) -> Email {
    address(&format!("m{n}@example.com"))
}

/// The email of member number `n % MEMBERS + 1`, in capitals when `shout`.
#[must_use]
pub fn pool_member_email(n: u8, shout: bool) -> Email {
    let text = format!("m{}@example.com", n % MEMBERS + 1);
    address(&if shout { text.to_uppercase() } else { text })
}

/// Every address above is well formed, and `Email::parse` only trims what has no
/// whitespace to trim: storing it as given is the same value, with no error path.
fn address(text: &str) -> Email {
    Email::from_stored(text)
}
