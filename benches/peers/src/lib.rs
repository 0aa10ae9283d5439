//! The ORG-1 matrix and the same rosters in casbin and Cedar, beside `membership`, so that
//! benchmarks compare like with like. Every engine answers one question: may this user do
//! this permission in this organization?
//!
//! Queries are prepared before they are timed (strings, entity uids, requests), which
//! favours the peers: a service would build them per request.

use std::collections::HashSet;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request, RestrictedExpression,
};
use membership::organization::{Change, CreateOrganization, Event, Organization};
use membership::{Actor, AssignableRole, Email, OrganizationId, Permission, Role, Timestamp, UserId};
use uuid::Uuid;

/// Organizations and their members, each member with one role.
#[derive(Clone, Debug)]
pub struct Roster {
    /// Each organization with its members; the first member is the owner.
    pub orgs: Vec<(OrganizationId, Vec<(UserId, Role)>)>,
}

/// A user id with random-looking bits, deterministic for `(org, n)`.
fn user(org: u64, n: u64) -> UserId {
    UserId::new(Uuid::from_u64_pair((org << 32 | n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, org << 32 | n))
}

impl Roster {
    /// `orgs` organizations of `members` members each: an owner, then admins, finance and
    /// members in turn.
    #[must_use]
    pub fn new(orgs: u64, members: u64) -> Self {
        let roles = [Role::Admin, Role::Finance, Role::Member, Role::Member];
        let orgs = (0..orgs)
            .map(|o| {
                let id = OrganizationId::new(Uuid::from_u64_pair(0xA, o));
                let people = (0..members)
                    .map(|n| {
                        let role = if n == 0 { Role::Owner } else { roles[(n as usize - 1) % roles.len()] };
                        (user(o, n), role)
                    })
                    .collect();
                (id, people)
            })
            .collect();
        Roster { orgs }
    }

    /// One member of each role in organization `org`.
    #[must_use]
    pub fn one_of_each_role(&self, org: usize) -> Vec<(UserId, Role)> {
        Role::ALL.iter().filter_map(|role| self.orgs[org].1.iter().find(|(_, r)| r == role).copied()).collect()
    }

    /// Someone in no organization; `n` tells strangers apart.
    #[must_use]
    pub fn stranger(n: u64) -> UserId {
        user(u64::from(u32::MAX), n)
    }
}

/// A question prepared for an engine.
#[derive(Clone, Copy, Debug)]
pub struct Question {
    /// Which organization.
    pub org: OrganizationId,
    /// Who asks.
    pub user: UserId,
    /// For what.
    pub permission: Permission,
}

/// This crate: one `Organization` per id.
///
/// [`Ours::allows`] is the full check as a service makes it: it has loaded the organization
/// the request is about (it must, to pass its state), then asks `check`.
/// [`Ours::allows_with_lookup`] also finds the organization among all of them by id, as
/// casbin and Cedar find the domain inside their engines.
#[derive(Debug)]
pub struct Ours {
    orgs: hashbrown::HashMap<OrganizationId, Organization>,
}

/// A question for this crate: the organization's state, the actor and the permission.
#[derive(Clone, Copy, Debug)]
pub struct OursQuestion<'a> {
    org: &'a Organization,
    actor: Actor,
    permission: Permission,
}

impl Ours {
    /// Builds every organization from its events, as a service would load it.
    #[must_use]
    pub fn new(roster: &Roster) -> Self {
        let now = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
        let orgs = roster
            .orgs
            .iter()
            .map(|(id, people)| {
                let (owner, _) = people[0];
                let create = CreateOrganization { organization_id: *id, email: email(owner) };
                let mut events = Organization::create(create, Actor::User(owner), now).unwrap();
                let mut version = 1;
                let mut push = |change| {
                    version += 1;
                    events.push(Event { organization_id: *id, version, at: now, actor: Actor::System, change });
                };
                for &(user_id, role) in &people[1..] {
                    push(Change::MemberAdded { user_id, email: email(user_id), role: AssignableRole::Member });
                    if let Ok(to @ (AssignableRole::Admin | AssignableRole::Finance)) = AssignableRole::try_from(role) {
                        push(Change::MemberRoleChanged { user_id, from: AssignableRole::Member, to });
                    }
                }
                (*id, Organization::replay(&events).unwrap())
            })
            .collect();
        Ours { orgs }
    }

