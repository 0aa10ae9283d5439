//! `membership-server setup`: an organization, its owner, a team customer with its owner
//! member, and one token of each kind, so a new user can call the API at once. Tokens are
//! shown once; only their hashes are kept.

use membership::customer::{self, Customer, CustomerKind, OwnerMember};
use membership::organization::{self, Organization, VerificationStatus};
use membership::{Actor, CustomerId, Email, ExternalId, MemberId, Name, OrganizationId, UserId};
use membership_sqlx::{Store, StoreError};
use serde::Serialize;

use crate::auth::{Scope, Scopes, TokenKind, new_token};
use crate::data::{self, Endpoint, Grant, User};
use crate::state::now;

/// What to set up.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The organization owner's email.
    pub owner_email: Email,
    /// The customer owner's email.
    pub customer_email: Email,
    /// The customer's external id.
    pub customer_external_id: Option<ExternalId>,
    /// Where to send the organization's webhooks, if anywhere.
    pub webhook_url: Option<String>,
    /// Also create an individual customer (one member only, CUS-3), to try refusals on.
    pub individual_customer: bool,
}

/// What was set up, with the tokens: print it once.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    /// The organization.
    pub organization_id: OrganizationId,
    /// Its owner.
    pub user_id: UserId,
    /// The team customer.
    pub customer_id: CustomerId,
    /// The customer's owner member.
    pub member_id: MemberId,
    /// The organization access token (`polar_oat_…`).
    pub organization_token: String,
    /// The owner's user token (`polar_pat_…`).
    pub user_token: String,
    /// The customer owner's portal session (`polar_mst_…`), good for 30 days
    /// ([`data::LONG_SESSION`]); `POST /v1/customer-sessions/` mints hour-long ones.
    pub member_session_token: String,
    /// The individual customer, when asked for.
    pub individual_customer_id: Option<CustomerId>,
    /// The webhook signing secret, when an endpoint was given.
    pub webhook_secret: Option<String>,
}

/// Why setup failed.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The system had no randomness for a token.
    #[error("no randomness for a token: {0}")]
    Random(#[from] getrandom::Error),
}

impl Setup {
    /// Creates it all in `store`.
    ///
    /// # Errors
    ///
    /// A store error, or no randomness.
    pub async fn run(self, store: &Store) -> Result<Created, SetupError> {
        let at = now();
        let organization_id = OrganizationId::new(uuid::Uuid::new_v4());
        let user_id = UserId::new(uuid::Uuid::new_v4());
        let customer_id = CustomerId::new(uuid::Uuid::new_v4());
        let member_id = MemberId::new(uuid::Uuid::new_v4());
        // Setup may be handed a store opened without the service's tables.
        data::migrate(store).await?;
        let owner = User { id: user_id, email: self.owner_email.clone(), verification: VerificationStatus::Verified };
        data::upsert_user(store, &owner).await?;
        let create = organization::Command::Create { email: self.owner_email };
        store.execute::<Organization>(organization_id, create, Actor::User(user_id), at).await?;
        let create = customer::Command::Create {
            organization_id,
            kind: CustomerKind::Team,
            email: Some(self.customer_email.clone()),
            name: Name::parse("Example customer").ok().flatten(),
            external_id: self.customer_external_id,
            owner: OwnerMember { member_id, email: Some(self.customer_email), name: None, external_id: None },
        };
        let merchant = store.merchant(organization_id, Actor::Token(organization_id)).await?;
        store.execute::<Customer>(customer_id, create, merchant.into(), at).await?;
        let individual_customer_id = if self.individual_customer {
            let id = CustomerId::new(uuid::Uuid::new_v4());
            let create = customer::Command::Create {
                organization_id,
                kind: CustomerKind::Individual,
                email: Email::parse("individual@example.com").ok(),
                name: None,
                external_id: None,
                owner: OwnerMember {
                    member_id: MemberId::new(uuid::Uuid::new_v4()),
                    email: None,
                    name: None,
                    external_id: None,
                },
            };
            store.execute::<Customer>(id, create, merchant.into(), at).await?;
            Some(id)
        } else {
            None
        };
        let organization_token = new_token(TokenKind::Organization)?;
        let user_token = new_token(TokenKind::User)?;
        let member_session_token = new_token(TokenKind::MemberSession)?;
        let merchant_scopes = Scopes::of(&[
            Scope::MembersRead,
            Scope::MembersWrite,
            Scope::OrganizationsRead,
            Scope::OrganizationsWrite,
            Scope::CustomerSessionsWrite,
            Scope::WebhooksRead,
            Scope::WebhooksWrite,
            Scope::CustomersRead,
            Scope::CustomersWrite,
        ]);
        data::insert_token(store, &organization_token, Grant::Organization(organization_id), &merchant_scopes, at)
            .await?;
        // The owner's token may also manage the organization's access tokens; the
        // organization token may not mint more of itself.
        let mut owner_scopes: Vec<Scope> = merchant_scopes.iter().collect();
        owner_scopes.extend([Scope::OrganizationAccessTokensRead, Scope::OrganizationAccessTokensWrite]);
        let owner_scopes = Scopes::of(&owner_scopes);
        data::insert_token(store, &user_token, Grant::User(organization_id, user_id), &owner_scopes, at).await?;
        let session = Grant::MemberSession(organization_id, customer_id, member_id);
        let portal = Scopes::of(&[Scope::CustomerPortalRead, Scope::CustomerPortalWrite]);
        data::insert_token(store, &member_session_token, session, &portal, at).await?;
        let webhook_secret = match self.webhook_url {
            Some(url) => {
                let secret = new_token(TokenKind::WebhookSecret)?;
                data::insert_endpoint(store, organization_id, &Endpoint { url, secret: secret.clone() }, at).await?;
                Some(secret)
            }
            None => None,
        };
        Ok(Created {
            organization_id,
            user_id,
            customer_id,
            member_id,
            organization_token,
            user_token,
            member_session_token,
            individual_customer_id,
            webhook_secret,
        })
    }
}
