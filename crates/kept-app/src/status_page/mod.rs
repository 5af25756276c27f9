//! The customer's own page of a request (`/p/<token>`, no login): what they asked, what we
//! promised — who, by when, honest when late —, and the conversation so far. One link per
//! conversation or callback request, made when first needed (256 random bits); it stops
//! working when an owner revokes it, when the customer is erased or merged away, and 30 days
//! after the request was closed (the page then says how to reach us again).

mod acknowledgement;

use chrono::{DateTime, Duration, Utc};
use kept_domain::conversation::{ConversationStatus, Direction};
use kept_domain::customer_status::first_name;
use kept_domain::staff::OwnerOnly;
use kept_domain::{CustomerSees, Lang, Standing, StatusSubject};
use kept_store::model::{CallbackView, ConversationView, MessageView};
use kept_store::{Staff, StatusLink};

pub use acknowledgement::{acknowledge_mail, fresh_for_acknowledging};

use crate::error::AppError;
use crate::{App, authorize};

/// How long a closed request's page stays readable.
pub const OPEN_AFTER_CLOSING: Duration = Duration::days(30);
/// Visits closer together than this are one visit on the customer's timeline.
const ONE_VISIT: Duration = Duration::minutes(30);
/// How much of their first message the page repeats.
const ASKED_CHARS: usize = 300;

/// What the page shows.
#[derive(Debug, Clone)]
pub enum CustomerPage {
    Open(RequestPage),
    /// Closed more than [`OPEN_AFTER_CLOSING`] ago: the page says how to write again.
    Closed,
}

#[derive(Debug, Clone)]
pub struct RequestPage {
    pub subject: StatusSubject,
    pub sees: CustomerSees,
    /// Their first message (or the note with their callback request), shortened.
    pub asked: Option<String>,
    pub asked_at: DateTime<Utc>,
    /// What followed their question, oldest first: theirs and ours, never internal notes.
    pub messages: Vec<PageMessage>,
    /// The language they asked in, when kept knows it (the callback form's).
    pub lang: Option<Lang>,
    /// The number we call (E.164), for a callback request: they can check it is right.
    pub phone: Option<String>,
    /// Their appointments still to come, each with its link to move or cancel it.
    pub appointments: Vec<PageAppointment>,
}

