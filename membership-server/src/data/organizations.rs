//! `server_organizations`: each organization's profile (name, slug, contact fields), beside
//! the store's `organizations` row, which holds when it was created. Keyed by the
//! organization, its tenant.

use membership::{OrganizationId, Role, Timestamp, UserId};
use membership_sqlx::{Store, StoreError};

use super::WriteIn;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

/// An organization's profile, as the service keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Its display name (Polar: at least 3 characters).
    pub name: String,
    /// Its unique slug.
    pub slug: String,
    /// Its public contact email.
    pub email: Option<String>,
    /// Its website.
    pub website: Option<String>,
    /// Its logo's address.
    pub avatar_url: Option<String>,
}

impl Profile {
    /// The profile of an organization that has none stored: named after its id, which is
    /// also its slug.
    #[must_use]
    pub fn unnamed(id: OrganizationId) -> Self {
        let text = id.to_string();
        Profile {
            name: format!("Organization {}", text.get(..8).unwrap_or(&text)),
            slug: text,
            email: None,
            website: None,
            avatar_url: None,
        }
    }
}

/// An organization with its profile and times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// The organization.
    pub id: OrganizationId,
    /// When it was created (the store's row).
    pub created_at: Timestamp,
    /// When its profile last changed, if it ever did.
    pub modified_at: Option<Timestamp>,
    /// Its profile.
    pub profile: Profile,
}

const T: &str = "server_organizations";

/// The columns every read selects: the store's row `o`, the profile `p` (absent for an
/// organization without one).
macro_rules! columns {
    () => {
        "o.id, o.created_at, p.name, p.slug, p.email, p.website, p.avatar_url, p.modified_at"
    };
}

fn record(row: &AnyRow) -> Result<OrganizationRecord, StoreError> {
    let corrupt = |column: &str| StoreError::CorruptRow {
        table: T,
        key: row.try_get::<String, _>("id").unwrap_or_default(),
        reason: format!("`{column}` does not read back"),
    };
    let id: String = row.try_get("id")?;
    let id = OrganizationId::parse(&id).map_err(|_| corrupt("id"))?;
    let time = |micros: i64, column: &str| Timestamp::from_unix_micros(micros).map_err(|_| corrupt(column));
    let created_at = time(row.try_get("created_at")?, "created_at")?;
    let modified_at = row.try_get::<Option<i64>, _>("modified_at")?.map(|at| time(at, "modified_at")).transpose()?;
    let profile = match (row.try_get::<Option<String>, _>("name")?, row.try_get::<Option<String>, _>("slug")?) {
        (Some(name), Some(slug)) => Profile {
            name,
            slug,
            email: row.try_get("email")?,
            website: row.try_get("website")?,
            avatar_url: row.try_get("avatar_url")?,
        },
        _ => Profile::unnamed(id),
    };
    Ok(OrganizationRecord { id, created_at, modified_at, profile })
}

/// Organization `id`, if the store has it.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn organization(store: &Store, id: OrganizationId) -> Result<Option<OrganizationRecord>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM organizations o LEFT JOIN server_organizations p ON p.id = o.id WHERE o.id = $1"
    );
    let row = sqlx::query(sql).bind(id.to_string()).fetch_optional(store.pool()).await?;
    row.as_ref().map(record).transpose()
}

/// Which organizations a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visible {
    /// Those the user is a member of.
    MemberOf(UserId),
    /// This one alone (an organization token's).
    Only(OrganizationId),
}

