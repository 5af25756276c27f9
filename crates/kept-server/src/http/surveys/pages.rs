//! The customer's survey page, behind the signed links in the survey e-mail. A GET only shows
//! the question (with the score from the link chosen); the answer is recorded by a POST — sent
//! at once by the page's script, or by its button without script.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kept_app::records::{FanView, SurveyView};
use kept_domain::Lang;
use serde::Deserialize;

use crate::http::appointments::booking::public_notice;
use crate::http::errors::HttpError;
use crate::http::extract::request_lang;
use crate::http::pages::{LocalTime, render};
use crate::i18n::{InboxTexts, SurveyTexts, Texts, survey_texts, texts};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, AnswerForm};

#[derive(Template)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    pub texts: &'static Texts,
    pub surveys: &'static SurveyTexts,
    pub business: String,
    pub title: &'static str,
    pub question: Vec<String>,
    pub path: String,
    pub scale: &'static str,
    /// Each score and whether it is chosen.
    pub scores: Vec<(i64, bool)>,
    /// Each exit reason in the page's language and whether it is chosen.
    pub reasons: Vec<(String, bool)>,
    pub comment: String,
    /// The page sends the chosen score by itself (opened from a score link).
    pub send_now: bool,
    pub notice: Option<String>,
    pub error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SurveyQuery {
    score: Option<String>,
    lang: Option<String>,
}

