//! Promises and their history: the only SQL that touches `promises` and `promise_events`.
//!
//! Every change of status goes through [`close`], which asks the domain's state machine
//! ([`kept_domain::promise::close`]) and then updates on the condition that the promise is
//! still open, so a promise ends once however many requests or nodes race for it.

use chrono::{DateTime, Duration, Utc};
use const_format::concatcp;
use kept_domain::promise::{self, Closing, PromiseEvent};
use kept_domain::{CancelReason, OutboxEvent, PromiseKind, PromiseStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::{Dialect, parse_enum};
use crate::model::{Fanout, PromiseFilter, PromiseHistoryEntry, PromiseListed, PromiseRecord};
use crate::outbox::{self, Announcement};
use crate::statements::{Cell, Statements, insert_rows};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

pub(crate) struct NewPromise<'a> {
    pub id: &'a str,
    pub kind: PromiseKind,
    pub subject_id: &'a str,
    pub customer_id: &'a str,
    pub owner_id: Option<&'a str>,
    /// The channel it is kept on when not the kind's usual one: a reply's conversation's.
    pub channel: Option<&'a str>,
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// Inserts open promises with their "created" history, one statement per table.
pub(crate) async fn insert(conn: &mut dyn Statements, promises: &[NewPromise<'_>]) -> Result<()> {
    let into =
        "promises (id, kind, subject_id, customer_id, owner_id, status, not_before_ms, due_ms, created_ms, channel)";
    insert_rows(conn, into, "", promises, |promise| {
        [
            Cell::Text(promise.id),
            Cell::Text(promise.kind.as_str()),
            Cell::Text(promise.subject_id),
            Cell::Text(promise.customer_id),
            Cell::MaybeText(promise.owner_id),
            Cell::Text(PromiseStatus::Open.as_str()),
            Cell::Int(to_ms(promise.not_before)),
            Cell::Int(to_ms(promise.due_at)),
            Cell::Int(to_ms(promise.now)),
            Cell::Text(promise.channel.unwrap_or(promise.kind.usual_channel())),
        ]
    })
    .await?;
    insert_rows(
        conn,
        "promise_events (promise_id, at_ms, event)",
        "",
        promises,
        |promise| {
            [
                Cell::Text(promise.id),
                Cell::Int(to_ms(promise.now)),
                Cell::Text(PromiseEvent::Created.as_str()),
            ]
        },
    )
    .await?;
    Ok(())
}

/// Who did something to a promise, and a word on what (an outcome, a delegate's id).
#[derive(Clone, Copy, Default)]
pub(crate) struct Actor<'a> {
    pub staff_id: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// Ends an open promise; the new status, or a conflict when it was closed already (by
/// someone else a moment ago) or its kind does not end that way.
pub(crate) async fn close(
    conn: &mut AnyConnection,
    promise_id: &str,
    closing: Closing,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<PromiseStatus> {
    let row = sqlx::query("SELECT kind, status, due_ms FROM promises WHERE id = $1")
        .bind(promise_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let kind = parse_enum(row.try_get("kind")?, PromiseKind::parse)?;
    let current = parse_enum(row.try_get("status")?, PromiseStatus::parse)?;
    let due_at = from_ms(row.try_get("due_ms")?);
    let status =
        promise::close(kind, current, due_at, closing, now).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let closed = sqlx::query(concatcp!(
        "UPDATE promises SET status = $1, closed_ms = $2, closed_by = $4 WHERE id = $3 AND status = ",
        PromiseStatus::Open.sql()
    ))
    .bind(status.as_str())
    .bind(to_ms(now))
    .bind(promise_id)
    .bind(actor.staff_id)
    .execute(&mut *conn)
    .await?;
    if closed.rows_affected() == 0 {
        return Err(StoreError::Conflict("this promise was closed by someone else".into()));
    }
    let detail = match closing {
        Closing::Cancelled(reason) => Some(reason.as_str()),
        _ => actor.detail,
    };
    record_event(conn, promise_id, now, status.event(), actor.staff_id, detail).await?;
    Ok(status)
}

/// Cancels every open promise to a customer (their data is being erased).
pub(crate) async fn cancel_open_for_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let closing = Closing::Cancelled(CancelReason::Erased);
    close_open_for_customer(conn, customer_id, None, closing, Actor::default(), now).await
}

/// Someone called or answered the customer: their open promises of the kinds any contact
/// fulfils (the domain says which) are fulfilled, kept or broken when late.
pub(crate) async fn customer_contacted(
    conn: &mut AnyConnection,
    customer_id: &str,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    for kind in PromiseKind::FULFILLED_BY_ANY_CONTACT {
        close_open_for_customer(conn, customer_id, Some(kind), Closing::Fulfilled, actor, now).await?;
    }
    Ok(())
}

/// Ends a customer's open promises (of one kind, when given) the same way.
async fn close_open_for_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
    kind: Option<PromiseKind>,
    closing: Closing,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows = sqlx::query(concatcp!(
        "SELECT id FROM promises WHERE customer_id = $1 AND status = ",
        PromiseStatus::Open.sql(),
        " AND kind = COALESCE($2, kind)"
    ))
    .bind(customer_id)
    .bind(kind.map(PromiseKind::as_str))
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let id: String = row.try_get("id")?;
        close(conn, &id, closing, actor, now).await?;
    }
    Ok(())
}

/// Gives an open promise a new owner.
pub(crate) async fn reassign(
    conn: &mut AnyConnection,
    promise_id: &str,
    owner_id: &str,
    actor_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let moved = sqlx::query(concatcp!(
        "UPDATE promises SET owner_id = $1 WHERE id = $2 AND status = ",
        PromiseStatus::Open.sql()
    ))
    .bind(owner_id)
    .bind(promise_id)
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() > 0 {
        record_event(
            conn,
            promise_id,
            now,
            PromiseEvent::Reassigned,
            Some(actor_id),
            Some(owner_id),
        )
        .await?;
    }
    Ok(())
}

/// How work changes hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handover {
    /// While `from` is away: remembered, so that it can go back on their return.
    StandIn,
    /// `from` left the team: it stays with `to`.
    ForGood,
}

