//! Follow-ups on the customer page: write down what was promised and by when, mark it done.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use kept_domain::{CancelReason, Closing};
use serde::Deserialize;

use crate::http::errors::HttpError;
use crate::http::extract::StaffSession;
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

#[derive(Debug, Deserialize)]
pub struct FollowUpForm {
    csrf: String,
    text: String,
    /// The due day and time, in the business's time zone (from date and time inputs).
    date: String,
    time: String,
    owner_id: Option<String>,
}

pub async fn add(
    State(state): State<AppState>,
    session: StaffSession,
    Path(customer_id): Path<String>,
    Form(form): Form<FollowUpForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let due_at = local_moment(&state, &form.date, &form.time)?;
    app::add_follow_up(
        &state,
        &session.staff,
        &customer_id,
        &form.text,
        due_at,
        form.owner_id.as_deref(),
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/customers/{customer_id}")).into_response())
}

/// A day and a time typed on a page, read in the business's time zone.
fn local_moment(state: &AppState, date: &str, time: &str) -> Result<chrono::DateTime<Utc>, AppError> {
    let invalid = |field, message: &str| AppError::invalid(field, "invalid_moment", message);
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| invalid("date", "give a day"))?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| invalid("time", "give a time"))?;
    state
        .settings()
        .business
        .time_zone()
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|moment| moment.with_timezone(&Utc))
        .ok_or_else(|| invalid("time", "this time does not exist on that day (clock change)"))
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    csrf: String,
    /// "done" or "withdraw".
    action: String,
}

pub async fn close(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let closing = match form.action.as_str() {
        "withdraw" => Closing::Cancelled(CancelReason::Withdrawn),
        _ => Closing::Fulfilled,
    };
    let follow_up = app::close_follow_up(&state, &session.staff, &id, closing).await?;
    Ok(Redirect::to(&format!("/staff/customers/{}", follow_up.customer_id)).into_response())
}
