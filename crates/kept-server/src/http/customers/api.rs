//! Customers through the API (staff token): contact details, merging, notes and logged calls.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use kept_app::records::{Contact, CustomerExport};
use kept_domain::conversation::{Direction, valid_channel};
use kept_domain::{CancelReason, Closing, normalise_phone};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::dto::{self, Created, CustomerExportJson, CustomerJson, ErasureJson, FollowUpJson};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::IdPath;
use crate::http::extract::{ApiStaff, json_body};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    operation_id = "get_customer",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<CustomerJson>, HttpError> {
    let customer = kept_app::customer(&state, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json((&customer).into()))
}

/// One of `phone`, `email` or `handle` ("channel:name", e.g. "twitter:@jan").
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactRequest {
    #[schema(schema_with = crate::dto::schemas::optional_phone)]
    phone: Option<String>,
    #[schema(format = Email, max_length = 254)]
    email: Option<String>,
    /// "channel:name": the channel's code (a-z, 0-9, - and _, at most 32), then the name.
    #[schema(
        max_length = 200,
        pattern = r"^ *[a-z0-9_-]{1,32}:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    handle: Option<String>,
}

impl ContactRequest {
    /// From the customer page's form: `kind` is phone, email or a channel's code.
    pub(crate) fn from_form(kind: &str, value: &str) -> Self {
        let value = Some(value.trim().to_string());
        match kind {
            "phone" => ContactRequest {
                phone: value,
                email: None,
                handle: None,
            },
            "email" => ContactRequest {
                phone: None,
                email: value,
                handle: None,
            },
            channel => ContactRequest {
                phone: None,
                email: None,
                handle: value.map(|v| format!("{channel}:{v}")),
            },
        }
    }

    pub(crate) fn contact(&self, region: &str) -> Result<Contact, AppError> {
        match (&self.phone, &self.email, &self.handle) {
            (Some(phone), None, None) => normalise_phone(phone, region)
                .map(Contact::Phone)
                .map_err(|e| AppError::invalid("phone", "invalid_phone", e.to_string())),
            (None, Some(email), None) => {
                let address = email.trim().to_lowercase();
                if address.chars().count() > 254 || address.parse::<lettre::Address>().is_err() {
                    return Err(AppError::invalid(
                        "email",
                        "invalid_email",
                        "this is not an e-mail address",
                    ));
                }
                Ok(Contact::Handle(format!("email:{address}")))
            }
            (None, None, Some(handle)) => match handle.trim().split_once(':') {
                Some((channel, name))
                    if valid_channel(channel)
                        && !name.trim().is_empty()
                        && handle.chars().count() <= 200
                        && !handle.chars().any(char::is_control) =>
                {
                    Ok(Contact::Handle(format!("{channel}:{}", name.trim())))
                }
                _ => Err(AppError::invalid(
                    "handle",
                    "invalid_handle",
                    "a handle is channel:name, e.g. twitter:@jan",
                )),
            },
            _ => Err(AppError::invalid(
                "body",
                "one_contact",
                "send exactly one of phone, email or handle",
            )),
        }
    }
}

