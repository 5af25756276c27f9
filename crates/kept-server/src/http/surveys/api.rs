//! The survey, promise and fan lists of the staff API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kept_app::records::{PromiseFilter, SurveyFilter};
use kept_domain::{PromiseKind, PromiseStatus, SurveyKind, SurveyStatus};

use crate::dto::{FanJson, PromiseJson, PromiseQuery, SurveyJson, SurveyQuery, ThanksRequest};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::{ApiStaff, json_body};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

const DEFAULT_LIMIT: i64 = 100;

/// A code from the query (a status, a kind), or a 422 naming the parameter and what it may be.
fn code<T>(
    field: &'static str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<Option<T>, AppError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| {
            AppError::invalid(
                field,
                "unknown_value",
                format!("{field} must be one of {}", allowed.join(", ")),
            )
        }),
    }
}

/// A number from the query within what the document promises, or a 422 naming it.
pub(crate) fn bounded(
    field: &'static str,
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, AppError> {
    match value {
        Some(n) if !range.contains(&n) => Err(AppError::invalid(
            field,
            "out_of_range",
            format!("{field} must be from {} to {}", range.start(), range.end()),
        )),
        other => Ok(other),
    }
}

/// Surveys sent and answered, newest first.
#[utoipa::path(get, path = "/api/v1/surveys", operation_id = "list_surveys", params(SurveyQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [SurveyJson]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<SurveyQuery>,
) -> Result<Json<Vec<SurveyJson>>, HttpError> {
    let filter = SurveyFilter {
        status: code(
            "status",
            query.status.as_deref(),
            SurveyStatus::parse,
            SurveyStatus::CODES,
        )?,
        kind: code("kind", query.kind.as_deref(), SurveyKind::parse, SurveyKind::CODES)?,
        customer_id: query.customer.filter(|c| !c.is_empty()),
        max_score: query.max_score,
        limit: bounded("limit", query.limit, 1..=500)?.unwrap_or(DEFAULT_LIMIT),
    };
    let surveys = kept_app::surveys(&state, &filter).await?;
    Ok(Json(surveys.iter().map(SurveyJson::from).collect()))
}

/// Promises of every kind: open ones soonest due first, the others newest first.
#[utoipa::path(get, path = "/api/v1/promises", operation_id = "list_promises", params(PromiseQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [PromiseJson]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn promises(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<PromiseQuery>,
) -> Result<Json<Vec<PromiseJson>>, HttpError> {
    let filter = PromiseFilter {
        kinds: code("kind", query.kind.as_deref(), PromiseKind::parse, PromiseKind::CODES)?
            .into_iter()
            .collect(),
        status: code(
            "status",
            query.status.as_deref(),
            PromiseStatus::parse,
            PromiseStatus::CODES,
        )?,
        customer_id: query.customer.filter(|c| !c.is_empty()),
        owner_id: query.owner.filter(|o| !o.is_empty()),
        limit: bounded("limit", query.limit, 1..=500)?.unwrap_or(DEFAULT_LIMIT),
    };
    let promises = kept_app::promises(&state, &filter).await?;
    Ok(Json(promises.iter().map(PromiseJson::from).collect()))
}

/// Fans: customers whose latest answer was the top score (CSAT 5, NPS 9–10) and who have been
/// customers for a year or more, latest answer first.
#[utoipa::path(get, path = "/api/v1/fans", operation_id = "list_fans", security(("bearer" = [])),
    responses((status = 200, body = [FanJson]), (status = 401, body = ErrorBody)))]
pub async fn fans(State(state): State<AppState>, _staff: ApiStaff) -> Result<Json<Vec<FanJson>>, HttpError> {
    let fans = app::fans(&state).await?;
    Ok(Json(fans.iter().map(FanJson::from).collect()))
}

/// Records that a fan was thanked, with a note of how (thanking again replaces it).
#[utoipa::path(post, path = "/api/v1/fans/{customer_id}/thanked", operation_id = "thank_fan",
    params(("customer_id" = String, Path)), request_body = ThanksRequest, security(("bearer" = [])),
    responses((status = 204, description = "Recorded"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn thanked(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(customer_id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, HttpError> {
    let request: ThanksRequest = json_body(&body, "body", "expected {\"note\": \"…\"}")?;
    app::thank_fan(&state, &staff, &customer_id, request.note.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
