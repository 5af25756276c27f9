//! Writing inbound messages, one or many at a time. A batch reads what it needs — messages
//! stored before, the customers behind the handles, their unresolved conversations — in one
//! statement, then decides message by message in memory, in arrival order, so that a
//! batch ends exactly as the same messages stored one after another would; and it writes with
//! one statement per table. A handful of round trips per batch instead of about eight per
//! message is what lets group commit import thousands of messages a second.

use const_format::concatcp;
use kept_domain::conversation::ConversationStatus;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use kept_domain::conversation::{Direction, FRUSTRATED_FROM};
use kept_domain::promise::CancelReason;
use kept_domain::search::TextTerms;
use kept_domain::staff::Candidate;
use kept_domain::{OutboxEvent, PromiseKind, PromiseStatus, new_id};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::customer_words::{self, Findable};
use crate::dialect::{Dialect, placeholders, statement_chunks, unpack};
use crate::inbox_columns::{self, Written};
use crate::mail::insert_attachments;
use crate::model::{InboundRecorded, NewInbound};
use crate::outbox::{self, Announcement};
use crate::promises::{self, NewPromise};
use crate::search::{IndexEntry, Indexed, Words, index_all};
use crate::staff::{assign, load_candidates, save_queue_positions};
use crate::statements::{Cell, Row, Statements, insert_rows};
use crate::time::to_ms;
use crate::{Result, StoreError};

/// Stored messages with their conversation's open reply promise; `WHERE` and the binds follow.
const STORED_MESSAGES_FROM: &str = concatcp!(
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id \
     LEFT JOIN promises p ON p.id = c.promise_id AND p.status = ",
    PromiseStatus::Open.sql()
);

/// A stored message as [`recorded_from_row`] reads it.
pub(crate) const STORED_MESSAGES: &str = concatcp!(
    "SELECT m.channel, m.external_id, m.id, m.conversation_id, m.customer_id, p.id AS promise_id ",
    STORED_MESSAGES_FROM
);

/// An inbound message and its search terms, worked out in the request's own task before it
/// joins a batch: stemming is CPU work that the one writer need not do (a tenth of its time
/// on import).
#[derive(Debug, Clone)]
pub(crate) struct PreparedInbound {
    pub message: NewInbound,
    words: TextTerms,
}

impl PreparedInbound {
    /// Only what the customer wrote is indexed: quoted history is our own earlier reply (or
    /// theirs, indexed once already) and would make every reply match its whole thread.
    pub(crate) fn new(message: NewInbound) -> PreparedInbound {
        let words = TextTerms::of(kept_domain::quoted::split_quoted(&message.text).fresh);
        PreparedInbound { message, words }
    }
}

/// Stores the messages in the open transaction, answering in the same order.
pub(crate) async fn insert_messages(
    conn: &mut dyn Statements,
    dialect: Dialect,
    prepared: &[&PreparedInbound],
) -> Result<Vec<InboundRecorded>> {
    if prepared.is_empty() {
        return Ok(Vec::new());
    }
    let messages: Vec<&NewInbound> = prepared.iter().map(|p| &p.message).collect();
    let mut batch = Batch::read(conn, dialect, &messages).await?;
    let mut recorded = Vec::with_capacity(prepared.len());
    for one in prepared {
        recorded.push(batch.place(conn, one).await?);
    }
    batch.write(conn, dialect).await?;
    Ok(recorded)
}

pub(crate) fn recorded_from_row(row: &AnyRow, duplicate: bool) -> Result<InboundRecorded> {
    Ok(InboundRecorded {
        message_id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        customer_id: row.try_get("customer_id")?,
        promise_id: row.try_get("promise_id")?,
        duplicate,
    })
}

/// A conversation as this batch sees it, its own changes included.
struct Conversation {
    assignee_id: Option<String>,
    /// Its reply promise, if one is open.
    open_promise: Option<String>,
}

struct NewConversation<'a> {
    id: String,
    customer_id: String,
    assignee_id: Option<String>,
    message: &'a NewInbound,
}

