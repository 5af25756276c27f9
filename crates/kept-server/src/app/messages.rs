//! Messages from customers on every channel (chat, social, e-mail over HTTP and IMAP) and
//! staff replies to them.

use chrono::Duration;
use kept_domain::Delivery;
use kept_domain::conversation::{ConversationStatus, InboundInput, MAX_MESSAGE_BYTES, first_response_minutes};
use kept_store::{
    ConversationChange, ConversationView, InboundRecorded, NewAttachment, NewInbound, NewReply, NewUnreadableMail,
    Staff,
};
use serde::Serialize;

use super::{App, Change};
use crate::Settings;
use crate::config::MAX_RAW_EMAIL_BYTES;
use crate::error::AppError;
use crate::inbound_email;

/// Stores a message from a social or chat channel; a new question gets a reply promise due
/// after the channel's first-response target in opening hours.
pub async fn accept_inbound(app: &App, input: &InboundInput) -> Result<InboundRecorded, AppError> {
    let now = app.clock.now();
    let valid = input.validate(now).map_err(AppError::Invalid)?;
    let message = NewInbound {
        channel: valid.channel,
        external_id: valid.external_id,
        handle: valid.handle,
        name: valid.name,
        text: valid.text,
        subject: None,
        thread: Vec::new(),
        needs_reply: true,
        sent_at: valid.sent_at,
        frustration: 0,
        reply_due: now,
        now,
        fanout: app.fanout(),
        attachments: Vec::new(),
    };
    record_inbound(app, message).await
}

/// Works out when the answer is due (the channel's target in opening hours) and how frustrated
/// the writer is.
pub fn with_due_time_and_mood(settings: &Settings, mut message: NewInbound) -> NewInbound {
    let minutes = first_response_minutes(
        &message.channel,
        &settings.first_response_minutes,
        settings.default_first_response_minutes,
    );
    let now = message.now;
    message.reply_due = settings
        .business
        .hours
        .add_business_minutes(now, minutes)
        .unwrap_or(now + Duration::minutes(minutes));
    message.frustration = (kept_tone::mood(&message.text, None).frustration * 100.0).round() as i64;
    message
}

async fn record_inbound(app: &App, message: NewInbound) -> Result<InboundRecorded, AppError> {
    let message = with_due_time_and_mood(&app.settings(), message);
    let recorded = app.store.record_inbound(message).await?;
    app.announce(Change::Conversations);
    Ok(recorded)
}

/// A staff reply on a conversation: stored and queued for the customer (by e-mail or the
/// channel's webhook). The reply promise is kept once the reply has reached them.
/// Sends a reply; the dated commitments in it become the writer's follow-up promises.
pub async fn reply(
    app: &App,
    staff: &Staff,
    conversation_id: &str,
    text: &str,
    choices: &super::CommitmentChoices,
) -> Result<ConversationView, AppError> {
    if text.trim().is_empty() || text.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::invalid(
            "text",
            "unusable_text",
            "text must be between 1 byte and 100 KB",
        ));
    }
    let conversation = app
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_send(&app.settings(), &conversation.channel) {
        return Err(AppError::Conflict(if conversation.channel == EMAIL {
            "kept cannot send e-mail: set smtp_url in kept.toml".into()
        } else {
            format!(
                "kept cannot send on channel '{0}': set channel_webhooks.{0} in kept.toml",
                conversation.channel
            )
        }));
    }
    let (deliver_via, external_id) = if conversation.channel == EMAIL {
        let domain = app.settings().mail_from.email.domain().to_string();
        (
            Delivery::EmailReply,
            Some(format!("{}@{domain}", kept_domain::new_id())),
        )
    } else {
        (Delivery::Channel, None)
    };
    app.store
        .record_reply(NewReply {
            conversation_id: conversation.id.clone(),
            staff_id: staff.id.clone(),
            text: text.to_string(),
            now: app.clock.now(),
            external_id,
            deliver_via,
            promised: super::commitments::promised_in(app, text, choices),
        })
        .await?;
    app.announce(Change::Conversations);
    app.announce(Change::Promises);
    app.store.conversation(conversation_id).await?.ok_or(AppError::NotFound)
}

