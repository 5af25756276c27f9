//! Promises: one, a list, their history, and the timers that remind and escalate (each reminder and
//! escalation recorded once, however many nodes look).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::Result;
use crate::model::{Fanout, PromiseFilter, PromiseHistoryEntry, PromiseListed, PromiseRecord};
use crate::promises;
use crate::promises::{ESCALATION, REMINDER};
use crate::sql::SqlStore;

/// Promises: one, a list, their history, and the timers that remind and escalate (each reminder and
/// escalation recorded once, however many nodes look).
#[async_trait]
pub trait Promises: Send + Sync {
    async fn promise(&self, id: &str) -> Result<Option<PromiseRecord>>;
    async fn list_promises(&self, filter: &PromiseFilter) -> Result<Vec<PromiseListed>>;
    async fn promise_history(&self, promise_id: &str) -> Result<Vec<PromiseHistoryEntry>>;
    async fn remind_due(&self, now: DateTime<Utc>, lead: Duration, fanout: Fanout) -> Result<usize>;
    async fn escalate_overdue(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize>;
}

#[async_trait]
impl Promises for SqlStore {
    async fn promise(&self, id: &str) -> Result<Option<PromiseRecord>> {
        promises::get(&self.read, id).await
    }

    async fn list_promises(&self, filter: &PromiseFilter) -> Result<Vec<PromiseListed>> {
        promises::list(&self.read, filter).await
    }

    async fn promise_history(&self, promise_id: &str) -> Result<Vec<PromiseHistoryEntry>> {
        promises::history(&self.read, promise_id).await
    }

    async fn remind_due(&self, now: DateTime<Utc>, lead: Duration, fanout: Fanout) -> Result<usize> {
        self.reach_due(&REMINDER, now, lead, fanout).await
    }

    async fn escalate_overdue(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize> {
        self.reach_due(&ESCALATION, now, Duration::zero(), fanout).await
    }
}
