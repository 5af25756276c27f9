//! Callback requests and what came of each call.

use async_trait::async_trait;
use kept_domain::CallbackStatus;

use crate::callbacks;
use crate::model::{CallbackView, NewCallback, NewOutcome};
use crate::sql::SqlStore;
use crate::{Result, StoreError};

/// Callback requests and what came of each call.
#[async_trait]
pub trait Callbacks: Send + Sync {
    async fn create_callback(&self, request: NewCallback) -> Result<CallbackView>;
    async fn callback(&self, id: &str) -> Result<Option<CallbackView>>;
    async fn list_callbacks(&self, status: Option<CallbackStatus>, limit: i64) -> Result<Vec<CallbackView>>;
    async fn record_outcome(&self, outcome: NewOutcome) -> Result<CallbackView>;
}

#[async_trait]
impl Callbacks for SqlStore {
    async fn create_callback(&self, request: NewCallback) -> Result<CallbackView> {
        let view = self.callback_commit.submit(request).await?;
        // Joined to the customer's open request: that request as it is now.
        if view.asks > 1 {
            return callbacks::get(&self.read, &view.id).await?.ok_or(StoreError::NotFound);
        }
        Ok(view)
    }

    async fn callback(&self, id: &str) -> Result<Option<CallbackView>> {
        callbacks::get(&self.read, id).await
    }

    async fn list_callbacks(&self, status: Option<CallbackStatus>, limit: i64) -> Result<Vec<CallbackView>> {
        callbacks::list(&self.read, status, limit).await
    }

    async fn record_outcome(&self, outcome: NewOutcome) -> Result<CallbackView> {
        let mut tx = self.begin_write().await?;
        callbacks::record_outcome(&mut tx, &outcome).await?;
        tx.commit().await?;
        callbacks::get(&self.read, &outcome.callback_id)
            .await?
            .ok_or(StoreError::NotFound)
    }
}
