//! What the figures are computed from, read from the records themselves (promises, calls,
//! messages, surveys, contracts, appointments) and never from counters kept on the side; and
//! the owner's weekly e-mail, claimed once per week.

use const_format::concatcp;
use kept_domain::SurveyStatus;
use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kept_domain::booking::AppointmentStatus;
use kept_domain::contract::ContractStatus;
use kept_domain::insights::{AppointmentFact, ContractFact, Facts, PromiseFact, SurveyFact};
use kept_domain::{OutboxEvent, PromiseKind, PromiseStatus, SurveyKind, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::{Dialect, parse_enum, placeholders, unpack};
use crate::model::Fanout;
use crate::outbox::{self, Announcement};
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// How much of a period the figures read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Everything the page shows of the period.
    Whole,
    /// What a comparison needs of the period before: its promises as far as its totals need
    /// them (no first tries, no customers: only the period's own lists show those), and the
    /// answers.
    Comparison,
}

#[async_trait]
pub trait Insights {
    /// What the figures of `[from, until)` need: the promises made, the surveys answered, the
    /// contract outcomes recorded and the appointments starting in it — of one staff member
    /// when `staff_id` is given.
    async fn insight_facts(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        staff_id: Option<&str>,
        reading: Reading,
    ) -> Result<Facts>;
    /// The names of these customers (those without one are left out).
    async fn customer_names(&self, ids: &[String]) -> Result<HashMap<String, String>>;
    /// Claims the weekly e-mail about the week starting `week` and queues it to `recipients`;
    /// false when it was claimed before (by this node or another).
    async fn claim_weekly_digest(
        &self,
        week: NaiveDate,
        recipients: &[String],
        now: DateTime<Utc>,
        fanout: Fanout,
    ) -> Result<bool>;
    /// The Monday a weekly e-mail is about.
    async fn weekly_digest_week(&self, id: &str) -> Result<Option<NaiveDate>>;
}

/// Whom the figures credit a promise to: a kept one to who kept it (a colleague's reply, a
/// stand-in's call), any other to its owner. Promises closed before kept recorded who closed
/// them credit their owner, as they always did.
const CREDITED: &str = concatcp!(
    "CASE WHEN p.status = ",
    PromiseStatus::Kept.sql(),
    " THEN COALESCE(p.closed_by, p.owner_id) ELSE p.owner_id END"
);

/// Every promise with what the figures need of it: a callback's first try, the location of an
/// appointment, whose it was when it was broken (only the lists of broken promises name the
/// customer). Read packed as JSON ([`Dialect::json_rows`]): a quarter of a busy business is
/// tens of thousands of promises.
fn promise_facts(dialect: Dialect, reading: Reading) -> String {
    let columns = match reading {
        Reading::Whole => format!(
            "p.kind, p.status, {CREDITED}, CASE WHEN p.status = {broken_promise_status} THEN p.customer_id END, \
             p.created_ms, p.closed_ms, p.due_ms, p.not_before_ms, a.location_id, p.channel, \
             CASE WHEN p.kind = {callback_promise_kind} THEN (SELECT MIN(k.at_ms) FROM calls k WHERE k.callback_id = p.subject_id) END, \
             p.frustrated",
            broken_promise_status = PromiseStatus::Broken.sql(),
            callback_promise_kind = PromiseKind::Callback.sql()
        ),
        // The period before is compared by its totals: what the filters and the minutes need.
        Reading::Comparison => format!(
            "p.kind, p.status, {CREDITED}, CAST(NULL AS TEXT), p.created_ms, p.closed_ms, 0, 0, a.location_id, \
             p.channel, CAST(NULL AS BIGINT), 0"
        ),
    };
    format!(
        "SELECT {} FROM promises p LEFT JOIN appointments a ON p.kind = {call_ahead_promise_kind} AND a.id = p.subject_id \
         WHERE p.created_ms >= $1 AND p.created_ms < $2 AND ($3 = '' OR {CREDITED} = $3)",
        dialect.json_rows(&columns),
        call_ahead_promise_kind = PromiseKind::CallAhead.sql()
    )
}

