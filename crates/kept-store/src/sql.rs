//! The SQL backend. One set of statements serves SQLite and PostgreSQL (both accept `$n`
//! parameters, `ON CONFLICT` and `RETURNING`); where they differ the [`Dialect`] says how.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use kept_domain::CallbackStatus;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::api_token_cache::ApiTokenCache;
use crate::changes::ChangeFeed;
use crate::deliveries::{DeliveryFilter, DeliveryListed};
use crate::dialect::Dialect;
use crate::group_commit::{GroupCommit, InboundMessages, NewCallbacks, Writer};
use crate::model::*;
use crate::new_messages::PreparedInbound;
use crate::promises::{ESCALATION, Handover, Milestone, REMINDER};
use crate::sqlite_writer::SqliteWriter;
use crate::{Result, Store, StoreError};
use crate::{
    callbacks, conversations, customer_data, customers, follow_ups, mail, outbound, outbox, password_links, promises,
    search, settings, staff, templates,
};

/// Tries at storing an inbound message that keeps meeting another writer's new rows.
const INBOUND_RACE_ATTEMPTS: usize = 3;

pub struct SqlStore {
    pub(crate) dialect: Dialect,
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    /// Concurrent writes batched into one transaction and one commit (see group_commit).
    callback_commit: GroupCommit<NewCallbacks>,
    inbound_commit: GroupCommit<InboundMessages>,
    changes: ChangeFeed,
    /// SQLite's writer thread, which also keeps the WAL checkpointed; none on PostgreSQL.
    sqlite_writer: Option<Arc<SqliteWriter>>,
    /// Who is behind an API token, for a few seconds (see api_token_cache).
    api_tokens: ApiTokenCache,
}

impl SqlStore {
    pub async fn open(url: &str, pool_size: u32) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url)?;
        let store = match dialect {
            Dialect::Sqlite => {
                let (url, path) = prepare_sqlite_url(url)?;
                let options = AnyConnectOptions::from_str(&url)?;
                // One writing connection: SQLite serialises writers anyway, and a single
                // connection never meets a busy lock from its own process.
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                crate::migrations::run(&write, dialect).await?;
                let read = sqlite_pool(4).connect_with(options).await?;
                let sqlite_writer = Arc::new(SqliteWriter::open(&path, SQLITE_PRAGMAS)?);
                let writer = Writer::Sqlite {
                    thread: sqlite_writer.clone(),
                    turn: write.clone(),
                };
                SqlStore {
                    dialect,
                    read,
                    callback_commit: GroupCommit::start(writer.clone()),
                    inbound_commit: GroupCommit::start(writer),
                    write,
                    changes: ChangeFeed::in_memory(),
                    sqlite_writer: Some(sqlite_writer),
                    api_tokens: ApiTokenCache::default(),
                }
            }
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new().max_connections(pool_size).connect(url).await?;
                crate::migrations::run(&pool, dialect).await?;
                SqlStore {
                    dialect,
                    read: pool.clone(),
                    write: pool.clone(),
                    // Each node batches its own writes: one commit and one turn of the
                    // round-robin staff row per batch instead of one each.
                    callback_commit: GroupCommit::start(Writer::Postgres(pool.clone())),
                    inbound_commit: GroupCommit::start(Writer::Postgres(pool.clone())),
                    changes: ChangeFeed::postgres(url, pool).await?,
                    sqlite_writer: None,
                    api_tokens: ApiTokenCache::default(),
                }
            }
        };
        Ok(store)
    }

    /// SQLite must take the write lock when the transaction starts: a transaction that reads
    /// first and writes later fails at once if another writer committed in between.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.write.begin().await?,
        })
    }

    /// Reaches `milestone` on every promise due for it, in one transaction.
    async fn reach_due(
        &self,
        milestone: &Milestone,
        now: DateTime<Utc>,
        lead: Duration,
        fanout: Fanout,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let reached = promises::reach_due(&mut tx, self.dialect, milestone, now, lead, fanout).await?;
        tx.commit().await?;
        Ok(reached)
    }
}

