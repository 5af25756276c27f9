//! Callback requests: reading them, and recording what happened on a call. (New requests are
//! written in batches by `new_callbacks`.)

use const_format::concatcp;
use kept_domain::promise::Closing;
use kept_domain::{CallbackStatus, EntryKind, Lang, OutboxEvent, PromiseKind, PromiseStatus, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::parse_enum;
use crate::model::{CallbackView, HistoryEntry, NewOutcome};
use crate::outbox::{self, Announcement};
use crate::promises::{self, Actor, NewPromise};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError, search};

/// A request as staff see it: named as the customer is known when the form left the name out.
const CALLBACK_SELECT: &str = "SELECT c.id, c.customer_id, c.phone, COALESCE(c.name, cu.name) AS name, c.window_code, \
     c.note, c.lang, c.status, c.attempts, c.created_ms, c.closed_ms, c.asks, c.asked_again_ms, \
     p.id AS promise_id, p.status AS promise_status, p.not_before_ms, p.due_ms, p.escalated_ms, p.owner_id, \
     s.name AS owner_name FROM callback_requests c JOIN promises p ON p.id = c.promise_id \
     JOIN customers cu ON cu.id = c.customer_id LEFT JOIN staff s ON s.id = p.owner_id";

fn callback_from_row(row: &AnyRow) -> Result<CallbackView> {
    let lang: String = row.try_get("lang")?;
    Ok(CallbackView {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        phone: row.try_get("phone")?,
        name: row.try_get("name")?,
        window: row.try_get("window_code")?,
        note: row.try_get("note")?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        status: parse_enum(row.try_get("status")?, CallbackStatus::parse)?,
        attempts: row.try_get("attempts")?,
        created_at: from_ms(row.try_get("created_ms")?),
        closed_at: row.try_get::<Option<i64>, _>("closed_ms")?.map(from_ms),
        promise_id: row.try_get("promise_id")?,
        promise_status: parse_enum(row.try_get("promise_status")?, PromiseStatus::parse)?,
        not_before: from_ms(row.try_get("not_before_ms")?),
        due_at: from_ms(row.try_get("due_ms")?),
        escalated: row.try_get::<Option<i64>, _>("escalated_ms")?.is_some(),
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        asks: row.try_get("asks")?,
        asked_again_at: row.try_get::<Option<i64>, _>("asked_again_ms")?.map(from_ms),
    })
}

