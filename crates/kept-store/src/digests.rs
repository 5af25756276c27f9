//! The "expected today" e-mail: when a location opens, the staff working there get the day's
//! list of who is coming. Each location's digest of a day is claimed under a unique key, so it
//! goes out once however many nodes look, and also when kept started after opening time.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use kept_domain::booking::digest_day;
use kept_domain::hours::BusinessHours;
use kept_domain::{OutboxEvent, new_id};
use sqlx::Row;

use crate::appointments::{AppointmentView, Appointments};
use crate::model::Fanout;
use crate::outbox::{self, Announcement};
use crate::schedules::{Location, Schedules, team_at};
use crate::sql::SqlStore;
use crate::time::to_ms;
use crate::{Result, StoreError};

/// One location's day, as its digest e-mail shows it.
#[derive(Debug, Clone)]
pub struct DigestView {
    pub id: String,
    pub location: Location,
    pub day: NaiveDate,
    /// The appointments still on that day, by start time.
    pub appointments: Vec<AppointmentView>,
}

#[async_trait]
pub trait Digests {
    /// Queues the digest of every location that has opened today and had none yet, to each
    /// staff member working there that day or booked there; a location with nothing booked
    /// that day sends none. How many digests were queued.
    async fn send_due_digests(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize>;
    async fn location_digest(&self, id: &str) -> Result<Option<DigestView>>;
}

/// The instants a local day begins and ends.
fn day_bounds(hours: &BusinessHours, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.succ_opt().unwrap_or(day);
    (hours.instant(day, NaiveTime::MIN), hours.instant(next, NaiveTime::MIN))
}

impl SqlStore {
    async fn digest_sent(&self, location_id: &str, day: NaiveDate) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM location_digests WHERE location_id = $1 AND day = $2")
            .bind(location_id)
            .bind(day.to_string())
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    async fn expected(&self, location: &Location, day: NaiveDate) -> Result<Vec<AppointmentView>> {
        let (from, until) = day_bounds(&location.hours, day);
        let mut list = self.appointments(from, until, Some(&location.id)).await?;
        list.retain(|a| a.status.is_active());
        Ok(list)
    }

    /// Who gets a location's digest: everyone booked there that day, and everyone working there.
    async fn digest_recipients(
        &self,
        location: &Location,
        day: NaiveDate,
        expected: &[AppointmentView],
    ) -> Result<Vec<String>> {
        let mut recipients: BTreeSet<String> = expected.iter().map(|a| a.staff_id.clone()).collect();
        let team = team_at(&self.read, &location.id).await?;
        recipients.extend(
            team.into_iter()
                .filter(|person| person.works_on(&location.hours, day))
                .map(|person| person.staff_id),
        );
        Ok(recipients.into_iter().collect())
    }
}

#[async_trait]
impl Digests for SqlStore {
    async fn send_due_digests(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize> {
        if !fanout.email {
            return Ok(0);
        }
        let mut queued = 0;
        for location in self.locations().await?.into_iter().filter(|l| l.active) {
            let Some(day) = digest_day(&location.hours, now) else {
                continue;
            };
            if self.digest_sent(&location.id, day).await? {
                continue;
            }
            let expected = self.expected(&location, day).await?;
            let recipients = match expected.is_empty() {
                true => Vec::new(),
                false => self.digest_recipients(&location, day, &expected).await?,
            };
            let id = new_id();
            let mut tx = self.begin_write().await?;
            let claimed = sqlx::query(
                "INSERT INTO location_digests (id, location_id, day, created_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (location_id, day) DO NOTHING",
            )
            .bind(&id)
            .bind(&location.id)
            .bind(day.to_string())
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 1 && !recipients.is_empty() {
                let email_only = Fanout {
                    email: true,
                    webhook: false,
                };
                let announcement = Announcement {
                    event: OutboxEvent::AppointmentDigest,
                    subject_id: &id,
                    recipients: &recipients,
                    fanout: email_only,
                    now,
                };
                outbox::announce(&mut tx, &[announcement]).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    async fn location_digest(&self, id: &str) -> Result<Option<DigestView>> {
        let row = sqlx::query("SELECT location_id, day FROM location_digests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let day_text: String = row.try_get("day")?;
        let day = day_text.parse().map_err(|_| StoreError::Corrupt(day_text.clone()))?;
        let location_id: String = row.try_get("location_id")?;
        let Some(location) = self.location(&location_id).await? else {
            return Ok(None);
        };
        let appointments = self.expected(&location, day).await?;
        Ok(Some(DigestView {
            id: id.to_string(),
            location,
            day,
            appointments,
        }))
    }
}
