//! kept's storage: one interface ([`Store`]) with a SQLite and a PostgreSQL backend, chosen
//! from the database URL. SQL lives here and nowhere else.

mod aggregates;
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
mod customer_words;
mod customers;
mod deliveries;
mod dialect;
mod digests;
mod error;
mod fans;
mod follow_ups;
mod group_commit;
mod inbox;
mod inbox_columns;
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
mod status_pages;
mod surveys;
mod templates;
#[cfg(test)]
mod test_postgres;
mod time;
mod timeline;
mod tone_dismissals;

use std::sync::Arc;

pub use aggregates::{
    Access, BusinessSettings, Callbacks, Changes, Conversations, CustomerData, Customers, Deliveries, FollowUps,
    MailDetails, Outbox, Promises, ReplyTemplates, Search, Team,
};
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
pub use inbox::THROUGH_AT_MOST;
pub use insights::{Insights, Reading};
pub use mailboxes::{ALERT_AFTER as MAILBOX_ALERT_AFTER, MailboxState, Mailboxes, Polled};
pub use model::*;
pub use schedules::{Absence, BookingFacts, Location, LocationInput, Schedules, Service, ServiceInput, StaffSchedule};
pub use sql::SqlStore;
pub use status_pages::{StatusLink, StatusPages};
pub use surveys::{NewRecovery, NewSurvey, SurveyAnswer, SurveyFilter, SurveyView, Surveys};
pub use tone_dismissals::{ToneDismissal, ToneDismissals};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything kept keeps, one trait per aggregate (see `aggregates/`). Methods that change
/// several tables do so in one transaction, together with the outbox rows that announce the
/// change. Calling through `dyn Store` needs no trait imports: a trait object's supertraits'
/// methods are its own.
pub trait Store:
    Team
    + Access
    + Callbacks
    + Promises
    + Outbox
    + Deliveries
    + Conversations
    + Customers
    + MailDetails
    + Search
    + ReplyTemplates
    + CustomerData
    + FollowUps
    + BusinessSettings
    + Changes
    + Schedules
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
    + StatusPages
    + Send
    + Sync
    + 'static
{
    fn dialect(&self) -> Dialect;
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
