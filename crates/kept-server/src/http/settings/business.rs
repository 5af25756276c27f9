//! The business's settings (owners only): the settings page and the API.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use chrono::{NaiveDate, NaiveTime};
use kept_domain::window::RuleKind;
use kept_domain::{CallbackWindow, Lang, WindowRule};
use serde::Deserialize;
use serde_json::Value;

use crate::http::errors::HttpError;
use crate::http::errors::{ErrorBody, OwnPage};
use crate::http::extract::LangQuery;
use crate::http::extract::{ApiStaff, CsrfForm, StaffSession, json_body};
use crate::http::pages::clock;
use crate::http::pages::{LocalTime, render};
use crate::http::settings::views::{
    MailboxHealth, RuleChoice, SettingChangeRow, SettingsFormValues, SettingsPage, ToneMarkRow, WindowFormRow,
};
use crate::i18n::{SettingsTexts, settings_texts, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::config::{BusinessSettings, WeekFile};
use kept_app::error::AppError;
use kept_app::records::{SettingChangeView, ToneDismissal};
use kept_app::survey_settings::{ExitReason, SurveySettings};

/// The business's settings (owner only): name, time zone, opening hours, closed days,
/// callback windows, first-response targets, reminder lead, retry delay and channel webhooks.
#[utoipa::path(
    get,
    path = "/api/v1/settings",
    operation_id = "get_settings",
    security(("bearer" = [])),
    responses(
        (status = 200, body = BusinessSettings),
        (status = 403, description = "Only owners see the settings", body = ErrorBody)
    )
)]
pub async fn get(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<BusinessSettings>, HttpError> {
    Ok(Json(app::current_settings(&state, &staff)?))
}

/// Changes the settings (owner only). Send the parts to change in the same shape; what is left
/// out stays as it is (`{"business": {"hours": {"sat": "10:00-16:00"}}}`). In force at once on
/// every node; each changed key is recorded with who changed it.
#[utoipa::path(
    put,
    path = "/api/v1/settings",
    operation_id = "change_settings",
    request_body(content = Object, description = "Any part of the settings document"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings now", body = BusinessSettings),
        (status = 403, description = "Only owners change settings", body = ErrorBody),
        (status = 422, description = "A value does not hold; the field names its key", body = ErrorBody)
    )
)]
pub async fn put(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<Json<BusinessSettings>, HttpError> {
    let mut patch: Value = json_body(&body, "body", "expected part of the settings document as JSON")?;
    crate::http::extract::integral_numbers_as_integers(&mut patch);
    if !patch.is_object() {
        return Err(AppError::invalid("body", "not_an_object", "send a JSON object").into());
    }
    Ok(Json(app::change_settings(&state, &staff, &patch).await?))
}

/// `?saved=1` after a successful save (a redirect, so that reloading does not post again).
#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// The owner's settings page.
pub async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    Query(saved): Query<SavedQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let document = app::current_settings(&state, &session.staff)?;
    let form = form_values(&document, &HashMap::new(), lang);
    let saved = saved.saved.is_some();
    settings_page(&state, session, lang, form, saved, None).await
}

/// Takes back a tone finding marked "not a problem here" (owner only).
pub async fn undo_tone_mark(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::undo_tone_dismissal(&state, &session.staff, &id).await?;
    Ok(Redirect::to("/staff/settings?saved=1#tone-marked").into_response())
}

