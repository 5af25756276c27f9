//! The customer's booking pages: `/book` (works without JavaScript, embeddable like the
//! callback form) and the page behind the link in their e-mails, to move or cancel.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use kept_app::records::{AppointmentView, Location};
use kept_domain::booking::Slot;
use kept_domain::{AppointmentStatus, BookingInput, FieldError, Lang};
use serde::Deserialize;

use crate::http::errors::HttpError;
use crate::http::extract::{ClientIp, request_lang};
use crate::http::pages::render;
use crate::i18n::{BookingTexts, Texts, booking_texts, error_texts, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::BookingChoice;
use kept_app::error::AppError;

#[derive(Template)]
#[template(path = "book.html")]
pub struct BookPage {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub business: String,
    pub embed: bool,
    pub locations: Vec<(String, String)>,
    pub services: Vec<(String, String)>,
    pub location: String,
    pub service: String,
    pub date: String,
    pub first_date: String,
    pub last_date: String,
    /// The free times (start as RFC 3339, label); `None` until a day is chosen.
    pub slots: Option<Vec<(String, String)>>,
    pub start: String,
    pub field_visit: bool,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub note: String,
    pub address: String,
    pub errors: Vec<(String, String)>,
    /// Problems not tied to a field shown on the form (an unknown location or service).
    pub other_errors: Vec<String>,
    pub taken: bool,
    pub waiting_done: bool,
}

impl BookPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "booked.html")]
pub struct BookedPage {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub business: String,
    pub summary: String,
    pub manage_url: String,
}

#[derive(Template)]
#[template(path = "manage.html")]
pub struct ManagePage {
    pub texts: &'static Texts,
    pub booking: &'static BookingTexts,
    pub business: String,
    pub path: String,
    pub summary: String,
    pub status: &'static str,
    pub notice: Option<&'static str>,
    pub can_change: bool,
    pub date: String,
    pub first_date: String,
    pub last_date: String,
    pub slots: Option<Vec<(String, String)>>,
    pub taken: bool,
}

