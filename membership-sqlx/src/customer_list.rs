//! Polar's customer list (`GET /v1/customers/`): an organization's live customers with
//! when each was created, which the customer row does not keep but its first journal event
//! does.

use membership::customer::{Customer, Profile};
use membership::wire::{ListResource, Paging, Sorting};
use membership::{Aggregate, CustomerId, OrganizationId, Timestamp};

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

/// The live customers of organization `$1` with their creation event (`$2` is the
/// aggregate's journal name), then `$tail`.
macro_rules! customers {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.organization_id, c.kind, c.email, c.name, c.external_id, c.deleted, j.at \
             FROM customers c JOIN journal j ON j.aggregate = $2 AND j.stream_id = c.id AND j.version = 1 \
             WHERE c.organization_id = $1 AND c.deleted = 0 ",
            $tail
        )
    };
}

impl Store {
    /// A page of organization `id`'s live customers, newest first unless `paging` says
    /// otherwise, with the total: Polar's `GET /v1/customers/`.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an unreadable row; a database error.
    pub async fn customers_page(
        &self,
        id: OrganizationId,
        paging: Paging,
    ) -> Result<ListResource<CustomerRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let total = sqlx::query("SELECT COUNT(*) AS n FROM customers WHERE organization_id = $1 AND deleted = 0")
            .bind(id.to_string())
            .fetch_one(&mut *conn)
            .await?;
        let total = u64::try_from(sql::int(&total, "customers", "n")?).unwrap_or(0);
        let sql = match paging.sorting {
            Sorting::NewestFirst => customers!("ORDER BY j.at DESC, c.id LIMIT $3 OFFSET $4"),
            Sorting::OldestFirst => customers!("ORDER BY j.at, c.id LIMIT $3 OFFSET $4"),
        };
        let rows = sqlx::query(sql)
            .bind(id.to_string())
            .bind(Customer::TYPE_NAME)
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
