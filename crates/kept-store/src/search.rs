//! The search index: one row per message, note, logged phone call, callback request (its name
//! and note) and call attempt with a note, written in the same
//! transaction as the record itself. Matching is the database's own full-text search (FTS5 on
//! SQLite, a GIN-indexed tsvector on PostgreSQL) over terms prepared in kept-domain.

use const_format::concatcp;
use kept_domain::EntryKind;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kept_domain::search::{SearchQuery, TextTerms, customer_token};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::Result;
use crate::dialect::{Dialect, parse_enum, placeholders};
use crate::model::*;
use crate::statements::{Cell, Statements, insert_rows};
use crate::time::{from_ms, to_ms};

/// What a search index row points at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Indexed {
    Message,
    Note,
    PhoneCall,
    /// A callback request's name and note.
    CallbackRequest,
    /// The note taken on a callback attempt ("Afspraak gemaakt: donderdag 10:00").
    Call,
}

impl Indexed {
    const ALL: [Indexed; 5] = [
        Indexed::Message,
        Indexed::Note,
        Indexed::PhoneCall,
        Indexed::CallbackRequest,
        Indexed::Call,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Indexed::Message => "message",
            Indexed::Note => "note",
            Indexed::PhoneCall => "phone_call",
            Indexed::CallbackRequest => "callback_request",
            Indexed::Call => "call",
        }
    }
}

pub(crate) struct IndexEntry<'a> {
    pub kind: Indexed,
    pub id: &'a str,
    pub customer_id: &'a str,
    pub channel: &'a str,
    pub words: Words<'a>,
    pub at: DateTime<Utc>,
}

/// What an entry says: its text, or the text's terms worked out beforehand.
pub(crate) enum Words<'a> {
    Text(&'a str),
    Prepared(&'a TextTerms),
}

impl IndexEntry<'_> {
    fn terms(&self) -> String {
        match self.words {
            Words::Text(text) => TextTerms::of(text).with_filters(self.customer_id, self.channel, self.at),
            Words::Prepared(terms) => terms.with_filters(self.customer_id, self.channel, self.at),
        }
    }
}

pub(crate) async fn index(conn: &mut AnyConnection, entry: IndexEntry<'_>) -> Result<()> {
    index_all(conn, &[entry]).await
}

