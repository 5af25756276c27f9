//! Saved replies.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::model::ReplyTemplate;
use crate::sql::SqlStore;
use crate::templates;

/// Saved replies.
#[async_trait]
pub trait ReplyTemplates: Send + Sync {
    async fn reply_templates(&self) -> Result<Vec<ReplyTemplate>>;
    /// Creates the template, or replaces the one with the same name.
    async fn save_reply_template(&self, name: &str, body: &str, now: DateTime<Utc>) -> Result<ReplyTemplate>;
    async fn delete_reply_template(&self, id: &str) -> Result<()>;
}

#[async_trait]
impl ReplyTemplates for SqlStore {
    async fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        templates::list(&self.read).await
    }

    async fn save_reply_template(&self, name: &str, body: &str, now: DateTime<Utc>) -> Result<ReplyTemplate> {
        let mut tx = self.begin_write().await?;
        let saved = templates::save(&mut tx, name, body, now).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete_reply_template(&self, id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        templates::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
