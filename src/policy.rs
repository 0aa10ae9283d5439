//! The permission matrices, each written once as a `const` table; every other view of
//! them (per-role sets, "which roles hold P", the role picker, the README table) is
//! derived here, never written twice.

use serde::Serialize;

use crate::customer::MemberRole;
use crate::{AssignableRole, Permission, PermissionSet, Role};

/// One row of the organization matrix (ORG-1): who holds a permission, and what a user
/// who lacks it is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The permission this row is about.
    pub permission: Permission,
    /// Whether each role holds it, in [`Role::ALL`] order: owner, admin, finance, member.
    pub held_by: [bool; 4],
    /// The `detail` of Polar's 403 body, character for character.
    pub denial: &'static str,
    /// The row of Polar's public docs table this permission belongs to, if any.
    pub docs_row: Option<DocsRow>,
}

/// A row of the 9-row permission table in Polar's public docs. Each groups the `read`
/// and `manage` permissions of one area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocsRow {
    /// View & manage products.
    Products,
    /// View & manage customers.
    Customers,
    /// View & manage custom fields.
    CustomFields,
    /// View & manage sales (orders, subscriptions, refunds).
    Sales,
    /// View & manage analytics.
    Analytics,
    /// View other members.
    ViewMembers,
    /// Invite, remove & change member roles.
    ManageMembers,
    /// View & manage finances (balance, payouts).
    Finances,
    /// Manage organization settings (including webhooks & API keys).
    Settings,
}

impl DocsRow {
    /// The docs' order.
    pub const ALL: [DocsRow; 9] = [
        DocsRow::Products,
        DocsRow::Customers,
        DocsRow::CustomFields,
        DocsRow::Sales,
        DocsRow::Analytics,
        DocsRow::ViewMembers,
        DocsRow::ManageMembers,
        DocsRow::Finances,
        DocsRow::Settings,
    ];

    /// The row's label, as the docs write it.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            DocsRow::Products => "View & manage products",
            DocsRow::Customers => "View & manage customers",
            DocsRow::CustomFields => "View & manage custom fields",
            DocsRow::Sales => "View & manage sales (orders, subscriptions, refunds)",
            DocsRow::Analytics => "View & manage analytics",
            DocsRow::ViewMembers => "View other members",
            DocsRow::ManageMembers => "Invite, remove & change member roles",
            DocsRow::Finances => "View & manage finances (balance, payouts)",
            DocsRow::Settings => "Manage organization settings (including webhooks & API keys)",
        }
    }
}

const fn grant(permission: Permission, held_by: [bool; 4], denial: &'static str, docs_row: Option<DocsRow>) -> Grant {
    Grant { permission, held_by, denial, docs_row }
}

const Y: bool = true;
const N: bool = false;

