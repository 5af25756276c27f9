//! The application's use cases, shared by the web pages and the API: each validates, asks the
//! domain for times, writes through the store and wakes the workers.

use chrono::{DateTime, Duration, Utc};
use kept_domain::conversation::{Direction, InboundInput, MAX_MESSAGE_BYTES, first_response_minutes};
use kept_domain::staff::OwnerOnly;
use kept_domain::{CallOutcome, CallbackInput, Closing, Delivery, FieldError, Lang};
use kept_store::{
    CallbackView, ConversationChange, ConversationView, CustomerExport, CustomerView, Erasure, FollowUpView,
    InboundRecorded, NewAttachment, NewCallback, NewFollowUp, NewInbound, NewOutcome, NewRecord, NewReply,
    NewUnreadableMail, ReplyTemplate, Staff,
};
use serde::Serialize;

use crate::Settings;
use crate::config::MAX_RAW_EMAIL_BYTES;
use crate::error::AppError;
use crate::inbound_email;
use crate::state::{AppState, Change};
use crate::templates::{self, MergeFields};

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
    state.announce(Change::Callbacks).await;
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
    state.announce(Change::Callbacks).await;
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
        attachments: Vec::new(),
    };
    record_inbound(state, message).await
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

async fn record_inbound(state: &AppState, message: NewInbound) -> Result<InboundRecorded, AppError> {
    let message = with_due_time_and_mood(&state.settings, message);
    let recorded = state.store.record_inbound(message).await?;
    state.announce(Change::Conversations).await;
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
        (
            Delivery::EmailReply,
            Some(format!("{}@{domain}", kept_domain::new_id())),
        )
    } else if state.settings.channel_webhooks.contains_key(&conversation.channel) {
        (Delivery::Channel, None)
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
    state.announce(Change::Conversations).await;
    state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)
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
pub async fn accept_email(state: &AppState, raw: &[u8], source: MailSource) -> Result<EmailAccepted, AppError> {
    if raw.len() > MAX_RAW_EMAIL_BYTES {
        return flag_email(
            state,
            raw,
            &raw[..KEPT_OF_OVERSIZED],
            source,
            "the message is larger than 25 MB",
        )
        .await;
    }
    let parsed = match inbound_email::parse(raw) {
        Ok(parsed) => parsed,
        Err(error) => return flag_email(state, raw, raw, source, &error.to_string()).await,
    };
    let now = state.clock.now();
    let limit = state.settings.max_attachment_bytes;
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
        fanout: state.fanout(),
        attachments,
    };
    Ok(EmailAccepted::Stored(record_inbound(state, message).await?))
}

async fn flag_email(
    state: &AppState,
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
    let (id, new) = state
        .store
        .record_unreadable_mail(NewUnreadableMail {
            fingerprint: inbound_email::fingerprint(raw),
            source: source.as_str().into(),
            reason: reason.into(),
            raw: kept.to_vec(),
            now: state.clock.now(),
        })
        .await?;
    state.announce(Change::UnreadableMail).await;
    Ok(EmailAccepted::Flagged {
        id,
        reason: reason.into(),
        duplicate: !new,
    })
}

/// A saved reply filled in for a conversation: the customer's name, the staff member's, the
/// business's and the open promise's due time, in the language the customer writes in.
pub async fn draft_reply(
    state: &AppState,
    staff: &Staff,
    conversation_id: &str,
    template_id: &str,
) -> Result<String, AppError> {
    let conversation = state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let templates = state.store.reply_templates().await?;
    let template = templates
        .iter()
        .find(|t| t.id == template_id)
        .ok_or(AppError::NotFound)?;
    let last_inbound = conversation
        .messages
        .iter()
        .rev()
        .find(|m| m.direction == Direction::Inbound);
    let lang = last_inbound.map_or(staff.lang, |m| kept_tone::detect_language(&m.body));
    let fields = MergeFields {
        customer_name: conversation.customer_name.as_deref(),
        staff_name: &staff.name,
        business_name: &state.settings.business.name,
        promise_due: conversation.due_at,
        lang,
        now: state.clock.now(),
        time_zone: state.settings.business.time_zone(),
    };
    templates::render(&template.body, &fields)
        .map_err(|e| AppError::Conflict(format!("the template cannot be used: {e}")))
}

