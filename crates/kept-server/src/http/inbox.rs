//! Staff pages for conversations across channels: the rows of the "waiting for us" list, a
//! conversation with its composer, a customer's timeline, and search.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use kept_app::records::{
    AssigneeFilter, ConversationChange, ConversationFilter, ConversationView, FollowUpView, MessageView, ReplyDelivery,
    TimelineEntry,
};
use kept_domain::Lang;
use kept_domain::conversation::{ConversationStatus, Direction, FRUSTRATED_FROM};
use kept_domain::quoted::split_quoted;
use kept_domain::{PromiseKind, PromiseStatus};
use serde::Deserialize;

use super::errors::HttpError;
use super::extract::{CsrfForm, StaffSession};
use super::first_messages::WriteDraft;
use super::pages::{
    AttachmentRow, ConversationPage, ConversationRow, ConversationRowsFragment, CustomerPage, DeliveryRow, FollowUpRow,
    LocalTime, MessageRow, NotSentRow, SearchPage, SearchRow, TimelineRow, UnreadableRow, outcome_label, render,
};
use super::staff::{LangQuery, clock};
use crate::i18n::{InboxTexts, channel_label, contact_label, error_texts, inbox_texts, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;
use kept_app::search::{self, SearchParams};

const INBOX_LIMIT: i64 = 200;
const NOT_SENT_LIMIT: i64 = 50;

/// Which conversations the inbox shows: `?view=` on the staff home page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxView {
    /// Everything waiting for our answer.
    #[default]
    Open,
    Mine,
    Unassigned,
    WaitingOnCustomer,
    Resolved,
}

impl InboxView {
    pub const ALL: [InboxView; 5] = [
        InboxView::Open,
        InboxView::Mine,
        InboxView::Unassigned,
        InboxView::WaitingOnCustomer,
        InboxView::Resolved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InboxView::Open => "open",
            InboxView::Mine => "mine",
            InboxView::Unassigned => "unassigned",
            InboxView::WaitingOnCustomer => "waiting_on_customer",
            InboxView::Resolved => "resolved",
        }
    }

    pub fn label(self, i: &InboxTexts) -> &'static str {
        match self {
            InboxView::Open => i.view_open,
            InboxView::Mine => i.view_mine,
            InboxView::Unassigned => i.view_unassigned,
            InboxView::WaitingOnCustomer => i.view_waiting,
            InboxView::Resolved => i.view_resolved,
        }
    }

    fn filter(self, me: &str) -> ConversationFilter {
        let (status, assignee) = match self {
            InboxView::Open => (ConversationStatus::Open, AssigneeFilter::Anyone),
            InboxView::Mine => (ConversationStatus::Open, AssigneeFilter::Staff(me.to_string())),
            InboxView::Unassigned => (ConversationStatus::Open, AssigneeFilter::Nobody),
            InboxView::WaitingOnCustomer => (ConversationStatus::WaitingOnCustomer, AssigneeFilter::Anyone),
            InboxView::Resolved => (ConversationStatus::Resolved, AssigneeFilter::Anyone),
        };
        ConversationFilter {
            status: Some(status),
            assignee,
            ..ConversationFilter::default()
        }
    }
}

/// The inbox list's address: `?view=…&channel=…&tag=…` on the staff home page.
#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    #[serde(default)]
    pub view: InboxView,
    /// A channel code; all channels when empty.
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub tag: String,
}

impl ViewQuery {
    fn filter(&self, me: &str) -> ConversationFilter {
        let chosen = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        ConversationFilter {
            channel: chosen(&self.channel),
            tag: chosen(&self.tag),
            ..self.view.filter(me)
        }
    }

    /// The query string showing `view` with this list's channel and tag.
    pub fn query_string(&self, view: InboxView) -> String {
        let encode = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
        let mut query = format!("view={}", view.code());
        for (key, value) in [("channel", &self.channel), ("tag", &self.tag)] {
            if !value.is_empty() {
                query.push_str(&format!("&{key}={}", encode(value)));
            }
        }
        query
    }
}

