//! The one place errors become answers: every `AppError` is a status and a JSON body; on the
//! staff pages that body is shown as a page in the reader's language instead, and under `/api`
//! the errors axum itself answers (a body too large, a query it cannot read, a method or route
//! that does not exist) get the same JSON body as every other error.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use kept_domain::FieldError;
use kept_domain::Lang;
use serde::Serialize;

use super::extract::{SESSION_COOKIE, request_lang};
use super::pages::{ErrorPage, render};
use crate::i18n::{error_texts, texts};
use crate::state::AppState;
use kept_app::auth::token_hash;
use kept_app::error::AppError;

pub async fn answer_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let (api, page) = (path.starts_with("/api/"), is_staff_page(path));
    // Only a page needs the reader's language (from these) when it fails.
    let (headers, query) = if page || path == "/login" {
        (request.headers().clone(), request.uri().query().map(str::to_string))
    } else {
        (HeaderMap::new(), None)
    };
    let response = next.run(request).await;
    if response.extensions().get::<OwnPage>().is_some() {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    let failed = response.status().is_client_error() || response.status().is_server_error();
    match info {
        None if api && failed => json_for_status(response).await,
        // An error axum answered itself on a page (a form without its fields): a page too.
        None if page && failed => {
            let info = ErrorInfo {
                code: code_for(response.status()),
                message: String::new(),
                problems: Vec::new(),
            };
            let lang = reader_lang(&state, &headers, query.as_deref()).await;
            error_page(response, info, lang, &headers)
        }
        Some(info) if page => {
            let lang = reader_lang(&state, &headers, query.as_deref()).await;
            error_page(response, info, lang, &headers)
        }
        _ => response,
    }
}

/// Marks a failure answer that is already the page to show: a form shown again with what was
/// typed and what was wrong (the error layer leaves it alone).
#[derive(Debug, Clone, Copy)]
pub struct OwnPage;

/// The staff's pages (the customer's form answers its own errors on the form).
fn is_staff_page(path: &str) -> bool {
    path == "/" || ["/staff", "/login", "/logout"].iter().any(|p| path.starts_with(p))
}

/// The JSON error body for an error axum answered in plain text.
async fn json_for_status(response: Response) -> Response {
    let status = response.status();
    let code = code_for(status);
    let (parts, body) = response.into_parts();
    // axum's own explanation ("Failed to deserialize query string: …") helps a client; a
    // server error's text stays in the log.
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let message = match status {
        s if s.is_server_error() => "something went wrong on our side; nothing you sent was lost".to_string(),
        StatusCode::NOT_FOUND if text.is_empty() => "not found".to_string(),
        StatusCode::METHOD_NOT_ALLOWED if text.is_empty() => "this method is not allowed here".to_string(),
        _ => String::from_utf8_lossy(&text).trim().to_string(),
    };
    let body = ErrorBody {
        error: code,
        message,
        fields: Vec::new(),
        next_slots: None,
        line: None,
        column: None,
    };
    let mut answer = (status, Json(body)).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The error code for a status axum answered without an `AppError`.
fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

fn error_page(response: Response, info: ErrorInfo, lang: Lang, headers: &HeaderMap) -> Response {
    let words = error_texts(lang);
    let (title, explanation) = words.for_code(info.code);
    let problems: Vec<&'static str> = info.problems.iter().filter_map(|code| words.problem(code)).collect();
    // A conflict's own words name what happened; they are English, so only an English page
    // shows them (a Dutch page keeps to its own explanation).
    let detail = (lang == Lang::En && info.code == "conflict").then_some(info.message);
    let page = ErrorPage {
        t: texts(lang),
        title,
        explanation,
        problems,
        detail,
        // "Back" goes to the staff page the form was on.
        back: super::extract::staff_page_before(headers, true).unwrap_or_else(|| "/staff".into()),
    };
    match render(&page) {
        Ok(html) => {
            // Keep what the answer says besides its body (Retry-After, cookies).
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            let mut page = html.into_response();
            parts.headers.insert(
                header::CONTENT_TYPE,
                page.headers_mut()
                    .remove(header::CONTENT_TYPE)
                    .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8")),
            );
            Response::from_parts(parts, page.into_body())
        }
        Err(_) => response,
    }
}

/// `?lang=` first (as every page does), then the logged-in staff member's language, then the
/// browser's.
async fn reader_lang(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> Lang {
    let asked = query
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(Lang::parse);
    if let Some(lang) = asked {
        return lang;
    }
    let jar = CookieJar::from_headers(headers);
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Ok(Some(session)) = kept_app::session(state, &token_hash(cookie.value())).await
    {
        return session.staff.lang;
    }
    request_lang(None, headers)
}

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
