//! Conversations and messages: storing what customers send on any channel, the promise to
//! answer it, and each customer's timeline across channels.

use chrono::{DateTime, Utc};
use const_format::concatcp;
use kept_domain::conversation::{ConversationStatus, Direction};
use kept_domain::promise::Closing;
use kept_domain::{CancelReason, OutboxEvent, PromiseStatus, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::{parse_enum, placeholders};
use crate::follow_ups;
use crate::inbox_columns::{self, Written};
use crate::mail::attachments_of_conversation;
use crate::model::*;
use crate::new_messages::{STORED_MESSAGES, recorded_from_row};
use crate::outbox::{self, reply_row};
use crate::promises::Handover;
use crate::promises::{self, Actor};
use crate::search::{IndexEntry, Indexed, Words, index};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

pub(crate) async fn already_stored(
    conn: &mut AnyConnection,
    channel: &str,
    external_id: &str,
) -> Result<Option<InboundRecorded>> {
    let sql = format!("{STORED_MESSAGES} WHERE m.channel = $1 AND m.external_id = $2");
    let row = sqlx::query(&sql)
        .bind(channel)
        .bind(external_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| recorded_from_row(&r, true)).transpose()
}

/// Stores a staff reply and queues it for the customer. The reply promise stays open until
/// the reply has reached them ([`reply_delivered`]): a reply that cannot be sent keeps nothing.
pub(crate) async fn record_reply(conn: &mut AnyConnection, reply: &NewReply) -> Result<String> {
    let row = sqlx::query("SELECT customer_id, channel FROM conversations WHERE id = $1")
        .bind(&reply.conversation_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let customer_id: String = row.try_get("customer_id")?;
    let channel: String = row.try_get("channel")?;
    let message_id = new_id();
    let now = to_ms(reply.now);
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, customer_id, direction, channel, staff_id, body, sent_ms, created_ms, external_id, subject) \
         VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $7, $8, $9)",
    )
    .bind(&message_id)
    .bind(&reply.conversation_id)
    .bind(&customer_id)
    .bind(&channel)
    .bind(&reply.staff_id)
    .bind(&reply.text)
    .bind(now)
    .bind(reply.external_id.clone())
    .bind(reply.subject.clone())
    .execute(&mut *conn)
    .await?;
    index(
        conn,
        IndexEntry {
            kind: Indexed::Message,
            id: &message_id,
            customer_id: &customer_id,
            channel: &channel,
            words: Words::Text(&reply.text),
            at: reply.now,
        },
    )
    .await?;
    let written = Written {
        conversation_id: &reply.conversation_id,
        direction: Direction::Outbound,
        subject: reply.subject.as_deref(),
        body: &reply.text,
        frustration: 0,
        sent_ms: now,
        created_ms: now,
    };
    inbox_columns::note_written(&mut *conn, &[written]).await?;
    sqlx::query(concatcp!(
        "UPDATE conversations SET status = ",
        ConversationStatus::WaitingOnCustomer.sql(),
        ", updated_ms = $1 WHERE id = $2"
    ))
    .bind(now)
    .bind(&reply.conversation_id)
    .execute(&mut *conn)
    .await?;
    outbox::insert(conn, &[reply_row(reply.deliver_via, &message_id, reply.now)]).await?;
    follow_ups::create_promised(conn, &customer_id, &reply.staff_id, &reply.promised, reply.now).await?;
    Ok(message_id)
}