/// The inbox's conversations as `query` asks, frustrated customers first, then by due time;
/// those with a customer message `me` has not opened yet are marked unread.
pub async fn inbox_rows(
    state: &AppState,
    lang: Lang,
    query: &ViewQuery,
    me: &str,
) -> Result<Vec<ConversationRow>, HttpError> {
    let listed = kept_app::conversations(state, &query.filter(me), INBOX_LIMIT).await?;
    let ids: Vec<&str> = listed.iter().map(|c| c.id.as_str()).collect();
    let unread = kept_app::unread_among(state, me, &ids).await?;
    let clock = clock(state, lang);
    Ok(listed
        .iter()
        .map(|conversation| ConversationRow {
            unread: unread.contains(&conversation.id),
            ..clock.conversation_row(conversation)
        })
        .collect())
}

pub async fn unreadable_rows(state: &AppState, lang: Lang) -> Result<Vec<UnreadableRow>, HttpError> {
    let clock = clock(state, lang);
    Ok(kept_app::unreadable_mail(state, false)
        .await?
        .into_iter()
        .map(|mail| UnreadableRow {
            at: clock.moment(mail.received_at),
            id: mail.id,
            reason: mail.reason,
            source: mail.source,
        })
        .collect())
}

pub async fn rows(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    Query(view): Query<ViewQuery>,
) -> Result<impl IntoResponse, HttpError> {
    let lang = session.lang(&query);
    render(&ConversationRowsFragment {
        t: texts(lang),
        i: inbox_texts(lang),
        view: view.view.code(),
        conversations: inbox_rows(&state, lang, &view, &session.staff.id).await?,
    })
}

fn size_label(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn message_row(clock: &LocalTime, i: &InboxTexts, view: &ConversationView, message: &MessageView) -> MessageRow {
    let inbound = message.direction == Direction::Inbound;
    let split = split_quoted(&message.body);
    let who = if inbound {
        view.customer_name
            .clone()
            .or_else(|| view.handle.clone())
            .unwrap_or_default()
    } else {
        message.staff_name.clone().unwrap_or_default()
    };
    MessageRow {
        inbound,
        who,
        at: clock.moment(message.sent_at),
        subject: message.subject.clone(),
        fresh: split.fresh.to_string(),
        quoted: split.quoted.to_string(),
        frustrated: message.frustration.is_some_and(|f| f >= FRUSTRATED_FROM),
        attachments: message
            .attachments
            .iter()
            .map(|a| AttachmentRow {
                id: a.id.clone(),
                filename: a.filename.clone(),
                size: size_label(a.size_bytes),
                kept: a.kept,
            })
            .collect(),
        delivery: message.delivery.as_ref().map(|d| delivery_row(d, i)),
    }
}

fn delivery_row(delivery: &ReplyDelivery, i: &InboxTexts) -> DeliveryRow {
    let (label, reason, retry_id) = match delivery {
        ReplyDelivery::Sending => (i.sending, String::new(), None),
        ReplyDelivery::Sent => (i.sent, String::new(), None),
        ReplyDelivery::NotSent { outbox_id, reason } => (i.not_sent, reason.clone(), Some(*outbox_id)),
        ReplyDelivery::Bounced { outbox_id, reason } => (i.bounced, reason.clone(), Some(*outbox_id)),
    };
    DeliveryRow {
        label,
        failed: retry_id.is_some(),
        reason,
        retry_id,
    }
}

/// Replies that did not reach the customer, for the staff home page.
pub async fn not_sent_rows(state: &AppState, lang: Lang) -> Result<Vec<NotSentRow>, HttpError> {
    let clock = clock(state, lang);
    let failed = kept_app::failed_replies(state, NOT_SENT_LIMIT).await?;
    Ok(failed
        .into_iter()
        .map(|f| NotSentRow {
            outbox_id: f.outbox_id,
            who: f.customer_name.unwrap_or_default(),
            at: clock.moment(f.written_at),
            reason: f.reason,
            conversation_id: f.conversation_id,
        })
        .collect())
}

#[derive(Debug, Deserialize)]
pub struct RetryForm {
    csrf: String,
    /// The conversation to go back to.
    conversation: String,
}

/// "Send again" on a reply that was not sent; back to its conversation.
pub async fn retry_reply(
    State(state): State<AppState>,
    session: StaffSession,
    Path(outbox_id): Path<i64>,
    Form(form): Form<RetryForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::retry_reply(&state, &session.staff, outbox_id).await?;
    let conversation: String = form
        .conversation
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok(Redirect::to(&format!("/staff/conversations/{conversation}")).into_response())
}

fn status_label(status: ConversationStatus, i: &InboxTexts) -> &'static str {
    match status {
        ConversationStatus::Open => i.status_open,
        ConversationStatus::WaitingOnCustomer => i.status_waiting,
        ConversationStatus::Resolved => i.status_resolved,
    }
}

