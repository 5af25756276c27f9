//! The records the store reads and writes.

use chrono::{DateTime, Utc};
use kept_domain::conversation::{ConversationStatus, Direction};
use kept_domain::{CallOutcome, CallbackStatus, Delivery, Lang, OutboxEvent, PromiseKind, PromiseStatus, Role};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub lang: Lang,
    pub password_hash: String,
    pub away: bool,
    pub delegate_id: Option<String>,
    /// False once an owner took them off the team.
    pub active: bool,
}

impl Staff {
    /// This person as one to hand work to (never assigned before, as far as this knows).
    pub fn candidate(&self) -> kept_domain::staff::Candidate {
        kept_domain::staff::Candidate {
            id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            away: self.away,
            delegate_id: self.delegate_id.clone(),
            last_assigned_ms: None,
        }
    }

    /// Invited, but no password chosen yet (an empty hash never verifies).
    pub fn invited(&self) -> bool {
        self.password_hash.is_empty()
    }

    /// On the team and able to log in: someone work can be given to.
    pub fn can_take_work(&self) -> bool {
        self.active && !self.invited()
    }
}

/// A change of someone's name or role; what is `None` stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffChange {
    pub name: Option<String>,
    pub role: Option<Role>,
}

/// A one-time link to set a password, to store.
#[derive(Debug, Clone)]
pub struct NewPasswordLink {
    pub purpose: kept_domain::staff::LinkPurpose,
    /// Kept until the e-mail carrying it is sent; `None` for a link handed over another way
    /// (printed by `kept user reset-password`).
    pub token: Option<String>,
    pub token_hash: String,
    /// The owner who sent it.
    pub created_by: Option<String>,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A password link with the person it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLinkView {
    pub id: String,
    pub staff_id: String,
    pub staff_name: String,
    pub staff_email: String,
    pub staff_lang: Lang,
    pub purpose: kept_domain::staff::LinkPurpose,
    /// `None` once used.
    pub token: Option<String>,
    pub created_by_name: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

/// An API token as it is listed (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenView {
    pub id: String,
    pub staff_id: String,
    pub staff_name: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub lang: Lang,
    pub password_hash: String,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub staff_id: String,
    pub csrf_token: String,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub staff: Staff,
    pub csrf_token: String,
}

/// Which outbox channels a change is announced on (a channel that is not configured is skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fanout {
    pub email: bool,
    pub webhook: bool,
}

#[derive(Debug, Clone)]
pub struct NewCallback {
    pub phone: String,
    pub name: Option<String>,
    pub window_code: String,
    pub note: Option<String>,
    pub lang: Lang,
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

/// A callback request with its current promise, as staff and the API see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackView {
    pub id: String,
    pub customer_id: String,
    pub phone: String,
    pub name: Option<String>,
    pub window: String,
    pub note: Option<String>,
    pub lang: Lang,
    pub status: CallbackStatus,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub promise_id: String,
    pub promise_status: PromiseStatus,
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub escalated: bool,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// How many times the customer asked while this request was open (1: once), and when last.
    pub asks: i64,
    pub asked_again_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewOutcome {
    pub callback_id: String,
    pub staff_id: String,
    pub outcome: CallOutcome,
    pub note: Option<String>,
    pub now: DateTime<Utc>,
    /// When the retry promise is due, for outcomes that schedule one.
    pub retry_due: Option<DateTime<Utc>>,
    pub fanout: Fanout,
}

/// One line of a customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// A callback request (asked to be called back) or a call (staff called).
    pub kind: kept_domain::EntryKind,
    /// The window for a request, the outcome for a call.
    pub detail: String,
    pub note: Option<String>,
    pub staff_name: Option<String>,
}

/// Which promises to list.
#[derive(Debug, Clone, Default)]
pub struct PromiseFilter {
    pub kinds: Vec<PromiseKind>,
    pub status: Option<PromiseStatus>,
    pub customer_id: Option<String>,
    pub owner_id: Option<String>,
    pub limit: i64,
}

