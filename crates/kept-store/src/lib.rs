//! kept's storage: one interface ([`Store`]) with a SQLite and a PostgreSQL backend, chosen
//! from the database URL. SQL lives here and nowhere else.

mod api_token_cache;
mod appointments;
#[cfg(test)]
mod baseline_tests;
mod bounces;
mod calendar_answers;
mod callbacks;
mod changes;
mod contracts;
mod conversations;
pub mod customer_data;
mod customers;
mod deliveries;
mod dialect;
mod digests;
mod error;
mod fans;
mod follow_ups;
mod group_commit;
mod insights;
mod mail;
mod mailboxes;
mod migrations;
pub mod model;
mod new_callbacks;
mod new_messages;
mod outbound;
mod outbox;
mod password_links;
mod postgres_batch;
mod promises;
mod schedules;
mod search;
mod settings;
mod sql;
mod sqlite_checkpoints;
mod sqlite_writer;
mod staff;
mod statements;
mod surveys;
mod templates;
#[cfg(test)]
mod test_postgres;
mod time;
mod tone_dismissals;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use kept_domain::CallbackStatus;

pub use api_token_cache::FRESH_FOR as API_TOKEN_FRESH_FOR;
pub use appointments::{
    AppointmentChange, AppointmentView, Appointments, CallAheadView, NewAppointment, NewTime, NewWaiting, WaitingView,
};
pub use bounces::{BounceRecorded, Bounces, NewBounce};
pub use calendar_answers::{AnswerRecorded, CalendarAnswerView, CalendarAnswers, NewCalendarAnswer};
pub use contracts::{ContractChange, ContractView, Contracts, ImportAction, ImportCounts, NewContract};
pub use deliveries::{DeliveryFilter, DeliveryListed};
pub use dialect::Dialect;
pub use digests::{DigestView, Digests};
pub use error::StoreError;
pub use fans::{FanView, Fans};
pub use insights::{Insights, Reading};
pub use mailboxes::{ALERT_AFTER as MAILBOX_ALERT_AFTER, MailboxState, Mailboxes, Polled};
pub use model::*;
pub use schedules::{Absence, BookingFacts, Location, LocationInput, Schedules, Service, ServiceInput, StaffSchedule};
pub use sql::SqlStore;
pub use surveys::{NewRecovery, NewSurvey, SurveyAnswer, SurveyFilter, SurveyView, Surveys};
pub use tone_dismissals::{ToneDismissal, ToneDismissals};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything kept keeps. Methods that change several tables do so in one transaction,
/// together with the outbox rows that announce the change.
#[async_trait]
pub trait Store:
    Schedules
    + Appointments
    + Bounces
    + CalendarAnswers
    + Digests
    + Mailboxes
    + Surveys
    + Contracts
    + Fans
    + Insights
    + ToneDismissals
    + Send
    + Sync
    + 'static
{
    fn dialect(&self) -> Dialect;

    // Staff, sessions and tokens.
    async fn add_staff(&self, staff: NewStaff) -> Result<Staff>;
    async fn staff_by_id(&self, id: &str) -> Result<Option<Staff>>;
    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>>;
    async fn list_staff(&self) -> Result<Vec<Staff>>;
    async fn set_password(&self, staff_id: &str, password_hash: &str) -> Result<()>;
    /// Customers by part of their name, e-mail address or handle, or by their phone number.
    async fn find_customers(&self, text: &str, phone: Option<&str>, limit: i64) -> Result<Vec<CustomerView>>;
    async fn set_staff_lang(&self, staff_id: &str, lang: kept_domain::Lang) -> Result<()>;
    /// Marks someone away (handing their open promises to the delegate) or back.
    async fn set_away(&self, staff_id: &str, away: Option<&str>, now: DateTime<Utc>) -> Result<()>;
    async fn create_session(&self, session: NewSession) -> Result<()>;
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Stores a named API token's hash; returns the id it is listed and revoked by.
    async fn add_api_token(&self, token_hash: &str, staff_id: &str, name: &str, now: DateTime<Utc>) -> Result<String>;
    /// The active staff member behind a token. Remembered for a few seconds per node: a change
    /// to staff or tokens made on this node counts at once, one made on another node within
    /// [`API_TOKEN_FRESH_FOR`].
    async fn staff_by_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Staff>>;
    /// API tokens, newest first: only `staff_id`'s when given.
    async fn api_tokens(&self, staff_id: Option<&str>) -> Result<Vec<ApiTokenView>>;
    /// Revokes a token (only if it is `staff_id`'s, when given).
    async fn revoke_api_token(&self, id: &str, staff_id: Option<&str>) -> Result<()>;

    // The team: invitations, password links, roles, leaving.
    /// Adds someone without a password yet and e-mails them a link to choose one.
    async fn invite_staff(&self, staff: NewStaff, link: NewPasswordLink) -> Result<Staff>;
    /// E-mails `staff_id` a new link to set their password; earlier links stop working.
    async fn send_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()>;
    /// Stores a password link that is handed over another way than by e-mail (printed on the
    /// server's command line); earlier links of theirs stop working.
    async fn make_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()>;
    async fn password_link(&self, id: &str) -> Result<Option<PasswordLinkView>>;
    /// The link with this token hash, if it still works.
    async fn usable_password_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PasswordLinkView>>;
    /// Sets the password through a link, uses the link up, logs the person out elsewhere and
    /// revokes their API tokens.
    async fn use_password_link(&self, token_hash: &str, password_hash: &str, now: DateTime<Utc>) -> Result<Staff>;
    /// Sets a new password and ends every other session of theirs (`keep_session` stays).
    async fn change_password(&self, staff_id: &str, password_hash: &str, keep_session: Option<&str>) -> Result<()>;
    /// Renames someone or changes their role; `LastOwner` if no owner would be left.
    async fn change_staff(&self, staff_id: &str, change: StaffChange) -> Result<Staff>;
    /// Takes someone off the team: their open promises and conversations go to `successor`.
    async fn deactivate_staff(&self, staff_id: &str, successor: &str, now: DateTime<Utc>) -> Result<()>;

    // Callback requests and their promises.
    async fn create_callback(&self, request: NewCallback) -> Result<CallbackView>;
    async fn callback(&self, id: &str) -> Result<Option<CallbackView>>;
    async fn list_callbacks(&self, status: Option<CallbackStatus>, limit: i64) -> Result<Vec<CallbackView>>;
    async fn record_outcome(&self, outcome: NewOutcome) -> Result<CallbackView>;
    async fn customer_history(&self, customer_id: &str) -> Result<Vec<HistoryEntry>>;
    async fn promise_history(&self, promise_id: &str) -> Result<Vec<PromiseHistoryEntry>>;
    async fn promise(&self, id: &str) -> Result<Option<PromiseRecord>>;
    async fn list_promises(&self, filter: &PromiseFilter) -> Result<Vec<PromiseListed>>;

    // Timers: each reminder and escalation is recorded once, however many nodes look.
    async fn remind_due(&self, now: DateTime<Utc>, lead: Duration, fanout: Fanout) -> Result<usize>;
    async fn escalate_overdue(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize>;

    // The outbox.
    async fn claim_outbox(&self, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<OutboxItem>>;
    /// For `kept serve` starting on SQLite (one node per file): a lease still held belongs to a
    /// run that died mid-delivery, so its items are retried now. Nothing on PostgreSQL, where
    /// other nodes hold leases; and no other command may do it beside a running server.
    async fn release_leases_at_start(&self) -> Result<()>;
    async fn outbox_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()>;
    /// Records a failed attempt; `retry_at: None` gives up on the item.
    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()>;
    async fn outbox_counts(&self) -> Result<OutboxCounts>;
    /// Pending items held back on purpose until a moment after `now` (a notice waiting for an
    /// answer to settle), never tried yet: not late, just not due.
    async fn outbox_waiting(&self, now: DateTime<Utc>) -> Result<i64>;
    /// Staff replies kept gave up delivering, newest first.
    async fn failed_replies(&self, limit: i64) -> Result<Vec<FailedReply>>;
    /// Queues a failed reply again from scratch; `NotFound` when `outbox_id` is not one.
    async fn retry_reply(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()>;

    // Conversations across channels.
    /// Stores an inbound message once (same channel and external id: the first copy is returned).
    async fn record_inbound(&self, message: NewInbound) -> Result<InboundRecorded>;
    /// Stores a staff reply; returns the new message's id.
    async fn record_reply(&self, reply: NewReply) -> Result<String>;
    /// What kept sent or tried, newest first (kept's own hooks left out).
    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryListed>>;
    /// Sends an item kept gave up on again; `NotFound` when it is not one.
    async fn retry_delivery(&self, outbox_id: i64, now: DateTime<Utc>) -> Result<()>;
    /// Starts a conversation with our message (queued for sending).
    async fn start_conversation(&self, outbound: NewOutbound) -> Result<Started>;
    async fn conversation(&self, id: &str) -> Result<Option<ConversationView>>;
    async fn list_conversations(&self, filter: &ConversationFilter, limit: i64) -> Result<Vec<ConversationView>>;
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
    async fn customer_timeline(&self, customer_id: &str) -> Result<Vec<TimelineEntry>>;

    // Customers.
    async fn customer(&self, id: &str) -> Result<Option<CustomerView>>;
    async fn rename_customer(&self, id: &str, name: Option<&str>) -> Result<()>;
    /// Per table of the register, how many rows are the customer's: what merging them moves.
    async fn customer_record_counts(&self, id: &str) -> Result<Vec<(&'static str, i64)>>;
    async fn add_contact(&self, customer_id: &str, contact: Contact, now: DateTime<Utc>) -> Result<CustomerView>;
    /// Moves all of `from` (requests, calls, promises, conversations, contacts, notes) to `into`.
    async fn merge_customers(&self, into: &str, from: &str) -> Result<CustomerView>;
    /// Records a note or a phone call; returns its id.
    async fn add_record(
        &self,
        customer_id: &str,
        staff_id: &str,
        record: NewRecord,
        promised: &[Promised],
        now: DateTime<Utc>,
    ) -> Result<String>;

    // E-mail details.
    async fn attachment(&self, id: &str) -> Result<Option<(AttachmentInfo, Option<Vec<u8>>)>>;
    /// Stores mail kept could not read, once per fingerprint; the id and whether it was new.
    async fn record_unreadable_mail(&self, mail: NewUnreadableMail) -> Result<(String, bool)>;
    async fn unreadable_mail(&self, include_handled: bool) -> Result<Vec<UnreadableMail>>;
    async fn unreadable_raw(&self, id: &str) -> Result<Option<Vec<u8>>>;
    async fn mark_unreadable_handled(&self, id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()>;

    // Search and saved replies.
    async fn search(&self, filter: &SearchFilter) -> Result<SearchPage>;
    async fn reply_templates(&self) -> Result<Vec<ReplyTemplate>>;
    /// Creates the template, or replaces the one with the same name.
    async fn save_reply_template(&self, name: &str, body: &str, now: DateTime<Utc>) -> Result<ReplyTemplate>;
    async fn delete_reply_template(&self, id: &str) -> Result<()>;

    // The customer's own data (AVG/GDPR): everything about them, or nothing left.
    async fn export_customer(&self, id: &str, now: DateTime<Utc>) -> Result<CustomerExport>;
    /// Erases the customer and everything linked to them (see `customer_data::REGISTER`),
    /// leaving an anonymous record; the erased text does not linger in the database files.
    async fn erase_customer(&self, id: &str, staff_id: &str, reason: &str, now: DateTime<Utc>) -> Result<Erasure>;
    async fn erasures(&self) -> Result<Vec<Erasure>>;

    // Follow-ups staff promised in their own words.
    async fn create_follow_up(&self, follow_up: NewFollowUp) -> Result<FollowUpView>;
    async fn follow_up(&self, id: &str) -> Result<Option<FollowUpView>>;
    async fn customer_follow_ups(&self, customer_id: &str) -> Result<Vec<FollowUpView>>;
    async fn close_follow_up(
        &self,
        id: &str,
        closing: kept_domain::Closing,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUpView>;

    /// Tells every node that `what` changed ("conversations", "team" …), for their pages;
    /// changes published in quick succession are announced together (see `changes.rs`).
    fn publish_change(&self, what: &str);

    // The business's own settings.
    /// The saved settings document (JSON), if the owner ever saved one.
    async fn settings_document(&self) -> Result<Option<String>>;
    /// Saves the settings document and records each change, at once.
    async fn save_settings_document(
        &self,
        document: &str,
        changes: &[SettingChange],
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn settings_changes(&self, limit: i64) -> Result<Vec<SettingChangeView>>;
    /// What any node (this one included) publishes from now on.
    fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<String>;
}

/// Connections a PostgreSQL node keeps open unless told otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// Opens the store named by `url`: `sqlite://path` (created if missing) or `postgres://…`,
/// and brings its schema up to date.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    open_with(url, DEFAULT_POOL_SIZE).await
}

/// The same, with `pool_size` connections on PostgreSQL.
pub async fn open_with(url: &str, pool_size: u32) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::open(url, pool_size).await?))
}
