//! The application's use cases, shared by the web pages and the API: each validates, asks the
//! domain for times, writes through the store and wakes the workers.

use chrono::Duration;
use kept_domain::conversation::{InboundInput, MAX_MESSAGE_BYTES, first_response_minutes};
use kept_domain::{CallOutcome, CallbackInput, FieldError, Lang};
use kept_store::{
    CallbackView, ConversationView, InboundRecorded, NewCallback, NewInbound, NewOutcome, NewReply, Staff,
};

use crate::error::AppError;
use crate::inbound_email;
use crate::state::AppState;

const MAX_OUTCOME_NOTE_CHARS: usize = 2000;

pub struct Accepted {
    pub callback: CallbackView,
    /// "We bellen u vandaag vóór 11:30." in the customer's language.
    pub confirmation: String,
}

/// Validates and stores a callback request; returns once it is committed.
pub async fn accept_callback(
    state: &AppState,
    input: &CallbackInput,
    fallback_lang: Lang,
) -> Result<Accepted, AppError> {
    let business = &state.settings.business;
    let valid = input
        .validate(&business.windows, &business.default_region, fallback_lang)
        .map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let window = valid.window.schedule(&business.hours, now);
    let callback = state
        .store
        .create_callback(NewCallback {
            phone: valid.phone,
            name: valid.name,
            window_code: valid.window.code.clone(),
            note: valid.note,
            lang: valid.lang,
            not_before: window.not_before,
            due_at: window.due_at,
            now,
            fanout: state.fanout(),
        })
        .await?;
    state.announce();
    let confirmation = valid.lang.call_promise_sentence(window, now, business.time_zone());
    Ok(Accepted { callback, confirmation })
}

/// Records what happened on a call; nobody answering schedules a retry promise.
pub async fn record_outcome(
    state: &AppState,
    staff: &Staff,
    callback_id: &str,
    outcome: CallOutcome,
    note: Option<String>,
) -> Result<CallbackView, AppError> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_OUTCOME_NOTE_CHARS)
    {
        return Err(AppError::Invalid(vec![FieldError {
            field: "note",
            code: "too_long",
            message: format!("The note may be at most {MAX_OUTCOME_NOTE_CHARS} characters."),
        }]));
    }
    let now = state.clock.now();
    let settings = &state.settings;
    let retry_due = outcome.schedules_retry().then(|| {
        settings
            .business
            .hours
            .add_business_minutes(now, settings.retry_after_minutes)
            .unwrap_or(now + Duration::minutes(settings.retry_after_minutes))
    });
    let view = state
        .store
        .record_outcome(NewOutcome {
            callback_id: callback_id.to_string(),
            staff_id: staff.id.clone(),
            outcome,
            note,
            now,
            retry_due,
            fanout: state.fanout(),
        })
        .await?;
    state.announce();
    Ok(view)
}

/// Stores a message from a social or chat channel; a new question gets a reply promise due
/// after the channel's first-response target in opening hours.
pub async fn accept_inbound(state: &AppState, input: &InboundInput) -> Result<InboundRecorded, AppError> {
    let now = state.clock.now();
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
        fanout: state.fanout(),
    };
    record_inbound(state, message).await
}

/// Works out when the answer is due (the channel's target in opening hours) and how frustrated
/// the writer is, then stores the message.
async fn record_inbound(state: &AppState, mut message: NewInbound) -> Result<InboundRecorded, AppError> {
    let settings = &state.settings;
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
    let recorded = state.store.record_inbound(message).await?;
    state.announce();
    Ok(recorded)
}

/// A staff reply on a conversation: stored, sent on through the channel's webhook, and the
/// reply promise kept.
pub async fn reply(
    state: &AppState,
    staff: &Staff,
    conversation_id: &str,
    text: &str,
) -> Result<ConversationView, AppError> {
    if text.trim().is_empty() || text.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::Invalid(vec![FieldError {
            field: "text",
            code: "unusable_text",
            message: "text must be between 1 byte and 100 KB".into(),
        }]));
    }
    let conversation = state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (deliver_via, external_id) = if conversation.channel == EMAIL {
        if state.mailer.is_none() {
            return Err(AppError::Conflict(
                "kept cannot send e-mail: set smtp_url in kept.toml".into(),
            ));
        }
        let domain = state.settings.mail_from.email.domain().to_string();
        ("email_reply", Some(format!("{}@{domain}", kept_domain::new_id())))
    } else if state.settings.channel_webhooks.contains_key(&conversation.channel) {
        ("channel", None)
    } else {
        return Err(AppError::Conflict(format!(
            "kept cannot send on channel '{0}': set channel_webhooks.{0} in kept.toml",
            conversation.channel
        )));
    };
    state
        .store
        .record_reply(NewReply {
            conversation_id: conversation.id.clone(),
            staff_id: staff.id.clone(),
            text: text.to_string(),
            now: state.clock.now(),
            external_id,
            deliver_via,
        })
        .await?;
    state.announce();
    state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The channel name of e-mail conversations.
pub const EMAIL: &str = "email";

/// Raw messages larger than this are refused (attachments are not kept yet).
const MAX_RAW_EMAIL_BYTES: usize = 10 * 1024 * 1024;

/// Stores a raw e-mail as a message on the sender's e-mail conversation (threaded by its
/// headers); automatic mail (auto-replies, bounces) is kept without a promise to answer.
pub async fn accept_email(state: &AppState, raw: &[u8]) -> Result<InboundRecorded, AppError> {
    let refuse = |code, message: String| {
        AppError::Invalid(vec![FieldError {
            field: "body",
            code,
            message,
        }])
    };
    if raw.len() > MAX_RAW_EMAIL_BYTES {
        return Err(refuse("too_large", "the message is larger than 10 MB".into()));
    }
    let parsed = inbound_email::parse(raw).map_err(|e| refuse("invalid_email", e.to_string()))?;
    let now = state.clock.now();
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
        fanout: state.fanout(),
    };
    record_inbound(state, message).await
}