    /// Prepares a question: the organization's state is loaded.
    #[must_use]
    pub fn question(&self, q: &Question) -> OursQuestion<'_> {
        OursQuestion { org: &self.orgs[&q.org], actor: Actor::User(q.user), permission: q.permission }
    }

    /// The full check: `check` (not a member → not found, then the matrix).
    #[must_use]
    pub fn allows(q: &OursQuestion<'_>) -> bool {
        q.org.check(q.actor, q.permission).is_ok()
    }

    /// Finds the organization by id, then the full check.
    #[must_use]
    pub fn allows_with_lookup(&self, q: &Question) -> bool {
        self.orgs.get(&q.org).is_some_and(|org| org.check(Actor::User(q.user), q.permission).is_ok())
    }
}

fn email(user: UserId) -> Email {
    Email::parse(&format!("{}@example.com", user.as_uuid().simple())).unwrap()
}

/// casbin 2: RBAC with domains, policies in memory.
///
/// The fastest fair encoding we found: one policy line per (role, permission), shared by
/// every organization (51 lines), and one grouping line per membership (`g, user, role,
/// org`). Per-organization policy lines would make casbin scan 51 lines per organization.
pub struct Casbin {
    enforcer: casbin::Enforcer,
}

/// A casbin question: its request strings, made before timing.
#[derive(Clone, Debug)]
pub struct CasbinQuestion {
    user: String,
    org: String,
    permission: &'static str,
}

const CASBIN_MODEL: &str = "
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.act == p.act
";

impl Casbin {
    /// Loads the matrix and the roster.
    #[must_use]
    pub fn new(roster: &Roster) -> Self {
        use casbin::{CoreApi, MgmtApi};
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let model = casbin::DefaultModel::from_str(CASBIN_MODEL).await.unwrap();
            let mut enforcer = casbin::Enforcer::new(model, casbin::MemoryAdapter::default()).await.unwrap();
            let policies: Vec<Vec<String>> = Role::ALL
                .into_iter()
                .flat_map(|role| role.permissions().iter().map(move |p| vec![role.to_string(), p.to_string()]))
                .collect();
            enforcer.add_policies(policies).await.unwrap();
            let groupings: Vec<Vec<String>> = roster
                .orgs
                .iter()
                .flat_map(|(org, people)| {
                    people.iter().map(move |(user, role)| vec![user.to_string(), role.to_string(), org.to_string()])
                })
                .collect();
            enforcer.add_grouping_policies(groupings).await.unwrap();
            Casbin { enforcer }
        })
    }

    /// Prepares a question.
    #[must_use]
    pub fn question(q: &Question) -> CasbinQuestion {
        CasbinQuestion { user: q.user.to_string(), org: q.org.to_string(), permission: q.permission.as_str() }
    }

    /// casbin's `enforce`.
    #[must_use]
    pub fn allows(&self, q: &CasbinQuestion) -> bool {
        use casbin::CoreApi;
        self.enforcer.enforce((q.user.as_str(), q.org.as_str(), q.permission)).unwrap()
    }
}

/// How the matrix is written in Cedar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CedarEncoding {
    /// 16 `Action` entities whose parents are per-role action groups; three `permit`
    /// policies, `action in Action::"<group>"` and `when { principal in resource.<group> }`
    /// (owners are in the admins group: they hold the same permissions).
    ActionGroups,
    /// The same three policies with the permissions listed: `action in [Action::"…", …]`.
    ActionLists,
}

/// Cedar 4: an `Organization` entity per organization whose `admins`, `finances` and
/// `members` attributes are groups, users whose parent is their role's group.
pub struct Cedar {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
}

/// The three groups of the Cedar encoding, and the roles in each.
const CEDAR_GROUPS: [(&str, &[Role]); 3] =
    [("admins", &[Role::Owner, Role::Admin]), ("finances", &[Role::Finance]), ("members", &[Role::Member])];

fn cedar_group(role: Role) -> &'static str {
    CEDAR_GROUPS.iter().find(|(_, roles)| roles.contains(&role)).map(|(group, _)| *group).unwrap()
}

fn uid(text: &str) -> EntityUid {
    EntityUid::from_str(text).unwrap()
}

