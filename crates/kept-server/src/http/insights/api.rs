//! `GET /api/v1/insights`: the figures of a period as JSON or, with `format=csv`, the same rows
//! as CSV.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kept_domain::insights::GroupBy;

use crate::dto::{InsightsGroupJson, InsightsJson, InsightsQuery};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::ApiStaff;
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, InsightsRequest};

fn day(field: &'static str, value: Option<&str>) -> Result<NaiveDate, AppError> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::invalid(field, "invalid_date", format!("{field} must be a date like 2026-11-23")))
}

/// Promises made in a period, kept, broken and open, and how fast they were fulfilled in
/// opening-hour minutes, grouped. Agents get their own figures; another's are owner-only.
#[utoipa::path(get, path = "/api/v1/insights", operation_id = "insights", params(InsightsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The groups; with format=csv the same rows as CSV",
            content((InsightsJson = "application/json"), (String = "text/csv"))),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn insights(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(query): Query<InsightsQuery>,
) -> Result<Response, HttpError> {
    let group_code = query.group_by.as_deref().unwrap_or("kind");
    let request = InsightsRequest {
        from: day("from", query.from.as_deref())?,
        to: day("to", query.to.as_deref())?,
        group_by: GroupBy::parse(group_code).ok_or_else(|| {
            AppError::invalid(
                "group_by",
                "unknown_value",
                "group_by must be staff, kind, channel or day",
            )
        })?,
        staff_id: query.staff.filter(|s| !s.is_empty()),
    };
    let groups: Vec<InsightsGroupJson> = app::insights(&state, &staff, &request)
        .await?
        .iter()
        .map(InsightsGroupJson::from)
        .collect();
    match query.format.as_deref() {
        None | Some("json") => Ok(Json(InsightsJson {
            from: request.from,
            to: request.to,
            group_by: group_code.to_string(),
            groups,
        })
        .into_response()),
        Some("csv") => Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv_rows(&groups)?).into_response()),
        Some(_) => Err(AppError::invalid("format", "unknown_value", "format must be json or csv").into()),
    }
}

/// The same rows as CSV, with a header row of the JSON's field names.
fn csv_rows(groups: &[InsightsGroupJson]) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for group in groups {
        let safe = InsightsGroupJson {
            key: crate::spreadsheet::safe_cell(&group.key).into_owned(),
            ..group.clone()
        };
        writer.serialize(safe).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    if groups.is_empty() {
        writer
            .write_record([
                "key",
                "made",
                "kept",
                "broken",
                "open",
                "cancelled",
                "kept_pct",
                "median_minutes",
                "p90_minutes",
            ])
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}
