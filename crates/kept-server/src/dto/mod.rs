//! The JSON shapes of the API and the webhook, defined here at the HTTP edge so that the
//! OpenAPI document shows each one's schema.

mod appointments;
mod records;
mod requests;
pub use kept_app::schemas;
pub use kept_app::schemas::{list_limit, optional_day};
pub mod settings_schema;
mod surveys;
mod tone;

pub use appointments::*;
pub use records::*;
pub use requests::*;
pub use surveys::*;
pub use tone::*;

use chrono::{DateTime, Utc};
use kept_app::records::CallbackView;
use kept_domain::{CallOutcome, CallbackStatus, Lang, PromiseStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kept_app::config::Business;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallbackJson {
    pub id: String,
    /// E.164, e.g. "+31612345678".
    pub phone: String,
    pub name: Option<String>,
    /// The window code, e.g. "asap".
    pub window: String,
    pub window_label: String,
    pub note: Option<String>,
    #[schema(value_type = String, example = "open")]
    pub status: CallbackStatus,
    pub attempts: i64,
    /// The customer's language: "nl" or "en".
    #[schema(value_type = String, example = "nl")]
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
    /// Earliest moment to call (the start of the chosen window).
    pub not_before: DateTime<Utc>,
    /// When the current promise to call is due.
    pub due_at: DateTime<Utc>,
    #[schema(value_type = String, example = "open")]
    pub promise_status: PromiseStatus,
    pub overdue: bool,
    pub owner: Option<String>,
    pub customer_id: String,
    /// How many times the customer asked while this request was open: a request from a number
    /// with an open request joins it (1: asked once).
    pub asks: i64,
    /// When they last asked again.
    pub asked_again_at: Option<DateTime<Utc>>,
    /// The customer's own page of this request (`GET /api/v1/callback-requests/{id}` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

impl CallbackJson {
    pub fn new(view: &CallbackView, business: &Business, now: DateTime<Utc>) -> Self {
        let window_label = business
            .windows
            .iter()
            .find(|w| w.code == view.window)
            .map(|w| w.label(view.lang).to_string())
            .unwrap_or_else(|| view.window.clone());
        Self {
            id: view.id.clone(),
            phone: view.phone.clone(),
            name: view.name.clone(),
            window: view.window.clone(),
            window_label,
            note: view.note.clone(),
            status: view.status,
            attempts: view.attempts,
            lang: view.lang,
            created_at: view.created_at,
            not_before: view.not_before,
            due_at: view.due_at,
            promise_status: view.promise_status,
            overdue: view.promise_status == PromiseStatus::Open && view.due_at < now,
            owner: view.owner_name.clone(),
            customer_id: view.customer_id.clone(),
            asks: view.asks,
            asked_again_at: view.asked_again_at,
            status_url: None,
        }
    }
}

/// The answer to a new callback request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedCallback {
    #[serde(flatten)]
    pub callback: CallbackJson,
    /// What to tell the customer, in their language: "We bellen u vandaag vóór 11:30."
    pub confirmation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeRequest {
    #[schema(schema_with = schemas::call_outcome)]
    pub outcome: CallOutcome,
    pub note: Option<String>,
}

/// The body of every webhook call; signed with HMAC-SHA256 in `X-Kept-Signature`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEvent {
    /// callback.created, callback.outcome, promise.reminder, promise.escalated, message.*, or
    /// appointment.booked, .rescheduled, .cancelled, .reminder, .on_my_way, .done, or
    /// survey.answered.
    pub event: String,
    /// Unique per delivery; the same on retries, so receivers can ignore duplicates.
    pub delivery_id: i64,
    pub business: String,
    /// For callback.* events and promises about callback requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackJson>,
    /// For message.* events and reply promises: the conversation with its messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationJson>,
    /// For promises staff made in their own words: what, for whom, by when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUpJson>,
    /// For appointment.* events and call-ahead promises: the appointment (an SMS gateway
    /// finds the customer's phone number and the time in it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentJson>,
    /// For survey.answered and recovery promises: the survey with its score and comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyJson>,
    /// For retention promises: the contract that is about to end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractJson>,
}