/// Saves a reply template after checking that it renders.
pub async fn save_template(state: &AppState, name: &str, body: &str) -> Result<ReplyTemplate, AppError> {
    let name = name.trim();
    let refuse = |field, code, message: String| AppError::Invalid(vec![FieldError { field, code, message }]);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(refuse(
            "name",
            "invalid_name",
            "give the template a name of 1 to 80 characters".into(),
        ));
    }
    if body.trim().is_empty() || body.len() > templates::MAX_TEMPLATE_BYTES {
        return Err(refuse(
            "body",
            "invalid_body",
            "the text must be between 1 and 20,000 bytes".into(),
        ));
    }
    templates::validate(body).map_err(|e| refuse("body", "template_error", e.to_string()))?;
    Ok(state.store.save_reply_template(name, body, state.clock.now()).await?)
}

const MAX_RECORD_CHARS: usize = 10_000;

fn record_text(text: &str, field: &'static str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_RECORD_CHARS {
        return Err(AppError::Invalid(vec![FieldError {
            field,
            code: "unusable_text",
            message: "must be between 1 and 10,000 characters".into(),
        }]));
    }
    Ok(text.to_string())
}

/// An internal note on a customer (and optionally one of their conversations).
pub async fn add_note(
    state: &AppState,
    staff: &Staff,
    customer_id: &str,
    conversation_id: Option<String>,
    text: &str,
) -> Result<String, AppError> {
    let record = NewRecord::Note {
        conversation_id,
        text: record_text(text, "text")?,
    };
    add_record(state, staff, customer_id, record).await
}

/// A phone call staff had with the customer.
pub async fn log_call(
    state: &AppState,
    staff: &Staff,
    customer_id: &str,
    direction: Direction,
    summary: &str,
) -> Result<String, AppError> {
    let record = NewRecord::Call {
        direction,
        summary: record_text(summary, "summary")?,
    };
    add_record(state, staff, customer_id, record).await
}

async fn add_record(state: &AppState, staff: &Staff, customer_id: &str, record: NewRecord) -> Result<String, AppError> {
    let id = state
        .store
        .add_record(customer_id, &staff.id, record, state.clock.now())
        .await?;
    state.announce(Change::Customers).await;
    Ok(id)
}

/// Refuses what only owners may do, before anything is validated or written. Every owner-only
/// use case below starts here; the handlers never check roles themselves.
pub fn authorize(staff: &Staff, action: OwnerOnly) -> Result<(), AppError> {
    if staff.role.may(action) {
        Ok(())
    } else {
        Err(AppError::OwnerOnly)
    }
}

fn refuse(field: &'static str, code: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError {
        field,
        code,
        message: message.into(),
    }])
}

/// Moves everything of customer `from` to `into` (owner only).
pub async fn merge_customers(
    state: &AppState,
    staff: &Staff,
    into: &str,
    from: &str,
) -> Result<CustomerView, AppError> {
    authorize(staff, OwnerOnly::MergeCustomers)?;
    let merged = state.store.merge_customers(into, from).await?;
    state.announce(Change::Customers).await;
    Ok(merged)
}

/// Removes a saved reply (owner only: the whole team uses them).
pub async fn delete_template(state: &AppState, staff: &Staff, id: &str) -> Result<(), AppError> {
    authorize(staff, OwnerOnly::DeleteSavedReply)?;
    Ok(state.store.delete_reply_template(id).await?)
}

/// Marks `staff_id` away with `delegate` standing in (their open promises move along), or
/// back with `None`. Anyone may mark themselves; marking someone else is for owners.
pub async fn set_away(state: &AppState, actor: &Staff, staff_id: &str, delegate: Option<&str>) -> Result<(), AppError> {
    if staff_id != actor.id {
        authorize(actor, OwnerOnly::MarkOthersAway)?;
    }
    if let Some(delegate) = delegate {
        if delegate == staff_id {
            return Err(refuse("delegate", "own_delegate", "nobody can stand in for themselves"));
        }
        if state.store.staff_by_id(delegate).await?.is_none() {
            return Err(refuse("delegate", "unknown_staff", "choose a stand-in from the team"));
        }
    }
    state.store.set_away(staff_id, delegate, state.clock.now()).await?;
    state.announce(Change::Team).await;
    Ok(())
}