/// Saves the whole form; a refused value brings the page back with what was typed and what
/// a good value looks like.
pub async fn save(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    session.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let lang = session.lang(&query);
    let current = app::current_settings(&state, &session.staff)?;
    let problems = typed_problems(&fields);
    let changed = match document_from_form(&current, &fields) {
        _ if !problems.is_empty() => Err(AppError::Invalid(problems)),
        Ok(document) => {
            let document = serde_json::to_value(document).map_err(|e| AppError::Internal(e.to_string()))?;
            app::change_settings(&state, &session.staff, &document).await
        }
        Err(refused) => Err(refused),
    };
    match changed {
        Ok(_) => Ok(Redirect::to("/staff/settings?saved=1").into_response()),
        Err(AppError::Invalid(problems)) => {
            let texts = settings_texts(lang);
            let mut said: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", setting_label(p.field, lang), texts.problem(p.field)))
                .collect();
            said.dedup();
            let form = form_values(&current, &fields, lang);
            let page = settings_page(&state, session, lang, form, false, Some(said.join(" "))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(OwnPage), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn settings_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    form: SettingsFormValues,
    saved: bool,
    error: Option<String>,
) -> Result<Response, HttpError> {
    let record = kept_app::settings_record(state, &session.staff, HISTORY_LIMIT).await?;
    let clock = clock(state, lang);
    let s = settings_texts(lang);
    let page = SettingsPage {
        texts: texts(lang),
        settings: s,
        tone_marked: record
            .tone_dismissals
            .into_iter()
            .map(|d| tone_mark_row(&clock, s, d))
            .collect(),
        mailbox: state
            .settings()
            .imap
            .as_ref()
            .map(|imap| mailbox_health(&clock, s, imap.key(), record.mailbox)),
        me: session.staff,
        csrf: session.csrf,
        form,
        team: crate::http::pages::assignees(record.team),
        history: record
            .changes
            .into_iter()
            .map(|h| change_row(&clock, lang, h))
            .collect(),
        saved,
        error,
    };
    Ok(render(&page)?.into_response())
}

/// One change in the settings' history, in words.
fn change_row(clock: &LocalTime, lang: Lang, h: SettingChangeView) -> SettingChangeRow {
    SettingChangeRow {
        at: clock.moment(h.at),
        who: h.staff_name.unwrap_or_default(),
        setting: setting_label(&h.change.setting, lang),
        old: plain(h.change.old_value, lang),
        new: plain(h.change.new_value, lang),
    }
}

/// A tone finding marked as not a problem here, with its rule's name.
fn tone_mark_row(clock: &LocalTime, s: &SettingsTexts, d: ToneDismissal) -> ToneMarkRow {
    ToneMarkRow {
        rule: s
            .tone_rules
            .iter()
            .find(|(id, _)| *id == d.rule)
            .map_or("", |(_, name)| name),
        id: d.id,
        excerpt: d.excerpt,
        who: d.staff_name.unwrap_or_default(),
        at: clock.moment(d.created_at),
    }
}

const HISTORY_LIMIT: i64 = 20;

fn mailbox_health(
    clock: &LocalTime,
    s: &SettingsTexts,
    name: String,
    known: Option<kept_app::records::MailboxState>,
) -> MailboxHealth {
    let known = known.as_ref();
    MailboxHealth {
        name,
        last_fetch: known
            .and_then(|k| k.fetched_at)
            .map_or_else(|| s.mailbox_never.to_string(), |at| clock.moment(at)),
        error: known.and_then(|k| k.error.clone()),
        failing_since: known.and_then(|k| k.failing_since).map(|at| clock.moment(at)),
        waiting: known.map_or(0, |k| k.waiting),
    }
}

/// A recorded value as a person reads it: a text without its JSON quotes, "gesloten" for
/// closed on a Dutch page, a list by its number of entries.
fn plain(value: Option<String>, lang: Lang) -> String {
    let value = value.unwrap_or_default();
    match serde_json::from_str::<Value>(&value) {
        Ok(Value::String(text)) if text == "closed" => hours_in_words(&text, lang),
        Ok(Value::String(text)) => text,
        Ok(Value::Array(items)) => format!("({})", items.len()),
        _ => value,
    }
}

/// A changed key in the words of the form ("Openingstijden maandag"), never the raw key.
fn setting_label(key: &str, lang: Lang) -> String {
    let s = settings_texts(lang);
    let day = |code: &str| {
        WeekFile::DAYS
            .iter()
            .find(|(key, _)| *key == code)
            .map(|(_, weekday)| kept_domain::lang::weekday_name(lang, *weekday))
    };
    let mut parts = key.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("business"), Some("name"), _) => s.business_name.to_string(),
        (Some("business"), Some("time_zone"), _) => s.time_zone.to_string(),
        (Some("business"), Some("hours"), Some(code)) => format!("{} {}", s.hours, day(code).unwrap_or(code)),
        (Some("business"), Some("closed_days"), _) => s.closed_days.to_string(),
        (Some("business"), Some("windows"), _) => s.windows.to_string(),
        (Some("first_response_minutes"), channel, _) => {
            let channel = channel.map(|c| crate::i18n::channel_label(lang, c)).unwrap_or_default();
            format!("{} ({channel})", s.first_response)
        }
        (Some("default_first_response_minutes"), ..) => s.default_first_response.to_string(),
        (Some("reminder_lead_minutes"), ..) => s.reminder_lead.to_string(),
        (Some("retry_after_minutes"), ..) => s.retry_after.to_string(),
        (Some("appointment_reminders"), ..) => s.appointment_reminders.to_string(),
        (Some("surveys"), Some(key), _) => survey_label(key, s).unwrap_or(s.surveys).to_string(),
        (Some("weekly_figures_email"), ..) => s.weekly_figures_email.to_string(),
        (Some("acknowledgements"), Some("callback_form"), _) => s.acknowledge_callback_form.to_string(),
        (Some("acknowledgements"), ..) => s.acknowledge_email.to_string(),
        (Some("channel_webhooks"), channel, _) => {
            let channel = channel.map(|c| crate::i18n::channel_label(lang, c)).unwrap_or_default();
            format!("{} ({channel})", s.channel_webhooks)
        }
        _ => key.to_string(),
    }
}

/// The label of a survey setting, by its key under `surveys`.
fn survey_label(key: &str, s: &SettingsTexts) -> Option<&'static str> {
    Some(match key {
        "csat_after_callback" => s.survey_after_callback,
        "csat_after_conversation" => s.survey_after_conversation,
        "csat_after_appointment" => s.survey_after_appointment,
        "delay_minutes" => s.survey_delay,
        "reminder_after_days" => s.survey_reminder_days,
        "cap_days" => s.survey_cap_days,
        "nps_every_days" => s.survey_nps_days,
        "outreach_days_before" => s.outreach_days,
        "exit_reasons" => s.survey_exit_reasons,
        "intro_nl" => s.survey_intro_nl,
        "intro_en" => s.survey_intro_en,
        "outreach_owner" => s.outreach_owner,
        _ => return None,
    })
}