struct NewMessage<'a> {
    id: String,
    conversation_id: String,
    customer_id: String,
    message: &'a NewInbound,
    words: &'a TextTerms,
}

struct NewReplyPromise<'a> {
    id: String,
    conversation_id: String,
    customer_id: String,
    owner_id: Option<String>,
    message: &'a NewInbound,
}

/// (channel, external id): how a message is known outside kept.
type ExternalKey = (String, String);

#[derive(Default)]
struct Batch<'a> {
    /// Messages on record, those of this batch included, by channel and external id.
    stored: HashMap<ExternalKey, InboundRecorded>,
    /// Where this batch's messages went and when they were sent, for threading.
    sent_here: HashMap<ExternalKey, (String, i64)>,
    customers_by_handle: HashMap<String, String>,
    conversations: HashMap<String, Conversation>,
    /// The most recently active unresolved conversation per (customer, channel).
    latest: HashMap<(String, String), String>,
    /// Staff who may get new conversations, read when the first one is opened.
    candidates: Option<Vec<Candidate>>,
    new_customers: Vec<(String, &'a NewInbound)>,
    new_conversations: Vec<NewConversation<'a>>,
    new_messages: Vec<NewMessage<'a>>,
    new_promises: Vec<NewReplyPromise<'a>>,
    /// Conversations waiting for an answer now: (reply promise, last activity), by id.
    reopened: BTreeMap<String, (String, DateTime<Utc>)>,
    /// Reply promises owed to a frustrated customer.
    frustrated: BTreeSet<String>,
}

