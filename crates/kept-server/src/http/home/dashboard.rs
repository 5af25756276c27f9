//! The staff home page: what waits for us — messages, callback requests, other promises —
//! and its rows as the live refresh asks for them.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use kept_app::records::PromiseFilter;
use kept_domain::{CallbackStatus, Lang, PromiseKind, PromiseStatus};

use crate::http::callbacks::views::RowsFragment;
use crate::http::conversations::pages::{InboxView, ViewQuery};
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::home::views::{DashboardPage, PromiseRowsFragment};
use crate::http::pages::clock;
use crate::http::pages::render;
use crate::i18n::{InboxTexts, inbox_texts, texts};
use crate::state::AppState;

const DASHBOARD_LIMIT: i64 = 500;

pub async fn dashboard(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    Query(view): Query<ViewQuery>,
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
        texts: t,
        inbox: i,
        first_day,
        view: view.view.code(),
        everything_open: view.view == InboxView::Open,
        views: view_choices(&view, i),
        query: view.query_string(view.view),
        channels: channel_choices(lang, choices.channels, &view.channel),
        tags: choices.tags,
        tag: view.tag.clone(),
        team: crate::http::pages::assignees(team),
        list: crate::http::conversations::pages::inbox_rows(&state, lang, &view, &session.staff.id).await?,
        unreadable: crate::http::conversations::pages::unreadable_rows(&state, lang).await?,
        not_sent: crate::http::conversations::pages::not_sent_rows(&state, lang).await?,
        promises: other_promises(&state, lang).await?,
        me: session.staff,
        csrf: session.csrf,
        rows,
    })
}

/// The inbox's views to switch to: (query string, label, shown now).
fn view_choices(view: &ViewQuery, i: &InboxTexts) -> Vec<(String, &'static str, bool)> {
    InboxView::ALL
        .iter()
        .map(|v| (view.query_string(*v), v.label(i), *v == view.view))
        .collect()
}

/// The channels to filter by: (code, label, chosen).
fn channel_choices(lang: Lang, channels: Vec<String>, chosen: &str) -> Vec<(String, String, bool)> {
    channels
        .into_iter()
        .map(|code| {
            let (label, is_chosen) = (crate::i18n::channel_label(lang, &code), code == chosen);
            (code, label, is_chosen)
        })
        .collect()
}

pub async fn dashboard_rows(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
) -> Result<impl IntoResponse, HttpError> {
    let lang = session.lang(&query);
    render(&RowsFragment {
        texts: texts(lang),
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
        texts: texts(lang),
        inbox: inbox_texts(lang),
        promises: other_promises(&state, lang).await?,
    })
}

/// Open promises of the kinds that have no list of their own on the home page (callbacks and
/// replies have theirs), soonest due first. A new kind of promise shows up here by itself.
async fn other_promises(state: &AppState, lang: Lang) -> Result<Vec<crate::http::home::views::PromiseRow>, HttpError> {
    let filter = PromiseFilter {
        kinds: PromiseKind::ALL
            .into_iter()
            .filter(|k| !PromiseKind::WITH_OWN_LIST.contains(k))
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

async fn open_rows(state: &AppState, lang: Lang) -> Result<Vec<crate::http::callbacks::views::CallbackRow>, HttpError> {
    let open = kept_app::callbacks(state, Some(CallbackStatus::Open), DASHBOARD_LIMIT).await?;
    let clock = clock(state, lang);
    Ok(open.iter().map(|view| clock.callback_row(view, texts(lang))).collect())
}
