//! The mailbox kept polls: which messages are new (by UID, per UIDVALIDITY, so a rebuilt
//! mailbox is read again since kept started watching), importing them once each, and how the
//! polls go (the owners are told once when it keeps failing). Reading the mailbox itself is a
//! [`MailboxReader`] — IMAP in the web crate.
//!
//! A mailbox new to kept is read from that moment on (or from `since`). Every search is also
//! bounded by a day, so old mail moved into the folder is not taken for new. A message that
//! cannot be read is stored raw and flagged and the next one follows; a database that cannot
//! store one stops the poll there, to go on from it next time.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kept_store::{MailboxState, Polled};

use crate::App;
use crate::email_in::{EmailAccepted, MailSource, accept_email};
use crate::error::AppError;

/// How many messages one fetch asks for, so a full mailbox is worked through in steps.
const BATCH: usize = 50;

/// A selected mailbox, as kept reads it.
#[async_trait]
pub trait MailboxReader: Send {
    /// Its UIDVALIDITY and the UID the next message will get.
    fn uids(&self) -> (i64, i64);
    /// The UIDs above `after_uid` of messages that arrived on or after `since`, in any order.
    async fn search(&mut self, after_uid: i64, since: NaiveDate) -> Result<Vec<u32>, String>;
    /// The raw messages with these UIDs (the flags left as they are).
    async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, String>;
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The mailbox could not be read; the adapter's words.
    #[error("{0}")]
    Mailbox(String),
    #[error("could not store a fetched e-mail: {0}")]
    Store(String),
}

impl From<AppError> for ImportError {
    fn from(error: AppError) -> Self {
        ImportError::Store(error.to_string())
    }
}

/// What one poll did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollReport {
    pub stored: usize,
    pub duplicates: usize,
    pub flagged: usize,
    /// Bounces recorded on the message they return.
    pub bounced: usize,
    /// Answers to calendar invitations recorded on their appointment.
    pub answers: usize,
    /// New messages seen in the mailbox and not imported (the poll stopped early).
    pub waiting: usize,
}

/// Where this poll starts: above which UID, and from which day.
struct Start {
    uid_validity: i64,
    after_uid: i64,
    since: NaiveDate,
}

/// Imports every message of the mailbox named `key` that kept has not imported yet.
pub async fn import_new(
    app: &App,
    key: &str,
    since: Option<NaiveDate>,
    reader: &mut dyn MailboxReader,
    report: &mut PollReport,
) -> Result<(), ImportError> {
    let start = start(app, key, since, reader.uids()).await?;
    // A search for "n:*" also names the newest message when it is below n.
    let mut uids: Vec<u32> = reader
        .search(start.after_uid, start.since)
        .await
        .map_err(ImportError::Mailbox)?
        .into_iter()
        .filter(|uid| i64::from(*uid) > start.after_uid)
        .collect();
    uids.sort_unstable();
    report.waiting = uids.len();
    for batch in uids.chunks(BATCH) {
        let mut fetched = reader.fetch(batch).await.map_err(ImportError::Mailbox)?;
        fetched.sort_unstable_by_key(|(uid, _)| *uid);
        for (uid, raw) in fetched {
            import_one(app, &raw, report).await?;
            mailbox_imported(app, key, start.uid_validity, i64::from(uid)).await?;
            report.waiting = report.waiting.saturating_sub(1);
        }
    }
    Ok(())
}

async fn import_one(app: &App, raw: &[u8], report: &mut PollReport) -> Result<(), ImportError> {
    match accept_email(app, raw, MailSource::Imap).await? {
        EmailAccepted::Stored(recorded) if recorded.duplicate => report.duplicates += 1,
        EmailAccepted::Stored(_) => report.stored += 1,
        EmailAccepted::Flagged { .. } => report.flagged += 1,
        EmailAccepted::Bounced { .. } => report.bounced += 1,
        EmailAccepted::CalendarAnswer { .. } => report.answers += 1,
    }
    Ok(())
}

/// Reads (or begins) what kept knows of this mailbox.
async fn start(
    app: &App,
    key: &str,
    since: Option<NaiveDate>,
    (uid_validity, uid_next): (i64, i64),
) -> Result<Start, ImportError> {
    // A day's margin: the mailbox's days are the server's, kept's may be another zone's.
    let day_before = |at: DateTime<Utc>| at.date_naive() - chrono::Days::new(1);
    // A mailbox kept watched before is read from the day it started watching at the latest.
    let since_watching = |known: &MailboxState| {
        let started = day_before(known.started_at);
        since.unwrap_or(started).min(started)
    };
    let start = match mailbox(app, key).await? {
        Some(known) if known.uid_validity == uid_validity => Start {
            uid_validity,
            after_uid: known.last_uid,
            since: since_watching(&known),
        },
        // Watched before under another UIDVALIDITY: read again since kept started watching.
        Some(known) if known.uid_validity >= 0 => {
            tracing::warn!(mailbox = %key, "the mailbox's UIDVALIDITY changed; reading it again");
            watch_mailbox(app, key, uid_validity, 0).await?;
            Start {
                uid_validity,
                after_uid: 0,
                since: since_watching(&known),
            }
        }
        // New to kept: from now on (what is there stays there), or since the day asked for.
        _ => {
            let after_uid = match since {
                Some(_) => 0,
                None => uid_next.saturating_sub(1).max(0),
            };
            watch_mailbox(app, key, uid_validity, after_uid).await?;
            Start {
                uid_validity,
                after_uid,
                since: since.unwrap_or(day_before(app.clock.now())),
            }
        }
    };
    Ok(start)
}

/// The mailbox named `key`, as far as kept knows it.
pub async fn mailbox(app: &App, key: &str) -> Result<Option<MailboxState>, AppError> {
    Ok(app.store.mailbox(key).await?)
}

/// Watches a mailbox from `last_uid` on under `uid_validity`: the first time, or again after
/// its UIDVALIDITY changed.
pub async fn watch_mailbox(app: &App, key: &str, uid_validity: i64, last_uid: i64) -> Result<(), AppError> {
    Ok(app
        .store
        .watch_mailbox(key, uid_validity, last_uid, app.clock.now())
        .await?)
}

/// Everything up to `uid` is imported.
pub async fn mailbox_imported(app: &App, key: &str, uid_validity: i64, uid: i64) -> Result<(), AppError> {
    Ok(app.store.mailbox_imported(key, uid_validity, uid).await?)
}

/// Records how a poll went.
pub async fn mailbox_polled(app: &App, key: &str, polled: Polled) -> Result<(), AppError> {
    Ok(app.store.mailbox_polled(key, polled).await?)
}
