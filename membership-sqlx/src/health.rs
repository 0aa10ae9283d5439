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
    /// Checks that the database answers a read and commits a write, each within `timeout`.
    /// `now` is written as the time of the check.
    pub async fn health(&self, timeout: Duration, now: Timestamp) -> Health {
        let read = within(Instant::now() + timeout, async {
            sqlx::query("SELECT checked_at FROM health WHERE id = 1").fetch_one(&self.pool).await?;
            Ok(())
        })
        .await
        .and_then(|result| result);
        let deadline = Instant::now() + timeout;
        let write = async {
            let mut writing = self.writing(deadline).await?;
            let update = sqlx::query("UPDATE health SET checked_at = $1 WHERE id = 1").bind(now.unix_micros());
            let wrote = within(deadline, update.execute(writing.conn()?)).await;
            match wrote {
                Ok(Ok(_)) => writing.commit().await,
                Ok(Err(error)) => {
                    writing.rollback().await;
                    Err(error.into())
                }
                Err(error) => Err(error),
            }
        }
        .await;
        Health { read, write }
    }
}
