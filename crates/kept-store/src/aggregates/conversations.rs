//! Conversations across channels: messages in and out, the inbox, who read what.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::dialect::Dialect;
use crate::model::{
    ConversationChange, ConversationFilter, ConversationPage, ConversationView, InboundRecorded, InboxChoices,
    ListPage, NewInbound, NewOutbound, NewReply, Started,
};
use crate::new_messages::PreparedInbound;
use crate::sql::SqlStore;
use crate::{Result, StoreError};
use crate::{conversations, inbox, outbound};

/// Tries at storing an inbound message that keeps meeting another writer's new rows.
const INBOUND_RACE_ATTEMPTS: usize = 3;

/// Conversations across channels: messages in and out, the inbox, who read what.
#[async_trait]
pub trait Conversations: Send + Sync {
    /// Stores an inbound message once (same channel and external id: the first copy is returned).
    async fn record_inbound(&self, message: NewInbound) -> Result<InboundRecorded>;
    /// Stores a staff reply; returns the new message's id.
    async fn record_reply(&self, reply: NewReply) -> Result<String>;
    /// Starts a conversation with our message (queued for sending).
    async fn start_conversation(&self, outbound: NewOutbound) -> Result<Started>;
    async fn conversation(&self, id: &str) -> Result<Option<ConversationView>>;
    /// One page of the list `filter` asks for: `limit` rows (a refresh through a key at most
    /// [`crate::THROUGH_AT_MOST`]).
    async fn list_conversations(
        &self,
        filter: &ConversationFilter,
        page: &ListPage,
        limit: i64,
    ) -> Result<ConversationPage>;
    async fn conversation_of_message(&self, message_id: &str) -> Result<Option<String>>;
    /// `staff_id` opened the conversation now.
    async fn mark_read(&self, conversation_id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()>;
    /// Those of `ids` with a customer message `staff_id` has not seen yet.
    async fn unread_among(&self, staff_id: &str, ids: &[&str]) -> Result<Vec<String>>;
    /// The channels and tags in use, to filter the inbox by.
    async fn inbox_choices(&self) -> Result<InboxChoices>;
    async fn change_conversation(
        &self,
        id: &str,
        change: ConversationChange,
        actor_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ConversationView>;
}

#[async_trait]
impl Conversations for SqlStore {
    async fn record_inbound(&self, message: NewInbound) -> Result<InboundRecorded> {
        // Stemming is CPU work, bounded (the text's first INDEXED_CHARS characters: at most a
        // few milliseconds). It stays in the caller's task rather than the blocking pool: messages
        // submitted together join their batch in the order they were submitted.
        let prepared = PreparedInbound::new(message);
        // SQLite has one writer: its batches never race each other.
        if self.dialect == Dialect::Sqlite {
            return self.inbound_commit.submit(prepared).await;
        }
        // On PostgreSQL two nodes may store the same message, or the first two messages of a
        // new customer, at the same moment, and the later commit meets a unique key. The same
        // message is answered with the copy stored; otherwise it is written again, now finding
        // the customer the other one created.
        for _ in 0..INBOUND_RACE_ATTEMPTS {
            match self.inbound_commit.submit(prepared.clone()).await {
                Err(StoreError::Duplicate) => {
                    let mut conn = self.read.acquire().await?;
                    let message = &prepared.message;
                    let stored =
                        conversations::already_stored(&mut conn, &message.channel, &message.external_id).await?;
                    if let Some(stored) = stored {
                        return Ok(stored);
                    }
                }
                other => return other,
            }
        }
        Err(StoreError::Duplicate)
    }

    async fn record_reply(&self, reply: NewReply) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let message_id = conversations::record_reply(&mut tx, &reply).await?;
        tx.commit().await?;
        Ok(message_id)
    }

    async fn start_conversation(&self, outbound: NewOutbound) -> Result<Started> {
        let mut tx = self.begin_write().await?;
        let started = outbound::start(&mut tx, &outbound).await?;
        // Nothing is kept of a start that cannot reach the customer (a new customer included).
        match started {
            Started::Conversation { .. } => tx.commit().await?,
            Started::NoAddress => tx.rollback().await?,
        }
        Ok(started)
    }

    async fn conversation(&self, id: &str) -> Result<Option<ConversationView>> {
        conversations::conversation(&self.read, id).await
    }

    async fn list_conversations(
        &self,
        filter: &ConversationFilter,
        page: &ListPage,
        limit: i64,
    ) -> Result<ConversationPage> {
        inbox::page(&self.read, filter, page, limit).await
    }

    async fn conversation_of_message(&self, message_id: &str) -> Result<Option<String>> {
        conversations::conversation_of_message(&self.read, message_id).await
    }

    async fn mark_read(&self, conversation_id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        conversations::mark_read(&self.write, conversation_id, staff_id, now).await
    }

    async fn unread_among(&self, staff_id: &str, ids: &[&str]) -> Result<Vec<String>> {
        inbox::unread_among(&self.read, staff_id, ids).await
    }

    async fn inbox_choices(&self) -> Result<InboxChoices> {
        inbox::inbox_choices(&self.read).await
    }

    async fn change_conversation(
        &self,
        id: &str,
        change: ConversationChange,
        actor_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ConversationView> {
        let mut tx = self.begin_write().await?;
        conversations::change(&mut tx, id, &change, actor_id, now).await?;
        tx.commit().await?;
        conversations::conversation(&self.read, id)
            .await?
            .ok_or(StoreError::NotFound)
    }
}
