//! Staff pages: login, the open callbacks, a callback with its outcome form, and the team.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use kept_app::records::{PromiseFilter, Staff};
use kept_domain::{CallOutcome, CallbackStatus, Lang, PromiseKind, PromiseStatus};
use serde::Deserialize;

use super::errors::HttpError;
use super::extract::LangQuery;
use super::extract::{
    ClientIp, CsrfForm, LOGIN_CSRF_COOKIE, SESSION_COOKIE, StaffSession, check_login_csrf, fresh_login_csrf,
    private_cookie, request_lang,
};
use super::pages::clock;
use super::pages::{CallbackPage, DashboardPage, LoginPage, PromiseRowsFragment, RowsFragment, render};
use crate::i18n::{inbox_texts, texts};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

const DASHBOARD_LIMIT: i64 = 500;

pub async fn home() -> Redirect {
    Redirect::to("/staff")
}

pub async fn login_form(
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<impl IntoResponse, HttpError> {
    let (jar, csrf) = fresh_login_csrf(&state, jar);
    let page = LoginPage {
        t: texts(request_lang(query.lang(), &headers)),
        csrf,
        email: String::new(),
        failed: false,
    };
    Ok((jar, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, HttpError> {
    check_login_csrf(&jar, &form.csrf)?;
    ip.check_login_rate(&state, &form.email)?;
    let Some(token) = app::log_in(&state, &form.email, &form.password).await? else {
        let page = LoginPage {
            t: texts(request_lang(query.lang(), &headers)),
            csrf: form.csrf,
            email: form.email,
            failed: true,
        };
        return Ok((
            StatusCode::UNAUTHORIZED,
            axum::Extension(super::errors::OwnPage),
            render(&page)?,
        )
            .into_response());
    };
    let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"));
    let jar = jar.add(private_cookie(&state, SESSION_COOKIE, token, SameSite::Lax));
    Ok((jar, Redirect::to("/staff")).into_response())
}

/// Logs `staff` in: a new session, its cookie in `jar`.
pub(super) async fn start_session(state: &AppState, staff: &Staff, jar: CookieJar) -> Result<CookieJar, HttpError> {
    let token = app::start_session(state, staff).await?;
    Ok(jar.add(private_cookie(state, SESSION_COOKIE, token, SameSite::Lax)))
}

pub async fn logout(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::log_out(&state, &session.token_hash).await?;
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

pub async fn dashboard(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    Query(view): Query<super::inbox::ViewQuery>,
) -> Result<impl IntoResponse, HttpError> {
    let lang = session.lang(&query);
    let t = texts(lang);
    let i = inbox_texts(lang);
    let rows = open_rows(&state, lang).await?;
    let choices = kept_app::inbox_choices(&state).await?;
    let team = kept_app::team(&state).await?;
    let first_day = kept_app::first_day(&state, &session.staff, &team)
        .await?
        .map(|steps| (steps, crate::i18n::first_day::first_day_texts(lang)));
    render(&DashboardPage {
        t,
        i,
        first_day,
        view: view.view.code(),
        views: super::inbox::InboxView::ALL
            .iter()
            .map(|v| (view.query_string(*v), v.label(i), *v == view.view))
            .collect(),
        query: view.query_string(view.view),
        channels: choices
            .channels
            .into_iter()
            .map(|code| {
                let (label, chosen) = (crate::i18n::channel_label(lang, &code), code == view.channel);
                (code, label, chosen)
            })
            .collect(),
        tags: choices.tags,
        tag: view.tag.clone(),
        team: super::pages::assignees(team),
        conversations: super::inbox::inbox_rows(&state, lang, &view, &session.staff.id).await?,
        unreadable: super::inbox::unreadable_rows(&state, lang).await?,
        not_sent: super::inbox::not_sent_rows(&state, lang).await?,
        promises: other_promises(&state, lang).await?,
        me: session.staff,
        csrf: session.csrf,
        rows,
    })
}

pub async fn dashboard_rows(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
) -> Result<impl IntoResponse, HttpError> {
    let lang = session.lang(&query);
    render(&RowsFragment {
        t: texts(lang),
        rows: open_rows(&state, lang).await?,
    })
}

pub async fn promise_rows(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
) -> Result<impl IntoResponse, HttpError> {
    let lang = session.lang(&query);
    render(&PromiseRowsFragment {
        t: texts(lang),
        i: inbox_texts(lang),
        promises: other_promises(&state, lang).await?,
    })
}

/// Open promises of the kinds that have no list of their own on the home page (callbacks and
/// replies have theirs), soonest due first. A new kind of promise shows up here by itself.
async fn other_promises(state: &AppState, lang: Lang) -> Result<Vec<super::pages::PromiseRow>, HttpError> {
    let listed_apart = [PromiseKind::Callback, PromiseKind::CallbackRetry, PromiseKind::Reply];
    let filter = PromiseFilter {
        kinds: PromiseKind::ALL
            .into_iter()
            .filter(|k| !listed_apart.contains(k))
            .collect(),
        status: Some(PromiseStatus::Open),
        limit: DASHBOARD_LIMIT,
        ..PromiseFilter::default()
    };
    let clock = clock(state, lang);
    let open = kept_app::promises(state, &filter).await?;
    Ok(open
        .iter()
        .map(|p| clock.open_promise_row(p, inbox_texts(lang)))
        .collect())
}

async fn open_rows(state: &AppState, lang: Lang) -> Result<Vec<super::pages::CallbackRow>, HttpError> {
    let open = kept_app::callbacks(state, Some(CallbackStatus::Open), DASHBOARD_LIMIT).await?;
    let clock = clock(state, lang);
    Ok(open.iter().map(|view| clock.callback_row(view, texts(lang))).collect())
}

pub async fn callback_page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<impl IntoResponse, HttpError> {
    let lang = session.lang(&query);
    let t = texts(lang);
    let view = kept_app::callback(&state, &id).await?.ok_or(AppError::NotFound)?;
    let history = kept_app::customer_history(&state, &view.customer_id).await?;
    let promise_history = kept_app::promise_history(&state, &view.promise_id).await?;
    let clock = clock(&state, lang);
    render(&CallbackPage {
        t,
        row: clock.callback_row(&view, t),
        history: history.iter().map(|h| clock.history_row(h, t)).collect(),
        promise_history: promise_history.iter().map(|h| clock.promise_row(h, t)).collect(),
        me: session.staff,
        csrf: session.csrf,
    })
}

/// How a call went, as a page posts it (a callback's or a contract's outreach).
#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    pub csrf: String,
    pub outcome: String,
    pub note: Option<String>,
}

pub async fn submit_outcome(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let outcome = CallOutcome::parse(&form.outcome).ok_or_else(|| AppError::BadRequest("unknown outcome".into()))?;
    let view = app::record_outcome(&state, &session.staff, &id, outcome, form.note).await?;
    // Said on the next page: what was logged, and for no answer when the next try is due.
    let t = texts(session.staff.lang);
    let who = view.name.clone().unwrap_or_else(|| view.phone.clone());
    let notice = match outcome {
        CallOutcome::Reached => t.done_reached,
        CallOutcome::NoAnswer => t.done_no_answer,
        CallOutcome::WrongNumber => t.done_wrong_number,
    }
    .replace("{who}", &who)
    .replace("{when}", &clock(&state, session.staff.lang).moment(view.due_at));
    Ok((super::flash::say(&state, jar, notice), Redirect::to("/staff")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    csrf: String,
    lang: String,
}

/// "English" / "Nederlands" in the header: the staff member's language from now on; back to
/// the page it was chosen on.
pub async fn set_language(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let lang = Lang::from_code(&form.lang).ok_or_else(|| AppError::BadRequest("unknown language".into()))?;
    app::set_own_language(&state, &session.staff, lang).await?;
    // Back to the staff page it came from, without its ?lang= (only a path on this site).
    let back = super::extract::staff_page_before(&headers, false).unwrap_or_else(|| "/staff".to_string());
    Ok(Redirect::to(&back).into_response())
}
