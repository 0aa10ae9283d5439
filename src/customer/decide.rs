//! Every customer rule, in the orders docs/rules.md#customers fixes: actor kind, visibility, authority,
//! the portal's own checks (CUS-8), then each command's rules.

use super::{
    Change, Command, CreateCustomer, Customer, CustomerActor, CustomerKind, CustomerView, Event, Member, MemberRole,
    MemberUpdate, Merchant, OwnerMember, Profile,
};
use crate::policy::PortalCapability;
use crate::{CustomerId, Email, Error, ExternalId, Lookup, MemberId, Name, OrganizationId, Permission, Timestamp};

/// Decides [`CreateCustomer`] (CUS-2): the customer and its owner member, in one event.
///
/// `existing` is the customer already stored under that id, if any: creating it again is
/// idempotent (no events), so a retried request does no harm. The same as [`decide`] with
/// [`Command::Create`] on `existing`, or on an [`Absent`] customer.
///
/// # Errors
///
/// As [`Command::Create`].
pub fn create(
    existing: Option<&Customer>,
    command: CreateCustomer,
    actor: CustomerActor,
    now: Timestamp,
) -> Result<Vec<Event>, Error> {
    let CreateCustomer { customer_id, organization_id, kind, email, name, external_id, owner } = command;
    let command = Command::Create { organization_id, kind, email, name, external_id, owner };
    match existing {
        Some(existing) => decide(existing, command, actor, now),
        None => decide(&Absent(customer_id), command, actor, now),
    }
}

/// A customer that does not exist yet (version 0): what creation is decided on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Absent(pub CustomerId);

impl CustomerView for Absent {
    fn id(&self) -> CustomerId {
        self.0
    }

    fn version(&self) -> u64 {
        0
    }

    fn profile(&self) -> Option<&Profile> {
        None
    }

    fn owner(&self) -> Lookup<Option<Member>> {
        Ok(None)
    }

    fn member(&self, _: MemberId) -> Lookup<Option<Member>> {
        Ok(None)
    }

    fn member_id_used(&self, _: MemberId) -> Lookup<bool> {
        Ok(false)
    }

    fn active_member_by_email(&self, _: &Email) -> Lookup<Option<Member>> {
        Ok(None)
    }

    fn member_by_external_id(&self, _: &ExternalId) -> Lookup<Option<Member>> {
        Ok(None)
    }

    fn members(&self) -> Lookup<Vec<Member>> {
        Ok(Vec::new())
    }
}

/// Decides `command` by `actor` at `now` against a customer: the events that happen (none
/// for a no-op), or the first rule it breaks.
///
/// # Errors
///
/// Access first, in order: `actor_not_allowed` (a portal member on a customer-level
/// command); `customer_not_found` (no such customer, a deleted one, or a merchant of another
/// organization); `permission_denied` (a user without `customers:manage`);
/// `member_session_invalid` (a portal member who is not an active member here). In the
/// portal, then: `insufficient_portal_role`, `team_customers_only`, `member_not_found`,
/// `cannot_change_own_role`, `cannot_remove_self`. Then the command's own rules (CUS-2 to
/// CUS-9), in the order of [`Command`]'s docs. `view_incomplete` when the view did not load
/// a row the command needs.
pub fn decide<V: CustomerView>(
    customer: &V,
    command: Command,
    actor: CustomerActor,
    now: Timestamp,
) -> Result<Vec<Event>, Error> {
    let view = &Rows(customer);
    let Command::Create { organization_id, kind, email, name, external_id, owner } = command else {
        return decide_existing(view, command, actor, now);
    };
    match actor {
        CustomerActor::Portal { .. } => return Err(Error::ActorNotAllowed { actor: actor.kind() }),
        CustomerActor::Merchant(merchant) if merchant.organization_id() != organization_id => {
            return Err(Error::OrganizationNotFound { organization_id });
        }
        CustomerActor::Merchant(merchant) => may(organization_id, merchant, Permission::CustomersManage)?,
        CustomerActor::System => {}
    }
    if let Some(profile) = customer.profile() {
        if profile.deleted {
            return Err(Error::CustomerNotFound { customer_id: view.id() });
        }
        return Ok(Vec::new());
    }
    let customer_id = view.id();
    if kind == CustomerKind::Individual && email.is_none() {
        return Err(Error::invalid("email", "is required for an individual customer"));
    }
    let OwnerMember { member_id, email: owner_email, name: owner_name, external_id: owner_external_id } = owner;
    let owner_email = owner_email.or_else(|| email.clone()).ok_or(Error::OwnerEmailRequired { customer_id })?;
    let owner = Member {
        id: member_id,
        created_at: now,
        modified_at: None,
        customer_id,
        email: owner_email,
        name: owner_name.or_else(|| name.clone()),
        external_id: owner_external_id.or_else(|| external_id.clone()),
        role: MemberRole::Owner,
    };
    let change = Change::Created { organization_id, kind, email, name, external_id, owner };
    Ok(vec![Event { customer_id, version: 1, at: now, actor, change }])
}

