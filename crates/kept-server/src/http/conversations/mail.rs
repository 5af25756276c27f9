//! E-mail details through the API: attachments, and mail kept could not read.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dto::{self, UnreadableMailJson};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::ApiStaff;
use crate::http::extract::IdPath;
use crate::state::AppState;
use kept_app::error::AppError;

/// A file download that a browser never renders inline (mail attachments are untrusted).
fn download(filename: &str, content_type: &str, data: Vec<u8>) -> Response {
    let safe_name: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let content_type =
        HeaderValue::from_str(content_type).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox")),
        ],
        data,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    params(IdPath),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, as an attachment"),
        (status = 404, body = ErrorBody),
        (status = 410, description = "Larger than max_attachment_bytes: only its name and size were kept", body = ErrorBody)
    )
)]
pub async fn attachment(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Response, HttpError> {
    let (info, data) = kept_app::attachment(&state, &id).await?.ok_or(AppError::NotFound)?;
    let data = data.ok_or_else(|| {
        AppError::Gone(format!(
            "{} ({} bytes) was larger than the attachment limit; only its name and size were kept",
            info.filename, info.size_bytes
        ))
    })?;
    Ok(download(&info.filename, &info.content_type, data))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnreadableQuery {
    /// Also list the ones a human has already handled.
    #[serde(default)]
    all: bool,
}

/// Mail kept could not read (no sender, not MIME, over 25 MB): stored raw for a human.
#[utoipa::path(
    get,
    path = "/api/v1/unreadable-mail",
    params(UnreadableQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<UnreadableMailJson>), (status = 401, body = ErrorBody))
)]
pub async fn unreadable(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<UnreadableQuery>,
) -> Result<Json<Vec<UnreadableMailJson>>, HttpError> {
    Ok(Json(dto::all(&kept_app::unreadable_mail(&state, query.all).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/unreadable-mail/{id}/raw",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, description = "The message exactly as received"), (status = 404, body = ErrorBody))
)]
pub async fn unreadable_raw(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Response, HttpError> {
    let raw = kept_app::unreadable_raw(&state, &id).await?.ok_or(AppError::NotFound)?;
    Ok(download(&format!("{id}.eml"), "message/rfc822", raw))
}

#[utoipa::path(
    post,
    path = "/api/v1/unreadable-mail/{id}/handled",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 204, description = "Marked as handled"), (status = 404, body = ErrorBody))
)]
pub async fn unreadable_handled(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<axum::http::StatusCode, HttpError> {
    kept_app::mark_unreadable_handled(&state, &staff, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
