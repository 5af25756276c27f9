//! What the figures are computed from, read from the records themselves (promises, calls,
//! messages, surveys, contracts, appointments) and never from counters kept on the side; and
//! the owner's weekly e-mail, claimed once per week.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kept_domain::booking::AppointmentStatus;
use kept_domain::contract::ContractStatus;
use kept_domain::conversation::FRUSTRATED_FROM;
use kept_domain::insights::{AppointmentFact, ContractFact, Facts, PromiseFact, SurveyFact};
use kept_domain::{OutboxEvent, PromiseKind, PromiseStatus, SurveyKind, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::{Dialect, parse_enum};
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
    /// What a comparison needs of the period before: the promises (without the details of the
    /// broken ones, which only the period's own lists show) and the answers.
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

/// Every promise with what the figures need of its subject: the conversation's channel, a
/// callback's first try, the location of an appointment. Kept to what every promise needs: a
/// quarter of a busy business is tens of thousands of rows.
const PROMISE_FACTS: &str = "SELECT p.id, p.kind, p.status, p.owner_id, p.customer_id, \
     p.created_ms, p.closed_ms, p.due_ms, p.not_before_ms, a.location_id, \
     CASE WHEN p.kind = 'reply' THEN COALESCE(c.channel, 'other') WHEN p.kind = 'follow_up' THEN 'other' \
       ELSE 'phone' END AS channel, \
     CASE WHEN p.kind = 'callback' THEN (SELECT MIN(k.at_ms) FROM calls k WHERE k.callback_id = p.subject_id) END \
       AS first_attempt_ms \
     FROM promises p LEFT JOIN conversations c ON p.kind = 'reply' AND c.id = p.subject_id \
     LEFT JOIN appointments a ON p.kind = 'call_ahead' AND a.id = p.subject_id \
     WHERE p.created_ms >= $1 AND p.created_ms < $2 AND ($3 = '' OR p.owner_id = $3)";

/// What the lists of broken promises add: the customer's name, and for a reply whether the
/// customer wrote in frustration (read through the partial index `messages_frustrated`, whose
/// condition this repeats word for word so the database can use it).
fn broken_details(dialect: Dialect) -> String {
    format!(
        "SELECT p.id, cu.name AS customer_name, \
         CAST(CASE WHEN p.kind = 'reply' AND EXISTS (SELECT 1 FROM messages m {frustrated} \
           WHERE m.conversation_id = p.subject_id AND m.direction = 'inbound' AND m.frustration >= {FRUSTRATED_FROM}) \
           THEN 1 ELSE 0 END AS BIGINT) AS frustrated \
         FROM promises p {by_creation} LEFT JOIN customers cu ON cu.id = p.customer_id \
         WHERE p.created_ms >= $1 AND p.created_ms < $2 AND ($3 = '' OR p.owner_id = $3) AND p.status = 'broken'",
        frustrated = dialect.frustrated_messages(),
        by_creation = dialect.promises_by_creation(),
    )
}

const SURVEY_FACTS: &str = "SELECT s.id, s.kind, s.score, s.reason, s.answered_ms, s.customer_id, \
     cu.name AS customer_name, s.handler_id, s.recovery_id, p.status AS recovery_status \
     FROM surveys s LEFT JOIN customers cu ON cu.id = s.customer_id LEFT JOIN promises p ON p.id = s.recovery_id \
     WHERE s.answered_ms >= $1 AND s.answered_ms < $2 AND s.status = 'answered' AND ($3 = '' OR s.handler_id = $3)";

const CONTRACT_FACTS: &str = "SELECT k.status, k.outcome_ms, p.owner_id FROM contracts k \
     LEFT JOIN promises p ON p.id = k.outreach_id \
     WHERE k.outcome_ms >= $1 AND k.outcome_ms < $2 AND k.status <> 'active' AND ($3 = '' OR p.owner_id = $3)";

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

/// Adds the broken promises' details to the promises read.
async fn add_broken_details(
    (pool, dialect): (&AnyPool, Dialect),
    promises: &mut [PromiseFact],
    period: (DateTime<Utc>, DateTime<Utc>),
    staff_id: Option<&str>,
) -> Result<()> {
    let mut details = std::collections::HashMap::new();
    for row in rows(pool, &broken_details(dialect), period, staff_id).await? {
        let id: String = row.try_get("id")?;
        let name: Option<String> = row.try_get("customer_name")?;
        let frustrated = row.try_get::<i64, _>("frustrated")? == 1;
        details.insert(id, (name, frustrated));
    }
    for promise in promises.iter_mut() {
        if let Some((name, frustrated)) = details.remove(&promise.id) {
            promise.customer_name = name;
            promise.frustrated = frustrated;
        }
    }
    Ok(())
}

/// Every row turned into a fact, or the first that cannot be.
fn each<T>(rows: Vec<AnyRow>, fact: fn(&AnyRow) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(fact).collect()
}

fn promise_fact(r: &AnyRow) -> Result<PromiseFact> {
    Ok(PromiseFact {
        id: r.try_get("id")?,
        kind: parse_enum(r.try_get("kind")?, PromiseKind::parse)?,
        status: parse_enum(r.try_get("status")?, PromiseStatus::parse)?,
        owner_id: r.try_get("owner_id")?,
        channel: r.try_get("channel")?,
        created_at: from_ms(r.try_get("created_ms")?),
        closed_at: r.try_get::<Option<i64>, _>("closed_ms")?.map(from_ms),
        due_at: from_ms(r.try_get("due_ms")?),
        not_before: from_ms(r.try_get("not_before_ms")?),
        customer_id: r.try_get("customer_id")?,
        // Read for the broken ones only (add_broken_details): only their lists show them.
        customer_name: None,
        location_id: r.try_get("location_id")?,
        first_attempt_at: r.try_get::<Option<i64>, _>("first_attempt_ms")?.map(from_ms),
        frustrated: false,
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
        let mut promises = each(rows(pool, PROMISE_FACTS, period, staff_id).await?, promise_fact)?;
        let surveys = each(rows(pool, SURVEY_FACTS, period, staff_id).await?, survey_fact)?;
        if reading == Reading::Comparison {
            return Ok(Facts {
                promises,
                surveys,
                ..Facts::default()
            });
        }
        add_broken_details((pool, self.dialect), &mut promises, period, staff_id).await?;
        Ok(Facts {
            promises,
            surveys,
            contracts: each(rows(pool, CONTRACT_FACTS, period, staff_id).await?, contract_fact)?,
            appointments: each(rows(pool, APPOINTMENT_FACTS, period, staff_id).await?, appointment_fact)?,
        })
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
    use super::*;

    #[test]
    fn the_frustrated_index_has_the_threshold_the_lists_ask_for() {
        let condition = format!("WHERE direction = 'inbound' AND frustration >= {FRUSTRATED_FROM};");
        for migration in [
            include_str!("../migrations/sqlite/0022_frustrated_messages.sql"),
            include_str!("../migrations/postgres/0022_frustrated_messages.sql"),
        ] {
            assert!(migration.contains(&condition), "{condition}");
        }
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            assert!(broken_details(dialect).contains(&format!("m.frustration >= {FRUSTRATED_FROM})")));
        }
    }
}