/// A promise as [`promise_facts`] packs it; its kind and status (plain codes) borrowed from
/// the packed text rather than copied.
type PromiseRow<'a> = (
    &'a str,
    &'a str,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    i64,
    i64,
    Option<String>,
    String,
    Option<i64>,
    i64,
);

const SURVEY_FACTS: &str = concatcp!(
    "SELECT s.id, s.kind, s.score, s.reason, s.answered_ms, s.customer_id, \
     cu.name AS customer_name, s.handler_id, s.recovery_id, p.status AS recovery_status \
     FROM surveys s LEFT JOIN customers cu ON cu.id = s.customer_id LEFT JOIN promises p ON p.id = s.recovery_id \
     WHERE s.answered_ms >= $1 AND s.answered_ms < $2 AND s.status = ",
    SurveyStatus::Answered.sql(),
    " AND ($3 = '' OR s.handler_id = $3)"
);

const CONTRACT_FACTS: &str = concatcp!(
    "SELECT k.status, k.outcome_ms, p.owner_id FROM contracts k \
     LEFT JOIN promises p ON p.id = k.outreach_id \
     WHERE k.outcome_ms >= $1 AND k.outcome_ms < $2 AND k.status <> ",
    ContractStatus::Active.sql(),
    " AND ($3 = '' OR p.owner_id = $3)"
);

const APPOINTMENT_FACTS: &str = "SELECT location_id, staff_id, status, start_ms FROM appointments \
     WHERE start_ms >= $1 AND start_ms < $2 AND ($3 = '' OR staff_id = $3)";

/// The rows of one of the statements above for `[from, until)`.
async fn rows(
    pool: &AnyPool,
    sql: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    staff_id: Option<&str>,
) -> Result<Vec<AnyRow>> {
    Ok(sqlx::query(sql)
        .bind(to_ms(from))
        .bind(to_ms(until))
        .bind(staff_id.unwrap_or_default())
        .fetch_all(pool)
        .await?)
}

/// The packed rows of a statement ([`Dialect::json_rows`]) for `[from, until)`.
async fn packed_rows(
    pool: &AnyPool,
    sql: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    staff_id: Option<&str>,
) -> Result<String> {
    Ok(sqlx::query(sql)
        .bind(to_ms(from))
        .bind(to_ms(until))
        .bind(staff_id.unwrap_or_default())
        .fetch_one(pool)
        .await?
        .try_get(0)?)
}

/// Every row turned into a fact, or the first that cannot be.
fn each<T>(rows: Vec<AnyRow>, fact: fn(&AnyRow) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(fact).collect()
}

fn promise_fact(row: PromiseRow) -> Result<PromiseFact> {
    let (
        kind,
        status,
        owner_id,
        customer_id,
        created,
        closed,
        due,
        not_before,
        location_id,
        channel,
        first_attempt,
        frustrated,
    ) = row;
    Ok(PromiseFact {
        kind: PromiseKind::parse(kind).ok_or_else(|| StoreError::Corrupt(kind.to_string()))?,
        status: PromiseStatus::parse(status).ok_or_else(|| StoreError::Corrupt(status.to_string()))?,
        owner_id,
        channel,
        created_at: from_ms(created),
        closed_at: closed.map(from_ms),
        due_at: from_ms(due),
        not_before: from_ms(not_before),
        customer_id,
        // Named later, for the rows a list shows (Insights::customer_names).
        customer_name: None,
        location_id,
        first_attempt_at: first_attempt.map(from_ms),
        frustrated: frustrated == 1,
        minutes: None,
    })
}

fn survey_fact(r: &AnyRow) -> Result<SurveyFact> {
    let recovery: Option<String> = r.try_get("recovery_status")?;
    Ok(SurveyFact {
        id: r.try_get("id")?,
        kind: parse_enum(r.try_get("kind")?, SurveyKind::parse)?,
        score: r.try_get("score")?,
        reason: r.try_get("reason")?,
        answered_at: from_ms(r.try_get("answered_ms")?),
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        handler_id: r.try_get("handler_id")?,
        recovery_id: r.try_get("recovery_id")?,
        recovery_status: recovery.map(|s| parse_enum(s, PromiseStatus::parse)).transpose()?,
    })
}

