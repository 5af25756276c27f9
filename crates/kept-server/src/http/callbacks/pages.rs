//! A callback request's page: who asked, their history, and the form for the call's outcome.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use kept_domain::CallOutcome;
use serde::Deserialize;

use crate::http::callbacks::views::CallbackPage;
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::pages::clock;
use crate::http::pages::render;
use crate::i18n::texts;
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

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
        texts: t,
        status_page: crate::i18n::status_texts(lang),
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
    Ok((crate::http::flash::say(&state, jar, notice), Redirect::to("/staff")).into_response())
}
