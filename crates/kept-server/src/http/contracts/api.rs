//! The contracts API: import a CSV file, save one, list those ending soon, record an outcome.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::Duration;

use crate::dto::{ContractJson, ContractOutcomeRequest, ContractQuery, ContractRequest, ImportJson};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::{ApiStaff, json_body};
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

/// Imports contracts from CSV (owner), header row
/// `external_id,customer_name,customer_email,customer_phone,product,start_date,end_date,value_per_year`.
/// Matched on `external_id`: importing the same file again changes nothing. A bad row refuses
/// the whole file, naming its line.
#[utoipa::path(post, path = "/api/v1/contracts/import", operation_id = "import_contracts",
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, body = ImportJson), (status = 403, body = ErrorBody),
        (status = 415, description = "Not text/csv", body = ErrorBody),
        (status = 422, description = "invalid_row, with the line", body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportJson>, HttpError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.trim().to_ascii_lowercase().starts_with("text/csv") {
        return Err(AppError::UnsupportedMediaType("send the file as Content-Type: text/csv".into()).into());
    }
    let counts = app::import_contracts(&state, &staff, &body).await?;
    Ok(Json(ImportJson {
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
    }))
}

/// Creates (201) or updates (200) one contract, matched on `external_id` (owner).
#[utoipa::path(post, path = "/api/v1/contracts", operation_id = "save_contract", request_body = ContractRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ContractJson), (status = 200, body = ContractJson), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<ContractJson>), HttpError> {
    let request: ContractRequest = json_body(
        &body,
        "body",
        "expected {\"external_id\", \"product\", \"end_date\", …}",
    )?;
    // A spreadsheet's empty cell is "not given"; in JSON that is null or left out, and an
    // empty text is refused as the document describes it.
    let blank = |value: &Option<String>| value.as_deref().is_some_and(|v| v.trim().is_empty());
    let given_blank = [
        ("customer_email", &request.customer_email),
        ("customer_phone", &request.customer_phone),
        ("start_date", &request.start_date),
        ("value_per_year", &request.value_per_year),
    ]
    .into_iter()
    .find(|(_, value)| blank(value));
    if let Some((field, _)) = given_blank {
        return Err(AppError::invalid(field, "blank", "leave it out (or null) instead of empty").into());
    }
    if request
        .value_per_year
        .as_deref()
        .is_some_and(|v| v.chars().count() > 16)
    {
        return Err(AppError::invalid("value_per_year", "too_long", "at most 16 characters").into());
    }
    let (contract, created) = app::save_contract(&state, &staff, &request.into()).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json((&contract).into())))
}

/// Running contracts, soonest end first (or every contract of one customer).
#[utoipa::path(get, path = "/api/v1/contracts", operation_id = "list_contracts", params(ContractQuery),
    security(("bearer" = [])), responses((status = 200, body = [ContractJson]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<ContractQuery>,
) -> Result<Json<Vec<ContractJson>>, HttpError> {
    let today = state.settings().business.hours.local_date(state.clock.now());
    let until = crate::http::surveys::api::bounded("ending_within_days", query.ending_within_days, 0..=3650)?
        .map(|days| today + Duration::days(days));
    let customer = query.customer.as_deref().filter(|c| !c.is_empty());
    let contracts = kept_app::contracts(&state, until, customer).await?;
    Ok(Json(contracts.iter().map(ContractJson::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/contracts/{id}", operation_id = "get_contract", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = ContractJson), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<ContractJson>, HttpError> {
    let contract = kept_app::contract(&state, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json((&contract).into()))
}

/// How the outreach call went: `renewed`, `left` (the customer gets the exit survey) or
/// `undecided` (a new outreach in 14 days).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/outcome", operation_id = "contract_outcome",
    params(("id" = String, Path)), request_body = ContractOutcomeRequest, security(("bearer" = [])),
    responses((status = 200, body = ContractJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ContractJson>, HttpError> {
    let request: ContractOutcomeRequest = json_body(&body, "body", "expected {\"outcome\": \"renewed\"}")?;
    let changed = app::record_contract_outcome(&state, &staff, &id, &request.outcome, request.note.as_deref()).await?;
    Ok(Json((&changed).into()))
}