/// The organization role × permission matrix (ORG-1): the single source of truth.
///
/// Rows are in [`Permission::ALL`] order (checked at compile time), so a permission's row
/// is found by its index.
#[rustfmt::skip]
pub const ORGANIZATION_MATRIX: [Grant; 16] = {
    use Permission as P;
    use DocsRow as D;
    [
        //    permission              owner admin fin  member   denial message (Polar's 403 `detail`)                          docs row
        grant(P::AnalyticsManage,    [Y,    Y,    N,   Y], "You don't have permission to manage analytics",     Some(D::Analytics)),
        grant(P::AnalyticsRead,      [Y,    Y,    Y,   Y], "You don't have permission to view analytics",       Some(D::Analytics)),
        grant(P::CustomFieldsManage, [Y,    Y,    N,   Y], "You don't have permission to manage custom fields", Some(D::CustomFields)),
        grant(P::CustomFieldsRead,   [Y,    Y,    Y,   Y], "You don't have permission to view custom fields",   Some(D::CustomFields)),
        grant(P::CustomersManage,    [Y,    Y,    N,   Y], "You don't have permission to manage customers",     Some(D::Customers)),
        grant(P::CustomersRead,      [Y,    Y,    Y,   Y], "You don't have permission to view customers",       Some(D::Customers)),
        grant(P::EventsIngest,       [Y,    Y,    N,   Y], "You don't have permission to ingest events",        None),
        grant(P::FinanceManage,      [Y,    Y,    N,   N], "You don't have permission to manage financial data", Some(D::Finances)),
        grant(P::FinanceRead,        [Y,    Y,    Y,   N], "You don't have permission to access financial data", Some(D::Finances)),
        grant(P::MembersManage,      [Y,    Y,    N,   N], "You don't have permission to manage members",       Some(D::ManageMembers)),
        grant(P::MembersRead,        [Y,    Y,    N,   Y], "You don't have permission to view members",         Some(D::ViewMembers)),
        grant(P::OrganizationManage, [Y,    Y,    N,   N], "You don't have permission to manage the organization", Some(D::Settings)),
        grant(P::ProductsManage,     [Y,    Y,    N,   Y], "You don't have permission to manage products",      Some(D::Products)),
        grant(P::ProductsRead,       [Y,    Y,    Y,   Y], "You don't have permission to view products",        Some(D::Products)),
        grant(P::SalesManage,        [Y,    Y,    Y,   Y], "You don't have permission to manage sales",         Some(D::Sales)),
        grant(P::SalesRead,          [Y,    Y,    Y,   Y], "You don't have permission to view sales",           Some(D::Sales)),
    ]
};

/// Each role's permissions, in [`Role::ALL`] order, computed from the matrix at compile time.
#[expect(clippy::indexing_slicing, reason = "evaluated by the compiler: a bad index fails the build, never a run")]
const ROLE_PERMISSIONS: [PermissionSet; 4] = {
    let mut sets = [PermissionSet::EMPTY; 4];
    let mut row = 0;
    while row < ORGANIZATION_MATRIX.len() {
        let grant = ORGANIZATION_MATRIX[row];
        assert!(grant.permission as usize == row, "matrix rows must follow Permission::ALL");
        let mut role = 0;
        while role < 4 {
            if grant.held_by[role] {
                sets[role] = sets[role].with(grant.permission);
            }
            role += 1;
        }
        row += 1;
    }
    sets
};

// Facts the docs state, checked by the compiler.
const _: () = assert!(Role::Owner.permissions().contains_all(Role::Admin.permissions()));
const _: () = assert!(Role::Admin.permissions().contains_all(Role::Owner.permissions()));
const _: () = assert!(Role::Admin.can(Permission::MembersManage));
const _: () = assert!(!Role::Member.can(Permission::MembersManage));
const _: () = assert!(!Role::Finance.can(Permission::MembersRead));

/// The permissions of `role` (see [`Role::permissions`]).
pub(crate) const fn permissions_of(role: Role) -> PermissionSet {
    let [owner, admin, finance, member] = ROLE_PERMISSIONS;
    match role {
        Role::Owner => owner,
        Role::Admin => admin,
        Role::Finance => finance,
        Role::Member => member,
    }
}

/// The matrix row of `permission`.
#[must_use]
pub const fn grant_of(permission: Permission) -> &'static Grant {
    #[expect(
        clippy::indexing_slicing,
        reason = "rows follow Permission::ALL (asserted at compile time), so every discriminant is in bounds"
    )]
    &ORGANIZATION_MATRIX[permission as usize]
}

/// What a user lacking `permission` is told: Polar's 403 `detail`, exactly.
///
/// ```
/// use membership::{policy, Permission};
///
/// assert_eq!(
///     policy::denial(Permission::MembersManage),
///     "You don't have permission to manage members",
/// );
/// ```
#[must_use]
pub const fn denial(permission: Permission) -> &'static str {
    grant_of(permission).denial
}

/// The roles holding `permission`, most powerful first: what a service puts in a SQL
/// `role IN (…)` filter.
///
/// ```
/// use membership::{policy, Permission, Role};
///
/// let roles: Vec<Role> = policy::roles_holding(Permission::FinanceRead).collect();
/// assert_eq!(roles, [Role::Owner, Role::Admin, Role::Finance]);
/// ```
pub fn roles_holding(permission: Permission) -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(move |role| role.can(permission))
}

