//! What every page shares: rendering (a template failure becomes a logged 500), the error
//! page, the clock that writes times in the business's zone and the reader's language, and the
//! labels several pages use. Each feature's own page structs are in its views.rs.

use std::sync::Arc;

use askama::Template;
use axum::response::Html;
use chrono::{DateTime, Utc};
use kept_app::records::{CallbackView, ConversationView, HistoryEntry, PromiseHistoryEntry, Staff};
use kept_domain::conversation::FRUSTRATED_FROM;
use kept_domain::{CallOutcome, CallbackStatus, Lang, PromiseStatus};

use super::callbacks::views::{CallbackRow, HistoryRow};
use super::conversations::views::ConversationRow;
use super::errors::HttpError;
use super::home::views::PromiseRow;
use crate::i18n::{InboxTexts, Texts, texts};
use crate::state::AppState;
use kept_app::config::{Business, Settings};
use kept_app::error::AppError;

/// Whom work can be given to on a page's "assign" or "stand-in" choice: (id, name).
pub fn assignees(staff: Vec<Staff>) -> Vec<(String, String)> {
    staff
        .into_iter()
        .filter(Staff::can_take_work)
        .map(|s| (s.id, s.name))
        .collect()
}

pub fn render(page: &impl Template) -> Result<Html<String>, HttpError> {
    page.render()
        .map(Html)
        .map_err(|e| AppError::Internal(format!("template: {e}")).into())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub texts: &'static Texts,
    pub title: &'static str,
    pub explanation: &'static str,
    /// What exactly was wrong, in the page's language.
    pub problems: Vec<&'static str>,
    pub detail: Option<String>,
    /// The page to go back to.
    pub back: String,
}

/// Formats instants for staff in the business's time zone.
/// How much of the latest message a list shows.
const PREVIEW_CHARS: usize = 90;

pub struct LocalTime {
    /// Taken once per page, so one page uses one version of the business's settings.
    pub settings: Arc<Settings>,
    pub lang: Lang,
    pub now: DateTime<Utc>,
}

/// Times on a page in the business's time zone and the reader's language.
pub fn clock(state: &AppState, lang: Lang) -> LocalTime {
    LocalTime {
        settings: state.settings(),
        lang,
        now: state.clock.now(),
    }
}

impl LocalTime {
    fn business(&self) -> &Business {
        &self.settings.business
    }

    pub fn moment(&self, at: DateTime<Utc>) -> String {
        let tz = self.business().time_zone();
        let local = at.with_timezone(&tz);
        format!(
            "{} {}",
            self.lang.day_phrase(local, self.now.with_timezone(&tz)),
            local.format("%H:%M")
        )
    }

    pub fn window_label(&self, code: &str) -> String {
        let window = self.business().windows.iter().find(|w| w.code == code);
        // A choice the owner has since removed: said so, never its code.
        window.map_or_else(
            || texts(self.lang).window_gone.to_string(),
            |w| w.label(self.lang).to_string(),
        )
    }

    pub fn callback_row(&self, view: &CallbackView, t: &Texts) -> CallbackRow {
        CallbackRow {
            id: view.id.clone(),
            who: view
                .name
                .clone()
                .unwrap_or_else(|| kept_domain::display_phone(&view.phone, &self.business().default_region)),
            phone: view.phone.clone(),
            phone_shown: kept_domain::display_phone(&view.phone, &self.business().default_region),
            note: view.note.clone(),
            window_label: self.window_label(&view.window),
            due_iso: view.due_at.to_rfc3339(),
            due_local: self.moment(view.due_at),
            overdue: view.promise_status == PromiseStatus::Open && view.due_at < self.now,
            owner: view.owner_name.clone().unwrap_or_else(|| "-".into()),
            attempts: view.attempts,
            status: status_label(view.status, t),
            is_open: view.status == CallbackStatus::Open,
            asked_again: view.asked_again_at.map(|at| {
                t.asked_again
                    .replace("{time}", &self.moment(at))
                    .replace("{n}", &view.asks.to_string())
            }),
        }
    }

    pub fn open_promise_row(&self, promise: &kept_app::records::PromiseListed, i: &InboxTexts) -> PromiseRow {
        PromiseRow {
            kind: i.promise_kind(promise.kind),
            customer: promise
                .customer_name
                .clone()
                .unwrap_or_else(|| i.unknown_customer.to_string()),
            link: promise.customer_id.as_ref().map(|id| format!("/staff/customers/{id}")),
            owner: promise.owner_name.clone().unwrap_or_else(|| "-".into()),
            due_iso: promise.due_at.to_rfc3339(),
            due_local: self.moment(promise.due_at),
            overdue: promise.due_at < self.now,
        }
    }

