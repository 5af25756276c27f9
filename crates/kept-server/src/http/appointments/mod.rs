//! Appointments: the customer's booking form and manage page, today's board, one appointment, the owner's set-up (locations, services, staff hours) and the appointment API.

pub(crate) mod api;
pub(crate) mod booking;
pub(crate) mod pages;

use axum::Router;
use axum::routing::{get, post, put};

use super::Routes;

/// This feature's pages and endpoints, by how the edge treats them.
pub(crate) fn routes() -> Routes {
    Routes {
        public: Router::new()
            .route("/book", get(booking::book_form).post(booking::submit_booking))
            .route("/book/waiting-list", post(booking::submit_waiting))
            .route("/appointments/{id}/{signature}", get(booking::manage))
            .route("/appointments/{id}/{signature}/cancel", post(booking::manage_cancel))
            .route(
                "/appointments/{id}/{signature}/reschedule",
                post(booking::manage_reschedule),
            ),
        public_api: Router::new()
            .route("/api/v1/availability", get(api::availability))
            .route("/api/v1/appointments", post(api::book))
            .route("/api/v1/waiting-list", post(api::join_waiting_list))
            .route("/calendar/{secret}", get(api::calendar_feed)),
        staff: Router::new()
            .route("/staff/today", get(pages::today))
            .route("/staff/today/rows", get(pages::today_rows))
            .route("/staff/appointments/{id}", get(pages::appointment))
            .route("/staff/appointments/{id}/status", post(pages::set_status))
            .route("/staff/appointments/{id}/on-my-way", post(pages::on_my_way))
            .route("/staff/booking", get(pages::setup))
            .route("/staff/booking/locations", post(pages::save_location))
            .route("/staff/booking/locations/{id}", post(pages::save_location))
            .route("/staff/booking/services", post(pages::save_service))
            .route("/staff/booking/services/{id}", post(pages::save_service))
            .route("/staff/booking/staff/{id}", post(pages::save_staff_hours))
            .route("/api/v1/locations", get(api::list_locations).post(api::add_location))
            .route("/api/v1/locations/{id}", put(api::change_location))
            .route("/api/v1/services", get(api::list_services).post(api::add_service))
            .route("/api/v1/services/{id}", put(api::change_service))
            .route(
                "/api/v1/staff/{id}/schedule",
                get(api::get_schedule).put(api::set_schedule),
            )
            .route("/api/v1/appointments", get(api::list))
            .route("/api/v1/calendar", get(api::calendar_url))
            .route("/api/v1/calendar/rotate", post(api::rotate_calendar_url))
            .route("/api/v1/appointments/{id}", get(api::get))
            .route("/api/v1/appointments/{id}/on-my-way", post(api::on_my_way))
            .route("/api/v1/appointments/{id}/reschedule", post(api::reschedule))
            .route("/api/v1/appointments/{id}/{action}", post(api::act)),
    }
}
