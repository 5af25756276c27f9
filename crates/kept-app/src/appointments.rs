//! Appointments: the owner sets up locations, services and who works when; customers see the
//! free times and book; staff run the day. Slot arithmetic is the domain's
//! ([`kept_domain::booking`]); that a time is never booked twice is the store's.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kept_domain::booking::{
    Availability, CLAIM_MINUTES, DEFAULT_CALL_AHEAD_MINUTES, DEFAULT_HORIZON_DAYS, DEFAULT_MIN_NOTICE_MINUTES, Slot,
    parse_week, reminder_times,
};
use kept_domain::staff::OwnerOnly;
use kept_domain::{AppointmentStatus, BookingInput, FieldError, Lang};
use kept_store::{
    Absence, AppointmentChange, AppointmentView, BookingFacts, Location, LocationInput, NewAppointment, NewTime,
    NewWaiting, Service, ServiceInput, Staff, StaffSchedule, StoreError, WaitingView,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::problems::Problems;
use crate::{App, Change, authorize, links};

const MAX_NAME_CHARS: usize = 100;
const MAX_ADDRESS_CHARS: usize = 300;
/// Free times offered instead of one that was just taken.
const NEXT_SLOTS: usize = 5;

/// A location as the owner sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LocationForm {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub address: String,
    /// An IANA time zone; the business's when absent.
    #[schema(schema_with = crate::schemas::optional_time_zone)]
    pub time_zone: Option<String>,
    /// Opening hours per day ("mon": "09:00-17:30", "sun": "closed"); a day left out is
    /// closed; the business's opening hours when absent.
    #[schema(schema_with = crate::schemas::optional_week)]
    pub hours: Option<BTreeMap<String, String>>,
    /// Days closed, YYYY-MM-DD.
    #[serde(default)]
    pub closed_days: Vec<NaiveDate>,
    /// False: no longer offered for booking (its appointments stay).
    pub active: Option<bool>,
}

/// A service as the owner sends it. Minutes are whole multiples of 5.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ServiceForm {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub name_nl: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"
    )]
    pub name_en: String,
    #[schema(minimum = 5, maximum = 1440, multiple_of = 5)]
    pub duration_minutes: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240, multiple_of = 5)]
    pub buffer_before_minutes: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240, multiple_of = 5)]
    pub buffer_after_minutes: i64,
    /// At least one; the ids of locations (an unknown one is a 409).
    #[schema(min_items = 1)]
    pub location_ids: Vec<String>,
    /// Who may do it; everyone on the team when absent or empty.
    #[serde(default)]
    pub staff_ids: Vec<String>,
    /// No booking sooner than this (default 120).
    #[schema(minimum = 0, maximum = 43200, multiple_of = 5)]
    pub min_notice_minutes: Option<i64>,
    /// How many days ahead customers may book (default 60).
    #[schema(minimum = 1, maximum = 366)]
    pub horizon_days: Option<i64>,
    /// At the customer's address, in a window of `visit_window_minutes`.
    #[serde(default)]
    pub field_visit: bool,
    /// For a field visit: the window the visit falls in (default 120); one shorter than the
    /// visit itself is taken as the visit's length.
    #[schema(minimum = 5, maximum = 1440, multiple_of = 5)]
    pub visit_window_minutes: Option<i64>,
    /// For a field visit: how long before the window the technician calls (default 30).
    #[schema(minimum = 0, maximum = 240, multiple_of = 5)]
    pub call_ahead_minutes: Option<i64>,
    pub active: Option<bool>,
}

/// A staff member's own hours per location and their days off.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScheduleForm {
    #[serde(default)]
    #[schema(schema_with = crate::schemas::schedule_hours)]
    pub hours: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub absences: Vec<AbsenceForm>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AbsenceForm {
    pub first_day: NaiveDate,
    /// The same as the first day when absent (or empty); the two in either order.
    #[serde(default, deserialize_with = "crate::schemas::optional_day")]
    #[schema(value_type = Option<String>, format = Date)]
    pub last_day: Option<NaiveDate>,
    /// Up to 100 characters are kept.
    pub note: Option<String>,
}

fn required_text(value: &str, field: &'static str, max: usize) -> Result<String, AppError> {
    let text = value.trim();
    if text.is_empty() {
        return Err(AppError::invalid(field, "required", "this field is required"));
    }
    if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            field,
            "too_long",
            format!("at most {max} characters, no control characters"),
        ));
    }
    Ok(text.to_string())
}

