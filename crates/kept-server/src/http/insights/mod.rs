//! The figures: the insights page, its CSV downloads and the insights API.

pub(crate) mod api;
pub(crate) mod pages;

use axum::Router;
use axum::routing::get;

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/insights", get(pages::page))
            .route("/staff/insights/csv/{table}", get(pages::download))
            .route("/api/v1/insights", get(api::insights)),
        ..Routes::default()
    }
}