/// The survey a link is for and the page's language, or the page that refuses the link.
async fn opened(
    state: &AppState,
    id: &str,
    signature: &str,
    query: &SurveyQuery,
    headers: &HeaderMap,
) -> Result<Result<(SurveyView, Lang), Response>, HttpError> {
    match app::answerable(state, id, signature).await {
        Ok(survey) => {
            let lang = query.lang.as_deref().and_then(Lang::parse).unwrap_or(survey.lang);
            Ok(Ok((survey, lang)))
        }
        Err(error) => link_refused(state, error, request_lang(query.lang.as_deref(), headers)).map(Err),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    Query(query): Query<SurveyQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (survey, lang) = match opened(&state, &id, &signature, &query, &headers).await? {
        Ok(opened) => opened,
        Err(refused) => return Ok(refused),
    };
    let chosen = query.score.as_deref().and_then(|s| s.parse::<i64>().ok());
    let in_scale = chosen.filter(|n| survey.kind.scores().is_some_and(|r| r.contains(n)));
    let mut page = survey_page(&state, &survey, lang, &signature);
    if let Some(score) = in_scale {
        page.scores.iter_mut().for_each(|(n, c)| *c = *n == score);
        page.send_now = survey.score != Some(score);
    }
    Ok(render(&page)?.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    Query(query): Query<SurveyQuery>,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Result<Response, HttpError> {
    // The use case checks the link; the survey is read again only to show a refusal.
    match app::answer(&state, &id, &signature, &form).await {
        Ok(answered) => {
            let lang = query.lang.as_deref().and_then(Lang::parse).unwrap_or(answered.lang);
            Ok(render(&thanks_page(&state, &answered, lang, &signature).await?)?.into_response())
        }
        Err(AppError::Invalid(problems)) => {
            let (survey, lang) = match opened(&state, &id, &signature, &query, &headers).await? {
                Ok(opened) => opened,
                Err(refused) => return Ok(refused),
            };
            let mut page = survey_page(&state, &survey, lang, &signature);
            page.comment = form.comment.unwrap_or_default();
            let s = survey_texts(lang);
            page.error = Some(match problems.first().map(|p| p.field) {
                Some("reason") => s.choose_reason,
                _ => s.choose_score,
            });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(error @ (AppError::NotFound | AppError::Gone(_))) => {
            link_refused(&state, error, request_lang(query.lang.as_deref(), &headers))
        }
        Err(other) => Err(other.into()),
    }
}

/// Thanks for the answer, with the call a low score made us promise (who and by when).
async fn thanks_page(
    state: &AppState,
    answered: &SurveyView,
    lang: Lang,
    signature: &str,
) -> Result<SurveyPage, HttpError> {
    let s = survey_texts(lang);
    let mut page = survey_page(state, answered, lang, signature);
    page.title = s.thanks_title;
    page.notice = Some(match app::promised_call(state, answered).await? {
        Some((who, due)) => call_promised(state, lang, who, due),
        None => s.thanks.to_string(),
    });
    page.question = vec![s.add_more.to_string()];
    Ok(page)
}

/// "Sanne belt u uiterlijk morgen om 16:30 …", on the business's clock.
fn call_promised(state: &AppState, lang: Lang, who: Option<String>, due: chrono::DateTime<chrono::Utc>) -> String {
    let s = survey_texts(lang);
    let tz = state.settings().business.time_zone();
    let (due, now) = (due.with_timezone(&tz), state.clock.now().with_timezone(&tz));
    s.call_promised
        .replace("{who}", who.as_deref().unwrap_or(s.someone))
        .replace("{day}", &lang.day_phrase(due, now))
        .replace("{time}", &due.format("%H:%M").to_string())
}

fn survey_page(state: &AppState, survey: &SurveyView, lang: Lang, signature: &str) -> SurveyPage {
    let s = survey_texts(lang);
    let settings = state.settings();
    let business = settings.business.name.clone();
    let shown = SurveyView { lang, ..survey.clone() };
    let reasons = match survey.kind {
        kept_domain::SurveyKind::Exit => settings
            .business_settings
            .surveys
            .exit_reasons
            .iter()
            .map(|r| {
                (
                    r.label(lang).to_string(),
                    survey.reason.as_deref() == Some(r.nl.as_str()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    SurveyPage {
        texts: texts(lang),
        surveys: s,
        title: s.title(survey.kind),
        question: crate::i18n::survey_question(&shown, settings.business.time_zone(), &business)
            .into_iter()
            .take(1)
            .collect(),
        business,
        path: format!("/survey/{}/{signature}", survey.id),
        scale: match survey.kind {
            kept_domain::SurveyKind::Nps => s.scale_nps,
            _ => s.scale_csat,
        },
        scores: survey
            .kind
            .scores()
            .map(|range| range.map(|n| (n, survey.score == Some(n))).collect())
            .unwrap_or_default(),
        reasons,
        comment: survey.comment.clone().unwrap_or_default(),
        send_now: false,
        notice: None,
        error: None,
    }
}

/// A tampered link (404) or one past its 30 days (410), as a page in the reader's language.
fn link_refused(state: &AppState, error: AppError, lang: Lang) -> Result<Response, HttpError> {
    let s = survey_texts(lang);
    let (status, title, text) = match error {
        AppError::NotFound => (StatusCode::NOT_FOUND, s.link_wrong_title, s.link_wrong),
        AppError::Gone(_) => (StatusCode::GONE, s.expired_title, s.expired),
        other => return Err(other.into()),
    };
    public_notice(state, lang, status, (title, text), None)
}

/// One answer on the staff page.
pub struct AnswerRow {
    pub at: String,
    pub customer_id: String,
    pub customer: String,
    pub kind: &'static str,
    pub score: String,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub handled_by: String,
    /// The recovery call's state in words, if one was promised.
    pub recovery: String,
    pub low: bool,
}

#[derive(Template)]
#[template(path = "surveys.html")]
pub struct SurveysPage {
    pub texts: &'static Texts,
    pub surveys: &'static SurveyTexts,
    pub inbox: &'static crate::i18n::InboxTexts,
    pub me: kept_app::records::Staff,
    pub csrf: String,
    pub may_change_settings: bool,
    pub low: bool,
    pub rows: Vec<AnswerRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswersQuery {
    low: Option<String>,
}

/// What customers answered, newest first; `?low=1` only the answers that asked for a call.
pub async fn answers(
    State(state): State<AppState>,
    session: crate::http::extract::StaffSession,
    Query(query): Query<AnswersQuery>,
    Query(lang): Query<crate::http::extract::LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let low = query.low.is_some();
    let filter = kept_app::records::SurveyFilter {
        status: Some(kept_domain::SurveyStatus::Answered),
        limit: 200,
        ..Default::default()
    };
    let clock = crate::http::pages::clock(&state, lang);
    let i = crate::i18n::inbox_texts(lang);
    let rows = kept_app::surveys(&state, &filter)
        .await?
        .iter()
        .map(|survey| answer_row(survey, &clock, i))
        .filter(|row| !low || row.low)
        .collect();
    let page = SurveysPage {
        texts: texts(lang),
        surveys: survey_texts(lang),
        inbox: i,
        may_change_settings: session.staff.role.may(kept_domain::staff::OwnerOnly::ChangeSettings),
        me: session.staff,
        csrf: session.csrf,
        low,
        rows,
    };
    Ok(render(&page)?.into_response())
}

/// One answer on the staff's list, in the reader's language.
fn answer_row(survey: &SurveyView, clock: &LocalTime, i: &InboxTexts) -> AnswerRow {
    AnswerRow {
        at: survey.answered_at.map(|at| clock.moment(at)).unwrap_or_default(),
        customer_id: survey.customer_id.clone(),
        customer: survey.customer_name.clone().unwrap_or_else(|| survey.email.clone()),
        kind: i.survey_kind(survey.kind),
        score: survey.score.map(|s| s.to_string()).unwrap_or_default(),
        reason: survey.reason.clone(),
        comment: survey.comment.clone(),
        handled_by: survey.handler_name.clone().unwrap_or_default(),
        recovery: survey
            .recovery_status
            .map(|status| crate::http::pages::promise_label(Some(status), i).to_string())
            .unwrap_or_default(),
        low: survey.kind.needs_recovery(survey.score),
    }
}

pub struct FanRow {
    pub customer_id: String,
    pub customer: String,
    pub kind: &'static str,
    pub score: i64,
    pub comment: String,
    pub since: String,
    pub last_contact: String,
    /// When and how they were thanked, if they were.
    pub thanked: Option<String>,
}

#[derive(Template)]
#[template(path = "fans.html")]
pub struct FansPage {
    pub texts: &'static Texts,
    pub surveys: &'static SurveyTexts,
    pub inbox: &'static crate::i18n::InboxTexts,
    pub me: kept_app::records::Staff,
    pub csrf: String,
    pub rows: Vec<FanRow>,
}

pub async fn fans(
    State(state): State<AppState>,
    session: crate::http::extract::StaffSession,
    Query(lang): Query<crate::http::extract::LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let clock = crate::http::pages::clock(&state, lang);
    let i = crate::i18n::inbox_texts(lang);
    let rows = app::fans(&state)
        .await?
        .iter()
        .map(|fan| fan_row(fan, &clock, i))
        .collect();
    let page = FansPage {
        texts: texts(lang),
        surveys: survey_texts(lang),
        inbox: i,
        me: session.staff,
        csrf: session.csrf,
        rows,
    };
    Ok(render(&page)?.into_response())
}

/// One fan on the staff's list: since when a customer, their last contact, whether thanked.
fn fan_row(fan: &FanView, clock: &LocalTime, i: &InboxTexts) -> FanRow {
    let hours = &clock.settings.business.hours;
    FanRow {
        customer_id: fan.customer_id.clone(),
        customer: fan.customer_name.clone().unwrap_or_else(|| "-".into()),
        kind: i.survey_kind(fan.kind),
        score: fan.score,
        comment: fan.comment.clone().unwrap_or_default(),
        since: kept_domain::lang::date_with_year(clock.lang, hours.local_date(fan.customer_since)),
        last_contact: fan.last_contact.map(|at| clock.moment(at)).unwrap_or_default(),
        thanked: fan.thanked_at.map(|at| {
            let how = fan
                .thanked_note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            format!("{}{how}", clock.moment(at))
        }),
    }
}

#[derive(Debug, Deserialize)]
pub struct ThanksForm {
    csrf: String,
    note: Option<String>,
}

pub async fn thank(
    State(state): State<AppState>,
    session: crate::http::extract::StaffSession,
    Path(customer_id): Path<String>,
    Form(form): Form<ThanksForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::thank_fan(&state, &session.staff, &customer_id, form.note.as_deref()).await?;
    Ok(axum::response::Redirect::to("/staff/fans").into_response())
}
