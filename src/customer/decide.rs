//! Every customer rule, in the orders SPEC §2 fixes: actor kind, visibility, authority,
//! the portal's own checks (CUS-8), then each command's rules.

use super::{
    Change, Command, CreateCustomer, Customer, CustomerActor, CustomerKind, Event, Member, MemberRole, MemberUpdate,
};
use crate::policy::PortalCapability;
use crate::{Email, Error, ExternalId, MemberId, Name, Permission, Timestamp};

/// Decides [`CreateCustomer`] (CUS-2): the customer and its owner member, in one decision.
///
/// `existing` is the customer already stored under that id, if any: creating it again is
/// idempotent (no events), so a retried request does no harm.
///
/// # Errors
///
/// In order: `actor_not_allowed` for a portal member; `organization_not_found` for a
/// merchant of another organization; `permission_denied` for a user without
/// `customers:manage`; `customer_not_found` when `existing` was deleted; `invalid_input`
/// for an individual customer without an email; `owner_email_required` for a team
/// customer with no email and no owner email.
pub fn create(
    existing: Option<&Customer>,
    command: CreateCustomer,
    actor: CustomerActor,
    now: Timestamp,
) -> Result<Vec<Event>, Error> {
    match actor {
        CustomerActor::Portal { .. } => return Err(Error::ActorNotAllowed { actor: actor.kind() }),
        CustomerActor::User { organization_id, .. } | CustomerActor::Token { organization_id }
            if organization_id != command.organization_id =>
        {
            return Err(Error::OrganizationNotFound { organization_id: command.organization_id });
        }
        CustomerActor::User { role, .. } if !role.can(Permission::CustomersManage) => {
            return Err(Error::PermissionDenied { permission: Permission::CustomersManage });
        }
        _ => {}
    }
    if let Some(existing) = existing {
        if existing.is_deleted() {
            return Err(Error::CustomerNotFound { customer_id: existing.id() });
        }
        return Ok(Vec::new());
    }
    if command.kind == CustomerKind::Individual && command.email.is_none() {
        return Err(Error::invalid("email", "is required for an individual customer"));
    }
    let CreateCustomer { customer_id, organization_id, kind, email, name, external_id, owner } = command;
    let owner_email = owner.email.or_else(|| email.clone()).ok_or(Error::OwnerEmailRequired)?;
    let member = Member {
        id: owner.member_id,
        created_at: now,
        modified_at: None,
        customer_id,
        email: owner_email,
        name: owner.name.or_else(|| name.clone()),
        external_id: owner.external_id.or_else(|| external_id.clone()),
        role: MemberRole::Owner,
    };
    let event = |version, change| Event { customer_id, version, at: now, actor, change };
    Ok(vec![
        event(1, Change::Created { organization_id, kind, email, name, external_id }),
        event(2, Change::MemberCreated { member }),
    ])
}

/// Decides `command` by `actor` at `now` against a customer: the events that happen (none
/// for a no-op), or the first rule it breaks.
///
/// # Errors
///
/// Access first, in order: `actor_not_allowed` (a portal member on a customer-level
/// command); `customer_not_found` (a deleted customer, or a merchant of another
/// organization); `permission_denied` (a user without `customers:manage`);
/// `member_session_invalid` (a portal member who is not an active member here). In the
/// portal, then: `insufficient_portal_role`, `team_customers_only`, `member_not_found`,
/// `cannot_change_own_role`, `cannot_remove_self`. Then the command's own rules (CUS-3 to
/// CUS-9), in the order of [`Command`]'s docs.
pub fn decide(
    customer: &Customer,
    command: Command,
    actor: CustomerActor,
    now: Timestamp,
) -> Result<Vec<Event>, Error> {
    let member_command =
        matches!(command, Command::AddMember { .. } | Command::UpdateMember { .. } | Command::DeleteMember { .. });
    let access = access(customer, actor, member_command)?;
    let out = Decision { customer, actor, now, version: customer.version(), events: Vec::new() };
    match command {
        Command::AddMember { member_id, email, name, external_id, role } => {
            portal_manages(customer, access)?;
            out.add_member(member_id, email, name, external_id, role)
        }
        Command::UpdateMember { member_id, update } => out.update_member(access, member_id, update),
        Command::DeleteMember { member_id } => {
            portal_manages(customer, access)?;
            let target = customer.member(member_id).ok_or(Error::CustomerMemberNotFound { member_id })?;
            if matches!(access, Access::Portal(me, _) if me == member_id) {
                return Err(Error::CannotRemoveSelf { member_id });
            }
            if customer.role_of(member_id) == Some(MemberRole::Owner) {
                return Err(Error::OnlyOwnerCannotBeDeleted { member_id });
            }
            out.emit(Change::MemberDeleted { member: target.clone() })
        }
        Command::ChangeEmail { email } => Ok(out.change_email(email)),
        Command::ChangeKind { kind } => match (customer.kind(), kind) {
            (current, wanted) if current == wanted => Ok(Vec::new()),
            (CustomerKind::Team, _) => Err(Error::CustomerKindDowngrade { customer_id: customer.id() }),
            (CustomerKind::Individual, _) => out.emit(Change::KindChanged { kind }),
        },
        Command::Delete => out.delete(),
    }
}