/// A staff reply reached the customer: the conversation's reply promise is kept (or broken)
/// as of when the reply was written — unless the promise came after it (the customer wrote
/// again meanwhile) or has already ended.
pub(crate) async fn reply_delivered(conn: &mut AnyConnection, message_id: &str) -> Result<()> {
    let row = sqlx::query(concatcp!(
        "SELECT m.staff_id, m.created_ms, m.customer_id, p.id AS promise_id FROM messages m \
         JOIN conversations c ON c.id = m.conversation_id \
         LEFT JOIN promises p ON p.id = c.promise_id AND p.status = ",
        PromiseStatus::Open.sql(),
        " AND p.created_ms <= m.created_ms \
         WHERE m.id = $1"
    ))
    .bind(message_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let staff_id: Option<String> = row.try_get("staff_id")?;
    let actor = Actor {
        staff_id: staff_id.as_deref(),
        detail: Some("replied"),
    };
    let written = from_ms(row.try_get("created_ms")?);
    let customer_id: String = row.try_get("customer_id")?;
    promises::customer_contacted(conn, &customer_id, actor, written).await?;
    let Some(promise_id) = row.try_get::<Option<String>, _>("promise_id")? else {
        return Ok(());
    };
    match promises::close(conn, &promise_id, Closing::Fulfilled, actor, written).await {
        // Closed by someone else in the meantime: nothing left to keep.
        Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The conversations `from` has that are not resolved go to `to`.
pub(crate) async fn hand_over_assigned(conn: &mut AnyConnection, from: &str, to: &str, how: Handover) -> Result<()> {
    let sql = match how {
        Handover::StandIn => {
            concatcp!(
                "UPDATE conversations SET assignee_id = $1, stand_in_for = $2 WHERE assignee_id = $2 AND status <> ",
                ConversationStatus::Resolved.sql()
            )
        }
        Handover::ForGood => {
            concatcp!(
                "UPDATE conversations SET assignee_id = $1 WHERE assignee_id = $2 AND status <> ",
                ConversationStatus::Resolved.sql()
            )
        }
    };
    sqlx::query(sql).bind(to).bind(from).execute(&mut *conn).await?;
    if how == Handover::ForGood {
        forget_stand_in(conn, from).await?;
    }
    Ok(())
}

/// `returning` is back: the conversations their stand-in still has for them go back.
pub(crate) async fn hand_back_assigned(conn: &mut AnyConnection, returning: &str, stand_in: &str) -> Result<()> {
    sqlx::query("UPDATE conversations SET assignee_id = $1 WHERE stand_in_for = $1 AND assignee_id = $2")
        .bind(returning)
        .bind(stand_in)
        .execute(&mut *conn)
        .await?;
    forget_stand_in(conn, returning).await
}

/// Nothing is held for `who` any more (they are back, or left).
async fn forget_stand_in(conn: &mut AnyConnection, who: &str) -> Result<()> {
    sqlx::query("UPDATE conversations SET stand_in_for = NULL WHERE stand_in_for = $1")
        .bind(who)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A conversation's row as lists and its page show it, read from `source` (the table, or a
/// page of it) named `c`: what it shows is kept on the row as messages are written; the
/// customer's handle on its channel is one lookup by index.
pub(crate) fn conversation_select(source: &str) -> String {
    format!(
        "SELECT c.id, c.customer_id, cu.name AS customer_name, c.channel, c.status, c.assignee_id, \
         s.name AS assignee_name, p.id AS promise_id, p.status AS promise_status, p.due_ms, c.updated_ms, \
         c.frustration, c.frustrated, c.queue_ms, c.subject, c.preview, c.last_direction, \
         (SELECT h.handle FROM customer_handles h WHERE h.customer_id = c.customer_id AND h.handle LIKE c.channel || ':%' \
          ORDER BY h.created_ms LIMIT 1) AS handle \
         FROM {source} c LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN staff s ON s.id = c.assignee_id \
         LEFT JOIN promises p ON p.id = c.promise_id"
    )
}

pub(crate) fn conversation_from_row(row: &AnyRow) -> Result<ConversationView> {
    Ok(ConversationView {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        channel: row.try_get("channel")?,
        status: parse_enum(row.try_get("status")?, ConversationStatus::parse)?,
        assignee_id: row.try_get("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        promise_id: row.try_get("promise_id")?,
        promise_status: row
            .try_get::<Option<String>, _>("promise_status")?
            .map(|s| parse_enum(s, PromiseStatus::parse))
            .transpose()?,
        due_at: row.try_get::<Option<i64>, _>("due_ms")?.map(from_ms),
        updated_at: from_ms(row.try_get("updated_ms")?),
        frustration: row.try_get("frustration")?,
        handle: row
            .try_get::<Option<String>, _>("handle")?
            .map(|h| h.split_once(':').map_or(h.clone(), |(_, rest)| rest.to_string())),
        tags: Vec::new(),
        subject: row.try_get("subject")?,
        last_message: row.try_get("preview")?,
        last_from_customer: row
            .try_get::<Option<String>, _>("last_direction")?
            .map(|d| d == Direction::Inbound.as_str()),
        messages: Vec::new(),
    })
}

pub(crate) async fn conversation(pool: &AnyPool, id: &str) -> Result<Option<ConversationView>> {
    let row = sqlx::query(&format!("{} WHERE c.id = $1", conversation_select("conversations")))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some(mut view) = row.as_ref().map(conversation_from_row).transpose()? else {
        return Ok(None);
    };
    attach_tags(pool, std::slice::from_mut(&mut view)).await?;
    let rows = sqlx::query(
        "SELECT m.id, m.direction, m.channel, m.external_id, s.name AS staff_name, m.body, m.frustration, m.sent_ms, \
         m.subject FROM messages m \
         LEFT JOIN staff s ON s.id = m.staff_id WHERE m.conversation_id = $1 ORDER BY m.sent_ms, m.created_ms",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    view.messages = rows
        .iter()
        .map(|r| {
            Ok(MessageView {
                id: r.try_get("id")?,
                direction: parse_enum(r.try_get("direction")?, Direction::parse)?,
                channel: r.try_get("channel")?,
                external_id: r.try_get("external_id")?,
                staff_name: r.try_get("staff_name")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                frustration: r.try_get("frustration")?,
                sent_at: from_ms(r.try_get("sent_ms")?),
                attachments: Vec::new(),
                delivery: None,
            })
        })
        .collect::<Result<_>>()?;
    let mut attachments = attachments_of_conversation(pool, id).await?;
    let replies: Vec<&str> = view
        .messages
        .iter()
        .filter(|m| m.direction == Direction::Outbound)
        .map(|m| m.id.as_str())
        .collect();
    let mut deliveries = outbox::reply_deliveries(pool, &replies).await?;
    for message in &mut view.messages {
        message.attachments = attachments.remove(&message.id).unwrap_or_default();
        message.delivery = deliveries.remove(&message.id);
    }
    Ok(Some(view))
}

/// `staff_id` opened the conversation now: what came in until now is read.
pub(crate) async fn mark_read(pool: &AnyPool, conversation_id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO conversation_reads (conversation_id, staff_id, read_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (conversation_id, staff_id) DO UPDATE SET read_ms = excluded.read_ms",
    )
    .bind(conversation_id)
    .bind(staff_id)
    .bind(to_ms(now))
    .execute(pool)
    .await?;
    Ok(())
}

/// Fills in the tags of these conversations with one query.
pub(crate) async fn attach_tags(pool: &AnyPool, views: &mut [ConversationView]) -> Result<()> {
    if views.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN ({}) ORDER BY tag",
        placeholders(1, views.len())
    );
    let rows = views
        .iter()
        .fold(sqlx::query(&sql), |q, v| q.bind(v.id.clone()))
        .fetch_all(pool)
        .await?;
    for row in rows {
        let (id, tag): (String, String) = (row.try_get("conversation_id")?, row.try_get("tag")?);
        if let Some(view) = views.iter_mut().find(|v| v.id == id) {
            view.tags.push(tag);
        }
    }
    Ok(())
}

/// Applies a staff change; an open reply promise follows an assignment and is cancelled when
/// the conversation is resolved.
pub(crate) async fn change(
    conn: &mut AnyConnection,
    id: &str,
    change: &ConversationChange,
    actor_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = sqlx::query(concatcp!(
        "SELECT p.id AS open_promise FROM conversations c \
         LEFT JOIN promises p ON p.id = c.promise_id AND p.status = ",
        PromiseStatus::Open.sql(),
        " WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let open_promise: Option<String> = row.try_get("open_promise")?;
    match change {
        ConversationChange::Assign { staff_id } => {
            sqlx::query("UPDATE conversations SET assignee_id = $1, updated_ms = $2 WHERE id = $3")
                .bind(staff_id)
                .bind(to_ms(now))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            if let Some(promise) = &open_promise {
                promises::reassign(conn, promise, staff_id, actor_id, now).await?;
            }
        }
        ConversationChange::Status(status) => {
            sqlx::query("UPDATE conversations SET status = $1, updated_ms = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(to_ms(now))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            if let (ConversationStatus::Resolved, Some(promise)) = (status, &open_promise) {
                let actor = Actor {
                    staff_id: Some(actor_id),
                    detail: None,
                };
                let closing = Closing::Cancelled(CancelReason::Resolved);
                promises::close(conn, promise, closing, actor, now).await?;
            }
            if *status == ConversationStatus::Resolved {
                // kept's own reaction (asking the customer how it went).
                let hook = outbox::hook_row(OutboxEvent::ConversationResolved, id, now);
                outbox::insert(conn, &[hook]).await?;
            }
        }
        ConversationChange::Tags { add, remove } => {
            for tag in add {
                sqlx::query(
                    "INSERT INTO conversation_tags (conversation_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(tag)
                .execute(&mut *conn)
                .await?;
            }
            for tag in remove {
                sqlx::query("DELETE FROM conversation_tags WHERE conversation_id = $1 AND tag = $2")
                    .bind(id)
                    .bind(tag)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

pub(crate) async fn conversation_of_message(pool: &AnyPool, message_id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT conversation_id FROM messages WHERE id = $1")
        .bind(message_id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| Ok(r.try_get("conversation_id")?)).transpose()
}