/// WAL lets readers run beside the writer; synchronous=FULL makes every commit durable before
/// we answer, which group commit keeps affordable. temp_store: a batch's multi-row INSERT inside
/// a transaction needs a statement journal, which SQLite otherwise creates, writes and deletes as
/// a file in /tmp for every batch (importing at 1M messages: 2,220-2,270/s with it in memory,
/// 2,120-2,170/s without). wal_autocheckpoint: the index pages every batch touches are copied
/// into the database file once per checkpoint, so checkpointing every ~40 MB of WAL instead of
/// SQLite's default ~4 MB copies each such page a tenth as often (generating 100k messages
/// +3-13 %, callback intake on disk +5-16 % in four turns; generating 1M in RAM the same, 304 vs
/// 300 s); the WAL file stays that size. For every connection, sqlx's and the writer thread's;
/// since the checkpoint thread (`sqlite_checkpoints.rs`) copies commits over within moments, it
/// is the backstop for when that thread falls behind.
/// busy_timeout comes first: the other settings may wait for a lock another process holds (a
/// `kept user …` beside a running kept failed with "database is locked" when it came later).
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; \
     PRAGMA wal_autocheckpoint = 10000;";

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// Makes sure the file's folder exists and that SQLite may create the file; the URL for sqlx
/// and the file's path.
fn prepare_sqlite_url(url: &str) -> Result<(String, std::path::PathBuf)> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    }
    let url = if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    };
    Ok((url, Path::new(path).to_path_buf()))
}