fn week_of(days: &BTreeMap<String, String>, field: &'static str) -> Result<kept_domain::booking::Week, AppError> {
    parse_week(days.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|(day, e)| AppError::invalid(field, "invalid_hours", format!("{day}: {e}")))
}

/// Whole minutes in `range` that are a multiple of the claim block.
fn minutes(value: i64, field: &'static str, range: std::ops::RangeInclusive<i64>) -> Result<i64, AppError> {
    if !range.contains(&value) || value % CLAIM_MINUTES != 0 {
        return Err(AppError::invalid(
            field,
            "invalid_minutes",
            format!(
                "a multiple of {CLAIM_MINUTES} from {} to {}",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(value)
}

impl LocationForm {
    fn validate(&self, app: &App) -> Result<LocationInput, AppError> {
        let business = &app.settings().business;
        let mut problems = Problems::default();
        let time_zone = problems.take(
            match self.time_zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
                None => Ok(business.time_zone()),
                Some(zone) => zone.parse().map_err(|_| {
                    AppError::invalid(
                        "time_zone",
                        "unknown_time_zone",
                        "an IANA time zone such as Europe/Amsterdam",
                    )
                }),
            },
        );
        let name = problems.take(required_text(&self.name, "name", MAX_NAME_CHARS));
        let address = problems.take(required_text(&self.address, "address", MAX_ADDRESS_CHARS));
        let week = problems.take(match &self.hours {
            Some(days) => week_of(days, "hours"),
            None => Ok(business.hours.weekly.clone()),
        });
        let built = (|| {
            Some(LocationInput {
                name: name?,
                address: address?,
                time_zone: time_zone?,
                week: week?,
                closed_days: self.closed_days.iter().copied().collect(),
                active: self.active.unwrap_or(true),
            })
        })();
        problems.or_refused(built)
    }
}

impl ServiceForm {
    fn validate(&self) -> Result<ServiceInput, AppError> {
        const DAY: i64 = 24 * 60;
        let mut problems = Problems::default();
        let duration = problems.take(minutes(self.duration_minutes, "duration_minutes", 5..=DAY));
        // Checked whenever given; a window shorter than the visit itself cannot hold it: it
        // is the visit's length.
        let window = problems.take(minutes(
            self.visit_window_minutes.unwrap_or(120),
            "visit_window_minutes",
            5..=DAY,
        ));
        if self.location_ids.is_empty() {
            problems.take::<()>(Err(AppError::invalid(
                "location_ids",
                "required",
                "name at least one location",
            )));
        }
        let name_nl = problems.take(required_text(&self.name_nl, "name_nl", MAX_NAME_CHARS));
        let name_en = problems.take(required_text(&self.name_en, "name_en", MAX_NAME_CHARS));
        let before = problems.take(minutes(self.buffer_before_minutes, "buffer_before_minutes", 0..=240));
        let after = problems.take(minutes(self.buffer_after_minutes, "buffer_after_minutes", 0..=240));
        let notice = problems.take(minutes(
            self.min_notice_minutes.unwrap_or(DEFAULT_MIN_NOTICE_MINUTES),
            "min_notice_minutes",
            0..=30 * DAY,
        ));
        let horizon = problems.take(match self.horizon_days.unwrap_or(DEFAULT_HORIZON_DAYS) {
            days @ 1..=366 => Ok(days),
            _ => Err(AppError::invalid("horizon_days", "invalid_days", "from 1 to 366")),
        });
        let call_ahead = problems.take(minutes(
            self.call_ahead_minutes.unwrap_or(DEFAULT_CALL_AHEAD_MINUTES),
            "call_ahead_minutes",
            0..=240,
        ));
        let built = (|| {
            let duration = duration?;
            Some(ServiceInput {
                name_nl: name_nl?,
                name_en: name_en?,
                duration_minutes: duration,
                buffer_before_minutes: before?,
                buffer_after_minutes: after?,
                min_notice_minutes: notice?,
                horizon_days: horizon?,
                field_visit: self.field_visit,
                visit_window_minutes: self.field_visit.then_some(window?.max(duration)),
                call_ahead_minutes: call_ahead?,
                location_ids: self.location_ids.clone(),
                staff_ids: self.staff_ids.clone(),
                active: self.active.unwrap_or(true),
            })
        })();
        problems.or_refused(built)
    }
}

/// What a new service starts as on the owner's form.
pub fn service_defaults() -> ServiceInput {
    ServiceInput {
        name_nl: String::new(),
        name_en: String::new(),
        duration_minutes: 30,
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        min_notice_minutes: DEFAULT_MIN_NOTICE_MINUTES,
        horizon_days: DEFAULT_HORIZON_DAYS,
        field_visit: false,
        visit_window_minutes: None,
        call_ahead_minutes: DEFAULT_CALL_AHEAD_MINUTES,
        location_ids: Vec::new(),
        staff_ids: Vec::new(),
        active: true,
    }
}

/// Adds a location (`id: None`) or changes one. Owner only.
pub async fn save_location(
    app: &App,
    staff: &Staff,
    id: Option<&str>,
    form: &LocationForm,
) -> Result<Location, AppError> {
    authorize(staff, OwnerOnly::ManageAppointments)?;
    let input = form.validate(app)?;
    let location = match id {
        None => app.store.add_location(input, app.clock.now()).await?,
        Some(id) => app.store.change_location(id, input).await?,
    };
    app.announce(Change::Appointments);
    Ok(location)
}

/// Adds a service (`id: None`) or changes one. Owner only.
pub async fn save_service(app: &App, staff: &Staff, id: Option<&str>, form: &ServiceForm) -> Result<Service, AppError> {
    authorize(staff, OwnerOnly::ManageAppointments)?;
    let input = form.validate()?;
    if let Some(id) = id {
        app.store.service(id).await?.ok_or(AppError::NotFound)?;
    }
    let saved = match id {
        None => app.store.add_service(input, app.clock.now()).await,
        Some(id) => app.store.change_service(id, input).await,
    };
    let service = saved.map_err(|e| match e {
        // The service exists (or is new): what was not found is a location or person it names.
        StoreError::NotFound => AppError::invalid(
            "location_ids",
            "unknown_id",
            "a location or staff member named here does not exist",
        ),
        other => other.into(),
    })?;
    app.announce(Change::Appointments);
    Ok(service)
}

/// Replaces someone's hours and absences. Owner only.
pub async fn set_schedule(
    app: &App,
    staff: &Staff,
    staff_id: &str,
    form: &ScheduleForm,
) -> Result<StaffSchedule, AppError> {
    authorize(staff, OwnerOnly::ManageAppointments)?;
    let mut hours = Vec::new();
    for (location_id, days) in &form.hours {
        hours.push((location_id.clone(), week_of(days, "hours")?));
    }
    let mut absences = Vec::new();
    for absence in &form.absences {
        let other_day = absence.last_day.unwrap_or(absence.first_day);
        let (first_day, last_day) = (absence.first_day.min(other_day), absence.first_day.max(other_day));
        let note = absence.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        absences.push(Absence {
            first_day,
            last_day,
            note: note.map(|n| n.chars().take(MAX_NAME_CHARS).collect()),
        });
    }
    let schedule = StaffSchedule { hours, absences };
    if app.store.staff_by_id(staff_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    app.store
        .set_staff_schedule(staff_id, &schedule)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::invalid("hours", "unknown_id", "a location named here does not exist"),
            other => other.into(),
        })?;
    app.announce(Change::Appointments);
    Ok(schedule)
}

/// What free times depend on, loaded for the days around `date` (and the horizon when
/// `whole_horizon`); `None` when the location or service cannot be booked.
async fn facts(
    app: &App,
    location_id: &str,
    service_id: &str,
    around: DateTime<Utc>,
    whole_horizon: bool,
) -> Result<Option<BookingFacts>, AppError> {
    let ahead = if whole_horizon {
        Duration::days(400)
    } else {
        Duration::days(2)
    };
    Ok(app
        .store
        .booking_facts(location_id, service_id, around - Duration::days(2), around + ahead)
        .await?)
}

fn availability<'a>(
    facts: &'a BookingFacts,
    rules: &'a kept_domain::booking::ServiceRules,
    now: DateTime<Utc>,
) -> Availability<'a> {
    Availability {
        location: &facts.location.hours,
        service: rules,
        staff: &facts.staff,
        busy: &facts.busy,
        now,
    }
}

