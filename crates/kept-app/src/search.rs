//! Searching messages, notes and calls: the request as staff type it (words, a customer, a
//! channel, a date range in the business's time zone), checked and turned into a store query.

use chrono::{DateTime, NaiveDate, Utc};
use kept_domain::EntryKind;
use kept_domain::search::SearchQuery;
use kept_store::{SearchFilter, SearchHit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::error::AppError;
use crate::schemas::list_limit;

const DEFAULT_LIMIT: i64 = 25;
const MAX_LIMIT: i64 = 100;
const SNIPPET_CHARS: usize = 160;
const CUSTOMER_LIMIT: i64 = 10;

/// `q` is required; the rest narrows it down. Dates are days (YYYY-MM-DD) in the business's time zone.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (every one must occur; at most 500 bytes).
    #[serde(default)]
    #[param(required = true, pattern = r"\S")]
    pub q: String,
    /// Only this customer's (an id).
    pub customer: Option<String>,
    /// Only this channel's: email, phone, twitter … (empty is every channel).
    #[param(pattern = r"^[a-z0-9_-]{0,32}$")]
    pub channel: Option<String>,
    /// From this day on (YYYY-MM-DD; absent or empty is no limit). From and until may come in
    /// either order.
    #[param(pattern = r"^((19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$")]
    pub from: Option<String>,
    /// Up to and including this day (YYYY-MM-DD; absent or empty is no limit).
    #[param(pattern = r"^((19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$")]
    pub until: Option<String>,
    /// How many, 1 to 100; 25 when absent.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The next page: the `X-Next-Cursor` of the page before, with the same other parameters.
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

/// A page of results, newest first.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub results: Vec<SearchResult>,
    /// Where the next page starts; none on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    /// customer, message_in, message_out, note, phone_call or callback_request (a request found
    /// by its name or note, or by the note on one of its calls: the id is the request's).
    #[schema(value_type = String, example = "message_in")]
    pub kind: EntryKind,
    pub id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub conversation_id: Option<String>,
    pub channel: String,
    /// When it was said or written; none for a customer.
    pub at: Option<DateTime<Utc>>,
    /// The text around the first matching word.
    pub snippet: String,
}

fn blank_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn day_start(app: &App, field: &'static str, day: &str) -> Result<DateTime<Utc>, AppError> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "invalid_date", "use a date like 2026-11-24"))?;
    let tz = app.settings().business.time_zone();
    date.and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(tz).earliest())
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| {
            AppError::invalid(
                field,
                "invalid_date",
                "this day has no midnight in the business's time zone",
            )
        })
}

pub async fn search(app: &App, params: &SearchParams) -> Result<SearchResults, AppError> {
    if params.q.trim().is_empty() {
        return Err(AppError::invalid(
            "q",
            "no_words",
            "type at least one word to search for",
        ));
    }
    if blank_to_none(&params.channel).is_some_and(|c| !kept_domain::conversation::valid_channel(c)) {
        return Err(AppError::invalid(
            "channel",
            "invalid_channel",
            "a channel's code: a-z, 0-9, - and _, at most 32",
        ));
    }
    if params.q.chars().count() > 500 {
        return Err(AppError::invalid("q", "too_long", "search for at most 500 characters"));
    }
    // Only punctuation ("?!"): nothing can match it.
    let Some(query) = SearchQuery::parse(
        &params.q,
        blank_to_none(&params.customer),
        blank_to_none(&params.channel),
    ) else {
        return Ok(SearchResults {
            results: Vec::new(),
            next_cursor: None,
        });
    };
    let mut from = blank_to_none(&params.from)
        .map(|d| day_start(app, "from", d))
        .transpose()?;
    let mut until = blank_to_none(&params.until)
        .map(|d| day_start(app, "until", d))
        .transpose()?;
    // The two days in either order: the period between them, both included.
    if let (Some(a), Some(b)) = (from, until)
        && b < a
    {
        (from, until) = (Some(b), Some(a));
    }
    let until = until.map(|start| start + chrono::Duration::days(1));
    let limit = list_limit(params.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let before = blank_to_none(&params.cursor)
        .map(|cursor| {
            cursor
                .parse::<i64>()
                .map_err(|_| AppError::invalid("cursor", "invalid_cursor", "use the cursor of the page before"))
        })
        .transpose()?;
    // Customers are listed once, on the first page.
    let mut results = match before {
        None => matching_customers(app, params).await?,
        Some(_) => Vec::new(),
    };
    let page = app
        .store
        .search(&SearchFilter {
            query: query.clone(),
            from,
            until,
            limit,
            before,
        })
        .await?;
    results.extend(page.hits.into_iter().map(|hit| result(&query, hit)));
    Ok(SearchResults {
        results,
        next_cursor: page.next.map(|position| position.to_string()),
    })
}

/// Customers by name, e-mail address, handle or phone number (in any way of writing it),
/// listed first. Only for a plain search: a filter on customer, channel or dates is about
/// what was said.
async fn matching_customers(app: &App, params: &SearchParams) -> Result<Vec<SearchResult>, AppError> {
    let filtered = [&params.customer, &params.channel, &params.from, &params.until]
        .iter()
        .any(|f| blank_to_none(f).is_some());
    let text = params.q.trim().trim_matches('"');
    if filtered || text.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let settings = app.settings();
    let phone = kept_domain::normalise_phone(text, &settings.business.default_region).ok();
    let found = app.store.find_customers(text, phone.as_deref(), CUSTOMER_LIMIT).await?;
    Ok(found
        .into_iter()
        .map(|customer| SearchResult {
            kind: EntryKind::Customer,
            snippet: customer
                .phone
                .iter()
                .chain(&customer.handles)
                .cloned()
                .collect::<Vec<_>>()
                .join(" · "),
            id: customer.id.clone(),
            customer_id: customer.id,
            customer_name: customer.name,
            conversation_id: None,
            channel: String::new(),
            at: None,
        })
        .collect())
}

fn result(query: &SearchQuery, hit: SearchHit) -> SearchResult {
    SearchResult {
        snippet: query.snippet(&hit.text, SNIPPET_CHARS),
        kind: hit.kind,
        id: hit.id,
        customer_id: hit.customer_id,
        customer_name: hit.customer_name,
        conversation_id: hit.conversation_id,
        channel: hit.channel,
        at: Some(hit.at),
    }
}
