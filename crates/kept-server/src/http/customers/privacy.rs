//! The customer page's privacy actions (AVG/GDPR): download everything about the customer (a
//! ZIP a person can read), or erase it (the notice says what went). Both are owner-only; the
//! use cases check that.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::http::customers::export::{ExportParts, download};
use crate::http::errors::HttpError;
use crate::http::extract::StaffSession;
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

pub async fn export(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let export = app::export_customer(&state, &session.staff, &id).await?;
    let customer = kept_app::customer(&state, &id).await?.ok_or(AppError::NotFound)?;
    let timeline = kept_app::customer_timeline(&state, &id).await?;
    let clock = crate::http::pages::clock(&state, session.staff.lang);
    download(&ExportParts {
        export: &export,
        customer: &customer,
        timeline: &timeline,
        business: clock.settings.mail_from.clone(),
        clock: &clock,
    })
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
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    if form.confirm.as_deref() != Some("1") {
        return Err(AppError::invalid(
            "confirm",
            "not_confirmed",
            "tick the box to confirm that the data is erased for good",
        )
        .into());
    }
    let erasure = app::erase_customer(&state, &session.staff, &id, &form.reason).await?;
    let lang = session.staff.lang;
    // What went, in words ("Gewist: 3 berichten, 1 terugbelverzoek."), then what stays.
    let went: Vec<String> = erasure
        .removed
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(table, count)| crate::i18n::record_count(lang, table, count.as_i64().unwrap_or(0)))
        .collect();
    let x = crate::i18n::customer_export::export_texts(lang);
    let went = if went.is_empty() {
        x.nothing.to_string()
    } else {
        went.join(", ")
    };
    let notice = format!("{} {went}. {}", x.erased, crate::i18n::texts(lang).done_erased);
    Ok((crate::http::flash::say(&state, jar, notice), Redirect::to("/staff")).into_response())
}
