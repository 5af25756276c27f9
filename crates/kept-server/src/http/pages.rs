//! One typed struct per page; rendering turns template failures into a logged 500.

use std::sync::Arc;

use askama::Template;
use axum::response::Html;
use chrono::{DateTime, Utc};
use kept_app::records::{CallbackView, ConversationView, HistoryEntry, PromiseHistoryEntry, Staff};
use kept_domain::conversation::FRUSTRATED_FROM;
use kept_domain::{CallOutcome, CallbackStatus, Lang, PromiseStatus};

use super::errors::HttpError;
use crate::i18n::first_messages::FirstMessageTexts;
use crate::i18n::{InboxTexts, SettingsTexts, TeamTexts, Texts, texts};
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
#[template(path = "callback_form.html")]
pub struct CallbackFormPage {
    pub texts: &'static Texts,
    pub business: String,
    pub windows: Vec<(String, String)>,
    pub phone: String,
    pub name: String,
    pub note: String,
    pub window: String,
    pub errors: Vec<(String, String)>,
    pub embed: bool,
}

impl CallbackFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, message)| message.as_str())
    }
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

#[derive(Template)]
#[template(path = "callback_done.html")]
pub struct CallbackDonePage {
    pub texts: &'static Texts,
    pub business: String,
    pub confirmation: String,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub texts: &'static Texts,
    pub csrf: String,
    pub email: String,
    pub failed: bool,
}

/// "Forgot your password": the form, or that a link is on its way (whether or not the address
/// is on the team).
#[derive(Template)]
#[template(path = "forgot_password.html")]
pub struct ForgotPasswordPage {
    pub texts: &'static Texts,
    pub csrf: String,
    pub sent: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    /// An owner's first-day checklist, until every step is done.
    pub first_day: Option<(kept_app::FirstDay, &'static crate::i18n::first_day::FirstDayTexts)>,
    pub rows: Vec<CallbackRow>,
    /// The inbox view shown (a code) and every view: (address query, label, shown).
    pub view: &'static str,
    /// The "all open" view: an empty list there means nobody is waiting.
    pub everything_open: bool,
    pub views: Vec<(String, &'static str, bool)>,
    /// This list's query string, for its live refresh.
    pub query: String,
    /// Channel filter: (code, label, chosen); tag filter: the tags in use and the chosen one.
    pub channels: Vec<(String, String, bool)>,
    pub tags: Vec<String>,
    pub tag: String,
    /// Who conversations can be assigned to: (id, name).
    pub team: Vec<(String, String)>,
    pub conversations: Vec<ConversationRow>,
    pub unreadable: Vec<UnreadableRow>,
    pub not_sent: Vec<NotSentRow>,
    pub promises: Vec<PromiseRow>,
}

/// A reply kept gave up delivering.
pub struct NotSentRow {
    pub outbox_id: i64,
    pub conversation_id: String,
    pub who: String,
    pub at: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "conversation_rows.html")]
pub struct ConversationRowsFragment {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    /// The "all open" view: an empty list there means nobody is waiting.
    pub everything_open: bool,
    pub conversations: Vec<ConversationRow>,
}

/// A conversation waiting for an answer, as one line.
pub struct ConversationRow {
    pub id: String,
    pub who: String,
    /// The subject (e-mail) and the start of the latest message, for the list.
    pub subject: Option<String>,
    pub preview: String,
    /// The latest message is ours: the customer has not written since.
    pub last_from_us: bool,
    pub channel: String,
    pub due_iso: Option<String>,
    pub due_local: String,
    pub overdue: bool,
    pub owner: Option<String>,
    pub frustrated: bool,
    pub tags: Vec<String>,
    /// A customer message came in since the reader last opened it.
    pub unread: bool,
}

pub struct UnreadableRow {
    pub id: String,
    pub at: String,
    pub reason: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "conversation.html")]
pub struct ConversationPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    /// Who it can be assigned to: (id, name); who has it now.
    pub team: Vec<(String, String)>,
    pub assignee_id: Option<String>,
    /// E-mail is set up in kept.toml, other channels on the settings page.
    pub channel_is_email: bool,
    pub row: ConversationRow,
    pub customer_id: String,
    pub status: &'static str,
    pub resolved: bool,
    /// Why kept cannot send a reply on this conversation's channel, said before anyone types.
    pub cannot_send: Option<&'static str>,
    /// Resolving now would leave an open promise unanswered: what that means, to confirm.
    pub resolve_warning: Option<&'static str>,
    pub promise: String,
    pub messages: Vec<MessageRow>,
    pub templates: Vec<(String, String)>,
    /// The last customer message, for the tone check ("acknowledge the frustration").
    pub reply_to: String,
    pub customer_name: String,
    /// The customer's open follow-ups (what someone said they would do), with the one
    /// promised in this conversation's replies among them.
    pub follow_ups: Vec<FollowUpRow>,
    pub draft: String,
    pub error: Option<String>,
}

