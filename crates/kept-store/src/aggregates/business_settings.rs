//! The business's own settings document and its history of changes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::model::{SettingChange, SettingChangeView};
use crate::settings;
use crate::sql::SqlStore;

/// The business's own settings document and its history of changes.
#[async_trait]
pub trait BusinessSettings: Send + Sync {
    /// The saved settings document (JSON), if the owner ever saved one.
    async fn settings_document(&self) -> Result<Option<String>>;
    /// Saves the settings document and records each change, at once.
    async fn save_settings_document(
        &self,
        document: &str,
        changes: &[SettingChange],
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn settings_changes(&self, limit: i64) -> Result<Vec<SettingChangeView>>;
}

#[async_trait]
impl BusinessSettings for SqlStore {
    async fn settings_document(&self) -> Result<Option<String>> {
        settings::document(&self.read).await
    }

    async fn save_settings_document(
        &self,
        document: &str,
        changes: &[SettingChange],
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        settings::save(&mut tx, document, changes, staff_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn settings_changes(&self, limit: i64) -> Result<Vec<SettingChangeView>> {
        settings::changes(&self.read, limit).await
    }
}
