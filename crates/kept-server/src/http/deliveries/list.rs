//! What kept sent or tried, for owners: `GET /api/v1/deliveries`, the page
//! `/staff/deliveries`, and sending a failed one again from either.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use kept_app::records::{DeliveryFilter, DeliveryListed, Staff};
use kept_domain::{Delivery, Lang, OutboxEvent, OutboxStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::{ApiStaff, CsrfForm, StaffSession};
use crate::http::pages::clock;
use crate::http::pages::{LocalTime, render};
use crate::i18n::deliveries::{DeliveryTexts, delivery_label, delivery_texts, event_label, status_label};
use crate::i18n::{Texts, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

/// Rows on one page of the list.
const PAGE_ROWS: i64 = 50;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only those with this status.
    #[param(schema_with = crate::dto::schemas::outbox_status_filter)]
    status: Option<String>,
    /// Only those that travel this way.
    #[param(schema_with = crate::dto::schemas::delivery_kind_filter)]
    kind: Option<String>,
    /// Only those older than this delivery (the last one of the page before).
    #[param(minimum = 1)]
    before: Option<i64>,
    /// How many, 1 to 500; 100 when absent.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

impl DeliveryQuery {
    /// The filter; an empty text (a form's "all") is no filter.
    fn filter(&self, limit: i64) -> Result<DeliveryFilter, AppError> {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        let status = given(&self.status)
            .map(|v| {
                OutboxStatus::parse(&v).ok_or_else(|| {
                    AppError::invalid(
                        "status",
                        "unknown_status",
                        "status must be pending, delivered, failed or bounced",
                    )
                })
            })
            .transpose()?;
        let delivery = given(&self.kind)
            .map(|v| {
                Delivery::parse(&v).filter(|d| *d != Delivery::Hook).ok_or_else(|| {
                    AppError::invalid(
                        "kind",
                        "unknown_kind",
                        "kind must be email, email_reply, webhook, channel or customer_email",
                    )
                })
            })
            .transpose()?;
        if self.before.is_some_and(|before| before < 1) {
            return Err(AppError::invalid(
                "before",
                "out_of_range",
                "before is a delivery's id, 1 or more",
            ));
        }
        Ok(DeliveryFilter {
            status,
            delivery,
            before: self.before,
            limit,
        })
    }
}

/// One thing kept sent or tried.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryJson {
    pub id: i64,
    /// How it travels: email (a notice to staff), email_reply, webhook, channel, customer_email.
    #[schema(example = "email_reply")]
    pub kind: &'static str,
    /// What it announces ("message.reply", "appointment.reminder", …).
    #[schema(example = "message.reply")]
    pub event: &'static str,
    /// The id of what it is about (a message, an appointment, a request …).
    pub subject_id: String,
    /// pending, delivered, failed or bounced.
    #[schema(example = "failed")]
    pub status: &'static str,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The staff member it went to (a notice).
    pub staff_email: Option<String>,
    /// The customer it was for or about.
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub conversation_id: Option<String>,
}

impl From<&DeliveryListed> for DeliveryJson {
    fn from(d: &DeliveryListed) -> Self {
        DeliveryJson {
            id: d.id,
            kind: d.delivery.as_str(),
            event: d.event.as_str(),
            subject_id: d.subject_id.clone(),
            status: d.status.as_str(),
            attempts: d.attempts,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            next_attempt_at: d.next_attempt_at,
            error: d.last_error.clone(),
            staff_email: d.staff_email.clone(),
            customer_id: d.customer_id.clone(),
            customer_name: d.customer_name.clone(),
            conversation_id: d.conversation_id.clone(),
        }
    }
}

/// Every mail and webhook kept sent or tried, newest first (owners).
#[utoipa::path(
    get,
    path = "/api/v1/deliveries",
    operation_id = "list_deliveries",
    params(DeliveryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<DeliveryJson>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(query): Query<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryJson>>, HttpError> {
    let filter = query.filter(crate::dto::list_limit(query.limit, 100, 500)?)?;
    let listed = app::deliveries(&state, &staff, &filter).await?;
    Ok(Json(listed.iter().map(DeliveryJson::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The delivery's id. Read as text: an id no delivery has, however large, is a 404.
    #[param(value_type = i64, minimum = 1)]
    id: String,
}

/// Sends a failed (or bounced) delivery again from its first attempt (owners).
#[utoipa::path(
    post,
    path = "/api/v1/deliveries/{id}/retry",
    operation_id = "retry_delivery",
    params(DeliveryPath),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Queued again"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No failed delivery with this id", body = ErrorBody)
    )
)]
pub async fn retry(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(DeliveryPath { id }): Path<DeliveryPath>,
) -> Result<StatusCode, HttpError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    app::retry_delivery(&state, &staff, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "deliveries.html")]
pub struct DeliveriesPage {
    pub texts: &'static Texts,
    pub deliveries: &'static DeliveryTexts,
    pub me: Staff,
    pub csrf: String,
    /// (code, label, chosen) for the filters' choices.
    pub statuses: Vec<(&'static str, &'static str, bool)>,
    pub kinds: Vec<(&'static str, &'static str, bool)>,
    pub rows: Vec<DeliveryRow>,
    /// The link to the next (older) page, when there is one.
    pub older: Option<String>,
}

