//! Fetching customer e-mail from a mailbox over IMAP (async-imap).
//!
//! Each poll asks for unseen mail, reads it without marking it (`BODY.PEEK[]`), stores it and
//! only then marks it `\Seen`. A crash between the two leaves the message unseen; the next poll
//! fetches it again and the store recognises it by its Message-ID (or content hash), so every
//! message is imported exactly once even across restarts and with several nodes polling.

use std::sync::Arc;

use async_imap::Session;
use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::app::{self, EmailAccepted, MailSource};
use crate::config::ImapSettings;
use crate::state::AppState;

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
    /// Not stored (the database was unavailable): left unseen for the next poll.
    pub failed: usize,
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

/// Connects, imports every unseen message and logs out.
pub async fn poll_once(state: &AppState, imap: &ImapSettings) -> Result<PollReport, ImapError> {
    let tcp = TcpStream::connect((imap.host.as_str(), imap.port)).await?;
    if imap.tls {
        let name = ServerName::try_from(imap.host.clone()).map_err(|e| ImapError::ServerName(e.to_string()))?;
        let tls = TlsConnector::from(tls_config()).connect(name, tcp).await?;
        import_unseen(state, imap, tls).await
    } else {
        import_unseen(state, imap, tcp).await
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

async fn import_unseen<T>(state: &AppState, imap: &ImapSettings, stream: T) -> Result<PollReport, ImapError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let mut client = async_imap::Client::new(stream);
    client.read_response().await?;
    let mut session = client
        .login(&imap.user, &imap.password)
        .await
        .map_err(|(error, _)| error)?;
    session.select(&imap.mailbox).await?;
    let mut unseen: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
    unseen.sort_unstable();
    let mut report = PollReport::default();
    for batch in unseen.chunks(BATCH) {
        import_batch(state, &mut session, batch, &mut report).await?;
    }
    session.logout().await?;
    Ok(report)
}

async fn import_batch<T>(
    state: &AppState,
    session: &mut Session<T>,
    uids: &[u32],
    report: &mut PollReport,
) -> Result<(), ImapError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let set = uid_set(uids);
    let fetched: Vec<(u32, Vec<u8>)> = session
        .uid_fetch(&set, "BODY.PEEK[]")
        .await?
        .try_filter_map(|fetch| async move { Ok(fetch.uid.zip(fetch.body().map(<[u8]>::to_vec))) })
        .try_collect()
        .await?;
    let mut done = Vec::with_capacity(fetched.len());
    for (uid, raw) in fetched {
        match app::accept_email(state, &raw, MailSource::Imap).await {
            Ok(EmailAccepted::Stored(recorded)) if recorded.duplicate => report.duplicates += 1,
            Ok(EmailAccepted::Stored(_)) => report.stored += 1,
            Ok(EmailAccepted::Flagged { .. }) => report.flagged += 1,
            Ok(EmailAccepted::Bounced { .. }) => report.bounced += 1,
            Ok(EmailAccepted::CalendarAnswer { .. }) => report.answers += 1,
            Err(error) => {
                tracing::warn!(uid, %error, "could not store an e-mail; it stays unseen for the next poll");
                report.failed += 1;
                continue;
            }
        }
        done.push(uid);
    }
    if !done.is_empty() {
        // Only what is safely stored is marked seen.
        session
            .uid_store(uid_set(&done), "+FLAGS.SILENT (\\Seen)")
            .await?
            .try_collect::<Vec<_>>()
            .await?;
    }
    Ok(())
}

fn uid_set(uids: &[u32]) -> String {
    uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}
