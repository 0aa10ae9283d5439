//! Polar's customer list (`GET /v1/customers/`): an organization's live customers with
//! when each was created, which the customer row does not keep but its first journal event
//! does.

use membership::customer::{Customer, Profile};
use membership::wire::{ListResource, Paging, Sorting};
use membership::{Aggregate, CustomerId, Email, OrganizationId, Timestamp};

use crate::customer::profile;
use crate::error::StoreError;
use crate::sql::{self, parsed};
use crate::store::Store;

/// One customer as a list shows it: its row and when it was created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRecord {
    /// The customer.
    pub id: CustomerId,
    /// When it was created: its first event's time.
    pub created_at: Timestamp,
    /// Its row.
    pub profile: Profile,
}

/// Which of an organization's customers a list shows: Polar's `email` (exact, compared
/// folded) and `query` (a part of the email, name or external id, any case) filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    /// Only the customer with this email.
    pub email: Option<Email>,
    /// Only customers whose email, name or external id contains this text.
    pub query: Option<String>,
}

impl CustomerFilter {
    /// The two filters as bound values: `''` for "any", else the folded email and the
    /// `LIKE` pattern (with `\` escaping the pattern's own wildcards).
    fn bound(&self) -> (String, String) {
        let email = self.email.as_ref().map(|email| email.folded().into_owned()).unwrap_or_default();
        let query = self.query.as_deref().filter(|text| !text.is_empty()).map_or_else(String::new, |text| {
            let mut pattern = String::from("%");
            for ch in text.to_lowercase().chars() {
                if matches!(ch, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(ch);
            }
            pattern.push('%');
            pattern
        });
        (email, query)
    }
}

/// The filter of organization `$1`'s live customers: `$a` the folded email, `$b` the
/// pattern, each `''` for any. (SQLite's `lower` folds ASCII alone: an email with
/// non-ASCII capitals is found by its lowercase text only.)
macro_rules! filtered {
    ($a:literal, $b:literal) => {
        concat!(
            "c.organization_id = $1 AND c.deleted = 0 AND (",
            $a,
            " = '' OR lower(c.email) = ",
            $a,
            ") AND (",
            $b,
            " = '' OR lower(c.email) LIKE ",
            $b,
            " ESCAPE '\\' OR lower(c.name) LIKE ",
            $b,
            " ESCAPE '\\' OR lower(c.external_id) LIKE ",
            $b,
            " ESCAPE '\\')"
        )
    };
}

/// The live customers of organization `$1` that pass the filter (`$3`, `$4`) with their
/// creation event (`$2` is the aggregate's journal name), then `$tail`.
macro_rules! customers {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.organization_id, c.kind, c.email, c.name, c.external_id, c.deleted, j.at \
             FROM customers c JOIN journal j ON j.aggregate = $2 AND j.stream_id = c.id AND j.version = 1 WHERE ",
            filtered!("$3", "$4"),
            " ",
            $tail
        )
    };
}

impl Store {
    /// A page of organization `id`'s live customers that pass `filter`, newest first unless
    /// `paging` says otherwise, with the total: Polar's `GET /v1/customers/`.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn customers_page(
        &self,
        id: OrganizationId,
        filter: &CustomerFilter,
        paging: Paging,
    ) -> Result<ListResource<CustomerRecord>, StoreError> {
        let (email, query) = filter.bound();
        let mut conn = self.pool.acquire().await?;
        let total = sqlx::query(concat!("SELECT COUNT(*) AS n FROM customers c WHERE ", filtered!("$2", "$3")))
            .bind(id.to_string())
            .bind(email.clone())
            .bind(query.clone())
            .fetch_one(&mut *conn)
            .await?;
        let total = u64::try_from(sql::int(&total, "customers", "n")?).unwrap_or(0);
        let sql = match paging.sorting {
            Sorting::NewestFirst => customers!("ORDER BY j.at DESC, c.id LIMIT $5 OFFSET $6"),
            Sorting::OldestFirst => customers!("ORDER BY j.at, c.id LIMIT $5 OFFSET $6"),
        };
        let rows = sqlx::query(sql)
            .bind(id.to_string())
            .bind(Customer::TYPE_NAME)
            .bind(email)
            .bind(query)
            .bind(sql::page_bound(paging.limit.get()))
            .bind(sql::page_bound(paging.offset()))
            .fetch_all(&mut *conn)
            .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(CustomerRecord {
                    id: parsed(row, "customers", "id", CustomerId::parse)?,
                    created_at: sql::time(row, "journal", "at")?,
                    profile: profile(row)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(ListResource::new(items, total, paging.limit))
    }
}
