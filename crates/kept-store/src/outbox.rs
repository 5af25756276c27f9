//! The outbox: the one way notifications are queued — in the same transaction as the change
//! they announce — and claimed, delivered or given up by the workers. No other module writes
//! or reads `outbox` rows.

use chrono::{DateTime, Duration, Utc};
use const_format::concatcp;
use kept_domain::OutboxStatus;
use kept_domain::{Delivery, OutboxEvent};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use std::collections::HashMap;

use crate::dialect::{Dialect, parse_enum, placeholders};
use crate::model::{FailedReply, Fanout, OutboxCounts, OutboxItem, ReplyDelivery};
use crate::statements::{Cell, Statements, insert_rows};
use crate::time::{from_ms, to_ms};
use crate::{Result, conversations};

/// Something to announce: an e-mail to each recipient (when e-mail is configured) and one
/// webhook call (when a webhook is).
pub(crate) struct Announcement<'a> {
    pub event: OutboxEvent,
    pub subject_id: &'a str,
    pub recipients: &'a [String],
    pub fanout: Fanout,
    pub now: DateTime<Utc>,
}

/// One outbox row to write.
pub(crate) struct OutboxRow<'a> {
    delivery: Delivery,
    event: OutboxEvent,
    subject_id: &'a str,
    recipient_id: Option<&'a str>,
    at: DateTime<Utc>,
}

impl<'a> Announcement<'a> {
    fn rows(&self) -> impl Iterator<Item = OutboxRow<'a>> + '_ {
        let row = move |delivery, recipient_id| OutboxRow {
            delivery,
            event: self.event,
            subject_id: self.subject_id,
            recipient_id,
            at: self.now,
        };
        let emails = self
            .recipients
            .iter()
            .filter(|_| self.fanout.email)
            .map(move |to| row(Delivery::Email, Some(to.as_str())));
        let webhook = self.fanout.webhook.then(|| row(Delivery::Webhook, None));
        emails.chain(webhook)
    }
}

/// A staff reply to send to the customer over `via` (e-mail or the channel's webhook).
pub(crate) fn reply_row(via: Delivery, message_id: &str, now: DateTime<Utc>) -> OutboxRow<'_> {
    OutboxRow {
        delivery: via,
        event: OutboxEvent::MessageReply,
        subject_id: message_id,
        recipient_id: None,
        at: now,
    }
}

/// The e-mail carrying a one-time password link to the staff member it is for.
pub(crate) fn password_link_row<'a>(link_id: &'a str, staff_id: &'a str, now: DateTime<Utc>) -> OutboxRow<'a> {
    OutboxRow {
        delivery: Delivery::Email,
        event: OutboxEvent::PasswordLink,
        subject_id: link_id,
        recipient_id: Some(staff_id),
        at: now,
    }
}

/// An e-mail to a customer about `subject_id` (their appointment or waiting-list entry).
pub(crate) fn customer_email_row(event: OutboxEvent, subject_id: &str, now: DateTime<Utc>) -> OutboxRow<'_> {
    OutboxRow {
        delivery: Delivery::CustomerEmail,
        event,
        subject_id,
        recipient_id: None,
        at: now,
    }
}

/// kept's own reaction to `event` about `subject_id`, run by whichever node delivers it.
pub(crate) fn hook_row(event: OutboxEvent, subject_id: &str, now: DateTime<Utc>) -> OutboxRow<'_> {
    OutboxRow {
        delivery: Delivery::Hook,
        event,
        subject_id,
        recipient_id: None,
        at: now,
    }
}

