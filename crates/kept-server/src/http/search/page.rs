//! The search page: messages, notes and calls as staff type the search, with the customers
//! it names first.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kept_domain::{EntryKind, Lang};
use serde::Deserialize;

use crate::http::errors::HttpError;
use crate::http::extract::StaffSession;
use crate::http::pages::{LocalTime, clock, render};
use crate::http::search::views::{SearchPage, SearchRow};
use crate::i18n::{InboxTexts, channel_label, contact_label, inbox_texts, texts};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::search::{self, SearchParams};

#[derive(Debug, Deserialize)]
pub struct SearchForm {
    #[serde(flatten)]
    params: SearchParams,
    lang: Option<String>,
}

pub async fn search_page(
    State(state): State<AppState>,
    session: StaffSession,
    Query(form): Query<SearchForm>,
) -> Result<Response, HttpError> {
    let lang = form.lang.as_deref().and_then(Lang::parse).unwrap_or(session.staff.lang);
    let params = form.params;
    let outcome = match params.q.trim().is_empty() {
        true => Outcome::NotAsked,
        false => match search::search(&state, &params).await {
            Ok(found) => Outcome::Found(found),
            // A search that cannot be done says why on the page, in the reader's language.
            Err(AppError::Invalid(fields)) => {
                Outcome::Refused(fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "))
            }
            Err(other) => return Err(other.into()),
        },
    };
    Ok(render(&search_view(&state, session, lang, params, outcome))?.into_response())
}

/// What came of the search the page was asked for.
enum Outcome {
    NotAsked,
    Found(search::SearchResults),
    Refused(String),
}

/// The page: the results in the reader's words, each linked to its own page, the filters as
/// they were, and the link to the next page.
fn search_view(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    params: SearchParams,
    outcome: Outcome,
) -> SearchPage {
    let i = inbox_texts(lang);
    let clock = clock(state, lang);
    let searched = !matches!(outcome, Outcome::NotAsked);
    let (results, next_cursor, error) = match outcome {
        Outcome::Found(found) => (found.results, found.next_cursor, None),
        Outcome::Refused(error) => (Vec::new(), None, Some(error)),
        Outcome::NotAsked => (Vec::new(), None, None),
    };
    let region = &state.settings().business.default_region;
    SearchPage {
        texts: texts(lang),
        inbox: i,
        results: results.into_iter().map(|r| search_row(&clock, i, region, r)).collect(),
        more_link: next_cursor.map(|cursor| more_results_link(&params, &cursor)),
        q: params.q,
        channel: params.channel.unwrap_or_default(),
        from: params.from.unwrap_or_default(),
        until: params.until.unwrap_or_default(),
        customer: params.customer.unwrap_or_default(),
        channels: channel_choices(state, lang),
        searched,
        error,
        me: session.staff,
        csrf: session.csrf,
    }
}

/// One result: what it is, when, whose, and the page it belongs to.
fn search_row(clock: &LocalTime, i: &InboxTexts, region: &str, r: search::SearchResult) -> SearchRow {
    SearchRow {
        kind: i.kind(r.kind),
        at: r.at.map(|at| clock.moment(at)).unwrap_or_default(),
        who: r.customer_name.clone().unwrap_or_default(),
        channel: channel_label(clock.lang, &r.channel),
        // A customer's contacts, each in words.
        snippet: match r.kind {
            EntryKind::Customer => r
                .snippet
                .split(" · ")
                .map(|c| contact_label(clock.lang, region, c))
                .collect::<Vec<_>>()
                .join(" · "),
            _ => r.snippet,
        },
        link: match (r.kind, r.conversation_id) {
            (EntryKind::CallbackRequest, _) => format!("/staff/callbacks/{}", r.id),
            (_, Some(conversation)) => format!("/staff/conversations/{conversation}"),
            (_, None) => format!("/staff/customers/{}", r.customer_id),
        },
    }
}

/// The channels one can narrow the search to: the business's webhook channels and kept's own.
fn channel_choices(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    let mut channels: Vec<String> = state.settings().channel_webhooks.keys().cloned().collect();
    channels.extend(["email", "phone", "internal"].map(String::from));
    channels.sort();
    channels.dedup();
    channels
        .into_iter()
        .map(|code| {
            let label = channel_label(lang, &code);
            (code, label)
        })
        .collect()
}

/// The same search from where this page ended.
fn more_results_link(params: &SearchParams, cursor: &str) -> String {
    let encode = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    let fields = [
        ("q", Some(params.q.as_str())),
        ("customer", params.customer.as_deref()),
        ("channel", params.channel.as_deref()),
        ("from", params.from.as_deref()),
        ("until", params.until.as_deref()),
        ("cursor", Some(cursor)),
    ];
    let query: Vec<String> = fields
        .iter()
        .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| format!("{name}={}", encode(v))))
        .collect();
    format!("/staff/search?{}", query.join("&"))
}
