//! Search through the API.

use axum::Json;
use axum::extract::{Query, State};

use super::errors::ErrorBody;
use super::extract::ApiStaff;
use crate::error::AppError;
use crate::search::{self, SearchParams, SearchResult};
use crate::state::AppState;

/// Messages, notes and logged calls matching every word (Dutch and English word forms,
/// accents ignored), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    params(SearchParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<SearchResult>), (status = 422, body = ErrorBody))
)]
pub async fn search(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<SearchResult>>, AppError> {
    Ok(Json(search::search(&state, &params).await?))
}
