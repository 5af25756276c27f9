//! The customer's page of their request and its staff preview. The customer's page answers
//! every refusal itself (a plain 404 page in their language), carries `noindex` and sends no
//! referrer, so the token never leaves it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use kept_app::error::AppError;
use kept_app::{CustomerPage, PageMessage, RequestPage};
use kept_domain::quoted::split_quoted;
use kept_domain::{CustomerSees, Lang, StatusSubject};
use serde::Deserialize;

use crate::http::appointments::booking::public_notice;
use crate::http::errors::HttpError;
use crate::http::extract::{ClientIp, LangQuery, StaffSession, request_lang};
use crate::http::pages::{LocalTime, clock, render};
use crate::i18n::{StatusTexts, Texts, status_texts, texts};
use crate::state::AppState;

/// Seconds between two refreshes of the live part.
const REFRESH_SECONDS: u32 = 20;

#[derive(Template)]
#[template(path = "status_page.html")]
pub struct StatusPage {
    pub texts: &'static Texts,
    pub s: &'static StatusTexts,
    /// "Uw vraag" or "Uw terugbelverzoek".
    pub title: &'static str,
    pub business: String,
    /// The live part's address; `None` on the staff preview (it shows a moment).
    pub live_url: Option<String>,
    pub refresh_seconds: u32,
    pub live: String,
    /// Staff preview: the customer's link to copy, and whether they may revoke it.
    pub preview: Option<Preview>,
}

pub struct Preview {
    /// The request's staff page.
    pub back_url: String,
    pub link: String,
    pub revoke_url: String,
    pub may_revoke: bool,
    pub csrf: String,
}

/// What changes while the page is open: the promise's state and the conversation so far.
#[derive(Template)]
#[template(path = "status_live.html")]
pub struct LivePart {
    pub s: &'static StatusTexts,
    pub sentence: String,
    /// "We bellen u op 06 12345678.", for a callback request.
    pub calling: Option<String>,
    pub late: bool,
    pub asked: Option<String>,
    pub asked_at: String,
    pub messages: Vec<MessageLine>,
    pub appointments: Vec<AppointmentLine>,
}

/// An appointment to come: when, what and where, and its page to move or cancel it.
pub struct AppointmentLine {
    pub when: String,
    pub what: String,
    pub manage_url: String,
}

pub struct MessageLine {
    pub from_us: bool,
    pub who: String,
    pub at: String,
    pub body: String,
}

/// The query's `lang`, the first if it is given twice (a link pasted together from two), any
/// other keys (`utm_source`, `fbclid`) ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct PageQuery(Vec<(String, String)>);

impl PageQuery {
    fn lang(&self) -> Option<Lang> {
        self.0
            .iter()
            .find(|(key, _)| key == "lang")
            .and_then(|(_, value)| Lang::parse(value))
    }

    /// The language asked for: `?lang`, else the browser's.
    fn asked(&self, headers: &HeaderMap) -> Lang {
        self.lang().unwrap_or_else(|| request_lang(None, headers))
    }

    /// A request's page: `?lang`, else the language they asked in, else the browser's.
    fn of_page(&self, page: &RequestPage, headers: &HeaderMap) -> Lang {
        self.lang().or(page.lang).unwrap_or_else(|| request_lang(None, headers))
    }
}

/// A path under `/p/` that is no page: the plain "this link does not work" page.
pub async fn no_such_page(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    Ok(private(notice(
        &state,
        query.asked(&headers),
        StatusCode::NOT_FOUND,
        false,
    )?))
}

pub async fn show(
    State(state): State<AppState>,
    ip: ClientIp,
    Path(token): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let asked_lang = query.asked(&headers);
    let opened = match check_rate(&state, &ip) {
        Ok(()) => kept_app::open_page(&state, &token).await,
        Err(limited) => Err(limited),
    };
    let response = match opened {
        Ok(CustomerPage::Open(page)) => {
            let lang = query.of_page(&page, &headers);
            // The refresh speaks the page's language whatever the browser asks for.
            let live_url = format!("/p/{token}/live?lang={}", lang.code());
            render(&status_page(&state, lang, &page, Some(live_url), None)?)?.into_response()
        }
        Ok(CustomerPage::Closed) => notice(&state, asked_lang, StatusCode::GONE, true)?,
        Err(AppError::NotFound) => notice(&state, asked_lang, StatusCode::NOT_FOUND, false)?,
        Err(other) => return Err(other.into()),
    };
    Ok(private(response))
}

/// The live part alone, for the page's script; 404 once the link no longer works.
pub async fn live(
    State(state): State<AppState>,
    ip: ClientIp,
    Path(token): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    check_rate(&state, &ip)?;
    let page = match kept_app::refresh_page(&state, &token).await {
        Ok(CustomerPage::Open(page)) => page,
        Ok(CustomerPage::Closed) | Err(AppError::NotFound) => {
            return Ok(private(StatusCode::NOT_FOUND.into_response()));
        }
        Err(other) => return Err(other.into()),
    };
    let lang = query.of_page(&page, &headers);
    let live = live_part(&clock(&state, lang), &state, &page)?;
    Ok(private(render(&live)?.into_response()))
}

