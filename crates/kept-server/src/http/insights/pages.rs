//! `/staff/insights`: the figures of a period against the one before, with a chart and a table
//! for each and every table as CSV. The owner sees everyone's and may narrow it down; an agent
//! sees their own.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kept_domain::insights::{Dashboard, Filter, Period, PeriodChoice};
use kept_domain::{Lang, PromiseKind};
use serde::Deserialize;

use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::StaffSession;
use crate::http::pages::render;
use crate::i18n::{InboxTexts, InsightTexts, Texts, channel_label, inbox_texts, insight_texts, texts};
use crate::insight_tables::{Names, Table, csv, signal_tables, tables};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

/// The page's choices, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct InsightsQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    staff: Option<String>,
    channel: Option<String>,
    kind: Option<String>,
    location: Option<String>,
}

/// The longest custom period (as the use case allows).
const MAX_DAYS: i64 = 400;

fn chosen(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
}

fn date(value: &Option<String>) -> Option<NaiveDate> {
    chosen(value).and_then(|v| v.parse().ok())
}

/// What the query asks for, read: the period (last week unless chosen; custom dates that do
/// not make a period are reported and last week shown) and the filter.
struct Asked {
    choice: PeriodChoice,
    period: Period,
    filter: Filter,
    bad_dates: bool,
}

impl InsightsQuery {
    fn read(&self, today: NaiveDate) -> Asked {
        let choice = chosen(&self.period)
            .and_then(|p| PeriodChoice::parse(&p))
            // This week: today's work shows at once (last week is all zeros on day one).
            .unwrap_or(PeriodChoice::ThisWeek);
        let custom = match (date(&self.from), date(&self.to)) {
            (Some(from), Some(to)) if from <= to && (to - from).num_days() < MAX_DAYS => Some(Period { from, to }),
            _ => None,
        };
        let bad_dates = choice == PeriodChoice::Custom && custom.is_none();
        let choice = if bad_dates { PeriodChoice::ThisWeek } else { choice };
        Asked {
            choice,
            period: Period::chosen(choice, today, custom),
            filter: Filter {
                staff_id: chosen(&self.staff),
                channel: chosen(&self.channel),
                kind: chosen(&self.kind).and_then(|k| PromiseKind::parse(&k)),
                location_id: chosen(&self.location),
            },
            bad_dates,
        }
    }
}

impl Asked {
    /// The filters chosen, as query fields.
    fn filter_fields(&self) -> Vec<(&'static str, String)> {
        let f = &self.filter;
        [
            ("staff", f.staff_id.as_deref()),
            ("channel", f.channel.as_deref()),
            ("kind", f.kind.map(PromiseKind::as_str)),
            ("location", f.location_id.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key, v.to_string())))
        .collect()
    }

    /// The query string that asks for the same again (for the CSV links).
    fn query_string(&self) -> String {
        let encode = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
        let mut query = format!(
            "period={}&from={}&to={}",
            self.choice.as_str(),
            self.period.from,
            self.period.to
        );
        for (key, value) in self.filter_fields() {
            query.push_str(&format!("&{key}={}", encode(&value)));
        }
        query
    }
}

/// A choice in a select: its value, label and whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(values: Vec<(String, String)>, current: Option<&str>) -> Vec<Choice> {
    values
        .into_iter()
        .map(|(value, label)| Choice {
            selected: current == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "insights.html")]
pub struct InsightsPage {
    pub texts: &'static Texts,
    pub insights: &'static InsightTexts,
    pub me: kept_app::records::Staff,
    pub csrf: String,
    pub sees_everyone: bool,
    pub periods: Vec<Choice>,
    /// The filters as hidden fields of the custom-dates form, so choosing dates keeps them.
    pub kept_filters: Vec<(&'static str, String)>,
    pub from: String,
    pub to: String,
    /// The page's language, kept when a form is sent.
    pub lang: &'static str,
    /// Own dates are shown: the filter form sends them along.
    pub custom: bool,
    pub staff: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub locations: Vec<Choice>,
    /// "1 – 7 december, vergeleken met …"
    pub summary: String,
    pub error: Option<&'static str>,
    pub only_promises: bool,
    pub query: String,
    pub tables: Vec<Table>,
    pub signals: Vec<Table>,
    pub no_signals: bool,
}

/// Everything both the page and its CSV downloads need.
struct Shown {
    asked: Asked,
    board: Dashboard,
    staff_names: HashMap<String, String>,
    locations: Vec<(String, String)>,
    channels: Vec<String>,
}

/// The channels to choose from: e-mail and phone always, those in use, and "other".
async fn channel_codes(state: &AppState) -> Result<Vec<String>, HttpError> {
    let mut channels = vec!["email".to_string(), "phone".to_string()];
    channels.extend(kept_app::inbox_choices(state).await?.channels);
    channels.push("other".into());
    let mut seen = std::collections::HashSet::new();
    channels.retain(|c| seen.insert(c.clone()));
    Ok(channels)
}

/// What the page (or one of its CSV files) shows; the customers named in the first `named`
/// rows of each list.
async fn shown(
    state: &AppState,
    session: &StaffSession,
    query: &InsightsQuery,
    named: Option<usize>,
) -> Result<Shown, HttpError> {
    let hours = state.settings().business.hours.clone();
    let staff_names = app::staff_names(state).await?;
    let locations: Vec<(String, String)> = kept_app::locations(state)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let channels = channel_codes(state).await?;
    let mut asked = query.read(hours.local_date(state.clock.now()));
    // A choice that is not one of the page's (an old link, a typo) is left out, as the page's
    // selects show it, rather than giving figures of nothing.
    let filter = &mut asked.filter;
    filter.staff_id = filter.staff_id.take().filter(|id| staff_names.contains_key(id));
    filter.location_id = filter
        .location_id
        .take()
        .filter(|id| locations.iter().any(|(l, _)| l == id));
    filter.channel = filter.channel.take().filter(|c| channels.contains(c));
    let board = app::dashboard(state, &session.staff, asked.period, asked.filter.clone(), named).await?;
    Ok(Shown {
        asked,
        board,
        staff_names,
        locations,
        channels,
    })
}

/// The team as choices, by name.
fn by_name(names: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = names.iter().map(|(id, name)| (id.clone(), name.clone())).collect();
    list.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    list
}

/// How many rows of a list the page shows; the CSV has them all.
const PAGE_LIST_ROWS: usize = 100;

fn names<'a>(state: &AppState, shown: &'a Shown, lang: Lang, list_limit: Option<usize>) -> Names<'a> {
    Names {
        lang,
        staff: &shown.staff_names,
        tz: state.settings().business.time_zone(),
        appointments: !shown.locations.is_empty(),
        list_limit,
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<InsightsQuery>,
    Query(lang): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let shown = shown(&state, &session, &query, Some(PAGE_LIST_ROWS)).await?;
    Ok(render(&insights_view(&state, session, lang, &query, &shown))?.into_response())
}

