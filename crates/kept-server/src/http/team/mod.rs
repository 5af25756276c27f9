//! The team: members, invitations, new-password links, the account page with its tokens and calendar link, and the staff API.

pub(crate) mod members;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post, put};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        staff: Router::new()
            .route(
                "/password/{token}",
                get(members::password_form).post(members::set_password),
            )
            .route("/staff/team", get(members::team))
            .route("/staff/team/invite", post(members::invite))
            .route("/staff/team/{id}", post(members::change_member))
            .route("/staff/team/{id}/password-link", post(members::send_password_link))
            .route("/staff/team/{id}/deactivate", post(members::deactivate))
            .route("/staff/account", get(members::account))
            .route("/staff/account/password", post(members::change_own_password))
            .route("/staff/account/tokens", post(members::create_token))
            .route("/staff/account/calendar", post(members::rotate_calendar))
            .route("/staff/account/tokens/{id}/revoke", post(members::revoke_token))
            .route("/staff/away", post(members::set_away))
            .route("/api/v1/staff", get(members::api_list).post(members::api_invite))
            .route("/api/v1/staff/{id}", put(members::api_change))
            .route("/api/v1/staff/{id}/away", post(members::api_set_away))
            .route("/api/v1/staff/{id}/reset-password", post(members::api_reset_password))
            .route("/api/v1/staff/{id}/deactivate", post(members::api_deactivate))
            .route(
                "/api/v1/tokens",
                get(members::api_tokens).post(members::api_create_token),
            )
            .route("/api/v1/tokens/{id}/revoke", post(members::api_revoke_token)),
        ..Routes::default()
    }
}