/// A promise in a list, with the names a page shows.
#[derive(Debug, Clone)]
pub struct PromiseListed {
    pub id: String,
    pub kind: PromiseKind,
    pub status: PromiseStatus,
    pub subject_id: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromiseHistoryEntry {
    pub at: DateTime<Utc>,
    pub event: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// A code ("replied", "resolved", an outcome) or, for a hand-over, the new owner's id.
    pub detail: Option<String>,
    /// For a hand-over: who has the promise now.
    pub new_owner_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub delivery: Delivery,
    pub event: OutboxEvent,
    pub subject_id: String,
    pub recipient_id: Option<String>,
    pub attempts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub pending: i64,
    /// Pending items that failed at least once and wait for their next attempt.
    pub retrying: i64,
    pub delivered: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseRecord {
    pub id: String,
    pub kind: PromiseKind,
    /// What the promise is about, e.g. the callback request's id.
    pub subject_id: String,
    pub customer_id: Option<String>,
    pub owner_id: Option<String>,
    pub status: PromiseStatus,
    pub due_at: DateTime<Utc>,
}

/// A validated inbound message with the times the server worked out.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub channel: String,
    pub external_id: String,
    /// "channel:handle".
    pub handle: String,
    pub name: Option<String>,
    pub text: String,
    pub subject: Option<String>,
    /// External ids this message answers (e-mail `In-Reply-To` and `References`): it joins
    /// the conversation that holds one of them.
    pub thread: Vec<String>,
    /// False for auto-replies and bounces: stored, but no promise to answer.
    pub needs_reply: bool,
    pub sent_at: DateTime<Utc>,
    /// 0–100, from the tone engine.
    pub frustration: i64,
    /// When the answer is due if this message opens a new reply promise.
    pub reply_due: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
    pub attachments: Vec<NewAttachment>,
}

/// A file that came with an inbound message; `data` is None when it was over the size limit.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub data: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// False when the file was larger than the limit: its name and size are on record only.
    pub kept: bool,
}

/// A message kept could not read, stored raw for a human to look at.
#[derive(Debug, Clone)]
pub struct NewUnreadableMail {
    /// Identifies the content, so that the same message delivered twice is stored once.
    pub fingerprint: String,
    /// Where it came from: "imap" or "http".
    pub source: String,
    pub reason: String,
    pub raw: Vec<u8>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnreadableMail {
    pub id: String,
    pub source: String,
    pub reason: String,
    pub size_bytes: i64,
    pub received_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
}

/// What to look for; `query` already carries the customer and channel filters.
#[derive(Debug, Clone)]
pub struct SearchFilter {
    pub query: kept_domain::search::SearchQuery,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
    /// Only what comes after (is older than) the page that ended here: `SearchPage::next`.
    pub before: Option<i64>,
}

/// A page of search hits, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Where the next page starts; none when this page is the last.
    pub next: Option<i64>,
}

/// One message, note or logged call that matched a search, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    /// A message either way, a note, a logged phone call, a callback request or a call.
    pub kind: kept_domain::EntryKind,
    pub id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub conversation_id: Option<String>,
    pub channel: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundRecorded {
    pub message_id: String,
    pub conversation_id: String,
    pub customer_id: String,
    /// The open reply promise of the conversation.
    pub promise_id: Option<String>,
    /// True when this message had been stored before (same channel and external id).
    pub duplicate: bool,
}

#[derive(Debug, Clone)]
pub struct NewReply {
    pub conversation_id: String,
    pub staff_id: String,
    pub text: String,
    pub now: DateTime<Utc>,
    /// The id the reply is sent under (an e-mail's Message-ID), if any.
    pub external_id: Option<String>,
    /// How it is sent: the channel's webhook or an e-mail to the customer.
    pub deliver_via: Delivery,
    /// What the reply promises the customer by when ("ik bel u morgen om 10:00"): each becomes
    /// a follow-up promise of the writer, in the same transaction as the reply.
    pub promised: Vec<Promised>,
    /// Its own subject line: only a conversation kept starts has one (a reply's is "Re:" the
    /// customer's).
    pub subject: Option<String>,
}

/// Who a conversation staff start is with.
#[derive(Debug, Clone)]
pub enum Recipient {
    /// A customer on record.
    Customer(String),
    /// The customer with this e-mail address (lower case), or a new one with this name.
    Email { address: String, name: Option<String> },
    /// The customer with this phone number (E.164): on a phone channel (WhatsApp, SMS) a new
    /// one when nobody has it, reached on that channel at that number.
    Phone { number: String, name: Option<String> },
}

/// A conversation staff start: the first message is ours ("Uw fiets is klaar").
#[derive(Debug, Clone)]
pub struct NewOutbound {
    pub to: Recipient,
    pub channel: String,
    pub staff_id: String,
    pub subject: Option<String>,
    pub text: String,
    pub now: DateTime<Utc>,
    /// The id the message is sent under (an e-mail's Message-ID), if any.
    pub external_id: Option<String>,
    pub deliver_via: Delivery,
    pub promised: Vec<Promised>,
    /// The customer is expected to answer by then: a follow-up of the writer's with these
    /// words, withdrawn when they answer in this conversation.
    pub awaiting: Option<Promised>,
}

