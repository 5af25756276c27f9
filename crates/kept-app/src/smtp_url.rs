//! An `smtp_url` (and the CA file beside it) as lettre reads them: checked when the settings
//! are read, and turned into the TLS the mailer connects with. Its own module, so that the
//! settings need not import the delivery code.

use std::path::Path;

use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// Whether `url` (and the CA in `ca_file`) can be used, without connecting or starting a
/// connection pool (which needs a runtime).
pub fn check(url: &str, ca_file: Option<&Path>) -> Result<(), String> {
    if url.starts_with("file://") {
        return Ok(());
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("smtp_url: {e}"))?;
    ca_file.map(|ca| tls_trusting(url, ca)).transpose()?;
    Ok(())
}

/// The URL's TLS (`smtps://`: from the first byte; `?tls=required` or `opportunistic`:
/// STARTTLS) with the CA in `ca_file` trusted besides the public ones.
pub fn tls_trusting(url: &str, ca_file: &Path) -> Result<Tls, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("smtp_url: {e}"))?;
    let host = parsed.host_str().ok_or("smtp_url: no host")?.to_string();
    let pem = std::fs::read(ca_file).map_err(|e| format!("smtp_ca_file {}: {e}", ca_file.display()))?;
    let ca = Certificate::from_pem(&pem).map_err(|e| format!("smtp_ca_file {}: {e}", ca_file.display()))?;
    let parameters = TlsParameters::builder(host)
        .add_root_certificate(ca)
        .build()
        .map_err(|e| format!("smtp_ca_file: {e}"))?;
    let asked = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    Ok(match (parsed.scheme(), asked.as_deref()) {
        ("smtps", _) => Tls::Wrapper(parameters),
        (_, Some("required")) => Tls::Required(parameters),
        (_, Some("opportunistic")) => Tls::Opportunistic(parameters),
        _ => Tls::None,
    })
}