/// The form's survey fields: ticked switches and numbers, each named by its key.
const SURVEY_SWITCHES: [&str; 3] = [
    "csat_after_callback",
    "csat_after_conversation",
    "csat_after_appointment",
];
const SURVEY_NUMBERS: [&str; 5] = [
    "delay_minutes",
    "reminder_after_days",
    "cap_days",
    "nps_every_days",
    "outreach_days_before",
];

fn survey_switch(surveys: &SurveySettings, key: &str) -> bool {
    match key {
        "csat_after_callback" => surveys.csat_after_callback,
        "csat_after_conversation" => surveys.csat_after_conversation,
        _ => surveys.csat_after_appointment,
    }
}

fn survey_number(surveys: &SurveySettings, key: &str) -> i64 {
    match key {
        "delay_minutes" => surveys.delay_minutes,
        "reminder_after_days" => surveys.reminder_after_days,
        "cap_days" => surveys.cap_days,
        "nps_every_days" => surveys.nps_every_days,
        _ => surveys.outreach_days_before,
    }
}

/// The form's values: what was typed (`typed`) where there is something, else the document's.
fn form_values(document: &BusinessSettings, typed: &HashMap<String, String>, lang: Lang) -> SettingsFormValues {
    let value = |key: &str, saved: String| typed.get(key).cloned().unwrap_or(saved);
    // A box as the owner left it on a refused form, else as saved.
    let ticked = |key: &str, saved: bool| match typed.is_empty() {
        true => saved,
        false => typed.contains_key(key),
    };
    let business = &document.business;
    let surveys = &document.surveys;
    SettingsFormValues {
        name: value("name", business.name.clone()),
        time_zone: value("time_zone", business.time_zone.clone()),
        hours: WeekFile::DAYS
            .iter()
            .zip(business.hours.days())
            .map(|((day, weekday), saved)| {
                let label = kept_domain::lang::weekday_name(lang, *weekday);
                (*day, label, value(day, hours_in_words(saved, lang)))
            })
            .collect(),
        closed_days: value("closed_days", lines(business.closed_days.iter().map(|d| d.to_string()))),
        windows: window_rows(&business.windows, &value, settings_texts(lang)),
        first_response: value("first_response", pairs(&document.first_response_minutes)),
        default_first_response: value(
            "default_first_response",
            document.default_first_response_minutes.to_string(),
        ),
        reminder_lead: value("reminder_lead", document.reminder_lead_minutes.to_string()),
        retry_after: value("retry_after", document.retry_after_minutes.to_string()),
        appointment_reminders: value("appointment_reminders", document.appointment_reminders.join(", ")),
        channel_webhooks: value("channel_webhooks", pairs(&document.channel_webhooks)),
        weekly_figures_email: ticked("weekly_figures_email", document.weekly_figures_email),
        acknowledge_email: ticked("acknowledge_email", document.acknowledgements.email),
        acknowledge_callback_form: ticked("acknowledge_callback_form", document.acknowledgements.callback_form),
        survey_triggers: survey_triggers(surveys, typed, lang),
        survey_numbers: SURVEY_NUMBERS
            .iter()
            .map(|key| {
                let label = survey_label(key, settings_texts(lang)).unwrap_or_default();
                (*key, label, value(key, survey_number(surveys, key).to_string()))
            })
            .collect(),
        exit_reasons: value(
            "exit_reasons",
            lines(surveys.exit_reasons.iter().map(|r| format!("{} | {}", r.nl, r.en))),
        ),
        survey_intro_nl: value("survey_intro_nl", surveys.intro_nl.clone()),
        survey_intro_en: value("survey_intro_en", surveys.intro_en.clone()),
        outreach_owner: value("outreach_owner", surveys.outreach_owner.clone()),
    }
}