fn decide_existing<V: CustomerView>(
    view: &Rows<'_, V>,
    command: Command,
    actor: CustomerActor,
    now: Timestamp,
) -> Result<Vec<Event>, Error> {
    let member_command =
        matches!(command, Command::AddMember { .. } | Command::UpdateMember { .. } | Command::DeleteMember { .. });
    if matches!(actor, CustomerActor::Portal { .. }) && !member_command {
        return Err(Error::ActorNotAllowed { actor: actor.kind() });
    }
    let profile = visible(view, actor)?;
    let access = access(view, profile, actor, Permission::CustomersManage)?;
    let out = Decision { view, profile, actor, now, version: view.0.version(), events: Vec::new() };
    match command {
        // Handled above.
        Command::Create { .. } => Ok(Vec::new()),
        Command::AddMember { member_id, email, name, external_id, role } => {
            portal_manages(view, profile, access)?;
            out.add_member(member_id, email, name, external_id, role)
        }
        Command::UpdateMember { member_id, update } => out.update_member(access, member_id, update),
        Command::DeleteMember { member_id } => out.delete_member(access, member_id),
        Command::ChangeEmail { email } => out.change_email(email),
        Command::ChangeKind { kind } => match (profile.kind, kind) {
            (current, wanted) if current == wanted => Ok(Vec::new()),
            (CustomerKind::Team, _) => Err(Error::CustomerKindDowngrade { customer_id: view.id() }),
            (CustomerKind::Individual, _) => out.emit(Change::KindChanged { kind }),
        },
        Command::Delete => out.delete(),
    }
}

/// May `actor` read this customer and its members (docs/rules.md#customer-access, CUS-8)? Merchants of its
/// organization (users need `customers:read`: Finance reads but does not manage), the
/// system, and in the portal a member who may manage members of a team customer (Polar
/// answers 403 to a plain member, and to the owner of an individual customer).
///
/// # Errors
///
/// `customer_not_found` for no such customer, a deleted one or a merchant of another
/// organization; `permission_denied` for a user without `customers:read`; in the portal,
/// as [`check_portal`] with [`PortalCapability::ManageMembers`].
pub fn check_read<V: CustomerView>(customer: &V, actor: CustomerActor) -> Result<(), Error> {
    let view = &Rows(customer);
    let profile = visible(view, actor)?;
    match actor {
        CustomerActor::Portal { .. } => check_portal(customer, actor, PortalCapability::ManageMembers),
        _ => access(view, profile, actor, Permission::CustomersRead).map(|_| ()),
    }
}

/// May this portal member use `capability` (CUS-8)? Checks, in order: the customer exists
/// and is not deleted (`customer_not_found`), the actor is a portal member
/// (`actor_not_allowed`) who is an active member here (`member_session_invalid`), whose role
/// holds the capability (`insufficient_portal_role`), and, for
/// [`ManageMembers`](PortalCapability::ManageMembers) and
/// [`TransferOwnership`](PortalCapability::TransferOwnership), that the customer is a team
/// (`team_customers_only`).
///
/// # Errors
///
/// The first check that fails, as above.
pub fn check_portal<V: CustomerView>(
    customer: &V,
    actor: CustomerActor,
    capability: PortalCapability,
) -> Result<(), Error> {
    let view = &Rows(customer);
    let customer_id = view.id();
    let profile = visible(view, actor)?;
    let CustomerActor::Portal { member_id } = actor else {
        return Err(Error::ActorNotAllowed { actor: actor.kind() });
    };
    let role = view.member(member_id)?.map(|member| member.role);
    let role = role.ok_or(Error::MemberSessionInvalid { customer_id, member_id })?;
    if !role.can(capability) {
        return Err(Error::InsufficientPortalRole { customer_id, capability });
    }
    let members_only = matches!(capability, PortalCapability::ManageMembers | PortalCapability::TransferOwnership);
    if members_only && profile.kind != CustomerKind::Team {
        return Err(Error::TeamCustomersOnly { customer_id });
    }
    Ok(())
}

/// The view, with each lookup's "not loaded" turned into the `view_incomplete` error.
struct Rows<'v, V>(&'v V);

