//! Customers: finding, naming, contacts, merging, notes and calls, and their history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{
    Contact, CustomerView, HistoryEntry, NewRecord, Promised, TimelineEntry, TimelineKey, TimelinePage,
};
use crate::sql::SqlStore;
use crate::{Result, StoreError};
use crate::{callbacks, customer_data, customers, follow_ups, timeline};

/// Customers: finding, naming, contacts, merging, notes and calls, and their history.
#[async_trait]
pub trait Customers: Send + Sync {
    async fn customer(&self, id: &str) -> Result<Option<CustomerView>>;
    /// Customers by part of their name, e-mail address or handle, or by their phone number.
    async fn find_customers(&self, text: &str, phone: Option<&str>, limit: i64) -> Result<Vec<CustomerView>>;
    async fn rename_customer(&self, id: &str, name: Option<&str>) -> Result<()>;
    /// Per table of the register, how many rows are the customer's: what merging them moves.
    async fn customer_record_counts(&self, id: &str) -> Result<Vec<(&'static str, i64)>>;
    async fn add_contact(&self, customer_id: &str, contact: Contact, now: DateTime<Utc>) -> Result<CustomerView>;
    /// Moves all of `from` (requests, calls, promises, conversations, contacts, notes) to `into`.
    async fn merge_customers(&self, into: &str, from: &str) -> Result<CustomerView>;
    /// Records a note or a phone call; returns its id.
    async fn add_record(
        &self,
        customer_id: &str,
        staff_id: &str,
        record: NewRecord,
        promised: &[Promised],
        now: DateTime<Utc>,
    ) -> Result<String>;
    /// Everything that happened with a customer, oldest first.
    async fn customer_timeline(&self, customer_id: &str) -> Result<Vec<TimelineEntry>>;
    /// A page of it, newest first: `limit` entries older than `before` (the newest without).
    async fn customer_timeline_page(
        &self,
        customer_id: &str,
        before: Option<&TimelineKey>,
        limit: i64,
    ) -> Result<TimelinePage>;
    async fn customer_history(&self, customer_id: &str) -> Result<Vec<HistoryEntry>>;
}

#[async_trait]
impl Customers for SqlStore {
    async fn customer(&self, id: &str) -> Result<Option<CustomerView>> {
        customers::customer(&self.read, id).await
    }

    async fn find_customers(&self, text: &str, phone: Option<&str>, limit: i64) -> Result<Vec<CustomerView>> {
        customers::find(&self.read, text, phone, limit).await
    }

    async fn rename_customer(&self, id: &str, name: Option<&str>) -> Result<()> {
        // The name and the words it is found by change together.
        let mut tx = self.begin_write().await?;
        customers::rename(&mut tx, id, name).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn customer_record_counts(&self, id: &str) -> Result<Vec<(&'static str, i64)>> {
        let mut conn = self.read.acquire().await?;
        customer_data::counts(&mut conn, id).await
    }

    async fn add_contact(&self, customer_id: &str, contact: Contact, now: DateTime<Utc>) -> Result<CustomerView> {
        let mut tx = self.begin_write().await?;
        customers::add_contact(&mut tx, customer_id, &contact, now).await?;
        tx.commit().await?;
        customers::customer(&self.read, customer_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn merge_customers(&self, into: &str, from: &str) -> Result<CustomerView> {
        let mut tx = self.begin_write().await?;
        customers::merge(&mut tx, self.dialect, into, from).await?;
        tx.commit().await?;
        customers::customer(&self.read, into).await?.ok_or(StoreError::NotFound)
    }

    async fn add_record(
        &self,
        customer_id: &str,
        staff_id: &str,
        record: NewRecord,
        promised: &[Promised],
        now: DateTime<Utc>,
    ) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let id = customers::add_record(&mut tx, customer_id, staff_id, &record, now).await?;
        follow_ups::create_promised(&mut tx, customer_id, staff_id, promised, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn customer_timeline(&self, customer_id: &str) -> Result<Vec<TimelineEntry>> {
        timeline::timeline(&self.read, customer_id).await
    }

    async fn customer_timeline_page(
        &self,
        customer_id: &str,
        before: Option<&TimelineKey>,
        limit: i64,
    ) -> Result<TimelinePage> {
        timeline::page(&self.read, customer_id, before, limit).await
    }

    async fn customer_history(&self, customer_id: &str) -> Result<Vec<HistoryEntry>> {
        callbacks::customer_history(&self.read, customer_id).await
    }
}