pub(super) fn promise_label(status: Option<PromiseStatus>, i: &InboxTexts) -> &'static str {
    i.promise_status(status)
}

async fn conversation_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    id: &str,
    draft: String,
    error: Option<String>,
) -> Result<Response, HttpError> {
    let view = kept_app::conversation(state, id).await?.ok_or(AppError::NotFound)?;
    let i = inbox_texts(lang);
    let clock = clock(state, lang);
    let templates = kept_app::reply_templates(state).await?;
    let reply_to = view
        .messages
        .iter()
        .rev()
        .find(|m| m.direction == Direction::Inbound)
        .map(|m| split_quoted(&m.body).fresh.to_string())
        .unwrap_or_default();
    let row = clock.conversation_row(&view);
    let resolve_warning = (view.promise_status == Some(PromiseStatus::Open)).then_some(if row.overdue {
        i.resolve_breaks
    } else {
        i.resolve_cancels
    });
    let team = kept_app::team(state).await?;
    let follow_ups = kept_app::customer_follow_ups(state, &view.customer_id)
        .await?
        .iter()
        .filter(|f| f.promise_status == PromiseStatus::Open)
        .map(|f| follow_up_row(&clock, i, f))
        .collect();
    let page = ConversationPage {
        follow_ups,
        t: texts(lang),
        i,
        team: super::pages::assignees(team),
        assignee_id: view.assignee_id.clone(),
        channel_is_email: view.channel == app::EMAIL,
        cannot_send: cannot_send(state, &view.channel, i),
        resolve_warning,
        row,
        customer_id: view.customer_id.clone(),
        status: status_label(view.status, i),
        resolved: view.status == ConversationStatus::Resolved,
        promise: promise_label(view.promise_status, i).to_string(),
        messages: view.messages.iter().map(|m| message_row(&clock, i, &view, m)).collect(),
        templates: templates.into_iter().map(|t| (t.id, t.name)).collect(),
        reply_to,
        customer_name: view.customer_name.clone().unwrap_or_default(),
        draft,
        error,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

pub async fn conversation(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let reader = session.staff.id.clone();
    let page = conversation_page(&state, session, lang, &id, String::new(), None).await?;
    // Opening it reads what came in; the lists of other pages show that at their next refresh.
    kept_app::mark_read(&state, &id, &reader).await?;
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    csrf: String,
    text: String,
    /// Present when the composer showed the reply's dated commitments (its script ran).
    commitments_shown: Option<String>,
    /// Per commitment listed, by its key (see `app::commitment_keys`): `listed_<key>` always,
    /// `keep_<key>` when the writer keeps it, `due_<key>` its due time as they left it
    /// ("2026-03-11T10:00", the business's time). Per vague promise given a moment:
    /// `vague_<n>` with its words and `due_vague_<n>`.
    #[serde(flatten)]
    choices: std::collections::HashMap<String, String>,
}

impl ReplyForm {
    fn commitment_choices(&self, hours: &kept_domain::hours::BusinessHours) -> app::CommitmentChoices {
        commitment_choices(self.commitments_shown.is_some(), &self.choices, hours)
    }
}

/// What the writer decided about the commitments the composer listed, from the form's fields
/// (see [`ReplyForm`]).
pub(super) fn commitment_choices(
    shown: bool,
    choices: &std::collections::HashMap<String, String>,
    hours: &kept_domain::hours::BusinessHours,
) -> app::CommitmentChoices {
    let local = |key: &str| {
        choices
            .get(key)
            .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok())
            .map(|local| hours.instant(local.date(), local.time()))
    };
    let with_prefix = |prefix: &'static str| {
        choices
            .keys()
            .filter_map(move |key| key.strip_prefix(prefix).map(|rest| (key, rest.to_string())))
    };
    let kept = with_prefix("keep_")
        .map(|(_, key)| (key.clone(), local(&format!("due_{key}"))))
        .collect();
    let made_definite = with_prefix("vague_")
        .filter_map(|(field, _)| Some((choices.get(field)?.clone(), local(&format!("due_{field}"))?)))
        .collect();
    app::CommitmentChoices {
        shown,
        listed: with_prefix("listed_").map(|(_, key)| key).collect(),
        kept,
        made_definite,
    }
}

