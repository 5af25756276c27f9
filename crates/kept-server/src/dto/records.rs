//! The JSON shapes of conversations, customers and the records around them: what the API
//! answers and the webhook carries, with their schemas in the OpenAPI document. The store's
//! views stay free to change; these change only with the API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kept_app::records::{
    AttachmentInfo, ConversationView, CustomerExport, CustomerView, Erasure, FollowUpView, InboundRecorded,
    MessageView, ReplyDelivery, ReplyTemplate, TimelineEntry, UnreadableMail,
};
use kept_domain::PromiseStatus;
use kept_domain::conversation::{ConversationStatus, Direction};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// False when the file was larger than the limit: its name and size are on record only.
    pub kept: bool,
}

impl From<&AttachmentInfo> for AttachmentJson {
    fn from(a: &AttachmentInfo) -> Self {
        Self {
            id: a.id.clone(),
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            kept: a.kept,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageJson {
    pub id: String,
    #[schema(value_type = String, example = "inbound")]
    pub direction: Direction,
    pub channel: String,
    /// The channel's own id (an e-mail's Message-ID, a tweet's id).
    pub external_id: Option<String>,
    pub staff_name: Option<String>,
    pub subject: Option<String>,
    /// What was written: for an e-mail reply, without the history it quotes.
    pub body: String,
    /// The quoted history (and signature) under an e-mail reply, folded away on the page;
    /// `null` when there is none. `body` and `quoted` together are the message as received.
    pub quoted: Option<String>,
    /// 0–100 for messages from customers.
    pub frustration: Option<i64>,
    pub sent_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentJson>,
    /// Staff replies: whether it reached the customer. The reply promise is kept only then.
    pub delivery: Option<DeliveryJson>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryJson {
    /// sending (queued, or retried after a temporary failure), sent, not_sent (given up), or
    /// bounced (sent, then returned by the customer's mail server).
    pub status: String,
    /// Why it was not sent, or why it came back.
    pub reason: Option<String>,
}

impl From<&ReplyDelivery> for DeliveryJson {
    fn from(delivery: &ReplyDelivery) -> Self {
        let (status, reason) = match delivery {
            ReplyDelivery::Sending => ("sending", None),
            ReplyDelivery::Sent => ("sent", None),
            ReplyDelivery::NotSent { reason, .. } => ("not_sent", Some(reason.clone())),
            ReplyDelivery::Bounced { reason, .. } => ("bounced", Some(reason.clone())),
        };
        DeliveryJson {
            status: status.to_string(),
            reason,
        }
    }
}

impl From<&MessageView> for MessageJson {
    fn from(m: &MessageView) -> Self {
        let split = kept_domain::quoted::split_quoted(&m.body);
        Self {
            id: m.id.clone(),
            direction: m.direction,
            channel: m.channel.clone(),
            external_id: m.external_id.clone(),
            staff_name: m.staff_name.clone(),
            subject: m.subject.clone(),
            body: split.fresh.to_string(),
            quoted: split.quoted().map(str::to_string),
            frustration: m.frustration,
            sent_at: m.sent_at,
            attachments: m.attachments.iter().map(AttachmentJson::from).collect(),
            delivery: m.delivery.as_ref().map(DeliveryJson::from),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationJson {
    pub id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub channel: String,
    #[schema(value_type = String, example = "open")]
    pub status: ConversationStatus,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    /// The open reply promise, if any.
    pub promise_id: Option<String>,
    #[schema(value_type = Option<String>, example = "open")]
    pub promise_status: Option<PromiseStatus>,
    pub due_at: Option<DateTime<Utc>>,
    /// The highest frustration (0–100) of the customer's messages in it.
    pub frustration: i64,
    /// The customer's handle on this channel ("@jan"), where known.
    pub handle: Option<String>,
    pub tags: Vec<String>,
    pub updated_at: DateTime<Utc>,
    /// Oldest first; empty in lists.
    /// The first e-mail subject in it, if any.
    pub subject: Option<String>,
    /// The start of the latest message (up to 300 characters).
    pub preview: Option<String>,
    /// Who wrote the latest message: customer or staff.
    pub last_from: Option<String>,
    /// Whether a customer message came in since the asking staff member last opened it
    /// (left out in webhooks, which nobody in particular reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    /// The customer's own page of this conversation (`GET /api/v1/conversations/{id}` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    pub messages: Vec<MessageJson>,
}

impl From<&ConversationView> for ConversationJson {
    fn from(c: &ConversationView) -> Self {
        Self {
            id: c.id.clone(),
            customer_id: c.customer_id.clone(),
            customer_name: c.customer_name.clone(),
            channel: c.channel.clone(),
            status: c.status,
            assignee_id: c.assignee_id.clone(),
            assignee_name: c.assignee_name.clone(),
            promise_id: c.promise_id.clone(),
            promise_status: c.promise_status,
            due_at: c.due_at,
            frustration: c.frustration,
            handle: c.handle.clone(),
            tags: c.tags.clone(),
            updated_at: c.updated_at,
            subject: c.subject.clone(),
            preview: c.last_message.clone(),
            last_from: c
                .last_from_customer
                .map(|customer| if customer { "customer" } else { "staff" }.to_string()),
            unread: None,
            status_url: None,
            messages: c.messages.iter().map(MessageJson::from).collect(),
        }
    }
}

impl ConversationJson {
    /// As a webhook carries it: each message cut after its first [`WEBHOOK_TEXT_CHARS`]
    /// characters (a receiver gets the whole conversation, not a 25 MB body; the API has all).
    pub fn for_webhook(c: &ConversationView) -> Self {
        let mut json = Self::from(c);
        for message in &mut json.messages {
            cut(&mut message.body);
            if let Some(quoted) = message.quoted.as_mut() {
                cut(quoted);
            }
        }
        json
    }
}

/// How much of each message a webhook carries.
pub const WEBHOOK_TEXT_CHARS: usize = kept_domain::search::INDEXED_CHARS;

fn cut(text: &mut String) {
    if let Some((end, _)) = text.char_indices().nth(WEBHOOK_TEXT_CHARS) {
        text.truncate(end);
        text.push_str(" …");
    }
}

/// A stored message: where it went and the promise to answer it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageAccepted {
    pub message_id: String,
    pub conversation_id: String,
    pub customer_id: String,
    /// The conversation's open reply promise (none for auto-replies and bounces).
    pub promise_id: Option<String>,
    /// True when this message had been stored before (same channel and external id).
    pub duplicate: bool,
}

impl From<&InboundRecorded> for MessageAccepted {
    fn from(r: &InboundRecorded) -> Self {
        Self {
            message_id: r.message_id.clone(),
            conversation_id: r.conversation_id.clone(),
            customer_id: r.customer_id.clone(),
            promise_id: r.promise_id.clone(),
            duplicate: r.duplicate,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerJson {
    pub id: String,
    pub name: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// "email:jan@example.nl", "twitter:@jan", …
    pub handles: Vec<String>,
    /// Addresses a mail server returned kept's mail for: which, why and when (on one
    /// customer's record; empty in lists).
    pub bouncing: Vec<BouncingJson>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BouncingJson {
    pub handle: String,
    /// The mail server's reason.
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl From<&CustomerView> for CustomerJson {
    fn from(c: &CustomerView) -> Self {
        Self {
            id: c.id.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            handles: c.handles.clone(),
            bouncing: c
                .bouncing
                .iter()
                .map(|b| BouncingJson {
                    handle: b.handle.clone(),
                    reason: b.reason.clone(),
                    at: b.at,
                })
                .collect(),
        }
    }
}

/// A promise a staff member made to a customer in their own words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpJson {
    pub id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub promise_id: String,
    #[schema(value_type = String, example = "open")]
    pub promise_status: PromiseStatus,
    pub due_at: DateTime<Utc>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
}

impl From<&FollowUpView> for FollowUpJson {
    fn from(f: &FollowUpView) -> Self {
        Self {
            id: f.id.clone(),
            customer_id: f.customer_id.clone(),
            customer_name: f.customer_name.clone(),
            text: f.text.clone(),
            created_at: f.created_at,
            promise_id: f.promise_id.clone(),
            promise_status: f.promise_status,
            due_at: f.due_at,
            owner_id: f.owner_id.clone(),
            owner_name: f.owner_name.clone(),
        }
    }
}

/// One item of a customer's history across channels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntryJson {
    pub at: DateTime<Utc>,
    /// message_in, message_out, callback_request, call, note, phone_call, promise, appointment,
    /// calendar_answer, survey or contract.
    #[schema(value_type = String, example = "message_in")]
    pub kind: kept_domain::EntryKind,
    /// The channel; for a promise its kind (callback, callback_retry, reply, follow_up, …).
    pub channel: String,
    /// The message, the callback window, the call outcome, the note, the call summary, the
    /// promise's status, or a calendar answer (accepted, tentative, declined).
    pub text: String,
    /// A callback's or call's note; a phone call's direction; a promise's due time (RFC 3339);
    /// what the customer wrote with a calendar answer.
    pub note: Option<String>,
    pub staff_name: Option<String>,
    pub id: String,
    /// What it belongs to: a message's or note's conversation, a call's callback request, a
    /// promise's subject.
    pub about: Option<String>,
}

impl From<&TimelineEntry> for TimelineEntryJson {
    fn from(e: &TimelineEntry) -> Self {
        Self {
            at: e.at,
            kind: e.kind,
            channel: e.channel.clone(),
            text: e.text.clone(),
            note: e.note.clone(),
            staff_name: e.staff_name.clone(),
            id: e.id.clone(),
            about: e.about.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateJson {
    pub id: String,
    pub name: String,
    /// minijinja text with merge fields such as `{{ greeting }}`.
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

impl From<&ReplyTemplate> for TemplateJson {
    fn from(t: &ReplyTemplate) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            body: t.body.clone(),
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnreadableMailJson {
    pub id: String,
    /// "http" or "imap".
    pub source: String,
    pub reason: String,
    pub size_bytes: i64,
    pub received_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
}

impl From<&UnreadableMail> for UnreadableMailJson {
    fn from(m: &UnreadableMail) -> Self {
        Self {
            id: m.id.clone(),
            source: m.source.clone(),
            reason: m.reason.clone(),
            size_bytes: m.size_bytes,
            received_at: m.received_at,
            handled_at: m.handled_at,
        }
    }
}

/// The anonymous record that a customer's data was erased.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErasureJson {
    pub id: String,
    pub at: DateTime<Utc>,
    /// The owner who erased it.
    pub staff_id: String,
    pub reason: String,
    /// Rows removed (or, for promises, anonymised) per table.
    pub removed: BTreeMap<String, u64>,
}

impl From<&Erasure> for ErasureJson {
    fn from(e: &Erasure) -> Self {
        let removed = e
            .removed
            .as_object()
            .map(|counts| {
                counts
                    .iter()
                    .map(|(table, n)| (table.clone(), n.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id: e.id.clone(),
            at: e.at,
            staff_id: e.staff_id.clone(),
            reason: e.reason.clone(),
            removed,
        }
    }
}

/// Everything kept holds about a customer (AVG/GDPR access request).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerExportJson {
    /// The customer record itself.
    #[schema(value_type = Object)]
    pub customer: serde_json::Value,
    pub exported_at: DateTime<Utc>,
    /// Per table of the register of customer data: the customer's rows, bytes as base64.
    #[schema(value_type = Object)]
    pub records: serde_json::Value,
}

impl From<&CustomerExport> for CustomerExportJson {
    fn from(e: &CustomerExport) -> Self {
        Self {
            customer: e.customer.clone(),
            exported_at: e.exported_at,
            records: e.records.clone(),
        }
    }
}

/// Converts a list of store views into their JSON shapes.
pub fn all<'a, V: 'a, J: From<&'a V>>(views: &'a [V]) -> Vec<J> {
    views.iter().map(J::from).collect()
}

/// What became of a raw e-mail.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EmailAcceptedJson {
    /// A message on the sender's conversation.
    Stored(MessageAccepted),
    /// Kept raw and flagged for a human: kept could not read it.
    Flagged {
        id: String,
        reason: String,
        duplicate: bool,
    },
    /// An answer to an appointment's calendar invitation, recorded on the appointment.
    CalendarAnswer {
        appointment_id: String,
        /// accepted, tentative or declined.
        #[schema(value_type = String, example = "declined")]
        answer: kept_domain::CalendarAnswer,
    },
    /// A bounce of a message kept sent, recorded on that message: a reply shows as not
    /// delivered and its conversation waits for an answer again.
    Bounced {
        /// The conversation of the reply that bounced; none for kept's own e-mails.
        conversation_id: Option<String>,
        /// False when this bounce had been recorded before.
        new: bool,
    },
}

impl From<&kept_app::EmailAccepted> for EmailAcceptedJson {
    fn from(accepted: &kept_app::EmailAccepted) -> Self {
        match accepted {
            kept_app::EmailAccepted::Stored(recorded) => EmailAcceptedJson::Stored(recorded.into()),
            kept_app::EmailAccepted::Flagged { id, reason, duplicate } => EmailAcceptedJson::Flagged {
                id: id.clone(),
                reason: reason.clone(),
                duplicate: *duplicate,
            },
            kept_app::EmailAccepted::CalendarAnswer { appointment_id, answer } => EmailAcceptedJson::CalendarAnswer {
                appointment_id: appointment_id.clone(),
                answer: *answer,
            },
            kept_app::EmailAccepted::Bounced { conversation_id, new } => EmailAcceptedJson::Bounced {
                conversation_id: conversation_id.clone(),
                new: *new,
            },
        }
    }
}

/// The id of what was just created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}
