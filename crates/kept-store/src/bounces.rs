//! Bounces: a mail server returned a message kept sent. A staff reply that bounced is marked
//! so in its outbox row (status `bounced`, the server's reason as its error), the customer
//! waits again — a new reply promise, due now, for the person who wrote it, who is told —, and
//! the address is marked as bouncing on the customer. A customer e-mail kept wrote itself (an
//! appointment confirmation, a survey: Message-ID `kept-outbox-N@…`) is marked the same way.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use const_format::concatcp;
use kept_domain::OutboxStatus;
use kept_domain::conversation::{ConversationStatus, Direction};
use kept_domain::{Delivery, OutboxEvent, PromiseKind, PromiseStatus, new_id};
use sqlx::{AnyConnection, Row};

use crate::Result;
use crate::model::Fanout;
use crate::outbox::{self, Announcement};
use crate::promises::{self, NewPromise};
use crate::sql::SqlStore;
use crate::time::to_ms;

/// A permanent bounce, as read from the mail server's report.
#[derive(Debug, Clone)]
pub struct NewBounce {
    /// The `Message-ID` of the returned message, without brackets.
    pub returned_id: String,
    /// The address that refused it, lower case.
    pub recipient: Option<String>,
    pub reason: String,
    /// When the customer waits for an answer again: now, or the first opening-hour minute.
    pub reply_due: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

/// What a bounce was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BounceRecorded {
    /// A staff reply: the conversation waits again (a new promise, unless one is open).
    Reply {
        conversation_id: String,
        message_id: String,
        promise_id: Option<String>,
    },
    /// An e-mail kept wrote to a customer itself.
    Notice { outbox_id: i64 },
    /// Known already: the same report came twice.
    AlreadyKnown,
    /// Not a message kept sent (or kept no longer knows it).
    Unknown,
}

#[async_trait]
pub trait Bounces {
    /// Matches a bounce to the message it returns and records it, in one transaction.
    async fn record_bounce(&self, bounce: NewBounce) -> Result<BounceRecorded>;
}

#[async_trait]
impl Bounces for SqlStore {
    async fn record_bounce(&self, bounce: NewBounce) -> Result<BounceRecorded> {
        let mut tx = self.begin_write().await?;
        let recorded = match reply_of(&mut tx, &bounce.returned_id).await? {
            Some(reply) => reply_bounced(&mut tx, &bounce, reply).await?,
            None => notice_bounced(&mut tx, &bounce).await?,
        };
        tx.commit().await?;
        Ok(recorded)
    }
}

/// The staff reply a returned Message-ID names.
struct Reply {
    message_id: String,
    conversation_id: String,
    customer_id: String,
    staff_id: Option<String>,
    outbox_id: i64,
    outbox_status: String,
    open_promise: Option<String>,
}

async fn reply_of(conn: &mut AnyConnection, returned_id: &str) -> Result<Option<Reply>> {
    let row = sqlx::query(
        "SELECT m.id, m.conversation_id, m.customer_id, m.staff_id, o.id AS outbox_id, o.status, \
         p.id AS open_promise FROM messages m \
         JOIN outbox o ON o.subject_id = m.id AND o.event = $2 \
         JOIN conversations c ON c.id = m.conversation_id \
         LEFT JOIN promises p ON p.id = c.promise_id AND p.status = $3 \
         WHERE m.channel = 'email' AND m.external_id = $1 AND m.direction = $4",
    )
    .bind(returned_id)
    .bind(OutboxEvent::MessageReply.as_str())
    .bind(PromiseStatus::Open.as_str())
    .bind(Direction::Outbound.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Reply {
            message_id: r.try_get("id")?,
            conversation_id: r.try_get("conversation_id")?,
            customer_id: r.try_get("customer_id")?,
            staff_id: r.try_get("staff_id")?,
            outbox_id: r.try_get("outbox_id")?,
            outbox_status: r.try_get("status")?,
            open_promise: r.try_get("open_promise")?,
        })
    })
    .transpose()
}