/// A role with everything it may do: one column of the side-by-side matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RoleDefinition<R> {
    /// The role.
    pub role: R,
    /// Its permissions, serialized as a sorted array of strings.
    pub permissions: PermissionSet,
}

/// The role picker (ORG-9): Admin, Finance, Member, each with its permissions, so a UI can
/// render the side-by-side matrix before a role change is saved.
#[must_use]
pub fn role_picker() -> [RoleDefinition<AssignableRole>; 3] {
    AssignableRole::ALL.map(|role| RoleDefinition { role, permissions: role.role().permissions() })
}

/// Polar's "role definitions" list (ORG-9): every role in [`Role::ALL`] order with its
/// permissions.
#[must_use]
pub fn role_definitions() -> [RoleDefinition<Role>; 4] {
    Role::ALL.map(|role| RoleDefinition { role, permissions: role.permissions() })
}

/// Whether a member holding `actor` may move a member from role `from` to role `to`
/// (ORG-12): only holders of `members:manage`, and never to or from Owner, which moves
/// only by ownership transfer (ORG-10).
#[must_use]
pub const fn may_change_role(actor: Role, from: Role, to: Role) -> bool {
    actor.can(Permission::MembersManage) && !matches!(from, Role::Owner) && !matches!(to, Role::Owner)
}

/// ORG-12 as a table: `ROLE_CHANGES[a][x][y]` answers "may a member holding role `a` move a
/// member from role `x` to role `y`", indices in [`Role::ALL`] order.
#[expect(clippy::indexing_slicing, reason = "evaluated by the compiler: a bad index fails the build, never a run")]
pub const ROLE_CHANGES: [[[bool; 4]; 4]; 4] = {
    let mut table = [[[false; 4]; 4]; 4];
    let mut a = 0;
    while a < 4 {
        let mut x = 0;
        while x < 4 {
            let mut y = 0;
            while y < 4 {
                table[a][x][y] = may_change_role(Role::ALL[a], Role::ALL[x], Role::ALL[y]);
                y += 1;
            }
            x += 1;
        }
        a += 1;
    }
    table
};

/// What a role may do in one row of Polar's docs table: a cell of the side-by-side matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Every permission of the row.
    Full,
    /// Only some of them: the reading one.
    ViewOnly,
    /// None of them.
    Denied,
}

impl Access {
    /// The cell as the docs write it: `✓`, `view only`, or nothing.
    #[must_use]
    pub const fn mark(self) -> &'static str {
        match self {
            Access::Full => "✓",
            Access::ViewOnly => "view only",
            Access::Denied => "",
        }
    }
}

/// What `role` may do in docs row `row`, from [`ORGANIZATION_MATRIX`]: the one derivation
/// behind the README's matrix and a role picker's.
///
/// ```
/// use membership::policy::{access, Access, DocsRow};
/// use membership::Role;
///
/// assert_eq!(access(DocsRow::ViewMembers, Role::Member), Access::Full);
/// assert_eq!(access(DocsRow::Finances, Role::Finance), Access::ViewOnly);
/// assert_eq!(access(DocsRow::ManageMembers, Role::Member), Access::Denied);
/// ```
#[must_use]
pub fn access(row: DocsRow, role: Role) -> Access {
    let in_row = ORGANIZATION_MATRIX.iter().filter(|grant| grant.docs_row == Some(row));
    let (held, all) =
        in_row.fold((0, 0), |(held, all), grant| (held + usize::from(role.can(grant.permission)), all + 1));
    match held {
        0 => Access::Denied,
        n if n == all => Access::Full,
        _ => Access::ViewOnly,
    }
}