/// What starting a conversation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    Conversation {
        conversation_id: String,
        message_id: String,
    },
    /// The customer has no address on that channel (nothing was written).
    NoAddress,
}

/// Something a reply promises, by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promised {
    pub text: String,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub id: String,
    pub direction: Direction,
    pub channel: String,
    pub external_id: Option<String>,
    pub staff_name: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    pub frustration: Option<i64>,
    pub sent_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentInfo>,
    /// For a staff reply: whether it reached the customer. `None` for the customer's messages.
    pub delivery: Option<ReplyDelivery>,
}

/// Whether a staff reply reached the customer. The reply promise is kept only once it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReplyDelivery {
    /// Queued, or being retried after a temporary failure.
    Sending,
    Sent,
    /// Given up: the reason, and the outbox item to try again.
    NotSent {
        outbox_id: i64,
        reason: String,
    },
    /// Sent, then returned by the customer's mail server: its reason, and the item to try again.
    Bounced {
        outbox_id: i64,
        reason: String,
    },
}

/// A reply kept could not deliver, for the list on the staff home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedReply {
    pub outbox_id: i64,
    pub conversation_id: String,
    pub customer_name: Option<String>,
    pub channel: String,
    pub reason: String,
    pub written_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationView {
    pub id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub channel: String,
    pub status: ConversationStatus,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub promise_id: Option<String>,
    pub promise_status: Option<PromiseStatus>,
    pub due_at: Option<DateTime<Utc>>,
    /// The highest frustration (0–100) of the customer's messages in it.
    pub frustration: i64,
    /// The customer's handle on this conversation's channel ("@jan"), where known.
    pub handle: Option<String>,
    pub tags: Vec<String>,
    pub updated_at: DateTime<Utc>,
    /// The first e-mail subject in it, if any.
    pub subject: Option<String>,
    /// The start of the latest message (up to 300 characters), for a preview in lists.
    pub last_message: Option<String>,
    /// Whether the customer wrote the latest message (else staff did).
    pub last_from_customer: Option<bool>,
    /// Oldest first; empty in lists.
    pub messages: Vec<MessageView>,
}

/// Which conversations a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub assignee: AssigneeFilter,
    /// Only this channel's.
    pub channel: Option<String>,
    /// Only those with this tag.
    pub tag: Option<String>,
}

/// Whether a key's id from an address looks like the ids kept makes (UUIDs): nothing else
/// reaches a statement.
fn plain_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Where a row stands in the inbox's order: a page starts after the last row shown, so a
/// conversation that arrives or moves meanwhile is neither shown twice nor skips the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxKey {
    /// Waiting for us: frustrated customers first, then the soonest due.
    Queue {
        frustrated: bool,
        queue_ms: i64,
        id: String,
    },
    /// Waiting on the customer or resolved: the most recently active first.
    Recent { updated_ms: i64, id: String },
}

impl InboxKey {
    /// A key as [`InboxKey`]'s `Display` wrote it; `None` for anything else.
    pub fn parse(text: &str) -> Option<InboxKey> {
        let mut parts = text.splitn(4, '.');
        let kind = parts.next()?;
        let number = |part: Option<&str>| part.and_then(|p| p.parse::<i64>().ok());
        let key = match kind {
            "q" => {
                let frustrated = match parts.next()? {
                    "1" => true,
                    "0" => false,
                    _ => return None,
                };
                let queue_ms = number(parts.next())?;
                InboxKey::Queue {
                    frustrated,
                    queue_ms,
                    id: parts.next()?.to_string(),
                }
            }
            "r" => {
                let updated_ms = number(parts.next())?;
                InboxKey::Recent {
                    updated_ms,
                    id: parts.next()?.to_string(),
                }
            }
            _ => return None,
        };
        let id = match &key {
            InboxKey::Queue { id, .. } | InboxKey::Recent { id, .. } => id,
        };
        plain_id(id).then_some(key)
    }
}

impl std::fmt::Display for InboxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InboxKey::Queue {
                frustrated,
                queue_ms,
                id,
            } => write!(f, "q.{}.{queue_ms}.{id}", u8::from(*frustrated)),
            InboxKey::Recent { updated_ms, id } => write!(f, "r.{updated_ms}.{id}"),
        }
    }
}

