//! A way back in for someone who forgot their password: a one-time link asked for on the
//! login page (sent by e-mail), or printed by `kept user reset-password` for a locked-out
//! owner of a business whose e-mail is not set up yet.

use kept_store::Staff;

use crate::App;
use crate::error::AppError;
use crate::staff::{link_purpose, new_link, password_url};

/// A link someone asks for themselves works an hour: long enough to read the mail, short
/// enough that an old mailbox does not hold a way in.
pub const SELF_SERVICE_LINK_VALID: chrono::Duration = chrono::Duration::hours(1);

/// The login page's "forgot password": a reset link by e-mail to `email` when it is someone
/// on the team, nothing otherwise. The caller answers the same page either way, so the page
/// does not tell which addresses are on the team.
pub async fn forgot_password(app: &App, email: &str) -> Result<(), AppError> {
    let Some(staff) = active_staff(app, email).await? else {
        return Ok(());
    };
    let (_, link) = new_link(app, link_purpose(&staff), None, SELF_SERVICE_LINK_VALID);
    app.store.send_password_link(&staff.id, link).await?;
    Ok(())
}

/// A one-time link for `email`, to hand over another way than e-mail (the server's command
/// line): the URL and who it is for. Earlier links of theirs stop working.
pub async fn printed_reset_link(app: &App, email: &str) -> Result<(String, Staff), AppError> {
    let staff = active_staff(app, email).await?.ok_or(AppError::NotFound)?;
    let (token, link) = new_link(app, link_purpose(&staff), None, SELF_SERVICE_LINK_VALID);
    app.store.make_password_link(&staff.id, link).await?;
    Ok((password_url(app, &token), staff))
}

async fn active_staff(app: &App, email: &str) -> Result<Option<Staff>, AppError> {
    let email = email.trim().to_lowercase();
    Ok(app.store.staff_by_email(&email).await?.filter(|s| s.active))
}
