//! Follow-ups staff promised in their own words.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::follow_ups;
use crate::model::{FollowUpView, NewFollowUp};
use crate::sql::SqlStore;
use crate::{Result, StoreError};

/// Follow-ups staff promised in their own words.
#[async_trait]
pub trait FollowUps: Send + Sync {
    async fn create_follow_up(&self, follow_up: NewFollowUp) -> Result<FollowUpView>;
    async fn follow_up(&self, id: &str) -> Result<Option<FollowUpView>>;
    async fn customer_follow_ups(&self, customer_id: &str) -> Result<Vec<FollowUpView>>;
    async fn close_follow_up(
        &self,
        id: &str,
        closing: kept_domain::Closing,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUpView>;
}

#[async_trait]
impl FollowUps for SqlStore {
    async fn create_follow_up(&self, new: NewFollowUp) -> Result<FollowUpView> {
        let mut tx = self.begin_write().await?;
        let id = follow_ups::create(&mut tx, &new).await?;
        tx.commit().await?;
        follow_ups::get(&self.read, &id).await?.ok_or(StoreError::NotFound)
    }

    async fn follow_up(&self, id: &str) -> Result<Option<FollowUpView>> {
        follow_ups::get(&self.read, id).await
    }

    async fn customer_follow_ups(&self, customer_id: &str) -> Result<Vec<FollowUpView>> {
        follow_ups::of_customer(&self.read, customer_id).await
    }

    async fn close_follow_up(
        &self,
        id: &str,
        closing: kept_domain::Closing,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUpView> {
        let mut tx = self.begin_write().await?;
        follow_ups::close(&mut tx, id, closing, staff_id, now).await?;
        tx.commit().await?;
        follow_ups::get(&self.read, id).await?.ok_or(StoreError::NotFound)
    }
}
