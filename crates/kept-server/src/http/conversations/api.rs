//! Conversations across channels through the API (staff token): inbound messages from a
//! business's automation, replies, and a customer's timeline.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use kept_app::records::{AssigneeFilter, ConversationChange, ConversationFilter, ListPage};
use kept_domain::conversation::{ConversationStatus, InboundInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::dto::{
    self, ConversationJson, EmailAcceptedJson, InboundMessageRequest, MessageAccepted, TimelineEntryJson,
};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::IdPath;
use crate::http::extract::{ApiStaff, json_body, status_filter};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, EmailAccepted, MailSource};

/// A message from a social or chat channel. The same `channel` + `external_id` twice is stored once.
#[utoipa::path(
    post,
    path = "/api/v1/inbound/message",
    request_body = InboundMessageRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = MessageAccepted),
        (status = 200, description = "Stored before; the first copy", body = MessageAccepted),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn inbound_message(
    State(state): State<AppState>,
    _staff: ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<MessageAccepted>), HttpError> {
    let request: InboundMessageRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    let input = InboundInput::from(request);
    let recorded = app::accept_inbound(&state, &input).await?;
    let status = if recorded.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json((&recorded).into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationQuery {
    /// Only conversations with this status; all when absent.
    #[param(schema_with = dto::schemas::conversation_status_filter)]
    status: Option<String>,
    /// Only those of the token's staff member (`me`) or of nobody yet (`nobody`); anyone's when absent.
    #[param(schema_with = dto::schemas::assigned_to_filter)]
    assigned_to: Option<String>,
    /// Only this channel's (email, chat, whatsapp, …).
    channel: Option<String>,
    /// Only those with this tag.
    tag: Option<String>,
    /// How many, 1 to 1000; 200 when absent.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Conversations; waiting for us: frustrated customers first, then by due time.
#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    operation_id = "list_conversations",
    params(ConversationQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ConversationJson>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(query): Query<ConversationQuery>,
) -> Result<Json<Vec<ConversationJson>>, HttpError> {
    let status = status_filter(
        query.status.as_deref(),
        ConversationStatus::parse,
        "open, waiting_on_customer or resolved",
    )?;
    let assignee = match query.assigned_to.as_deref() {
        None => AssigneeFilter::Anyone,
        Some("me") => AssigneeFilter::Staff(staff.id.clone()),
        Some("nobody") => AssigneeFilter::Nobody,
        Some(_) => {
            return Err(
                AppError::invalid("assigned_to", "unknown_assignee", "assigned_to must be me or nobody").into(),
            );
        }
    };
    let filter = ConversationFilter {
        status,
        assignee,
        channel: query.channel,
        tag: query.tag,
    };
    let limit = crate::dto::list_limit(query.limit, 200, 1000)?;
    let page = kept_app::conversations(&state, &filter, &ListPage::First, limit).await?;
    with_unread(&state, &staff.id, dto::all(&page.rows)).await.map(Json)
}

/// Marks which of `listed` have a customer message `staff_id` has not opened yet.
async fn with_unread(
    state: &AppState,
    staff_id: &str,
    mut listed: Vec<ConversationJson>,
) -> Result<Vec<ConversationJson>, HttpError> {
    let ids: Vec<&str> = listed.iter().map(|c| c.id.as_str()).collect();
    let unread = kept_app::unread_among(state, staff_id, &ids).await?;
    for conversation in &mut listed {
        conversation.unread = Some(unread.contains(&conversation.id));
    }
    Ok(listed)
}

/// One conversation with all its messages, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}",
    operation_id = "get_conversation",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = ConversationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<ConversationJson>, HttpError> {
    let conversation = kept_app::conversation(&state, &id).await?.ok_or(AppError::NotFound)?;
    let mut listed = with_unread(&state, &staff.id, vec![(&conversation).into()]).await?;
    let mut json = listed.pop().ok_or(AppError::NotFound)?;
    json.status_url = Some(kept_app::status_url(&state, kept_domain::StatusSubject::Conversation, &id).await?);
    Ok(Json(json))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyRequest {
    /// The reply (at most 100 KB).
    #[schema(pattern = r"\S")]
    text: String,
}

/// Answers a conversation on its channel and keeps the reply promise.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/replies",
    params(IdPath),
    request_body = ReplyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ConversationJson),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "kept has no way to send on this channel", body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn reply(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<(StatusCode, Json<ConversationJson>), HttpError> {
    let request: ReplyRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    let conversation = app::reply(&state, &staff, &id, &request.text, &app::CommitmentChoices::default()).await?;
    Ok((StatusCode::CREATED, Json((&conversation).into())))
}

/// Everything a customer said and was promised, on every channel, in time order.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/timeline",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TimelineEntryJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn timeline(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<Vec<TimelineEntryJson>>, HttpError> {
    kept_app::customer(&state, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(dto::all(&kept_app::customer_timeline(&state, &id).await?)))
}

/// A raw e-mail (`Content-Type: message/rfc822`), for mail services that forward mail over HTTP.
#[utoipa::path(
    post,
    path = "/api/v1/inbound/email",
    request_body(content = String, content_type = "message/rfc822"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored; a bounce recorded on the message it returns; a calendar answer recorded on its appointment", body = EmailAcceptedJson),
        (status = 200, description = "Stored before (same Message-ID), or the same bounce again", body = EmailAcceptedJson),
        (status = 202, description = "Not readable as e-mail: stored raw and flagged for a human", body = EmailAcceptedJson),
        (status = 401, body = ErrorBody),
        (status = 415, description = "Not message/rfc822", body = ErrorBody),
        (status = 413, description = "Larger than 25 MB", body = ErrorBody)
    )
)]
pub async fn inbound_email(
    State(state): State<AppState>,
    _staff: ApiStaff,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<EmailAcceptedJson>), HttpError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.trim().to_ascii_lowercase().starts_with("message/rfc822") {
        return Err(
            AppError::UnsupportedMediaType("send the raw message as Content-Type: message/rfc822".into()).into(),
        );
    }
    let accepted = app::accept_email(&state, &body, MailSource::Http).await?;
    let status = match &accepted {
        EmailAccepted::Stored(recorded) if recorded.duplicate => StatusCode::OK,
        EmailAccepted::Stored(_) => StatusCode::CREATED,
        // Kept raw and flagged for a human: accepted, but not (yet) a message.
        EmailAccepted::Flagged { .. } => StatusCode::ACCEPTED,
        EmailAccepted::Bounced { new: true, .. } | EmailAccepted::CalendarAnswer { .. } => StatusCode::CREATED,
        EmailAccepted::Bounced { new: false, .. } => StatusCode::OK,
    };
    Ok((status, Json((&accepted).into())))
}

