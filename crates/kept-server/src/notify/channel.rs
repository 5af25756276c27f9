//! Replies on social and chat channels: posted, signed, to the business's automation for that
//! channel, which sends them on (kept.toml `[channel_webhooks]`).

use chrono::{DateTime, Utc};
use kept_app::records::OutboxItem;
use serde::Serialize;

use super::Couriers;
use super::webhook::post_signed;
use super::{DeliveryError, Subject};

#[derive(Debug, Serialize)]
struct ChannelReply<'a> {
    event: &'a str,
    delivery_id: i64,
    channel: &'a str,
    /// The customer's handle on the channel, e.g. "@jan".
    to: Option<&'a str>,
    conversation_id: &'a str,
    message_id: &'a str,
    text: &'a str,
    from_staff: Option<&'a str>,
    sent_at: DateTime<Utc>,
}

pub(super) async fn send(state: &Couriers, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    let Subject::Conversation(conversation) = subject else {
        return Err(DeliveryError::Permanent("a channel reply needs a conversation".into()));
    };
    let settings = state.settings();
    let Some(url) = settings.channel_webhooks.get(&conversation.channel) else {
        return Err(DeliveryError::Permanent(format!(
            "no webhook for channel '{}' any more",
            conversation.channel
        )));
    };
    let message = conversation
        .messages
        .iter()
        .find(|m| m.id == item.subject_id)
        .ok_or_else(|| DeliveryError::Permanent("the reply no longer exists".into()))?;
    let reply = ChannelReply {
        event: item.event.as_str(),
        delivery_id: item.id,
        channel: &conversation.channel,
        to: conversation.handle.as_deref(),
        conversation_id: &conversation.id,
        message_id: &message.id,
        text: &message.body,
        from_staff: message.staff_name.as_deref(),
        sent_at: message.sent_at,
    };
    post_signed(state, url, item, &reply).await
}
