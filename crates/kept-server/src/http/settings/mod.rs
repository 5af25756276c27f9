//! The business's settings (owners): the settings page and the settings API.

pub(crate) mod business;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/settings", get(business::page).post(business::save))
            .route("/staff/settings/tone/{id}/undo", post(business::undo_tone_mark))
            .route("/api/v1/settings", get(business::get).put(business::put)),
        ..Routes::default()
    }
}