/// Hands every open promise of `from` to `to`, with an event on each.
pub(crate) async fn hand_over_open(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
    how: Handover,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = match how {
        Handover::StandIn => {
            concatcp!(
                "UPDATE promises SET owner_id = $1, stand_in_for = $2 WHERE owner_id = $2 AND status = ",
                PromiseStatus::Open.sql(),
                " RETURNING id"
            )
        }
        Handover::ForGood => concatcp!(
            "UPDATE promises SET owner_id = $1 WHERE owner_id = $2 AND status = ",
            PromiseStatus::Open.sql(),
            " RETURNING id"
        ),
    };
    let moved = sqlx::query(sql).bind(to).bind(from).fetch_all(&mut *conn).await?;
    for row in moved {
        let promise_id: String = row.try_get("id")?;
        record_event(conn, &promise_id, now, PromiseEvent::Reassigned, Some(from), Some(to)).await?;
    }
    if how == Handover::ForGood {
        forget_stand_in(conn, from).await?;
    }
    Ok(())
}

/// `returning` is back: the open promises their stand-in still holds for them go back to them.
pub(crate) async fn hand_back(
    conn: &mut AnyConnection,
    returning: &str,
    stand_in: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let moved = sqlx::query(concatcp!(
        "UPDATE promises SET owner_id = $1, stand_in_for = NULL \
         WHERE stand_in_for = $1 AND owner_id = $2 AND status = ",
        PromiseStatus::Open.sql(),
        " RETURNING id"
    ))
    .bind(returning)
    .bind(stand_in)
    .fetch_all(&mut *conn)
    .await?;
    for row in moved {
        let promise_id: String = row.try_get("id")?;
        record_event(
            conn,
            &promise_id,
            now,
            PromiseEvent::Reassigned,
            Some(returning),
            Some(returning),
        )
        .await?;
    }
    forget_stand_in(conn, returning).await
}

