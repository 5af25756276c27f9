//! Writing to a customer first: `POST /api/v1/conversations` and the form on the customer
//! page ("Schrijf de klant"), which checks tone and commitments like the reply composer.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, NaiveDateTime, Utc};
use kept_app::records::{Contact, ConversationView, Recipient};
use kept_domain::Lang;
use kept_domain::hours::BusinessHours;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::dto::ConversationJson;
use crate::http::customers::api::ContactRequest;
use crate::http::customers::pages::customer_page;
use crate::http::customers::views::WriteDraft;
use crate::http::errors::HttpError;
use crate::http::errors::{ErrorBody, OwnPage};
use crate::http::extract::commitment_choices;
use crate::http::extract::{ApiStaff, StaffSession, json_body};
use crate::http::pages::clock;
use crate::i18n::first_messages::{FirstMessageTexts, first_message_texts};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, EMAIL, FirstMessage};

/// A conversation kept starts, to exactly one of `customer_id`, `email` or `phone`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartConversationRequest {
    /// A customer on record.
    #[schema(pattern = r"\S", max_length = 64)]
    customer_id: Option<String>,
    /// The customer with this address (a new customer when nobody has it).
    #[schema(format = Email, max_length = 254)]
    email: Option<String>,
    /// The customer with this number; on a phone channel (whatsapp, sms) a new one when nobody has it.
    #[schema(schema_with = crate::dto::schemas::optional_phone)]
    phone: Option<String>,
    /// The name of a customer kept does not know yet.
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    name: Option<String>,
    /// `email` when absent, or a channel with a webhook (whatsapp, sms, …).
    #[schema(pattern = r"^[a-z0-9_-]{1,32}$")]
    channel: Option<String>,
    /// The subject line (one line, at most 200 characters); the text's first line when absent.
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    subject: Option<String>,
    /// The message (at most 100 KB); its dated commitments become the writer's promises.
    #[schema(pattern = r"\S")]
    text: String,
    /// If the customer has not answered by then, the writer is reminded to ask (a follow-up
    /// promise, withdrawn when they answer).
    expect_answer_by: Option<DateTime<Utc>>,
}

/// Writes to a customer first, on e-mail or a channel with a webhook.
#[utoipa::path(
    post,
    path = "/api/v1/conversations",
    operation_id = "start_conversation",
    request_body = StartConversationRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Started; the message is queued", body = ConversationJson),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No customer with this id", body = ErrorBody),
        (status = 409, description = "kept cannot send on the channel, the customer has no address there, or the expected answer is in the past", body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn start(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<ConversationJson>), HttpError> {
    let request: StartConversationRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    let region = state.settings().business.default_region.clone();
    let to = recipient(request.customer_id, request.email, request.phone, request.name, &region)?;
    let subject = request.subject.unwrap_or_default();
    let first = FirstMessage {
        to,
        channel: request.channel.unwrap_or_else(|| EMAIL.to_string()),
        follow_up_text: follow_up_text(first_message_texts(staff.lang), &subject, &request.text),
        subject,
        text: request.text,
        expect_answer_by: request.expect_answer_by,
    };
    let conversation = app::start_conversation(&state, &staff, first, &app::CommitmentChoices::default()).await?;
    Ok((StatusCode::CREATED, Json((&conversation).into())))
}

/// Exactly one way to name the customer, checked like a contact being added.
fn recipient(
    customer_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
    region: &str,
) -> Result<Recipient, AppError> {
    let name = name
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty());
    match (customer_id, email, phone) {
        (Some(id), None, None) => Ok(Recipient::Customer(id.trim().to_string())),
        (None, Some(email), None) => match ContactRequest::from_form("email", &email).contact(region)? {
            Contact::Handle(handle) => Ok(Recipient::Email {
                address: handle.trim_start_matches("email:").to_string(),
                name,
            }),
            Contact::Phone(_) => Err(AppError::Internal("an e-mail address read as a phone number".into())),
        },
        (None, None, Some(phone)) => match ContactRequest::from_form("phone", &phone).contact(region)? {
            Contact::Phone(number) => Ok(Recipient::Phone { number, name }),
            Contact::Handle(_) => Err(AppError::Internal("a phone number read as a handle".into())),
        },
        _ => Err(AppError::invalid(
            "body",
            "one_recipient",
            "send exactly one of customer_id, email or phone",
        )),
    }
}