pub(crate) async fn get(pool: &AnyPool, id: &str) -> Result<Option<CallbackView>> {
    let row = sqlx::query(&format!("{CALLBACK_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(callback_from_row).transpose()
}

pub(crate) async fn list(pool: &AnyPool, status: Option<CallbackStatus>, limit: i64) -> Result<Vec<CallbackView>> {
    let rows = match status {
        Some(status) => {
            sqlx::query(&format!(
                "{CALLBACK_SELECT} WHERE c.status = $1 ORDER BY p.due_ms, c.id LIMIT $2"
            ))
            .bind(status.as_str())
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(&format!("{CALLBACK_SELECT} ORDER BY c.created_ms DESC, c.id LIMIT $1"))
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
    rows.iter().map(callback_from_row).collect()
}

/// Records a call on an open request: its promise is fulfilled (kept or broken by the time),
/// and nobody answering opens a retry promise.
pub(crate) async fn record_outcome(conn: &mut AnyConnection, outcome: &NewOutcome) -> Result<()> {
    let row = sqlx::query("SELECT c.status, c.customer_id, c.promise_id FROM callback_requests c WHERE c.id = $1")
        .bind(&outcome.callback_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let status: String = row.try_get("status")?;
    if status != CallbackStatus::Open.as_str() {
        return Err(StoreError::Conflict(format!(
            "this callback request is already closed ({status})"
        )));
    }
    let customer_id: String = row.try_get("customer_id")?;
    let promise_id: String = row.try_get("promise_id")?;
    let outcome_text = outcome.outcome.as_str();
    let actor = Actor {
        staff_id: Some(&outcome.staff_id),
        detail: Some(outcome_text),
    };
    promises::close(conn, &promise_id, Closing::Fulfilled, actor, outcome.now).await?;
    promises::customer_contacted(conn, &customer_id, actor, outcome.now).await?;
    insert_call(conn, outcome, &customer_id).await?;
    next_attempt_or_close(conn, outcome, &customer_id).await?;
    let announcement = Announcement {
        event: OutboxEvent::CallbackOutcome,
        subject_id: &outcome.callback_id,
        recipients: &[],
        fanout: outcome.fanout,
        now: outcome.now,
    };
    outbox::announce(conn, &[announcement]).await?;
    // kept's own reaction (asking a customer who was reached how it went).
    let hook = outbox::hook_row(OutboxEvent::CallbackOutcome, &outcome.callback_id, outcome.now);
    outbox::insert(conn, &[hook]).await
}

/// The call itself, findable by what was agreed on the phone.
async fn insert_call(conn: &mut AnyConnection, outcome: &NewOutcome, customer_id: &str) -> Result<()> {
    let outcome_text = outcome.outcome.as_str();
    let now = to_ms(outcome.now);
    let call_id = new_id();
    sqlx::query(
        "INSERT INTO calls (id, callback_id, customer_id, staff_id, outcome, note, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&call_id)
    .bind(&outcome.callback_id)
    .bind(customer_id)
    .bind(&outcome.staff_id)
    .bind(outcome_text)
    .bind(outcome.note.as_deref())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // What was agreed on the phone ("Afspraak gemaakt: donderdag 10:00") is findable.
    if let Some(note) = outcome.note.as_deref().filter(|n| !n.trim().is_empty()) {
        let entry = search::IndexEntry {
            kind: search::Indexed::Call,
            id: &call_id,
            customer_id,
            channel: "phone",
            words: search::Words::Text(note),
            at: outcome.now,
        };
        search::index(conn, entry).await?;
    }
    Ok(())
}

/// Nobody answered and another try is planned: a retry promise; else the request is closed
/// with the call's outcome.
async fn next_attempt_or_close(conn: &mut AnyConnection, outcome: &NewOutcome, customer_id: &str) -> Result<()> {
    let now = to_ms(outcome.now);
    match outcome.retry_due.filter(|_| outcome.outcome.schedules_retry()) {
        Some(retry_due) => {
            let retry_id = new_id();
            let retry = NewPromise {
                id: &retry_id,
                kind: PromiseKind::CallbackRetry,
                subject_id: &outcome.callback_id,
                customer_id,
                owner_id: Some(&outcome.staff_id),
                channel: None,
                not_before: outcome.now,
                due_at: retry_due,
                now: outcome.now,
            };
            promises::insert(conn, &[retry]).await?;
            sqlx::query("UPDATE callback_requests SET attempts = attempts + 1, promise_id = $1 WHERE id = $2")
                .bind(&retry_id)
                .bind(&outcome.callback_id)
                .execute(&mut *conn)
                .await?;
        }
        None => {
            sqlx::query(
                "UPDATE callback_requests SET attempts = attempts + 1, status = $1, closed_ms = $2 WHERE id = $3",
            )
            .bind(outcome.outcome.callback_status().as_str())
            .bind(now)
            .bind(&outcome.callback_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A customer's callback requests and calls, newest first.
pub(crate) async fn customer_history(pool: &AnyPool, customer_id: &str) -> Result<Vec<HistoryEntry>> {
    let rows = sqlx::query(concatcp!(
        "SELECT ",
        EntryKind::CallbackRequest.sql(),
        " AS kind, created_ms AS at_ms, window_code AS detail, note, CAST(NULL AS TEXT) AS staff_name \
         FROM callback_requests WHERE customer_id = $1 \
         UNION ALL \
         SELECT ",
        EntryKind::Call.sql(),
        ", k.at_ms, k.outcome, k.note, s.name FROM calls k LEFT JOIN staff s ON s.id = k.staff_id \
         WHERE k.customer_id = $1 \
         ORDER BY at_ms DESC"
    ))
    .bind(customer_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryEntry {
                kind: parse_enum(r.try_get("kind")?, EntryKind::parse)?,
                at: from_ms(r.try_get("at_ms")?),
                detail: r.try_get("detail")?,
                note: r.try_get("note")?,
                staff_name: r.try_get("staff_name")?,
            })
        })
        .collect()
}