/// The figures page: the period and filters as chosen, the summary sentence, the tables and
/// the signals, in the reader's words.
fn insights_view(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    query: &InsightsQuery,
    shown: &Shown,
) -> InsightsPage {
    let x = insight_texts(lang);
    let names = names(state, shown, lang, Some(PAGE_LIST_ROWS));
    let (asked, board) = (&shown.asked, &shown.board);
    let day = |d: NaiveDate| kept_domain::lang::date_with_year(lang, d);
    let summary = x
        .compared
        .replace("{from}", &day(board.period.from))
        .replace("{to}", &day(board.period.to))
        .replace("{previous_from}", &day(board.previous_period.from))
        .replace("{previous_to}", &day(board.previous_period.to));
    let i = inbox_texts(lang);
    let signals = signal_tables(board, &names);
    let sees_everyone = session.staff.role.may(kept_domain::staff::OwnerOnly::SeeOthersFigures);
    InsightsPage {
        texts: texts(lang),
        insights: x,
        sees_everyone,
        periods: period_choices(x, asked.choice),
        kept_filters: asked.filter_fields(),
        // Dates that made no period stay as typed, to be corrected.
        from: match asked.bad_dates {
            true => chosen(&query.from).unwrap_or_default(),
            false => board.period.from.to_string(),
        },
        to: match asked.bad_dates {
            true => chosen(&query.to).unwrap_or_default(),
            false => board.period.to.to_string(),
        },
        lang: lang.code(),
        custom: asked.choice == PeriodChoice::Custom,
        staff: choices(by_name(&shown.staff_names), asked.filter.staff_id.as_deref()),
        channels: choices(
            shown
                .channels
                .iter()
                .map(|c| (c.clone(), channel_label(lang, c)))
                .collect(),
            asked.filter.channel.as_deref(),
        ),
        kinds: choices(kind_choices(i), asked.filter.kind.map(PromiseKind::as_str)),
        locations: choices(shown.locations.clone(), asked.filter.location_id.as_deref()),
        summary,
        error: asked.bad_dates.then_some(x.bad_dates),
        only_promises: asked.filter.channel.is_some()
            || asked.filter.kind.is_some()
            || asked.filter.location_id.is_some(),
        query: format!("{}&lang={}", asked.query_string(), lang.code()),
        tables: tables(board, &names),
        no_signals: board.signals.is_empty(),
        signals,
        me: session.staff,
        csrf: session.csrf,
    }
}

/// The periods to choose from, the one shown chosen. Own dates are chosen with the date
/// fields; the select names them once chosen.
fn period_choices(x: &InsightTexts, shown: PeriodChoice) -> Vec<Choice> {
    let label = |choice: PeriodChoice| match choice {
        PeriodChoice::ThisWeek => x.this_week,
        PeriodChoice::LastWeek => x.last_week,
        PeriodChoice::Month => x.month,
        PeriodChoice::Quarter => x.quarter,
        PeriodChoice::Custom => x.custom,
    };
    choices(
        PeriodChoice::ALL
            .iter()
            .filter(|c| **c != PeriodChoice::Custom || shown == PeriodChoice::Custom)
            .map(|c| (c.as_str().to_string(), label(*c).to_string()))
            .collect(),
        Some(shown.as_str()),
    )
}

/// Every kind of promise, in words, as (code, label).
fn kind_choices(i: &InboxTexts) -> Vec<(String, String)> {
    PromiseKind::CODES
        .iter()
        .filter_map(|code| PromiseKind::parse(code))
        .map(|k| {
            (
                k.as_str().to_string(),
                crate::insight_tables::capitalised(i.promise_kind(k)),
            )
        })
        .collect()
}

/// One of the page's tables as CSV, for the same choices.
pub async fn download(
    State(state): State<AppState>,
    session: StaffSession,
    Path(table_id): Path<String>,
    Query(query): Query<InsightsQuery>,
    Query(lang): Query<LangQuery>,
) -> Result<Response, HttpError> {
    let lang = session.lang(&lang);
    let shown = shown(&state, &session, &query, None).await?;
    let names = names(&state, &shown, lang, None);
    let mut all = tables(&shown.board, &names);
    all.extend(signal_tables(&shown.board, &names));
    let table = all.iter().find(|t| t.id == table_id).ok_or(AppError::NotFound)?;
    let body = csv(table, lang).map_err(|e| AppError::Internal(e.to_string()))?;
    let file = format!(
        "attachment; filename=\"kept-{}-{}-{}.csv\"",
        table.id, shown.board.period.from, shown.board.period.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}