/// The follow-up's words: what it waits for an answer to.
fn follow_up_text(w: &FirstMessageTexts, subject: &str, text: &str) -> String {
    let about = match subject.trim() {
        "" => text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim(),
        subject => subject,
    };
    let about: String = about.chars().take(120).collect();
    format!("{} “{about}”", w.awaiting_answer)
}

#[derive(Debug, Deserialize)]
pub struct WriteForm {
    csrf: String,
    channel: String,
    #[serde(default)]
    subject: String,
    text: String,
    /// "2026-12-09T12:00" in the business's time, or empty.
    #[serde(default)]
    expect_by: String,
    /// Present when the composer's script listed the commitments.
    commitments_shown: Option<String>,
    #[serde(flatten)]
    choices: HashMap<String, String>,
}

/// "Versturen" under "Schrijf de klant": the new conversation opens, or the customer page
/// again with every problem named and the text kept.
pub async fn write(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<WriteForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let w = first_message_texts(session.staff.lang);
    let hours = state.settings().business.hours.clone();
    // A browser without a date-time picker lets anything through: say so, keep the text.
    let Ok(first) = first_message(&form, &id, &hours, w) else {
        return refused(&state, session, &id, form, vec![w.unusable_time.to_string()]).await;
    };
    let expect_answer_by = first.expect_answer_by;
    let choices = commitment_choices(form.commitments_shown.is_some(), &form.choices, &hours);
    match app::start_conversation(&state, &session.staff, first, &choices).await {
        Ok(conversation) => {
            let notice = sent_notice(&state, session.staff.lang, &conversation, expect_answer_by);
            let jar = crate::http::flash::say(&state, jar, notice);
            Ok((jar, Redirect::to(&format!("/staff/conversations/{}", conversation.id))).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let errors = fields
                .iter()
                .map(|f| w.problem(f.code).map_or_else(|| f.message.clone(), str::to_string))
                .collect();
            refused(&state, session, &id, form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The first message as the form wrote it to customer `id`; `Err` when the time to expect an
/// answer by is not a date and time.
fn first_message(form: &WriteForm, id: &str, hours: &BusinessHours, w: &FirstMessageTexts) -> Result<FirstMessage, ()> {
    let expect_by = form.expect_by.trim();
    let expect_answer_by = match NaiveDateTime::parse_from_str(expect_by, "%Y-%m-%dT%H:%M") {
        Ok(local) => Some(hours.instant(local.date(), local.time())),
        Err(_) if expect_by.is_empty() => None,
        Err(_) => return Err(()),
    };
    Ok(FirstMessage {
        to: Recipient::Customer(id.to_string()),
        channel: form.channel.clone(),
        subject: form.subject.clone(),
        follow_up_text: follow_up_text(w, &form.subject, &form.text),
        text: form.text.clone(),
        expect_answer_by,
    })
}

/// "Sent to Jan Jansen. Waiting until Friday 10:00, then you are reminded."
fn sent_notice(state: &AppState, lang: Lang, conversation: &ConversationView, by: Option<DateTime<Utc>>) -> String {
    let w = first_message_texts(lang);
    let name = conversation.customer_name.as_deref().unwrap_or_default();
    match by {
        Some(by) => {
            let by = clock(state, lang).moment(by);
            format!("{} {name}. {} {by}{}", w.sent, w.waiting_until, w.then_reminded)
        }
        None => format!("{} {name}.", w.sent),
    }
}

/// The customer page again, with the problems named and everything typed kept.
async fn refused(
    state: &AppState,
    session: StaffSession,
    id: &str,
    form: WriteForm,
    errors: Vec<String>,
) -> Result<Response, HttpError> {
    let draft = WriteDraft {
        channel: form.channel,
        subject: form.subject,
        text: form.text,
        expect_by: form.expect_by,
        errors,
    };
    let lang = session.staff.lang;
    let page = customer_page(state, session, lang, id, None, draft).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Extension(OwnPage), page).into_response())
}
