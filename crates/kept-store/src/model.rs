//! The records the store reads and writes.

use chrono::{DateTime, Utc};
use kept_domain::{CallOutcome, CallbackStatus, Lang, PromiseKind, PromiseStatus, Role};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub lang: Lang,
    pub password_hash: String,
    pub away: bool,
    pub delegate_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub lang: Lang,
    pub password_hash: String,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub staff_id: String,
    pub csrf_token: String,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub staff: Staff,
    pub csrf_token: String,
}

/// Which outbox channels a change is announced on (a channel that is not configured is skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fanout {
    pub email: bool,
    pub webhook: bool,
}

#[derive(Debug, Clone)]
pub struct NewCallback {
    pub phone: String,
    pub name: Option<String>,
    pub window_code: String,
    pub note: Option<String>,
    pub lang: Lang,
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

/// A callback request with its current promise, as staff and the API see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackView {
    pub id: String,
    pub customer_id: String,
    pub phone: String,
    pub name: Option<String>,
    pub window: String,
    pub note: Option<String>,
    pub lang: Lang,
    pub status: CallbackStatus,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub promise_id: String,
    pub promise_status: PromiseStatus,
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub escalated: bool,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOutcome {
    pub callback_id: String,
    pub staff_id: String,
    pub outcome: CallOutcome,
    pub note: Option<String>,
    pub now: DateTime<Utc>,
    /// When the retry promise is due, for outcomes that schedule one.
    pub retry_due: Option<DateTime<Utc>>,
    pub fanout: Fanout,
}

/// One line of a customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// "request" (asked to be called back) or "call" (staff called).
    pub kind: String,
    /// The window for a request, the outcome for a call.
    pub detail: String,
    pub note: Option<String>,
    pub staff_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromiseHistoryEntry {
    pub at: DateTime<Utc>,
    pub event: String,
    pub actor_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub channel: String,
    pub event: String,
    pub subject_id: String,
    pub recipient_id: Option<String>,
    pub attempts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub pending: i64,
    /// Pending items that failed at least once and wait for their next attempt.
    pub retrying: i64,
    pub delivered: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseRecord {
    pub id: String,
    pub kind: PromiseKind,
    /// What the promise is about, e.g. the callback request's id.
    pub subject_id: String,
    pub owner_id: Option<String>,
    pub status: PromiseStatus,
    pub due_at: DateTime<Utc>,
}
