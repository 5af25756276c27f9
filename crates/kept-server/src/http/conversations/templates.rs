//! Saved replies through the API: list, save, delete, and fill one in for a conversation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{self, TemplateJson};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::IdPath;
use crate::http::extract::{ApiStaff, json_body};
use crate::state::AppState;
use kept_app as app;

#[utoipa::path(get, path = "/api/v1/templates", operation_id = "list_templates", security(("bearer" = [])), responses((status = 200, body = Vec<TemplateJson>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _staff: ApiStaff) -> Result<Json<Vec<TemplateJson>>, HttpError> {
    Ok(Json(dto::all(&kept_app::reply_templates(&state).await?)))
}

/// A saved reply. Merge fields: `{{ greeting }}`, `{{ customer.name }}`, `{{ customer.first_name }}`,
/// `{{ staff.name }}`, `{{ staff.first_name }}`, `{{ business.name }}`, `{{ promise.due }}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TemplateRequest {
    /// 1 to 80 characters; a template with the same name is replaced.
    #[schema(min_length = 1, max_length = 80, pattern = r"\S")]
    name: String,
    /// The text with merge fields (format `template`): plain text, `{{ customer.name }}`
    /// and the other fields, `{% if … %}` and `{% for … %}`; at most 20,000 characters.
    #[schema(schema_with = crate::dto::schemas::template_body)]
    body: String,
}

/// Creates a template, or replaces the one with the same name.
#[utoipa::path(
    post,
    path = "/api/v1/templates",
    operation_id = "save_template",
    request_body = TemplateRequest,
    security(("bearer" = [])),
    responses((status = 201, body = TemplateJson), (status = 422, description = "Unknown merge field or syntax error", body = ErrorBody))
)]
pub async fn save(
    State(state): State<AppState>,
    _staff: ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<TemplateJson>), HttpError> {
    let request: TemplateRequest = json_body(&body, "body", "expected {\"name\": \"…\", \"body\": \"…\"}")?;
    let saved = app::save_template(&state, &request.name, &request.body).await?;
    Ok((StatusCode::CREATED, Json((&saved).into())))
}

#[utoipa::path(
    post,
    path = "/api/v1/templates/{id}/delete",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody))
)]
pub async fn delete(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<StatusCode, HttpError> {
    app::delete_template(&state, &staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftRequest {
    template_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Draft {
    text: String,
}

/// The template filled in for this conversation (not sent: the agent edits and sends it).
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/draft",
    params(IdPath),
    request_body = DraftRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Draft), (status = 404, body = ErrorBody))
)]
pub async fn draft(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<Draft>, HttpError> {
    let request: DraftRequest = json_body(&body, "body", "expected {\"template_id\": \"…\"}")?;
    let text = app::draft_reply(&state, &staff, &id, &request.template_id).await?;
    Ok(Json(Draft { text }))
}