async fn reply_bounced(conn: &mut AnyConnection, bounce: &NewBounce, reply: Reply) -> Result<BounceRecorded> {
    if reply.outbox_status == "bounced" {
        return Ok(BounceRecorded::AlreadyKnown);
    }
    mark_outbox(conn, reply.outbox_id, &bounce.reason).await?;
    mark_address(conn, Some(&reply.customer_id), bounce).await?;
    // The customer waits again, unless something they sent since already waits for an answer.
    let promise_id = match reply.open_promise {
        Some(open) => Some(open),
        None => Some(wait_again(conn, &reply, bounce).await?),
    };
    let recipients: Vec<String> = reply.staff_id.iter().cloned().collect();
    let announcement = Announcement {
        event: OutboxEvent::MessageBounced,
        subject_id: &reply.message_id,
        recipients: &recipients,
        fanout: bounce.fanout,
        now: bounce.now,
    };
    outbox::announce(conn, &[announcement]).await?;
    Ok(BounceRecorded::Reply {
        conversation_id: reply.conversation_id,
        message_id: reply.message_id,
        promise_id,
    })
}

/// A new reply promise on the conversation, due as the bounce says, for the reply's writer.
async fn wait_again(conn: &mut AnyConnection, reply: &Reply, bounce: &NewBounce) -> Result<String> {
    let promise_id = new_id();
    let promise = NewPromise {
        id: &promise_id,
        kind: PromiseKind::Reply,
        subject_id: &reply.conversation_id,
        customer_id: &reply.customer_id,
        owner_id: reply.staff_id.as_deref(),
        channel: Some("email"),
        not_before: bounce.now,
        due_at: bounce.reply_due,
        now: bounce.now,
    };
    promises::insert(&mut *conn, &[promise]).await?;
    sqlx::query("UPDATE conversations SET promise_id = $1, status = $2, updated_ms = $3, queue_ms = $4 WHERE id = $5")
        .bind(&promise_id)
        .bind(ConversationStatus::Open.as_str())
        .bind(to_ms(bounce.now))
        .bind(to_ms(bounce.reply_due))
        .bind(&reply.conversation_id)
        .execute(&mut *conn)
        .await?;
    Ok(promise_id)
}

/// A mail kept wrote to a customer itself: its Message-ID names its outbox item.
async fn notice_bounced(conn: &mut AnyConnection, bounce: &NewBounce) -> Result<BounceRecorded> {
    let Some(outbox_id) = outbox_item_named(&bounce.returned_id) else {
        return Ok(BounceRecorded::Unknown);
    };
    let row = sqlx::query("SELECT status FROM outbox WHERE id = $1 AND channel = $2")
        .bind(outbox_id)
        .bind(Delivery::CustomerEmail.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(BounceRecorded::Unknown);
    };
    if row.try_get::<String, _>("status")? == "bounced" {
        return Ok(BounceRecorded::AlreadyKnown);
    }
    mark_outbox(conn, outbox_id, &bounce.reason).await?;
    mark_address(conn, None, bounce).await?;
    Ok(BounceRecorded::Notice { outbox_id })
}

/// "kept-outbox-42@fiets.test" → 42.
fn outbox_item_named(message_id: &str) -> Option<i64> {
    let (local, _) = message_id.split_once('@')?;
    local.strip_prefix("kept-outbox-")?.parse().ok()
}

async fn mark_outbox(conn: &mut AnyConnection, outbox_id: i64, reason: &str) -> Result<()> {
    sqlx::query(concatcp!(
        "UPDATE outbox SET status = ",
        OutboxStatus::Bounced.sql(),
        ", last_error = $1, locked_until_ms = 0 WHERE id = $2"
    ))
    .bind(reason)
    .bind(outbox_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks the address that refused the mail (of this customer, when known) as bouncing.
async fn mark_address(conn: &mut AnyConnection, customer_id: Option<&str>, bounce: &NewBounce) -> Result<()> {
    let Some(recipient) = &bounce.recipient else {
        return Ok(());
    };
    let handle = format!("email:{}", recipient.trim().to_lowercase());
    let sql = match customer_id {
        Some(_) => {
            "UPDATE customer_handles SET bounce_reason = $1, bounced_ms = $2 WHERE handle = $3 AND customer_id = $4"
        }
        None => "UPDATE customer_handles SET bounce_reason = $1, bounced_ms = $2 WHERE handle = $3",
    };
    let query = sqlx::query(sql)
        .bind(&bounce.reason)
        .bind(to_ms(bounce.now))
        .bind(&handle);
    let query = match customer_id {
        Some(id) => query.bind(id),
        None => query,
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::outbox_item_named;

    #[test]
    fn kept_names_its_own_mails_by_outbox_item() {
        assert_eq!(outbox_item_named("kept-outbox-42@fiets.test"), Some(42));
        assert_eq!(outbox_item_named("01a2-b3@fiets.test"), None);
        assert_eq!(outbox_item_named("kept-outbox-x@fiets.test"), None);
    }
}
