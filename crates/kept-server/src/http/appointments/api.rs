//! The appointments API: locations, services and schedules (owner), free times and booking
//! (public), the day's appointments and what staff do to them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kept_domain::{AppointmentStatus, BookingInput};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dto::{
    AppointmentJson, BookedJson, BookingRequest, CalendarJson, LocationJson, OnMyWayRequest, RescheduleRequest,
    ScheduleJson, ServiceJson, SlotJson, SlotsJson, WaitingJson, first_name,
};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::{ApiStaff, ClientIp, api_lang, json_body, request_lang};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, LocationForm, ScheduleForm, ServiceForm};

/// A date from the query: YYYY-MM-DD, or a 422 naming the parameter.
fn query_date(value: Option<&str>) -> Result<NaiveDate, AppError> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::invalid("date", "invalid_date", "date must be YYYY-MM-DD"))
}

/// Every location, inactive ones last.
#[utoipa::path(get, path = "/api/v1/locations", operation_id = "list_locations", security(("bearer" = [])),
    responses((status = 200, body = [LocationJson]), (status = 401, body = ErrorBody)))]
pub async fn list_locations(
    State(state): State<AppState>,
    _staff: ApiStaff,
) -> Result<Json<Vec<LocationJson>>, HttpError> {
    let locations = kept_app::locations(&state).await?;
    Ok(Json(locations.iter().map(LocationJson::from).collect()))
}

/// Adds a location (owner).
#[utoipa::path(post, path = "/api/v1/locations", operation_id = "add_location", request_body = LocationForm,
    security(("bearer" = [])),
    responses((status = 201, body = LocationJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_location(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<LocationJson>), HttpError> {
    let form: LocationForm = json_body(&body, "body", "expected {\"name\", \"address\", \"hours\"}")?;
    let location = app::save_location(&state, &staff, None, &form).await?;
    Ok((StatusCode::CREATED, Json((&location).into())))
}

/// Changes a location (owner); the whole location is sent.
#[utoipa::path(put, path = "/api/v1/locations/{id}", operation_id = "change_location", request_body = LocationForm,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = LocationJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn change_location(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<LocationJson>, HttpError> {
    let form: LocationForm = json_body(&body, "body", "expected {\"name\", \"address\", \"hours\"}")?;
    let location = app::save_location(&state, &staff, Some(&id), &form).await?;
    Ok(Json((&location).into()))
}

/// Every service.
#[utoipa::path(get, path = "/api/v1/services", operation_id = "list_services", security(("bearer" = [])),
    responses((status = 200, body = [ServiceJson]), (status = 401, body = ErrorBody)))]
pub async fn list_services(
    State(state): State<AppState>,
    _staff: ApiStaff,
) -> Result<Json<Vec<ServiceJson>>, HttpError> {
    let services = kept_app::services(&state).await?;
    Ok(Json(services.iter().map(ServiceJson::from).collect()))
}

/// Adds a service (owner).
#[utoipa::path(post, path = "/api/v1/services", operation_id = "add_service", request_body = ServiceForm,
    security(("bearer" = [])),
    responses((status = 201, body = ServiceJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_service(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<ServiceJson>), HttpError> {
    let form: ServiceForm = json_body(
        &body,
        "body",
        "expected {\"name_nl\", \"name_en\", \"duration_minutes\", \"location_ids\"}",
    )?;
    let service = app::save_service(&state, &staff, None, &form).await?;
    Ok((StatusCode::CREATED, Json((&service).into())))
}

/// Changes a service (owner); the whole service is sent.
#[utoipa::path(put, path = "/api/v1/services/{id}", operation_id = "change_service", request_body = ServiceForm,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ServiceJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn change_service(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ServiceJson>, HttpError> {
    let form: ServiceForm = json_body(
        &body,
        "body",
        "expected {\"name_nl\", \"name_en\", \"duration_minutes\", \"location_ids\"}",
    )?;
    let service = app::save_service(&state, &staff, Some(&id), &form).await?;
    Ok(Json((&service).into()))
}

/// A staff member's own hours per location and absences.
#[utoipa::path(get, path = "/api/v1/staff/{id}/schedule", operation_id = "get_schedule", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ScheduleJson), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<ScheduleJson>, HttpError> {
    kept_app::staff_member(&state, &id).await?.ok_or(AppError::NotFound)?;
    let schedule = kept_app::staff_schedule(&state, &id).await?;
    Ok(Json((&schedule).into()))
}