    pub fn conversation_row(&self, view: &ConversationView) -> ConversationRow {
        let open_due = view.due_at.filter(|_| view.promise_status == Some(PromiseStatus::Open));
        let preview = view
            .last_message
            .as_deref()
            .map(|text| {
                kept_domain::quoted::split_quoted(text)
                    .fresh
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .map(|text| match text.char_indices().nth(PREVIEW_CHARS) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            })
            .unwrap_or_default();
        ConversationRow {
            id: view.id.clone(),
            subject: view.subject.clone(),
            preview,
            last_from_us: view.last_from_customer == Some(false),
            who: view
                .customer_name
                .clone()
                .or_else(|| view.handle.clone())
                .unwrap_or_else(|| "?".into()),
            channel: crate::i18n::channel_label(self.lang, &view.channel),
            due_iso: open_due.map(|due| due.to_rfc3339()),
            due_local: open_due.map(|due| self.moment(due)).unwrap_or_default(),
            overdue: open_due.is_some_and(|due| due < self.now),
            owner: view.assignee_name.clone(),
            frustrated: view.frustration >= FRUSTRATED_FROM,
            tags: view.tags.clone(),
            unread: false,
        }
    }

    pub fn history_row(&self, entry: &HistoryEntry, t: &Texts) -> HistoryRow {
        let what = match entry.kind {
            kept_domain::EntryKind::CallbackRequest => {
                format!("{} ({})", t.requested, self.window_label(&entry.detail))
            }
            _ => format!(
                "{} {}: {}",
                t.called,
                entry.staff_name.as_deref().unwrap_or(""),
                outcome_label(&entry.detail, t)
            ),
        };
        HistoryRow {
            at: self.moment(entry.at),
            what,
            note: entry.note.clone(),
        }
    }

    pub fn promise_row(&self, entry: &PromiseHistoryEntry, t: &Texts) -> HistoryRow {
        let event = promise_event_label(&entry.event, self.lang);
        // Codes and ids are put in words or left out; a person reads this.
        let detail = match (&entry.new_owner_name, entry.detail.as_deref()) {
            (Some(name), _) => Some(format!("{} {name}", t.to)),
            (None, Some("replied")) => Some(t.detail_replied.to_string()),
            (None, Some("resolved")) => Some(t.detail_resolved.to_string()),
            (None, Some("erased")) => Some(t.detail_erased.to_string()),
            (None, Some("withdrawn")) => Some(t.detail_withdrawn.to_string()),
            (None, Some("answered")) => Some(t.detail_answered.to_string()),
            (None, Some(outcome)) if CallOutcome::parse(outcome).is_some() => {
                Some(outcome_label(outcome, t).to_string())
            }
            _ => None,
        };
        let by = entry
            .actor_name
            .as_deref()
            .map(|name| format!(" · {name}"))
            .unwrap_or_default();
        let what = match detail {
            Some(detail) => format!("{event}: {detail}{by}"),
            None => format!("{event}{by}"),
        };
        HistoryRow {
            at: self.moment(entry.at),
            what,
            note: None,
        }
    }
}

fn status_label(status: CallbackStatus, t: &Texts) -> &'static str {
    match status {
        CallbackStatus::Open => t.still_to_call,
        CallbackStatus::Reached => t.reached,
        CallbackStatus::WrongNumber => t.wrong_number,
        CallbackStatus::Cancelled => t.cancelled,
    }
}

pub fn outcome_label(outcome: &str, t: &Texts) -> &'static str {
    match outcome {
        "reached" => t.reached,
        "no_answer" => t.no_answer,
        _ => t.wrong_number,
    }
}

fn promise_event_label(event: &str, lang: Lang) -> &str {
    let nl = match event {
        "created" => "toegezegd",
        "reminded" => "herinnering gestuurd",
        "escalated" => "geëscaleerd naar de eigenaar",
        "reassigned" => "overgedragen",
        "kept" => "nagekomen",
        "broken" => "te laat",
        "cancelled" => "ingetrokken",
        other => other,
    };
    match (lang, event) {
        (Lang::Nl, _) => nl,
        (Lang::En, "created") => "promised",
        (Lang::En, "reminded") => "reminder sent",
        (Lang::En, "escalated") => "escalated to the owner",
        (Lang::En, "reassigned") => "handed over",
        (Lang::En, "broken") => "late",
        (Lang::En, other) => other,
    }
}

pub fn promise_label(status: Option<PromiseStatus>, i: &InboxTexts) -> &'static str {
    i.promise_status(status)
}