#[async_trait]
impl Store for SqlStore {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    async fn add_staff(&self, new: NewStaff) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let id = staff::add(&mut tx, &new).await?;
        tx.commit().await?;
        self.staff_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    async fn invite_staff(&self, new: NewStaff, link: NewPasswordLink) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let id = staff::add(&mut tx, &new).await?;
        let link_id = password_links::create(&mut tx, &id, &link).await?;
        outbox::insert(&mut tx, &[outbox::password_link_row(&link_id, &id, link.now)]).await?;
        tx.commit().await?;
        self.staff_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    async fn send_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if !staff::is_active(&mut tx, staff_id).await? {
            return Err(StoreError::NotFound);
        }
        let link_id = password_links::create(&mut tx, staff_id, &link).await?;
        outbox::insert(&mut tx, &[outbox::password_link_row(&link_id, staff_id, link.now)]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn make_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if !staff::is_active(&mut tx, staff_id).await? {
            return Err(StoreError::NotFound);
        }
        password_links::create(&mut tx, staff_id, &NewPasswordLink { token: None, ..link }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn password_link(&self, id: &str) -> Result<Option<PasswordLinkView>> {
        password_links::by_id(&self.read, id).await
    }

    async fn usable_password_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PasswordLinkView>> {
        let mut conn = self.read.acquire().await?;
        password_links::usable(&mut conn, token_hash, now).await
    }

    async fn use_password_link(&self, token_hash: &str, password_hash: &str, now: DateTime<Utc>) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let link = password_links::usable(&mut tx, token_hash, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        password_links::use_up(&mut tx, &link.id, now).await?;
        staff::set_password_in(&mut tx, &link.staff_id, password_hash).await?;
        staff::end_sessions(&mut tx, &link.staff_id, None).await?;
        // A reset is how an owner takes back an account someone else may hold: the tokens it
        // made go with its sessions (an invitation's account has none yet).
        staff::revoke_api_tokens_of(&mut tx, &link.staff_id).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        self.staff_by_id(&link.staff_id).await?.ok_or(StoreError::NotFound)
    }

    async fn change_password(&self, staff_id: &str, password_hash: &str, keep_session: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        staff::set_password_in(&mut tx, staff_id, password_hash).await?;
        staff::end_sessions(&mut tx, staff_id, keep_session).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        Ok(())
    }

    async fn change_staff(&self, staff_id: &str, change: StaffChange) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        staff::change(&mut tx, staff_id, &change).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        self.staff_by_id(staff_id).await?.ok_or(StoreError::NotFound)
    }

    async fn deactivate_staff(&self, staff_id: &str, successor: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if successor == staff_id || !staff::is_active(&mut tx, successor).await? {
            return Err(StoreError::Conflict(
                "the successor must be someone else on the team".into(),
            ));
        }
        staff::deactivate(&mut tx, staff_id, successor).await?;
        promises::hand_over_open(&mut tx, staff_id, successor, Handover::ForGood, now).await?;
        conversations::hand_over_assigned(&mut tx, staff_id, successor, Handover::ForGood).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        Ok(())
    }

    async fn api_tokens(&self, staff_id: Option<&str>) -> Result<Vec<ApiTokenView>> {
        staff::api_tokens(&self.read, staff_id).await
    }

    async fn revoke_api_token(&self, id: &str, staff_id: Option<&str>) -> Result<()> {
        let revoked = staff::revoke_api_token(&self.write, id, staff_id).await;
        self.api_tokens.forget();
        revoked
    }

    async fn staff_by_id(&self, id: &str) -> Result<Option<Staff>> {
        staff::by_id(&self.read, id).await
    }

    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>> {
        staff::by_email(&self.read, email).await
    }

    async fn list_staff(&self) -> Result<Vec<Staff>> {
        staff::list(&self.read).await
    }

    async fn set_password(&self, staff_id: &str, password_hash: &str) -> Result<()> {
        self.change_password(staff_id, password_hash, None).await
    }

    async fn find_customers(&self, text: &str, phone: Option<&str>, limit: i64) -> Result<Vec<CustomerView>> {
        customers::find(&self.read, text, phone, limit).await
    }

    async fn set_staff_lang(&self, staff_id: &str, lang: kept_domain::Lang) -> Result<()> {
        let set = staff::set_lang(&self.write, staff_id, lang).await;
        self.api_tokens.forget();
        set
    }

    async fn set_away(&self, staff_id: &str, delegate: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let previous_stand_in = staff::delegate_of(&mut tx, staff_id).await?;
        staff::set_away(&mut tx, staff_id, delegate).await?;
        match (delegate, previous_stand_in) {
            (Some(stand_in), _) => {
                promises::hand_over_open(&mut tx, staff_id, stand_in, Handover::StandIn, now).await?;
                conversations::hand_over_assigned(&mut tx, staff_id, stand_in, Handover::StandIn).await?;
            }
            (None, Some(stand_in)) => {
                promises::hand_back(&mut tx, staff_id, &stand_in, now).await?;
                conversations::hand_back_assigned(&mut tx, staff_id, &stand_in).await?;
            }
            (None, None) => {}
        }
        tx.commit().await?;
        self.api_tokens.forget();
        Ok(())
    }

    async fn create_session(&self, session: NewSession) -> Result<()> {
        staff::create_session(&self.write, session).await
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        staff::session(&self.read, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        staff::delete_session(&self.write, token_hash).await
    }

    async fn add_api_token(&self, token_hash: &str, staff_id: &str, name: &str, now: DateTime<Utc>) -> Result<String> {
        staff::add_api_token(&self.write, token_hash, staff_id, name, now).await
    }

    async fn staff_by_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Staff>> {
        let lookup = match self.api_tokens.get(token_hash, now) {
            Ok(staff) => return Ok(Some(staff)),
            Err(lookup) => lookup,
        };
        let staff = staff::by_api_token(&self.read, token_hash).await?;
        if let Some(staff) = &staff {
            self.api_tokens.put(lookup, token_hash, staff, now);
        }
        Ok(staff)
    }

    async fn create_callback(&self, request: NewCallback) -> Result<CallbackView> {
        let view = self.callback_commit.submit(request).await?;
        // Joined to the customer's open request: that request as it is now.
        if view.asks > 1 {
            return callbacks::get(&self.read, &view.id).await?.ok_or(StoreError::NotFound);
        }
        Ok(view)
    }

    async fn callback(&self, id: &str) -> Result<Option<CallbackView>> {
        callbacks::get(&self.read, id).await
    }

    async fn list_callbacks(&self, status: Option<CallbackStatus>, limit: i64) -> Result<Vec<CallbackView>> {
        callbacks::list(&self.read, status, limit).await
    }

    async fn record_outcome(&self, outcome: NewOutcome) -> Result<CallbackView> {
        let mut tx = self.begin_write().await?;
        callbacks::record_outcome(&mut tx, &outcome).await?;
        tx.commit().await?;
        callbacks::get(&self.read, &outcome.callback_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn customer_history(&self, customer_id: &str) -> Result<Vec<HistoryEntry>> {
        callbacks::customer_history(&self.read, customer_id).await
    }

    async fn promise_history(&self, promise_id: &str) -> Result<Vec<PromiseHistoryEntry>> {
        promises::history(&self.read, promise_id).await
    }

    async fn promise(&self, id: &str) -> Result<Option<PromiseRecord>> {
        promises::get(&self.read, id).await
    }

    async fn list_promises(&self, filter: &PromiseFilter) -> Result<Vec<PromiseListed>> {
        promises::list(&self.read, filter).await
    }

    async fn remind_due(&self, now: DateTime<Utc>, lead: Duration, fanout: Fanout) -> Result<usize> {
        self.reach_due(&REMINDER, now, lead, fanout).await
    }

    async fn escalate_overdue(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize> {
        self.reach_due(&ESCALATION, now, Duration::zero(), fanout).await
    }

    async fn claim_outbox(&self, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<OutboxItem>> {
        outbox::claim(&self.write, self.dialect, now, lease, limit).await
    }

    async fn release_leases_at_start(&self) -> Result<()> {
        match self.dialect {
            Dialect::Sqlite => outbox::release_leases(&self.write).await,
            Dialect::Postgres => Ok(()),
        }
    }

    async fn outbox_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        outbox::delivered(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
        outbox::failed(&self.write, id, error, retry_at).await
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts> {
        outbox::counts(&self.read).await
    }

    async fn outbox_waiting(&self, now: DateTime<Utc>) -> Result<i64> {
        outbox::waiting(&self.read, now).await
    }

    async fn settings_document(&self) -> Result<Option<String>> {
        settings::document(&self.read).await
    }

    async fn save_settings_document(
        &self,
        document: &str,
        changes: &[SettingChange],
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        settings::save(&mut tx, document, changes, staff_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn settings_changes(&self, limit: i64) -> Result<Vec<SettingChangeView>> {
        settings::changes(&self.read, limit).await
    }

    async fn failed_replies(&self, limit: i64) -> Result<Vec<FailedReply>> {
        outbox::failed_replies(&self.read, limit).await
    }

    async fn retry_reply(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()> {
        outbox::retry_reply(&self.write, outbox_id, now).await
    }

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

    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryListed>> {
        crate::deliveries::list(&self.read, filter).await
    }

    async fn retry_delivery(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()> {
        crate::deliveries::retry(&self.write, outbox_id, None, now).await
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

    async fn list_conversations(&self, filter: &ConversationFilter, limit: i64) -> Result<Vec<ConversationView>> {
        conversations::list_conversations(&self.read, filter, limit).await
    }

    async fn mark_read(&self, conversation_id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        conversations::mark_read(&self.write, conversation_id, staff_id, now).await
    }

    async fn unread_among(&self, staff_id: &str, ids: &[&str]) -> Result<Vec<String>> {
        conversations::unread_among(&self.read, staff_id, ids).await
    }

    async fn inbox_choices(&self) -> Result<InboxChoices> {
        conversations::inbox_choices(&self.read).await
    }

    async fn conversation_of_message(&self, message_id: &str) -> Result<Option<String>> {
        conversations::conversation_of_message(&self.read, message_id).await
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

    async fn customer_timeline(&self, customer_id: &str) -> Result<Vec<TimelineEntry>> {
        conversations::timeline(&self.read, customer_id).await
    }

    async fn customer(&self, id: &str) -> Result<Option<CustomerView>> {
        customers::customer(&self.read, id).await
    }

    async fn rename_customer(&self, id: &str, name: Option<&str>) -> Result<()> {
        customers::rename(&self.write, id, name).await
    }

    async fn customer_record_counts(&self, id: &str) -> Result<Vec<(&'static str, i64)>> {
        let mut conn = self.read.acquire().await?;
        customer_data::counts(&mut conn, id).await
    }

    async fn add_contact(&self, customer_id: &str, contact: Contact, now: DateTime<Utc>) -> Result<CustomerView> {
        let mut tx = self.begin_write().await?;
        customers::add_contact(&mut tx, customer_id, &contact, now).await?;
        tx.commit().await?;
        customers::customer(&self.read, customer_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn attachment(&self, id: &str) -> Result<Option<(AttachmentInfo, Option<Vec<u8>>)>> {
        mail::attachment(&self.read, id).await
    }

    async fn record_unreadable_mail(&self, unreadable: NewUnreadableMail) -> Result<(String, bool)> {
        let mut tx = self.begin_write().await?;
        let recorded = mail::record_unreadable(&mut tx, &unreadable).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn unreadable_mail(&self, include_handled: bool) -> Result<Vec<UnreadableMail>> {
        mail::list_unreadable(&self.read, include_handled).await
    }

    async fn unreadable_raw(&self, id: &str) -> Result<Option<Vec<u8>>> {
        mail::unreadable_raw(&self.read, id).await
    }

    async fn mark_unreadable_handled(&self, id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        mail::mark_unreadable_handled(&mut tx, id, staff_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn search(&self, filter: &SearchFilter) -> Result<SearchPage> {
        search::search(&self.read, self.dialect, filter).await
    }

    async fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        templates::list(&self.read).await
    }

    async fn save_reply_template(&self, name: &str, body: &str, now: DateTime<Utc>) -> Result<ReplyTemplate> {
        let mut tx = self.begin_write().await?;
        let saved = templates::save(&mut tx, name, body, now).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete_reply_template(&self, id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        templates::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn merge_customers(&self, into: &str, from: &str) -> Result<CustomerView> {
        let mut tx = self.begin_write().await?;
        customers::merge(&mut tx, self.dialect, into, from).await?;
        tx.commit().await?;
        customers::customer(&self.read, into).await?.ok_or(StoreError::NotFound)
    }

    async fn add_record(
        &self,
        customer_id: &str,
        staff_id: &str,
        record: NewRecord,
        promised: &[Promised],
        now: DateTime<Utc>,
    ) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let id = customers::add_record(&mut tx, customer_id, staff_id, &record, now).await?;
        follow_ups::create_promised(&mut tx, customer_id, staff_id, promised, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn export_customer(&self, id: &str, now: DateTime<Utc>) -> Result<CustomerExport> {
        let mut conn = self.read.acquire().await?;
        customer_data::export(&mut conn, id, now).await
    }

    async fn erase_customer(&self, id: &str, staff_id: &str, reason: &str, now: DateTime<Utc>) -> Result<Erasure> {
        let mut tx = self.begin_write().await?;
        let erasure = customer_data::erase(&mut tx, self.dialect, id, staff_id, reason, now).await?;
        tx.commit().await?;
        if let Some(writer) = &self.sqlite_writer {
            // Copy the erased pages into the database file (overwritten there, see
            // secure_delete) and empty the WAL, which still holds the old pages. The erasure
            // itself is committed either way: saying it failed would be untrue.
            if let Err(error) = writer.truncate_wal().await {
                tracing::warn!(%error, "erased; the WAL keeps the old pages until it is next reused");
            }
        }
        Ok(erasure)
    }

    async fn erasures(&self) -> Result<Vec<Erasure>> {
        let mut conn = self.read.acquire().await?;
        customer_data::erasures(&mut conn).await
    }

    async fn create_follow_up(&self, new: NewFollowUp) -> Result<FollowUpView> {
        let mut tx = self.begin_write().await?;
        let id = follow_ups::create(&mut tx, &new).await?;
        tx.commit().await?;
        follow_ups::get(&self.read, &id).await?.ok_or(StoreError::NotFound)
    }

    async fn follow_up(&self, id: &str) -> Result<Option<FollowUpView>> {
        follow_ups::get(&self.read, id).await
    }

    async fn customer_follow_ups(&self, customer_id: &str) -> Result<Vec<FollowUpView>> {
        follow_ups::of_customer(&self.read, customer_id).await
    }

    async fn close_follow_up(
        &self,
        id: &str,
        closing: kept_domain::Closing,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUpView> {
        let mut tx = self.begin_write().await?;
        follow_ups::close(&mut tx, id, closing, staff_id, now).await?;
        tx.commit().await?;
        follow_ups::get(&self.read, id).await?.ok_or(StoreError::NotFound)
    }

    fn publish_change(&self, what: &str) {
        self.changes.publish(what)
    }

    fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.changes.subscribe()
    }
}

impl SqlStore {
    /// Closes both pools, waiting for connections to be returned (SQLite's writer thread closes
    /// its own connection when the store is dropped).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
