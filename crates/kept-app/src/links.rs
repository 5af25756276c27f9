//! Signed links customers open without logging in (managing an appointment, answering a
//! survey): HMAC-SHA256 of the record's id under a key made once per installation and shared
//! by every node through the database. A link is bound to its record; what it allows and for
//! how long is decided by the use case that checks it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::App;
use crate::error::AppError;

/// What a link is for: the name of its key, and a word mixed into the signature so a link of
/// one kind never works as another.
#[derive(Debug, Clone, Copy)]
pub struct LinkKind {
    pub key_name: &'static str,
    pub purpose: &'static [u8],
}

pub const APPOINTMENT: LinkKind = LinkKind {
    key_name: "appointment_links",
    purpose: b"manage:",
};

pub const SURVEY: LinkKind = LinkKind {
    key_name: "survey_links",
    purpose: b"survey:",
};

pub async fn sign(app: &App, kind: LinkKind, id: &str) -> Result<String, AppError> {
    let key = app
        .store
        .signing_key(kind.key_name, &crate::auth::new_token(), app.clock.now())
        .await?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    mac.update(kind.purpose);
    mac.update(id.as_bytes());
    let bytes = mac.finalize().into_bytes();
    Ok(hex::encode(&bytes[..16]))
}

/// `NotFound` for a signature that is not this record's: a tampered link looks like a link
/// to nothing.
pub async fn verify(app: &App, kind: LinkKind, id: &str, signature: &str) -> Result<(), AppError> {
    let expected = sign(app, kind, id).await?;
    match crate::auth::same_secret(&expected, signature) {
        true => Ok(()),
        false => Err(AppError::NotFound),
    }
}