/// Sends a reply again that kept had given up on (the address was fixed, the mail server is
/// back). Any staff member may: it is their customer waiting.
pub async fn retry_reply(app: &App, _staff: &Staff, outbox_id: i64) -> Result<(), AppError> {
    app.store.retry_reply(outbox_id, app.clock.now()).await?;
    app.announce(Change::Conversations);
    Ok(())
}

/// Whether kept can send a reply on `channel`: e-mail needs an SMTP server, any other channel
/// its webhook.
pub fn can_send(settings: &Settings, channel: &str) -> bool {
    if channel == EMAIL {
        settings.smtp_url.is_some()
    } else {
        settings.channel_webhooks.contains_key(channel)
    }
}

/// The channel name of e-mail conversations.
pub const EMAIL: &str = "email";

/// Where a raw e-mail came from; unreadable mail is labelled with it for the human who looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSource {
    Http,
    Imap,
}

impl MailSource {
    fn as_str(self) -> &'static str {
        match self {
            MailSource::Http => "http",
            MailSource::Imap => "imap",
        }
    }
}

/// What became of a raw e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EmailAccepted {
    /// A message on the sender's conversation.
    Stored(InboundRecorded),
    /// Kept raw for a human: kept could not read it.
    Flagged {
        id: String,
        reason: String,
        duplicate: bool,
    },
}

/// How much of an over-large message is kept for the human who looks at it (the headers, the start).
const KEPT_OF_OVERSIZED: usize = 256 * 1024;

