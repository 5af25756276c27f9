//! The customer page's privacy actions (AVG/GDPR): download everything about the customer, or
//! erase it. Both are owner-only; the use cases check that.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::customers::export_download;
use super::extract::StaffSession;
use crate::app;
use crate::error::AppError;
use crate::state::AppState;

pub async fn export(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let export = app::export_customer(&state, &session.staff, &id).await?;
    Ok(export_download(&id, &export))
}

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    csrf: String,
    reason: String,
    /// The box "this cannot be undone" must be ticked.
    confirm: Option<String>,
}

pub async fn erase(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: axum_extra::extract::CookieJar,
    Form(form): Form<EraseForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    if form.confirm.as_deref() != Some("1") {
        return Err(AppError::invalid(
            "confirm",
            "not_confirmed",
            "tick the box to confirm that the data is erased for good",
        ));
    }
    app::erase_customer(&state, &session.staff, &id, &form.reason).await?;
    let notice = crate::i18n::texts(session.staff.lang).done_erased.to_string();
    Ok((super::flash::say(&state, jar, notice), Redirect::to("/staff")).into_response())
}
