//! What kept remembers of the mailbox it polls: where the last import stopped (per
//! UIDVALIDITY, so a rebuilt mailbox is read again from the start) and how the polls go (the
//! owners are told once when it keeps failing). The IMAP adapter in the web crate does the
//! fetching.

use kept_store::{MailboxState, Polled};

use crate::App;
use crate::error::AppError;

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
