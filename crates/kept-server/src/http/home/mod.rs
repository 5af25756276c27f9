//! The staff home page: what waits for us, refreshed live.

pub(crate) mod dashboard;
pub(crate) mod views;

use axum::Router;
use axum::routing::get;

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff", get(dashboard::dashboard))
            .route("/staff/callbacks/rows", get(dashboard::dashboard_rows))
            .route("/staff/promises/rows", get(dashboard::promise_rows)),
        ..Routes::default()
    }
}
