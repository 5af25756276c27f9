//! E-mail details: attachments, and mail kept could not read (kept raw for a person).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::mail;
use crate::model::{AttachmentInfo, NewUnreadableMail, UnreadableMail};
use crate::sql::SqlStore;

/// E-mail details: attachments, and mail kept could not read (kept raw for a person).
#[async_trait]
pub trait MailDetails: Send + Sync {
    async fn attachment(&self, id: &str) -> Result<Option<(AttachmentInfo, Option<Vec<u8>>)>>;
    /// Stores mail kept could not read, once per fingerprint; the id and whether it was new.
    async fn record_unreadable_mail(&self, mail: NewUnreadableMail) -> Result<(String, bool)>;
    async fn unreadable_mail(&self, include_handled: bool) -> Result<Vec<UnreadableMail>>;
    async fn unreadable_raw(&self, id: &str) -> Result<Option<Vec<u8>>>;
    async fn mark_unreadable_handled(&self, id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()>;
}

#[async_trait]
impl MailDetails for SqlStore {
    async fn attachment(&self, id: &str) -> Result<Option<(AttachmentInfo, Option<Vec<u8>>)>> {
        mail::attachment(&self.read, id).await
    }

    async fn record_unreadable_mail(&self, unreadable: NewUnreadableMail) -> Result<(String, bool)> {
        let mut tx = self.begin_write().await?;
        let recorded = mail::record_unreadable(&mut tx, &unreadable).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn unreadable_mail(&self, include_handled: bool) -> Result<Vec<UnreadableMail>> {
        mail::list_unreadable(&self.read, include_handled).await
    }

    async fn unreadable_raw(&self, id: &str) -> Result<Option<Vec<u8>>> {
        mail::unreadable_raw(&self.read, id).await
    }

    async fn mark_unreadable_handled(&self, id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        mail::mark_unreadable_handled(&mut tx, id, staff_id, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