#[derive(Template)]
#[template(path = "public_notice.html")]
pub struct PublicNoticePage {
    pub texts: &'static Texts,
    pub business: String,
    pub title: &'static str,
    pub text: &'static str,
    pub link: Option<(String, &'static str)>,
}

/// A plain page for the customer with a title, a sentence and maybe a link onwards: why a
/// link they followed does not open anything.
pub fn public_notice(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    (title, text): (&'static str, &'static str),
    link: Option<(String, &'static str)>,
) -> Result<Response, HttpError> {
    let page = PublicNoticePage {
        texts: texts(lang),
        business: state.settings().business.name.clone(),
        title,
        text,
        link,
    };
    Ok((status, render(&page)?).into_response())
}

/// What the customer picked so far, and what they typed (shown again after a refusal).
#[derive(Debug, Default, Deserialize)]
pub struct BookingForm {
    lang: Option<String>,
    embed: Option<String>,
    location: Option<String>,
    service: Option<String>,
    date: Option<String>,
    start: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    note: Option<String>,
    address: Option<String>,
    website: Option<String>,
}

impl BookingForm {
    fn embed(&self) -> bool {
        self.embed.as_deref().is_some_and(|v| v == "1" || v == "true")
    }

    fn input(&self) -> BookingInput {
        BookingInput {
            location: self.location.clone(),
            service: self.service.clone(),
            start: self.start.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            note: self.note.clone(),
            address: self.address.clone(),
            lang: self.lang.clone(),
            website: self.website.clone(),
        }
    }
}

fn zone(location: &Location) -> Tz {
    location.hours.time_zone
}

/// "09:30", or "10:00–12:00" for a visit window; with the day when it is not `on`.
fn slot_label(
    lang: Lang,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
    window: bool,
    on: Option<NaiveDate>,
) -> String {
    let (from, until) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let time = match window {
        true => format!("{}–{}", from.format("%H:%M"), until.format("%H:%M")),
        false => from.format("%H:%M").to_string(),
    };
    let date = lang.long_date(from.date_naive());
    match (on, window, lang) {
        (Some(day), _, _) if day == from.date_naive() => time,
        (_, true, _) => format!("{date}, {time}"),
        (_, false, Lang::Nl) => format!("{date} om {time}"),
        (_, false, Lang::En) => format!("{date} at {time}"),
    }
}

fn slot_options(lang: Lang, slots: &[Slot], tz: Tz, window: bool, on: Option<NaiveDate>) -> Vec<(String, String)> {
    slots
        .iter()
        .map(|s| (s.start.to_rfc3339(), slot_label(lang, s.start, s.end, tz, window, on)))
        .collect()
}

/// The locations and services a customer can choose from: active ones offered together.
/// The booking page for what `form` holds so far.
async fn book_page(state: &AppState, lang: Lang, form: &BookingForm) -> Result<BookPage, HttpError> {
    let choice = BookingChoice {
        location: form.location.as_deref(),
        service: form.service.as_deref(),
        date: form.date.as_deref().and_then(|d| d.parse::<NaiveDate>().ok()),
    };
    let offer = app::booking_offer(state, choice).await?;
    let chosen = |value: &Option<String>| value.clone().unwrap_or_default();
    let field_visit = offer.service.as_ref().is_some_and(|s| s.input.field_visit);
    let slots = match (&offer.location, &offer.free) {
        (Some(l), Some(free)) => Some(slot_options(lang, free, zone(l), field_visit, choice.date)),
        _ => None,
    };
    Ok(BookPage {
        texts: texts(lang),
        booking: booking_texts(lang),
        business: state.settings().business.name.clone(),
        embed: form.embed(),
        locations: offer.locations.iter().map(|l| (l.id.clone(), l.name.clone())).collect(),
        services: offer
            .services
            .iter()
            .map(|s| (s.id.clone(), s.name(lang).to_string()))
            .collect(),
        location: offer.location.map(|l| l.id).unwrap_or_default(),
        service: offer.service.map(|s| s.id).unwrap_or_default(),
        date: choice.date.unwrap_or(offer.today).to_string(),
        first_date: offer.today.to_string(),
        last_date: offer.last_date.to_string(),
        slots,
        start: chosen(&form.start),
        field_visit,
        name: chosen(&form.name),
        email: chosen(&form.email),
        phone: chosen(&form.phone),
        note: chosen(&form.note),
        address: chosen(&form.address),
        errors: Vec::new(),
        other_errors: Vec::new(),
        taken: false,
        waiting_done: false,
    })
}

fn form_lang(form: &BookingForm, headers: &HeaderMap) -> Lang {
    request_lang(form.lang.as_deref(), headers)
}

pub async fn book_form(
    State(state): State<AppState>,
    Query(form): Query<BookingForm>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let lang = form_lang(&form, &headers);
    Ok(render(&book_page(&state, lang, &form).await?)?.into_response())
}

/// The page shown again with what was wrong: field errors under their fields, others above
/// the button.
fn with_errors(mut page: BookPage, errors: Vec<FieldError>) -> BookPage {
    const ON_THE_FORM: [&str; 7] = ["start", "name", "email", "phone", "address", "note", "website"];
    for error in errors {
        match ON_THE_FORM.contains(&error.field) {
            true => page.errors.push((error.field.to_string(), error.message)),
            false => page.other_errors.push(error.message),
        }
    }
    page
}

fn rate_limited(lang: Lang) -> FieldError {
    let code = AppError::TooManyRequests.code();
    FieldError {
        field: "website",
        code,
        message: error_texts(lang).for_code(code).1.to_string(),
    }
}

/// The booking page again, with what was typed and why it was refused.
async fn refused(
    state: &AppState,
    lang: Lang,
    form: &BookingForm,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> Result<Response, HttpError> {
    let page = with_errors(book_page(state, lang, form).await?, errors);
    Ok((status, render(&page)?).into_response())
}

pub async fn submit_booking(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<BookingForm>,
) -> Result<Response, HttpError> {
    let lang = form_lang(&form, &headers);
    if ip.check_rate(&state).is_err() {
        return refused(
            &state,
            lang,
            &form,
            StatusCode::TOO_MANY_REQUESTS,
            vec![rate_limited(lang)],
        )
        .await;
    }
    match app::book(&state, &form.input(), lang).await {
        Ok(booked) => {
            let a = &booked.appointment;
            let page = BookedPage {
                texts: texts(a.lang),
                booking: booking_texts(a.lang),
                business: state.settings().business.name.clone(),
                summary: summary(a, a.lang),
                manage_url: booked.manage_url.clone(),
            };
            Ok((StatusCode::CREATED, render(&page)?).into_response())
        }
        Err(AppError::Invalid(errors)) => refused(&state, lang, &form, StatusCode::UNPROCESSABLE_ENTITY, errors).await,
        Err(AppError::SlotTaken(next)) => {
            let page = taken_page(&state, lang, &form, next).await?;
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The booking page again after the chosen time was taken a moment ago: the next free times
/// instead of the day's.
async fn taken_page(
    state: &AppState,
    lang: Lang,
    form: &BookingForm,
    next: Vec<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<BookPage, HttpError> {
    let mut page = book_page(state, lang, form).await?;
    let location = kept_app::location(state, &page.location).await?;
    let tz = location.as_ref().map_or(chrono_tz::Europe::Amsterdam, zone);
    let next: Vec<Slot> = next
        .into_iter()
        .map(|(start, end)| Slot {
            start,
            end,
            staff_ids: Vec::new(),
        })
        .collect();
    page.slots = Some(slot_options(lang, &next, tz, page.field_visit, None));
    page.taken = true;
    page.start.clear();
    Ok(page)
}

pub async fn submit_waiting(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<BookingForm>,
) -> Result<Response, HttpError> {
    let lang = form_lang(&form, &headers);
    if ip.check_rate(&state).is_err() {
        return refused(
            &state,
            lang,
            &form,
            StatusCode::TOO_MANY_REQUESTS,
            vec![rate_limited(lang)],
        )
        .await;
    }
    match app::join_waiting_list(&state, &form.input(), lang).await {
        Ok(_) => {
            let mut page = book_page(&state, lang, &form).await?;
            page.waiting_done = true;
            Ok((StatusCode::CREATED, render(&page)?).into_response())
        }
        Err(AppError::Invalid(errors)) => refused(&state, lang, &form, StatusCode::UNPROCESSABLE_ENTITY, errors).await,
        Err(other) => Err(other.into()),
    }
}

/// "Oogmeting, donderdag 26 november om 09:30, bij Centrum (Markt 1, Utrecht)".
fn summary(a: &AppointmentView, lang: Lang) -> String {
    let b = booking_texts(lang);
    let tz: Tz = a.time_zone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    let when = slot_label(lang, a.start, a.end, tz, a.field_visit, None);
    let place = match &a.address {
        Some(address) => address.clone(),
        None => format!("{} ({})", a.location_name, a.location_address),
    };
    format!("{}, {when}, {} {place}", a.service_name(lang), b.with)
}

#[derive(Debug, Default, Deserialize)]
pub struct ManageQuery {
    lang: Option<String>,
    date: Option<String>,
}

/// The page a wrong or expired link gets, in the asker's language.
fn link_refused(state: &AppState, error: AppError, lang: Lang) -> Result<Response, HttpError> {
    let b = booking_texts(lang);
    let business = state.settings().business.name.clone();
    let (status, title, text, link) = match error {
        AppError::NotFound => (StatusCode::NOT_FOUND, b.link_wrong_title, b.link_wrong, None),
        AppError::Gone(_) => (
            StatusCode::GONE,
            b.passed_title,
            b.passed,
            Some((format!("/book?lang={}", lang.code()), b.book_title)),
        ),
        other => return Err(other.into()),
    };
    let page = PublicNoticePage {
        texts: texts(lang),
        business,
        title,
        text,
        link,
    };
    Ok((status, render(&page)?).into_response())
}

async fn manage_page(
    state: &AppState,
    a: &AppointmentView,
    lang: Lang,
    path: String,
    date: Option<NaiveDate>,
) -> Result<ManagePage, HttpError> {
    let b = booking_texts(lang);
    let location = kept_app::location(state, &a.location_id).await?;
    let service = kept_app::service(state, &a.service_id).await?;
    let tz: Tz = a.time_zone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    let today = state.clock.now().with_timezone(&tz).date_naive();
    let horizon = service.as_ref().map_or(60, |s| s.input.horizon_days);
    let slots = match (date, &location) {
        (Some(date), Some(location)) => {
            let free = app::free_slots(state, &location.id, &a.service_id, date)
                .await
                .unwrap_or_default();
            Some(slot_options(lang, &free, tz, a.field_visit, Some(date)))
        }
        _ => None,
    };
    Ok(ManagePage {
        texts: texts(lang),
        booking: b,
        business: state.settings().business.name.clone(),
        path,
        summary: summary(a, lang),
        status: b.status(a.status),
        notice: None,
        can_change: matches!(a.status, AppointmentStatus::Booked | AppointmentStatus::Late),
        date: date.unwrap_or(today).to_string(),
        first_date: today.to_string(),
        last_date: (today + chrono::Duration::days(horizon)).to_string(),
        slots,
        taken: false,
    })
}

/// The appointment a manage link is for, with the page's language (the customer's unless
/// `?lang=` says otherwise) — or the page that refuses the link.
async fn linked(
    state: &AppState,
    id: &str,
    signature: &str,
    query: &ManageQuery,
    headers: &HeaderMap,
) -> Result<Result<(AppointmentView, Lang), Response>, HttpError> {
    let asked = request_lang(query.lang.as_deref(), headers);
    match app::managed(state, id, signature).await {
        Ok(a) => {
            let lang = query.lang.as_deref().and_then(Lang::parse).unwrap_or(a.lang);
            Ok(Ok((a, lang)))
        }
        Err(error) => link_refused(state, error, asked).map(Err),
    }
}

pub async fn manage(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    Query(query): Query<ManageQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (a, lang) = match linked(&state, &id, &signature, &query, &headers).await? {
        Ok(linked) => linked,
        Err(refused) => return Ok(refused),
    };
    let date = query.date.as_deref().and_then(|d| d.parse().ok());
    let path = format!("/appointments/{id}/{signature}");
    Ok(render(&manage_page(&state, &a, lang, path, date).await?)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ManageForm {
    start: Option<String>,
    confirm: Option<String>,
}

pub async fn manage_cancel(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    Query(query): Query<ManageQuery>,
    headers: HeaderMap,
    Form(form): Form<ManageForm>,
) -> Result<Response, HttpError> {
    let (a, lang) = match linked(&state, &id, &signature, &query, &headers).await? {
        Ok(linked) => linked,
        Err(refused) => return Ok(refused),
    };
    let path = format!("/appointments/{id}/{signature}");
    if form.confirm.as_deref() != Some("1") {
        return Ok(render(&manage_page(&state, &a, lang, path, None).await?)?.into_response());
    }
    let cancelled = app::change_status(&state, None, &id, AppointmentStatus::Cancelled).await?;
    let mut page = manage_page(&state, &cancelled, lang, path, None).await?;
    page.notice = Some(page.booking.cancelled_title);
    Ok(render(&page)?.into_response())
}

pub async fn manage_reschedule(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    Query(query): Query<ManageQuery>,
    headers: HeaderMap,
    Form(form): Form<ManageForm>,
) -> Result<Response, HttpError> {
    let (a, lang) = match linked(&state, &id, &signature, &query, &headers).await? {
        Ok(linked) => linked,
        Err(refused) => return Ok(refused),
    };
    let path = format!("/appointments/{id}/{signature}");
    match app::reschedule(&state, &id, form.start.as_deref()).await {
        Ok(moved) => {
            let mut page = manage_page(&state, &moved, lang, path, None).await?;
            page.notice = Some(page.booking.moved);
            Ok(render(&page)?.into_response())
        }
        Err(AppError::SlotTaken(_) | AppError::Invalid(_)) => {
            let date = form
                .start
                .as_deref()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|s| s.date_naive());
            let mut page = manage_page(&state, &a, lang, path, date).await?;
            page.taken = true;
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
