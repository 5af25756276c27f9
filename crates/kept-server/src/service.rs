//! The application's use cases, shared by the web pages and the API: each validates, asks the
//! domain for times, writes through the store and wakes the workers.

use chrono::Duration;
use kept_domain::conversation::{InboundInput, MAX_MESSAGE_BYTES, first_response_minutes};
use kept_domain::{CallOutcome, CallbackInput, FieldError, Lang};
use kept_store::{
    CallbackView, ConversationView, InboundRecorded, NewCallback, NewInbound, NewOutcome, NewReply, Staff,
};

use crate::error::AppError;
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
    let settings = &state.settings;
    let minutes = first_response_minutes(
        &valid.channel,
        &settings.first_response_minutes,
        settings.default_first_response_minutes,
    );
    let reply_due = settings
        .business
        .hours
        .add_business_minutes(now, minutes)
        .unwrap_or(now + Duration::minutes(minutes));
    let frustration = (kept_tone::mood(&valid.text, None).frustration * 100.0).round() as i64;
    let recorded = state
        .store
        .record_inbound(NewInbound {
            channel: valid.channel,
            external_id: valid.external_id,
            handle: valid.handle,
            name: valid.name,
            text: valid.text,
            sent_at: valid.sent_at,
            frustration,
            reply_due,
            now,
            fanout: state.fanout(),
        })
        .await?;
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
    if !state.settings.channel_webhooks.contains_key(&conversation.channel) {
        return Err(AppError::Conflict(format!(
            "kept cannot send on channel '{0}': set channel_webhooks.{0} in kept.toml",
            conversation.channel
        )));
    }
    state
        .store
        .record_reply(NewReply {
            conversation_id: conversation.id.clone(),
            staff_id: staff.id.clone(),
            text: text.to_string(),
            now: state.clock.now(),
            deliver: true,
        })
        .await?;
    state.announce();
    state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)
}
