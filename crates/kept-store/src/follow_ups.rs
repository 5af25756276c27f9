//! Follow-ups: promises staff make to a customer in their own words ("I will send the quote
//! on Thursday"), each tracked as a `follow_up` promise with reminders and escalation.

use chrono::{DateTime, Utc};
use kept_domain::promise::Closing;
use kept_domain::{PromiseKind, PromiseStatus, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::parse_enum;
use crate::model::{FollowUpView, NewFollowUp, Promised};
use crate::promises::{self, Actor, NewPromise};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

const FOLLOW_UP_SELECT: &str = "SELECT f.id, f.customer_id, cu.name AS customer_name, f.body, f.created_ms, \
     p.id AS promise_id, p.status AS promise_status, p.due_ms, p.owner_id, s.name AS owner_name \
     FROM follow_ups f JOIN customers cu ON cu.id = f.customer_id JOIN promises p ON p.id = f.promise_id \
     LEFT JOIN staff s ON s.id = p.owner_id";

fn from_row(row: &AnyRow) -> Result<FollowUpView> {
    Ok(FollowUpView {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        text: row.try_get("body")?,
        created_at: from_ms(row.try_get("created_ms")?),
        promise_id: row.try_get("promise_id")?,
        promise_status: parse_enum(row.try_get("promise_status")?, PromiseStatus::parse)?,
        due_at: from_ms(row.try_get("due_ms")?),
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
    })
}

/// Writes the follow-up and its open promise; its id.
pub(crate) async fn create(conn: &mut AnyConnection, new: &NewFollowUp) -> Result<String> {
    let exists = sqlx::query("SELECT id FROM customers WHERE id = $1")
        .bind(&new.customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    let (id, promise_id) = (new_id(), new_id());
    sqlx::query(
        "INSERT INTO follow_ups (id, customer_id, staff_id, body, promise_id, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&new.customer_id)
    .bind(&new.staff_id)
    .bind(&new.text)
    .bind(&promise_id)
    .bind(to_ms(new.now))
    .execute(&mut *conn)
    .await?;
    let promise = NewPromise {
        id: &promise_id,
        kind: PromiseKind::FollowUp,
        subject_id: &id,
        customer_id: &new.customer_id,
        owner_id: Some(&new.owner_id),
        channel: None,
        not_before: new.now,
        due_at: new.due_at,
        now: new.now,
    };
    promises::insert(conn, &[promise]).await?;
    Ok(id)
}

/// What a reply, note or logged call promised, as the writer's follow-ups.
pub(crate) async fn create_promised(
    conn: &mut AnyConnection,
    customer_id: &str,
    staff_id: &str,
    promised: &[Promised],
    now: DateTime<Utc>,
) -> Result<()> {
    for promise in promised {
        let follow_up = NewFollowUp {
            customer_id: customer_id.to_string(),
            staff_id: staff_id.to_string(),
            owner_id: staff_id.to_string(),
            text: promise.text.clone(),
            due_at: promise.due_at,
            now,
        };
        create(conn, &follow_up).await?;
    }
    Ok(())
}

pub(crate) async fn get(pool: &AnyPool, id: &str) -> Result<Option<FollowUpView>> {
    let row = sqlx::query(&format!("{FOLLOW_UP_SELECT} WHERE f.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A customer's follow-ups, open ones first, then by due time.
pub(crate) async fn of_customer(pool: &AnyPool, customer_id: &str) -> Result<Vec<FollowUpView>> {
    let rows = sqlx::query(&format!(
        "{FOLLOW_UP_SELECT} WHERE f.customer_id = $1 \
         ORDER BY CASE WHEN p.status = {open_promise_status} THEN 0 ELSE 1 END, p.due_ms",
        open_promise_status = PromiseStatus::Open.sql()
    ))
    .bind(customer_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Ends a follow-up's promise: done (kept or broken by the time) or withdrawn.
pub(crate) async fn close(
    conn: &mut AnyConnection,
    id: &str,
    closing: Closing,
    staff_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PromiseStatus> {
    let row = sqlx::query("SELECT promise_id FROM follow_ups WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let promise_id: String = row.try_get("promise_id")?;
    let actor = Actor {
        staff_id: Some(staff_id),
        detail: None,
    };
    promises::close(conn, &promise_id, closing, actor, now).await
}
