//! Is the store ready? A read and a write, each within a short deadline: what a service's
//! readiness check reports, and what tells a load balancer to send traffic elsewhere while
//! the database is away or its disk is full.

use std::time::Duration;

use membership::Timestamp;
use tokio::time::Instant;

use crate::error::StoreError;
use crate::store::Store;
use crate::writing::within;

/// What [`Store::health`] found: whether a read and a write each succeeded.
#[derive(Debug)]
pub struct Health {
    /// A read of a stored row.
    pub read: Result<(), StoreError>,
    /// A committed write of one row (through the same writer turn commands take).
    pub write: Result<(), StoreError>,
}

impl Health {
    /// Both succeeded: the store can serve commands.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.read.is_ok() && self.write.is_ok()
    }
}

impl Store {
    /// Checks that the database answers a read and commits a write, both within `timeout`.
    /// `now` is written as the time of the check.
    pub async fn health(&self, timeout: Duration, now: Timestamp) -> Health {
        // Both at once: a database that is down costs one timeout, not two.
        let deadline = Instant::now() + timeout;
        let read = async {
            within(deadline, sqlx::query("SELECT checked_at FROM health WHERE id = 1").fetch_one(&self.pool))
                .await?
                .map(|_| ())
                .map_err(StoreError::from)
        };
        let write = async {
            let mut writing = self.writing(deadline).await?;
            let update = sqlx::query("UPDATE health SET checked_at = $1 WHERE id = 1").bind(now.unix_micros());
            match within(deadline, update.execute(writing.conn()?)).await? {
                Ok(_) => writing.commit().await,
                Err(error) => {
                    writing.rollback().await;
                    Err(error.into())
                }
            }
        };
        let (read, write) = tokio::join!(read, write);
        Health { read, write }
    }
}
