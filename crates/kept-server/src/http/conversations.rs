//! Conversations across channels through the API (staff token): inbound messages from a
//! business's automation, replies, and a customer's timeline.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use kept_domain::FieldError;
use kept_domain::conversation::{ConversationStatus, InboundInput};
use kept_store::{ConversationView, InboundRecorded, TimelineEntry};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiStaff;
use crate::error::{AppError, ErrorBody};
use crate::service;
use crate::state::AppState;

fn invalid_json(error: serde_json::Error) -> AppError {
    AppError::Invalid(vec![FieldError {
        field: "body",
        code: "invalid_json",
        message: format!("The body is not the expected JSON: {error}"),
    }])
}

/// A message from a social or chat channel. The same `channel` + `external_id` twice is stored once.
#[utoipa::path(
    post,
    path = "/api/v1/inbound/message",
    request_body(content = Object, description = "`channel`, `external_id`, `from` {`handle`, `name`}, `text`, optional `sent_at` (RFC 3339)"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Object),
        (status = 200, description = "Stored before; the first copy", body = Object),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn inbound_message(
    State(state): State<AppState>,
    _staff: ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<InboundRecorded>), AppError> {
    let input: InboundInput = serde_json::from_slice(&body).map_err(invalid_json)?;
    let recorded = service::accept_inbound(&state, &input).await?;
    let status = if recorded.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(recorded)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConversationQuery {
    /// open, waiting_on_customer or resolved; all when absent.
    status: Option<String>,
    limit: Option<i64>,
}

/// Conversations; waiting for us: frustrated customers first, then by due time.
#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    params(ConversationQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<ConversationQuery>,
) -> Result<Json<Vec<ConversationView>>, AppError> {
    let status = query
        .status
        .as_deref()
        .map(|s| {
            ConversationStatus::parse(s).ok_or_else(|| {
                AppError::Invalid(vec![FieldError {
                    field: "status",
                    code: "unknown_status",
                    message: "status must be open, waiting_on_customer or resolved".into(),
                }])
            })
        })
        .transpose()?;
    Ok(Json(
        state
            .store
            .list_conversations(status, query.limit.unwrap_or(200).clamp(1, 1000))
            .await?,
    ))
}

/// One conversation with all its messages, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}",
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<ConversationView>, AppError> {
    Ok(Json(state.store.conversation(&id).await?.ok_or(AppError::NotFound)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyRequest {
    text: String,
}

/// Answers a conversation on its channel and keeps the reply promise.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/replies",
    request_body = ReplyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Object),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "kept has no way to send on this channel", body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn reply(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<ConversationView>), AppError> {
    let request: ReplyRequest = serde_json::from_slice(&body).map_err(invalid_json)?;
    let conversation = service::reply(&state, &staff, &id, &request.text).await?;
    Ok((StatusCode::CREATED, Json(conversation)))
}

/// Everything a customer said and was promised, on every channel, in time order.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/timeline",
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody))
)]
pub async fn timeline(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<Vec<TimelineEntry>>, AppError> {
    Ok(Json(state.store.customer_timeline(&id).await?))
}

/// A raw e-mail (`Content-Type: message/rfc822`), for mail services that forward mail over HTTP.
#[utoipa::path(
    post,
    path = "/api/v1/inbound/email",
    request_body(content = String, content_type = "message/rfc822"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Object),
        (status = 200, description = "Stored before (same Message-ID)", body = Object),
        (status = 401, body = ErrorBody),
        (status = 415, description = "Not message/rfc822", body = ErrorBody),
        (status = 422, description = "Not a usable e-mail", body = ErrorBody)
    )
)]
pub async fn inbound_email(
    State(state): State<AppState>,
    _staff: ApiStaff,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<InboundRecorded>), AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.trim().to_ascii_lowercase().starts_with("message/rfc822") {
        return Err(AppError::UnsupportedMediaType(
            "send the raw message as Content-Type: message/rfc822".into(),
        ));
    }
    let recorded = service::accept_email(&state, &body).await?;
    let status = if recorded.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(recorded)))
}