/// Which part of a list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ListPage {
    /// From the start.
    #[default]
    First,
    /// The rows after this one.
    After(InboxKey),
    /// From the start through this row: what a page that showed down to it shows now.
    Through(InboxKey),
    /// The same for a page shown to its end (this row was the last one): and a page of what
    /// came after it since.
    ThroughAndAfter(InboxKey),
}

/// A page of conversations: the rows, the last row's key, and whether more follow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationPage {
    pub rows: Vec<ConversationView>,
    pub last: Option<InboxKey>,
    pub more: bool,
}

/// What the inbox can be filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxChoices {
    pub channels: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    /// Nobody has it yet.
    Nobody,
    Staff(String),
}

/// One item of a customer's history across channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// An appointment has its status as text and its start as note; a promise its status and
    /// its due time.
    pub kind: kept_domain::EntryKind,
    /// The channel; for a promise its kind (callback, callback_retry, reply).
    pub channel: String,
    /// The message, the callback window, the call outcome, the note, the call summary or the
    /// promise's status.
    pub text: String,
    /// A callback's or call's note; for a phone_call its direction (inbound/outbound); for a
    /// promise its due time (RFC 3339).
    pub note: Option<String>,
    pub staff_name: Option<String>,
    /// The message, callback request or call.
    pub id: String,
    /// The record it belongs to, whose page shows it: a message's or note's conversation, a
    /// call's callback request, a promise's subject (its kind says which).
    pub about: Option<String>,
}

/// Where an entry stands on a timeline: a page of older entries starts after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineKey {
    pub at_ms: i64,
    /// 1 for a promise, which comes after what made it at the same moment.
    pub later: i64,
    pub id: String,
}

impl TimelineKey {
    /// A key as its `Display` wrote it; `None` for anything else.
    pub fn parse(text: &str) -> Option<TimelineKey> {
        let mut parts = text.splitn(3, '.');
        let at_ms = parts.next()?.parse().ok()?;
        let later = parts.next()?.parse().ok()?;
        let id = parts.next()?;
        plain_id(id).then(|| TimelineKey {
            at_ms,
            later,
            id: id.to_string(),
        })
    }
}

impl std::fmt::Display for TimelineKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.at_ms, self.later, self.id)
    }
}

/// A page of a timeline, newest first, and where the older entries begin if there are any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    pub older: Option<TimelineKey>,
}

/// A customer with every way to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerView {
    pub id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// "email:jan@example.nl", "twitter:@jan", …
    pub handles: Vec<String>,
    /// Those of `handles` a mail server returned kept's mail for (read with one customer only).
    pub bouncing: Vec<BouncingAddress>,
}

/// A customer's address that bounced: which, why and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BouncingAddress {
    pub handle: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Something staff record on a customer: an internal note or a phone call.
#[derive(Debug, Clone)]
pub enum NewRecord {
    Note {
        conversation_id: Option<String>,
        text: String,
    },
    Call {
        direction: Direction,
        summary: String,
    },
}

/// A way to reach a customer, already normalised (E.164 phone, lower-case e-mail address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Phone(String),
    /// "email:jan@example.nl", "twitter:@jan".
    Handle(String),
}

/// What staff change on a conversation.
#[derive(Debug, Clone)]
pub enum ConversationChange {
    /// Give it (and its open reply promise) to another staff member.
    Assign {
        staff_id: String,
    },
    /// Resolving cancels an open reply promise: nobody owes an answer any more.
    Status(ConversationStatus),
    Tags {
        add: Vec<String>,
        remove: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyTemplate {
    pub id: String,
    pub name: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

/// A follow-up a staff member promised a customer, in their own words.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub customer_id: String,
    /// Who wrote it down.
    pub staff_id: String,
    /// Who must do it (the writer unless they name someone else).
    pub owner_id: String,
    pub text: String,
    pub due_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpView {
    pub id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub promise_id: String,
    pub promise_status: PromiseStatus,
    pub due_at: DateTime<Utc>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
}

/// Everything kept holds about one customer (AVG/GDPR access request).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerExport {
    pub customer: serde_json::Value,
    pub exported_at: DateTime<Utc>,
    /// Per table of the register: the customer's rows (bytes as base64).
    pub records: serde_json::Value,
}

/// The anonymous record that a customer's data was erased.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Erasure {
    pub id: String,
    pub at: DateTime<Utc>,
    pub staff_id: String,
    pub reason: String,
    /// How many rows went, per table.
    pub removed: serde_json::Value,
}

/// One setting that changed: its key (`business.hours.mon`) and its values as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    pub setting: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChangeView {
    pub at: DateTime<Utc>,
    pub staff_name: Option<String>,
    pub change: SettingChange,
}