/// Indexes several records with one statement (a batch of callback requests).
pub(crate) async fn index_all(conn: &mut dyn Statements, entries: &[IndexEntry<'_>]) -> Result<()> {
    let into = "search_index (terms, kind, ref_id, customer_id, at_ms)";
    insert_rows(conn, into, "", entries, |entry| {
        [
            Cell::Owned(entry.terms()),
            Cell::Text(entry.kind.as_str()),
            Cell::Text(entry.id),
            Cell::Text(entry.customer_id),
            Cell::Int(to_ms(entry.at)),
        ]
    })
    .await?;
    Ok(())
}

/// After a merge the moved records must be found under their new customer.
pub(crate) async fn move_customer(conn: &mut AnyConnection, dialect: Dialect, into: &str, from: &str) -> Result<()> {
    let (old, new) = (customer_token(from), customer_token(into));
    let filter = match dialect {
        Dialect::Sqlite => "search_index MATCH $4",
        Dialect::Postgres => "customer_id = $4",
    };
    let sql = format!("UPDATE search_index SET terms = REPLACE(terms, $1, $2), customer_id = $3 WHERE {filter}");
    let matched = match dialect {
        Dialect::Sqlite => format!("\"{old}\""),
        Dialect::Postgres => from.to_string(),
    };
    sqlx::query(&sql)
        .bind(&old)
        .bind(&new)
        .bind(into)
        .bind(matched)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Matching rows, newest first, with the text and context each one points at: a page of
/// `limit` index rows before the cursor, and the cursor of the next page when there may be one.
pub(crate) async fn search(pool: &AnyPool, dialect: Dialect, filter: &SearchFilter) -> Result<SearchPage> {
    // The month tokens find a date range through the index; the exact times are filtered too.
    let query = filter.query.clone().within(filter.from, filter.until);
    let before = filter.before.unwrap_or(i64::MAX);
    let found = match (dialect, walkable_range(filter)) {
        (Dialect::Postgres, Some(range)) => newest_in_range(pool, &query, filter, range, before).await?,
        _ => matching(pool, dialect, &query, filter, before, filter.limit).await?,
    };
    let next = found
        .last()
        .map(|(position, _, _)| *position)
        .filter(|_| found.len() as i64 == filter.limit);
    let mut details = HashMap::new();
    for kind in Indexed::ALL {
        let ids: Vec<&str> = found
            .iter()
            .filter(|(_, k, _)| k == kind.as_str())
            .map(|(_, _, id)| id.as_str())
            .collect();
        if !ids.is_empty() {
            details.extend(details_of(pool, kind, &ids).await?);
        }
    }
    // In index order; a record erased since it was indexed is left out.
    let hits = found.into_iter().filter_map(|(_, _, id)| details.remove(&id)).collect();
    Ok(SearchPage { hits, next })
}

/// An index row found: its position (the cursor), what it points at and that record's id.
type Found = (i64, String, String);

/// The newest `limit` matching rows before `before`, in one statement.
async fn matching(
    pool: &AnyPool,
    dialect: Dialect,
    query: &SearchQuery,
    filter: &SearchFilter,
    before: i64,
    limit: i64,
) -> Result<Vec<Found>> {
    let (matches, query) = match dialect {
        Dialect::Sqlite => ("search_index MATCH $1", query.to_fts5()),
        Dialect::Postgres => ("tsv @@ to_tsquery('simple', $1)", query.to_tsquery()),
    };
    // PostgreSQL guesses a customer token's matches badly (it is rare, but not in its
    // statistics) and would walk the whole index newest-first looking for them; the column
    // has an index and statistics. SQLite's full-text index finds the token itself.
    let customer = match (dialect, &filter.query.customer_id) {
        (Dialect::Postgres, Some(_)) => " AND customer_id = $6",
        _ => "",
    };
    // The newest first is the index's own order (rowid grows with insertion), so LIMIT stops
    // early, and the next page starts below the last row of this one.
    let sql = format!(
        "SELECT rowid AS position, kind, ref_id FROM search_index \
         WHERE {matches} AND at_ms >= $2 AND at_ms < $3 AND rowid < $4{customer} ORDER BY rowid DESC LIMIT $5"
    );
    let mut statement = sqlx::query(&sql)
        // PostgreSQL may switch a prepared statement to one plan for all values after a few
        // runs, blind to the words; but whether to walk the index newest-first or to collect
        // the matches and sort them depends on how common the words are. Unprepared, each
        // search is planned for its own words (about 2 ms of planning).
        .persistent(dialect == Dialect::Sqlite)
        .bind(query)
        .bind(filter.from.map_or(i64::MIN, to_ms))
        .bind(filter.until.map_or(i64::MAX, to_ms))
        .bind(before)
        .bind(limit);
    if !customer.is_empty() {
        statement = statement.bind(filter.query.customer_id.clone());
    }
    found_rows(statement.fetch_all(pool).await?)
}

fn found_rows(rows: Vec<AnyRow>) -> Result<Vec<Found>> {
    rows.iter()
        .map(|row| Ok((row.try_get("position")?, row.try_get("kind")?, row.try_get("ref_id")?)))
        .collect()
}

/// Index rows walked newest-first per row of the page at first (see [`newest_in_range`]).
const WALKED_PER_ROW: i64 = 80;

/// At most this many index rows per row of the page are walked in all; beyond that, collecting
/// every match is faster (~1 ms per 1,000 rows walked against ~3 ms per 1,000 matches collected).
const LONGEST_WALK_PER_ROW: i64 = 400;

/// Date ranges up to this long are searched by walking (on PostgreSQL): finding where a range
/// ends costs a look at each of its index entries, ~8 ms for the 41,000 of a busy month.
const LONGEST_WALKED_RANGE_DAYS: i64 = 92;

/// The date range in ms, when [`newest_in_range`] should serve it: a customer's few entries
/// are found faster through their column.
fn walkable_range(filter: &SearchFilter) -> Option<(i64, i64)> {
    let (from, until) = (filter.from?, filter.until?);
    let short = until - from <= chrono::Duration::days(LONGEST_WALKED_RANGE_DAYS);
    (short && filter.query.customer_id.is_none()).then(|| (to_ms(from), to_ms(until)))
}

/// A date range on PostgreSQL. Its GIN index cannot hand out matches newest-first, so for
/// words common in the range ("remmen geluid": 5,700 matches in a month) PostgreSQL read and
/// sorted every match (30 ms cached, 55-90 ms under load at 1M messages). Here the index rows
/// are walked newest-first from the newest row in the range, which for such words fills a page
/// within a few hundred rows; when the first walk finds too few, a second one goes as far as
/// the matches met suggest, and only words too rare for walking are collected by the usual
/// statement, below where the walks ended. Exact: every row in the range lies at or below the
/// range's newest row, however late it was recorded.
async fn newest_in_range(
    pool: &AnyPool,
    query: &SearchQuery,
    filter: &SearchFilter,
    range: (i64, i64),
    before: i64,
) -> Result<Vec<Found>> {
    let Some(newest) = newest_row_in(pool, range).await? else {
        return Ok(Vec::new());
    };
    let tsquery = query.to_tsquery();
    let mut found = Vec::new();
    let mut top = newest.min(before.saturating_sub(1));
    let mut rows = filter.limit.saturating_mul(WALKED_PER_ROW);
    let mut walked = 0;
    for _ in 0..2 {
        let wanted = filter.limit - found.len() as i64;
        let step = walk(pool, &tsquery, range, top, rows, wanted).await?;
        found.extend(step.found);
        walked += rows;
        let Some(lowest) = step.lowest.filter(|_| (found.len() as i64) < filter.limit) else {
            return Ok(found);
        };
        top = lowest - 1;
        // Twice as many rows as the matches met so far suggest the rest needs.
        let missing = filter.limit - found.len() as i64;
        rows = match found.len() as i64 {
            0 => i64::MAX,
            met => missing.saturating_mul(walked) / met * 2,
        };
        if walked.saturating_add(rows) > filter.limit.saturating_mul(LONGEST_WALK_PER_ROW) {
            break;
        }
    }
    let rest = filter.limit - found.len() as i64;
    found.extend(matching(pool, Dialect::Postgres, query, filter, top.saturating_add(1), rest).await?);
    Ok(found)
}

/// The newest index row said within the range, however late it was recorded.
async fn newest_row_in(pool: &AnyPool, (from, until): (i64, i64)) -> Result<Option<i64>> {
    // OFFSET 0 keeps PostgreSQL from answering max() by walking the primary key backwards until
    // it meets the range (it assumes the range's rows are spread over the whole table).
    let row = sqlx::query(
        "SELECT max(rowid) AS newest FROM (SELECT rowid FROM search_index WHERE at_ms >= $1 AND at_ms < $2 OFFSET 0) AS in_range",
    )
    .bind(from)
    .bind(until)
    .fetch_one(pool)
    .await?;
    Ok(row.try_get("newest")?)
}

struct Walked {
    /// The newest matches met, at most as many as wanted.
    found: Vec<Found>,
    /// The lowest row walked; none when the walk reached the first row (or found all it wanted).
    lowest: Option<i64>,
}

/// Walks `rows` index rows down from `top` for matches in the range.
async fn walk(
    pool: &AnyPool,
    tsquery: &str,
    (from, until): (i64, i64),
    top: i64,
    rows: i64,
    wanted: i64,
) -> Result<Walked> {
    let matches = sqlx::query(
        "SELECT rowid AS position, kind, ref_id FROM \
         (SELECT rowid, kind, ref_id, tsv, at_ms FROM search_index WHERE rowid <= $1 ORDER BY rowid DESC LIMIT $2) AS walked \
         WHERE tsv @@ to_tsquery('simple', $3) AND at_ms >= $4 AND at_ms < $5 ORDER BY rowid DESC LIMIT $6",
    )
    .bind(top)
    .bind(rows)
    .bind(tsquery)
    .bind(from)
    .bind(until)
    .bind(wanted)
    .fetch_all(pool)
    .await?;
    let found = found_rows(matches)?;
    if found.len() as i64 >= wanted {
        return Ok(Walked { found, lowest: None });
    }
    let end = sqlx::query(
        "SELECT min(rowid) AS lowest, count(*) AS walked FROM \
         (SELECT rowid FROM search_index WHERE rowid <= $1 ORDER BY rowid DESC LIMIT $2) AS walked",
    )
    .bind(top)
    .bind(rows)
    .fetch_one(pool)
    .await?;
    let (lowest, walked): (Option<i64>, i64) = (end.try_get("lowest")?, end.try_get("walked")?);
    Ok(Walked {
        found,
        lowest: lowest.filter(|_| walked == rows),
    })
}

/// The records behind index rows of one kind, by id.
async fn details_of(pool: &AnyPool, kind: Indexed, ids: &[&str]) -> Result<HashMap<String, SearchHit>> {
    let select = match kind {
        Indexed::Message => {
            concatcp!(
                "SELECT ",
                crate::timeline::MESSAGE_KIND,
                " AS kind, m.customer_id, \
             cu.name AS customer_name, m.conversation_id, m.channel, m.sent_ms AS at_ms, m.body AS text, m.id, m.id AS ref \
             FROM messages m JOIN customers cu ON cu.id = m.customer_id WHERE m.id"
            )
        }
        Indexed::Note => {
            concatcp!(
                "SELECT ",
                EntryKind::Note.sql(),
                " AS kind, n.customer_id, cu.name AS customer_name, n.conversation_id, \
             COALESCE(c.channel, 'internal') AS channel, n.at_ms, n.body AS text, n.id, n.id AS ref \
             FROM notes n JOIN customers cu ON cu.id = n.customer_id LEFT JOIN conversations c ON c.id = n.conversation_id \
             WHERE n.id"
            )
        }
        Indexed::PhoneCall => {
            concatcp!(
                "SELECT ",
                EntryKind::PhoneCall.sql(),
                " AS kind, p.customer_id, cu.name AS customer_name, CAST(NULL AS TEXT) AS conversation_id, \
             'phone' AS channel, p.at_ms, p.summary AS text, p.id, p.id AS ref \
             FROM phone_calls p JOIN customers cu ON cu.id = p.customer_id WHERE p.id"
            )
        }
        Indexed::CallbackRequest => {
            concatcp!(
                "SELECT ",
                EntryKind::CallbackRequest.sql(),
                " AS kind, r.customer_id, cu.name AS customer_name, \
             CAST(NULL AS TEXT) AS conversation_id, 'phone' AS channel, r.created_ms AS at_ms, \
             TRIM(COALESCE(r.name, '') || ' ' || COALESCE(r.note, '')) AS text, r.id, r.id AS ref \
             FROM callback_requests r JOIN customers cu ON cu.id = r.customer_id WHERE r.id"
            )
        }
        // A call's note is found as its callback request, which shows it.
        Indexed::Call => {
            concatcp!(
                "SELECT ",
                EntryKind::CallbackRequest.sql(),
                " AS kind, k.customer_id, cu.name AS customer_name, \
             CAST(NULL AS TEXT) AS conversation_id, 'phone' AS channel, k.at_ms, k.note AS text, k.callback_id AS id, \
             k.id AS ref FROM calls k JOIN customers cu ON cu.id = k.customer_id WHERE k.id"
            )
        }
    };
    let sql = format!("{select} IN ({})", placeholders(1, ids.len()));
    let rows = ids
        .iter()
        .fold(sqlx::query(&sql), |query, id| query.bind(*id))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let found_as: String = r.try_get("ref")?;
            let hit = SearchHit {
                kind: parse_enum(r.try_get("kind")?, EntryKind::parse)?,
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("customer_name")?,
                conversation_id: r.try_get("conversation_id")?,
                channel: r.try_get("channel")?,
                at: from_ms(r.try_get("at_ms")?),
                text: r.try_get("text")?,
            };
            Ok((found_as, hit))
        })
        .collect()
}
