//! The request body of every member endpoint (CUS-1), parsed once into the crate's
//! commands. Unknown keys are ignored; camelCase keys are not the wire and are not read; a
//! value of the wrong JSON type is `invalid_input` naming its field.

use serde::Deserialize;

use super::Field;
use crate::customer::{Command, MemberRole, MemberUpdate};
use crate::organization;
use crate::{CustomerId, Email, Error, ExternalId, InvitationId, MemberId, Name, Role, Ttl, UserId};

/// `role` on a create body: absent means `member`, `null` is refused.
fn create_role(role: &Field) -> Result<MemberRole, Error> {
    match role {
        Field::Absent => Ok(MemberRole::Member),
        Field::Null => Err(Error::invalid("role", "must not be null")),
        role => MemberRole::parse(role.required("role")?),
    }
}

fn name(field: &Field) -> Result<Option<Name>, Error> {
    Ok(field.parse_with("name", Name::parse)?.flatten())
}

fn external_id(field: &Field) -> Result<Option<ExternalId>, Error> {
    Ok(field.parse_with("external_id", ExternalId::parse)?.flatten())
}

/// The body of Polar's older `POST /v1/members` (`MemberCreate`): the customer is in the
/// body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MemberCreateBody {
    /// `customer_id`: a UUID, required.
    #[serde(default)]
    pub customer_id: Field,
    /// `email`: required.
    #[serde(default)]
    pub email: Field,
    /// `name`: optional, blank means none.
    #[serde(default)]
    pub name: Field,
    /// `external_id`: optional, blank means none.
    #[serde(default)]
    pub external_id: Field,
    /// `role`: absent means `member`; `null` is refused.
    #[serde(default)]
    pub role: Field,
}

impl MemberCreateBody {
    /// The customer it is for and an `AddMember` command; `member_id` is the new member's
    /// id (the caller's).
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field, in the order `customer_id`, `email`,
    /// `name`, `external_id`, `role`.
    pub fn into_command(self, member_id: MemberId) -> Result<(CustomerId, Command), Error> {
        let customer_id = CustomerId::parse(self.customer_id.required("customer_id")?)?;
        let body = MemberCreateFromCustomerBody {
            email: self.email,
            name: self.name,
            external_id: self.external_id,
            role: self.role,
        };
        Ok((customer_id, body.into_command(member_id)?))
    }
}

/// The body of `POST /v1/customers/{id}/members` (`MemberCreateFromCustomer`): the customer
/// comes from the path, and a `customer_id` key in the body is ignored, as Polar does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MemberCreateFromCustomerBody {
    /// `email`: required.
    #[serde(default)]
    pub email: Field,
    /// `name`: optional, blank means none.
    #[serde(default)]
    pub name: Field,
    /// `external_id`: optional, blank means none.
    #[serde(default)]
    pub external_id: Field,
    /// `role`: absent means `member`; `null` is refused.
    #[serde(default)]
    pub role: Field,
}

impl MemberCreateFromCustomerBody {
    /// An `AddMember` command for the path's customer; `member_id` is the new member's id.
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field, in the order `email`, `name`,
    /// `external_id`, `role`.
    pub fn into_command(self, member_id: MemberId) -> Result<Command, Error> {
        let email = Email::parse(self.email.required("email")?)?;
        let name = name(&self.name)?;
        let external_id = external_id(&self.external_id)?;
        let role = create_role(&self.role)?;
        Ok(Command::AddMember { member_id, email, name, external_id, role })
    }
}

/// The body of `PATCH …/members/{id}` (`MemberUpdate`): each key absent or `null` means
/// "leave unchanged".
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MemberUpdateBody {
    /// `name`: blank means unchanged (a name cannot be cleared).
    #[serde(default)]
    pub name: Field,
    /// `email`.
    #[serde(default)]
    pub email: Field,
    /// `role`: `owner` transfers ownership.
    #[serde(default)]
    pub role: Field,
}

impl MemberUpdateBody {
    /// A [`MemberUpdate`].
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field, in the order `name`, `email`, `role`.
    pub fn into_update(self) -> Result<MemberUpdate, Error> {
        Ok(MemberUpdate {
            name: name(&self.name)?,
            email: self.email.parse_with("email", Email::parse)?,
            role: self.role.parse_with("role", MemberRole::parse)?,
        })
    }
}

/// The body of `POST /v1/customer-portal/members` (`CustomerPortalMemberCreate`): an
/// `external_id` key is ignored, as Polar does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PortalMemberCreateBody {
    /// `email`: required.
    #[serde(default)]
    pub email: Field,
    /// `name`: optional, blank means none.
    #[serde(default)]
    pub name: Field,
    /// `role`: absent means `member`; `null` is refused.
    #[serde(default)]
    pub role: Field,
}

impl PortalMemberCreateBody {
    /// An `AddMember` command with no external id; `member_id` is the new member's id.
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field, in the order `email`, `name`, `role`.
    pub fn into_command(self, member_id: MemberId) -> Result<Command, Error> {
        let body = MemberCreateFromCustomerBody {
            email: self.email,
            name: self.name,
            external_id: Field::Absent,
            role: self.role,
        };
        body.into_command(member_id)
    }
}

/// The body of `PATCH /v1/customer-portal/members/{id}` (`CustomerPortalMemberUpdate`):
/// name and role only; an `email` key is ignored, as Polar does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PortalMemberUpdateBody {
    /// `name`: blank means unchanged.
    #[serde(default)]
    pub name: Field,
    /// `role`.
    #[serde(default)]
    pub role: Field,
}

impl PortalMemberUpdateBody {
    /// A [`MemberUpdate`] without an email.
    ///
    /// # Errors
    ///
    /// `invalid_input` naming the first bad field, in the order `name`, `role`.
    pub fn into_update(self) -> Result<MemberUpdate, Error> {
        Ok(MemberUpdate {
            name: name(&self.name)?,
            email: None,
            role: self.role.parse_with("role", MemberRole::parse)?,
        })
    }
}

/// The team's invite body, `POST /v1/organizations/{id}/members/invite`: `{"email"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InviteBody {
    /// `email`: required.
    #[serde(default)]
    pub email: Field,
}

impl InviteBody {
    /// An `Invite` command: `invitation_id` is the new invitation's id, `ttl` its lifetime
    /// (a setting of the service's).
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `email`.
    pub fn into_command(self, invitation_id: InvitationId, ttl: Ttl) -> Result<organization::Command, Error> {
        let email = Email::parse(self.email.required("email")?)?;
        Ok(organization::Command::Invite { invitation_id, email, ttl })
    }
}

/// The team's role body, `PATCH /v1/organizations/{id}/members/{user_id}`: `{"role"}`.
/// `owner` parses, and ORG-6 refuses it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RoleBody {
    /// `role`: required.
    #[serde(default)]
    pub role: Field,
}

impl RoleBody {
    /// A `ChangeRole` command for the path's user.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `role`.
    pub fn into_command(self, user_id: UserId) -> Result<organization::Command, Error> {
        let role = Role::parse(self.role.required("role")?)?;
        Ok(organization::Command::ChangeRole { user_id, role })
    }
}