impl<'a> Batch<'a> {
    async fn read(conn: &mut dyn Statements, dialect: Dialect, messages: &[&'a NewInbound]) -> Result<Batch<'a>> {
        let known = Known::read(conn, dialect, messages).await?;
        let mut batch = Batch::default();
        for (channel, external_id, message_id, conversation_id, customer_id, promise_id) in
            unpack::<StoredRow>(&known.stored)?
        {
            let recorded = InboundRecorded {
                message_id,
                conversation_id,
                customer_id,
                promise_id,
                duplicate: true,
            };
            batch.stored.insert((channel, external_id), recorded);
        }
        batch.customers_by_handle = unpack::<(String, String)>(&known.handles)?.into_iter().collect();
        // The most recently active one per customer and channel is the one to join.
        let mut latest: HashMap<(String, String), (i64, String)> = HashMap::new();
        for (id, customer_id, channel, assignee_id, open_promise, updated_ms) in
            unpack::<UnresolvedRow>(&known.unresolved)?
        {
            let newest = latest.entry((customer_id, channel)).or_insert((updated_ms, id.clone()));
            if updated_ms > newest.0 {
                *newest = (updated_ms, id.clone());
            }
            let conversation = Conversation {
                assignee_id,
                open_promise,
            };
            batch.conversations.insert(id, conversation);
        }
        batch.latest = latest.into_iter().map(|(key, (_, id))| (key, id)).collect();
        Ok(batch)
    }

    /// Decides where one message goes, as storing it alone would.
    async fn place(&mut self, conn: &mut dyn Statements, prepared: &'a PreparedInbound) -> Result<InboundRecorded> {
        let message = &prepared.message;
        let key = (message.channel.clone(), message.external_id.clone());
        if let Some(stored) = self.stored.get(&key) {
            let promise_id = match self.conversations.get(&stored.conversation_id) {
                Some(conversation) => conversation.open_promise.clone(),
                None => stored.promise_id.clone(),
            };
            return Ok(InboundRecorded {
                promise_id,
                duplicate: true,
                ..stored.clone()
            });
        }
        let customer_id = self.customer_for(message);
        let conversation_id = match self.threaded_conversation(conn, message).await? {
            Some(threaded) => threaded,
            None => match self.latest.get(&(customer_id.clone(), message.channel.clone())) {
                Some(open) => open.clone(),
                None => self.open_conversation(conn, &customer_id, message).await?,
            },
        };
        let message_id = new_id();
        let promise_id = if message.needs_reply {
            Some(self.owe_reply(&conversation_id, &customer_id, message))
        } else {
            // An auto-reply or bounce: on the record, but nobody owes an answer to it.
            self.conversations
                .get(&conversation_id)
                .and_then(|c| c.open_promise.clone())
        };
        self.new_messages.push(NewMessage {
            id: message_id.clone(),
            conversation_id: conversation_id.clone(),
            customer_id: customer_id.clone(),
            message,
            words: &prepared.words,
        });
        self.sent_here
            .insert(key.clone(), (conversation_id.clone(), to_ms(message.sent_at)));
        let recorded = InboundRecorded {
            message_id,
            conversation_id,
            customer_id,
            promise_id,
            duplicate: false,
        };
        self.stored.insert(
            key,
            InboundRecorded {
                duplicate: true,
                ..recorded.clone()
            },
        );
        Ok(recorded)
    }

    /// The customer on the message's handle, or a new one.
    fn customer_for(&mut self, message: &'a NewInbound) -> String {
        if let Some(known) = self.customers_by_handle.get(&message.handle) {
            return known.clone();
        }
        let id = new_id();
        self.customers_by_handle.insert(message.handle.clone(), id.clone());
        self.new_customers.push((id.clone(), message));
        id
    }

    /// The conversation holding the latest message this one answers, whatever its status.
    async fn threaded_conversation(
        &mut self,
        conn: &mut dyn Statements,
        message: &NewInbound,
    ) -> Result<Option<String>> {
        if message.thread.is_empty() {
            return Ok(None);
        }
        let in_batch = message
            .thread
            .iter()
            .filter_map(|id| self.sent_here.get(&(message.channel.clone(), id.clone())))
            .max_by_key(|(_, sent_ms)| *sent_ms)
            .cloned();
        let on_record = threaded_on_record(conn, message).await?;
        let newest = match (in_batch, on_record) {
            (Some(here), Some((row, sent_ms))) if sent_ms > here.1 => Some(row),
            (Some(here), _) => return Ok(Some(here.0)),
            (None, found) => found.map(|(row, _)| row),
        };
        let Some(row) = newest else { return Ok(None) };
        let id: String = row.try_get("id")?;
        // Changed by this batch already? Then what the batch knows is newer.
        if !self.conversations.contains_key(&id) {
            self.conversations.insert(id.clone(), conversation_from_row(&row)?);
        }
        Ok(Some(id))
    }

    /// A new conversation for the next agent in the round robin.
    async fn open_conversation(
        &mut self,
        conn: &mut dyn Statements,
        customer_id: &str,
        message: &'a NewInbound,
    ) -> Result<String> {
        let candidates = match &mut self.candidates {
            Some(loaded) => loaded,
            unread => unread.insert(load_candidates(conn).await?),
        };
        let assignee_id = assign(candidates).map(|(id, _)| id);
        let id = new_id();
        self.new_conversations.push(NewConversation {
            id: id.clone(),
            customer_id: customer_id.to_string(),
            assignee_id: assignee_id.clone(),
            message,
        });
        self.conversations.insert(
            id.clone(),
            Conversation {
                assignee_id,
                open_promise: None,
            },
        );
        self.latest
            .insert((customer_id.to_string(), message.channel.clone()), id.clone());
        Ok(id)
    }

    /// The conversation's open reply promise, or a new one; the conversation is open again
    /// and the most recently active of the customer's on this channel.
    fn owe_reply(&mut self, conversation_id: &str, customer_id: &str, message: &'a NewInbound) -> String {
        let open_promise = self
            .conversations
            .get(conversation_id)
            .and_then(|c| c.open_promise.clone());
        let promise_id = match open_promise {
            Some(open) => open,
            None => {
                let id = new_id();
                let owner_id = self
                    .conversations
                    .get(conversation_id)
                    .and_then(|c| c.assignee_id.clone());
                self.new_promises.push(NewReplyPromise {
                    id: id.clone(),
                    conversation_id: conversation_id.to_string(),
                    customer_id: customer_id.to_string(),
                    owner_id,
                    message,
                });
                if let Some(conversation) = self.conversations.get_mut(conversation_id) {
                    conversation.open_promise = Some(id.clone());
                }
                id
            }
        };
        self.reopened
            .insert(conversation_id.to_string(), (promise_id.clone(), message.now));
        self.latest.insert(
            (customer_id.to_string(), message.channel.clone()),
            conversation_id.to_string(),
        );
        if message.frustration >= FRUSTRATED_FROM {
            // The figures' missed signals ask for promises to frustrated customers broken,
            // without reading every conversation's messages again.
            self.frustrated.insert(promise_id.clone());
        }
        promise_id
    }

    /// Writes what was decided, one statement per table, parents before children.
    async fn write(mut self, conn: &mut dyn Statements, dialect: Dialect) -> Result<()> {
        // In handle order: two PostgreSQL nodes creating the same new customers then wait for
        // each other on the first one instead of each holding one the other needs.
        self.new_customers.sort_by(|a, b| a.1.handle.cmp(&b.1.handle));
        insert_customers(conn, &self.new_customers).await?;
        insert_conversations(conn, &self.new_conversations).await?;
        insert_message_rows(conn, &self.new_messages).await?;
        inbox_columns::note_written(conn, &written(&self.new_messages)).await?;
        insert_reply_promises(conn, &self.new_promises).await?;
        mark_waiting(conn, &self.reopened).await?;
        withdraw_awaited(conn, &self.reopened).await?;
        mark_frustrated(conn, &self.frustrated).await?;
        // The assignees' places in the round robin are written last: on PostgreSQL their staff
        // rows stay locked until the commit, and every other new conversation waits for them.
        let moved: BTreeSet<&str> = self
            .new_conversations
            .iter()
            .filter_map(|c| c.assignee_id.as_deref())
            .collect();
        let moved: Vec<&Candidate> = self
            .candidates
            .iter()
            .flatten()
            .filter(|candidate| moved.contains(candidate.id.as_str()))
            .collect();
        save_queue_positions(conn, dialect, &moved).await
    }
}

fn conversation_from_row(row: &Row) -> Result<Conversation> {
    Ok(Conversation {
        assignee_id: row.try_get("assignee_id")?,
        open_promise: row.try_get("open_promise")?,
    })
}

/// A stored message: channel, external id, id, conversation, customer, open reply promise.
type StoredRow = (String, String, String, String, String, Option<String>);
/// An unresolved conversation: id, customer, channel, assignee, open reply promise, last active.
type UnresolvedRow = (String, String, String, Option<String>, Option<String>, i64);

/// What a batch must know before it decides, read in one statement as three packed parts
/// ([`Dialect::json_rows`]; sqlx would hand a hundred rows over one at a time).
struct Known {
    /// [`StoredRow`]s: the batch's messages already on record.
    stored: String,
    /// (handle, customer id): the customers behind the batch's handles.
    handles: String,
    /// [`UnresolvedRow`]s: those customers' unresolved conversations.
    unresolved: String,
}

impl Known {
    async fn read(conn: &mut dyn Statements, dialect: Dialect, messages: &[&NewInbound]) -> Result<Known> {
        let channels: BTreeSet<&str> = messages.iter().map(|m| m.channel.as_str()).collect();
        let external_ids: BTreeSet<&str> = messages.iter().map(|m| m.external_id.as_str()).collect();
        let handles: BTreeSet<&str> = messages.iter().map(|m| m.handle.as_str()).collect();
        let channel_list = placeholders(1, channels.len());
        let external_id_list = placeholders(1 + channels.len(), external_ids.len());
        let handle_list = placeholders(1 + channels.len() + external_ids.len(), handles.len());
        // Both columns of the unique index as lists: a few pairs too many are dropped by the caller.
        let sql = format!(
            "SELECT (SELECT {stored} {from} WHERE m.channel IN ({channel_list}) AND m.external_id IN ({external_id_list})), \
         (SELECT {handled} FROM customer_handles WHERE handle IN ({handle_list})), \
         (SELECT {unresolved} FROM conversations c LEFT JOIN promises p ON p.id = c.promise_id AND p.status = {open_promise_status} \
          WHERE c.customer_id IN (SELECT customer_id FROM customer_handles WHERE handle IN ({handle_list})) \
          AND c.status <> {resolved_conversation_status})",
            stored = dialect.json_rows("m.channel, m.external_id, m.id, m.conversation_id, m.customer_id, p.id"),
            from = STORED_MESSAGES_FROM,
            handled = dialect.json_rows("handle, customer_id"),
            unresolved = dialect.json_rows("c.id, c.customer_id, c.channel, c.assignee_id, p.id, c.updated_ms"),
            open_promise_status = PromiseStatus::Open.sql(),
            resolved_conversation_status = ConversationStatus::Resolved.sql()
        );
        let values: Vec<Cell> = channels
            .iter()
            .chain(&external_ids)
            .chain(&handles)
            .map(|value| Cell::Text(value))
            .collect();
        let row = conn.fetch(&sql, &values).await?.pop().ok_or(StoreError::NotFound)?;
        Ok(Known {
            stored: row.try_get(0)?,
            handles: row.try_get(1)?,
            unresolved: row.try_get(2)?,
        })
    }
}

/// The stored conversation holding the latest message this one answers, and when that was sent.
async fn threaded_on_record(conn: &mut dyn Statements, message: &NewInbound) -> Result<Option<(Row, i64)>> {
    let sql = format!(
        "SELECT c.id, c.assignee_id, p.id AS open_promise, m.sent_ms FROM messages m \
         JOIN conversations c ON c.id = m.conversation_id \
         LEFT JOIN promises p ON p.id = c.promise_id AND p.status = {open_promise_status} \
         WHERE m.channel = $1 AND m.external_id IN ({}) ORDER BY m.sent_ms DESC LIMIT 1",
        placeholders(2, message.thread.len()),
        open_promise_status = PromiseStatus::Open.sql()
    );
    let values: Vec<Cell> = std::iter::once(&message.channel)
        .chain(&message.thread)
        .map(|value| Cell::Text(value))
        .collect();
    let Some(row) = conn.fetch(&sql, &values).await?.pop() else {
        return Ok(None);
    };
    let sent_ms = row.try_get("sent_ms")?;
    Ok(Some((row, sent_ms)))
}

async fn insert_customers(conn: &mut dyn Statements, customers: &[(String, &NewInbound)]) -> Result<()> {
    insert_rows(
        conn,
        "customers (id, name, created_ms)",
        "",
        customers,
        |(id, message)| {
            [
                Cell::Text(id),
                Cell::MaybeText(message.name.as_deref()),
                Cell::Int(to_ms(message.now)),
            ]
        },
    )
    .await?;
    let into = "customer_handles (handle, customer_id, created_ms)";
    insert_rows(conn, into, "", customers, |(id, message)| {
        [
            Cell::Text(&message.handle),
            Cell::Text(id),
            Cell::Int(to_ms(message.now)),
        ]
    })
    .await?;
    let words: Vec<_> = customers
        .iter()
        .map(|(id, message)| Findable {
            id,
            name: message.name.as_deref(),
            phone: None,
            handles: vec![message.handle.as_str()],
        })
        .collect();
    customer_words::add(conn, &words).await
}

async fn insert_conversations(conn: &mut dyn Statements, conversations: &[NewConversation<'_>]) -> Result<()> {
    let into = "conversations (id, customer_id, channel, status, assignee_id, created_ms, updated_ms, queue_ms)";
    insert_rows(conn, into, "", conversations, |c| {
        [
            Cell::Text(&c.id),
            Cell::Text(&c.customer_id),
            Cell::Text(&c.message.channel),
            Cell::Text(ConversationStatus::Open.as_str()),
            Cell::MaybeText(c.assignee_id.as_deref()),
            Cell::Int(to_ms(c.message.now)),
            Cell::Int(to_ms(c.message.now)),
            Cell::Int(to_ms(c.message.now)),
        ]
    })
    .await?;
    Ok(())
}

/// The messages, their attachments and their search entries.
async fn insert_message_rows(conn: &mut dyn Statements, messages: &[NewMessage<'_>]) -> Result<()> {
    let into = "messages (id, conversation_id, customer_id, direction, channel, external_id, body, frustration, \
                sent_ms, created_ms, subject, needs_reply)";
    insert_rows(conn, into, "", messages, |row| {
        let m = row.message;
        [
            Cell::Text(&row.id),
            Cell::Text(&row.conversation_id),
            Cell::Text(&row.customer_id),
            Cell::Text(Direction::Inbound.as_str()),
            Cell::Text(&m.channel),
            Cell::Text(&m.external_id),
            Cell::Text(&m.text),
            Cell::Int(m.frustration),
            Cell::Int(to_ms(m.sent_at)),
            Cell::Int(to_ms(m.now)),
            Cell::MaybeText(m.subject.as_deref()),
            Cell::Int(i64::from(m.needs_reply)),
        ]
    })
    .await?;
    for row in messages.iter().filter(|row| !row.message.attachments.is_empty()) {
        insert_attachments(conn, &row.id, &row.message.attachments, row.message.now).await?;
    }
    let entries: Vec<IndexEntry> = messages
        .iter()
        .map(|row| IndexEntry {
            kind: Indexed::Message,
            id: &row.id,
            customer_id: &row.customer_id,
            channel: &row.message.channel,
            words: Words::Prepared(row.words),
            at: row.message.sent_at,
        })
        .collect();
    index_all(conn, &entries).await
}

/// The new messages as their conversations' rows see them.
fn written<'a>(messages: &'a [NewMessage<'_>]) -> Vec<Written<'a>> {
    messages
        .iter()
        .map(|row| Written {
            conversation_id: &row.conversation_id,
            direction: Direction::Inbound,
            subject: row.message.subject.as_deref(),
            body: &row.message.text,
            frustration: row.message.frustration,
            sent_ms: to_ms(row.message.sent_at),
            created_ms: to_ms(row.message.now),
        })
        .collect()
}

/// New reply promises, each announced as "message.received" to its owner.
async fn insert_reply_promises(conn: &mut dyn Statements, new: &[NewReplyPromise<'_>]) -> Result<()> {
    let rows: Vec<NewPromise> = new
        .iter()
        .map(|p| NewPromise {
            id: &p.id,
            kind: PromiseKind::Reply,
            subject_id: &p.conversation_id,
            customer_id: &p.customer_id,
            owner_id: p.owner_id.as_deref(),
            channel: Some(p.message.channel.as_str()),
            not_before: p.message.now,
            due_at: p.message.reply_due,
            now: p.message.now,
        })
        .collect();
    promises::insert(conn, &rows).await?;
    let owners: Vec<Vec<String>> = new.iter().map(|p| p.owner_id.iter().cloned().collect()).collect();
    let announcements: Vec<Announcement> = new
        .iter()
        .zip(&owners)
        .map(|(p, recipients)| Announcement {
            event: OutboxEvent::MessageReceived,
            subject_id: &p.conversation_id,
            recipients,
            fanout: p.message.fanout,
            now: p.message.now,
        })
        .collect();
    outbox::announce(conn, &announcements).await
}

/// Conversations with a message waiting for an answer: open, with their reply promise, queued
/// by its due time, and the time of that message (one statement, a `CASE` per column).
async fn mark_waiting(conn: &mut dyn Statements, reopened: &BTreeMap<String, (String, DateTime<Utc>)>) -> Result<()> {
    let reopened: Vec<_> = reopened.iter().collect();
    for chunk in statement_chunks(&reopened, 5) {
        mark_waiting_rows(conn, chunk).await?;
    }
    Ok(())
}

async fn mark_waiting_rows(conn: &mut dyn Statements, reopened: &[(&String, &(String, DateTime<Utc>))]) -> Result<()> {
    let n = reopened.len();
    let promise_cases: String = (0..n)
        .map(|i| format!(" WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2))
        .collect();
    let time_cases: String = (0..n)
        .map(|i| format!(" WHEN ${} THEN ${}", 2 * n + 2 * i + 1, 2 * n + 2 * i + 2))
        .collect();
    let sql = format!(
        "UPDATE conversations SET status = {open_conversation_status}, promise_id = CASE id{promise_cases} END, \
         updated_ms = CASE id{time_cases} END, \
         queue_ms = COALESCE((SELECT p.due_ms FROM promises p WHERE p.id = CASE id{promise_cases} END), queue_ms) \
         WHERE id IN ({})",
        placeholders(4 * n + 1, n),
        open_conversation_status = ConversationStatus::Open.sql()
    );
    let promises = reopened
        .iter()
        .flat_map(|(id, (promise_id, _))| [Cell::Text(id), Cell::Text(promise_id)]);
    let times = reopened
        .iter()
        .flat_map(|(id, (_, at))| [Cell::Text(id), Cell::Int(to_ms(*at))]);
    let ids = reopened.iter().map(|(id, _)| Cell::Text(id));
    let values: Vec<Cell> = promises.chain(times).chain(ids).collect();
    conn.execute(&sql, &values).await?;
    Ok(())
}

/// The customer answered in a conversation we started and waited on: the follow-up that would
/// have asked after their answer is no longer needed.
async fn withdraw_awaited(
    conn: &mut dyn Statements,
    reopened: &BTreeMap<String, (String, DateTime<Utc>)>,
) -> Result<()> {
    let ids: Vec<&String> = reopened.keys().collect();
    for chunk in statement_chunks(&ids, 1) {
        let sql = format!(
            "SELECT f.awaits_conversation_id, p.id FROM follow_ups f \
             JOIN promises p ON p.id = f.promise_id AND p.status = $1 \
             WHERE f.awaits_conversation_id IN ({})",
            placeholders(2, chunk.len())
        );
        let values: Vec<Cell> = std::iter::once(Cell::Text(PromiseStatus::Open.as_str()))
            .chain(chunk.iter().map(|id| Cell::Text(id)))
            .collect();
        for row in conn.fetch(&sql, &values).await? {
            let conversation_id: String = row.try_get(0)?;
            let promise_id: String = row.try_get(1)?;
            let at = reopened.get(&conversation_id).map_or(0, |(_, at)| to_ms(*at));
            let cancelled = PromiseStatus::Cancelled;
            conn.execute(
                "UPDATE promises SET status = $1, closed_ms = $2 WHERE id = $3 AND status = $4",
                &[
                    Cell::Text(cancelled.as_str()),
                    Cell::Int(at),
                    Cell::Text(&promise_id),
                    Cell::Text(PromiseStatus::Open.as_str()),
                ],
            )
            .await?;
            conn.execute(
                "INSERT INTO promise_events (promise_id, at_ms, event, detail) VALUES ($1, $2, $3, $4)",
                &[
                    Cell::Text(&promise_id),
                    Cell::Int(at),
                    Cell::Text(cancelled.event().as_str()),
                    Cell::Text(CancelReason::Answered.as_str()),
                ],
            )
            .await?;
        }
    }
    Ok(())
}

async fn mark_frustrated(conn: &mut dyn Statements, promise_ids: &BTreeSet<String>) -> Result<()> {
    if promise_ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE promises SET frustrated = 1 WHERE id IN ({})",
        placeholders(1, promise_ids.len())
    );
    let values: Vec<Cell> = promise_ids.iter().map(|id| Cell::Text(id)).collect();
    conn.execute(&sql, &values).await?;
    Ok(())
}