/// Nothing is held for `who` any more (they are back, or left).
async fn forget_stand_in(conn: &mut AnyConnection, who: &str) -> Result<()> {
    sqlx::query("UPDATE promises SET stand_in_for = NULL WHERE stand_in_for = $1")
        .bind(who)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn record_event(
    conn: &mut AnyConnection,
    promise_id: &str,
    at: DateTime<Utc>,
    event: PromiseEvent,
    actor_id: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO promise_events (promise_id, at_ms, event, actor_id, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(promise_id)
        .bind(to_ms(at))
        .bind(event.as_str())
        .bind(actor_id)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// The condition of the partial index `promises_open_others` (migration 0003), word for word:
/// the kinds of [`PromiseKind::WITH_OWN_LIST`].
const OTHER_KINDS: &str = "p.kind NOT IN ('reply', 'callback', 'callback_retry')";

/// Promises by kind, status, customer and owner; open ones soonest due first, others newest first.
pub(crate) async fn list(pool: &AnyPool, filter: &PromiseFilter) -> Result<Vec<PromiseListed>> {
    let mut conditions = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    let open = filter.status == Some(PromiseStatus::Open);
    if open {
        // Written out, not bound, like the kinds below: the planner then sees that the
        // statement asks for the rows of the partial index `promises_open_others`.
        conditions.push(concatcp!("p.status = ", PromiseStatus::Open.sql()).to_string());
    }
    let equal_to = [
        ("p.status", filter.status.filter(|_| !open).map(PromiseStatus::as_str)),
        ("p.customer_id", filter.customer_id.as_deref()),
        ("p.owner_id", filter.owner_id.as_deref()),
    ];
    for (column, value) in equal_to {
        if let Some(value) = value {
            values.push(value);
            conditions.push(format!("{column} = ${}", values.len()));
        }
    }
    let kinds: Vec<&str> = filter.kinds.iter().map(|k| k.as_str()).collect();
    // Kinds are the domain's own codes, never text from a request.
    let kind_list = kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    if !kinds.is_empty() {
        conditions.push(format!("p.kind IN ({kind_list})"));
    }
    if !filter.kinds.is_empty() && filter.kinds.iter().all(|k| !PromiseKind::WITH_OWN_LIST.contains(k)) {
        conditions.push(OTHER_KINDS.to_string());
    }
    let order = match filter.status {
        Some(PromiseStatus::Open) => "p.due_ms, p.id",
        Some(_) => "p.created_ms DESC, p.id",
        None => concatcp!(
            "CASE WHEN p.status = ",
            PromiseStatus::Open.sql(),
            " THEN p.due_ms ELSE -p.created_ms END, p.id"
        ),
    };
    let condition = match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conditions.join(" AND ")),
    };
    let sql = format!(
        "SELECT p.id, p.kind, p.status, p.subject_id, p.customer_id, c.name AS customer_name, p.owner_id, \
         s.name AS owner_name, p.due_ms, p.created_ms FROM promises p \
         LEFT JOIN customers c ON c.id = p.customer_id LEFT JOIN staff s ON s.id = p.owner_id {condition} \
         ORDER BY {order} LIMIT ${}",
        values.len() + 1,
    );
    let rows = values
        .iter()
        .fold(sqlx::query(&sql), |q, v| q.bind(*v))
        .bind(filter.limit.clamp(1, 500))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PromiseListed {
                id: r.try_get("id")?,
                kind: parse_enum(r.try_get("kind")?, PromiseKind::parse)?,
                status: parse_enum(r.try_get("status")?, PromiseStatus::parse)?,
                subject_id: r.try_get("subject_id")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("customer_name")?,
                owner_id: r.try_get("owner_id")?,
                owner_name: r.try_get("owner_name")?,
                due_at: from_ms(r.try_get("due_ms")?),
                created_at: from_ms(r.try_get("created_ms")?),
            })
        })
        .collect()
}

pub(crate) async fn get(pool: &AnyPool, id: &str) -> Result<Option<PromiseRecord>> {
    let row =
        sqlx::query("SELECT id, kind, subject_id, customer_id, owner_id, status, due_ms FROM promises WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.as_ref().map(record_from_row).transpose()
}

fn record_from_row(row: &AnyRow) -> Result<PromiseRecord> {
    Ok(PromiseRecord {
        id: row.try_get("id")?,
        kind: parse_enum(row.try_get("kind")?, PromiseKind::parse)?,
        subject_id: row.try_get("subject_id")?,
        customer_id: row.try_get("customer_id")?,
        owner_id: row.try_get("owner_id")?,
        status: parse_enum(row.try_get("status")?, PromiseStatus::parse)?,
        due_at: from_ms(row.try_get("due_ms")?),
    })
}

pub(crate) async fn history(pool: &AnyPool, promise_id: &str) -> Result<Vec<PromiseHistoryEntry>> {
    // A hand-over's detail is the new owner's id: named here, so no id reaches a page.
    let rows = sqlx::query(
        "SELECT e.at_ms, e.event, e.actor_id, e.detail, a.name AS actor_name, d.name AS new_owner_name \
         FROM promise_events e LEFT JOIN staff a ON a.id = e.actor_id \
         LEFT JOIN staff d ON d.id = e.detail AND e.event = $2 WHERE e.promise_id = $1 ORDER BY e.id",
    )
    .bind(promise_id)
    .bind(PromiseEvent::Reassigned.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PromiseHistoryEntry {
                at: from_ms(r.try_get("at_ms")?),
                event: r.try_get("event")?,
                actor_id: r.try_get("actor_id")?,
                actor_name: r.try_get("actor_name")?,
                detail: r.try_get("detail")?,
                new_owner_name: r.try_get("new_owner_name")?,
            })
        })
        .collect()
}

