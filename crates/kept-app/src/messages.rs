//! Messages from customers on every channel (chat, social, e-mail over HTTP and IMAP) and
//! staff replies to them.

use chrono::Duration;
use kept_domain::Delivery;
use kept_domain::conversation::{ConversationStatus, InboundInput, MAX_MESSAGE_BYTES, first_response_minutes};
use kept_store::{
    ConversationChange, ConversationView, FollowUpView, InboundRecorded, NewInbound, NewReply, ReplyTemplate, Staff,
};

use crate::Settings;
use crate::error::AppError;
use crate::{App, Change};

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
    // The mood of what the customer wrote now, not of the history they quote.
    let fresh = kept_domain::quoted::split_quoted(&message.text).fresh;
    message.frustration = (kept_tone::mood(fresh, None).frustration * 100.0).round() as i64;
    message
}

pub(super) async fn record_inbound(app: &App, message: NewInbound) -> Result<InboundRecorded, AppError> {
    // Reading the mood is CPU work (bounded to the text's start): on the blocking pool, so that
    // a long message never holds up the threads that answer requests.
    let settings = app.settings();
    let message = tokio::task::spawn_blocking(move || with_due_time_and_mood(&settings, message))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
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
    choices: &crate::CommitmentChoices,
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
    let promised = crate::commitments::promised_in(app, text, choices)?;
    app.store
        .record_reply(NewReply {
            conversation_id: conversation.id.clone(),
            staff_id: staff.id.clone(),
            text: crate::commitments::normalise_line_breaks(text),
            now: app.clock.now(),
            external_id,
            deliver_via,
            promised,
            subject: None,
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

/// Assigns, tags or changes the status of a conversation (an open reply promise follows an
/// assignment and is cancelled when the conversation is resolved).
pub async fn change_conversation(
    app: &App,
    staff: &Staff,
    id: &str,
    change: ConversationChange,
) -> Result<ConversationView, AppError> {
    if let ConversationChange::Assign { staff_id } = &change
        && !crate::staff::is_on_the_team(app, staff_id).await?
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

// The inbox and a conversation as staff read them.

/// A page of the conversations matching `filter` (`limit` rows): those waiting for us
/// frustrated customers first, then the soonest due; the others the most recently active first.
pub async fn conversations(
    app: &App,
    filter: &kept_store::ConversationFilter,
    page: &kept_store::ListPage,
    limit: i64,
) -> Result<kept_store::ConversationPage, AppError> {
    Ok(app.store.list_conversations(filter, page, limit).await?)
}

/// Which of `ids` have messages `staff_id` has not read yet.
pub async fn unread_among(
    app: &App,
    staff_id: &str,
    ids: &[&str],
) -> Result<std::collections::HashSet<String>, AppError> {
    Ok(app.store.unread_among(staff_id, ids).await?.into_iter().collect())
}

/// What a conversation's page shows: the conversation, the saved replies to pick from, the
/// team to assign it to and the customer's open follow-ups.
pub struct ConversationRecord {
    pub conversation: ConversationView,
    pub templates: Vec<ReplyTemplate>,
    pub team: Vec<Staff>,
    pub open_follow_ups: Vec<FollowUpView>,
}

/// A conversation with what its page needs beside it; `NotFound` when there is none.
pub async fn conversation_record(app: &App, id: &str) -> Result<ConversationRecord, AppError> {
    let conversation = app.store.conversation(id).await?.ok_or(AppError::NotFound)?;
    let mut open_follow_ups = app.store.customer_follow_ups(&conversation.customer_id).await?;
    open_follow_ups.retain(|f| f.promise_status == kept_domain::PromiseStatus::Open);
    Ok(ConversationRecord {
        templates: app.store.reply_templates().await?,
        team: app.store.list_staff().await?,
        open_follow_ups,
        conversation,
    })
}

/// One conversation with its messages.
pub async fn conversation(app: &App, id: &str) -> Result<Option<ConversationView>, AppError> {
    Ok(app.store.conversation(id).await?)
}

/// `staff_id` has read what came in on the conversation so far. Written only when something
/// was unread: opening a conversation is a read, and twenty agents reopening theirs would
/// otherwise queue on the one writer (p99 of the page 200 ms at 300k messages).
pub async fn mark_read(app: &App, conversation_id: &str, staff_id: &str) -> Result<(), AppError> {
    if app.store.unread_among(staff_id, &[conversation_id]).await?.is_empty() {
        return Ok(());
    }
    app.store.mark_read(conversation_id, staff_id, app.clock.now()).await?;
    Ok(())
}

/// The channels and tags the inbox can be filtered by.
pub async fn inbox_choices(app: &App) -> Result<kept_store::InboxChoices, AppError> {
    Ok(app.store.inbox_choices().await?)
}

/// Replies that did not reach the customer, newest first.
pub async fn failed_replies(app: &App, limit: i64) -> Result<Vec<kept_store::FailedReply>, AppError> {
    Ok(app.store.failed_replies(limit).await?)
}

/// Mail kept could not read (the handled ones too when asked).
pub async fn unreadable_mail(app: &App, include_handled: bool) -> Result<Vec<kept_store::UnreadableMail>, AppError> {
    Ok(app.store.unreadable_mail(include_handled).await?)
}

/// An unreadable mail exactly as it came in.
pub async fn unreadable_raw(app: &App, id: &str) -> Result<Option<Vec<u8>>, AppError> {
    Ok(app.store.unreadable_raw(id).await?)
}

/// An attachment and its bytes (`None` when it was over the limit and only its name was kept).
pub async fn attachment(
    app: &App,
    id: &str,
) -> Result<Option<(kept_store::AttachmentInfo, Option<Vec<u8>>)>, AppError> {
    Ok(app.store.attachment(id).await?)
}
