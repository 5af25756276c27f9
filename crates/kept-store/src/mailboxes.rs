//! The mailboxes kept fetches customer e-mail from, by IMAP UID: up to which UID it has
//! imported (under which UIDVALIDITY), since when it watches, and how fetching goes — the
//! health the settings page shows. When fetching has failed for [`ALERT_AFTER`], the owners
//! are e-mailed once, until a fetch works again. The only SQL on `mailboxes`.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use kept_domain::OutboxEvent;
use sqlx::Row;

use crate::model::Fanout;
use crate::outbox::{self, Announcement};
use crate::sql::SqlStore;
use crate::staff::owner_ids;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// How long fetching may fail before the owners hear of it.
pub const ALERT_AFTER: Duration = Duration::minutes(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxState {
    /// "user@host:port/folder".
    pub key: String,
    /// -1 until kept first reached the mailbox.
    pub uid_validity: i64,
    /// Every message up to this UID has been imported (or was there before kept watched).
    pub last_uid: i64,
    pub started_at: DateTime<Utc>,
    /// The last try, and the last one that worked.
    pub polled_at: Option<DateTime<Utc>>,
    pub fetched_at: Option<DateTime<Utc>>,
    /// Why the last try failed; `None` when it worked.
    pub error: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    /// Messages in the mailbox not imported yet, as the last try saw them.
    pub waiting: i64,
}

/// How one poll went.
#[derive(Debug, Clone)]
pub struct Polled {
    pub now: DateTime<Utc>,
    pub error: Option<String>,
    /// `None` when the poll did not get as far as counting.
    pub waiting: Option<i64>,
    /// Whether e-mail is configured (the owners' alert is only ever e-mailed).
    pub fanout: Fanout,
}

#[async_trait]
pub trait Mailboxes {
    async fn mailbox(&self, key: &str) -> Result<Option<MailboxState>>;
    /// Watches a mailbox from `last_uid` on under `uid_validity`: the first time, or again after
    /// its UIDVALIDITY changed (its UIDs then mean other messages).
    async fn watch_mailbox(&self, key: &str, uid_validity: i64, last_uid: i64, now: DateTime<Utc>) -> Result<()>;
    /// Everything up to `uid` is imported (never moves back: two nodes may both fetch).
    async fn mailbox_imported(&self, key: &str, uid_validity: i64, uid: i64) -> Result<()>;
    /// Records how a poll went; after [`ALERT_AFTER`] of failures the owners are e-mailed, once.
    async fn mailbox_polled(&self, key: &str, polled: Polled) -> Result<()>;
}

#[async_trait]
impl Mailboxes for SqlStore {
    async fn mailbox(&self, key: &str) -> Result<Option<MailboxState>> {
        let row = sqlx::query(
            "SELECT key, uid_validity, last_uid, started_ms, polled_ms, fetched_ms, error, failing_since_ms, waiting \
             FROM mailboxes WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            let at =
                |name: &str| -> Result<Option<DateTime<Utc>>> { Ok(r.try_get::<Option<i64>, _>(name)?.map(from_ms)) };
            Ok(MailboxState {
                key: r.try_get("key")?,
                uid_validity: r.try_get("uid_validity")?,
                last_uid: r.try_get("last_uid")?,
                started_at: from_ms(r.try_get("started_ms")?),
                polled_at: at("polled_ms")?,
                fetched_at: at("fetched_ms")?,
                error: r.try_get("error")?,
                failing_since: at("failing_since_ms")?,
                waiting: r.try_get("waiting")?,
            })
        })
        .transpose()
    }

    async fn watch_mailbox(&self, key: &str, uid_validity: i64, last_uid: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO mailboxes (key, uid_validity, last_uid, started_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid",
        )
        .bind(key)
        .bind(uid_validity)
        .bind(last_uid)
        .bind(to_ms(now))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn mailbox_imported(&self, key: &str, uid_validity: i64, uid: i64) -> Result<()> {
        sqlx::query("UPDATE mailboxes SET last_uid = $1 WHERE key = $2 AND uid_validity = $3 AND last_uid < $1")
            .bind(uid)
            .bind(key)
            .bind(uid_validity)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn mailbox_polled(&self, key: &str, polled: Polled) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = to_ms(polled.now);
        // A mailbox kept never reached has its health recorded too (UIDVALIDITY -1: unknown).
        sqlx::query(
            "INSERT INTO mailboxes (key, uid_validity, last_uid, started_ms) VALUES ($1, -1, 0, $2) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let waiting = polled.waiting;
        match &polled.error {
            None => {
                sqlx::query(
                    "UPDATE mailboxes SET polled_ms = $1, fetched_ms = $1, error = NULL, failing_since_ms = NULL, \
                     alerted_ms = NULL, waiting = COALESCE($2, waiting) WHERE key = $3",
                )
                .bind(now)
                .bind(waiting)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            Some(error) => {
                let row = sqlx::query(
                    "UPDATE mailboxes SET polled_ms = $1, error = $2, failing_since_ms = COALESCE(failing_since_ms, $1), \
                     waiting = COALESCE($3, waiting) WHERE key = $4 RETURNING failing_since_ms, alerted_ms",
                )
                .bind(now)
                .bind(error)
                .bind(waiting)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                let since: i64 = row.try_get("failing_since_ms")?;
                let alerted: Option<i64> = row.try_get("alerted_ms")?;
                if alerted.is_none() && from_ms(since) + ALERT_AFTER <= polled.now {
                    alert_owners(&mut tx, key, polled.fanout.email, polled.now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// E-mails every owner that fetching has been failing (never a webhook: it is for people).
async fn alert_owners(conn: &mut sqlx::AnyConnection, key: &str, email: bool, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE mailboxes SET alerted_ms = $1 WHERE key = $2")
        .bind(to_ms(now))
        .bind(key)
        .execute(&mut *conn)
        .await?;
    let owners = owner_ids(&mut *conn).await?;
    let announcement = Announcement {
        event: OutboxEvent::MailboxFailing,
        subject_id: key,
        recipients: &owners,
        fanout: Fanout { email, webhook: false },
        now,
    };
    outbox::announce(conn, &[announcement]).await
}
