//! The JSON shapes of locations, services, schedules, free times and appointments.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use kept_app::records::{AppointmentView, Location, Service, StaffSchedule};
use kept_domain::AppointmentStatus;
use kept_domain::booking::{DAY_KEYS, Week, format_spans};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A free time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SlotJson {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsJson {
    pub slots: Vec<SlotJson>,
}

fn week_json(week: &Week) -> BTreeMap<String, String> {
    DAY_KEYS
        .iter()
        .zip(week)
        .map(|(day, spans)| (day.to_string(), format_spans(spans)))
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationJson {
    pub id: String,
    pub name: String,
    pub address: String,
    pub time_zone: String,
    /// Opening hours per day: "mon" → "09:00-17:30" or "closed".
    pub hours: BTreeMap<String, String>,
    pub closed_days: Vec<NaiveDate>,
    pub active: bool,
}

impl From<&Location> for LocationJson {
    fn from(location: &Location) -> Self {
        LocationJson {
            id: location.id.clone(),
            name: location.name.clone(),
            address: location.address.clone(),
            time_zone: location.hours.time_zone.name().to_string(),
            hours: week_json(&location.hours.weekly),
            closed_days: location.hours.closed_days.iter().copied().collect(),
            active: location.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceJson {
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    pub duration_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    pub field_visit: bool,
    pub visit_window_minutes: Option<i64>,
    pub call_ahead_minutes: i64,
    pub location_ids: Vec<String>,
    /// Empty: anyone on the team.
    pub staff_ids: Vec<String>,
    pub active: bool,
}

impl From<&Service> for ServiceJson {
    fn from(service: &Service) -> Self {
        let s = &service.input;
        ServiceJson {
            id: service.id.clone(),
            name_nl: s.name_nl.clone(),
            name_en: s.name_en.clone(),
            duration_minutes: s.duration_minutes,
            buffer_before_minutes: s.buffer_before_minutes,
            buffer_after_minutes: s.buffer_after_minutes,
            min_notice_minutes: s.min_notice_minutes,
            horizon_days: s.horizon_days,
            field_visit: s.field_visit,
            visit_window_minutes: s.visit_window_minutes,
            call_ahead_minutes: s.call_ahead_minutes,
            location_ids: s.location_ids.clone(),
            staff_ids: s.staff_ids.clone(),
            active: s.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceJson {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleJson {
    /// Per location id, the staff member's own hours there.
    pub hours: BTreeMap<String, BTreeMap<String, String>>,
    pub absences: Vec<AbsenceJson>,
}

impl From<&StaffSchedule> for ScheduleJson {
    fn from(schedule: &StaffSchedule) -> Self {
        ScheduleJson {
            hours: schedule
                .hours
                .iter()
                .map(|(location, week)| (location.clone(), week_json(week)))
                .collect(),
            absences: schedule
                .absences
                .iter()
                .map(|a| AbsenceJson {
                    first_day: a.first_day,
                    last_day: a.last_day,
                    note: a.note.clone(),
                })
                .collect(),
        }
    }
}

/// A booking as a customer's page or a business's site sends it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BookingRequest {
    #[schema(required = true, value_type = String)]
    pub location: Option<String>,
    #[schema(required = true, value_type = String)]
    pub service: Option<String>,
    /// One of the free times' `start` (RFC 3339); another time is a 409.
    #[schema(required = true, value_type = String, format = DateTime, example = "2026-12-03T09:30:00+01:00")]
    pub start: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: Option<String>,
    /// The confirmation goes here; the customer is recognised by it.
    #[schema(required = true, value_type = String, format = Email, max_length = 254, example = "henk@example.nl")]
    pub email: Option<String>,
    #[schema(schema_with = super::schemas::optional_phone)]
    pub phone: Option<String>,
    /// Up to 1,000 characters.
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub note: Option<String>,
    /// For a field visit: where to come (required there: without it, a 409).
    #[schema(max_length = 300, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub address: Option<String>,
    #[schema(schema_with = super::schemas::optional_lang)]
    pub lang: Option<String>,
    /// A honeypot for bots: leave it out or empty.
    #[schema(max_length = 0)]
    pub website: Option<String>,
}

impl From<BookingRequest> for kept_domain::BookingInput {
    fn from(r: BookingRequest) -> Self {
        kept_domain::BookingInput {
            location: r.location,
            service: r.service,
            start: r.start,
            name: r.name,
            email: r.email,
            phone: r.phone,
            note: r.note,
            address: r.address,
            lang: r.lang,
            website: r.website,
        }
    }
}

/// A booked appointment, as its customer may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookedJson {
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[schema(value_type = String, example = "booked")]
    pub status: AppointmentStatus,
    /// The first name of who the customer will see.
    pub staff: String,
    /// The customer's own link to see, move or cancel the appointment.
    pub manage_url: String,
}

/// The first word of a name: all a customer is told of who they will see.
pub fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or(name).to_string()
}

/// An appointment as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentJson {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub location_id: String,
    pub location: String,
    pub service_id: String,
    /// The service's name in the customer's language.
    pub service: String,
    pub staff_id: String,
    pub staff: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[schema(value_type = String, example = "booked")]
    pub status: AppointmentStatus,
    /// Nobody recorded an earlier visit of this customer.
    pub first_visit: bool,
    /// When they last came, if they did.
    pub last_visit: Option<DateTime<Utc>>,
    pub email: String,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub address: Option<String>,
    pub field_visit: bool,
    /// A field visit's promise to call before coming.
    pub call_ahead: Option<CallAheadJson>,
    /// When the technician said they were on the way, and when they expected to arrive.
    pub on_my_way_at: Option<DateTime<Utc>>,
    pub eta: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The customer's latest answer to the calendar invitation, if any.
    pub calendar_answer: Option<CalendarAnswerJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarAnswerJson {
    /// accepted, tentative or declined.
    #[schema(value_type = String, example = "declined")]
    pub answer: kept_domain::CalendarAnswer,
    /// What the customer wrote with it.
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallAheadJson {
    pub promise_id: String,
    pub due_at: DateTime<Utc>,
    #[schema(value_type = String, example = "open")]
    pub status: kept_domain::PromiseStatus,
}

/// "On my way", with when the technician expects to arrive.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OnMyWayRequest {
    #[schema(minimum = 0, maximum = 1440)]
    pub eta_minutes: i64,
}

/// A new time for an appointment: one of the free times' `start`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RescheduleRequest {
    /// One of the free times' `start` (RFC 3339); another time is a 409.
    #[schema(format = DateTime)]
    pub start: String,
}

/// Someone on the waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingJson {
    pub id: String,
    pub location_id: String,
    pub service_id: String,
    pub created_at: DateTime<Utc>,
}

/// A staff member's calendar address for their own calendar program.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarJson {
    pub url: String,
}

impl From<&AppointmentView> for AppointmentJson {
    fn from(a: &AppointmentView) -> Self {
        AppointmentJson {
            id: a.id.clone(),
            customer_id: a.customer_id.clone(),
            customer_name: a.customer_name.clone(),
            location_id: a.location_id.clone(),
            location: a.location_name.clone(),
            service_id: a.service_id.clone(),
            service: a.service_name(a.lang).to_string(),
            staff_id: a.staff_id.clone(),
            staff: a.staff_name.clone(),
            start: a.start,
            end: a.end,
            status: a.status,
            first_visit: a.last_visit.is_none(),
            last_visit: a.last_visit,
            email: a.email.clone(),
            phone: a.phone.clone(),
            note: a.note.clone(),
            address: a.address.clone(),
            field_visit: a.field_visit,
            call_ahead: a.call_ahead.as_ref().map(|c| CallAheadJson {
                promise_id: c.promise_id.clone(),
                due_at: c.due_at,
                status: c.status,
            }),
            on_my_way_at: a.on_my_way,
            eta: a.eta,
            created_at: a.created_at,
            calendar_answer: a.calendar_answer.as_ref().map(|c| CalendarAnswerJson {
                answer: c.answer,
                comment: c.comment.clone(),
                at: c.at,
            }),
        }
    }
}
