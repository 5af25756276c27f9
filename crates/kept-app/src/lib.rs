//! kept's application: one function per use case — authorize → validate → write → notify —
//! used alike by the API handlers, the staff pages, the CLI, the workers and the demo. Nothing
//! here knows about HTTP; errors are [`AppError`], which the web layer turns into answers in
//! one place.
//!
//! Besides the use cases this crate holds what they are made of and nothing else: the
//! configuration ([`config`]), passwords and tokens ([`auth`]), reading inbound mail
//! ([`inbound_email`]), the calendar files ([`calendar`]), the schemas forms and the API share
//! ([`schemas`]) and the saved replies' template language ([`templates`]).

pub mod auth;
pub mod bench;
pub mod calendar;
pub mod config;
mod config_error;
pub mod error;
pub mod inbound_email;
pub mod mailboxes;
pub mod operator;
pub mod outbox;
pub mod reactions;
pub mod schemas;
pub mod search;
pub mod smtp_url;
pub mod survey_settings;
pub mod timers;

/// The records the use cases take and give — the store's rows as the pages, the API and the
/// mails show them — so that the web crate and the binary need no store of their own (they
/// cannot call it: the store itself is private to this crate).
pub mod records {
    pub use kept_store::customer_data;
    pub use kept_store::model::*;
    pub use kept_store::{
        AnswerRecorded, AppointmentView, BounceRecorded, CalendarAnswerView, ContractChange, ContractView,
        DeliveryFilter, DeliveryListed, DigestView, FanView, ImportAction, ImportCounts, Location, LocationInput,
        MailboxState, Polled, Service, ServiceInput, StaffSchedule, SurveyFilter, SurveyView, ToneDismissal,
        WaitingView,
    };
}

mod appointments;
mod booking_offer;
mod callbacks;
mod commitments;
mod contracts;
mod customers;
mod deliveries;
mod email_in;
mod first_day;
mod first_messages;
mod insights;
mod links;
mod messages;
mod password_reset;
mod problems;
mod sessions;
mod settings;
mod staff;
mod status_page;
mod surveys;
pub mod templates;
mod tone;

use std::sync::{Arc, RwLock};

use kept_domain::Clock;
use kept_domain::staff::OwnerOnly;
use kept_store::{Fanout, Staff, Store};
use tokio::sync::Notify;

pub use appointments::{
    AbsenceForm, Booked, LocationForm, ScheduleForm, ServiceForm, book, calendar_feed, calendar_url, change_status,
    day, free_slots, join_waiting_list, manage_url, managed, on_my_way, reschedule, save_location, save_service,
    service_defaults, set_schedule,
};
pub use callbacks::{Accepted, accept_callback, record_outcome};
pub use commitments::{CommitmentChoices, commitment_keys, vague_promise_due};
pub use contracts::{
    PlannedRow, import_contracts, import_good_rows, open_outreach, preview_contracts, record_contract_outcome,
    save_contract,
};
pub use customers::{
    add_contact, add_follow_up, add_note, close_follow_up, erase_customer, export_customer, log_call, merge_customers,
    rename_customer,
};
pub use deliveries::{deliveries, retry_delivery};
pub use email_in::{EmailAccepted, MailSource, accept_email};
pub use first_day::{FirstDay, first_day};
pub use first_messages::{FirstMessage, MAX_SUBJECT_CHARS, start_conversation};
pub use insights::{
    DIGEST_LIST_ROWS, InsightsRequest, dashboard, digest_week, insights, send_weekly_digest, staff_names,
    weekly_dashboard,
};
pub use messages::{
    EMAIL, MAX_TAG_CHARS, accept_inbound, can_send, change_confirmed, change_conversation, change_conversations,
    clean_tags, mark_unreadable_handled, reply, retry_reply, with_due_time_and_mood,
};
pub use password_reset::{forgot_password, printed_reset_link};
pub use settings::{change_settings, current_settings, load_saved_settings};
pub use staff::{
    LinkSent, NewMember, api_tokens, change_member, change_own_password, create_api_token, deactivate, invite,
    password_url, revoke_api_token, send_password_reset, set_away, set_own_language, set_password_with_link,
    usable_password_link,
};
pub use status_page::{
    CustomerPage, OPEN_AFTER_CLOSING, PageAppointment, PageMessage, RequestPage, open_page, preview_page, refresh_page,
    revoke_status_link, status_path, status_url,
};
pub use surveys::{
    AnswerForm, Contact, FAN_TENURE_DAYS, MAX_COMMENT_CHARS, after_contact, answer, answer_url, answerable, ask_nps,
    fans, promised_call, thank_fan,
};
pub use templates::{delete_template, draft_reply, save_template};
pub use tone::{check_reply, dismiss_finding, tone_dismissals, undo_tone_dismissal};

