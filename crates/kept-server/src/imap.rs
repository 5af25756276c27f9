//! Reading customer e-mail from a mailbox over IMAP (async-imap), by UID: the adapter behind
//! [`kept_app::mailboxes::MailboxReader`]. Which messages are new and how each is imported is
//! kept-app's (see there); here: connecting (TLS unless told otherwise), logging in, selecting
//! the mailbox, searching and fetching — bodies with `BODY.PEEK[]`, so flags are neither read
//! nor changed and mail read on a phone first is imported all the same. Each poll's outcome is
//! the mailbox's health on the settings page; the owners are e-mailed when fetching has failed
//! for half an hour.

use std::sync::Arc;

use async_imap::Session;
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
use kept_app::mailboxes::{ImportError, MailboxReader, PollReport};

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
    /// Searching or fetching failed, in async-imap's words.
    #[error("{0}")]
    Mailbox(String),
}

impl From<ImportError> for ImapError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Mailbox(text) => ImapError::Mailbox(text),
            ImportError::Store(text) => ImapError::Store(text),
        }
    }
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

/// A selected mailbox on an IMAP session.
struct ImapMailbox<T>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    session: Session<T>,
    uid_validity: i64,
    uid_next: i64,
}

#[async_trait::async_trait]
impl<T> MailboxReader for ImapMailbox<T>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    fn uids(&self) -> (i64, i64) {
        (self.uid_validity, self.uid_next)
    }

    async fn search(&mut self, after_uid: i64, since: NaiveDate) -> Result<Vec<u32>, String> {
        let query = format!("UID {}:* SINCE {}", after_uid + 1, since.format("%-d-%b-%Y"));
        let found = self.session.uid_search(&query).await.map_err(imap_words)?;
        Ok(found.into_iter().collect())
    }

    async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, String> {
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        self.session
            .uid_fetch(&set, "BODY.PEEK[]")
            .await
            .map_err(imap_words)?
            .try_filter_map(|fetch| async move { Ok(fetch.uid.zip(fetch.body().map(<[u8]>::to_vec))) })
            .try_collect()
            .await
            .map_err(imap_words)
    }
}

/// An async-imap error as the mailbox's health shows it.
fn imap_words(error: async_imap::error::Error) -> String {
    ImapError::Protocol(error).to_string()
}

/// Logs in, selects the mailbox, imports what is new (kept-app decides what that is) and logs
/// out.
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
    let selected = session.select(&imap.mailbox).await?;
    let mut mailbox = ImapMailbox {
        uid_validity: i64::from(selected.uid_validity.unwrap_or(0)),
        uid_next: i64::from(selected.uid_next.unwrap_or(1)),
        session,
    };
    kept_app::mailboxes::import_new(state, &imap.key(), imap.since, &mut mailbox, report).await?;
    mailbox.session.logout().await?;
    Ok(())
}
