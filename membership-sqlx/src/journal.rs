//! The append-only journal: every event, keyed by (aggregate, stream, version), which is
//! also the optimistic lock; and `verify`, which replays it against the state tables.

use membership::customer::{self, Customer};
use membership::organization::{self, Organization};
use membership::{Aggregate, CustomerId, EVENT_SCHEMA_VERSION, OrganizationId, StoredEvent, StreamId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::AnyConnection;

use crate::customer::read_customer;
use crate::error::{StoreError, corrupt};
use crate::organization::read_organization;
use crate::sql::{self, Backend, to_i64};
use crate::store::Store;

/// Appends one decision's events to the journal, keyed by their tenant.
pub(crate) async fn append<E: Serialize + StoredEvent>(
    conn: &mut AnyConnection,
    aggregate: &'static str,
    organization_id: OrganizationId,
    stream_id: &str,
    events: &[E],
) -> Result<(), StoreError> {
    for event in events {
        let body = serde_json::to_string(event).map_err(|error| corrupt("journal", stream_id, error))?;
        sqlx::query(
            "INSERT INTO journal (organization_id, aggregate, stream_id, version, event_type, schema_version, at, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(organization_id.to_string())
        .bind(aggregate)
        .bind(stream_id.to_owned())
        .bind(to_i64(event.version())?)
        .bind(event.event_type())
        .bind(i64::from(EVENT_SCHEMA_VERSION))
        .bind(event.at().unix_micros())
        .bind(body)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What `verify` found: the streams whose state tables differ from their journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// How many streams were replayed.
    pub streams: usize,
    /// How many events were replayed.
    pub events: usize,
    /// The streams whose tables do not hold what their journal replays to.
    pub mismatched: Vec<StreamId>,
}

impl Store {
    /// The journal of one stream, oldest first, as stored.
    ///
    /// # Errors
    ///
    /// `corrupt_row` for an event that does not deserialize; a database error.
    pub async fn events<E: DeserializeOwned>(&self, stream: StreamId) -> Result<Vec<E>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_events(&mut conn, stream).await
    }

    /// Replays every stream's journal and compares it with the state tables, each stream
    /// in one read-only snapshot: what an operator runs after a restore, and what the tests
    /// assert after every scenario.
    ///
    /// # Errors
    ///
    /// `corrupt_log` for a journal that does not replay; `corrupt_row` for an event or a
    /// row that does not read; a database error.
    pub async fn verify(&self) -> Result<Verification, StoreError> {
        let (organization, customer) = (Organization::TYPE_NAME, Customer::TYPE_NAME);
        let rows = sqlx::query(
            "SELECT CAST($1 AS TEXT) AS aggregate, id FROM organizations \
             UNION SELECT CAST($2 AS TEXT) AS aggregate, id FROM customers \
             UNION SELECT aggregate, stream_id AS id FROM journal",
        )
        .bind(organization)
        .bind(customer)
        .fetch_all(&self.pool)
        .await?;
        let mut verification = Verification::default();
        for row in rows {
            let aggregate = sql::text(&row, "journal", "aggregate")?;
            let stream = match aggregate.as_str() {
                name if name == organization => {
                    StreamId::Organization(sql::parsed(&row, "journal", "id", OrganizationId::parse)?)
                }
                name if name == customer => StreamId::Customer(sql::parsed(&row, "journal", "id", CustomerId::parse)?),
                other => return Err(corrupt("journal", other, "is no aggregate this store keeps")),
            };
            // One snapshot per stream: a commit landing between two reads cannot pass for
            // a difference.
            let mut snapshot = match self.backend {
                Backend::Sqlite => self.pool.begin().await?,
                Backend::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
            };
            let (events, same) = match stream {
                StreamId::Organization(id) => {
                    let events: Vec<organization::Event> = read_events(&mut snapshot, stream).await?;
                    let replayed = Organization::replay(&events).map_err(membership::Error::from)?;
                    (events.len(), read_organization(&mut snapshot, id).await?.as_ref() == Some(&replayed))
                }
                StreamId::Customer(id) => {
                    let events: Vec<customer::Event> = read_events(&mut snapshot, stream).await?;
                    let replayed = Customer::replay(&events).map_err(membership::Error::from)?;
                    (events.len(), read_customer(&mut snapshot, id).await?.as_ref() == Some(&replayed))
                }
            };
            snapshot.rollback().await?;
            verification.streams += 1;
            verification.events += events;
            if !same {
                verification.mismatched.push(stream);
            }
        }
        Ok(verification)
    }
}

/// One stream's journal, oldest first, on `conn`.
async fn read_events<E: DeserializeOwned>(conn: &mut AnyConnection, stream: StreamId) -> Result<Vec<E>, StoreError> {
    let key = stream.as_uuid().to_string();
    let rows =
        sqlx::query("SELECT version, body FROM journal WHERE aggregate = $1 AND stream_id = $2 ORDER BY version")
            .bind(stream.type_name())
            .bind(key.clone())
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|row| {
            let body = sql::text(row, "journal", "body")?;
            serde_json::from_str(&body).map_err(|error| corrupt("journal", format!("{stream} {key}"), error))
        })
        .collect()
}