impl<V: CustomerView> Rows<'_, V> {
    fn id(&self) -> CustomerId {
        self.0.id()
    }

    fn got<T>(&self, lookup: Lookup<T>) -> Result<T, Error> {
        lookup.map_err(|missing| Error::ViewIncomplete { stream: self.id().into(), missing })
    }

    fn owner(&self) -> Result<Option<Member>, Error> {
        self.got(self.0.owner())
    }

    fn member(&self, id: MemberId) -> Result<Option<Member>, Error> {
        self.got(self.0.member(id))
    }

    fn active_member_by_email(&self, email: &Email) -> Result<Option<Member>, Error> {
        self.got(self.0.active_member_by_email(email))
    }

    fn target(&self, member_id: MemberId) -> Result<Member, Error> {
        self.member(member_id)?.ok_or(Error::CustomerMemberNotFound { customer_id: self.id(), member_id })
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

/// The customer's row, if it exists, is not deleted and the actor may see it.
fn visible<'v, V: CustomerView>(view: &Rows<'v, V>, actor: CustomerActor) -> Result<&'v Profile, Error> {
    let not_found = Error::CustomerNotFound { customer_id: view.id() };
    let profile = view.0.profile().filter(|profile| !profile.deleted).ok_or(not_found.clone())?;
    match actor {
        CustomerActor::Merchant(merchant) if merchant.organization_id() != profile.organization_id => Err(not_found),
        _ => Ok(profile),
    }
}

/// Authority, once visible: a user's role must hold `permission`; a portal actor must be an
/// active member.
fn access<V: CustomerView>(
    view: &Rows<'_, V>,
    profile: &Profile,
    actor: CustomerActor,
    permission: Permission,
) -> Result<Access, Error> {
    match actor {
        CustomerActor::Merchant(merchant) => {
            may(profile.organization_id, merchant, permission)?;
            Ok(Access::Merchant)
        }
        CustomerActor::System => Ok(Access::Merchant),
        CustomerActor::Portal { member_id } => view
            .member(member_id)?
            .map(|member| Access::Portal(member_id, member.role))
            .ok_or(Error::MemberSessionInvalid { customer_id: view.id(), member_id }),
    }
}

/// A merchant user's role, which the organization gave them, must hold `permission`;
/// tokens pass.
fn may(organization_id: OrganizationId, merchant: Merchant, permission: Permission) -> Result<(), Error> {
    match merchant.user_role() {
        Some((_, role)) if !role.can(permission) => Err(Error::PermissionDenied { organization_id, permission }),
        _ => Ok(()),
    }
}

/// CUS-8's first two checks, for a portal member: may manage members, of a team.
fn portal_manages<V: CustomerView>(view: &Rows<'_, V>, profile: &Profile, access: Access) -> Result<(), Error> {
    let Access::Portal(_, role) = access else { return Ok(()) };
    let customer_id = view.id();
    if !role.can(PortalCapability::ManageMembers) {
        return Err(Error::InsufficientPortalRole { customer_id, capability: PortalCapability::ManageMembers });
    }
    if profile.kind != CustomerKind::Team {
        return Err(Error::TeamCustomersOnly { customer_id });
    }
    Ok(())
}

/// One decision in the making, numbering its events on from the customer's version.
struct Decision<'r, 'v, V> {
    view: &'r Rows<'v, V>,
    profile: &'v Profile,
    actor: CustomerActor,
    now: Timestamp,
    version: u64,
    events: Vec<Event>,
}

impl<V: CustomerView> Decision<'_, '_, V> {
    fn push(&mut self, change: Change) {
        // Saturating: a state at `u64::MAX` cannot come from a checked replay, and the
        // store's version check then refuses the write instead of wrapping.
        self.version = self.version.saturating_add(1);
        let event =
            Event { customer_id: self.view.id(), version: self.version, at: self.now, actor: self.actor, change };
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
        let view = self.view;
        let customer_id = view.id();
        if role == MemberRole::Owner {
            return Err(Error::OwnerRoleNotCreatable { customer_id });
        }
        // An individual customer always has its one member, the owner (INV-CUS-C).
        if self.profile.kind == CustomerKind::Individual {
            return Err(Error::IndividualCustomerSingleMember { customer_id });
        }
        if view.active_member_by_email(&email)?.is_some() {
            return Ok(Vec::new());
        }
        if let Some(external_id) = &external_id {
            if view.got(view.0.member_by_external_id(external_id))?.is_some() {
                return Err(Error::ExternalIdTaken { customer_id, external_id: external_id.as_str().to_owned() });
            }
        }
        if view.got(view.0.member_id_used(member_id))? {
            return Err(Error::invalid("member_id", "was used by a member of this customer before; pass a new id"));
        }
        let member = Member {
            id: member_id,
            created_at: self.now,
            modified_at: None,
            customer_id,
            email,
            name,
            external_id,
            role,
        };
        self.emit(Change::MemberCreated { member })
    }