/// Replaces a staff member's hours and absences (owner).
#[utoipa::path(put, path = "/api/v1/staff/{id}/schedule", operation_id = "set_schedule", request_body = ScheduleForm,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ScheduleJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_schedule(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ScheduleJson>, HttpError> {
    let form: ScheduleForm = json_body(&body, "body", "expected {\"hours\", \"absences\"}")?;
    let schedule = app::set_schedule(&state, &staff, &id, &form).await?;
    Ok(Json((&schedule).into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    #[param(required = true)]
    location: Option<String>,
    #[param(required = true)]
    service: Option<String>,
    /// The day, YYYY-MM-DD, in the location's time zone.
    #[param(required = true, value_type = String, format = Date, example = "2026-12-03")]
    date: Option<String>,
}

/// The free times of a service at a location on one day (public: the booking page and a
/// business's own site ask it).
#[utoipa::path(get, path = "/api/v1/availability", operation_id = "availability", params(AvailabilityQuery),
    responses((status = 200, body = SlotsJson), (status = 422, body = ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    Query(query): Query<AvailabilityQuery>,
) -> Result<Json<SlotsJson>, HttpError> {
    let date = query_date(query.date.as_deref())?;
    let location = query.location.unwrap_or_default();
    let service = query.service.unwrap_or_default();
    let slots = app::free_slots(&state, &location, &service, date).await?;
    Ok(Json(SlotsJson {
        slots: slots
            .into_iter()
            .map(|s| SlotJson {
                start: s.start,
                end: s.end,
            })
            .collect(),
    }))
}

/// Books an appointment (public, like the callback form). The customer is recognised by
/// e-mail address or phone number; the confirmation goes to the e-mail address.
#[utoipa::path(post, path = "/api/v1/appointments", operation_id = "book_appointment", request_body = BookingRequest,
    responses(
        (status = 201, description = "Booked and committed", body = BookedJson),
        (status = 409, description = "Just booked by someone else: `slot_taken` with `next_slots`", body = ErrorBody),
        (status = 422, description = "A field was refused; nothing was stored", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    ))]
pub async fn book(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<BookedJson>), HttpError> {
    ip.check_rate(&state)?;
    let request: BookingRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    api_lang(request.lang.as_deref())?;
    let booked = app::book(&state, &BookingInput::from(request), request_lang(None, &headers)).await?;
    let a = &booked.appointment;
    Ok((
        StatusCode::CREATED,
        Json(BookedJson {
            id: a.id.clone(),
            start: a.start,
            end: a.end,
            status: a.status,
            staff: first_name(&a.staff_name),
            manage_url: booked.manage_url,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// The day, YYYY-MM-DD; today when absent.
    #[param(value_type = Option<String>, format = Date)]
    date: Option<String>,
    /// One location's; every location's when absent.
    location: Option<String>,
}

/// The appointments of one day, by start time.
#[utoipa::path(get, path = "/api/v1/appointments", operation_id = "list_appointments", params(DayQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AppointmentJson]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<DayQuery>,
) -> Result<Json<Vec<AppointmentJson>>, HttpError> {
    let date = match query.date.as_deref() {
        None => state.settings().business.hours.local_date(state.clock.now()),
        Some(text) => query_date(Some(text))?,
    };
    let location = query.location.as_deref().filter(|l| !l.is_empty());
    let appointments = app::day(&state, date, location).await?;
    Ok(Json(appointments.iter().map(AppointmentJson::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/appointments/{id}", operation_id = "get_appointment", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AppointmentJson), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<AppointmentJson>, HttpError> {
    let appointment = kept_app::appointment(&state, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json((&appointment).into()))
}

/// The status a staff action leads to, by the action's name in the URL.
fn action_status(action: &str) -> Option<AppointmentStatus> {
    Some(match action {
        "late" => AppointmentStatus::Late,
        "check-in" => AppointmentStatus::CheckedIn,
        "done" => AppointmentStatus::Done,
        "no-show" => AppointmentStatus::NoShow,
        "cancel" => AppointmentStatus::Cancelled,
        _ => return None,
    })
}

/// Moves an appointment on: `late`, `check-in`, `done`, `no-show` or `cancel`.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/{action}", operation_id = "appointment_action",
    security(("bearer" = [])),
    params(("id" = String, Path), ("action" = String, Path, description = "late, check-in, done, no-show or cancel")),
    responses((status = 200, body = AppointmentJson), (status = 404, body = ErrorBody),
        (status = 409, description = "Not possible from its status now", body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path((id, action)): Path<(String, String)>,
) -> Result<Json<AppointmentJson>, HttpError> {
    let status = action_status(&action).ok_or(AppError::NotFound)?;
    let appointment = app::change_status(&state, Some(&staff), &id, status).await?;
    Ok(Json((&appointment).into()))
}

/// The technician is on the way to a field visit: keeps the call-ahead promise and tells the
/// customer when to expect them (e-mail and the `appointment.on_my_way` webhook).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/on-my-way", operation_id = "on_my_way",
    request_body = OnMyWayRequest, security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = AppointmentJson), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn on_my_way(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<AppointmentJson>, HttpError> {
    let request: OnMyWayRequest = json_body(&body, "body", "expected {\"eta_minutes\"}")?;
    let appointment = app::on_my_way(&state, &staff, &id, request.eta_minutes).await?;
    Ok(Json((&appointment).into()))
}

/// Moves an appointment to another free time; the customer gets an updated invitation.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule", operation_id = "reschedule_appointment",
    request_body = RescheduleRequest, security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = AppointmentJson), (status = 404, body = ErrorBody),
        (status = 409, description = "Taken, or the appointment cannot move", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reschedule(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<AppointmentJson>, HttpError> {
    let request: RescheduleRequest = json_body(&body, "body", "expected {\"start\"}")?;
    let appointment = app::reschedule(&state, &id, Some(&request.start)).await?;
    Ok(Json((&appointment).into()))
}

/// Asks to hear when a time frees up (public): a cancellation e-mails the first on the list
/// a link to book it.
#[utoipa::path(post, path = "/api/v1/waiting-list", operation_id = "join_waiting_list", request_body = BookingRequest,
    responses((status = 201, body = WaitingJson), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn join_waiting_list(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<WaitingJson>), HttpError> {
    ip.check_rate(&state)?;
    let request: BookingRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    api_lang(request.lang.as_deref())?;
    let waiting = app::join_waiting_list(&state, &BookingInput::from(request), request_lang(None, &headers)).await?;
    Ok((
        StatusCode::CREATED,
        Json(WaitingJson {
            id: waiting.id,
            location_id: waiting.location_id,
            service_id: waiting.service_id,
            created_at: waiting.created_at,
        }),
    ))
}

/// The token's staff member's calendar address, for their own calendar program (made on first
/// use).
#[utoipa::path(get, path = "/api/v1/calendar", operation_id = "calendar_url", security(("bearer" = [])),
    responses((status = 200, body = CalendarJson), (status = 401, body = ErrorBody)))]
pub async fn calendar_url(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<CalendarJson>, HttpError> {
    Ok(Json(CalendarJson {
        url: app::calendar_url(&state, &staff, false).await?,
    }))
}

/// Replaces the token's staff member's calendar address; the old one stops working.
#[utoipa::path(post, path = "/api/v1/calendar/rotate", operation_id = "rotate_calendar_url", security(("bearer" = [])),
    responses((status = 200, body = CalendarJson), (status = 401, body = ErrorBody)))]
pub async fn rotate_calendar_url(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<CalendarJson>, HttpError> {
    Ok(Json(CalendarJson {
        url: app::calendar_url(&state, &staff, true).await?,
    }))
}

/// A staff member's appointments as iCalendar, for their calendar program; the secret in the
/// address is the only key.
pub async fn calendar_feed(State(state): State<AppState>, Path(secret): Path<String>) -> Result<Response, HttpError> {
    let calendar = app::calendar_feed(&state, &secret).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], calendar).into_response())
}
