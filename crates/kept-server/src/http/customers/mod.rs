//! Customers: the customer page (timeline, notes, calls, follow-ups, name, contacts, merging), their data (export, erase) and the customer API.

pub(crate) mod api;
pub(crate) mod customer_view;
pub(crate) mod export;
pub(crate) mod follow_ups;
pub(crate) mod pages;
pub(crate) mod privacy;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/customers/{id}", get(pages::customer))
            .route("/staff/customers/{id}/timeline", get(pages::timeline_rows))
            .route("/staff/customers/{id}/note", post(pages::add_note))
            .route("/staff/customers/{id}/name", post(pages::rename))
            .route("/staff/customers/{id}/contacts", post(pages::add_contact))
            .route("/staff/customers/{id}/merge", get(pages::merge_form).post(pages::merge))
            .route("/staff/customers/{id}/call", post(pages::log_call))
            .route("/staff/customers/{id}/follow-up", post(follow_ups::add))
            .route("/staff/follow-ups/{id}", post(follow_ups::close))
            .route("/staff/customers/{id}/export", get(privacy::export))
            .route("/staff/customers/{id}/erase", post(privacy::erase))
            .route("/api/v1/customers/{id}", get(api::get))
            .route("/api/v1/customers/{id}/contacts", post(api::add_contact))
            .route("/api/v1/customers/{id}/merge", post(api::merge))
            .route("/api/v1/customers/{id}/export", get(api::export))
            .route("/api/v1/customers/{id}/erase", post(api::erase))
            .route(
                "/api/v1/customers/{id}/follow-ups",
                get(api::follow_ups).post(api::add_follow_up),
            )
            .route("/api/v1/follow-ups/{id}/done", post(api::follow_up_done))
            .route("/api/v1/follow-ups/{id}/withdraw", post(api::follow_up_withdraw))
            .route("/api/v1/customers/{id}/notes", post(api::add_note))
            .route("/api/v1/customers/{id}/calls", post(api::add_call)),
        ..Routes::default()
    }
}
