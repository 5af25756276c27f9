//! Errors on the staff pages are pages: the same `AppError` that the API answers as JSON is
//! shown as HTML in the reader's language here, once for every page handler.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use kept_domain::Lang;

use super::extract::{SESSION_COOKIE, request_lang};
use super::pages::{ErrorPage, render};
use crate::auth::token_hash;
use crate::error::ErrorInfo;
use crate::i18n::{error_texts, texts};
use crate::state::AppState;

pub async fn html_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let headers = request.headers().clone();
    let query = request.uri().query().map(str::to_string);
    let lang = reader_lang(&state, &headers, query.as_deref()).await;
    let response = next.run(request).await;
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let words = error_texts(lang);
    let (title, explanation) = words.for_code(info.code);
    // The detail names what to fix (a field, a conflict); it is written in English, so an
    // English page shows it and a Dutch page keeps to its own explanation.
    let detail = (lang == Lang::En && explanation != info.message).then_some(info.message);
    let page = ErrorPage {
        t: texts(lang),
        title,
        explanation,
        detail,
    };
    match render(&page) {
        Ok(html) => (response.status(), html).into_response(),
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
        && let Ok(Some(session)) = state
            .store
            .session(&token_hash(cookie.value()), state.clock.now())
            .await
    {
        return session.staff.lang;
    }
    request_lang(None, headers)
}
