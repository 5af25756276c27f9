//! Logging in and out, and whom a session cookie or an API token belongs to. The web layer
//! keeps the cookies and the rate limits; the passwords, sessions and tokens are checked here.

use std::sync::OnceLock;

use chrono::Duration;
use kept_store::{NewSession, Session, Staff};

use crate::App;
use crate::auth::{hash_password, new_token, token_hash, verify_password};
use crate::error::AppError;

/// How long a login lasts.
pub const SESSION_LENGTH: Duration = Duration::hours(12);

/// A real argon2 hash that no password matches, checked when the e-mail address is unknown.
fn unknown_account_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// Logs in the staff member with this e-mail address and password: their new session's
/// token. `None` for a wrong address or password, and for someone taken off the team,
/// whatever their password.
pub async fn log_in(app: &App, email: &str, password: &str) -> Result<Option<String>, AppError> {
    let staff = app.store.staff_by_email(email).await?.filter(|s| s.active);
    // An unknown address costs the same hashing as a known one, so the answer's timing does
    // not tell which staff e-mail addresses exist.
    let stored_hash = staff
        .as_ref()
        .map_or(unknown_account_hash(), |s| s.password_hash.as_str());
    let verified = verify_password(stored_hash, password) && staff.is_some();
    let Some(staff) = staff.filter(|_| verified) else {
        return Ok(None);
    };
    Ok(Some(start_session(app, &staff).await?))
}

/// Logs `staff` in without a password (they just set one): the new session's token.
pub async fn start_session(app: &App, staff: &Staff) -> Result<String, AppError> {
    let token = new_token();
    let now = app.clock.now();
    app.store
        .create_session(NewSession {
            token_hash: token_hash(&token),
            staff_id: staff.id.clone(),
            csrf_token: new_token(),
            now,
            expires_at: now + SESSION_LENGTH,
        })
        .await?;
    Ok(token)
}

/// Ends the session whose token hashes to `token_hash`.
pub async fn log_out(app: &App, token_hash: &str) -> Result<(), AppError> {
    Ok(app.store.delete_session(token_hash).await?)
}

/// The session a cookie's token (hashed) stands for, while it lasts.
pub async fn session(app: &App, token_hash: &str) -> Result<Option<Session>, AppError> {
    Ok(app.store.session(token_hash, app.clock.now()).await?)
}

/// The active staff member an API token (hashed) belongs to.
pub async fn staff_by_api_token(app: &App, token_hash: &str) -> Result<Option<Staff>, AppError> {
    Ok(app.store.staff_by_api_token(token_hash, app.clock.now()).await?)
}
