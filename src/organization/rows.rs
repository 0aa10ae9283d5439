//! What each organization event does to the rows of [`Table::Organizations`],
//! [`Table::Memberships`], [`Table::Invitations`] and [`Table::Offers`]: the one place a
//! store learns it.

use super::{Change, Event, InvitationStatus, OfferStatus};
use crate::rows::{Field, Kind, RowEffect, Table, Value};
use crate::{Email, OrganizationId, Role, UserId};

impl Event {
    /// The rows this event changes, in order (a transfer steps the old owner down first, so
    /// a one-owner index never sees two).
    #[must_use]
    pub fn row_effects(&self) -> Vec<RowEffect> {
        let (org, at) = (self.organization_id, Value::Time(self.at));
        let close_invitation =
            |id, status, accepted_by| close(Table::Invitations, keyed(org, id), status, ("accepted_by", accepted_by));
        let close_offer = |id, status, reason| close(Table::Offers, keyed(org, id), status, ("void_reason", reason));
        match &self.change {
            Change::Created { owner, email } => vec![
                RowEffect::Insert {
                    table: Table::Organizations,
                    row: vec![
                        ("id", Value::text(org)),
                        ("version", Value::Count(self.version)),
                        ("created_at", at.clone()),
                    ],
                },
                join(org, *owner, email, Role::Owner, at),
            ],
            Change::InvitationCreated { invitation_id, email, invited_by, expires_at } => {
                let mut row = keyed(org, invitation_id);
                row.extend([
                    ("email", Value::text(email)),
                    ("email_folded", Value::text(email.folded())),
                    ("invited_by", Value::text(invited_by)),
                    ("created_at", at),
                    ("expires_at", Value::Time(*expires_at)),
                    ("status", Value::text(InvitationStatus::Pending)),
                    ("accepted_by", Value::Null(Kind::Text)),
                ]);
                vec![RowEffect::Insert { table: Table::Invitations, row }]
            }
            Change::InvitationResent { invitation_id, expires_at } => vec![RowEffect::Set {
                table: Table::Invitations,
                key: keyed(org, invitation_id),
                fields: vec![("expires_at", Value::Time(*expires_at))],
            }],
            Change::InvitationAccepted { invitation_id, user_id } => {
                vec![close_invitation(invitation_id, InvitationStatus::Accepted, Value::text(user_id))]
            }
            Change::InvitationDeclined { invitation_id } => {
                vec![close_invitation(invitation_id, InvitationStatus::Declined, Value::Null(Kind::Text))]
            }
            Change::InvitationRevoked { invitation_id } => {
                vec![close_invitation(invitation_id, InvitationStatus::Revoked, Value::Null(Kind::Text))]
            }
            Change::InvitationExpired { invitation_id } => {
                vec![close_invitation(invitation_id, InvitationStatus::Expired, Value::Null(Kind::Text))]
            }
            Change::MemberAdded { user_id, email, role } => vec![join(org, *user_id, email, role.role(), at)],
            Change::MemberRoleChanged { user_id, to, .. } => vec![set_role(org, *user_id, to.role())],
            Change::MemberRemoved { user_id, .. } | Change::MemberLeft { user_id, .. } => {
                vec![RowEffect::Delete { table: Table::Memberships, key: membership(org, *user_id) }]
            }
            Change::OwnershipTransferred { from, from_role, to, to_role } => {
                vec![set_role(org, *from, from_role.role()), set_role(org, *to, *to_role)]
            }
            Change::OwnershipOffered { offer_id, from, to, expires_at } => {
                let mut row = keyed(org, offer_id);
                row.extend([
                    ("from_user", Value::text(from)),
                    ("to_user", Value::text(to)),
                    ("created_at", at),
                    ("expires_at", Value::Time(*expires_at)),
                    ("status", Value::text(OfferStatus::Pending)),
                    ("void_reason", Value::Null(Kind::Text)),
                ]);
                vec![RowEffect::Insert { table: Table::Offers, row }]
            }
            Change::OwnershipOfferAccepted { offer_id } => {
                vec![close_offer(offer_id, OfferStatus::Accepted, Value::Null(Kind::Text))]
            }
            Change::OwnershipOfferDeclined { offer_id } => {
                vec![close_offer(offer_id, OfferStatus::Declined, Value::Null(Kind::Text))]
            }
            Change::OwnershipOfferRevoked { offer_id } => {
                vec![close_offer(offer_id, OfferStatus::Revoked, Value::Null(Kind::Text))]
            }
            Change::OwnershipOfferExpired { offer_id } => {
                vec![close_offer(offer_id, OfferStatus::Expired, Value::Null(Kind::Text))]
            }
            Change::OwnershipOfferVoided { offer_id, reason } => {
                vec![close_offer(offer_id, OfferStatus::Voided, Value::text(reason))]
            }
        }
    }
}

/// The key of an invitation or an offer: its tenant and its id.
fn keyed(org: OrganizationId, id: impl std::fmt::Display) -> Vec<Field> {
    vec![("organization_id", Value::text(org)), ("id", Value::text(id))]
}

/// The key of a membership: its tenant and its user.
fn membership(org: OrganizationId, user: UserId) -> Vec<Field> {
    vec![("organization_id", Value::text(org)), ("user_id", Value::text(user))]
}

/// A new membership row.
fn join(org: OrganizationId, user: UserId, email: &Email, role: Role, at: Value) -> RowEffect {
    let mut row = membership(org, user);
    row.extend([
        ("email", Value::text(email)),
        ("email_folded", Value::text(email.folded())),
        ("role", Value::text(role)),
        ("created_at", at),
    ]);
    RowEffect::Insert { table: Table::Memberships, row }
}

fn set_role(org: OrganizationId, user: UserId, role: Role) -> RowEffect {
    RowEffect::Set { table: Table::Memberships, key: membership(org, user), fields: vec![("role", Value::text(role))] }
}

/// An invitation or offer leaves `pending`, with the one field that says how.
fn close(table: Table, key: Vec<Field>, status: impl std::fmt::Display, how: Field) -> RowEffect {
    RowEffect::Set { table, key, fields: vec![("status", Value::text(status)), how] }
}