/// The free times of a service at a location on a local date.
pub async fn free_slots(
    app: &App,
    location_id: &str,
    service_id: &str,
    date: NaiveDate,
) -> Result<Vec<Slot>, AppError> {
    let noon = date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    let Some(facts) = facts(app, location_id, service_id, noon, false).await? else {
        return Err(unbookable(app, location_id).await);
    };
    let rules = facts.service.rules();
    Ok(availability(&facts, &rules, app.clock.now()).free_slots(date))
}

/// Which of location and service made a request unbookable, as a field error.
async fn unbookable(app: &App, location_id: &str) -> AppError {
    let location_known = matches!(app.store.location(location_id).await, Ok(Some(l)) if l.active);
    if location_known {
        AppError::invalid(
            "service",
            "unknown_service",
            "this service is not offered at this location",
        )
    } else {
        AppError::invalid("location", "unknown_location", "no such location")
    }
}

pub struct Booked {
    pub appointment: AppointmentView,
    pub manage_url: String,
}

/// Books a time for a customer; `SlotTaken` with the next free times when it is not free.
pub async fn book(app: &App, input: &BookingInput, fallback_lang: Lang) -> Result<Booked, AppError> {
    let settings = app.settings();
    let valid = input
        .validate(&settings.business.default_region, fallback_lang)
        .map_err(AppError::Invalid)?;
    let lang = valid.lang;
    let refuse = |field, code| AppError::Invalid(vec![FieldError::new(field, code, lang)]);
    let Some(facts) = facts(app, &valid.location_id, &valid.service_id, valid.start, false).await? else {
        return Err(match unbookable(app, &valid.location_id).await {
            AppError::Invalid(fields) if fields[0].field == "service" => refuse("service", "unknown_service"),
            _ => refuse("location", "unknown_location"),
        });
    };
    if facts.service.input.field_visit && valid.address.is_none() {
        return Err(refuse("address", "address_required"));
    }
    let now = app.clock.now();
    let rules = facts.service.rules();
    let at = availability(&facts, &rules, now);
    if !at.offers(valid.start) {
        return Err(refuse("start", "not_offered"));
    }
    let date = facts.location.hours.local_date(valid.start);
    let free = at.free_slots(date).into_iter().find(|slot| slot.start == valid.start);
    let Some(slot) = free else {
        return Err(slot_taken(app, &valid.location_id, &valid.service_id, valid.start).await);
    };
    let booking = NewAppointment {
        location_id: valid.location_id.clone(),
        service_id: valid.service_id.clone(),
        time: new_time(app, &facts, slot, now),
        name: valid.name,
        email: valid.email,
        phone: valid.phone,
        note: valid.note,
        address: valid.address,
        lang,
    };
    let appointment = match app.store.book(booking).await {
        Ok(appointment) => appointment,
        Err(StoreError::Taken) => {
            return Err(slot_taken(app, &valid.location_id, &valid.service_id, valid.start).await);
        }
        Err(other) => return Err(other.into()),
    };
    app.announce(Change::Appointments);
    let manage_url = manage_url(app, &appointment.id).await?;
    Ok(Booked {
        appointment,
        manage_url,
    })
}

