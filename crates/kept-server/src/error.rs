//! One error type for the HTTP layer: users get a plain message, the log gets the details.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kept_domain::FieldError;
use kept_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("log in or send a valid API token")]
    Unauthorized,
    #[error("the form expired; reload the page and try again")]
    Forbidden,
    #[error("only the business owner may do this; ask an owner")]
    OwnerOnly,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Gone(String),
    #[error("too many requests; please wait a minute and try again")]
    TooManyRequests,
    #[error("something went wrong on our side; nothing you sent was lost")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: invalid, bad_request, unauthorized, forbidden, owner_only, not_found, conflict, rate_limited, internal.
    pub error: &'static str,
    pub message: String,
    /// For `invalid`: which fields were refused and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::OwnerOnly => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::OwnerOnly => "owner_only",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Gone(_) => "gone",
            AppError::TooManyRequests => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// What a person may be shown (internal details stay in the log).
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "something went wrong on our side; nothing you sent was lost".into(),
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Duplicate => AppError::Conflict("this already exists".into()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Put on every error response, so that the staff pages can show it as a page in the
/// reader's language instead of JSON (see `http::error_page`).
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let info = ErrorInfo {
            code: self.code(),
            message: self.public_message(),
        };
        let body = ErrorBody {
            error: self.code(),
            message: self.public_message(),
            fields: match &self {
                AppError::Invalid(fields) => fields.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        response.extensions_mut().insert(info);
        response
    }
}