/// Everything kept holds about a customer, for their access request (owner only).
pub async fn export_customer(state: &AppState, staff: &Staff, id: &str) -> Result<CustomerExport, AppError> {
    authorize(staff, OwnerOnly::ExportCustomer)?;
    tracing::info!(customer = id, by = %staff.id, "customer data exported");
    Ok(state.store.export_customer(id, state.clock.now()).await?)
}

const MAX_REASON_CHARS: usize = 500;

/// Erases a customer at their request (owner only): everything about them goes, an anonymous
/// record of the erasure stays.
pub async fn erase_customer(state: &AppState, staff: &Staff, id: &str, reason: &str) -> Result<Erasure, AppError> {
    authorize(staff, OwnerOnly::EraseCustomer)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(refuse(
            "reason",
            "reason_required",
            "say why the data is erased (for example: the customer asked for it), in at most 500 characters",
        ));
    }
    let erasure = state
        .store
        .erase_customer(id, &staff.id, reason, state.clock.now())
        .await?;
    state.announce(Change::Customers).await;
    Ok(erasure)
}

const MAX_FOLLOW_UP_CHARS: usize = 1000;

/// Records a promise a staff member made to a customer in their own words; it is tracked
/// like every promise (reminder before it is due, escalation when it slips).
pub async fn add_follow_up(
    state: &AppState,
    staff: &Staff,
    customer_id: &str,
    text: &str,
    due_at: DateTime<Utc>,
    owner_id: Option<&str>,
) -> Result<FollowUpView, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_FOLLOW_UP_CHARS {
        return Err(refuse(
            "text",
            "unusable_text",
            "say what was promised, in at most 1,000 characters",
        ));
    }
    let now = state.clock.now();
    if due_at <= now {
        return Err(refuse("due_at", "in_the_past", "the promise must be due in the future"));
    }
    let owner = match owner_id.filter(|o| !o.is_empty()) {
        Some(owner) => {
            state
                .store
                .staff_by_id(owner)
                .await?
                .ok_or_else(|| refuse("owner_id", "unknown_staff", "choose someone from the team"))?
                .id
        }
        None => staff.id.clone(),
    };
    let follow_up = state
        .store
        .create_follow_up(NewFollowUp {
            customer_id: customer_id.to_string(),
            staff_id: staff.id.clone(),
            owner_id: owner,
            text: text.to_string(),
            due_at,
            now,
        })
        .await?;
    state.announce(Change::Customers).await;
    Ok(follow_up)
}

/// Done (kept, or broken when late) or withdrawn.
pub async fn close_follow_up(
    state: &AppState,
    staff: &Staff,
    id: &str,
    closing: Closing,
) -> Result<FollowUpView, AppError> {
    let closed = state
        .store
        .close_follow_up(id, closing, &staff.id, state.clock.now())
        .await?;
    state.announce(Change::Customers).await;
    Ok(closed)
}

/// Assigns, tags or changes the status of a conversation (an open reply promise follows an
/// assignment and is cancelled when the conversation is resolved).
pub async fn change_conversation(
    state: &AppState,
    staff: &Staff,
    id: &str,
    change: ConversationChange,
) -> Result<ConversationView, AppError> {
    let view = state
        .store
        .change_conversation(id, change, &staff.id, state.clock.now())
        .await?;
    state.announce(Change::Conversations).await;
    Ok(view)
}

/// Takes a message kept could not read off the list once a person has looked at it.
pub async fn mark_unreadable_handled(state: &AppState, staff: &Staff, id: &str) -> Result<(), AppError> {
    state
        .store
        .mark_unreadable_handled(id, &staff.id, state.clock.now())
        .await?;
    state.announce(Change::UnreadableMail).await;
    Ok(())
}
