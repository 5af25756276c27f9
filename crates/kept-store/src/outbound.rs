//! Conversations staff start: the first message is ours ("Uw fiets is klaar"), to a customer
//! on record or found by their address, on e-mail or on a channel with a webhook. The
//! customer's answer threads into it like an answer to any reply.

use chrono::{DateTime, Utc};
use kept_domain::conversation::{ConversationStatus, PHONE_CHANNELS};
use kept_domain::new_id;
use sqlx::{AnyConnection, Row};

use crate::model::{NewFollowUp, NewOutbound, NewReply, Recipient, Started};
use crate::time::to_ms;
use crate::{Result, StoreError, conversations, customers, follow_ups};

/// Writes the conversation, its first message (queued for sending), the commitments in it and
/// the follow-up awaiting the answer; nothing when the customer cannot be reached there.
pub(crate) async fn start(conn: &mut AnyConnection, new: &NewOutbound) -> Result<Started> {
    let Some(customer_id) = recipient(conn, &new.to, &new.channel, new.now).await? else {
        return Ok(Started::NoAddress);
    };
    if !reachable(conn, &customer_id, &new.channel, new.now).await? {
        return Ok(Started::NoAddress);
    }
    let conversation_id = new_id();
    sqlx::query(
        "INSERT INTO conversations (id, customer_id, channel, status, assignee_id, created_ms, updated_ms, queue_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6)",
    )
    .bind(&conversation_id)
    .bind(&customer_id)
    .bind(&new.channel)
    .bind(ConversationStatus::WaitingOnCustomer.as_str())
    .bind(&new.staff_id)
    .bind(to_ms(new.now))
    .execute(&mut *conn)
    .await?;
    let first = NewReply {
        conversation_id: conversation_id.clone(),
        staff_id: new.staff_id.clone(),
        text: new.text.clone(),
        now: new.now,
        external_id: new.external_id.clone(),
        deliver_via: new.deliver_via,
        promised: new.promised.clone(),
        subject: new.subject.clone(),
    };
    let message_id = conversations::record_reply(conn, &first).await?;
    if let Some(awaiting) = &new.awaiting {
        let follow_up = NewFollowUp {
            customer_id: customer_id.clone(),
            staff_id: new.staff_id.clone(),
            owner_id: new.staff_id.clone(),
            text: awaiting.text.clone(),
            due_at: awaiting.due_at,
            now: new.now,
        };
        let id = follow_ups::create(conn, &follow_up).await?;
        sqlx::query("UPDATE follow_ups SET awaits_conversation_id = $1 WHERE id = $2")
            .bind(&conversation_id)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Started::Conversation {
        conversation_id,
        message_id,
    })
}

/// The customer the message is for: on record, or found by address (a new one for an e-mail
/// address, or for a number on a phone channel); `None` for a number nobody has on e-mail.
async fn recipient(
    conn: &mut AnyConnection,
    to: &Recipient,
    channel: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    match to {
        Recipient::Customer(id) => {
            let found = sqlx::query("SELECT id FROM customers WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            found.map(|_| Some(id.clone())).ok_or(StoreError::NotFound)
        }
        Recipient::Email { address, name } => customers::find_or_add(conn, name.as_deref(), Some(address), None, now)
            .await
            .map(Some),
        Recipient::Phone { number, name } => {
            let known = sqlx::query("SELECT id FROM customers WHERE phone = $1")
                .bind(number)
                .fetch_optional(&mut *conn)
                .await?;
            match known {
                Some(row) => Ok(Some(row.try_get("id")?)),
                None if PHONE_CHANNELS.contains(&channel) => {
                    customers::find_or_add(conn, name.as_deref(), None, Some(number), now)
                        .await
                        .map(Some)
                }
                None => Ok(None),
            }
        }
    }
}

/// Whether the customer has an address on the channel; on a phone channel their phone number
/// becomes one when nobody else is known by it there.
async fn reachable(conn: &mut AnyConnection, customer_id: &str, channel: &str, now: DateTime<Utc>) -> Result<bool> {
    let handle = sqlx::query("SELECT handle FROM customer_handles WHERE customer_id = $1 AND handle LIKE $2 LIMIT 1")
        .bind(customer_id)
        .bind(format!("{channel}:%"))
        .fetch_optional(&mut *conn)
        .await?;
    if handle.is_some() {
        return Ok(true);
    }
    if !PHONE_CHANNELS.contains(&channel) {
        return Ok(false);
    }
    let phone: Option<String> = sqlx::query("SELECT phone FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("phone")?;
    let Some(phone) = phone else { return Ok(false) };
    let handle = format!("{channel}:{phone}");
    let taken = sqlx::query("SELECT customer_id FROM customer_handles WHERE handle = $1")
        .bind(&handle)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Ok(false);
    }
    sqlx::query("INSERT INTO customer_handles (handle, customer_id, created_ms) VALUES ($1, $2, $3)")
        .bind(&handle)
        .bind(customer_id)
        .bind(to_ms(now))
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
