//! Fans: customers whose latest answer was the top score (CSAT 5, NPS 9–10) and who have been
//! customers for a long time, with what they said and when we last spoke; and the record that
//! someone thanked them. The only SQL on `fan_thanks`.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use const_format::concatcp;
use kept_domain::SurveyKind;
use kept_domain::SurveyStatus;
use sqlx::Row;

use crate::dialect::parse_enum;
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

#[derive(Debug, Clone)]
pub struct FanView {
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub kind: SurveyKind,
    pub score: i64,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
    /// The earlier of when kept first knew them and their first contract's start.
    pub customer_since: DateTime<Utc>,
    pub last_contact: Option<DateTime<Utc>>,
    pub thanked_at: Option<DateTime<Utc>>,
    pub thanked_note: Option<String>,
}

#[async_trait]
pub trait Fans {
    /// Fans who have been customers for at least `tenure`, latest answer first.
    async fn fans(&self, now: DateTime<Utc>, tenure: Duration, limit: i64) -> Result<Vec<FanView>>;
    /// Records that `staff_id` thanked the customer; `NotFound` for an unknown customer.
    async fn thank_fan(&self, customer_id: &str, staff_id: &str, note: Option<&str>, now: DateTime<Utc>) -> Result<()>;
}

/// The latest CSAT or NPS answer of each customer, when it is the top score.
const FANS_SELECT: &str = concatcp!(
    "SELECT v.customer_id, c.name, c.created_ms, v.kind, v.score, v.comment, v.answered_ms, \
     (SELECT MIN(k.start_date) FROM contracts k WHERE k.customer_id = v.customer_id) AS first_contract, \
     (SELECT MAX(m.sent_ms) FROM messages m WHERE m.customer_id = v.customer_id) AS last_message_ms, \
     (SELECT MAX(p.at_ms) FROM phone_calls p WHERE p.customer_id = v.customer_id) AS last_call_ms, \
     f.thanked_ms, f.note AS thanked_note \
     FROM surveys v JOIN customers c ON c.id = v.customer_id LEFT JOIN fan_thanks f ON f.customer_id = v.customer_id \
     WHERE v.status = ",
    SurveyStatus::Answered.sql(),
    " AND ((v.kind = ",
    SurveyKind::Csat.sql(),
    " AND v.score = 5) OR (v.kind = ",
    SurveyKind::Nps.sql(),
    " AND v.score >= 9)) \
     AND (c.created_ms <= $2 OR EXISTS (SELECT 1 FROM contracts t WHERE t.customer_id = v.customer_id AND t.start_date <= $3)) \
     AND v.answered_ms = (SELECT MAX(w.answered_ms) FROM surveys w WHERE w.customer_id = v.customer_id \
       AND w.status = ",
    SurveyStatus::Answered.sql(),
    " AND w.kind IN (",
    SurveyKind::Csat.sql(),
    ", ",
    SurveyKind::Nps.sql(),
    ")) \
     ORDER BY v.answered_ms DESC, v.customer_id LIMIT $1"
);

#[async_trait]
impl Fans for SqlStore {
    async fn fans(&self, now: DateTime<Utc>, tenure: Duration, limit: i64) -> Result<Vec<FanView>> {
        // Customers since before the cutoff: known to kept then, or under contract since then
        // (dates are written YYYY-MM-DD, so text order is date order).
        let cutoff = now - tenure;
        let rows = sqlx::query(FANS_SELECT)
            .bind(limit.clamp(1, 500))
            .bind(to_ms(cutoff))
            .bind(cutoff.date_naive().to_string())
            .fetch_all(&self.read)
            .await?;
        let mut fans = Vec::new();
        for row in rows {
            let known = from_ms(row.try_get("created_ms")?);
            let first_contract = row
                .try_get::<Option<String>, _>("first_contract")?
                .and_then(|d| d.parse::<NaiveDate>().ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc());
            let last = [
                row.try_get::<Option<i64>, _>("last_message_ms")?,
                row.try_get("last_call_ms")?,
            ];
            fans.push(FanView {
                customer_id: row.try_get("customer_id")?,
                customer_name: row.try_get("name")?,
                kind: parse_enum(row.try_get("kind")?, SurveyKind::parse)?,
                score: row.try_get::<Option<i64>, _>("score")?.unwrap_or_default(),
                comment: row.try_get("comment")?,
                answered_at: from_ms(row.try_get("answered_ms")?),
                customer_since: first_contract.map_or(known, |start| start.min(known)),
                last_contact: last.into_iter().flatten().max().map(from_ms),
                thanked_at: row.try_get::<Option<i64>, _>("thanked_ms")?.map(from_ms),
                thanked_note: row.try_get("thanked_note")?,
            });
        }
        Ok(fans)
    }

    async fn thank_fan(&self, customer_id: &str, staff_id: &str, note: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let known = sqlx::query("SELECT id FROM customers WHERE id = $1")
            .bind(customer_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO fan_thanks (customer_id, staff_id, note, thanked_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (customer_id) DO UPDATE SET staff_id = excluded.staff_id, note = excluded.note, \
             thanked_ms = excluded.thanked_ms",
        )
        .bind(customer_id)
        .bind(staff_id)
        .bind(note)
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
