//! The outbox: what is to be delivered, claimed under a lease, and what came of it.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::Result;
use crate::dialect::Dialect;
use crate::model::{OutboxCounts, OutboxItem};
use crate::outbox;
use crate::sql::SqlStore;

/// The outbox: what is to be delivered, claimed under a lease, and what came of it.
#[async_trait]
pub trait Outbox: Send + Sync {
    async fn claim_outbox(&self, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<OutboxItem>>;
    /// For `kept serve` starting on SQLite (one node per file): a lease still held belongs to a
    /// run that died mid-delivery, so its items are retried now. Nothing on PostgreSQL, where
    /// other nodes hold leases; and no other command may do it beside a running server.
    async fn release_leases_at_start(&self) -> Result<()>;
    async fn outbox_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()>;
    /// Records a failed attempt; `retry_at: None` gives up on the item.
    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()>;
    async fn outbox_counts(&self) -> Result<OutboxCounts>;
    /// Pending items held back on purpose until a moment after `now` (a notice waiting for an
    /// answer to settle), never tried yet: not late, just not due.
    async fn outbox_waiting(&self, now: DateTime<Utc>) -> Result<i64>;
    /// Queues the e-mail that tells the customer their message on `conversation_id` arrived,
    /// unless one was queued for it less than `quiet` before `now`; whether it was queued.
    async fn queue_acknowledgement(&self, conversation_id: &str, now: DateTime<Utc>, quiet: Duration) -> Result<bool>;
}

#[async_trait]
impl Outbox for SqlStore {
    async fn claim_outbox(&self, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<OutboxItem>> {
        outbox::claim(&self.write, self.dialect, now, lease, limit).await
    }

    async fn release_leases_at_start(&self) -> Result<()> {
        match self.dialect {
            Dialect::Sqlite => outbox::release_leases(&self.write).await,
            Dialect::Postgres => Ok(()),
        }
    }

    async fn outbox_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        outbox::delivered(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
        outbox::failed(&self.write, id, error, retry_at).await
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts> {
        outbox::counts(&self.read).await
    }

    async fn outbox_waiting(&self, now: DateTime<Utc>) -> Result<i64> {
        outbox::waiting(&self.read, now).await
    }

    async fn queue_acknowledgement(&self, conversation_id: &str, now: DateTime<Utc>, quiet: Duration) -> Result<bool> {
        outbox::queue_acknowledgement(&self.write, conversation_id, now, quiet).await
    }
}