/// A free slot as the time to claim, with the reminders and call-ahead that go with it.
fn new_time(app: &App, facts: &BookingFacts, slot: Slot, now: DateTime<Utc>) -> NewTime {
    let service = &facts.service.input;
    let rules = facts.service.rules();
    NewTime {
        reminders: reminder_times(
            slot.start,
            &facts.location.hours,
            &app.settings().appointment_reminders,
            now,
        ),
        call_ahead_due: service
            .field_visit
            .then(|| slot.start - Duration::minutes(service.call_ahead_minutes)),
        occupies: rules.occupies(slot.start),
        staff_ids: slot.staff_ids,
        start: slot.start,
        end: slot.end,
        now,
        fanout: app.fanout(),
    }
}

/// Moves an appointment to another free time of the same service and location (staff, or
/// the customer through their link).
pub async fn reschedule(app: &App, id: &str, start: Option<&str>) -> Result<AppointmentView, AppError> {
    let appointment = app.store.appointment(id).await?.ok_or(AppError::NotFound)?;
    let lang = appointment.lang;
    let refuse = |code| AppError::Invalid(vec![FieldError::new("start", code, lang)]);
    let start = start
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .map(|s| s.with_timezone(&Utc))
        .ok_or_else(|| refuse("start_required"))?;
    let (location_id, service_id) = (&appointment.location_id, &appointment.service_id);
    let facts = facts(app, location_id, service_id, start, false)
        .await?
        .ok_or_else(|| refuse("not_offered"))?;
    let now = app.clock.now();
    let rules = facts.service.rules();
    // Its own time counts as free: moving half an hour later may overlap where it is now.
    let busy: Vec<_> = facts
        .busy
        .iter()
        .filter(|b| b.appointment_id != appointment.id)
        .cloned()
        .collect();
    let own = BookingFacts { busy, ..facts.clone() };
    let at = availability(&own, &rules, now);
    if !at.offers(start) {
        return Err(refuse("not_offered"));
    }
    let date = own.location.hours.local_date(start);
    let Some(slot) = at.free_slots(date).into_iter().find(|slot| slot.start == start) else {
        return Err(slot_taken(app, location_id, service_id, start).await);
    };
    let moved = match app.store.reschedule(id, new_time(app, &own, slot, now)).await {
        Err(StoreError::Taken) => return Err(slot_taken(app, location_id, service_id, start).await),
        other => other?,
    };
    app.announce(Change::Appointments);
    Ok(moved)
}

