//! Callback requests through the staff API (bearer tokens).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use kept_domain::CallbackStatus;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dto::{CallbackJson, OutcomeRequest};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::IdPath;
use crate::http::extract::{ApiStaff, json_body, status_filter};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

const MAX_LIST: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only requests with this status; all when absent.
    #[param(schema_with = crate::dto::schemas::callback_status_filter)]
    status: Option<String>,
    /// How many, 1 to 1000; 200 when absent.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Callback requests; open ones sorted by due time, others newest first.
#[utoipa::path(
    get,
    path = "/api/v1/callback-requests",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CallbackJson>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_callbacks(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<CallbackJson>>, HttpError> {
    let status = status_filter(
        query.status.as_deref(),
        CallbackStatus::parse,
        "open, reached, wrong_number or cancelled",
    )?;
    let limit = crate::dto::list_limit(query.limit, 200, MAX_LIST)?;
    let views = kept_app::callbacks(&state, status, limit).await?;
    let now = state.clock.now();
    Ok(Json(
        views
            .iter()
            .map(|v| CallbackJson::new(v, &state.settings().business, now))
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/callback-requests/{id}",
    params(IdPath),
    security(("bearer" = [])),
    responses((status = 200, body = CallbackJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_callback(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<CallbackJson>, HttpError> {
    let view = kept_app::callback(&state, &id).await?.ok_or(AppError::NotFound)?;
    let mut json = CallbackJson::new(&view, &state.settings().business, state.clock.now());
    json.status_url = Some(kept_app::status_url(&state, kept_domain::StatusSubject::Callback, &id).await?);
    Ok(Json(json))
}

/// Records what happened when you called. `no_answer` keeps the request open with a new promise.
#[utoipa::path(
    post,
    path = "/api/v1/callback-requests/{id}/outcome",
    params(IdPath),
    request_body = OutcomeRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = CallbackJson),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The request is already closed", body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn record_outcome(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<CallbackJson>, HttpError> {
    let request: OutcomeRequest = json_body(
        &body,
        "outcome",
        r#"expected {"outcome": "reached"|"no_answer"|"wrong_number", "note": "…"}"#,
    )?;
    let view = app::record_outcome(&state, &staff, &id, request.outcome, request.note).await?;
    Ok(Json(CallbackJson::new(
        &view,
        &state.settings().business,
        state.clock.now(),
    )))
}