/// Adds a phone number, e-mail address or channel handle; 409 when it belongs to another customer.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/contacts",
    params(IdPath),
    request_body = ContactRequest,
    security(("bearer" = [])),
    responses((status = 200, body = CustomerJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_contact(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<CustomerJson>, HttpError> {
    let request: ContactRequest = json_body(&body, "body", "expected {\"phone\"|\"email\"|\"handle\": \"…\"}")?;
    let contact = request.contact(&state.settings().business.default_region)?;
    Ok(Json((&app::add_contact(&state, &staff, &id, contact).await?).into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The customer whose history moves to this one and who then no longer exists.
    from: String,
}

/// Merges another customer into this one: requests, calls, promises, conversations, contacts
/// and notes all move along; nothing is lost.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/merge",
    params(IdPath),
    request_body = MergeRequest,
    security(("bearer" = [])),
    responses((status = 200, body = CustomerJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn merge(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<CustomerJson>, HttpError> {
    let request: MergeRequest = json_body(&body, "body", "expected {\"from\": \"customer id\"}")?;
    Ok(Json(
        (&app::merge_customers(&state, &staff, &id, &request.from).await?).into(),
    ))
}

/// Everything kept holds about the customer, as one JSON document (owner only): the customer,
/// and per table of the register their rows, attachments base64-encoded.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/export",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerExportJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn export(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Response, HttpError> {
    let export = app::export_customer(&state, &staff, &id).await?;
    Ok(export_download(&id, &export))
}

/// The export as a file to save (the same JSON the API gives).
pub fn export_download(id: &str, export: &CustomerExport) -> Response {
    let disposition = format!("attachment; filename=\"kept-customer-{}.json\"", sanitise_id(id));
    (
        [(header::CONTENT_DISPOSITION, disposition)],
        Json(CustomerExportJson::from(export)),
    )
        .into_response()
}

fn sanitise_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EraseRequest {
    /// Why the data is erased, e.g. "the customer asked for it by e-mail on 30 November".
    #[schema(pattern = r"\S", max_length = 500)]
    reason: String,
}

/// Erases the customer and everything kept holds about them (owner only); an anonymous record
/// of the erasure stays. Open promises to them are cancelled.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/erase",
    params(IdPath),
    request_body = EraseRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ErasureJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn erase(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<ErasureJson>, HttpError> {
    let request: EraseRequest = json_body(&body, "body", "expected {\"reason\": \"…\"}")?;
    Ok(Json(
        (&app::erase_customer(&state, &staff, &id, &request.reason).await?).into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FollowUpRequest {
    /// What was promised, in the staff member's words.
    #[schema(pattern = r"\S", max_length = 10000)]
    text: String,
    /// When it is due (RFC 3339, e.g. "2026-12-03T10:00:00+01:00").
    due_at: DateTime<Utc>,
    /// Who must do it; the writer when left out.
    owner_id: Option<String>,
}

/// Records a promise made to the customer in words ("I will send the quote on Thursday"):
/// tracked with a reminder and escalation like every promise.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/follow-ups",
    params(IdPath),
    request_body = FollowUpRequest,
    security(("bearer" = [])),
    responses((status = 201, body = FollowUpJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_follow_up(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<(StatusCode, Json<FollowUpJson>), HttpError> {
    let request: FollowUpRequest = json_body(
        &body,
        "body",
        "expected {\"text\": \"…\", \"due_at\": \"2026-12-03T10:00:00+01:00\"}",
    )?;
    let follow_up = app::add_follow_up(
        &state,
        &staff,
        &id,
        &request.text,
        request.due_at,
        request.owner_id.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json((&follow_up).into())))
}

/// The customer's follow-ups, open ones first.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/follow-ups",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<FollowUpJson>), (status = 404, body = ErrorBody))
)]
pub async fn follow_ups(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<Vec<FollowUpJson>>, HttpError> {
    kept_app::customer(&state, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(dto::all(&kept_app::customer_follow_ups(&state, &id).await?)))
}

/// The follow-up was done: its promise is kept (or broken when late).
#[utoipa::path(
    post,
    path = "/api/v1/follow-ups/{id}/done",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = FollowUpJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn follow_up_done(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<FollowUpJson>, HttpError> {
    Ok(Json(
        (&app::close_follow_up(&state, &staff, &id, Closing::Fulfilled).await?).into(),
    ))
}

/// The follow-up is no longer needed: its promise is cancelled.
#[utoipa::path(
    post,
    path = "/api/v1/follow-ups/{id}/withdraw",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = FollowUpJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn follow_up_withdraw(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<FollowUpJson>, HttpError> {
    let withdrawn = Closing::Cancelled(CancelReason::Withdrawn);
    Ok(Json(
        (&app::close_follow_up(&state, &staff, &id, withdrawn).await?).into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteRequest {
    #[schema(pattern = r"\S", max_length = 10000)]
    text: String,
    /// Attach the note to one of the customer's conversations.
    conversation_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CallRequest {
    #[schema(schema_with = dto::schemas::direction)]
    direction: String,
    #[schema(pattern = r"\S", max_length = 10000)]
    summary: String,
}

/// An internal note: staff see it on the timeline, the customer never does.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/notes",
    params(IdPath),
    request_body = NoteRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_note(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<(StatusCode, Json<Created>), HttpError> {
    let request: NoteRequest = json_body(&body, "body", "expected {\"text\": \"…\"}")?;
    let note = app::add_note(&state, &staff, &id, request.conversation_id, &request.text).await?;
    Ok((StatusCode::CREATED, Json(Created { id: note })))
}

/// A phone call staff had with the customer, in or out, with a summary.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/calls",
    params(IdPath),
    request_body = CallRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_call(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<(StatusCode, Json<Created>), HttpError> {
    let request: CallRequest = json_body(
        &body,
        "body",
        "expected {\"direction\": \"inbound\"|\"outbound\", \"summary\": \"…\"}",
    )?;
    let direction = Direction::parse(&request.direction).ok_or_else(|| {
        AppError::invalid(
            "direction",
            "unknown_direction",
            "direction must be inbound or outbound",
        )
    })?;
    let call = app::log_call(&state, &staff, &id, direction, &request.summary).await?;
    Ok((StatusCode::CREATED, Json(Created { id: call })))
}
