//! The staff's appointment pages: the "expected today" board (live), one appointment with
//! its buttons and "on my way", and the owner's set-up of locations, services and hours.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, NaiveDate, Utc};
use kept_app::records::{AppointmentView, Location, Service, Staff, StaffSchedule};
use kept_domain::booking::{DAY_KEYS, Week, format_spans};
use kept_domain::{AppointmentStatus, Lang};
use serde::Deserialize;

use crate::http::errors::HttpError;
use crate::http::extract::{Flash, StaffSession};
use crate::http::pages::render;
use crate::i18n::{BookingTexts, Texts, booking_texts, inbox_texts, texts};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, AbsenceForm, BookingSetup, LocationForm, ScheduleForm, ServiceForm};

pub struct AppointmentRow {
    pub id: String,
    pub time: String,
    pub customer: String,
    pub service: String,
    pub staff: String,
    pub note: Option<String>,
    /// "eerste bezoek" or "terug, laatst 3 november".
    pub visit: String,
    pub open_promises: i64,
    pub status: &'static str,
    pub status_code: &'static str,
    /// The buttons: the action in the URL and its label.
    pub actions: Vec<AppointmentAction>,
    /// A field visit: call ahead by this local time.
    pub call_ahead: Option<String>,
}

#[derive(Template)]
#[template(path = "today.html")]
pub struct TodayPage {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub me: Staff,
    pub csrf: String,
    pub may_set_up: bool,
    pub day_label: String,
    pub date: String,
    pub previous: String,
    pub next: String,
    pub location: String,
    pub locations: Vec<(String, String)>,
    /// The query the rows refresh with.
    pub query: String,
    pub rows: Vec<AppointmentRow>,
}

#[derive(Template)]
#[template(path = "today_rows.html")]
pub struct TodayRows {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub csrf: String,
    pub rows: Vec<AppointmentRow>,
}

#[derive(Template)]
#[template(path = "appointment.html")]
pub struct AppointmentPage {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub me: Staff,
    pub csrf: String,
    pub row: AppointmentRow,
    pub date: String,
    pub when: String,
    pub place: String,
    pub customer_id: String,
    pub phone: Option<String>,
    pub email: String,
    pub call_ahead_status: Option<&'static str>,
    /// The customer's latest answer to the calendar invitation, in words, with when and what
    /// they wrote.
    pub calendar_answer: Option<String>,
    pub eta: Option<String>,
    /// A field visit still ahead: the technician can say they are on the way.
    pub can_go: bool,
}

/// The staff buttons an appointment in `status` offers, in the order of the day.
/// The steps an appointment may take now, as buttons; the ones that end it without the visit
/// (no-show, cancel) look secondary.
fn actions(b: &BookingTexts, status: AppointmentStatus, started: bool) -> Vec<AppointmentAction> {
    use AppointmentStatus::*;
    [
        ("check-in", CheckedIn, b.check_in),
        ("late", Late, b.late),
        ("done", Done, b.done),
        ("no-show", NoShow, b.no_show),
        ("cancel", Cancelled, b.cancel),
    ]
    .into_iter()
    .filter(|(_, next, _)| status.may_become_when(*next, started))
    .map(|(code, next, label)| AppointmentAction {
        code,
        label,
        secondary: matches!(next, NoShow | Cancelled),
    })
    .collect()
}

/// A button on an appointment: the action's code, its words, and whether it looks secondary.
pub struct AppointmentAction {
    pub code: &'static str,
    pub label: &'static str,
    pub secondary: bool,
}

