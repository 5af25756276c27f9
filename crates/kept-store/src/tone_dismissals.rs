//! Tone findings staff marked "not a problem here": the business's own exceptions to the
//! checker, each with who marked it and when, for the owner to see and take back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kept_domain::new_id;
use sqlx::Row;

use crate::Result;
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};

/// A finding marked as not a problem here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToneDismissal {
    pub id: String,
    /// The rule's id ("generic_greeting").
    pub rule: String,
    /// The words, as compared: lower case, single spaces.
    pub excerpt: String,
    pub staff_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait ToneDismissals {
    /// Records that `excerpt` is not a problem for `rule` here (once: again changes nothing).
    async fn dismiss_finding(&self, rule: &str, excerpt: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()>;
    /// Every finding marked so, the latest first.
    async fn tone_dismissals(&self) -> Result<Vec<ToneDismissal>>;
    /// Takes one back; false when there is none by that id.
    async fn undo_tone_dismissal(&self, id: &str) -> Result<bool>;
}

#[async_trait]
impl ToneDismissals for SqlStore {
    async fn dismiss_finding(&self, rule: &str, excerpt: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO tone_dismissals (id, rule, excerpt, staff_id, created_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (rule, excerpt) DO NOTHING",
        )
        .bind(new_id())
        .bind(rule)
        .bind(excerpt)
        .bind(staff_id)
        .bind(to_ms(now))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn tone_dismissals(&self) -> Result<Vec<ToneDismissal>> {
        let rows = sqlx::query(
            "SELECT d.id, d.rule, d.excerpt, s.name AS staff_name, d.created_ms FROM tone_dismissals d \
             LEFT JOIN staff s ON s.id = d.staff_id ORDER BY d.created_ms DESC, d.id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ToneDismissal {
                    id: r.try_get("id")?,
                    rule: r.try_get("rule")?,
                    excerpt: r.try_get("excerpt")?,
                    staff_name: r.try_get("staff_name")?,
                    created_at: from_ms(r.try_get("created_ms")?),
                })
            })
            .collect()
    }

    async fn undo_tone_dismissal(&self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tone_dismissals WHERE id = $1")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
