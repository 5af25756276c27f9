//! The customer page: who they are, their whole timeline, the follow-ups, and its forms — a
//! note, a logged call, writing to them first (the form; `first_messages` sends), their name,
//! a new contact, and merging another customer into them (owners, after a preview of what
//! moves).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use chrono::DateTime;
use chrono_tz::Tz;
use kept_app::EMAIL;
use kept_app::records::{CustomerView, FollowUpView, TimelineEntry};
use kept_domain::conversation::{Direction, PHONE_CHANNELS};
use kept_domain::phone::normalise_phone;
use kept_domain::quoted::split_quoted;
use kept_domain::staff::OwnerOnly;
use kept_domain::{EntryKind, Lang, PromiseKind, PromiseStatus};
use serde::Deserialize;

use crate::http::customers::api::ContactRequest;
use crate::http::customers::views::{
    CustomerPage, FollowUpRow, MergeCandidate, MergePage, TimelineRow, WriteBox, WriteDraft,
};
use crate::http::errors::HttpError;
use crate::http::errors::OwnPage;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::pages::{LocalTime, clock, outcome_label, promise_label, render};
use crate::i18n::first_messages::first_message_texts;
use crate::i18n::{InboxTexts, channel_label, contact_label, inbox_texts, record_count, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

const CANDIDATES: i64 = 10;

#[derive(Debug, Deserialize)]
pub struct NameForm {
    csrf: String,
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<NameForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::rename_customer(&state, &session.staff, &id, &form.name).await?;
    Ok(Redirect::to(&format!("/staff/customers/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    csrf: String,
    kind: String,
    value: String,
}

/// Links a phone number, e-mail address or handle to the customer. When it belongs to
/// someone else, the merge page opens with that customer found.
pub async fn add_contact(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let contact =
        ContactRequest::from_form(&form.kind, &form.value).contact(&state.settings().business.default_region)?;
    match app::add_contact(&state, &session.staff, &id, contact).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/customers/{id}")).into_response()),
        Err(AppError::Conflict(_)) => {
            let lang = session.staff.lang;
            let page = merge_page(&state, session, lang, &id, form.value.trim(), true).await?;
            Ok((StatusCode::CONFLICT, Extension(OwnPage), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MergeQuery {
    #[serde(default)]
    q: String,
}

/// The merge page: find the other customer and see what of theirs would move.
pub async fn merge_form(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(lang): Query<LangQuery>,
    Query(query): Query<MergeQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    merge_page(&state, session, lang, &id, query.q.trim(), false).await
}

async fn merge_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    id: &str,
    query: &str,
    contact_taken: bool,
) -> Result<Response, HttpError> {
    let customer = kept_app::customer(state, id).await?.ok_or(AppError::NotFound)?;
    let mut candidates = Vec::new();
    if !query.is_empty() {
        let phone = normalise_phone(query, &state.settings().business.default_region).ok();
        for other in kept_app::find_customers(state, query, phone.as_deref(), CANDIDATES).await? {
            if other.id != customer.id {
                candidates.push(candidate(state, lang, other).await?);
            }
        }
    }
    let page = MergePage {
        texts: texts(lang),
        inbox: inbox_texts(lang),
        name: display_name(&customer),
        id: customer.id,
        query: query.to_string(),
        searched: !query.is_empty(),
        contact_taken,
        may_merge: session.staff.role.may(OwnerOnly::MergeCustomers),
        candidates,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

/// Another customer with their contacts and what of theirs a merge moves, in words.
async fn candidate(state: &AppState, lang: Lang, other: CustomerView) -> Result<MergeCandidate, HttpError> {
    let counts = kept_app::customer_record_counts(state, &other.id).await?;
    let moves: Vec<String> = counts
        .iter()
        .filter_map(|(table, count)| record_count(lang, table, *count))
        .collect();
    Ok(MergeCandidate {
        name: display_name(&other),
        contacts: other
            .phone
            .iter()
            .chain(other.handles.iter())
            .map(|contact| contact_label(lang, &state.settings().business.default_region, contact))
            .collect(),
        moves,
        id: other.id,
    })
}

/// A customer's name, or their phone number when they gave no name.
pub fn display_name(customer: &CustomerView) -> String {
    customer
        .name
        .clone()
        .or_else(|| customer.phone.clone())
        .unwrap_or_else(|| customer.handles.first().cloned().unwrap_or_default())
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    csrf: String,
    from: String,
    #[serde(default)]
    confirm: String,
}

/// Moves everything of the other customer into this one (owners only: the use case checks).
pub async fn merge(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<MergeForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    if form.confirm != "1" {
        return Err(AppError::invalid("confirm", "merge_not_confirmed", "tick that merging cannot be undone").into());
    }
    app::merge_customers(&state, &session.staff, &id, &form.from).await?;
    Ok(Redirect::to(&format!("/staff/customers/{id}")).into_response())
}

pub fn timeline_row(clock: &LocalTime, i: &InboxTexts, entry: &TimelineEntry) -> TimelineRow {
    let text = timeline_text(clock, i, entry);
    TimelineRow {
        at: clock.moment(entry.at),
        kind: i.kind(entry.kind),
        // A promise's "channel" is its kind: shown in words, never as a code.
        channel: match entry.kind {
            EntryKind::Appointment | EntryKind::CalendarAnswer | EntryKind::Survey | EntryKind::Contract => {
                String::new()
            }
            EntryKind::Promise => {
                PromiseKind::parse(&entry.channel).map_or_else(String::new, |k| i.promise_kind(k).to_string())
            }
            _ => channel_label(clock.lang, &entry.channel),
        },
        text,
        who: entry.staff_name.clone(),
        link: timeline_link(entry),
    }
}

/// What a timeline line says, in the reader's language.
fn timeline_text(clock: &LocalTime, i: &InboxTexts, entry: &TimelineEntry) -> String {
    match entry.kind {
        EntryKind::MessageIn | EntryKind::MessageOut => split_quoted(&entry.text).fresh.to_string(),
        EntryKind::CallbackRequest => clock.window_label(&entry.text),
        EntryKind::Promise => promise_text(clock, i, entry),
        // An appointment: when it is (or was), and how it stands.
        EntryKind::Appointment => appointment_text(clock, entry),
        // The customer's answer to the invitation, with what they wrote.
        EntryKind::CalendarAnswer => {
            let answer = kept_domain::CalendarAnswer::parse(&entry.text)
                .map(|a| crate::i18n::booking_texts(clock.lang).answer(a))
                .unwrap_or_default();
            match &entry.note {
                Some(comment) if !comment.is_empty() => format!("{answer}: {comment}"),
                _ => answer.to_string(),
            }
        }
        // A survey: what was asked, whether it was answered, and the score.
        EntryKind::Survey => {
            let asked = kept_domain::SurveyKind::parse(&entry.channel).map_or("", |k| i.survey_kind(k));
            let status = match entry.text.as_str() {
                "answered" => i.survey_answered,
                _ => i.survey_sent,
            };
            match &entry.note {
                Some(score) => format!("{asked}: {status} · {score}"),
                None => format!("{asked}: {status}"),
            }
        }
        // A contract: what, until when, and how it stands.
        EntryKind::Contract => contract_text(clock, entry),
        // A call attempt: its outcome in words, with the note taken about it.
        EntryKind::Call => {
            let outcome = outcome_label(&entry.text, texts(clock.lang));
            match &entry.note {
                Some(note) if !note.is_empty() => format!("{outcome}: {note}"),
                _ => outcome.to_string(),
            }
        }
        EntryKind::Note | EntryKind::PhoneCall | EntryKind::Customer => entry.text.clone(),
    }
}

/// A promise: how it stands and by when.
fn promise_text(clock: &LocalTime, i: &InboxTexts, entry: &TimelineEntry) -> String {
    let status = PromiseStatus::parse(&entry.text);
    let due = entry
        .note
        .as_deref()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok());
    let due = due
        .map(|d| clock.moment(d.with_timezone(&chrono::Utc)))
        .unwrap_or_default();
    format!("{} · {due}", promise_label(status, i))
}

/// An appointment: when it is (or was), and how it stands.
fn appointment_text(clock: &LocalTime, entry: &TimelineEntry) -> String {
    let start = entry
        .note
        .as_deref()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| clock.moment(d.with_timezone(&chrono::Utc)))
        .unwrap_or_default();
    let status = kept_domain::AppointmentStatus::parse(&entry.text)
        .map(|s| crate::i18n::booking_texts(clock.lang).status(s))
        .unwrap_or_default();
    format!("{start} · {status}")
}

/// A contract: what, until when, and how it stands.
fn contract_text(clock: &LocalTime, entry: &TimelineEntry) -> String {
    let status = kept_domain::ContractStatus::parse(&entry.channel)
        .map_or("", |status| crate::i18n::contract_texts(clock.lang).status(status));
    let end = entry
        .note
        .as_deref()
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        .map(|d| clock.lang.long_date(d))
        .unwrap_or_default();
    format!("{} · {end} · {status}", entry.text)
}

/// The staff page a timeline line belongs to, if it has one of its own.
fn timeline_link(entry: &TimelineEntry) -> Option<String> {
    let about = entry.about.as_deref()?;
    let page = match (entry.kind, PromiseKind::parse(&entry.channel)) {
        (EntryKind::MessageIn | EntryKind::MessageOut | EntryKind::Note, _)
        | (EntryKind::Promise, Some(PromiseKind::Reply)) => "conversations",
        (EntryKind::CallbackRequest | EntryKind::Call, _)
        | (EntryKind::Promise, Some(PromiseKind::Callback | PromiseKind::CallbackRetry)) => "callbacks",
        (EntryKind::Appointment | EntryKind::CalendarAnswer, _)
        | (EntryKind::Promise, Some(PromiseKind::CallAhead | PromiseKind::Rebook)) => "appointments",
        (EntryKind::Contract, _) | (EntryKind::Promise, Some(PromiseKind::Retention)) => "contracts",
        _ => return None,
    };
    Some(format!("/staff/{page}/{about}"))
}

pub(crate) fn follow_up_row(clock: &LocalTime, i: &InboxTexts, follow_up: &FollowUpView) -> FollowUpRow {
    let open = follow_up.promise_status == PromiseStatus::Open;
    FollowUpRow {
        id: follow_up.id.clone(),
        text: follow_up.text.clone(),
        due: clock.moment(follow_up.due_at),
        owner: follow_up.owner_name.clone().unwrap_or_else(|| i.unassigned.to_string()),
        open,
        overdue: open && follow_up.due_at < clock.now,
        status: promise_label(Some(follow_up.promise_status), i),
    }
}

pub async fn customer(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    customer_page(&state, session, lang, &id, WriteDraft::default()).await
}

/// The customer page, with what was typed to write to them first (and why it was refused).
pub(crate) async fn customer_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    id: &str,
    draft: WriteDraft,
) -> Result<Response, HttpError> {
    let state = state.clone();
    let id = id.to_string();
    let customer = kept_app::customer(&state, &id).await?.ok_or(AppError::NotFound)?;
    let i = inbox_texts(lang);
    let clock = clock(&state, lang);
    let mut timeline: Vec<TimelineRow> = kept_app::customer_timeline(&state, &id)
        .await?
        .iter()
        .map(|entry| timeline_row(&clock, i, entry))
        .collect();
    timeline.reverse();
    let follow_ups = kept_app::customer_follow_ups(&state, &id).await?;
    let local_now = state.clock.now().with_timezone(&state.settings().business.time_zone());
    let contacts = customer
        .phone
        .iter()
        .chain(customer.handles.iter())
        .map(|contact| {
            let label = contact_label(lang, &state.settings().business.default_region, contact);
            // An address a mail server returned kept's mail for says so, and why.
            match customer.bouncing.iter().find(|b| &b.handle == contact) {
                Some(b) => format!("{label} — {}: {} ({})", i.bouncing, b.reason, clock.moment(b.at)),
                None => label,
            }
        })
        .collect();
    let contact_kinds = [
        ("phone", i.contact_phone.to_string()),
        ("email", i.contact_email.to_string()),
    ]
    .into_iter()
    .map(|(code, label)| (code.to_string(), label))
    .chain(
        ["whatsapp", "chat", "twitter", "instagram", "facebook", "sms"]
            .into_iter()
            .map(|code| (code.to_string(), channel_label(lang, code))),
    )
    .collect();
    let page = CustomerPage {
        texts: texts(lang),
        inbox: i,
        name: crate::http::customers::pages::display_name(&customer),
        stored_name: customer.name.clone().unwrap_or_default(),
        contact_kinds,
        id: customer.id.clone(),
        contacts,
        timeline,
        follow_ups: follow_ups.iter().map(|f| follow_up_row(&clock, i, f)).collect(),
        today: local_now.format("%Y-%m-%d").to_string(),
        // Late in the day a promise is for tomorrow morning; earlier, for the end of today.
        due_default: if chrono::Timelike::hour(&local_now) >= 16 {
            (
                (local_now + chrono::Duration::days(1)).format("%Y-%m-%d").to_string(),
                "10:00",
            )
        } else {
            (local_now.format("%Y-%m-%d").to_string(), "17:00")
        },
        may_erase: session.staff.role.may(kept_domain::staff::OwnerOnly::EraseCustomer),
        write: write_box(&state, lang, &customer, local_now, draft),
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    csrf: String,
    text: String,
    conversation_id: Option<String>,
}

pub async fn add_note(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<NoteForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let conversation = form.conversation_id.filter(|c| !c.is_empty());
    app::add_note(&state, &session.staff, &id, conversation.clone(), &form.text).await?;
    let back = match conversation {
        Some(conversation) => format!("/staff/conversations/{conversation}"),
        None => format!("/staff/customers/{id}"),
    };
    let jar = crate::http::flash::say(&state, jar, texts(session.staff.lang).done_note.to_string());
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallForm {
    csrf: String,
    direction: String,
    summary: String,
}

pub async fn log_call(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<CallForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let direction =
        Direction::parse(&form.direction).ok_or_else(|| AppError::BadRequest("unknown direction".into()))?;
    app::log_call(&state, &session.staff, &id, direction, &form.summary).await?;
    let jar = crate::http::flash::say(&state, jar, texts(session.staff.lang).done_call.to_string());
    Ok((jar, Redirect::to(&format!("/staff/customers/{id}"))).into_response())
}

pub fn write_box(
    state: &AppState,
    lang: Lang,
    customer: &CustomerView,
    local_now: DateTime<Tz>,
    draft: WriteDraft,
) -> WriteBox {
    let settings = state.settings();
    let mut codes: Vec<String> = customer
        .handles
        .iter()
        .filter_map(|h| h.split_once(':').map(|(channel, _)| channel.to_string()))
        .chain(
            PHONE_CHANNELS
                .iter()
                .filter(|_| customer.phone.is_some())
                .map(|c| c.to_string()),
        )
        .filter(|code| app::can_send(&settings, code))
        .collect();
    // E-mail first (the usual way to write first), then the others as they came, each once.
    codes.sort_by_key(|code| code != EMAIL);
    let mut seen = std::collections::HashSet::new();
    codes.retain(|code| seen.insert(code.clone()));
    WriteBox {
        w: first_message_texts(lang),
        channels: codes
            .into_iter()
            .map(|code| {
                let label = channel_label(lang, &code);
                (code, label)
            })
            .collect(),
        draft,
        earliest: local_now.format("%Y-%m-%dT%H:%M").to_string(),
        customer_name: customer.name.clone().unwrap_or_default(),
    }
}
