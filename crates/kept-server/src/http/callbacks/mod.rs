//! Callback requests: the customer's "call me back" form and its JSON twin, a request's page with the call's outcome, and the token API.

pub(crate) mod api;
pub(crate) mod form;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        public: Router::new().route("/callback", get(form::callback_form).post(form::submit_callback_form)),
        public_api: Router::new().route("/api/v1/callback-requests", post(form::create_callback)),
        staff: Router::new()
            .route("/staff/callbacks/{id}", get(pages::callback_page))
            .route("/staff/callbacks/{id}/outcome", post(pages::submit_outcome))
            .route("/api/v1/callback-requests", get(api::list_callbacks))
            .route("/api/v1/callback-requests/{id}", get(api::get_callback))
            .route("/api/v1/callback-requests/{id}/outcome", post(api::record_outcome)),
    }
}
