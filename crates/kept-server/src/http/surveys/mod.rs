//! Surveys: the customer's answer page, the answers and fans pages, and the survey, promise and fan API.

pub(crate) mod api;
pub(crate) mod pages;

use axum::Router;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        public: Router::new().route("/survey/{id}/{signature}", get(pages::show).post(pages::submit)),
        staff: Router::new()
            .route("/staff/surveys", get(pages::answers))
            .route("/staff/fans", get(pages::fans))
            .route("/staff/fans/{customer_id}/thanked", post(pages::thank))
            .route("/api/v1/surveys", get(api::list))
            .route("/api/v1/promises", get(api::promises))
            .route("/api/v1/fans", get(api::fans))
            .route("/api/v1/fans/{customer_id}/thanked", post(api::thanked)),
        ..Routes::default()
    }
}