/// The organization matrix as a Markdown table in the form of Polar's docs: one row per
/// docs row, one column per role (Member, Finance, Admin, Owner), each cell [`access`]'s
/// mark. `events:ingest` is API-only and has no docs row. README.md embeds this output; a
/// test keeps the two equal.
#[must_use]
#[cfg(feature = "docs")]
pub fn markdown_matrix() -> String {
    const COLUMNS: [Role; 4] = [Role::Member, Role::Finance, Role::Admin, Role::Owner];
    let mut out = String::from("| Permission | Member | Finance | Admin | Owner |\n|---|:-:|:-:|:-:|:-:|\n");
    for row in DocsRow::ALL {
        out.push_str("| ");
        out.push_str(row.label());
        for role in COLUMNS {
            out.push_str(" | ");
            out.push_str(access(row, role).mark());
        }
        out.push_str(" |\n");
    }
    out
}

/// Something a member may do in the customer portal (CUS-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PortalCapability {
    /// Add, update and remove the customer's members.
    ManageMembers,
    /// Make another member the owner.
    TransferOwnership,
    /// Change the customer's billing details.
    UpdateCustomer,
    /// Add and remove payment methods.
    ManagePaymentMethods,
    /// See the customer's orders.
    ViewOrders,
    /// Change or cancel subscriptions.
    ManageSubscriptions,
    /// Assign and revoke seats.
    ManageSeats,
    /// See subscriptions.
    ViewSubscriptions,
    /// See seats.
    ViewSeats,
    /// See one's own profile.
    ViewProfile,
    /// See the benefits granted to oneself.
    ViewOwnBenefitGrants,
}

impl PortalCapability {
    /// Every capability, in the portal matrix's order.
    pub const ALL: [PortalCapability; 11] = [
        PortalCapability::ManageMembers,
        PortalCapability::TransferOwnership,
        PortalCapability::UpdateCustomer,
        PortalCapability::ManagePaymentMethods,
        PortalCapability::ViewOrders,
        PortalCapability::ManageSubscriptions,
        PortalCapability::ManageSeats,
        PortalCapability::ViewSubscriptions,
        PortalCapability::ViewSeats,
        PortalCapability::ViewProfile,
        PortalCapability::ViewOwnBenefitGrants,
    ];

    /// The capability's wire string, e.g. `"manage_members"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PortalCapability::ManageMembers => "manage_members",
            PortalCapability::TransferOwnership => "transfer_ownership",
            PortalCapability::UpdateCustomer => "update_customer",
            PortalCapability::ManagePaymentMethods => "manage_payment_methods",
            PortalCapability::ViewOrders => "view_orders",
            PortalCapability::ManageSubscriptions => "manage_subscriptions",
            PortalCapability::ManageSeats => "manage_seats",
            PortalCapability::ViewSubscriptions => "view_subscriptions",
            PortalCapability::ViewSeats => "view_seats",
            PortalCapability::ViewProfile => "view_profile",
            PortalCapability::ViewOwnBenefitGrants => "view_own_benefit_grants",
        }
    }
}

impl std::fmt::Display for PortalCapability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The customer portal matrix (CUS-8): member role × capability, the single source of truth.
/// Columns in [`MemberRole::ALL`] order; rows in [`PortalCapability::ALL`] order (checked at
/// compile time).
#[rustfmt::skip]
pub const PORTAL_MATRIX: [(PortalCapability, [bool; 3]); 11] = {
    use PortalCapability as C;
    [
        //                           owner billing member
        (C::ManageMembers,          [Y,    Y,      N]),
        (C::TransferOwnership,      [Y,    N,      N]),
        (C::UpdateCustomer,         [Y,    Y,      N]),
        (C::ManagePaymentMethods,   [Y,    Y,      N]),
        (C::ViewOrders,             [Y,    Y,      N]),
        (C::ManageSubscriptions,    [Y,    Y,      N]),
        (C::ManageSeats,            [Y,    Y,      N]),
        (C::ViewSubscriptions,      [Y,    Y,      Y]),
        (C::ViewSeats,              [Y,    Y,      Y]),
        (C::ViewProfile,            [Y,    Y,      Y]),
        (C::ViewOwnBenefitGrants,   [Y,    Y,      Y]),
    ]
};

