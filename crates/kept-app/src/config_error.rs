//! What is wrong with a setting (kept.toml, the environment, or a change on the settings
//! page): its own module, so that the settings' parts (surveys, …) and the whole can both name
//! it without importing each other.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not valid: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("setting {key}: {reason}")]
    Invalid { key: String, reason: String },
    /// A channel webhook while kept.toml has no webhook_secret to sign with: the value is
    /// right, the server is not set up for it.
    #[error("setting {key}: needs webhook_secret in kept.toml to sign what it sends")]
    NeedsWebhookSecret { key: String },
}

pub(crate) fn invalid(key: &str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        reason: reason.to_string(),
    }
}
