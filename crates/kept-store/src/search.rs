//! The search index: one row per message, note, logged phone call, callback request (its name
//! and note) and call attempt with a note, written in the same
//! transaction as the record itself. Matching is the database's own full-text search (FTS5 on
//! SQLite, a GIN-indexed tsvector on PostgreSQL) over terms prepared in kept-domain.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kept_domain::search::{customer_token, index_terms};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::Result;
use crate::dialect::{Cell, Dialect, insert_rows, placeholders};
use crate::model::*;
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
    pub text: &'a str,
    pub at: DateTime<Utc>,
}

pub(crate) async fn index(conn: &mut AnyConnection, entry: IndexEntry<'_>) -> Result<()> {
    index_all(conn, &[entry]).await
}

/// Indexes several records with one statement (a batch of callback requests).
pub(crate) async fn index_all(conn: &mut AnyConnection, entries: &[IndexEntry<'_>]) -> Result<()> {
    let into = "search_index (terms, kind, ref_id, customer_id, at_ms)";
    insert_rows(conn, into, "", entries, |entry| {
        [
            Cell::Owned(index_terms(entry.text, entry.customer_id, entry.channel, entry.at)),
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
        .bind(filter.before.unwrap_or(i64::MAX))
        .bind(filter.limit);
    if !customer.is_empty() {
        statement = statement.bind(filter.query.customer_id.clone());
    }
    let rows = statement.fetch_all(pool).await?;
    let found: Vec<(i64, String, String)> = rows
        .iter()
        .map(|row| Ok((row.try_get("position")?, row.try_get("kind")?, row.try_get("ref_id")?)))
        .collect::<Result<_>>()?;
    let next = found
        .last()
        .map(|(position, _, _)| *position)
        .filter(|_| found.len() as i64 == filter.limit);
    let mut details = HashMap::new();
    for kind in ["message", "note", "phone_call", "callback_request", "call"] {
        let ids: Vec<&str> = found
            .iter()
            .filter(|(_, k, _)| k == kind)
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

/// The records behind index rows of one kind, by id.
async fn details_of(pool: &AnyPool, kind: &str, ids: &[&str]) -> Result<HashMap<String, SearchHit>> {
    let select = match kind {
        "message" => {
            "SELECT CASE WHEN m.direction = 'inbound' THEN 'message_in' ELSE 'message_out' END AS kind, m.customer_id, \
             cu.name AS customer_name, m.conversation_id, m.channel, m.sent_ms AS at_ms, m.body AS text, m.id, m.id AS ref \
             FROM messages m JOIN customers cu ON cu.id = m.customer_id WHERE m.id"
        }
        "note" => {
            "SELECT 'note' AS kind, n.customer_id, cu.name AS customer_name, n.conversation_id, \
             COALESCE(c.channel, 'internal') AS channel, n.at_ms, n.body AS text, n.id, n.id AS ref \
             FROM notes n JOIN customers cu ON cu.id = n.customer_id LEFT JOIN conversations c ON c.id = n.conversation_id \
             WHERE n.id"
        }
        "phone_call" => {
            "SELECT 'phone_call' AS kind, p.customer_id, cu.name AS customer_name, CAST(NULL AS TEXT) AS conversation_id, \
             'phone' AS channel, p.at_ms, p.summary AS text, p.id, p.id AS ref \
             FROM phone_calls p JOIN customers cu ON cu.id = p.customer_id WHERE p.id"
        }
        "callback_request" => {
            "SELECT 'callback_request' AS kind, r.customer_id, cu.name AS customer_name, \
             CAST(NULL AS TEXT) AS conversation_id, 'phone' AS channel, r.created_ms AS at_ms, \
             TRIM(COALESCE(r.name, '') || ' ' || COALESCE(r.note, '')) AS text, r.id, r.id AS ref \
             FROM callback_requests r JOIN customers cu ON cu.id = r.customer_id WHERE r.id"
        }
        // A call's note is found as its callback request, which shows it.
        _ => {
            "SELECT 'callback_request' AS kind, k.customer_id, cu.name AS customer_name, \
             CAST(NULL AS TEXT) AS conversation_id, 'phone' AS channel, k.at_ms, k.note AS text, k.callback_id AS id, \
             k.id AS ref FROM calls k JOIN customers cu ON cu.id = k.customer_id WHERE k.id"
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
                kind: r.try_get("kind")?,
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
