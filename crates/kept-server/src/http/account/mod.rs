//! Logging in and out, the language a staff member reads kept in, and the forgotten-password form.

pub(crate) mod login;
pub(crate) mod password_reset;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route("/", get(login::home))
            .route("/login", get(login::login_form).post(login::login))
            .route("/login/forgot", get(password_reset::form).post(password_reset::send))
            .route("/logout", post(login::logout))
            .route("/staff/language", post(login::set_language)),
        ..Routes::default()
    }
}