/// Each member role's capabilities as bits, in [`MemberRole::ALL`] order.
#[expect(clippy::indexing_slicing, reason = "evaluated by the compiler: a bad index fails the build, never a run")]
const PORTAL_BITS: [u16; 3] = {
    let mut bits = [0u16; 3];
    let mut row = 0;
    while row < PORTAL_MATRIX.len() {
        let (capability, held_by) = PORTAL_MATRIX[row];
        assert!(capability as usize == row, "portal rows must follow PortalCapability::ALL");
        let mut role = 0;
        while role < 3 {
            if held_by[role] {
                bits[role] |= 1 << row;
            }
            role += 1;
        }
        row += 1;
    }
    bits
};

const _: () = assert!(MemberRole::Owner.can(PortalCapability::TransferOwnership));
const _: () = assert!(!MemberRole::BillingManager.can(PortalCapability::TransferOwnership));
const _: () = assert!(!MemberRole::Member.can(PortalCapability::ManageMembers));

/// Whether `role` holds `capability` in the portal (see [`MemberRole::can`]).
pub(crate) const fn portal_allows(role: MemberRole, capability: PortalCapability) -> bool {
    let [owner, billing_manager, member] = PORTAL_BITS;
    let bits = match role {
        MemberRole::Owner => owner,
        MemberRole::BillingManager => billing_manager,
        MemberRole::Member => member,
    };
    bits & (1 << capability as u8) != 0
}