/// The call-back choices as form rows (what was typed where there is something), and one blank
/// row to add a new choice with.
fn window_rows(
    windows: &[CallbackWindow],
    value: &dyn Fn(&str, String) -> String,
    settings_texts: &SettingsTexts,
) -> Vec<WindowFormRow> {
    let blank = CallbackWindow {
        code: String::new(),
        label_nl: String::new(),
        label_en: String::new(),
        rule: WindowRule::Within { minutes: 60 },
    };
    windows
        .iter()
        .chain(std::iter::once(&blank))
        .enumerate()
        .map(|(i, w)| {
            let field = |name: &str, saved: String| value(&format!("window_{i}_{name}"), saved);
            let (minutes, start, end) = match &w.rule {
                WindowRule::Within { minutes } => (minutes.to_string(), String::new(), String::new()),
                WindowRule::OfficeHours {} => (String::new(), String::new(), String::new()),
                WindowRule::DailySlot { start, end } => (
                    String::new(),
                    start.format("%H:%M").to_string(),
                    end.format("%H:%M").to_string(),
                ),
            };
            let chosen = field("kind", w.rule.kind().as_str().to_string());
            WindowFormRow {
                code: w.code.clone(),
                label_nl: field("label_nl", w.label_nl.clone()),
                label_en: field("label_en", w.label_en.clone()),
                kinds: RuleKind::ALL
                    .into_iter()
                    .map(|kind| RuleChoice {
                        code: kind.as_str(),
                        label: settings_texts.rule(kind),
                        selected: chosen == kind.as_str(),
                    })
                    .collect(),
                minutes: field("minutes", minutes),
                start: field("start", start),
                end: field("end", end),
            }
        })
        .collect()
}

/// Which surveys are switched on: a posted form that came back says what was ticked; else the
/// saved value.
fn survey_triggers(
    surveys: &SurveySettings,
    typed: &HashMap<String, String>,
    lang: Lang,
) -> Vec<(&'static str, &'static str, bool)> {
    SURVEY_SWITCHES
        .iter()
        .map(|key| {
            let label = survey_label(key, settings_texts(lang)).unwrap_or_default();
            let ticked = match typed.is_empty() {
                true => survey_switch(surveys, key),
                false => typed.contains_key(*key),
            };
            (*key, label, ticked)
        })
        .collect()
}

/// "closed" reads "gesloten" on a Dutch page (both are accepted; "closed" is what is saved).
fn hours_in_words(hours: &str, lang: Lang) -> String {
    match (hours.trim(), lang) {
        ("" | "closed" | "gesloten", Lang::Nl) => "gesloten".into(),
        ("" | "closed" | "gesloten", Lang::En) => "closed".into(),
        (other, _) => other.to_string(),
    }
}

fn lines(values: impl Iterator<Item = String>) -> String {
    values.collect::<Vec<_>>().join("\n")
}

fn pairs<V: std::fmt::Display>(map: &BTreeMap<String, V>) -> String {
    lines(map.iter().map(|(k, v)| format!("{k} = {v}")))
}

