//! The survey and promise lists of the staff API.

use axum::Json;
use axum::extract::{Query, State};
use kept_domain::{PromiseKind, PromiseStatus, SurveyKind, SurveyStatus};
use kept_store::{PromiseFilter, SurveyFilter};

use super::errors::ErrorBody;
use super::extract::ApiStaff;
use crate::dto::{PromiseJson, PromiseQuery, SurveyJson, SurveyQuery};
use crate::error::AppError;
use crate::state::AppState;

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

/// Surveys sent and answered, newest first.
#[utoipa::path(get, path = "/api/v1/surveys", operation_id = "list_surveys", params(SurveyQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [SurveyJson]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<SurveyQuery>,
) -> Result<Json<Vec<SurveyJson>>, AppError> {
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
        limit: query.limit.unwrap_or(DEFAULT_LIMIT),
    };
    let surveys = state.store.surveys(&filter).await?;
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
) -> Result<Json<Vec<PromiseJson>>, AppError> {
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
        limit: query.limit.unwrap_or(DEFAULT_LIMIT),
    };
    let promises = state.store.list_promises(&filter).await?;
    Ok(Json(promises.iter().map(PromiseJson::from).collect()))
}