fn contract_fact(r: &AnyRow) -> Result<ContractFact> {
    Ok(ContractFact {
        status: parse_enum(r.try_get("status")?, ContractStatus::parse)?,
        outcome_at: from_ms(r.try_get("outcome_ms")?),
        owner_id: r.try_get("owner_id")?,
    })
}

fn appointment_fact(r: &AnyRow) -> Result<AppointmentFact> {
    Ok(AppointmentFact {
        location_id: r.try_get("location_id")?,
        staff_id: r.try_get("staff_id")?,
        status: parse_enum(r.try_get("status")?, AppointmentStatus::parse)?,
        start: from_ms(r.try_get("start_ms")?),
    })
}

/// Queues the weekly e-mail of `id` to each recipient.
async fn announce_digest(tx: &mut AnyConnection, id: &str, recipients: &[String], now: DateTime<Utc>) -> Result<()> {
    let email_only = Fanout {
        email: true,
        webhook: false,
    };
    let announcement = Announcement {
        event: OutboxEvent::InsightsDigest,
        subject_id: id,
        recipients,
        fanout: email_only,
        now,
    };
    outbox::announce(tx, &[announcement]).await
}

#[async_trait]
impl Insights for SqlStore {
    async fn insight_facts(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        staff_id: Option<&str>,
        reading: Reading,
    ) -> Result<Facts> {
        let period = (from, until);
        let pool = &self.read;
        let packed = packed_rows(pool, &promise_facts(self.dialect, reading), period, staff_id).await?;
        let unpacked: Vec<PromiseRow> = unpack(&packed)?;
        let promises = unpacked.into_iter().map(promise_fact).collect::<Result<Vec<_>>>()?;
        drop(packed);
        let surveys = each(rows(pool, SURVEY_FACTS, period, staff_id).await?, survey_fact)?;
        if reading == Reading::Comparison {
            return Ok(Facts {
                promises,
                surveys,
                ..Facts::default()
            });
        }
        Ok(Facts {
            promises,
            surveys,
            contracts: each(rows(pool, CONTRACT_FACTS, period, staff_id).await?, contract_fact)?,
            appointments: each(rows(pool, APPOINTMENT_FACTS, period, staff_id).await?, appointment_fact)?,
        })
    }

    async fn customer_names(&self, ids: &[String]) -> Result<HashMap<String, String>> {
        let mut names = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id, name FROM customers WHERE name IS NOT NULL AND id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows = chunk
                .iter()
                .fold(sqlx::query(&sql), |query, id| query.bind(id))
                .fetch_all(&self.read)
                .await?;
            for row in rows {
                names.insert(row.try_get("id")?, row.try_get("name")?);
            }
        }
        Ok(names)
    }

    async fn claim_weekly_digest(
        &self,
        week: NaiveDate,
        recipients: &[String],
        now: DateTime<Utc>,
        fanout: Fanout,
    ) -> Result<bool> {
        if !fanout.email || recipients.is_empty() {
            return Ok(false);
        }
        let id = new_id();
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "INSERT INTO weekly_digests (id, week, created_ms) VALUES ($1, $2, $3) ON CONFLICT (week) DO NOTHING",
        )
        .bind(&id)
        .bind(week.to_string())
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if claimed {
            announce_digest(&mut tx, &id, recipients, now).await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn weekly_digest_week(&self, id: &str) -> Result<Option<NaiveDate>> {
        let row = sqlx::query("SELECT week FROM weekly_digests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| {
            let week: String = r.try_get("week")?;
            week.parse().map_err(|_| StoreError::Corrupt(week))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use kept_domain::conversation::FRUSTRATED_FROM;

    use super::*;

    #[test]
    fn replies_to_frustrated_customers_are_marked_at_the_threshold_of_the_domain() {
        let condition = format!("m.frustration >= {FRUSTRATED_FROM});");
        for migration in [
            include_str!("../migrations/sqlite/0001_baseline.sql"),
            include_str!("../migrations/postgres/0001_baseline.sql"),
        ] {
            assert!(migration.contains(&condition), "{condition}");
        }
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            assert!(promise_facts(dialect, Reading::Whole).contains("p.frustrated"));
        }
    }
}
