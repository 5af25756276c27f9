//! What a staff page says once after an action ("Geen gehoor vastgelegd. Nieuwe poging
//! uiterlijk 14:30."): the action's handler puts the notice in the flash cookie and redirects;
//! this layer shows it at the top of the next whole page, whichever page that is, and removes
//! the cookie. Pages that read the flash themselves (the team and account pages, which also
//! show a secret once) take it out of the cookie first and are left alone.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;

use super::extract::{FLASH_COOKIE, Flash};
use crate::state::AppState;

/// The largest page the notice is put in; a bigger one shows it on the next page instead.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Puts `notice` in the flash for the next page.
pub fn say(state: &AppState, jar: CookieJar, notice: String) -> CookieJar {
    Flash {
        notice: Some(notice),
        secret: None,
    }
    .keep(state, jar)
}

pub async fn show_notice(request: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let (flash, _) = Flash::take(jar);
    let response = next.run(request).await;
    let Some(notice) = flash.notice else {
        return response;
    };
    let is_page = response.status().is_success()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    let taken_already = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|c| c.to_str().is_ok_and(|c| c.starts_with(FLASH_COOKIE)));
    if !is_page || taken_already {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(page) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let page = String::from_utf8_lossy(&page);
    let Some(at) = page.find("<main>").map(|i| i + "<main>".len()) else {
        // A fragment (a list's refresh): the notice waits for the next whole page.
        return Response::from_parts(parts, Body::from(page.into_owned()));
    };
    let shown = format!(
        "{}\n<p class=\"promise\" role=\"status\" id=\"flash\">{}</p>{}",
        &page[..at],
        crate::charts::escape(&notice),
        &page[at..]
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let gone = format!("{FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    if let Ok(value) = HeaderValue::from_str(&gone) {
        parts.headers.append(header::SET_COOKIE, value);
    }
    Response::from_parts(parts, Body::from(shown))
}
