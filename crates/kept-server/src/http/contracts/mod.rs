//! Contracts: the list, one contract with its outreach, importing a spreadsheet (owners), and the contract API.

pub(crate) mod api;
pub(crate) mod import;
pub(crate) mod pages;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/contracts", get(pages::list))
            .route(
                "/staff/contracts/import",
                post(import::preview).layer(DefaultBodyLimit::max(super::MAX_CSV_BYTES)),
            )
            .route(
                "/staff/contracts/import/confirm",
                // The file comes back as base64 in the form: a third larger.
                post(import::confirm).layer(DefaultBodyLimit::max(super::MAX_CSV_BYTES * 3 / 2)),
            )
            .route("/staff/contracts/{id}", get(pages::show))
            .route("/staff/contracts/{id}/outcome", post(pages::outcome))
            .route(
                "/api/v1/contracts/import",
                post(api::import).layer(DefaultBodyLimit::max(super::MAX_CSV_BYTES)),
            )
            .route("/api/v1/contracts", get(api::list).post(api::save))
            .route("/api/v1/contracts/{id}", get(api::get))
            .route("/api/v1/contracts/{id}/outcome", post(api::outcome)),
        ..Routes::default()
    }
}
