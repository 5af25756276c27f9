//! Deliveries: what kept sent or could not send, and trying again.

pub(crate) mod list;

use axum::Router;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/deliveries", get(list::page))
            .route("/staff/deliveries/{id}/retry", post(list::retry_from_page))
            .route("/api/v1/deliveries", get(list::list))
            .route("/api/v1/deliveries/{id}/retry", post(list::retry)),
        ..Routes::default()
    }
}
