//! Conversations across channels: the inbox rows, a conversation with its composer, writing to a customer first, replies, mail (attachments, unreadable mail), saved replies, the tone check, and their API.

pub(crate) mod api;
pub(crate) mod first_messages;
pub(crate) mod mail;
pub(crate) mod pages;
pub(crate) mod templates;
pub(crate) mod tone;
pub(crate) mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/staff/inbox/rows", get(pages::rows))
            .route("/staff/conversations/{id}", get(pages::conversation))
            .route("/staff/conversations/{id}/reply", post(pages::reply))
            .route("/staff/customers/{id}/write", post(first_messages::write))
            .route("/staff/conversations/{id}/status", post(pages::set_status))
            .route("/staff/conversations/{id}/assign", post(pages::assign))
            .route("/staff/conversations/{id}/tags", post(pages::tag))
            .route("/staff/inbox/bulk", post(pages::bulk))
            .route("/staff/unreadable/{id}/handled", post(pages::unreadable_handled))
            .route("/staff/replies/{id}/retry", post(pages::retry_reply))
            .route(
                "/api/v1/inbound/message",
                post(api::inbound_message).layer(DefaultBodyLimit::max(super::MAX_TEXT_BODY_BYTES)),
            )
            .route(
                "/api/v1/inbound/email",
                post(api::inbound_email).layer(DefaultBodyLimit::max(kept_app::config::MAX_RAW_EMAIL_BYTES)),
            )
            .route("/api/v1/conversations", get(api::list).post(first_messages::start))
            .route("/api/v1/conversations/{id}", get(api::get))
            .route(
                "/api/v1/conversations/{id}/replies",
                post(api::reply).layer(DefaultBodyLimit::max(super::MAX_TEXT_BODY_BYTES)),
            )
            .route("/api/v1/conversations/{id}/update", post(api::update))
            .route("/api/v1/customers/{id}/timeline", get(api::timeline))
            .route("/api/v1/conversations/{id}/draft", post(templates::draft))
            .route("/api/v1/templates", get(templates::list).post(templates::save))
            .route("/api/v1/templates/{id}/delete", post(templates::delete))
            .route("/api/v1/attachments/{id}", get(mail::attachment))
            .route("/api/v1/unreadable-mail", get(mail::unreadable))
            .route("/api/v1/unreadable-mail/{id}/raw", get(mail::unreadable_raw))
            .route("/api/v1/unreadable-mail/{id}/handled", post(mail::unreadable_handled))
            .route("/api/v1/tone/check", post(tone::check))
            .route("/api/v1/tone/mood", post(tone::mood))
            .route("/api/v1/tone/dismissals", post(tone::dismiss).get(tone::dismissals))
            .route("/api/v1/tone/dismissals/{id}", axum::routing::delete(tone::undo)),
        ..Routes::default()
    }
}