/// The technician is on the way: the call-ahead promise is kept and the customer told when
/// to expect them.
pub async fn on_my_way(app: &App, staff: &Staff, id: &str, eta_minutes: i64) -> Result<AppointmentView, AppError> {
    if !(0..=24 * 60).contains(&eta_minutes) {
        return Err(AppError::invalid(
            "eta_minutes",
            "invalid_minutes",
            "from 0 to 1440 minutes",
        ));
    }
    let now = app.clock.now();
    let eta = now + Duration::minutes(eta_minutes);
    let appointment = app.store.on_my_way(id, &staff.id, eta, now, app.fanout()).await?;
    app.announce(Change::Appointments);
    Ok(appointment)
}

/// Puts a customer who found no suitable time on the waiting list for the service.
pub async fn join_waiting_list(app: &App, input: &BookingInput, fallback_lang: Lang) -> Result<WaitingView, AppError> {
    let settings = app.settings();
    // The same checks as a booking, without a time.
    let mut with_time = input.clone();
    with_time.start = Some(app.clock.now().to_rfc3339());
    let valid = with_time
        .validate(&settings.business.default_region, fallback_lang)
        .map_err(AppError::Invalid)?;
    let now = app.clock.now();
    if facts(app, &valid.location_id, &valid.service_id, now, false)
        .await?
        .is_none()
    {
        return Err(unbookable(app, &valid.location_id).await);
    }
    let waiting = app
        .store
        .join_waiting_list(NewWaiting {
            location_id: valid.location_id,
            service_id: valid.service_id,
            name: valid.name,
            email: valid.email,
            phone: valid.phone,
            lang: valid.lang,
            now,
        })
        .await?;
    app.announce(Change::Appointments);
    Ok(waiting)
}

/// The answer to a booking that lost the race, with the next free times after it.
async fn slot_taken(app: &App, location_id: &str, service_id: &str, start: DateTime<Utc>) -> AppError {
    let next = match facts(app, location_id, service_id, start, true).await {
        Ok(Some(facts)) => {
            let rules = facts.service.rules();
            availability(&facts, &rules, app.clock.now()).next_free(start, NEXT_SLOTS)
        }
        _ => Vec::new(),
    };
    AppError::SlotTaken(next.into_iter().map(|s| (s.start, s.end)).collect())
}

/// The customer's link to see, move or cancel their appointment.
pub async fn manage_url(app: &App, id: &str) -> Result<String, AppError> {
    let signature = links::sign(app, links::APPOINTMENT, id).await?;
    Ok(format!("{}/appointments/{id}/{signature}", app.settings().base_url))
}

/// The appointment a manage link is for, if the link is genuine and the appointment has not
/// passed; `Gone` once it has, `NotFound` for a link that was tampered with.
pub async fn managed(app: &App, id: &str, signature: &str) -> Result<AppointmentView, AppError> {
    links::verify(app, links::APPOINTMENT, id, signature).await?;
    let appointment = app.store.appointment(id).await?.ok_or(AppError::NotFound)?;
    if appointment.end <= app.clock.now() {
        return Err(AppError::Gone("this appointment has passed".into()));
    }
    Ok(appointment)
}