pub struct MessageRow {
    pub inbound: bool,
    pub who: String,
    pub at: String,
    pub subject: Option<String>,
    pub fresh: String,
    pub quoted: String,
    pub frustrated: bool,
    pub attachments: Vec<AttachmentRow>,
    pub delivery: Option<DeliveryRow>,
}

/// How a staff reply fares: sending, sent, or not sent with the reason and a way to retry.
pub struct DeliveryRow {
    pub label: &'static str,
    pub failed: bool,
    pub reason: String,
    pub retry_id: Option<i64>,
}

pub struct AttachmentRow {
    pub id: String,
    pub filename: String,
    pub size: String,
    pub kept: bool,
}

#[derive(Template)]
#[template(path = "customer.html")]
pub struct CustomerPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub contacts: Vec<String>,
    pub timeline: Vec<TimelineRow>,
    pub follow_ups: Vec<FollowUpRow>,
    /// The business's today, for the date input's minimum.
    pub today: String,
    /// The day and time a new follow-up is due unless staff change it.
    pub due_default: (String, &'static str),
    pub may_erase: bool,
    /// The name as stored (empty when none), for the name field.
    pub stored_name: String,
    /// The channels a contact can be added for: (code, label).
    pub contact_kinds: Vec<(String, String)>,
    /// Writing to the customer first.
    pub write: WriteBox,
}

/// Finding another customer to merge into this one, with what of theirs would move.
#[derive(Template)]
#[template(path = "merge.html")]
pub struct MergePage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub query: String,
    pub searched: bool,
    /// Opened because a contact being added belongs to someone else.
    pub contact_taken: bool,
    pub may_merge: bool,
    pub candidates: Vec<MergeCandidate>,
}

pub struct MergeCandidate {
    pub id: String,
    pub name: String,
    pub contacts: Vec<String>,
    /// "3 berichten", "1 terugbelverzoek", …
    pub moves: Vec<String>,
}

pub struct FollowUpRow {
    pub id: String,
    pub text: String,
    pub due: String,
    pub owner: String,
    pub open: bool,
    pub overdue: bool,
    pub status: &'static str,
}

pub struct TimelineRow {
    pub at: String,
    pub kind: &'static str,
    pub channel: String,
    pub text: String,
    pub who: Option<String>,
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    pub q: String,
    pub channel: String,
    pub from: String,
    pub until: String,
    pub customer: String,
    /// (code, in words)
    pub channels: Vec<(String, String)>,
    pub searched: bool,
    pub error: Option<String>,
    pub results: Vec<SearchRow>,
    /// The next page of results, when there is one.
    pub more_link: Option<String>,
}

pub struct SearchRow {
    pub kind: &'static str,
    pub at: String,
    pub who: String,
    pub channel: String,
    pub snippet: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "callback_rows.html")]
pub struct RowsFragment {
    pub texts: &'static Texts,
    pub rows: Vec<CallbackRow>,
}

#[derive(Template)]
#[template(path = "callback_detail.html")]
pub struct CallbackPage {
    pub texts: &'static Texts,
    pub me: Staff,
    pub csrf: String,
    pub row: CallbackRow,
    pub history: Vec<HistoryRow>,
    pub promise_history: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "team.html")]
pub struct TeamPage {
    pub texts: &'static Texts,
    pub team: &'static TeamTexts,
    pub me: Staff,
    pub me_away: bool,
    /// Someone else on the team who could stand in (else the page says why there is no one).
    pub can_stand_in: bool,
    /// Owners manage the team (the use cases check it again).
    pub manages_team: bool,
    pub csrf: String,
    pub staff: Vec<TeamRow>,
    /// Names of those who left the team.
    pub former: Vec<String>,
    /// What the last action did, in words, with a link to pass on when it made one.
    pub notice: Option<String>,
    pub pass_on: Option<String>,
}

pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub is_owner: bool,
    /// "eigenaar" / "owner": the role in words.
    pub role: &'static str,
    pub away: bool,
    pub delegate: Option<String>,
    /// Invited but no password chosen yet.
    pub invited: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub texts: &'static Texts,
    pub team: &'static TeamTexts,
    pub me: Staff,
    pub csrf: String,
    pub sees_all_tokens: bool,
    pub tokens: Vec<TokenRow>,
    pub notice: Option<String>,
    /// A token just made, shown this once.
    pub new_token: Option<String>,
    pub booking: &'static crate::i18n::BookingTexts,
    /// Their own calendar feed's address.
    pub calendar_url: String,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub whose: String,
    pub created: String,
}

/// The page a password link opens: choose a password (or: the link no longer works).
#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub texts: &'static Texts,
    pub team: &'static TeamTexts,
    pub token: String,
    /// `None` when the link no longer works.
    pub name: Option<String>,
    pub email: String,
    pub reset: bool,
    pub problem: Option<&'static str>,
}

