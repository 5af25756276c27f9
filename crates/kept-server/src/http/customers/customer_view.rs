//! The customer page as the reader sees it: contacts in words (and which address bounces),
//! the timeline and follow-ups in the reader's language and time zone, the kinds of contact
//! one can add, and a sensible due time for a new promise.

use chrono::DateTime;
use chrono_tz::Tz;
use kept_app::records::CustomerView;
use kept_app::records::{FollowUpView, TimelineEntry, TimelinePage};
use kept_app::{CustomerRecord, EMAIL};
use kept_domain::StatusSubject;
use kept_domain::conversation::PHONE_CHANNELS;
use kept_domain::quoted::split_quoted;
use kept_domain::{EntryKind, Lang, PromiseKind, PromiseStatus};

use crate::http::customers::views::{CustomerPage, FollowUpRow, TimelineList, TimelineRow, WriteBox, WriteDraft};
use crate::http::extract::StaffSession;
use crate::http::pages::{LocalTime, clock, outcome_label, promise_label};
use crate::i18n::first_messages::first_message_texts;
use crate::i18n::{InboxTexts, channel_label, contact_label, inbox_texts, texts};
use crate::state::AppState;

/// The page for `record`, newest first, with what was typed to write to them first.
pub(crate) fn customer_view(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    record: &CustomerRecord,
    draft: WriteDraft,
) -> CustomerPage {
    let customer = &record.customer;
    let i = inbox_texts(lang);
    let clock = clock(state, lang);
    let local_now = state.clock.now().with_timezone(&state.settings().business.time_zone());
    CustomerPage {
        texts: texts(lang),
        inbox: i,
        name: display_name(customer),
        stored_name: customer.name.clone().unwrap_or_default(),
        contact_kinds: contact_kinds(lang, i),
        id: customer.id.clone(),
        contacts: contacts(state, &clock, i, customer),
        timeline: TimelineList {
            from_older: record.from_older,
            ..timeline_list(&clock, i, &customer.id, &record.timeline)
        },
        follow_ups: record.follow_ups.iter().map(|f| follow_up_row(&clock, i, f)).collect(),
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
        write: write_box(state, lang, customer, local_now, draft),
        me: session.staff,
        csrf: session.csrf,
    }
}

/// The customer's number and handles in words; an address a mail server returned kept's mail
/// for says so, and why.
fn contacts(state: &AppState, clock: &LocalTime, i: &InboxTexts, customer: &CustomerView) -> Vec<String> {
    customer
        .phone
        .iter()
        .chain(customer.handles.iter())
        .map(|contact| {
            let label = contact_label(clock.lang, &state.settings().business.default_region, contact);
            match customer.bouncing.iter().find(|b| &b.handle == contact) {
                Some(b) => format!("{label} — {}: {} ({})", i.bouncing, b.reason, clock.moment(b.at)),
                None => label,
            }
        })
        .collect()
}

/// The kinds of contact one can add, in words.
fn contact_kinds(lang: Lang, i: &InboxTexts) -> Vec<(String, String)> {
    [
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
    .collect()
}

/// A page of a customer's timeline as their page shows it.
pub fn timeline_list(clock: &LocalTime, i: &InboxTexts, customer_id: &str, page: &TimelinePage) -> TimelineList {
    TimelineList {
        customer_id: customer_id.to_string(),
        rows: page.entries.iter().map(|entry| timeline_row(clock, i, entry)).collect(),
        older: page.older.as_ref().map(|key| key.to_string()),
        from_older: false,
    }
}

pub fn timeline_row(clock: &LocalTime, i: &InboxTexts, entry: &TimelineEntry) -> TimelineRow {
    let text = timeline_text(clock, i, entry);
    TimelineRow {
        at: clock.moment(entry.at),
        kind: i.kind(entry.kind),
        // A promise's "channel" is its kind: shown in words, never as a code.
        channel: match entry.kind {
            EntryKind::Appointment
            | EntryKind::CalendarAnswer
            | EntryKind::Survey
            | EntryKind::Contract
            | EntryKind::StatusViewed => String::new(),
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
        // The kind says it all; the line links to the request.
        EntryKind::StatusViewed => String::new(),
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
        (EntryKind::StatusViewed, _) => match StatusSubject::parse(&entry.text) {
            Some(StatusSubject::Callback) => "callbacks",
            _ => "conversations",
        },
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

/// A customer's name, or their phone number when they gave no name.
pub fn display_name(customer: &CustomerView) -> String {
    customer
        .name
        .clone()
        .or_else(|| customer.phone.clone())
        .unwrap_or_else(|| customer.handles.first().cloned().unwrap_or_default())
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
        .filter(|code| kept_app::can_send(&settings, code))
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
