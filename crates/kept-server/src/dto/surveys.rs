//! Surveys and promises as the API and webhooks show them.

use chrono::{DateTime, Utc};
use kept_app::records::SurveyView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A survey: what was asked of whom, and the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyJson {
    pub id: String,
    /// csat (1–5), nps (0–10) or exit (a reason).
    #[schema(example = "csat")]
    pub kind: String,
    /// callback, conversation, appointment, schedule or contract_left.
    #[schema(example = "conversation")]
    pub trigger: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    /// planned, sent or answered.
    #[schema(example = "answered")]
    pub status: String,
    pub score: Option<i64>,
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// Who handled the contact it is about.
    pub handler_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The call a low answer asked for.
    pub recovery_promise_id: Option<String>,
}

impl From<&SurveyView> for SurveyJson {
    fn from(s: &SurveyView) -> Self {
        SurveyJson {
            id: s.id.clone(),
            kind: s.kind.as_str().to_string(),
            trigger: s.trigger.as_str().to_string(),
            customer_id: s.customer_id.clone(),
            customer_name: s.customer_name.clone(),
            status: s.status.as_str().to_string(),
            score: s.score,
            reason: s.reason.clone(),
            comment: s.comment.clone(),
            handler_id: s.handler_id.clone(),
            sent_at: s.sent_at,
            reminded_at: s.reminded_at,
            answered_at: s.answered_at,
            recovery_promise_id: s.recovery_id.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    /// planned, sent or answered.
    #[param(schema_with = super::schemas::survey_status)]
    pub status: Option<String>,
    /// csat, nps or exit.
    #[param(schema_with = super::schemas::survey_kind)]
    pub kind: Option<String>,
    /// Only this customer's.
    pub customer: Option<String>,
    /// Only answers with at most this score.
    pub max_score: Option<i64>,
    /// Up to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A promise of any kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromiseJson {
    pub id: String,
    /// callback, callback_retry, reply, follow_up, call_ahead, recovery …
    #[schema(example = "recovery")]
    pub kind: String,
    /// open, kept, broken or cancelled.
    #[schema(example = "open")]
    pub status: String,
    /// What it is about: the callback request, conversation, follow-up, appointment or survey.
    pub subject_id: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<&kept_app::records::PromiseListed> for PromiseJson {
    fn from(p: &kept_app::records::PromiseListed) -> Self {
        PromiseJson {
            id: p.id.clone(),
            kind: p.kind.as_str().to_string(),
            status: p.status.as_str().to_string(),
            subject_id: p.subject_id.clone(),
            customer_id: p.customer_id.clone(),
            customer_name: p.customer_name.clone(),
            owner_id: p.owner_id.clone(),
            owner_name: p.owner_name.clone(),
            due_at: p.due_at,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PromiseQuery {
    /// One kind: callback, callback_retry, reply, follow_up, call_ahead, recovery, retention.
    #[param(schema_with = super::schemas::promise_kind)]
    pub kind: Option<String>,
    /// open, kept, broken or cancelled.
    #[param(schema_with = super::schemas::promise_status)]
    pub status: Option<String>,
    /// Only this customer's.
    pub customer: Option<String>,
    /// Only this staff member's.
    pub owner: Option<String>,
    /// Up to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A contract or subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractJson {
    pub id: String,
    /// The business's own id, which an import matches on.
    pub external_id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub product: String,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: chrono::NaiveDate,
    /// Per year, in cents.
    pub value_cents: Option<i64>,
    /// active, renewed, left or undecided.
    #[schema(example = "active")]
    pub status: String,
    /// When the outreach promise appears (or appeared).
    pub outreach_at: DateTime<Utc>,
    pub outreach_promise_id: Option<String>,
    pub outcome_note: Option<String>,
}

impl From<&kept_app::records::ContractView> for ContractJson {
    fn from(c: &kept_app::records::ContractView) -> Self {
        ContractJson {
            id: c.id.clone(),
            external_id: c.external_id.clone(),
            customer_id: c.customer_id.clone(),
            customer_name: c.customer_name.clone(),
            product: c.product.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
            value_cents: c.value_cents,
            status: c.status.as_str().to_string(),
            outreach_at: c.outreach_at,
            outreach_promise_id: c.outreach_id.clone(),
            outcome_note: c.outcome_note.clone(),
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJson {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// How an outreach call ended.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContractOutcomeRequest {
    /// renewed, left or undecided (asked again in 14 days).
    #[schema(schema_with = super::schemas::contract_outcome)]
    pub outcome: String,
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    /// Running contracts ending within this many days (default: all running ones).
    #[param(minimum = 0, maximum = 3650)]
    pub ending_within_days: Option<i64>,
    /// Only this customer's (then also the ended ones).
    pub customer: Option<String>,
}

/// One contract to create or update, matched on `external_id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContractRequest {
    /// The contract's number in the business's own system: the same number again updates it.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub external_id: String,
    /// Up to 100 characters are kept.
    pub customer_name: Option<String>,
    /// The customer's e-mail address or phone number (one is needed).
    #[schema(format = Email, max_length = 254)]
    pub customer_email: Option<String>,
    #[schema(schema_with = super::schemas::optional_phone)]
    pub customer_phone: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub product: String,
    /// YYYY-MM-DD (31-12-2026 is read too), from 1900 to 2200; start and end in either order.
    #[schema(pattern = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$")]
    pub start_date: Option<String>,
    /// YYYY-MM-DD (31-12-2026 is read too), from 1900 to 2200.
    #[schema(pattern = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$")]
    pub end_date: String,
    /// Per year, like 1200.50 (or 1.200,50 or € 99,95).
    #[schema(max_length = 16, pattern = r"^[\s€]*[0-9][0-9.,\s€]*$")]
    pub value_per_year: Option<String>,
}

impl From<ContractRequest> for kept_domain::contract::ContractFields {
    fn from(r: ContractRequest) -> Self {
        kept_domain::contract::ContractFields {
            external_id: r.external_id,
            customer_name: r.customer_name,
            customer_email: r.customer_email,
            customer_phone: r.customer_phone,
            product: r.product,
            start_date: r.start_date,
            end_date: r.end_date,
            value_per_year: r.value_per_year,
        }
    }
}

/// A fan: the top score, a long time with us.
#[derive(Debug, Serialize, ToSchema)]
pub struct FanJson {
    pub customer_id: String,
    pub customer_name: Option<String>,
    /// csat or nps.
    #[schema(example = "csat")]
    pub kind: String,
    pub score: i64,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
    pub customer_since: DateTime<Utc>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub thanked_at: Option<DateTime<Utc>>,
    pub thanked_note: Option<String>,
}

impl From<&kept_app::records::FanView> for FanJson {
    fn from(f: &kept_app::records::FanView) -> Self {
        FanJson {
            customer_id: f.customer_id.clone(),
            customer_name: f.customer_name.clone(),
            kind: f.kind.as_str().to_string(),
            score: f.score,
            comment: f.comment.clone(),
            answered_at: f.answered_at,
            customer_since: f.customer_since,
            last_contact_at: f.last_contact,
            thanked_at: f.thanked_at,
            thanked_note: f.thanked_note.clone(),
        }
    }
}

/// "Thanked", with how.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ThanksRequest {
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightsQuery {
    /// The first day, YYYY-MM-DD, in the business's time zone.
    #[param(required = true, value_type = String, format = Date, example = "2026-11-23")]
    pub from: Option<String>,
    /// The last day (included); from and to may come in either order.
    #[param(required = true, value_type = String, format = Date, example = "2026-11-29")]
    pub to: Option<String>,
    /// staff, kind, channel or day (default kind).
    #[param(schema_with = super::schemas::insights_group)]
    pub group_by: Option<String>,
    /// One staff member's figures (owners; agents see their own).
    pub staff: Option<String>,
    /// json (default) or csv: the same rows.
    #[param(schema_with = super::schemas::insights_format)]
    pub format: Option<String>,
}

/// The figures of one group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InsightsGroupJson {
    /// The staff member's id, the promise kind, the channel or the day.
    pub key: String,
    pub made: usize,
    pub kept: usize,
    pub broken: usize,
    pub open: usize,
    pub cancelled: usize,
    /// Kept of those kept or broken, in percent.
    pub kept_pct: Option<f64>,
    /// Opening-hour minutes from promise to fulfilment (nearest rank).
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

impl From<&kept_domain::insights::Group> for InsightsGroupJson {
    fn from(g: &kept_domain::insights::Group) -> Self {
        InsightsGroupJson {
            key: g.key.clone(),
            made: g.made,
            kept: g.kept,
            broken: g.broken,
            open: g.open,
            cancelled: g.cancelled,
            kept_pct: g.kept_pct,
            median_minutes: g.median_minutes,
            p90_minutes: g.p90_minutes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InsightsJson {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub group_by: String,
    pub groups: Vec<InsightsGroupJson>,
}
