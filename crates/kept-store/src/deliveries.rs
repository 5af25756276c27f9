//! What kept sent or tried, for the owner's deliveries page: every outbox item but kept's own
//! hooks, newest first, with whom it went to and what it was about, and sending a failed one
//! again.

use chrono::{DateTime, Utc};
use kept_domain::{Delivery, OutboxEvent, OutboxStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::dialect::parse_enum;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<OutboxStatus>,
    pub delivery: Option<Delivery>,
    /// Only those older than this one (the last of the page before).
    pub before: Option<i64>,
    pub limit: i64,
}

/// One thing kept sent or tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryListed {
    pub id: i64,
    pub delivery: Delivery,
    pub event: OutboxEvent,
    pub subject_id: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the next attempt is due (pending ones).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The staff member a notice went to.
    pub staff_name: Option<String>,
    pub staff_email: Option<String>,
    /// The customer it was for or about, when kept knows (and has not erased them).
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    /// The conversation of a reply or a message notice.
    pub conversation_id: Option<String>,
}

/// `'a', 'b'`: the codes of `events`, for an `IN` list (kept's own constants, never input).
fn codes(events: &[OutboxEvent]) -> String {
    events
        .iter()
        .map(|e| format!("'{}'", e.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The items, each with the record its event is about joined by that record's id.
fn listing_sql(filter: &DeliveryFilter) -> String {
    use OutboxEvent::*;
    let mut conditions = vec![format!("o.channel <> '{}'", Delivery::Hook.as_str())];
    let mut next = 1;
    for (present, condition) in [
        (filter.status.is_some(), "o.status = "),
        (filter.delivery.is_some(), "o.channel = "),
        (filter.before.is_some(), "o.id < "),
    ] {
        if present {
            conditions.push(format!("{condition}${next}"));
            next += 1;
        }
    }
    format!(
        "SELECT x.*, cu.name AS customer_name FROM (\
         SELECT o.id, o.channel, o.event, o.subject_id, o.status, o.attempts, o.created_ms, o.delivered_ms, \
         o.next_attempt_ms, o.last_error, s.name AS staff_name, s.email AS staff_email, \
         COALESCE(m.conversation_id, c.id) AS conversation_id, \
         COALESCE(m.customer_id, c.customer_id, a.customer_id, v.customer_id, r.customer_id, p.customer_id) AS customer_id \
         FROM outbox o LEFT JOIN staff s ON s.id = o.recipient_id \
         LEFT JOIN messages m ON m.id = o.subject_id AND o.event IN ({messages}) \
         LEFT JOIN conversations c ON c.id = o.subject_id AND o.event IN ({conversations}) \
         LEFT JOIN appointments a ON a.id = o.subject_id AND o.event IN ({appointments}) \
         LEFT JOIN surveys v ON v.id = o.subject_id AND o.event IN ({surveys}) \
         LEFT JOIN callback_requests r ON r.id = o.subject_id AND o.event IN ({callbacks}) \
         LEFT JOIN promises p ON p.id = o.subject_id AND o.event IN ({promises}) \
         WHERE {conditions} ORDER BY o.id DESC LIMIT ${next}) x \
         LEFT JOIN customers cu ON cu.id = x.customer_id ORDER BY x.id DESC",
        messages = codes(&[MessageReply, MessageBounced]),
        conversations = codes(&[MessageReceived, ConversationResolved]),
        appointments = codes(&[
            AppointmentBooked,
            AppointmentRescheduled,
            AppointmentCancelled,
            AppointmentReminder,
            AppointmentOnMyWay,
            AppointmentDone,
        ]),
        surveys = codes(&[SurveyRequest, SurveyReminder, SurveyAnswered]),
        callbacks = codes(&[CallbackCreated, CallbackOutcome]),
        promises = codes(&[PromiseReminder, PromiseEscalated, AppointmentDeclined]),
        conditions = conditions.join(" AND "),
    )
}

pub(crate) async fn list(pool: &AnyPool, filter: &DeliveryFilter) -> Result<Vec<DeliveryListed>> {
    let sql = listing_sql(filter);
    let mut query = sqlx::query(&sql);
    if let Some(status) = filter.status {
        query = query.bind(status.as_str());
    }
    if let Some(delivery) = filter.delivery {
        query = query.bind(delivery.as_str());
    }
    if let Some(before) = filter.before {
        query = query.bind(before);
    }
    let rows = query.bind(filter.limit).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &AnyRow) -> Result<DeliveryListed> {
    let status = parse_enum(row.try_get("status")?, OutboxStatus::parse)?;
    let next_attempt_ms: i64 = row.try_get("next_attempt_ms")?;
    Ok(DeliveryListed {
        id: row.try_get("id")?,
        delivery: parse_enum(row.try_get("channel")?, Delivery::parse)?,
        event: parse_enum(row.try_get("event")?, OutboxEvent::parse)?,
        subject_id: row.try_get("subject_id")?,
        status,
        attempts: row.try_get("attempts")?,
        created_at: from_ms(row.try_get("created_ms")?),
        delivered_at: row.try_get::<Option<i64>, _>("delivered_ms")?.map(from_ms),
        next_attempt_at: (status == OutboxStatus::Pending).then(|| from_ms(next_attempt_ms)),
        last_error: row.try_get("last_error")?,
        staff_name: row.try_get("staff_name")?,
        staff_email: row.try_get("staff_email")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        conversation_id: row.try_get("conversation_id")?,
    })
}

/// Sends an item kept gave up on (or that bounced) again, from scratch; only a reply when
/// `only` says so. `NotFound` when it is not such an item.
pub(crate) async fn retry(pool: &AnyPool, outbox_id: i64, only: Option<OutboxEvent>, now: DateTime<Utc>) -> Result<()> {
    let retried = sqlx::query(
        "UPDATE outbox SET status = $1, attempts = 0, next_attempt_ms = $2, locked_until_ms = 0, last_error = NULL \
         WHERE id = $3 AND status IN ($4, $5) AND channel <> $6 AND ($7 = '' OR event = $7)",
    )
    .bind(OutboxStatus::Pending.as_str())
    .bind(to_ms(now))
    .bind(outbox_id)
    .bind(OutboxStatus::Failed.as_str())
    .bind(OutboxStatus::Bounced.as_str())
    .bind(Delivery::Hook.as_str())
    .bind(only.map_or("", OutboxEvent::as_str))
    .execute(pool)
    .await?;
    if retried.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
