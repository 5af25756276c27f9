//! Search: the search page and the search API.

pub(crate) mod api;
pub(crate) mod page;
pub(crate) mod views;

use axum::Router;
use axum::routing::get;

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/search", get(page::search_page))
            .route("/api/v1/search", get(api::search)),
        ..Routes::default()
    }
}