pub struct DeliveryRow {
    pub id: i64,
    pub at: String,
    pub kind: &'static str,
    pub to: String,
    pub about: &'static str,
    pub link: Option<String>,
    pub status: &'static str,
    pub failed: bool,
    pub error: Option<String>,
    pub tries: i64,
    pub next: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<DeliveryQuery>,
    Query(lang): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let filter = query.filter(PAGE_ROWS + 1)?;
    let mut listed = app::deliveries(&state, &session.staff, &filter).await?;
    let more = listed.len() as i64 > PAGE_ROWS;
    listed.truncate(PAGE_ROWS as usize);
    let older = listed.last().filter(|_| more).map(|last| older_link(&filter, last.id));
    let clock = clock(&state, lang);
    let d = delivery_texts(lang);
    let page = DeliveriesPage {
        texts: texts(lang),
        deliveries: d,
        statuses: status_choices(lang, &filter),
        kinds: kind_choices(lang, &filter),
        rows: listed.iter().map(|item| row(&clock, d, item)).collect(),
        older,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

/// The next page, older than item `before`: it keeps the filters.
fn older_link(filter: &DeliveryFilter, before: i64) -> String {
    let status = filter.status.map(|s| format!("&status={}", s.as_str()));
    let kind = filter.delivery.map(|d| format!("&kind={}", d.as_str()));
    format!(
        "/staff/deliveries?before={before}{}{}",
        status.unwrap_or_default(),
        kind.unwrap_or_default()
    )
}

/// The statuses to filter by: (code, label, chosen).
fn status_choices(lang: Lang, filter: &DeliveryFilter) -> Vec<(&'static str, &'static str, bool)> {
    OutboxStatus::CODES
        .iter()
        .filter_map(|code| OutboxStatus::parse(code))
        .map(|s| (s.as_str(), status_label(lang, s), filter.status == Some(s)))
        .collect()
}

/// The ways of delivery to filter by (kept's own reactions are not a delivery to anyone).
fn kind_choices(lang: Lang, filter: &DeliveryFilter) -> Vec<(&'static str, &'static str, bool)> {
    Delivery::CODES
        .iter()
        .filter_map(|code| Delivery::parse(code))
        .filter(|k| *k != Delivery::Hook)
        .map(|k| (k.as_str(), delivery_label(lang, k), filter.delivery == Some(k)))
        .collect()
}

fn row(clock: &LocalTime, d: &DeliveryTexts, item: &DeliveryListed) -> DeliveryRow {
    let lang = clock.lang;
    let to = match (item.delivery, &item.staff_name, &item.staff_email) {
        (Delivery::Webhook, _, _) => d.webhook.to_string(),
        (_, Some(name), Some(email)) => format!("{name} <{email}>"),
        _ => item.customer_name.clone().unwrap_or_default(),
    };
    DeliveryRow {
        id: item.id,
        at: clock.moment(item.created_at),
        kind: delivery_label(lang, item.delivery),
        to,
        about: event_label(lang, item.event),
        link: link(item),
        status: status_label(lang, item.status),
        failed: matches!(item.status, OutboxStatus::Failed | OutboxStatus::Bounced),
        error: item.last_error.clone(),
        tries: item.attempts,
        next: item
            .next_attempt_at
            .map(|at| format!("{} {}", d.next_attempt, clock.moment(at))),
    }
}

/// The staff page of what a delivery was about.
fn link(item: &DeliveryListed) -> Option<String> {
    use OutboxEvent::*;
    if let Some(conversation) = &item.conversation_id {
        return Some(format!("/staff/conversations/{conversation}"));
    }
    let subject = &item.subject_id;
    Some(match item.event {
        CallbackCreated | CallbackOutcome => format!("/staff/callbacks/{subject}"),
        AppointmentBooked
        | AppointmentRescheduled
        | AppointmentCancelled
        | AppointmentReminder
        | AppointmentOnMyWay
        | AppointmentDone => format!("/staff/appointments/{subject}"),
        ContractLeft => format!("/staff/contracts/{subject}"),
        PasswordLink => "/staff/team".into(),
        InsightsDigest => "/staff/insights".into(),
        MailboxFailing => "/staff/settings".into(),
        AppointmentDigest => "/staff/today".into(),
        _ => return item.customer_id.as_ref().map(|c| format!("/staff/customers/{c}")),
    })
}

/// "Opnieuw versturen" on the page: back to the list, which says it is queued.
pub async fn retry_from_page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<i64>,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::retry_delivery(&state, &session.staff, id).await?;
    let notice = delivery_texts(session.staff.lang).queued_again.to_string();
    let jar = crate::http::flash::say(&state, jar, notice);
    Ok((jar, Redirect::to("/staff/deliveries")).into_response())
}