/// Why a reply on `channel` cannot be sent, in the reader's language; `None` when it can.
fn cannot_send(state: &AppState, channel: &str, i: &InboxTexts) -> Option<&'static str> {
    match (app::can_send(&state.settings(), channel), channel == app::EMAIL) {
        (true, _) => None,
        (false, true) => Some(i.cannot_send_email),
        (false, false) => Some(i.cannot_send_channel),
    }
}

/// Sends the reply; when it cannot be sent the page comes back with the reason and the text kept.
pub async fn reply(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let choices = form.commitment_choices(&state.settings().business.hours);
    match app::reply(&state, &session.staff, &id, &form.text, &choices).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/conversations/{id}")).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let lang = session.staff.lang;
            let problems = error_texts(lang);
            let message = match &error {
                AppError::Invalid(fields) => fields
                    .iter()
                    .map(|f| {
                        problems
                            .problem(f.code)
                            .map_or_else(|| f.message.clone(), str::to_string)
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                other => {
                    let channel = kept_app::conversation(&state, &id)
                        .await?
                        .map(|c| c.channel)
                        .unwrap_or_default();
                    let said = cannot_send(&state, &channel, inbox_texts(lang));
                    said.map_or_else(|| other.to_string(), str::to_string)
                }
            };
            conversation_page(&state, session, lang, &id, form.text, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
    /// "1" when the agent ticked that they resolve without answering an open promise.
    #[serde(default)]
    confirm: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<StatusForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let status =
        ConversationStatus::parse(&form.status).ok_or_else(|| AppError::BadRequest("unknown status".into()))?;
    let change = ConversationChange::Status(status);
    app::change_confirmed(&state, &session.staff, &id, change, form.confirm == "1").await?;
    let i = inbox_texts(session.staff.lang);
    let notice = match status {
        ConversationStatus::Resolved => i.done_resolved,
        ConversationStatus::Open => i.done_reopened,
        ConversationStatus::WaitingOnCustomer => i.done_waiting,
    };
    Ok(back_to_conversation(&state, jar, &id, notice.to_string()))
}

/// Back to the conversation page, which says `notice` once.
fn back_to_conversation(state: &AppState, jar: CookieJar, id: &str, notice: String) -> Response {
    let jar = super::flash::say(state, jar, notice);
    (jar, Redirect::to(&format!("/staff/conversations/{id}"))).into_response()
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    csrf: String,
    staff_id: String,
}

/// "Assign" on the conversation page: to me or to someone else on the team.
pub async fn assign(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<AssignForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let change = ConversationChange::Assign {
        staff_id: form.staff_id,
    };
    let view = app::change_conversation(&state, &session.staff, &id, change).await?;
    let name = view.assignee_name.unwrap_or_default();
    let notice = inbox_texts(session.staff.lang).done_assigned.replace("{name}", &name);
    Ok(back_to_conversation(&state, jar, &id, notice))
}

#[derive(Debug, Deserialize)]
pub struct TagForm {
    csrf: String,
    #[serde(default)]
    add: String,
    #[serde(default)]
    remove: String,
}

/// Adds or removes a tag on the conversation page.
pub async fn tag(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<TagForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let listed = |tag: String| if tag.trim().is_empty() { Vec::new() } else { vec![tag] };
    let change = ConversationChange::Tags {
        add: app::clean_tags("add", &listed(form.add))?,
        remove: app::clean_tags("remove", &listed(form.remove))?,
    };
    app::change_conversation(&state, &session.staff, &id, change).await?;
    let notice = inbox_texts(session.staff.lang).done_tags.to_string();
    Ok(back_to_conversation(&state, jar, &id, notice))
}

#[derive(Debug, Deserialize)]
pub struct BulkForm {
    csrf: String,
    #[serde(default)]
    ids: Vec<String>,
    action: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    confirm: String,
    /// The list to go back to (its query string).
    #[serde(default)]
    back: String,
}

/// The inbox's bulk actions on the ticked conversations: assign, tag or resolve.
pub async fn bulk(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<BulkForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let change = match form.action.as_str() {
        "assign_me" => ConversationChange::Assign {
            staff_id: session.staff.id.clone(),
        },
        "tag" => ConversationChange::Tags {
            add: app::clean_tags("tag", std::slice::from_ref(&form.tag))?,
            remove: Vec::new(),
        },
        "resolve" => ConversationChange::Status(ConversationStatus::Resolved),
        other => match other.strip_prefix("assign:") {
            Some(staff_id) => ConversationChange::Assign {
                staff_id: staff_id.to_string(),
            },
            None => return Err(AppError::BadRequest("unknown action".into()).into()),
        },
    };
    let changed = app::change_conversations(&state, &session.staff, &form.ids, change, form.confirm == "1").await?;
    let i = inbox_texts(session.staff.lang);
    let notice = match changed {
        1 => i.done_bulk_one.to_string(),
        n => i.done_bulk.replace("{n}", &n.to_string()),
    };
    let jar = super::flash::say(&state, jar, notice);
    // Back to the same list: only a query string of our own making goes into the address.
    let back: String = form
        .back
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=&%_-.".contains(*c))
        .collect();
    Ok((jar, Redirect::to(&format!("/staff?{back}"))).into_response())
}

pub(super) fn timeline_row(clock: &LocalTime, i: &InboxTexts, entry: &TimelineEntry) -> TimelineRow {
    let text = match entry.kind.as_str() {
        "message_in" | "message_out" => split_quoted(&entry.text).fresh.to_string(),
        "callback_request" => clock.window_label(&entry.text),
        "promise" => {
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
        // An appointment: when it is (or was), and how it stands.
        "appointment" => {
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
        // The customer's answer to the invitation, with what they wrote.
        "calendar_answer" => {
            let answer = kept_domain::CalendarAnswer::parse(&entry.text)
                .map(|a| crate::i18n::booking_texts(clock.lang).answer(a))
                .unwrap_or_default();
            match &entry.note {
                Some(comment) if !comment.is_empty() => format!("{answer}: {comment}"),
                _ => answer.to_string(),
            }
        }
        // A survey: what was asked, whether it was answered, and the score.
        "survey" => {
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
        "contract" => {
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
        // A call attempt: its outcome in words, with the note taken about it.
        "call" => {
            let outcome = outcome_label(&entry.text, texts(clock.lang));
            match &entry.note {
                Some(note) if !note.is_empty() => format!("{outcome}: {note}"),
                _ => outcome.to_string(),
            }
        }
        _ => entry.text.clone(),
    };
    TimelineRow {
        at: clock.moment(entry.at),
        kind: i.kind(&entry.kind),
        // A promise's "channel" is its kind: shown in words, never as a code.
        channel: match entry.kind.as_str() {
            "appointment" | "calendar_answer" | "survey" | "contract" => String::new(),
            "promise" => PromiseKind::parse(&entry.channel).map_or_else(String::new, |k| i.promise_kind(k).to_string()),
            _ => channel_label(clock.lang, &entry.channel),
        },
        text,
        who: entry.staff_name.clone(),
        link: timeline_link(entry),
    }
}

/// The staff page a timeline line belongs to, if it has one of its own.
fn timeline_link(entry: &TimelineEntry) -> Option<String> {
    let about = entry.about.as_deref()?;
    let page =
        match (entry.kind.as_str(), PromiseKind::parse(&entry.channel)) {
            ("message_in" | "message_out" | "note", _) | ("promise", Some(PromiseKind::Reply)) => "conversations",
            ("callback_request" | "call", _)
            | ("promise", Some(PromiseKind::Callback | PromiseKind::CallbackRetry)) => "callbacks",
            ("appointment" | "calendar_answer", _)
            | ("promise", Some(PromiseKind::CallAhead | PromiseKind::Rebook)) => "appointments",
            ("contract", _) | ("promise", Some(PromiseKind::Retention)) => "contracts",
            _ => return None,
        };
    Some(format!("/staff/{page}/{about}"))
}

fn follow_up_row(clock: &LocalTime, i: &InboxTexts, follow_up: &FollowUpView) -> FollowUpRow {
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
pub(super) async fn customer_page(
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
        t: texts(lang),
        i,
        name: super::customer_pages::display_name(&customer),
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
        write: super::first_messages::write_box(&state, lang, &customer, local_now, draft),
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
    let jar = super::flash::say(&state, jar, texts(session.staff.lang).done_note.to_string());
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
    let jar = super::flash::say(&state, jar, texts(session.staff.lang).done_call.to_string());
    Ok((jar, Redirect::to(&format!("/staff/customers/{id}"))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SearchForm {
    #[serde(flatten)]
    params: SearchParams,
    lang: Option<String>,
}

pub async fn search_page(
    State(state): State<AppState>,
    session: StaffSession,
    Query(form): Query<SearchForm>,
) -> Result<Response, HttpError> {
    let lang = form.lang.as_deref().and_then(Lang::parse).unwrap_or(session.staff.lang);
    let i = inbox_texts(lang);
    let params = form.params;
    let searched = !params.q.trim().is_empty();
    let (found, error) = if searched {
        match search::search(&state, &params).await {
            Ok(found) => (Some(found), None),
            Err(AppError::Invalid(fields)) => (
                None,
                Some(fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ")),
            ),
            Err(other) => return Err(other.into()),
        }
    } else {
        (None, None)
    };
    let (results, next_cursor) = found.map_or_else(Default::default, |f| (f.results, f.next_cursor));
    let more_link = next_cursor.map(|cursor| more_results_link(&params, &cursor));
    let clock = clock(&state, lang);
    let mut channels: Vec<String> = state.settings().channel_webhooks.keys().cloned().collect();
    channels.extend(["email", "phone", "internal"].map(String::from));
    channels.sort();
    channels.dedup();
    let channels = channels
        .into_iter()
        .map(|code| {
            let label = channel_label(lang, &code);
            (code, label)
        })
        .collect();
    let page = SearchPage {
        t: texts(lang),
        i,
        results: results
            .into_iter()
            .map(|r| SearchRow {
                kind: i.kind(&r.kind),
                at: r.at.map(|at| clock.moment(at)).unwrap_or_default(),
                who: r.customer_name.clone().unwrap_or_default(),
                channel: channel_label(lang, &r.channel),
                // A customer's contacts, each in words.
                snippet: match r.kind.as_str() {
                    "customer" => r
                        .snippet
                        .split(" · ")
                        .map(|c| contact_label(lang, &state.settings().business.default_region, c))
                        .collect::<Vec<_>>()
                        .join(" · "),
                    _ => r.snippet,
                },
                link: match (r.kind.as_str(), r.conversation_id) {
                    ("callback_request", _) => format!("/staff/callbacks/{}", r.id),
                    (_, Some(conversation)) => format!("/staff/conversations/{conversation}"),
                    (_, None) => format!("/staff/customers/{}", r.customer_id),
                },
            })
            .collect(),
        q: params.q,
        channel: params.channel.unwrap_or_default(),
        from: params.from.unwrap_or_default(),
        until: params.until.unwrap_or_default(),
        customer: params.customer.unwrap_or_default(),
        channels,
        more_link,
        searched,
        error,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

/// The same search from where this page ended.
fn more_results_link(params: &SearchParams, cursor: &str) -> String {
    let encode = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    let fields = [
        ("q", Some(params.q.as_str())),
        ("customer", params.customer.as_deref()),
        ("channel", params.channel.as_deref()),
        ("from", params.from.as_deref()),
        ("until", params.until.as_deref()),
        ("cursor", Some(cursor)),
    ];
    let query: Vec<String> = fields
        .iter()
        .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| format!("{name}={}", encode(v))))
        .collect();
    format!("/staff/search?{}", query.join("&"))
}

pub async fn unreadable_handled(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::mark_unreadable_handled(&state, &session.staff, &id).await?;
    Ok(Redirect::to("/staff").into_response())
}
