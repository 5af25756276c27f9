//! The customer's own data (AVG/GDPR): everything about them, or nothing left.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::customer_data;
use crate::model::{CustomerExport, Erasure};
use crate::sql::SqlStore;

/// The customer's own data (AVG/GDPR): everything about them, or nothing left.
#[async_trait]
pub trait CustomerData: Send + Sync {
    async fn export_customer(&self, id: &str, now: DateTime<Utc>) -> Result<CustomerExport>;
    /// Erases the customer and everything linked to them (see `customer_data::REGISTER`),
    /// leaving an anonymous record; the erased text does not linger in the database files.
    async fn erase_customer(&self, id: &str, staff_id: &str, reason: &str, now: DateTime<Utc>) -> Result<Erasure>;
    async fn erasures(&self) -> Result<Vec<Erasure>>;
}

#[async_trait]
impl CustomerData for SqlStore {
    async fn export_customer(&self, id: &str, now: DateTime<Utc>) -> Result<CustomerExport> {
        let mut conn = self.read.acquire().await?;
        customer_data::export(&mut conn, id, now).await
    }

    async fn erase_customer(&self, id: &str, staff_id: &str, reason: &str, now: DateTime<Utc>) -> Result<Erasure> {
        let mut tx = self.begin_write().await?;
        let erasure = customer_data::erase(&mut tx, self.dialect, id, staff_id, reason, now).await?;
        tx.commit().await?;
        if let Some(writer) = &self.sqlite_writer {
            // Copy the erased pages into the database file (overwritten there, see
            // secure_delete) and empty the WAL, which still holds the old pages. The erasure
            // itself is committed either way: saying it failed would be untrue.
            if let Err(error) = writer.truncate_wal().await {
                tracing::warn!(%error, "erased; the WAL keeps the old pages until it is next reused");
            }
        }
        Ok(erasure)
    }

    async fn erasures(&self) -> Result<Vec<Erasure>> {
        let mut conn = self.read.acquire().await?;
        customer_data::erasures(&mut conn).await
    }
}
