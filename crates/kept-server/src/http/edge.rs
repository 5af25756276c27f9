//! Checks every request before a handler sees it: NUL, which no database here can store as
//! text, gets a clear answer once, here, instead of a database error later — in the path (an
//! id that is not an id is not found), the query and form bodies. JSON bodies are checked where
//! they are read (`extract::json_body`). A media type written with capitals is read as the
//! same type.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::HttpError;
use kept_app::error::AppError;

/// Form posts are small; anything larger is refused before it is read.
const MAX_FORM_BYTES: usize = 64 * 1024;

pub async fn refuse_unstorable(mut request: Request, next: Next) -> Response {
    lowercase_media_type(&mut request);
    if holds_nul(request.uri().path().as_bytes()) {
        return HttpError(AppError::NotFound).into_response();
    }
    if request.uri().query().is_some_and(|q| holds_nul(q.as_bytes())) {
        return HttpError(nul_in("query")).into_response();
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return HttpError(AppError::BadRequest("the form is too large".into())).into_response();
    };
    if holds_nul(&bytes) {
        return HttpError(nul_in("form")).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Media types are case-insensitive (RFC 9110 8.3.1) but axum's extractors compare them as
/// written: `Application/x-www-form-urlencoded` from an old client was refused with a 415.
fn lowercase_media_type(request: &mut Request) {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else {
        return;
    };
    let Ok(text) = value.to_str() else {
        return;
    };
    let (essence, rest) = text.split_once(';').map_or((text, None), |(e, r)| (e, Some(r)));
    if !essence.bytes().any(|b| b.is_ascii_uppercase()) {
        return;
    }
    let lowered = match rest {
        Some(rest) => format!("{};{rest}", essence.to_ascii_lowercase()),
        None => essence.to_ascii_lowercase(),
    };
    if let Ok(value) = header::HeaderValue::from_str(&lowered) {
        request.headers_mut().insert(header::CONTENT_TYPE, value);
    }
}

/// A NUL byte, raw or percent-encoded.
fn holds_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00"))
}

fn nul_in(field: &'static str) -> AppError {
    AppError::invalid(field, "nul_character", format!("the {field} contains a NUL character"))
}

#[cfg(test)]
mod tests {
    use super::holds_nul;

    #[test]
    fn nul_is_found_raw_and_percent_encoded() {
        assert!(holds_nul(b"email=a%00b"));
        assert!(holds_nul(b"/api/v1/customers/x%00y"));
        assert!(holds_nul(b"a\0b"));
        assert!(!holds_nul(b"email=a%200b&x=%0A"));
    }
}