/// Every value on the form that cannot be right on its own, all at once (the document's own
/// check, after this, stops at its first refusal).
fn typed_problems(fields: &HashMap<String, String>) -> Vec<kept_domain::FieldError> {
    let text = |key: &str| fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut wrong: Vec<&'static str> = Vec::new();
    let name = text("name");
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        wrong.push("business.name");
    }
    if text("time_zone").parse::<chrono_tz::Tz>().is_err() {
        wrong.push("business.time_zone");
    }
    const HOURS: [(&str, &str); 7] = [
        ("mon", "business.hours.mon"),
        ("tue", "business.hours.tue"),
        ("wed", "business.hours.wed"),
        ("thu", "business.hours.thu"),
        ("fri", "business.hours.fri"),
        ("sat", "business.hours.sat"),
        ("sun", "business.hours.sun"),
    ];
    wrong.extend(
        HOURS
            .iter()
            .filter(|(day, _)| kept_domain::hours::parse_spans(&text(day)).is_err())
            .map(|(_, key)| *key),
    );
    let numbers = [
        ("default_first_response", "default_first_response_minutes"),
        ("reminder_lead", "reminder_lead_minutes"),
        ("retry_after", "retry_after_minutes"),
    ];
    wrong.extend(
        numbers
            .iter()
            .filter(|(field, _)| text(field).parse::<i64>().is_err())
            .map(|(_, key)| *key),
    );
    let days_ok = text("closed_days")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|l| NaiveDate::parse_from_str(l, "%Y-%m-%d").is_ok());
    if !days_ok {
        wrong.push("business.closed_days");
    }
    wrong
        .into_iter()
        .map(|field| kept_domain::FieldError {
            field,
            code: "invalid_setting",
            message: format!("{field} is not valid"),
        })
        .collect()
}

fn refuse(key: &'static str) -> AppError {
    AppError::invalid(key, "invalid_setting", format!("{key} is not valid"))
}

/// The settings document the form describes; the use case checks every value again.
fn document_from_form(
    current: &BusinessSettings,
    fields: &HashMap<String, String>,
) -> Result<BusinessSettings, AppError> {
    let text = |key: &str| fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
    let number = |key: &str, setting: &'static str| text(key).parse::<i64>().map_err(|_| refuse(setting));
    let mut document = current.clone();
    let business = &mut document.business;
    business.name = text("name");
    business.time_zone = text("time_zone");
    for ((day, _), slot) in WeekFile::DAYS.iter().zip(business.hours.days_mut()) {
        let typed = text(day);
        // One word for closed, whatever the page's language, so switching language is no change.
        // "9-18" is saved as "09:00-18:00"; what cannot be read is left for the check to name.
        *slot = kept_domain::hours::normalise_spans(&typed).unwrap_or(typed);
    }
    business.closed_days = text("closed_days")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| NaiveDate::parse_from_str(l, "%Y-%m-%d").map_err(|_| refuse("business.closed_days")))
        .collect::<Result<_, _>>()?;
    business.windows = windows_from_form(&business.windows, &text)?;
    document.first_response_minutes = key_values(&text("first_response"), "first_response_minutes")?
        .into_iter()
        .map(|(k, v)| v.parse().map(|m| (k, m)).map_err(|_| refuse("first_response_minutes")))
        .collect::<Result<_, _>>()?;
    document.default_first_response_minutes = number("default_first_response", "default_first_response_minutes")?;
    document.reminder_lead_minutes = number("reminder_lead", "reminder_lead_minutes")?;
    document.retry_after_minutes = number("retry_after", "retry_after_minutes")?;
    document.appointment_reminders = text("appointment_reminders")
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(String::from)
        .collect();
    document.channel_webhooks = key_values(&text("channel_webhooks"), "channel_webhooks")?
        .into_iter()
        .collect();
    // A page from before these settings existed leaves them as they are.
    if fields.contains_key("figures_shown") {
        document.weekly_figures_email = fields.contains_key("weekly_figures_email");
    }
    if fields.contains_key("acknowledgements_shown") {
        document.acknowledgements.email = fields.contains_key("acknowledge_email");
        document.acknowledgements.callback_form = fields.contains_key("acknowledge_callback_form");
    }
    if fields.contains_key("surveys_shown") {
        survey_fields(&mut document.surveys, fields)?;
    }
    Ok(document)
}