/// May `actor` read this customer and its members (SPEC §2.2)? Merchants of its
/// organization (users need `customers:read`: Finance reads but does not manage), the
/// system, and the customer's own active members in the portal. Never allocates.
///
/// # Errors
///
/// `customer_not_found` for a deleted customer or a merchant of another organization;
/// `permission_denied` for a user without `customers:read`; `member_session_invalid` for
/// a portal member who is not an active member here.
pub fn check_read(customer: &Customer, actor: CustomerActor) -> Result<(), Error> {
    let not_found = Error::CustomerNotFound { customer_id: customer.id() };
    match actor {
        _ if customer.is_deleted() => Err(not_found),
        CustomerActor::User { organization_id, .. } | CustomerActor::Token { organization_id }
            if organization_id != customer.organization_id() =>
        {
            Err(not_found)
        }
        CustomerActor::User { role, .. } if !role.can(Permission::CustomersRead) => {
            Err(Error::PermissionDenied { permission: Permission::CustomersRead })
        }
        CustomerActor::Portal { member_id } if customer.role_of(member_id).is_none() => {
            Err(Error::MemberSessionInvalid { member_id })
        }
        CustomerActor::User { .. }
        | CustomerActor::Token { .. }
        | CustomerActor::Portal { .. }
        | CustomerActor::System => Ok(()),
    }
}

/// Who passed the access checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// A merchant (user or token) or the system.
    Merchant,
    /// A portal member, with their role.
    Portal(MemberId, MemberRole),
}

fn access(customer: &Customer, actor: CustomerActor, portal_allowed: bool) -> Result<Access, Error> {
    if matches!(actor, CustomerActor::Portal { .. }) && !portal_allowed {
        return Err(Error::ActorNotAllowed { actor: actor.kind() });
    }
    let not_found = Error::CustomerNotFound { customer_id: customer.id() };
    if customer.is_deleted() {
        return Err(not_found);
    }
    match actor {
        CustomerActor::User { organization_id, .. } | CustomerActor::Token { organization_id }
            if organization_id != customer.organization_id() =>
        {
            Err(not_found)
        }
        CustomerActor::User { role, .. } if !role.can(Permission::CustomersManage) => {
            Err(Error::PermissionDenied { permission: Permission::CustomersManage })
        }
        CustomerActor::User { .. } | CustomerActor::Token { .. } | CustomerActor::System => Ok(Access::Merchant),
        CustomerActor::Portal { member_id } => customer
            .role_of(member_id)
            .map(|role| Access::Portal(member_id, role))
            .ok_or(Error::MemberSessionInvalid { member_id }),
    }
}

/// CUS-8's first two checks, for a portal member: may manage members, of a team.
fn portal_manages(customer: &Customer, access: Access) -> Result<(), Error> {
    let Access::Portal(_, role) = access else { return Ok(()) };
    if !role.can(PortalCapability::ManageMembers) {
        return Err(Error::InsufficientPortalRole { capability: PortalCapability::ManageMembers });
    }
    if customer.kind() != CustomerKind::Team {
        return Err(Error::TeamCustomersOnly { customer_id: customer.id() });
    }
    Ok(())
}

/// One decision in the making, numbering its events on from the customer's version.
struct Decision<'c> {
    customer: &'c Customer,
    actor: CustomerActor,
    now: Timestamp,
    version: u64,
    events: Vec<Event>,
}

