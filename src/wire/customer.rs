//! Polar's `Customer` object (`CustomerIndividual | CustomerTeam`, told apart by `type`), as
//! the customer endpoints answer it and the `customer.*` webhooks carry it.

use serde::{Deserialize, Serialize};

use crate::customer::{CustomerKind, Profile};
use crate::{CustomerId, Email, ExternalId, Name, OrganizationId, Timestamp};

/// Polar's `metadata`, always `{}`: the crate keeps none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {}

/// Polar's `Customer`, from the crate's customer row: the fields the crate does not keep
/// (billing, tax, locale, avatar, payment method) are `null`, `metadata` is empty and the
/// email is not verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolarCustomer {
    /// The customer's id.
    pub id: CustomerId,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed; the crate does not keep it (`null`).
    pub modified_at: Option<Timestamp>,
    /// Always empty: the crate keeps no metadata.
    pub metadata: Metadata,
    /// Its id in the merchant's system.
    pub external_id: Option<ExternalId>,
    /// Its email (an individual customer always has one).
    pub email: Option<Email>,
    /// Always `false`: the crate verifies no customer email.
    pub email_verified: bool,
    /// Individual or team.
    #[serde(rename = "type")]
    pub kind: CustomerKind,
    /// Its name.
    pub name: Option<Name>,
    /// Not kept: `null`.
    pub billing_name: Option<String>,
    /// Not kept: `null`.
    pub billing_address: Option<String>,
    /// Not kept: `null`.
    pub tax_id: Option<String>,
    /// Not kept: `null`.
    pub locale: Option<String>,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// When it was deleted (in `customer.deleted`), else `null`.
    pub deleted_at: Option<Timestamp>,
    /// Not kept: `null`.
    pub first_user_event_at: Option<Timestamp>,
    /// Not kept: `null`.
    pub avatar_url: Option<String>,
    /// Not kept: `null`.
    pub default_payment_method_id: Option<String>,
}

impl PolarCustomer {
    /// Customer `id`, created at `created_at`, as its row `profile` says.
    #[must_use]
    pub fn new(id: CustomerId, created_at: Timestamp, profile: &Profile) -> Self {
        PolarCustomer {
            id,
            created_at,
            modified_at: None,
            metadata: Metadata {},
            external_id: profile.external_id.clone(),
            email: profile.email.clone(),
            email_verified: false,
            kind: profile.kind,
            name: profile.name.clone(),
            billing_name: None,
            billing_address: None,
            tax_id: None,
            locale: None,
            organization_id: profile.organization_id,
            deleted_at: None,
            first_user_event_at: None,
            avatar_url: None,
            default_payment_method_id: None,
        }
    }
}