// What the pages read (the commands above write).
pub use appointments::{
    BookingSetup, appointment, booking_setup, location, locations, service, services, staff_schedule,
};
pub use booking_offer::{BookingChoice, BookingOffer, booking_offer};
pub use callbacks::{callback, callbacks, promise_history, promises};
pub use contracts::{ContractSurroundings, contract, contract_surroundings, contracts, finished_contracts};
pub use customers::{
    CustomerRecord, TIMELINE_PAGE, customer, customer_follow_ups, customer_history, customer_record,
    customer_record_counts, customer_timeline, customer_timeline_page, find_customers,
};
pub use messages::{
    ConversationRecord, attachment, conversation, conversation_record, conversations, failed_replies, inbox_choices,
    mark_read, unread_among, unreadable_mail, unreadable_raw,
};
pub use sessions::{SESSION_LENGTH, log_in, log_out, session, staff_by_api_token, start_session};
pub use settings::{SettingsRecord, settings_changes, settings_record};
pub use staff::{staff_by_email, staff_member, team};
pub use surveys::surveys;
pub use templates::reply_templates;

pub use crate::config::Settings;
use crate::error::AppError;

/// What every use case needs: the store, the settings, the clock, and a way to tell the
/// workers and every node's pages about a change.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    /// Swapped whole when the owner changes the business's settings (on any node).
    settings: Arc<RwLock<Arc<Settings>>>,
    pub clock: Arc<dyn Clock>,
    /// Wakes this node's outbox worker as soon as something is queued.
    pub outbox_wake: Arc<Notify>,
    /// The first day's steps were all seen done: the home page stops asking the store.
    first_day_done: Arc<std::sync::atomic::AtomicBool>,
}

impl App {
    pub fn new(settings: Settings, clock: Arc<dyn Clock>, store: Arc<dyn Store>) -> App {
        App {
            store,
            settings: Arc::new(RwLock::new(Arc::new(settings))),
            clock,
            outbox_wake: Arc::new(Notify::new()),
            first_day_done: Arc::default(),
        }
    }

    /// The application on the database the settings name (SQLite or PostgreSQL, brought up to
    /// date). For the binary: it needs no store type. The owner's saved settings are not read
    /// here: `kept_server::launch` reads them as it starts, a command calls
    /// [`load_saved_settings`] when it needs them.
    pub async fn open(settings: Settings, clock: Arc<dyn Clock>) -> Result<App, AppError> {
        let store = kept_store::open_with(&settings.database_url, settings.database_pool_size)
            .await
            .map_err(|error| AppError::Internal(format!("opening the database {}: {error}", settings.database_url)))?;
        Ok(App::new(settings, clock, store))
    }

    /// The same application at the time `clock` tells: the demo writes its samples at moments
    /// in the past through it.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> App {
        App { clock, ..self.clone() }
    }

    /// The settings as they are now. Take them once per use: the business's part may change
    /// between two calls.
    pub fn settings(&self) -> Arc<Settings> {
        match self.settings.read() {
            Ok(current) => current.clone(),
            // A writer panicked mid-swap; the value itself is a whole Arc either way.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts new settings in place for every request and worker from now on.
    pub fn replace_settings(&self, settings: Settings) {
        let next = Arc::new(settings);
        match self.settings.write() {
            Ok(mut current) => *current = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// The channels changes are announced on: only those that are configured.
    pub fn fanout(&self) -> Fanout {
        Fanout {
            email: self.settings().smtp_url.is_some(),
            webhook: self.settings().webhook_url.is_some(),
        }
    }

    /// What any node announces from now on (see [`App::announce`]): the live pages follow it.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.store.subscribe_changes()
    }

    /// Call after every write: wakes this node's outbox worker and tells every node's pages
    /// what changed (through the store's change feed, PostgreSQL NOTIFY between nodes).
    pub fn announce(&self, change: Change) {
        self.outbox_wake.notify_one();
        self.store.publish_change(change.as_str());
    }
}

/// What changed, so that the pages showing it refresh, on every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Callbacks,
    Conversations,
    /// A customer's record or timeline: notes, calls, follow-ups, merges, erasures.
    Customers,
    UnreadableMail,
    /// Reminders and escalations.
    Promises,
    Team,
    /// The business's settings: every node loads them again.
    Settings,
    /// Locations, services, schedules and appointments.
    Appointments,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Callbacks => "callbacks",
            Change::Conversations => "conversations",
            Change::Customers => "customers",
            Change::UnreadableMail => "unreadable_mail",
            Change::Promises => "promises",
            Change::Team => "team",
            Change::Settings => "settings",
            Change::Appointments => "appointments",
        }
    }
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
