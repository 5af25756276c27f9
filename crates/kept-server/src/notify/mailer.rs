//! Where kept's e-mail goes: an SMTP server (`smtp://`, `smtps://` URLs as lettre reads them),
//! or, for the demo and for trying kept out, a directory (`file:///path`) where each message
//! is written as an `.eml` file instead of being sent.

use std::path::Path;

use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::DeliveryError;
use kept_app::smtp_url::tls_trusting;

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Directory(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    /// From `smtp_url` in the settings, trusting the CA in `ca_file` too when there is one.
    pub fn from_url(url: &str, ca_file: Option<&Path>) -> Result<Mailer, String> {
        if let Some(path) = url.strip_prefix("file://") {
            std::fs::create_dir_all(path).map_err(|e| format!("smtp_url {url}: {e}"))?;
            return Ok(Mailer::Directory(AsyncFileTransport::new(path)));
        }
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("smtp_url: {e}"))?;
        let builder = match ca_file {
            Some(ca_file) => builder.tls(tls_trusting(url, ca_file)?),
            None => builder,
        };
        // Connections are kept open and reused: a new one per message (greeting, EHLO, often
        // TLS and a login) held a burst of notifications to ~23 per second.
        let pool = PoolConfig::new().max_size(super::DELIVERY_CONCURRENCY as u32);
        Ok(Mailer::Smtp(
            builder
                .timeout(Some(std::time::Duration::from_secs(20)))
                .pool_config(pool)
                .build(),
        ))
    }
}

impl Mailer {
    /// Sends (or writes) `message`; a refusal by the server is permanent, anything else is
    /// worth another try.
    pub async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        match self {
            Mailer::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(()),
                Err(error) if error.is_permanent() => Err(DeliveryError::Permanent(error.to_string())),
                Err(error) => Err(DeliveryError::Temporary(error.to_string())),
            },
            Mailer::Directory(directory) => directory
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError::Temporary(e.to_string())),
        }
    }
}