#[derive(Debug, Clone)]
pub struct PageAppointment {
    pub start: DateTime<Utc>,
    pub service_nl: String,
    pub service_en: String,
    pub location: String,
    pub manage_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMessage {
    pub from_us: bool,
    /// The first name of who of us wrote it.
    pub who: Option<String>,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// The address of a request's page, made when it has none yet.
pub async fn status_url(app: &App, subject: StatusSubject, subject_id: &str) -> Result<String, AppError> {
    Ok(format!(
        "{}{}",
        app.settings().base_url,
        status_path(app, subject, subject_id).await?
    ))
}

/// The same, as a path on this server (`/p/<token>`).
pub async fn status_path(app: &App, subject: StatusSubject, subject_id: &str) -> Result<String, AppError> {
    // Most requests asked for have their link already: no need to read the request itself.
    if let Some(token) = app.store.existing_status_link(subject, subject_id).await? {
        return Ok(format!("/p/{token}"));
    }
    let customer_id = customer_of(app, subject, subject_id).await?;
    let token = app
        .store
        .status_link(
            subject,
            subject_id,
            &customer_id,
            &crate::auth::new_token(),
            app.clock.now(),
        )
        .await?;
    Ok(format!("/p/{token}"))
}

/// The page `token` opens, recording the visit on the customer's timeline; `NotFound` for a
/// token that is not (or no longer) a link.
pub async fn open_page(app: &App, token: &str) -> Result<CustomerPage, AppError> {
    let link = app.store.status_link_by_token(token).await?.ok_or(AppError::NotFound)?;
    let page = page_of(app, link.subject, &link.subject_id).await?;
    if matches!(page, CustomerPage::Open(_)) {
        app.store.note_status_view(&link, app.clock.now(), ONE_VISIT).await?;
    }
    Ok(page)
}

/// The same page without recording a visit: for its live refresh.
pub async fn refresh_page(app: &App, token: &str) -> Result<CustomerPage, AppError> {
    let link: StatusLink = app.store.status_link_by_token(token).await?.ok_or(AppError::NotFound)?;
    page_of(app, link.subject, &link.subject_id).await
}

/// The page as the customer sees it, for staff ("zoals de klant het ziet"), link or not.
pub async fn preview_page(app: &App, subject: StatusSubject, subject_id: &str) -> Result<CustomerPage, AppError> {
    page_of(app, subject, subject_id).await
}

/// An owner takes a request's page away (a link sent to the wrong person): it is gone at once,
/// and a later link is a new one. Whether there was one.
pub async fn revoke_status_link(
    app: &App,
    staff: &Staff,
    subject: StatusSubject,
    subject_id: &str,
) -> Result<bool, AppError> {
    authorize(staff, OwnerOnly::RevokeStatusLink)?;
    customer_of(app, subject, subject_id).await?;
    Ok(app.store.revoke_status_link(subject, subject_id).await?)
}

async fn customer_of(app: &App, subject: StatusSubject, subject_id: &str) -> Result<String, AppError> {
    Ok(match subject {
        StatusSubject::Conversation => conversation(app, subject_id).await?.customer_id,
        StatusSubject::Callback => callback(app, subject_id).await?.customer_id,
    })
}

async fn conversation(app: &App, id: &str) -> Result<ConversationView, AppError> {
    app.store.conversation(id).await?.ok_or(AppError::NotFound)
}

async fn callback(app: &App, id: &str) -> Result<CallbackView, AppError> {
    app.store.callback(id).await?.ok_or(AppError::NotFound)
}

async fn page_of(app: &App, subject: StatusSubject, subject_id: &str) -> Result<CustomerPage, AppError> {
    let now = app.clock.now();
    let (page, customer_id) = match subject {
        StatusSubject::Conversation => {
            let conversation = conversation(app, subject_id).await?;
            let customer_id = conversation.customer_id.clone();
            (conversation_page(conversation, now), customer_id)
        }
        StatusSubject::Callback => {
            let callback = callback(app, subject_id).await?;
            let customer_id = callback.customer_id.clone();
            (callback_page(callback, now), customer_id)
        }
    };
    match page {
        CustomerPage::Open(mut page) => {
            page.appointments = appointments(app, &customer_id).await?;
            Ok(CustomerPage::Open(page))
        }
        closed => Ok(closed),
    }
}

async fn appointments(app: &App, customer_id: &str) -> Result<Vec<PageAppointment>, AppError> {
    let mut shown = Vec::new();
    for appointment in app.store.customer_appointments(customer_id, app.clock.now()).await? {
        shown.push(PageAppointment {
            manage_url: crate::manage_url(app, &appointment.id).await?,
            start: appointment.start,
            service_nl: appointment.service_name_nl,
            service_en: appointment.service_name_en,
            location: appointment.location_name,
        });
    }
    Ok(shown)
}

fn conversation_page(conversation: ConversationView, now: DateTime<Utc>) -> CustomerPage {
    if conversation.status == ConversationStatus::Resolved && conversation.updated_at + OPEN_AFTER_CLOSING < now {
        return CustomerPage::Closed;
    }
    let promise = conversation.promise_status.zip(conversation.due_at);
    let sees = CustomerSees::of(
        Standing::Conversation(conversation.status),
        promise,
        conversation.assignee_name.as_deref(),
        now,
    );
    let first = conversation.messages.iter().find(|m| m.direction == Direction::Inbound);
    CustomerPage::Open(RequestPage {
        subject: StatusSubject::Conversation,
        sees,
        asked: first.map(|m| shortened(&m.body)),
        asked_at: first.map_or(conversation.updated_at, |m| m.sent_at),
        // What followed their question (which the page shows above).
        appointments: Vec::new(),
        messages: conversation
            .messages
            .iter()
            .filter(|m| first.is_none_or(|f| f.id != m.id))
            .map(page_message)
            .collect(),
        lang: None,
        phone: None,
    })
}

fn callback_page(callback: CallbackView, now: DateTime<Utc>) -> CustomerPage {
    if callback
        .closed_at
        .is_some_and(|closed| closed + OPEN_AFTER_CLOSING < now)
    {
        return CustomerPage::Closed;
    }
    let sees = CustomerSees::of(
        Standing::Callback(callback.status),
        Some((callback.promise_status, callback.due_at)),
        callback.owner_name.as_deref(),
        now,
    );
    CustomerPage::Open(RequestPage {
        subject: StatusSubject::Callback,
        sees,
        asked: callback.note.as_deref().map(shortened),
        asked_at: callback.created_at,
        messages: Vec::new(),
        lang: Some(callback.lang),
        phone: Some(callback.phone.clone()),
        appointments: Vec::new(),
    })
}

fn page_message(message: &MessageView) -> PageMessage {
    let from_us = message.direction == Direction::Outbound;
    PageMessage {
        from_us,
        who: message.staff_name.as_deref().filter(|_| from_us).and_then(first_name),
        body: message.body.clone(),
        at: message.sent_at,
    }
}

fn shortened(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(ASKED_CHARS) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}
