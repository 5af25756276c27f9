//! The customer's own page of a request (`/p/<token>`): the link each conversation or callback
//! request gets when first needed, and the record of the customer opening it. The only SQL on
//! `status_links` and `status_views`.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use kept_domain::{StatusSubject, new_id};
use sqlx::Row;

use crate::Result;
use crate::dialect::parse_enum;
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};

/// What a token opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLink {
    pub token: String,
    pub subject: StatusSubject,
    pub subject_id: String,
    pub customer_id: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait StatusPages {
    /// The token of a request's page: `fresh` becomes it when the request has none yet.
    async fn status_link(
        &self,
        subject: StatusSubject,
        subject_id: &str,
        customer_id: &str,
        fresh: &str,
        now: DateTime<Utc>,
    ) -> Result<String>;
    /// The request's token, if it has one.
    async fn existing_status_link(&self, subject: StatusSubject, subject_id: &str) -> Result<Option<String>>;
    /// What `token` opens, if anything.
    async fn status_link_by_token(&self, token: &str) -> Result<Option<StatusLink>>;
    /// Deletes the request's link: its page is gone at once, and a later link is a new token.
    /// Whether it had one.
    async fn revoke_status_link(&self, subject: StatusSubject, subject_id: &str) -> Result<bool>;
    /// Records that the customer opened the page, unless they did so less than `quiet` ago
    /// (a page left open and reloaded is one visit on the timeline, not fifty).
    async fn note_status_view(&self, link: &StatusLink, now: DateTime<Utc>, quiet: Duration) -> Result<()>;
}

#[async_trait]
impl StatusPages for SqlStore {
    async fn status_link(
        &self,
        subject: StatusSubject,
        subject_id: &str,
        customer_id: &str,
        fresh: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        if let Some(token) = self.existing_status_link(subject, subject_id).await? {
            return Ok(token);
        }
        sqlx::query(
            "INSERT INTO status_links (token, subject_kind, subject_id, customer_id, created_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_kind, subject_id) DO NOTHING",
        )
        .bind(fresh)
        .bind(subject.as_str())
        .bind(subject_id)
        .bind(customer_id)
        .bind(to_ms(now))
        .execute(&self.write)
        .await?;
        // Another node may have made one first: theirs is the link.
        let row = sqlx::query("SELECT token FROM status_links WHERE subject_kind = $1 AND subject_id = $2")
            .bind(subject.as_str())
            .bind(subject_id)
            .fetch_one(&self.write)
            .await?;
        Ok(row.try_get("token")?)
    }

    async fn existing_status_link(&self, subject: StatusSubject, subject_id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT token FROM status_links WHERE subject_kind = $1 AND subject_id = $2")
            .bind(subject.as_str())
            .bind(subject_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.try_get("token")).transpose()?)
    }

    async fn status_link_by_token(&self, token: &str) -> Result<Option<StatusLink>> {
        let row = sqlx::query(
            "SELECT token, subject_kind, subject_id, customer_id, created_ms FROM status_links WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(StatusLink {
                token: r.try_get("token")?,
                subject: parse_enum(r.try_get("subject_kind")?, StatusSubject::parse)?,
                subject_id: r.try_get("subject_id")?,
                customer_id: r.try_get("customer_id")?,
                created_at: from_ms(r.try_get("created_ms")?),
            })
        })
        .transpose()
    }

    async fn revoke_status_link(&self, subject: StatusSubject, subject_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM status_links WHERE subject_kind = $1 AND subject_id = $2")
            .bind(subject.as_str())
            .bind(subject_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn note_status_view(&self, link: &StatusLink, now: DateTime<Utc>, quiet: Duration) -> Result<()> {
        let recent = sqlx::query("SELECT 1 AS seen FROM status_views WHERE subject_id = $1 AND at_ms > $2 LIMIT 1")
            .bind(&link.subject_id)
            .bind(to_ms(now - quiet))
            .fetch_optional(&self.read)
            .await?;
        if recent.is_some() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO status_views (id, customer_id, subject_kind, subject_id, at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id())
        .bind(&link.customer_id)
        .bind(link.subject.as_str())
        .bind(&link.subject_id)
        .bind(to_ms(now))
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