impl Decision<'_> {
    fn push(&mut self, change: Change) {
        self.version += 1;
        let event =
            Event { customer_id: self.customer.id(), version: self.version, at: self.now, actor: self.actor, change };
        self.events.push(event);
    }

    #[expect(clippy::unnecessary_wraps, reason = "every arm of `decide` ends in a Result; this keeps them uniform")]
    fn emit(mut self, change: Change) -> Result<Vec<Event>, Error> {
        self.push(change);
        Ok(self.events)
    }

    /// CUS-3.
    fn add_member(
        self,
        member_id: MemberId,
        email: Email,
        name: Option<Name>,
        external_id: Option<ExternalId>,
        role: MemberRole,
    ) -> Result<Vec<Event>, Error> {
        let customer = self.customer;
        if role == MemberRole::Owner {
            return Err(Error::OwnerRoleNotCreatable);
        }
        // An individual customer always has its one member, the owner (INV-CUS-C).
        if customer.kind() == CustomerKind::Individual {
            return Err(Error::IndividualCustomerSingleMember { customer_id: customer.id() });
        }
        if customer.active_member_by_email(&email).is_some() {
            return Ok(Vec::new());
        }
        if let Some(external_id) = external_id.as_ref().filter(|id| customer.member_by_external_id(id).is_some()) {
            return Err(Error::ExternalIdTaken { external_id: external_id.as_str().to_owned() });
        }
        if customer.member(member_id).is_some() {
            return Err(Error::invalid("member_id", "is already used by another member; pass a new id"));
        }
        let member = Member {
            id: member_id,
            created_at: self.now,
            modified_at: None,
            customer_id: customer.id(),
            email,
            name,
            external_id,
            role,
        };
        self.emit(Change::MemberCreated { member })
    }

    /// CUS-4, with CUS-8's checks for a portal member.
    fn update_member(mut self, access: Access, member_id: MemberId, update: MemberUpdate) -> Result<Vec<Event>, Error> {
        let customer = self.customer;
        portal_manages(customer, access)?;
        let target = customer.member(member_id).ok_or(Error::CustomerMemberNotFound { member_id })?;
        let current = customer.role_of(member_id).unwrap_or(target.role);
        let new_role = update.role.filter(|role| *role != current);
        if let Access::Portal(me, _) = access {
            if me == member_id && new_role.is_some() {
                return Err(Error::CannotChangeOwnRole { member_id });
            }
            if update.email.is_some() {
                return Err(Error::invalid("email", "can't be changed in the customer portal; ask the merchant"));
            }
        }
        // Role rules.
        let transfer = match (current, new_role) {
            (MemberRole::Owner, Some(_)) => return Err(Error::CustomerNeedsOneOwner { member_id }),
            (_, Some(MemberRole::Owner)) => match access {
                Access::Portal(me, role) if role != MemberRole::Owner => {
                    return Err(Error::OnlyOwnerCanTransfer { member_id: me });
                }
                _ => true,
            },
            _ => false,
        };
        // Email rules.
        let new_email = update.email.filter(|email| !email.same_text(&target.email));
        if let Some(email) = &new_email {
            if customer.kind() == CustomerKind::Individual {
                return Err(Error::IndividualCustomerEmailLocked { member_id });
            }
            if customer.active_member_by_email(email).is_some_and(|other| other.id != member_id) {
                return Err(Error::MemberEmailTaken { email: email.as_str().to_owned() });
            }
        }
        let new_name = update.name.filter(|name| target.name.as_ref() != Some(name));
        if transfer {
            let from = customer.owner().map_or(member_id, |owner| owner.id);
            self.push(Change::MemberOwnershipTransferred { from, to: member_id });
        }
        let role_change = new_role.filter(|_| !transfer);
        if new_name.is_none() && new_email.is_none() && role_change.is_none() {
            return Ok(self.events);
        }
        let member = Member {
            modified_at: Some(self.now),
            email: new_email.unwrap_or_else(|| target.email.clone()),
            name: new_name.or_else(|| target.name.clone()),
            role: new_role.unwrap_or(current),
            ..target.clone()
        };
        self.emit(Change::MemberUpdated { member })
    }

    /// CUS-7.
    fn change_email(mut self, email: Email) -> Vec<Event> {
        let customer = self.customer;
        if customer.email().is_some_and(|current| current.same_text(&email)) {
            return Vec::new();
        }
        let owner = customer.owner().filter(|owner| !owner.email.same_text(&email));
        let owner_update = match customer.kind() {
            CustomerKind::Individual => {
                owner.map(|owner| Member { email: email.clone(), modified_at: Some(self.now), ..owner.clone() })
            }
            CustomerKind::Team => None,
        };
        self.push(Change::EmailChanged { email });
        if let Some(member) = owner_update {
            self.push(Change::MemberUpdated { member });
        }
        self.events
    }

    /// CUS-6: every member, the others in creation order, then the owner, then the customer.
    fn delete(mut self) -> Result<Vec<Event>, Error> {
        let customer = self.customer;
        let owner = customer.owner();
        for member in customer.members().into_iter().filter(|member| Some(*member) != owner) {
            self.push(Change::MemberDeleted { member: member.clone() });
        }
        if let Some(owner) = owner {
            self.push(Change::MemberDeleted { member: owner.clone() });
        }
        self.emit(Change::Deleted)
    }
}