/// The portal matrix as a Markdown table, one row per capability. README.md embeds this
/// output; a test keeps the two equal.
#[must_use]
#[cfg(feature = "docs")]
pub fn markdown_portal_matrix() -> String {
    let mut out = String::from("| Capability | Owner | Billing manager | Member |\n|---|:-:|:-:|:-:|\n");
    for capability in PortalCapability::ALL {
        out.push_str("| `");
        out.push_str(capability.as_str());
        out.push('`');
        for role in MemberRole::ALL {
            out.push_str(if role.can(capability) { " | ✓" } else { " | " });
        }
        out.push_str(" |\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's ORG-1 table, transcribed independently of the const table above, so a
    /// slip in either one fails this test. Columns: member, finance, admin, owner.
    #[rustfmt::skip]
    const SPEC_ORG_1: [(&str, [u8; 4]); 16] = [
        ("products:read",       [1, 1, 1, 1]),
        ("products:manage",     [1, 0, 1, 1]),
        ("custom_fields:read",  [1, 1, 1, 1]),
        ("custom_fields:manage",[1, 0, 1, 1]),
        ("customers:read",      [1, 1, 1, 1]),
        ("customers:manage",    [1, 0, 1, 1]),
        ("sales:read",          [1, 1, 1, 1]),
        ("sales:manage",        [1, 1, 1, 1]),
        ("analytics:read",      [1, 1, 1, 1]),
        ("analytics:manage",    [1, 0, 1, 1]),
        ("events:ingest",       [1, 0, 1, 1]),
        ("members:read",        [1, 0, 1, 1]),
        ("members:manage",      [0, 0, 1, 1]),
        ("finance:read",        [0, 1, 1, 1]),
        ("finance:manage",      [0, 0, 1, 1]),
        ("organization:manage", [0, 0, 1, 1]),
    ];

    #[test]
    fn org_1_matrix_matches_the_spec_cell_by_cell() {
        let columns = [Role::Member, Role::Finance, Role::Admin, Role::Owner];
        for (name, cells) in SPEC_ORG_1 {
            let permission = Permission::parse(name).unwrap();
            for (role, cell) in columns.into_iter().zip(cells) {
                assert_eq!(role.can(permission), cell == 1, "{role} × {name}");
            }
        }
    }

    #[test]
    fn org_1_denials_are_polars_strings() {
        for (permission, expected) in [
            (Permission::MembersManage, "You don't have permission to manage members"),
            (Permission::MembersRead, "You don't have permission to view members"),
            (Permission::OrganizationManage, "You don't have permission to manage the organization"),
            (Permission::FinanceRead, "You don't have permission to access financial data"),
            (Permission::FinanceManage, "You don't have permission to manage financial data"),
            (Permission::ProductsManage, "You don't have permission to manage products"),
        ] {
            assert_eq!(denial(permission), expected);
        }
        for permission in Permission::ALL {
            assert!(denial(permission).starts_with("You don't have permission to "));
            assert_eq!(grant_of(permission).permission, permission);
        }
    }

    #[test]
    fn org_1_roles_holding_agrees_with_the_matrix() {
        for grant in ORGANIZATION_MATRIX {
            let holders: Vec<Role> = roles_holding(grant.permission).collect();
            let expected: Vec<Role> =
                Role::ALL.into_iter().zip(grant.held_by).filter_map(|(role, held)| held.then_some(role)).collect();
            assert_eq!(holders, expected, "{}", grant.permission);
        }
    }

    #[test]
    fn org_9_role_picker_is_admin_finance_member_with_their_permissions() {
        let picker = role_picker();
        assert_eq!(picker.map(|d| d.role), AssignableRole::ALL);
        for definition in picker {
            assert_eq!(definition.permissions, definition.role.role().permissions());
        }
        let definitions = role_definitions();
        assert_eq!(definitions.map(|d| d.role), Role::ALL);
        let json = serde_json::to_value(picker[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"role": "finance", "permissions": [
                "analytics:read", "custom_fields:read", "customers:read", "finance:read",
                "products:read", "sales:manage", "sales:read"]})
        );
    }

    #[test]
    fn org_12_role_change_table_has_18_allowed_triples() {
        let mut allowed = 0;
        for (a, actor) in Role::ALL.into_iter().enumerate() {
            for (x, from) in Role::ALL.into_iter().enumerate() {
                for (y, to) in Role::ALL.into_iter().enumerate() {
                    let expected =
                        matches!(actor, Role::Owner | Role::Admin) && from != Role::Owner && to != Role::Owner;
                    assert_eq!(ROLE_CHANGES[a][x][y], expected, "{actor}: {from} → {to}");
                    allowed += usize::from(expected);
                }
            }
        }
        assert_eq!(allowed, 18);
    }

    #[test]
    fn cus_8_portal_matrix_matches_the_spec() {
        let billing = [
            PortalCapability::UpdateCustomer,
            PortalCapability::ManagePaymentMethods,
            PortalCapability::ViewOrders,
            PortalCapability::ManageSubscriptions,
            PortalCapability::ManageSeats,
        ];
        for capability in PortalCapability::ALL {
            let expected = match capability {
                PortalCapability::TransferOwnership => [true, false, false],
                PortalCapability::ManageMembers => [true, true, false],
                c if billing.contains(&c) => [true, true, false],
                _ => [true, true, true],
            };
            assert_eq!(MemberRole::ALL.map(|role| role.can(capability)), expected, "{capability}");
            assert_eq!(serde_json::to_value(capability).unwrap(), capability.as_str());
            assert_eq!(capability.to_string(), capability.as_str());
        }
        let table = markdown_portal_matrix();
        assert!(table.contains("| `manage_members` | ✓ | ✓ |  |"), "{table}");
        assert!(table.contains("| `transfer_ownership` | ✓ |  |  |"), "{table}");
        assert_eq!(table.lines().count(), 13);
    }

    #[test]
    fn markdown_matrix_cells_follow_the_permissions() {
        let table = markdown_matrix();
        assert!(table.contains("| View & manage products | ✓ | view only | ✓ | ✓ |"), "{table}");
        assert!(table.contains("| View other members | ✓ |  | ✓ | ✓ |"), "{table}");
        assert!(table.contains("| View & manage sales (orders, subscriptions, refunds) | ✓ | ✓ | ✓ | ✓ |"), "{table}");
        assert_eq!(table.lines().count(), 11);
    }
}