/// A callback request as one line on a staff page.
pub struct CallbackRow {
    pub id: String,
    pub who: String,
    pub phone: String,
    /// The number as people here write it (`phone` is E.164, for `tel:`).
    pub phone_shown: String,
    pub note: Option<String>,
    pub window_label: String,
    pub due_iso: String,
    pub due_local: String,
    pub overdue: bool,
    pub owner: String,
    pub attempts: i64,
    pub status: &'static str,
    pub is_open: bool,
    /// "Vroeg opnieuw om 10:12 (2×)" when the customer asked again while it was open.
    pub asked_again: Option<String>,
}

/// An open promise of a kind without a list of its own (follow-ups, call-aheads, recovery
/// calls …) on the home page.
pub struct PromiseRow {
    pub kind: &'static str,
    pub customer: String,
    /// The customer's page.
    pub link: Option<String>,
    pub owner: String,
    pub due_iso: String,
    pub due_local: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "promise_rows.html")]
pub struct PromiseRowsFragment {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub promises: Vec<PromiseRow>,
}

pub struct HistoryRow {
    pub at: String,
    pub what: String,
    pub note: Option<String>,
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
        let what = match entry.kind.as_str() {
            "request" => format!("{} ({})", t.requested, self.window_label(&entry.detail)),
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

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub texts: &'static Texts,
    pub settings: &'static SettingsTexts,
    pub me: Staff,
    pub csrf: String,
    pub form: SettingsFormValues,
    /// Who may make outreach calls: (staff id, name), active team members.
    pub team: Vec<(String, String)>,
    pub history: Vec<SettingChangeRow>,
    /// Tone findings marked "not a problem here".
    pub tone_marked: Vec<ToneMarkRow>,
    /// How fetching customer e-mail goes; `None` when no mailbox is set up.
    pub mailbox: Option<MailboxHealth>,
    pub saved: bool,
    pub error: Option<String>,
}

/// A mailbox's health as the settings page shows it.
pub struct MailboxHealth {
    /// "service@fiets.nl@mail.fiets.nl:993/INBOX".
    pub name: String,
    pub last_fetch: String,
    pub error: Option<String>,
    pub failing_since: Option<String>,
    pub waiting: i64,
}

/// A tone finding marked "not a problem here", as the settings page lists it.
pub struct ToneMarkRow {
    pub id: String,
    pub rule: &'static str,
    pub excerpt: String,
    pub who: String,
    pub at: String,
}

/// What the settings form shows: the saved values, or what the owner typed when refused.
pub struct SettingsFormValues {
    pub name: String,
    pub time_zone: String,
    /// (field name, weekday in words, value)
    pub hours: Vec<(&'static str, &'static str, String)>,
    pub closed_days: String,
    pub windows: Vec<WindowFormRow>,
    pub first_response: String,
    pub default_first_response: String,
    pub reminder_lead: String,
    pub retry_after: String,
    pub appointment_reminders: String,
    pub channel_webhooks: String,
    /// Whether the owners get last week's figures on Monday morning.
    pub weekly_figures_email: bool,
    /// Which contacts are followed by a question: (field, label, ticked).
    pub survey_triggers: Vec<(&'static str, &'static str, bool)>,
    /// The survey numbers: (field, label, value).
    pub survey_numbers: Vec<(&'static str, &'static str, String)>,
    pub exit_reasons: String,
    pub survey_intro_nl: String,
    pub survey_intro_en: String,
    /// The staff member's id who makes outreach calls; empty: an owner.
    pub outreach_owner: String,
}

pub struct WindowFormRow {
    pub code: String,
    pub label_nl: String,
    pub label_en: String,
    pub kind: String,
    pub minutes: String,
    pub start: String,
    pub end: String,
}

pub struct SettingChangeRow {
    pub at: String,
    pub who: String,
    pub setting: String,
    pub old: String,
    pub new: String,
}

/// The form on the customer page.
pub struct WriteBox {
    pub w: &'static FirstMessageTexts,
    /// The channels kept can reach this customer on: (code, label).
    pub channels: Vec<(String, String)>,
    pub draft: WriteDraft,
    /// Now in the business's time ("2026-12-07T10:15"), the earliest expected answer.
    pub earliest: String,
    pub customer_name: String,
}

impl WriteBox {
    pub fn is_chosen(&self, code: &str) -> bool {
        self.draft.channel == code
    }
}

/// What was typed in the form, kept when it is refused.
#[derive(Debug, Default)]
pub struct WriteDraft {
    pub channel: String,
    pub subject: String,
    pub text: String,
    pub expect_by: String,
    pub errors: Vec<String>,
}

pub fn promise_label(status: Option<PromiseStatus>, i: &InboxTexts) -> &'static str {
    i.promise_status(status)
}
