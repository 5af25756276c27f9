//! Search through the API.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{AppendHeaders, IntoResponse, Response};

use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::ApiStaff;
use crate::state::AppState;
use kept_app::search::{self, SearchParams, SearchResult};

/// Messages, notes and logged calls matching every word (Dutch and English word forms,
/// accents ignored), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    params(SearchParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<SearchResult>, headers(
            ("X-Next-Cursor" = String, description = "Present when there are more results: pass it as `cursor`.")
        )),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn search(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(params): Query<SearchParams>,
) -> Result<Response, HttpError> {
    let page = search::search(&state, &params).await?;
    let next = page.next_cursor.map(|cursor| (NEXT_CURSOR, cursor));
    Ok((AppendHeaders(next), Json(page.results)).into_response())
}

/// The answer header that carries the next page's cursor (the body stays a plain list).
const NEXT_CURSOR: &str = "x-next-cursor";