/// Stores a raw e-mail as a message on the sender's e-mail conversation (threaded by its
/// headers); automatic mail (auto-replies, bounces) is kept without a promise to answer, and
/// mail that cannot be read is stored raw and flagged rather than dropped.
pub async fn accept_email(app: &App, raw: &[u8], source: MailSource) -> Result<EmailAccepted, AppError> {
    if raw.len() > MAX_RAW_EMAIL_BYTES {
        return flag_email(
            app,
            raw,
            &raw[..KEPT_OF_OVERSIZED],
            source,
            "the message is larger than 25 MB",
        )
        .await;
    }
    let parsed = match inbound_email::parse(raw) {
        Ok(parsed) => parsed,
        Err(error) => return flag_email(app, raw, raw, source, &error.to_string()).await,
    };
    let now = app.clock.now();
    let limit = app.settings().max_attachment_bytes;
    let attachments = parsed
        .attachments
        .into_iter()
        .map(|a| NewAttachment {
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: i64::try_from(a.data.len()).unwrap_or(i64::MAX),
            data: (a.data.len() <= limit).then_some(a.data),
        })
        .collect();
    let message = NewInbound {
        channel: EMAIL.into(),
        external_id: parsed.message_id,
        handle: format!("{EMAIL}:{}", parsed.from_address),
        name: parsed.from_name,
        text: parsed.text,
        subject: parsed.subject,
        thread: parsed.thread,
        needs_reply: !parsed.automatic,
        sent_at: now,
        frustration: 0,
        reply_due: now,
        now,
        fanout: app.fanout(),
        attachments,
    };
    match record_inbound(app, message).await {
        Ok(recorded) => Ok(EmailAccepted::Stored(recorded)),
        // The database refused it: kept raw for a human rather than lost.
        Err(AppError::Internal(detail)) => {
            flag_email(
                app,
                raw,
                raw,
                source,
                &format!("the message could not be stored: {detail}"),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

async fn flag_email(
    app: &App,
    raw: &[u8],
    kept: &[u8],
    source: MailSource,
    reason: &str,
) -> Result<EmailAccepted, AppError> {
    tracing::warn!(
        source = source.as_str(),
        reason,
        "an e-mail could not be read; stored raw for a human"
    );
    let (id, new) = app
        .store
        .record_unreadable_mail(NewUnreadableMail {
            fingerprint: inbound_email::fingerprint(raw),
            source: source.as_str().into(),
            reason: reason.into(),
            raw: kept.to_vec(),
            now: app.clock.now(),
        })
        .await?;
    app.announce(Change::UnreadableMail);
    Ok(EmailAccepted::Flagged {
        id,
        reason: reason.into(),
        duplicate: !new,
    })
}

/// Assigns, tags or changes the status of a conversation (an open reply promise follows an
/// assignment and is cancelled when the conversation is resolved).
pub async fn change_conversation(
    app: &App,
    staff: &Staff,
    id: &str,
    change: ConversationChange,
) -> Result<ConversationView, AppError> {
    if let ConversationChange::Assign { staff_id } = &change
        && !super::staff::is_on_the_team(app, staff_id).await?
    {
        return Err(AppError::invalid(
            "assign_to",
            "unknown_staff",
            "choose someone on the team",
        ));
    }
    let view = app
        .store
        .change_conversation(id, change, &staff.id, app.clock.now())
        .await?;
    app.announce(Change::Conversations);
    Ok(view)
}

/// The longest tag.
pub const MAX_TAG_CHARS: usize = 40;

/// Tags as kept stores them: single spaces, lower case, 1 to 40 characters.
pub fn clean_tags(field: &'static str, tags: &[String]) -> Result<Vec<String>, AppError> {
    tags.iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
        .map(|t| match t.chars().count() {
            1..=MAX_TAG_CHARS if !t.chars().any(char::is_control) => Ok(t),
            _ => Err(AppError::invalid(field, "invalid_tag", "a tag has 1 to 40 characters")),
        })
        .collect()
}

/// Resolving a conversation whose customer still waits for an answer needs `confirmed`:
/// the open reply promise then ends as broken when late, cancelled when not yet due.
async fn check_resolve(app: &App, id: &str, change: &ConversationChange, confirmed: bool) -> Result<(), AppError> {
    if confirmed || !matches!(change, ConversationChange::Status(ConversationStatus::Resolved)) {
        return Ok(());
    }
    let view = app.store.conversation(id).await?.ok_or(AppError::NotFound)?;
    if view.promise_status == Some(kept_domain::PromiseStatus::Open) {
        return Err(AppError::invalid(
            "confirm",
            "resolve_not_confirmed",
            "the customer is still waiting for an answer",
        ));
    }
    Ok(())
}

/// A change staff make on a page: resolving one whose customer still waits needs `confirmed`.
pub async fn change_confirmed(
    app: &App,
    staff: &Staff,
    id: &str,
    change: ConversationChange,
    confirmed: bool,
) -> Result<ConversationView, AppError> {
    check_resolve(app, id, &change, confirmed).await?;
    change_conversation(app, staff, id, change).await
}

/// The same change for each of `ids` (the inbox's bulk actions). Every conversation is checked
/// first, so a refusal (say, an unconfirmed resolve) changes none of them.
pub async fn change_conversations(
    app: &App,
    staff: &Staff,
    ids: &[String],
    change: ConversationChange,
    confirmed: bool,
) -> Result<usize, AppError> {
    if ids.is_empty() {
        return Err(AppError::invalid(
            "ids",
            "none_chosen",
            "tick one or more conversations first",
        ));
    }
    for id in ids {
        check_resolve(app, id, &change, confirmed).await?;
    }
    for id in ids {
        change_conversation(app, staff, id, change.clone()).await?;
    }
    Ok(ids.len())
}

/// Takes a message kept could not read off the list once a person has looked at it.
pub async fn mark_unreadable_handled(app: &App, staff: &Staff, id: &str) -> Result<(), AppError> {
    app.store
        .mark_unreadable_handled(id, &staff.id, app.clock.now())
        .await?;
    app.announce(Change::UnreadableMail);
    Ok(())
}