    /// CUS-4, with CUS-8's checks for a portal member.
    fn update_member(mut self, access: Access, member_id: MemberId, update: MemberUpdate) -> Result<Vec<Event>, Error> {
        let view = self.view;
        let customer_id = view.id();
        portal_manages(view, self.profile, access)?;
        let target = view.target(member_id)?;
        let current = target.role;
        let new_role = update.role.filter(|role| *role != current);
        if let Access::Portal(me, _) = access {
            if me == member_id && new_role.is_some() {
                return Err(Error::CannotChangeOwnRole { customer_id, member_id });
            }
            if update.email.is_some() {
                return Err(Error::invalid("email", "can't be changed in the customer portal; ask the merchant"));
            }
        }
        // Role rules.
        let transfer = match (current, new_role) {
            (MemberRole::Owner, Some(_)) => return Err(Error::CustomerNeedsOneOwner { customer_id, member_id }),
            (_, Some(MemberRole::Owner)) => match access {
                Access::Portal(me, role) if role != MemberRole::Owner => {
                    return Err(Error::OnlyOwnerCanTransfer { customer_id, member_id: me });
                }
                _ => view.owner()?,
            },
            _ => None,
        };
        // Email rules.
        let new_email = update.email.filter(|email| !email.same_text(&target.email));
        if let Some(email) = &new_email {
            if self.profile.kind == CustomerKind::Individual {
                return Err(Error::IndividualCustomerEmailLocked { customer_id, member_id });
            }
            if view.active_member_by_email(email)?.is_some_and(|other| other.id != member_id) {
                return Err(Error::CustomerMemberEmailTaken { customer_id, email: email.as_str().to_owned() });
            }
        }
        let new_name = update.name.filter(|name| target.name.as_ref() != Some(name));
        let role_change = new_role.filter(|_| transfer.is_none());
        let rest_changes = new_name.is_some() || new_email.is_some() || role_change.is_some();
        let now = Some(self.now);
        let mut target = target;
        if let Some(previous) = transfer {
            target = Member { role: MemberRole::Owner, modified_at: now, ..target };
            let from = Member { role: MemberRole::BillingManager, modified_at: now, ..previous };
            if !rest_changes {
                return self.emit(Change::MemberOwnershipTransferred { from, to: target });
            }
            // A rename or new email in the same update follows as a `MemberUpdated`.
            self.push(Change::MemberOwnershipTransferred { from, to: target.clone() });
        }
        if !rest_changes {
            return Ok(self.events);
        }
        let member = Member {
            modified_at: now,
            email: new_email.unwrap_or(target.email),
            name: new_name.or(target.name),
            role: role_change.unwrap_or(target.role),
            ..target
        };
        self.emit(Change::MemberUpdated { member })
    }

    /// CUS-5, with CUS-8's checks for a portal member.
    fn delete_member(self, access: Access, member_id: MemberId) -> Result<Vec<Event>, Error> {
        let view = self.view;
        let customer_id = view.id();
        portal_manages(view, self.profile, access)?;
        let target = view.target(member_id)?;
        if matches!(access, Access::Portal(me, _) if me == member_id) {
            return Err(Error::CannotRemoveSelf { customer_id, member_id });
        }
        if target.role == MemberRole::Owner {
            return Err(Error::OnlyOwnerCannotBeDeleted { customer_id, member_id });
        }
        self.emit(Change::MemberDeleted { member: target })
    }

    /// CUS-7: the customer's email, and an individual customer's owner email with it, also
    /// when only the owner's differs.
    fn change_email(mut self, email: Email) -> Result<Vec<Event>, Error> {
        let customer_changes = !self.profile.email.as_ref().is_some_and(|current| current.same_text(&email));
        let owner_update = match self.profile.kind {
            CustomerKind::Individual => self
                .view
                .owner()?
                .filter(|owner| !owner.email.same_text(&email))
                .map(|owner| Member { email: email.clone(), modified_at: Some(self.now), ..owner.clone() }),
            CustomerKind::Team => None,
        };
        if customer_changes {
            self.push(Change::EmailChanged { email });
        }
        if let Some(member) = owner_update {
            self.push(Change::MemberUpdated { member });
        }
        Ok(self.events)
    }

    /// CUS-6: every member, the others in creation order, then the owner, then the customer.
    fn delete(mut self) -> Result<Vec<Event>, Error> {
        let view = self.view;
        let owner = view.owner()?;
        for member in view.got(view.0.members())?.into_iter().filter(|member| member.role != MemberRole::Owner) {
            self.push(Change::MemberDeleted { member });
        }
        if let Some(owner) = owner {
            self.push(Change::MemberDeleted { member: owner.clone() });
        }
        self.emit(Change::Deleted)
    }
}
