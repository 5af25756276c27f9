//! The one place a use case's error becomes an answer: every `AppError` is a status and a JSON
//! body (`HttpError`), with what a page needs to show it in the reader's language instead
//! (`error_pages` does that for the staff pages).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kept_domain::FieldError;
use serde::Serialize;

use kept_app::error::AppError;

/// Marks a failure answer that is already the page to show: a form shown again with what was
/// typed and what was wrong (the error layer leaves it alone).
#[derive(Debug, Clone, Copy)]
pub struct OwnPage;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: invalid, invalid_row, bad_request, unauthorized, forbidden, owner_only, not_found, conflict, rate_limited, internal.
    pub error: &'static str,
    pub message: String,
    /// For `invalid`: which fields were refused and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldError>,
    /// For `slot_taken`: the next free times instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_slots: Option<Vec<crate::dto::SlotJson>>,
    /// For `invalid_row`: the line of the file that was refused (1 is the header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// For `invalid_row`: the column, when the problem is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<&'static str>,
}

fn status(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) => match error.code() {
            "not_found" => StatusCode::NOT_FOUND,
            "conflict" => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
        AppError::InvalidRow(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::OwnerOnly => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::SlotTaken(_) => StatusCode::CONFLICT,
        AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Put on every error response, so that the staff pages can show it as a page in the
/// reader's language instead of JSON (see `html_errors` above).
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
    /// For `invalid`: the codes of what was refused, so a page can say it in its language.
    pub problems: Vec<&'static str>,
}

/// A use case's error on its way out as an answer. `AppError` belongs to `kept-app`, which
/// knows nothing of HTTP, and Rust lets axum's `IntoResponse` be written only for a type of
/// this crate: handlers return `Result<_, HttpError>` and `?` wraps any `AppError` on the way.
#[derive(Debug)]
pub struct HttpError(pub AppError);

impl From<AppError> for HttpError {
    fn from(error: AppError) -> Self {
        HttpError(error)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        answer(self.0)
    }
}

/// The status and JSON body of one error, with what a page needs to show it.
fn answer(error: AppError) -> Response {
    if let AppError::Internal(detail) = &error {
        tracing::error!(%detail, "request failed");
    }
    let info = ErrorInfo {
        code: error.code(),
        message: error.public_message(),
        problems: match &error {
            AppError::Invalid(fields) => fields.iter().map(|f| f.code).collect(),
            _ => Vec::new(),
        },
    };
    let body = ErrorBody {
        error: error.code(),
        message: error.public_message(),
        fields: match &error {
            AppError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        },
        next_slots: match &error {
            AppError::SlotTaken(next) => Some(
                next.iter()
                    .map(|&(start, end)| crate::dto::SlotJson { start, end })
                    .collect(),
            ),
            _ => None,
        },
        line: match &error {
            AppError::InvalidRow(row) => Some(row.line),
            _ => None,
        },
        column: match &error {
            AppError::InvalidRow(row) => row.field.column,
            _ => None,
        },
    };
    let mut response = (status(&error), Json(body)).into_response();
    if matches!(error, AppError::TooManyRequests) {
        // Every limit here is per minute.
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    response.extensions_mut().insert(info);
    response
}