/// Queues what `announcements` announce, in one statement.
pub(crate) async fn announce(conn: &mut dyn Statements, announcements: &[Announcement<'_>]) -> Result<()> {
    let rows: Vec<OutboxRow> = announcements.iter().flat_map(Announcement::rows).collect();
    insert(conn, &rows).await
}

/// Queues what `announcement` announces to go out at `settles_at`, once: while an earlier one
/// about the same subject still waits, nothing new is queued (the notice reads the subject as
/// it is when it goes), new recipients join it, and `settled` (the last word is in) sends
/// what waits now. `news: false` queues nothing new but may still send what waits.
pub(crate) async fn announce_settling(
    conn: &mut AnyConnection,
    announcement: &Announcement<'_>,
    news: bool,
    settled: bool,
    settles_at: DateTime<Utc>,
) -> Result<()> {
    let waiting: Option<i64> = sqlx::query(concatcp!(
        "SELECT MIN(next_attempt_ms) AS at FROM outbox WHERE event = $1 AND subject_id = $2 AND status = ",
        OutboxStatus::Pending.sql(),
        " \
         AND attempts = 0"
    ))
    .bind(announcement.event.as_str())
    .bind(announcement.subject_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("at")?;
    let at = if settled {
        announcement.now
    } else {
        waiting.map_or(settles_at, from_ms)
    };
    let rows: Vec<OutboxRow> = announcement
        .rows()
        .filter(|row| news && (waiting.is_none() || row.delivery == Delivery::Email))
        .map(|row| OutboxRow { at, ..row })
        .collect();
    insert(&mut *conn, &rows).await?;
    if settled {
        sqlx::query(concatcp!(
            "UPDATE outbox SET next_attempt_ms = $1 WHERE event = $2 AND subject_id = $3 AND status = ",
            OutboxStatus::Pending.sql(),
            " \
             AND attempts = 0"
        ))
        .bind(to_ms(announcement.now))
        .bind(announcement.event.as_str())
        .bind(announcement.subject_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert(conn: &mut dyn Statements, rows: &[OutboxRow<'_>]) -> Result<()> {
    let into = "outbox (channel, event, subject_id, recipient_id, next_attempt_ms, created_ms)";
    insert_rows(conn, into, "", rows, |row| {
        [
            Cell::Text(row.delivery.as_str()),
            Cell::Text(row.event.as_str()),
            Cell::Text(row.subject_id),
            Cell::MaybeText(row.recipient_id),
            Cell::Int(to_ms(row.at)),
            Cell::Int(to_ms(row.at)),
        ]
    })
    .await?;
    Ok(())
}

/// The customer's acknowledgement of a message on a conversation, unless one was queued for it
/// since `now - quiet` (a customer writing three times in an hour hears it once).
pub(crate) async fn queue_acknowledgement(
    pool: &AnyPool,
    conversation_id: &str,
    now: DateTime<Utc>,
    quiet: Duration,
) -> Result<bool> {
    let queued = sqlx::query(
        "INSERT INTO outbox (channel, event, subject_id, recipient_id, next_attempt_ms, created_ms) \
         SELECT $1, $2, $3, NULL, $4, $4 WHERE NOT EXISTS \
         (SELECT 1 FROM outbox WHERE subject_id = $3 AND event = $2 AND created_ms > $5)",
    )
    .bind(Delivery::CustomerEmail.as_str())
    .bind(OutboxEvent::MessageAcknowledged.as_str())
    .bind(conversation_id)
    .bind(to_ms(now))
    .bind(to_ms(now - quiet))
    .execute(pool)
    .await?;
    Ok(queued.rows_affected() > 0)
}

/// Claims up to `limit` items that are due, leasing them for `lease` so that no other node
/// (or a later tick) delivers them meanwhile.
pub(crate) async fn claim(
    pool: &AnyPool,
    dialect: Dialect,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxItem>> {
    let sql = format!(
        "UPDATE outbox SET locked_until_ms = $1, attempts = attempts + 1 WHERE id IN \
         (SELECT id FROM outbox WHERE status = {pending_outbox_status} AND next_attempt_ms <= $2 AND locked_until_ms <= $2 \
          ORDER BY id LIMIT $3 {}) \
         RETURNING id, channel, event, subject_id, recipient_id, attempts",
        dialect.skip_locked(),
        pending_outbox_status = OutboxStatus::Pending.sql()
    );
    let rows = sqlx::query(&sql)
        .bind(to_ms(now + lease))
        .bind(to_ms(now))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    let mut items = rows.iter().map(item_from_row).collect::<Result<Vec<_>>>()?;
    items.sort_by_key(|item| item.id);
    Ok(items)
}

fn item_from_row(row: &AnyRow) -> Result<OutboxItem> {
    Ok(OutboxItem {
        id: row.try_get("id")?,
        delivery: parse_enum(row.try_get("channel")?, Delivery::parse)?,
        event: parse_enum(row.try_get("event")?, OutboxEvent::parse)?,
        subject_id: row.try_get("subject_id")?,
        recipient_id: row.try_get("recipient_id")?,
        attempts: row.try_get("attempts")?,
    })
}

/// Marks an item delivered. A staff reply that reached the customer keeps the conversation's
/// reply promise (as of when it was written), in the same transaction.
pub(crate) async fn delivered(conn: &mut AnyConnection, id: i64, now: DateTime<Utc>) -> Result<()> {
    let row = sqlx::query(concatcp!(
        "UPDATE outbox SET status = ",
        OutboxStatus::Delivered.sql(),
        ", delivered_ms = $1, locked_until_ms = 0 WHERE id = $2 \
         RETURNING event, subject_id"
    ))
    .bind(to_ms(now))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let subject_id: String = row.try_get("subject_id")?;
    match parse_enum(row.try_get("event")?, OutboxEvent::parse)? {
        OutboxEvent::MessageReply => conversations::reply_delivered(conn, &subject_id).await?,
        // The link is in the person's mailbox now: the database keeps only its hash (a copy of
        // the database, a backup, then holds no working link).
        OutboxEvent::PasswordLink => crate::password_links::forget_token(conn, &subject_id).await?,
        _ => {}
    }
    Ok(())
}

/// How each of `message_ids` (staff replies) fares on its way to the customer.
pub(crate) async fn reply_deliveries(pool: &AnyPool, message_ids: &[&str]) -> Result<HashMap<String, ReplyDelivery>> {
    let mut deliveries = HashMap::new();
    for chunk in message_ids.chunks(100) {
        let sql = format!(
            "SELECT id, subject_id, status, last_error FROM outbox WHERE event = $1 AND subject_id IN ({})",
            placeholders(2, chunk.len())
        );
        let rows = chunk
            .iter()
            .fold(sqlx::query(&sql).bind(OutboxEvent::MessageReply.as_str()), |q, id| {
                q.bind(*id)
            })
            .fetch_all(pool)
            .await?;
        for row in rows {
            let status: String = row.try_get("status")?;
            let delivery = match status.as_str() {
                "delivered" => ReplyDelivery::Sent,
                "failed" => ReplyDelivery::NotSent {
                    outbox_id: row.try_get("id")?,
                    reason: row.try_get::<Option<String>, _>("last_error")?.unwrap_or_default(),
                },
                "bounced" => ReplyDelivery::Bounced {
                    outbox_id: row.try_get("id")?,
                    reason: row.try_get::<Option<String>, _>("last_error")?.unwrap_or_default(),
                },
                _ => ReplyDelivery::Sending,
            };
            deliveries.insert(row.try_get("subject_id")?, delivery);
        }
    }
    Ok(deliveries)
}

/// Replies kept gave up on, newest first: staff must see them, or the customer waits forever.
pub(crate) async fn failed_replies(pool: &AnyPool, limit: i64) -> Result<Vec<FailedReply>> {
    let rows = sqlx::query(concatcp!(
        "SELECT o.id, o.last_error, m.conversation_id, m.created_ms, c.channel, cu.name AS customer_name \
         FROM outbox o JOIN messages m ON m.id = o.subject_id JOIN conversations c ON c.id = m.conversation_id \
         JOIN customers cu ON cu.id = c.customer_id \
         WHERE o.status IN (",
        OutboxStatus::Failed.sql(),
        ", ",
        OutboxStatus::Bounced.sql(),
        ") AND o.event = $1 ORDER BY o.id DESC LIMIT $2"
    ))
    .bind(OutboxEvent::MessageReply.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(FailedReply {
                outbox_id: row.try_get("id")?,
                conversation_id: row.try_get("conversation_id")?,
                customer_name: row.try_get("customer_name")?,
                channel: row.try_get("channel")?,
                reason: row.try_get::<Option<String>, _>("last_error")?.unwrap_or_default(),
                written_at: from_ms(row.try_get("created_ms")?),
            })
        })
        .collect()
}

/// Tries a reply that was given up on (or that bounced: the address was fixed) again, from
/// scratch. `NotFound` when it is not a failed reply.
pub(crate) async fn retry_reply(pool: &AnyPool, outbox_id: i64, now: DateTime<Utc>) -> Result<()> {
    crate::deliveries::retry(pool, outbox_id, Some(OutboxEvent::MessageReply), now).await
}

/// Records a failed attempt; `retry_at: None` gives up on the item.
pub(crate) async fn failed(pool: &AnyPool, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
    let (status, next) = match retry_at {
        Some(at) => ("pending", to_ms(at)),
        None => ("failed", 0),
    };
    sqlx::query(
        "UPDATE outbox SET status = $1, last_error = $2, next_attempt_ms = $3, locked_until_ms = 0 WHERE id = $4",
    )
    .bind(status)
    .bind(error)
    .bind(next)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A SQLite file has one kept node, so a lease found when it starts serving belongs to a run
/// that died mid-delivery: retry its items now instead of after the lease.
pub(crate) async fn release_leases(pool: &AnyPool) -> Result<()> {
    sqlx::query(concatcp!(
        "UPDATE outbox SET locked_until_ms = 0 WHERE status = ",
        OutboxStatus::Pending.sql()
    ))
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn counts(pool: &AnyPool) -> Result<OutboxCounts> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n, SUM(CASE WHEN last_error IS NULL THEN 0 ELSE 1 END) AS retried \
         FROM outbox GROUP BY status",
    )
    .fetch_all(pool)
    .await?;
    let mut counts = OutboxCounts::default();
    for row in rows {
        let status: String = row.try_get("status")?;
        let count: i64 = row.try_get("n")?;
        match status.as_str() {
            "pending" => {
                counts.pending = count;
                counts.retrying = row.try_get("retried")?;
            }
            "delivered" => counts.delivered = count,
            _ => counts.failed += count,
        }
    }
    Ok(counts)
}

pub(crate) async fn waiting(pool: &AnyPool, now: DateTime<Utc>) -> Result<i64> {
    let row = sqlx::query(concatcp!(
        "SELECT COUNT(*) AS n FROM outbox WHERE status = ",
        OutboxStatus::Pending.sql(),
        " AND attempts = 0 AND next_attempt_ms > $1"
    ))
    .bind(to_ms(now))
    .fetch_one(pool)
    .await?;
    Ok(row.try_get("n")?)
}

/// Removes every item about one of `subject_ids` (a customer's erased records): the error
/// texts of failed deliveries may hold their address.
pub(crate) async fn forget_subjects(conn: &mut AnyConnection, subject_ids: &[String]) -> Result<u64> {
    let mut removed = 0;
    for id in subject_ids {
        removed += sqlx::query("DELETE FROM outbox WHERE subject_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(removed)
}
