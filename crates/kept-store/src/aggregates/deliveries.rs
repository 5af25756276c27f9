//! What kept sent or tried, and sending what it gave up on again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::deliveries::{DeliveryFilter, DeliveryListed};
use crate::model::FailedReply;
use crate::outbox;
use crate::sql::SqlStore;

/// What kept sent or tried, and sending what it gave up on again.
#[async_trait]
pub trait Deliveries: Send + Sync {
    /// What kept sent or tried, newest first (kept's own hooks left out).
    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryListed>>;
    /// Sends an item kept gave up on again; `NotFound` when it is not one.
    async fn retry_delivery(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()>;
    /// Staff replies kept gave up delivering, newest first.
    async fn failed_replies(&self, limit: i64) -> Result<Vec<FailedReply>>;
    /// Queues a failed reply again from scratch; `NotFound` when `outbox_id` is not one.
    async fn retry_reply(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()>;
}

#[async_trait]
impl Deliveries for SqlStore {
    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryListed>> {
        crate::deliveries::list(&self.read, filter).await
    }

    async fn retry_delivery(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()> {
        crate::deliveries::retry(&self.write, outbox_id, None, now).await
    }

    async fn failed_replies(&self, limit: i64) -> Result<Vec<FailedReply>> {
        outbox::failed_replies(&self.read, limit).await
    }

    async fn retry_reply(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()> {
        outbox::retry_reply(&self.write, outbox_id, now).await
    }
}