fn check_rate(state: &AppState, ip: &ClientIp) -> Result<(), AppError> {
    match &state.status_limiter {
        Some(limiter) if limiter.check_key(&ip.0).is_err() => Err(AppError::TooManyRequests),
        _ => Ok(()),
    }
}

/// Kept out of search engines, caches and other sites' logs: the address is the key.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The plain page for a link that does not (or no longer) work.
fn notice(state: &AppState, lang: Lang, status: StatusCode, closed: bool) -> Result<Response, HttpError> {
    let s = status_texts(lang);
    let words = match closed {
        true => (s.closed_title, s.closed),
        false => (s.wrong_title, s.wrong),
    };
    // Never a dead end: the way to ask again.
    let onwards = (format!("/callback?lang={}", lang.code()), s.ask_callback);
    public_notice(state, lang, status, words, Some(onwards))
}

fn live_part(clock: &LocalTime, state: &AppState, page: &RequestPage) -> Result<LivePart, HttpError> {
    let s = status_texts(clock.lang);
    let tz = state.settings().business.time_zone();
    Ok(LivePart {
        s,
        sentence: page.sees.sentence(page.subject, clock.lang, clock.now, tz),
        calling: page.phone.as_deref().map(|phone| {
            let shown = kept_domain::display_phone(phone, &state.settings().business.default_region);
            s.calling.replace("{phone}", &shown)
        }),
        late: matches!(page.sees, CustomerSees::Late { .. }),
        asked: page.asked.clone(),
        asked_at: clock.moment(page.asked_at),
        messages: page.messages.iter().map(|m| message_line(clock, s, m)).collect(),
        appointments: page
            .appointments
            .iter()
            .map(|a| AppointmentLine {
                when: clock.moment(a.start),
                what: format!(
                    "{} · {}",
                    if clock.lang == Lang::Nl {
                        &a.service_nl
                    } else {
                        &a.service_en
                    },
                    a.location
                ),
                manage_url: a.manage_url.clone(),
            })
            .collect(),
    })
}

fn message_line(clock: &LocalTime, s: &StatusTexts, message: &PageMessage) -> MessageLine {
    let who = match (message.from_us, &message.who) {
        (false, _) => s.you.to_string(),
        (true, Some(name)) => name.clone(),
        (true, None) => s.we.to_string(),
    };
    MessageLine {
        from_us: message.from_us,
        who,
        at: clock.moment(message.at),
        // What was quoted of earlier mails is on the page already.
        body: split_quoted(&message.body).fresh.to_string(),
    }
}

/// The page as the customer sees it now, with their link to copy (made when there is none).
pub async fn preview(
    State(state): State<AppState>,
    session: StaffSession,
    subject: StatusSubject,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let page = match kept_app::preview_page(&state, subject, &id).await? {
        CustomerPage::Open(page) => page,
        CustomerPage::Closed => return notice(&state, lang, StatusCode::OK, true),
    };
    let preview = Preview {
        back_url: format!("/staff/{}/{id}", staff_pages(subject)),
        link: kept_app::status_url(&state, subject, &id).await?,
        revoke_url: format!("/staff/{}/{id}/status-link/revoke", staff_pages(subject)),
        may_revoke: session.staff.role.may(kept_domain::staff::OwnerOnly::RevokeStatusLink),
        csrf: session.csrf.clone(),
    };
    Ok(render(&status_page(&state, lang, &page, None, Some(preview))?)?.into_response())
}

/// The page around its live part: the customer's (refreshing itself from `live_url`) or the
/// staff's preview of it.
fn status_page(
    state: &AppState,
    lang: Lang,
    page: &RequestPage,
    live_url: Option<String>,
    preview: Option<Preview>,
) -> Result<StatusPage, HttpError> {
    let live = live_part(&clock(state, lang), state, page)?;
    Ok(StatusPage {
        texts: texts(lang),
        s: status_texts(lang),
        title: title_of(page, lang),
        business: state.settings().business.name.clone(),
        live_url,
        refresh_seconds: REFRESH_SECONDS,
        live: render(&live)?.0,
        preview,
    })
}

fn title_of(page: &RequestPage, lang: Lang) -> &'static str {
    match page.subject {
        StatusSubject::Conversation => status_texts(lang).title,
        StatusSubject::Callback => status_texts(lang).callback_title,
    }
}

fn staff_pages(subject: StatusSubject) -> &'static str {
    match subject {
        StatusSubject::Conversation => "conversations",
        StatusSubject::Callback => "callbacks",
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    csrf: String,
}

/// An owner takes the customer's link away; back to the request's page with what happened.
pub async fn revoke(
    State(state): State<AppState>,
    session: StaffSession,
    subject: StatusSubject,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<RevokeForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let had_one = kept_app::revoke_status_link(&state, &session.staff, subject, &id).await?;
    let s = status_texts(session.staff.lang);
    let notice = if had_one { s.revoked } else { s.not_revoked };
    let jar = crate::http::flash::say(&state, jar, notice.to_string());
    Ok((jar, Redirect::to(&format!("/staff/{}/{id}", staff_pages(subject)))).into_response())
}