/// The call-back choices as typed: those ticked "remove" go, the blank row after them adds one
/// when it has a label; a choice keeps its code, a new one gets a code from its label.
fn windows_from_form(saved: &[CallbackWindow], text: &dyn Fn(&str) -> String) -> Result<Vec<CallbackWindow>, AppError> {
    let mut windows = Vec::new();
    for i in 0..=saved.len() {
        let field = |name: &str| text(&format!("window_{i}_{name}"));
        let existing = saved.get(i);
        if field("remove") == "1"
            || (existing.is_none() && field("label_nl").is_empty() && field("label_en").is_empty())
        {
            continue;
        }
        let time =
            |name: &str| NaiveTime::parse_from_str(&field(name), "%H:%M").map_err(|_| refuse("business.windows"));
        let rule = match RuleKind::parse(&field("kind")) {
            Some(RuleKind::Within) => WindowRule::Within {
                minutes: field("minutes").parse().map_err(|_| refuse("business.windows"))?,
            },
            Some(RuleKind::OfficeHours) => WindowRule::OfficeHours {},
            Some(RuleKind::DailySlot) => WindowRule::DailySlot {
                start: time("start")?,
                end: time("end")?,
            },
            None => return Err(refuse("business.windows")),
        };
        let code = match existing {
            Some(window) => window.code.clone(),
            None => new_window_code(&field("label_en"), &field("label_nl"), saved),
        };
        windows.push(CallbackWindow {
            code,
            label_nl: field("label_nl"),
            label_en: field("label_en"),
            rule,
        });
    }
    Ok(windows)
}

/// The survey part of the form: a switch is on when ticked.
fn survey_fields(surveys: &mut SurveySettings, fields: &HashMap<String, String>) -> Result<(), AppError> {
    let text = |key: &str| fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
    let number = |key: &str, setting: &'static str| text(key).parse::<i64>().map_err(|_| refuse(setting));
    surveys.csat_after_callback = fields.contains_key("csat_after_callback");
    surveys.csat_after_conversation = fields.contains_key("csat_after_conversation");
    surveys.csat_after_appointment = fields.contains_key("csat_after_appointment");
    surveys.delay_minutes = number("delay_minutes", "surveys.delay_minutes")?;
    surveys.reminder_after_days = number("reminder_after_days", "surveys.reminder_after_days")?;
    surveys.cap_days = number("cap_days", "surveys.cap_days")?;
    surveys.nps_every_days = number("nps_every_days", "surveys.nps_every_days")?;
    surveys.outreach_days_before = number("outreach_days_before", "surveys.outreach_days_before")?;
    surveys.exit_reasons = text("exit_reasons")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once('|') {
            Some((nl, en)) => Ok(ExitReason {
                nl: nl.trim().to_string(),
                en: en.trim().to_string(),
            }),
            None => Err(refuse("surveys.exit_reasons")),
        })
        .collect::<Result<_, _>>()?;
    surveys.intro_nl = text("survey_intro_nl");
    surveys.intro_en = text("survey_intro_en");
    surveys.outreach_owner = text("outreach_owner");
    Ok(())
}

/// A code for a new callback window, made from its label ("Na 20:00" → "na_20_00"), unique
/// among `existing`. Requests keep the code, so it never changes once made.
fn new_window_code(label_en: &str, label_nl: &str, existing: &[CallbackWindow]) -> String {
    let label = if label_en.trim().is_empty() { label_nl } else { label_en };
    let slug: String = label
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let base = if slug.is_empty() {
        "window".to_string()
    } else {
        slug.chars().take(32).collect()
    };
    let taken = |code: &str| existing.iter().any(|w| w.code == code);
    (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}_{n}") })
        .find(|code| !taken(code))
        .unwrap_or(base)
}

/// "key = value" lines (blank lines skipped).
fn key_values(text: &str, setting: &'static str) -> Result<Vec<(String, String)>, AppError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (key, value) = line.split_once('=').ok_or_else(|| refuse(setting))?;
            Ok((key.trim().to_lowercase(), value.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(code: &str) -> CallbackWindow {
        CallbackWindow {
            code: code.into(),
            label_nl: String::new(),
            label_en: String::new(),
            rule: WindowRule::OfficeHours {},
        }
    }

    #[test]
    fn a_new_window_gets_a_code_from_its_label_unique_among_the_others() {
        assert_eq!(new_window_code("After 8 pm", "Na 20:00", &[]), "after_8_pm");
        assert_eq!(new_window_code("", "Na 20:00", &[]), "na_20_00");
        assert_eq!(new_window_code(" ", "!!", &[]), "window");
        let taken = [window("office"), window("office_2")];
        assert_eq!(new_window_code("Office", "", &taken), "office_3");
    }
}