/// Something that happens to an open promise once, before it closes: the column that records
/// it, when a promise is due for it, its history event, the outbox event that announces it and
/// who is told.
pub(crate) struct Milestone {
    column: &'static str,
    /// Which open promises are due for it, with `$1` the time now and `$2` the reminder lead.
    due: &'static str,
    uses_lead: bool,
    event: PromiseEvent,
    announce: OutboxEvent,
    to_all_owners: bool,
}

/// `lead` before the deadline. Promises made less than `lead` before their deadline were just
/// announced and get none.
pub(crate) const REMINDER: Milestone = Milestone {
    column: "reminded_ms",
    due: "due_ms > $1 AND due_ms - $2 <= $1 AND created_ms < due_ms - $2",
    uses_lead: true,
    event: PromiseEvent::Reminded,
    announce: OutboxEvent::PromiseReminder,
    to_all_owners: false,
};

/// Past the deadline: the business owners hear of it.
pub(crate) const ESCALATION: Milestone = Milestone {
    column: "escalated_ms",
    due: "due_ms < $1",
    uses_lead: false,
    event: PromiseEvent::Escalated,
    announce: OutboxEvent::PromiseEscalated,
    to_all_owners: true,
};

/// Claims the promises due for `milestone` — like the outbox, with `SKIP LOCKED` on
/// PostgreSQL, so several nodes share the work instead of each scanning for it — records it on
/// each, and queues the announcements; how many were reached. The `IS NULL` condition on the
/// update makes each happen once whatever races.
pub(crate) async fn reach_due(
    conn: &mut AnyConnection,
    dialect: Dialect,
    milestone: &Milestone,
    now: DateTime<Utc>,
    lead: Duration,
    fanout: Fanout,
) -> Result<usize> {
    let column = milestone.column;
    let sql = format!(
        "UPDATE promises SET {column} = $1 WHERE id IN \
         (SELECT id FROM promises WHERE status = {open_promise_status} AND {column} IS NULL AND {due} ORDER BY due_ms LIMIT 200 {lock}) \
         AND {column} IS NULL RETURNING id, owner_id",
        due = milestone.due,
        lock = dialect.skip_locked(),
        open_promise_status = PromiseStatus::Open.sql()
    );
    let mut query = sqlx::query(&sql).bind(to_ms(now));
    if milestone.uses_lead {
        query = query.bind(lead.num_milliseconds());
    }
    let reached = query.fetch_all(&mut *conn).await?;
    if reached.is_empty() {
        return Ok(0);
    }
    let owners = if milestone.to_all_owners {
        crate::staff::owner_ids(conn).await?
    } else {
        Vec::new()
    };
    let mut promises = Vec::with_capacity(reached.len());
    for row in &reached {
        let id: String = row.try_get("id")?;
        let owner: Option<String> = row.try_get("owner_id")?;
        record_event(conn, &id, now, milestone.event, None, None).await?;
        let recipients = if milestone.to_all_owners {
            owners.clone()
        } else {
            owner.into_iter().collect()
        };
        promises.push((id, recipients));
    }
    let announcements: Vec<Announcement> = promises
        .iter()
        .map(|(id, recipients)| Announcement {
            event: milestone.announce,
            subject_id: id,
            recipients,
            fanout,
            now,
        })
        .collect();
    outbox::announce(conn, &announcements).await?;
    Ok(promises.len())
}

#[cfg(test)]
mod tests {
    use super::{OTHER_KINDS, PromiseKind};

    #[test]
    fn the_other_kinds_condition_names_the_kinds_with_a_list_of_their_own_as_the_index_does() {
        let named: Vec<String> = PromiseKind::WITH_OWN_LIST.iter().map(|k| k.sql().to_string()).collect();
        assert_eq!(OTHER_KINDS, format!("p.kind NOT IN ({})", named.join(", ")));
        for migration in [
            include_str!("../migrations/sqlite/0003_other_open_promises.sql"),
            include_str!("../migrations/postgres/0003_other_open_promises.sql"),
        ] {
            let condition = OTHER_KINDS.trim_start_matches("p.");
            assert!(migration.contains(condition), "{migration}");
        }
    }
}
