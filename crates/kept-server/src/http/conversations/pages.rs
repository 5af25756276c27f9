//! Staff pages for conversations across channels: the rows of the "waiting for us" list, a
//! conversation with its composer, a customer's timeline, and search.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use kept_app::ConversationRecord;
use kept_app::records::{
    AssigneeFilter, ConversationChange, ConversationFilter, ConversationView, InboxKey, ListPage, MessageView,
    ReplyDelivery,
};
use kept_domain::Lang;
use kept_domain::PromiseStatus;
use kept_domain::conversation::{ConversationStatus, Direction, FRUSTRATED_FROM};
use kept_domain::quoted::split_quoted;
use serde::Deserialize;

use crate::http::conversations::views::{
    AttachmentRow, ConversationPage, ConversationRow, ConversationRowsFragment, DeliveryRow, InboxList, MessageRow,
    NotSentRow, UnreadableRow,
};
use crate::http::customers::customer_view::follow_up_row;
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::commitment_choices;
use crate::http::extract::{CsrfForm, StaffSession};
use crate::http::pages::clock;
use crate::http::pages::{LocalTime, promise_label, render};
use crate::i18n::{InboxTexts, error_texts, inbox_texts, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

/// Rows per page of the inbox: a screen or two, a "show more" for the rest.
const INBOX_PAGE: i64 = 50;
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
    /// The rows after this one ("show more"): a row's place as the list gave it.
    #[serde(default)]
    pub after: String,
    /// The rows from the top through this one: a refresh of a list shown down to it.
    #[serde(default)]
    pub through: String,
    /// With `through`: that row ended the list shown; what came after it since is added.
    #[serde(default)]
    pub ended: bool,
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

    /// Which part of the list: a place that does not parse (an old or edited address) is the top.
    fn page(&self) -> ListPage {
        match (InboxKey::parse(&self.after), InboxKey::parse(&self.through)) {
            (Some(after), _) => ListPage::After(after),
            (None, Some(through)) if self.ended => ListPage::ThroughAndAfter(through),
            (None, Some(through)) => ListPage::Through(through),
            (None, None) => ListPage::First,
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

/// A page of the inbox's conversations as `query` asks (waiting for us: frustrated customers
/// first, then by due time); those with a customer message `me` has not opened yet are marked
/// unread.
pub async fn inbox_rows(state: &AppState, lang: Lang, query: &ViewQuery, me: &str) -> Result<InboxList, HttpError> {
    let wanted = query.page();
    let page = kept_app::conversations(state, &query.filter(me), &wanted, INBOX_PAGE).await?;
    let ids: Vec<&str> = page.rows.iter().map(|c| c.id.as_str()).collect();
    let unread = kept_app::unread_among(state, me, &ids).await?;
    let clock = clock(state, lang);
    Ok(InboxList {
        conversations: page
            .rows
            .iter()
            .map(|conversation| ConversationRow {
                unread: unread.contains(&conversation.id),
                ..clock.conversation_row(conversation)
            })
            .collect(),
        query: query.query_string(query.view),
        last: page.last.map(|key| key.to_string()),
        more: page.more,
        appended: matches!(wanted, ListPage::After(_)),
    })
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
        texts: texts(lang),
        inbox: inbox_texts(lang),
        everything_open: view.view == InboxView::Open,
        list: inbox_rows(&state, lang, &view, &session.staff.id).await?,
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

async fn conversation_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    id: &str,
    draft: String,
    error: Option<String>,
) -> Result<Response, HttpError> {
    let record = kept_app::conversation_record(state, id).await?;
    let page = conversation_view(state, session, lang, record, Composer { draft, error });
    Ok(render(&page)?.into_response())
}

/// What was typed in the reply box, and why sending it was refused.
struct Composer {
    draft: String,
    error: Option<String>,
}

/// The page: the messages in the reader's words, the promise and what resolving does to it,
/// whom it can go to, the saved replies and the customer's open follow-ups.
fn conversation_view(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    record: ConversationRecord,
    composer: Composer,
) -> ConversationPage {
    let view = record.conversation;
    let i = inbox_texts(lang);
    let clock = clock(state, lang);
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
    ConversationPage {
        status_page: crate::i18n::status_texts(lang),
        follow_ups: record
            .open_follow_ups
            .iter()
            .map(|f| follow_up_row(&clock, i, f))
            .collect(),
        texts: texts(lang),
        inbox: i,
        team: crate::http::pages::assignees(record.team),
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
        templates: record.templates.into_iter().map(|t| (t.id, t.name)).collect(),
        reply_to,
        customer_name: view.customer_name.clone().unwrap_or_default(),
        draft: composer.draft,
        error: composer.error,
        me: session.staff,
        csrf: session.csrf,
    }
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
    let jar = crate::http::flash::say(state, jar, notice);
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
/// What a bulk action on the inbox does to each conversation chosen (`me` is who acts).
fn bulk_change(form: &BulkForm, me: &str) -> Result<ConversationChange, AppError> {
    Ok(match form.action.as_str() {
        "assign_me" => ConversationChange::Assign {
            staff_id: me.to_string(),
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
            None => return Err(AppError::BadRequest("unknown action".into())),
        },
    })
}

pub async fn bulk(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<BulkForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let change = bulk_change(&form, &session.staff.id)?;
    let changed = app::change_conversations(&state, &session.staff, &form.ids, change, form.confirm == "1").await?;
    let i = inbox_texts(session.staff.lang);
    let notice = match changed {
        1 => i.done_bulk_one.to_string(),
        n => i.done_bulk.replace("{n}", &n.to_string()),
    };
    let jar = crate::http::flash::say(&state, jar, notice);
    // Back to the same list: only a query string of our own making goes into the address.
    let back: String = form
        .back
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=&%_-.".contains(*c))
        .collect();
    Ok((jar, Redirect::to(&format!("/staff?{back}"))).into_response())
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