impl Cedar {
    /// Loads the matrix, in `encoding`, and the roster.
    #[must_use]
    pub fn new(roster: &Roster, encoding: CedarEncoding) -> Self {
        let mut text = String::new();
        let mut entities: Vec<Entity> = Vec::new();
        for (group, roles) in CEDAR_GROUPS {
            let holds = |p: &Permission| roles.iter().any(|r| r.can(*p));
            let scope = match encoding {
                CedarEncoding::ActionGroups => format!("action in Action::\"{group}\""),
                CedarEncoding::ActionLists => {
                    let list: Vec<String> =
                        Permission::ALL.iter().filter(|p| holds(p)).map(|p| format!("Action::\"{p}\"")).collect();
                    format!("action in [{}]", list.join(", "))
                }
            };
            text.push_str(&format!("permit(principal, {scope}, resource) when {{ principal in resource.{group} }};\n"));
            if encoding == CedarEncoding::ActionGroups {
                entities.push(Entity::new_no_attrs(uid(&format!("Action::\"{group}\"")), HashSet::new()));
            }
        }
        if encoding == CedarEncoding::ActionGroups {
            for permission in Permission::ALL {
                let parents = CEDAR_GROUPS
                    .iter()
                    .filter(|(_, roles)| roles.iter().any(|r| r.can(permission)))
                    .map(|(group, _)| uid(&format!("Action::\"{group}\"")))
                    .collect();
                entities.push(Entity::new_no_attrs(uid(&format!("Action::\"{permission}\"")), parents));
            }
        }
        for (org, people) in &roster.orgs {
            let group_uid = |group: &str| uid(&format!("Group::\"{org}-{group}\""));
            let attrs = CEDAR_GROUPS
                .iter()
                .map(|(group, _)| (group.to_string(), RestrictedExpression::new_entity_uid(group_uid(group))))
                .collect();
            entities.push(Entity::new(uid(&format!("Organization::\"{org}\"")), attrs, HashSet::new()).unwrap());
            for (group, _) in CEDAR_GROUPS {
                entities.push(Entity::new_no_attrs(group_uid(group), HashSet::new()));
            }
            for (user, role) in people {
                let parents = HashSet::from([group_uid(cedar_group(*role))]);
                entities.push(Entity::new_no_attrs(uid(&format!("User::\"{user}\"")), parents));
            }
        }
        Cedar {
            authorizer: Authorizer::new(),
            policies: PolicySet::from_str(&text).unwrap(),
            entities: Entities::from_entities(entities, None).unwrap(),
        }
    }

    /// Prepares a question: the request, made before timing.
    #[must_use]
    pub fn question(q: &Question) -> Request {
        Request::new(
            uid(&format!("User::\"{}\"", q.user)),
            uid(&format!("Action::\"{}\"", q.permission)),
            uid(&format!("Organization::\"{}\"", q.org)),
            Context::empty(),
            None,
        )
        .unwrap()
    }

    /// Cedar's `is_authorized`.
    #[must_use]
    pub fn allows(&self, request: &Request) -> bool {
        self.authorizer.is_authorized(request, &self.policies, &self.entities).decision() == Decision::Allow
    }
}

/// The questions of one case, for organization `org` of `roster`: every cell of the matrix
/// for one member of each role, split by the expected answer; every permission for a
/// stranger; every permission for a member of another organization.
#[must_use]
pub fn questions(roster: &Roster, org: usize) -> Vec<(&'static str, Vec<Question>, bool)> {
    let org_id = roster.orgs[org].0;
    let cells = |allowed: bool| -> Vec<Question> {
        roster
            .one_of_each_role(org)
            .into_iter()
            .flat_map(|(user, role)| {
                Permission::ALL.into_iter().filter(move |p| role.can(*p) == allowed).map(move |permission| Question {
                    org: org_id,
                    user,
                    permission,
                })
            })
            .collect()
    };
    let everyone =
        |user| Permission::ALL.into_iter().map(|permission| Question { org: org_id, user, permission }).collect();
    let mut cases = vec![("allowed", cells(true), true), ("denied", cells(false), false)];
    // A different stranger for each permission: one unlucky probe sequence is not the case.
    let strangers = (0..).zip(Permission::ALL).map(|(n, permission)| Question {
        org: org_id,
        user: Roster::stranger(n),
        permission,
    });
    cases.push(("non_member", strangers.collect(), false));
    if roster.orgs.len() > 1 {
        let other = roster.orgs[(org + 1) % roster.orgs.len()].1[1].0;
        cases.push(("other_org_member", everyone(other), false));
    }
    cases
}
