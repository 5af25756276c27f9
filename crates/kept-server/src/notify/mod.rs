//! Delivering outbox items: e-mail over SMTP and signed webhooks. What a message says is read
//! from the store at delivery time, so a retry a day later still names the right person.

mod channel;
mod email;
pub mod webhook;

use chrono::{DateTime, Duration, Utc};
use kept_domain::PromiseKind;
use kept_store::{CallbackView, ConversationView, OutboxItem};

use crate::state::AppState;

/// After this many attempts an item is given up and marked failed.
const MAX_ATTEMPTS: i64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later (network, a busy server).
    #[error("{0}")]
    Temporary(String),
    /// Will never work (the recipient does not exist, the address is refused).
    #[error("{0}")]
    Permanent(String),
}

impl DeliveryError {
    /// When to try again, or `None` to give up. The wait doubles from 10 seconds up to an hour.
    pub fn retry_at(&self, now: DateTime<Utc>, attempts: i64) -> Option<DateTime<Utc>> {
        match self {
            DeliveryError::Temporary(_) if attempts < MAX_ATTEMPTS => {
                let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
                let wait = Duration::seconds(10 * 2i64.pow(doublings)).min(Duration::hours(1));
                Some(now + wait)
            }
            _ => None,
        }
    }
}

fn temporary(error: impl ToString) -> DeliveryError {
    DeliveryError::Temporary(error.to_string())
}

/// What a notification is about, read at delivery time.
pub enum Subject {
    Callback(CallbackView),
    Conversation(ConversationView),
}

pub async fn deliver(state: &AppState, item: &OutboxItem) -> Result<(), DeliveryError> {
    let subject = subject_of(state, item).await?;
    match item.channel.as_str() {
        "email" => email::send(state, item, &subject).await,
        "email_reply" => email::send_reply(state, item, &subject).await,
        "webhook" => webhook::send(state, item, &subject).await,
        "channel" => channel::send(state, item, &subject).await,
        other => Err(DeliveryError::Permanent(format!("unknown channel '{other}'"))),
    }
}

fn gone(what: &str) -> DeliveryError {
    DeliveryError::Permanent(format!("the {what} no longer exists"))
}

/// Promise events name the promise, message events the conversation or message.
async fn subject_of(state: &AppState, item: &OutboxItem) -> Result<Subject, DeliveryError> {
    let store = &state.store;
    let (is_conversation, id) = match item.event.as_str() {
        event if event.starts_with("promise.") => {
            let promise = store
                .promise(&item.subject_id)
                .await
                .map_err(temporary)?
                .ok_or_else(|| gone("promise"))?;
            (promise.kind == PromiseKind::Reply, promise.subject_id)
        }
        "message.received" => (true, item.subject_id.clone()),
        "message.reply" => {
            let conversation = store
                .conversation_of_message(&item.subject_id)
                .await
                .map_err(temporary)?;
            (true, conversation.ok_or_else(|| gone("message"))?)
        }
        _ => (false, item.subject_id.clone()),
    };
    if is_conversation {
        let conversation = store
            .conversation(&id)
            .await
            .map_err(temporary)?
            .ok_or_else(|| gone("conversation"))?;
        Ok(Subject::Conversation(conversation))
    } else {
        let callback = store
            .callback(&id)
            .await
            .map_err(temporary)?
            .ok_or_else(|| gone("callback request"))?;
        Ok(Subject::Callback(callback))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn backoff_doubles_and_gives_up() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        let error = DeliveryError::Temporary("busy".into());
        assert_eq!(error.retry_at(now, 1), Some(now + Duration::seconds(10)));
        assert_eq!(error.retry_at(now, 3), Some(now + Duration::seconds(40)));
        assert_eq!(error.retry_at(now, 9), Some(now + Duration::seconds(2560)));
        assert_eq!(error.retry_at(now, MAX_ATTEMPTS), None);
        assert_eq!(DeliveryError::Permanent("gone".into()).retry_at(now, 1), None);
    }
}