/// Staff move an appointment on: late, checked in, done, no-show, cancelled; `staff: None`
/// is the customer cancelling through their link.
pub async fn change_status(
    app: &App,
    staff: Option<&Staff>,
    id: &str,
    status: AppointmentStatus,
) -> Result<AppointmentView, AppError> {
    let now = app.clock.now();
    if let Some(current) = app.store.appointment(id).await?
        && current.status.may_become(status)
        && !current.status.may_become_when(status, now >= current.start)
    {
        return Err(AppError::invalid(
            "status",
            "not_started",
            "the appointment has not started yet: done and no-show come after its start (check the customer in first if they came early)",
        ));
    }
    let change = AppointmentChange {
        status,
        staff_id: staff.map(|s| s.id.clone()),
        now: app.clock.now(),
        fanout: app.fanout(),
    };
    let appointment = app.store.change_appointment(id, change).await?;
    app.announce(Change::Appointments);
    Ok(appointment)
}

/// A location's appointments on a local date (every location's when `None`).
pub async fn day(app: &App, date: NaiveDate, location_id: Option<&str>) -> Result<Vec<AppointmentView>, AppError> {
    let zone = match location_id {
        Some(id) => {
            let location = app.store.location(id).await?;
            location
                .ok_or_else(|| AppError::invalid("location", "unknown_location", "no such location"))?
                .hours
        }
        None => app.settings().business.hours.clone(),
    };
    let next = date.succ_opt().unwrap_or(date);
    let from = zone.instant(date, chrono::NaiveTime::MIN);
    let until = zone.instant(next, chrono::NaiveTime::MIN);
    Ok(app.store.appointments(from, until, location_id).await?)
}

/// The address of a staff member's own calendar feed (made on first use); `rotate` replaces
/// it, and the old address stops working.
pub async fn calendar_url(app: &App, staff: &Staff, rotate: bool) -> Result<String, AppError> {
    let secret = app
        .store
        .calendar_secret(&staff.id, &crate::auth::new_token(), rotate)
        .await?;
    Ok(format!("{}/calendar/{secret}.ics", app.settings().base_url))
}

/// The calendar (iCalendar text) behind a feed address: the staff member's appointments from
/// a month back to a year ahead. `NotFound` for an address that does not (or no longer) work.
pub async fn calendar_feed(app: &App, secret: &str) -> Result<String, AppError> {
    let secret = secret.strip_suffix(".ics").unwrap_or(secret);
    let staff = app
        .store
        .staff_by_calendar_secret(secret)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = app.clock.now();
    let appointments = app
        .store
        .staff_appointments(&staff.id, now - Duration::days(31), now + Duration::days(366))
        .await?;
    let business = app.settings().business.name.clone();
    Ok(crate::calendar::feed(&appointments, &business, staff.lang, now))
}

// Locations, services, schedules and appointments as staff read them.

/// What the owner's booking set-up page shows: the locations, the services, and everyone on
/// the team (still active) with their own hours and absences.
pub struct BookingSetup {
    pub locations: Vec<kept_store::Location>,
    pub services: Vec<kept_store::Service>,
    pub staff: Vec<(Staff, kept_store::StaffSchedule)>,
}

/// The booking set-up, for an owner.
pub async fn booking_setup(app: &App, owner: &Staff) -> Result<BookingSetup, AppError> {
    authorize(owner, OwnerOnly::ManageAppointments)?;
    let mut staff = Vec::new();
    for person in app.store.list_staff().await?.into_iter().filter(|s| s.active) {
        let schedule = app.store.staff_schedule(&person.id).await?;
        staff.push((person, schedule));
    }
    Ok(BookingSetup {
        locations: app.store.locations().await?,
        services: app.store.services().await?,
        staff,
    })
}

/// Every location.
pub async fn locations(app: &App) -> Result<Vec<kept_store::Location>, AppError> {
    Ok(app.store.locations().await?)
}

/// One location.
pub async fn location(app: &App, id: &str) -> Result<Option<kept_store::Location>, AppError> {
    Ok(app.store.location(id).await?)
}

/// Every service.
pub async fn services(app: &App) -> Result<Vec<kept_store::Service>, AppError> {
    Ok(app.store.services().await?)
}

/// One service.
pub async fn service(app: &App, id: &str) -> Result<Option<kept_store::Service>, AppError> {
    Ok(app.store.service(id).await?)
}

/// Someone's hours per location and their absences.
pub async fn staff_schedule(app: &App, staff_id: &str) -> Result<kept_store::StaffSchedule, AppError> {
    Ok(app.store.staff_schedule(staff_id).await?)
}

/// One appointment.
pub async fn appointment(app: &App, id: &str) -> Result<Option<kept_store::AppointmentView>, AppError> {
    Ok(app.store.appointment(id).await?)
}