fn row(a: &AppointmentView, lang: Lang, now: chrono::DateTime<chrono::Utc>) -> AppointmentRow {
    let b = booking_texts(lang);
    AppointmentRow {
        id: a.id.clone(),
        time: a.time_text(),
        customer: a.customer_name.clone(),
        service: a.service_name(lang).to_string(),
        staff: a.staff_name.clone(),
        note: a.note.clone(),
        visit: b.visit(lang, a.last_visit_day()),
        open_promises: a.open_promises,
        status: b.status(a.status),
        status_code: a.status.as_str(),
        actions: actions(b, a.status, now >= a.start),
        call_ahead: a.call_ahead.as_ref().map(|c| a.clock(c.due_at)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    lang: Option<String>,
    date: Option<String>,
    location: Option<String>,
}

impl DayQuery {
    fn lang(&self, session: &StaffSession) -> Lang {
        self.lang.as_deref().and_then(Lang::parse).unwrap_or(session.staff.lang)
    }

    fn location(&self) -> Option<&str> {
        self.location.as_deref().filter(|l| !l.is_empty())
    }
}

/// The day asked for, today (in the business's time zone) when none or nonsense.
fn day(state: &AppState, query: &DayQuery) -> NaiveDate {
    query
        .date
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| state.settings().business.hours.local_date(state.clock.now()))
}

async fn rows(state: &AppState, query: &DayQuery, lang: Lang) -> Result<Vec<AppointmentRow>, HttpError> {
    let appointments = app::day(state, day(state, query), query.location()).await?;
    Ok(appointments
        .iter()
        .filter(|a| a.status != AppointmentStatus::Cancelled)
        .map(|a| row(a, lang, state.clock.now()))
        .collect())
}

pub async fn today(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<DayQuery>,
) -> Result<Response, HttpError> {
    let lang = query.lang(&session);
    let date = day(&state, &query);
    let locations = kept_app::locations(&state).await?;
    let location = query.location().unwrap_or_default().to_string();
    let page = TodayPage {
        texts: texts(lang),
        booking: booking_texts(lang),
        may_set_up: session
            .staff
            .role
            .may(kept_domain::staff::OwnerOnly::ManageAppointments),
        day_label: lang.long_date(date),
        date: date.to_string(),
        previous: date.pred_opt().unwrap_or(date).to_string(),
        next: date.succ_opt().unwrap_or(date).to_string(),
        // The rows refresh in the page's language.
        query: format!("date={date}&location={location}&lang={}", lang.code()),
        locations: locations
            .iter()
            .filter(|l| l.active)
            .map(|l| (l.id.clone(), l.name.clone()))
            .collect(),
        location,
        rows: rows(&state, &query, lang).await?,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

/// The board's rows, for the live refresh.
pub async fn today_rows(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<DayQuery>,
) -> Result<Response, HttpError> {
    let lang = query.lang(&session);
    let page = TodayRows {
        texts: texts(lang),
        booking: booking_texts(lang),
        rows: rows(&state, &query, lang).await?,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

pub async fn appointment(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> Result<Response, HttpError> {
    let lang = query.lang(&session);
    let a = kept_app::appointment(&state, &id).await?.ok_or(AppError::NotFound)?;
    let page = appointment_view(&a, lang, state.clock.now(), session);
    Ok(render(&page)?.into_response())
}

/// One appointment's page: when and where, the customer, the call-ahead promise, their answer
/// to the invitation, and whether the technician may set off.
fn appointment_view(a: &AppointmentView, lang: Lang, now: DateTime<Utc>, session: StaffSession) -> AppointmentPage {
    let b = booking_texts(lang);
    let start = a.start.with_timezone(&a.zone());
    AppointmentPage {
        texts: texts(lang),
        booking: b,
        row: row(a, lang, now),
        date: start.date_naive().to_string(),
        when: format!("{} {}", lang.long_date(start.date_naive()), a.time_text()),
        place: a
            .address
            .clone()
            .unwrap_or_else(|| format!("{} ({})", a.location_name, a.location_address)),
        customer_id: a.customer_id.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        call_ahead_status: a
            .call_ahead
            .as_ref()
            .map(|c| crate::http::pages::promise_label(Some(c.status), inbox_texts(lang))),
        calendar_answer: a.calendar_answer.as_ref().map(|c| {
            let said = format!("{} · {}", b.answer(c.answer), a.clock(c.at));
            match &c.comment {
                Some(comment) => format!("{said} · “{comment}”"),
                None => said,
            }
        }),
        eta: a.eta.map(|eta| a.clock(eta)),
        can_go: a.field_visit && a.status.is_active() && a.end > now,
        me: session.staff,
        csrf: session.csrf,
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: String,
    action: String,
}

/// A button on the board or the appointment page; back to where it was pressed.
pub async fn set_status(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<StatusForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let status = match form.action.as_str() {
        "late" => AppointmentStatus::Late,
        "check-in" => AppointmentStatus::CheckedIn,
        "done" => AppointmentStatus::Done,
        "no-show" => AppointmentStatus::NoShow,
        "cancel" => AppointmentStatus::Cancelled,
        _ => return Err(AppError::BadRequest("unknown action".into()).into()),
    };
    app::change_status(&state, Some(&session.staff), &id, status).await?;
    let back = crate::http::extract::staff_page_before(&headers, true).unwrap_or_else(|| "/staff/today".into());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Debug, Deserialize)]
pub struct OnMyWayForm {
    csrf: String,
    eta_minutes: String,
}

pub async fn on_my_way(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<OnMyWayForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let minutes = form
        .eta_minutes
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("eta_minutes", "invalid_minutes", "a number of minutes"))?;
    app::on_my_way(&state, &session.staff, &id, minutes).await?;
    Ok(Redirect::to(&format!("/staff/appointments/{id}")).into_response())
}

// The owner's set-up.

pub struct LocationRow {
    /// The location's id; "new" for the blank form.
    pub key: String,
    /// Makes its fields' ids unique on the page.
    pub prefix: String,
    pub name: String,
    pub address: String,
    pub time_zone: String,
    /// Per day: the input's name, the day's name, its hours.
    pub days: Vec<(String, &'static str, String)>,
    pub closed_days: String,
    pub active: bool,
}

pub struct ServiceRow {
    pub key: String,
    pub title: String,
    pub name_nl: String,
    pub name_en: String,
    pub duration: i64,
    pub buffer_before: i64,
    pub buffer_after: i64,
    pub min_notice: i64,
    pub horizon: i64,
    /// Empty when it is not a field visit.
    pub window: String,
    pub call_ahead: i64,
    pub locations: Vec<(String, String, bool)>,
    pub staff: Vec<(String, String, bool)>,
    pub active: bool,
}

pub struct StaffHoursRow {
    pub id: String,
    pub name: String,
    /// Per location, the person's own hours there per day.
    pub locations: Vec<OwnHours>,
    pub absences: String,
}

pub struct OwnHours {
    pub name: String,
    pub prefix: String,
    pub days: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "booking_setup.html")]
pub struct SetupPage {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub me: Staff,
    pub csrf: String,
    pub notice: Option<String>,
    pub locations: Vec<LocationRow>,
    pub new_location: LocationRow,
    pub services: Vec<ServiceRow>,
    pub new_service: ServiceRow,
    pub staff: Vec<StaffHoursRow>,
}

/// The week as form fields named `{prefix}mon` …, with each day's name.
fn week_fields(b: &BookingTexts, prefix: &str, week: Option<&Week>) -> Vec<(String, &'static str, String)> {
    DAY_KEYS
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let hours = week.map(|w| format_spans(&w[i])).unwrap_or_default();
            let hours = if hours == "closed" { String::new() } else { hours };
            (format!("{prefix}{key}"), b.weekdays[i], hours)
        })
        .collect()
}

fn location_row(b: &BookingTexts, location: &Location) -> LocationRow {
    let days: Vec<String> = location.hours.closed_days.iter().map(|d| d.to_string()).collect();
    LocationRow {
        prefix: format!("loc-{}", location.id),
        key: location.id.clone(),
        name: location.name.clone(),
        address: location.address.clone(),
        time_zone: location.hours.time_zone.name().to_string(),
        days: week_fields(b, "", Some(&location.hours.weekly)),
        closed_days: days.join(", "),
        active: location.active,
    }
}

fn service_row(lang: Lang, service: Option<&Service>, locations: &[Location], team: &[Staff]) -> ServiceRow {
    let defaults = app::service_defaults();
    let s = service.map_or(&defaults, |s| &s.input);
    ServiceRow {
        key: service.map_or_else(|| "new".into(), |s| s.id.clone()),
        title: service.map_or_else(String::new, |s| s.name(lang).to_string()),
        name_nl: s.name_nl.clone(),
        name_en: s.name_en.clone(),
        duration: s.duration_minutes,
        buffer_before: s.buffer_before_minutes,
        buffer_after: s.buffer_after_minutes,
        min_notice: s.min_notice_minutes,
        horizon: s.horizon_days,
        window: s.visit_window_minutes.map(|w| w.to_string()).unwrap_or_default(),
        call_ahead: s.call_ahead_minutes,
        locations: locations
            .iter()
            .map(|l| {
                (
                    l.id.clone(),
                    l.name.clone(),
                    s.location_ids.contains(&l.id) || service.is_none(),
                )
            })
            .collect(),
        staff: team
            .iter()
            .map(|p| (p.id.clone(), p.name.clone(), s.staff_ids.contains(&p.id)))
            .collect(),
        active: s.active,
    }
}

pub async fn setup(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
) -> Result<Response, HttpError> {
    let setup = kept_app::booking_setup(&state, &session.staff).await?;
    let (flash, jar) = Flash::take(jar);
    let page = setup_view(&state, session, flash.notice, &setup);
    Ok((jar, render(&page)?).into_response())
}

/// The set-up page: a form per location and service (and a blank one to add with), and each
/// person's own hours per location and their absences.
fn setup_view(state: &AppState, session: StaffSession, notice: Option<String>, setup: &BookingSetup) -> SetupPage {
    let lang = session.staff.lang;
    let b = booking_texts(lang);
    let team: Vec<Staff> = setup.staff.iter().map(|(person, _)| person.clone()).collect();
    let business = state.settings().business.clone();
    SetupPage {
        texts: texts(lang),
        booking: b,
        notice,
        new_location: LocationRow {
            key: "new".into(),
            prefix: "loc-new".into(),
            name: String::new(),
            address: String::new(),
            time_zone: business.time_zone().name().to_string(),
            days: week_fields(b, "", Some(&business.hours.weekly)),
            closed_days: String::new(),
            active: true,
        },
        locations: setup.locations.iter().map(|l| location_row(b, l)).collect(),
        new_service: service_row(lang, None, &setup.locations, &team),
        services: setup
            .services
            .iter()
            .map(|s| service_row(lang, Some(s), &setup.locations, &team))
            .collect(),
        staff: setup
            .staff
            .iter()
            .map(|(person, schedule)| staff_hours_row(b, person, schedule, &setup.locations))
            .collect(),
        me: session.staff,
        csrf: session.csrf,
    }
}

/// One person's own hours at each location (empty: the location's) and absences, one a line.
fn staff_hours_row(
    b: &BookingTexts,
    person: &Staff,
    schedule: &StaffSchedule,
    locations: &[Location],
) -> StaffHoursRow {
    let own = |location: &str| schedule.hours.iter().find(|(l, _)| l == location).map(|(_, w)| w);
    StaffHoursRow {
        id: person.id.clone(),
        name: person.name.clone(),
        locations: locations
            .iter()
            .map(|l| OwnHours {
                name: l.name.clone(),
                prefix: format!("st-{}-{}", person.id, l.id),
                days: week_fields(b, &format!("{}.", l.id), own(&l.id)),
            })
            .collect(),
        absences: schedule
            .absences
            .iter()
            .map(|a| {
                let note = a.note.as_deref().unwrap_or_default();
                format!("{} {} {note}", a.first_day, a.last_day).trim_end().to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Back to the set-up page, which says it was saved.
fn saved(state: &AppState, jar: CookieJar, lang: Lang) -> Response {
    let flash = Flash {
        notice: Some(booking_texts(lang).saved.to_string()),
        secret: None,
    };
    (flash.keep(state, jar), Redirect::to("/staff/booking")).into_response()
}

/// The fields of a form as name → value (a repeated name keeps every value, in order).
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn all(fields: &Fields, name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn number(fields: &Fields, name: &'static str) -> Result<Option<i64>, AppError> {
    match field(fields, name).trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(name, "invalid_minutes", "a whole number")),
    }
}

fn week_form(fields: &Fields, prefix: &str) -> BTreeMap<String, String> {
    DAY_KEYS
        .iter()
        .map(|key| (key.to_string(), field(fields, &format!("{prefix}{key}")).to_string()))
        .filter(|(_, hours)| !hours.trim().is_empty())
        .collect()
}

fn dates(text: &str) -> Result<Vec<NaiveDate>, AppError> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse()
                .map_err(|_| AppError::invalid("closed_days", "invalid_date", "dates as 2026-12-25"))
        })
        .collect()
}

fn location_form(fields: &Fields) -> Result<LocationForm, AppError> {
    Ok(LocationForm {
        name: field(fields, "name").to_string(),
        address: field(fields, "address").to_string(),
        time_zone: Some(field(fields, "time_zone").to_string()),
        hours: Some(week_form(fields, "")),
        closed_days: dates(field(fields, "closed_days"))?,
        active: Some(field(fields, "active") == "1"),
    })
}

fn service_form(fields: &Fields) -> Result<ServiceForm, AppError> {
    let window = number(fields, "visit_window_minutes")?;
    Ok(ServiceForm {
        name_nl: field(fields, "name_nl").to_string(),
        name_en: field(fields, "name_en").to_string(),
        duration_minutes: number(fields, "duration_minutes")?.unwrap_or_default(),
        buffer_before_minutes: number(fields, "buffer_before_minutes")?.unwrap_or_default(),
        buffer_after_minutes: number(fields, "buffer_after_minutes")?.unwrap_or_default(),
        location_ids: all(fields, "location_ids"),
        staff_ids: all(fields, "staff_ids"),
        min_notice_minutes: number(fields, "min_notice_minutes")?,
        horizon_days: number(fields, "horizon_days")?,
        field_visit: window.is_some(),
        visit_window_minutes: window,
        call_ahead_minutes: number(fields, "call_ahead_minutes")?,
        active: Some(field(fields, "active") == "1"),
    })
}

/// "2026-12-24", "2026-12-24 2026-12-31" or either followed by a note, one per line.
fn absences(text: &str) -> Result<Vec<AbsenceForm>, AppError> {
    let refuse = || AppError::invalid("absences", "invalid_date", "dates as 2026-12-25");
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let first_day: NaiveDate = words.next().and_then(|w| w.parse().ok()).ok_or_else(refuse)?;
            let rest: Vec<&str> = words.collect();
            let (last_day, note) = match rest.first().and_then(|w| w.parse::<NaiveDate>().ok()) {
                Some(last) => (Some(last), rest[1..].join(" ")),
                None => (None, rest.join(" ")),
            };
            Ok(AbsenceForm {
                first_day,
                last_day,
                note: Some(note).filter(|n| !n.is_empty()),
            })
        })
        .collect()
}

/// Adds a location (`/staff/booking/locations`) or changes one (`…/locations/{id}`).
pub async fn save_location(
    State(state): State<AppState>,
    session: StaffSession,
    id: Option<Path<String>>,
    jar: CookieJar,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, HttpError> {
    session.check_csrf(field(&fields, "csrf"))?;
    let id = id.map(|Path(id)| id);
    app::save_location(&state, &session.staff, id.as_deref(), &location_form(&fields)?).await?;
    Ok(saved(&state, jar, session.staff.lang))
}

/// Adds a service (`/staff/booking/services`) or changes one (`…/services/{id}`).
pub async fn save_service(
    State(state): State<AppState>,
    session: StaffSession,
    id: Option<Path<String>>,
    jar: CookieJar,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, HttpError> {
    session.check_csrf(field(&fields, "csrf"))?;
    let id = id.map(|Path(id)| id);
    app::save_service(&state, &session.staff, id.as_deref(), &service_form(&fields)?).await?;
    Ok(saved(&state, jar, session.staff.lang))
}

pub async fn save_staff_hours(
    State(state): State<AppState>,
    session: StaffSession,
    Path(staff_id): Path<String>,
    jar: CookieJar,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, HttpError> {
    session.check_csrf(field(&fields, "csrf"))?;
    let locations = kept_app::locations(&state).await?;
    let hours = locations
        .iter()
        .map(|l| (l.id.clone(), week_form(&fields, &format!("{}.", l.id))))
        .filter(|(_, week)| !week.is_empty())
        .collect();
    let form = ScheduleForm {
        hours,
        absences: absences(field(&fields, "absences"))?,
    };
    app::set_schedule(&state, &session.staff, &staff_id, &form).await?;
    Ok(saved(&state, jar, session.staff.lang))
}