/// A page of the organizations `visible` names, with slug `slug` if given, oldest first
/// (Polar's default `created_at`), and their total.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn organizations_page(
    store: &Store,
    visible: Visible,
    slug: Option<&str>,
    newest_first: bool,
    limit: u64,
    offset: u64,
) -> Result<(Vec<OrganizationRecord>, u64), StoreError> {
    let (from, key) = match visible {
        Visible::MemberOf(user) => (
            "FROM organizations o JOIN memberships m ON m.organization_id = o.id \
             LEFT JOIN server_organizations p ON p.id = o.id WHERE m.user_id = $1",
            user.to_string(),
        ),
        Visible::Only(id) => {
            ("FROM organizations o LEFT JOIN server_organizations p ON p.id = o.id WHERE o.id = $1", id.to_string())
        }
    };
    // An organization without a profile has its id as slug.
    let (filter, next) = if slug.is_some() { (" AND COALESCE(p.slug, o.id) = $2", 3) } else { ("", 2) };
    let order = if newest_first { "o.created_at DESC, o.id" } else { "o.created_at, o.id" };
    let count_sql = format!("SELECT COUNT(*) AS n {from}{filter}");
    // Both built from this function's constants alone: every value is bound.
    let mut count = sqlx::query(AssertSqlSafe(count_sql)).bind(key.clone());
    let page_sql = format!("SELECT {} {from}{filter} ORDER BY {order} LIMIT ${next} OFFSET ${}", columns!(), next + 1);
    let mut page = sqlx::query(AssertSqlSafe(page_sql)).bind(key);
    if let Some(slug) = slug {
        count = count.bind(slug.to_owned());
        page = page.bind(slug.to_owned());
    }
    let total = count.fetch_one(store.pool()).await?;
    let total = u64::try_from(total.try_get::<i64, _>("n")?).unwrap_or(0);
    let rows = page
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(store.pool())
        .await?;
    let items = rows.iter().map(record).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Stores organization `id`'s profile, made or replaced: `false`, with nothing written,
/// when another organization has the slug.
///
/// # Errors
///
/// A database error.
pub async fn save_profile(
    store: &Store,
    id: OrganizationId,
    profile: &Profile,
    modified_at: Option<Timestamp>,
) -> Result<bool, StoreError> {
    let taken = sqlx::query("SELECT id FROM server_organizations WHERE slug = $1 AND id <> $2")
        .bind(profile.slug.clone())
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?;
    if taken.is_some() {
        return Ok(false);
    }
    let saved = sqlx::query(
        "INSERT INTO server_organizations (id, name, slug, email, website, avatar_url, modified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, slug = excluded.slug, email = excluded.email, \
         website = excluded.website, avatar_url = excluded.avatar_url, modified_at = excluded.modified_at",
    )
    .bind(id.to_string())
    .bind(profile.name.clone())
    .bind(profile.slug.clone())
    .bind(profile.email.clone())
    .bind(profile.website.clone())
    .bind(profile.avatar_url.clone())
    .bind(modified_at.map(|at| at.unix_micros()))
    .write_in(store)
    .await;
    match saved {
        Ok(_) => Ok(true),
        // Two saves of one slug at once: the unique index decides, the loser is told.
        Err(StoreError::Database(sqlx::Error::Database(error))) if error.is_unique_violation() => Ok(false),
        Err(error) => Err(error),
    }
}

/// Forgets organization `id`'s profile (a creation the store then refused).
///
/// # Errors
///
/// A database error.
pub async fn delete_profile(store: &Store, id: OrganizationId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM server_organizations WHERE id = $1").bind(id.to_string()).write_in(store).await?;
    Ok(())
}

/// Every organization user `user` belongs to, with their role there, by name: what the web
/// pages' organization picker lists.
///
/// # Errors
///
/// `corrupt_row` for an unreadable row; a database error.
pub async fn memberships_of(store: &Store, user: UserId) -> Result<Vec<(OrganizationRecord, Role)>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", m.role FROM organizations o JOIN memberships m ON m.organization_id = o.id \
         LEFT JOIN server_organizations p ON p.id = o.id WHERE m.user_id = $1 ORDER BY lower(COALESCE(p.name, o.id)), o.id"
    );
    let rows = sqlx::query(sql).bind(user.to_string()).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|row| {
            let record = record(row)?;
            let role: String = row.try_get("role")?;
            let role = Role::parse(&role).map_err(|_| StoreError::CorruptRow {
                table: "memberships",
                key: record.id.to_string(),
                reason: format!("role `{role}` is not a role"),
            })?;
            Ok((record, role))
        })
        .collect()
}
