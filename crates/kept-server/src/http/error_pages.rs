//! The staff pages' side of errors: an error answered on a staff page is shown as a page in
//! the reader's language instead of JSON, and under `/api` the errors axum itself answers (a
//! body too large, a query it cannot read, a method or route that does not exist) get the same
//! JSON body as every other error.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use kept_domain::Lang;

use super::errors::{ErrorBody, ErrorInfo, OwnPage};
use super::extract::{SESSION_COOKIE, request_lang};
use super::pages::{ErrorPage, render};
use crate::i18n::{error_texts, texts};
use crate::state::AppState;
use kept_app::auth::token_hash;

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
        texts: texts(lang),
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