/// Any of `assign_to` (a staff member's e-mail address), `status` (open, waiting_on_customer,
/// resolved) and tags to `add_tags` / `remove_tags`, applied in that order; none (or only
/// nulls and empty lists) changes nothing.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConversationUpdate {
    /// Someone on the team (an address that is no one's is a 409).
    #[schema(format = Email, max_length = 254)]
    assign_to: Option<String>,
    #[schema(schema_with = dto::schemas::optional_conversation_status)]
    status: Option<String>,
    #[serde(default)]
    #[schema(schema_with = dto::schemas::tags)]
    add_tags: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = dto::schemas::tags)]
    remove_tags: Vec<String>,
}

/// The changes an update asks for, in the order they are made: assignee, status, tags.
async fn requested_changes(
    state: &AppState,
    request: &ConversationUpdate,
) -> Result<Vec<ConversationChange>, AppError> {
    let mut changes = Vec::new();
    if let Some(email) = &request.assign_to {
        let assignee = kept_app::staff_by_email(state, email).await?.filter(|s| s.active);
        let assignee = assignee.ok_or_else(|| {
            AppError::invalid("assign_to", "unknown_staff", "no staff member has this e-mail address")
        })?;
        changes.push(ConversationChange::Assign { staff_id: assignee.id });
    }
    if let Some(status) = &request.status {
        changes.push(ConversationChange::Status(
            ConversationStatus::parse(status).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "unknown_status",
                    "status must be open, waiting_on_customer or resolved",
                )
            })?,
        ));
    }
    if !request.add_tags.is_empty() || !request.remove_tags.is_empty() {
        changes.push(ConversationChange::Tags {
            add: app::clean_tags("add_tags", &request.add_tags)?,
            remove: app::clean_tags("remove_tags", &request.remove_tags)?,
        });
    }
    Ok(changes)
}

/// Assigns, resolves or tags a conversation. Resolving cancels an open reply promise; an
/// assignment hands it over.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/update",
    params(IdPath),
    request_body = ConversationUpdate,
    security(("bearer" = [])),
    responses((status = 200, body = ConversationJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn update(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<ConversationJson>, HttpError> {
    let request: ConversationUpdate = json_body(&body, "body", "The body is not the expected JSON")?;
    let changes = requested_changes(&state, &request).await?;
    let mut conversation = kept_app::conversation(&state, &id).await?.ok_or(AppError::NotFound)?;
    for change in changes {
        conversation = app::change_conversation(&state, &staff, &id, change).await?;
    }
    Ok(Json((&conversation).into()))
}
