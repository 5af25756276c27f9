//! Fetching customer e-mail from a mailbox over IMAP (async-imap), by UID.
//!
//! kept remembers per mailbox the UIDVALIDITY and the highest UID it has imported, and asks
//! for the UIDs above it: every message is imported once, whether or not someone read it on
//! their phone first (flags are neither read nor changed; bodies are fetched with
//! `BODY.PEEK[]`). A mailbox new to kept is read from that moment on (or from `imap_since`).
//! When the UIDVALIDITY changes, the UIDs mean other messages: kept reads again what arrived
//! since it started watching, and recognises what it had by Message-ID (or content hash).
//! Every search is also bounded by that date, so old mail moved into the folder is not taken
//! for new. A message that cannot be read is stored raw and flagged and the next one follows;
//! a database that cannot store one stops the poll there, to go on from it next time. Each
//! poll's outcome is the mailbox's health on the settings page; the owners are e-mailed when
//! fetching has failed for half an hour.

use std::sync::Arc;

use async_imap::Session;
use async_imap::types::Mailbox;
use chrono::NaiveDate;
use futures::TryStreamExt;
use kept_app::records::Polled;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::state::AppState;
use kept_app::config::ImapSettings;
use kept_app::{self as app, EmailAccepted, MailSource};

/// How many messages one FETCH asks for, so a full mailbox is worked through in steps.
const BATCH: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot reach the IMAP server: {0}")]
    Connect(#[from] std::io::Error),
    #[error("IMAP: {0}")]
    Protocol(#[from] async_imap::error::Error),
    #[error("the IMAP server's name is not valid for TLS: {0}")]
    ServerName(String),
    #[error("could not store a fetched e-mail: {0}")]
    Store(String),
}

impl From<kept_app::error::AppError> for ImapError {
    fn from(error: kept_app::error::AppError) -> Self {
        ImapError::Store(error.to_string())
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

pub async fn run_imap(state: AppState, imap: ImapSettings, mut stop: watch::Receiver<bool>) {
    tracing::info!(mailbox = ?imap, "fetching e-mail over IMAP");
    while !*stop.borrow() {
        match poll_once(&state, &imap).await {
            Ok(report) if report != PollReport::default() => tracing::info!(?report, "IMAP poll"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "IMAP poll failed; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(imap.poll) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Connects, imports every new message, logs out, and records how it went.
pub async fn poll_once(state: &AppState, imap: &ImapSettings) -> Result<PollReport, ImapError> {
    let mut report = PollReport::default();
    let result = connect_and_import(state, imap, &mut report).await;
    let polled = Polled {
        now: state.clock.now(),
        error: result.as_ref().err().map(ToString::to_string),
        waiting: Some(i64::try_from(report.waiting).unwrap_or(i64::MAX)),
        fanout: state.fanout(),
    };
    if let Err(error) = kept_app::mailboxes::mailbox_polled(state, &imap.key(), polled).await {
        tracing::warn!(%error, "could not record how the IMAP poll went");
    }
    result.map(|()| report)
}

async fn connect_and_import(state: &AppState, imap: &ImapSettings, report: &mut PollReport) -> Result<(), ImapError> {
    let tcp = TcpStream::connect((imap.host.as_str(), imap.port)).await?;
    if imap.tls {
        let name = ServerName::try_from(imap.host.clone()).map_err(|e| ImapError::ServerName(e.to_string()))?;
        let tls = TlsConnector::from(tls_config()).connect(name, tcp).await?;
        import_new(state, imap, tls, report).await
    } else {
        import_new(state, imap, tcp, report).await
    }
}

fn tls_config() -> Arc<ClientConfig> {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    // Two crypto providers are linked in (through reqwest and lettre); name one explicitly.
    let config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(config) => Arc::new(config),
        Err(error) => unreachable!("ring supports the default TLS versions: {error}"),
    }
}

/// Where this poll starts: above which UID, and from which day (IMAP's SINCE).
struct Start {
    uid_validity: i64,
    after_uid: i64,
    since: NaiveDate,
}

async fn import_new<T>(
    state: &AppState,
    imap: &ImapSettings,
    stream: T,
    report: &mut PollReport,
) -> Result<(), ImapError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let mut client = async_imap::Client::new(stream);
    client.read_response().await?;
    let mut session = client
        .login(&imap.user, &imap.password)
        .await
        .map_err(|(error, _)| error)?;
    let mailbox = session.select(&imap.mailbox).await?;
    let start = start(state, imap, &mailbox).await?;
    let query = format!(
        "UID {}:* SINCE {}",
        start.after_uid + 1,
        start.since.format("%-d-%b-%Y")
    );
    // "n:*" always names the newest message, even below n.
    let mut uids: Vec<u32> = session
        .uid_search(&query)
        .await?
        .into_iter()
        .filter(|uid| i64::from(*uid) > start.after_uid)
        .collect();
    uids.sort_unstable();
    report.waiting = uids.len();
    for batch in uids.chunks(BATCH) {
        import_batch(state, imap, &mut session, &start, batch, report).await?;
    }
    session.logout().await?;
    Ok(())
}

/// Reads (or begins) what kept knows of this mailbox.
async fn start(state: &AppState, imap: &ImapSettings, mailbox: &Mailbox) -> Result<Start, ImapError> {
    let key = imap.key();
    let now = state.clock.now();
    let uid_validity = i64::from(mailbox.uid_validity.unwrap_or(0));
    let known = kept_app::mailboxes::mailbox(state, &key).await?;
    // A day's margin: IMAP dates are the server's days, kept's may be another zone's.
    let day_before = |at: chrono::DateTime<chrono::Utc>| at.date_naive() - chrono::Days::new(1);
    let start = match known {
        Some(known) if known.uid_validity == uid_validity => Start {
            uid_validity,
            after_uid: known.last_uid,
            since: imap
                .since
                .unwrap_or(day_before(known.started_at))
                .min(day_before(known.started_at)),
        },
        // Watched before under another UIDVALIDITY: read again since kept started watching.
        Some(known) if known.uid_validity >= 0 => {
            tracing::warn!(mailbox = %key, "the mailbox's UIDVALIDITY changed; reading it again");
            kept_app::mailboxes::watch_mailbox(state, &key, uid_validity, 0).await?;
            Start {
                uid_validity,
                after_uid: 0,
                since: imap
                    .since
                    .unwrap_or(day_before(known.started_at))
                    .min(day_before(known.started_at)),
            }
        }
        // New to kept: from now on (what is there stays there), or since the day asked for.
        _ => {
            let after_uid = match imap.since {
                Some(_) => 0,
                None => i64::from(mailbox.uid_next.unwrap_or(1).saturating_sub(1)),
            };
            kept_app::mailboxes::watch_mailbox(state, &key, uid_validity, after_uid).await?;
            Start {
                uid_validity,
                after_uid,
                since: imap.since.unwrap_or(day_before(now)),
            }
        }
    };
    Ok(start)
}

async fn import_batch<T>(
    state: &AppState,
    imap: &ImapSettings,
    session: &mut Session<T>,
    start: &Start,
    uids: &[u32],
    report: &mut PollReport,
) -> Result<(), ImapError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let mut fetched: Vec<(u32, Vec<u8>)> = session
        .uid_fetch(&set, "BODY.PEEK[]")
        .await?
        .try_filter_map(|fetch| async move { Ok(fetch.uid.zip(fetch.body().map(<[u8]>::to_vec))) })
        .try_collect()
        .await?;
    fetched.sort_unstable_by_key(|(uid, _)| *uid);
    for (uid, raw) in fetched {
        match app::accept_email(state, &raw, MailSource::Imap).await {
            Ok(EmailAccepted::Stored(recorded)) if recorded.duplicate => report.duplicates += 1,
            Ok(EmailAccepted::Stored(_)) => report.stored += 1,
            Ok(EmailAccepted::Flagged { .. }) => report.flagged += 1,
            Ok(EmailAccepted::Bounced { .. }) => report.bounced += 1,
            Ok(EmailAccepted::CalendarAnswer { .. }) => report.answers += 1,
            // The database could not take it: go on from this one next time.
            Err(error) => return Err(ImapError::Store(error.to_string())),
        }
        kept_app::mailboxes::mailbox_imported(state, &imap.key(), start.uid_validity, i64::from(uid)).await?;
        report.waiting = report.waiting.saturating_sub(1);
    }
    Ok(())
}
