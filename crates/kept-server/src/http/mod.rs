//! The HTTP layer: thin handlers that parse, call a use case in [`kept_app`] or the
//! store, and render a page or JSON.

mod api;
mod appointment_pages;
mod appointments;
mod booking_pages;
mod contract_import;
mod contract_pages;
mod contracts;
mod conversations;
mod customer_export;
mod customer_pages;
mod customers;
mod deliveries;
mod drain;
mod edge;
mod error_pages;
pub mod errors;
mod events;
mod extract;
mod first_messages;
mod flash;
mod follow_ups;
mod inbox;
mod insight_pages;
mod insights;
mod mail;
mod openapi;
mod pages;
mod password_reset;
mod privacy;
mod public;
mod search;
mod search_pages;
mod settings;
mod staff;
mod survey_pages;
mod surveys;
mod team;
mod templates;
mod tone;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

pub use openapi::ApiDoc;

/// Requests larger than this are refused before they are read.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Routes that carry a message (up to 100 KB of text, which JSON escaping can make longer).
/// A contracts file: 20,000 rows of about 250 bytes.
const MAX_CSV_BYTES: usize = 5 * 1024 * 1024;
const MAX_TEXT_BODY_BYTES: usize = 4 * kept_domain::conversation::MAX_MESSAGE_BYTES;

pub fn router(state: AppState) -> Router {
    // The public form may be shown inside the business's own site (an iframe).
    let public = Router::new()
        .route(
            "/callback",
            get(public::callback_form).post(public::submit_callback_form),
        )
        .route(
            "/book",
            get(booking_pages::book_form).post(booking_pages::submit_booking),
        )
        .route("/book/waiting-list", post(booking_pages::submit_waiting))
        .route("/appointments/{id}/{signature}", get(booking_pages::manage))
        .route(
            "/appointments/{id}/{signature}/cancel",
            post(booking_pages::manage_cancel),
        )
        .route(
            "/appointments/{id}/{signature}/reschedule",
            post(booking_pages::manage_reschedule),
        )
        .route(
            "/survey/{id}/{signature}",
            get(survey_pages::show).post(survey_pages::submit),
        )
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors *",
        ));
    // Any web site may post to the JSON endpoint: that is what the embeddable snippet does.
    let public_api = Router::new()
        .route("/api/v1/callback-requests", post(public::create_callback))
        .route("/api/v1/availability", get(appointments::availability))
        .route("/api/v1/appointments", post(appointments::book))
        .route("/api/v1/waiting-list", post(appointments::join_waiting_list))
        .route("/calendar/{secret}", get(appointments::calendar_feed))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods(Any)
                .allow_headers([header::CONTENT_TYPE]),
        );
    let staff = Router::new()
        .route("/", get(staff::home))
        .route("/login", get(staff::login_form).post(staff::login))
        .route("/login/forgot", get(password_reset::form).post(password_reset::send))
        .route("/password/{token}", get(team::password_form).post(team::set_password))
        .route("/logout", post(staff::logout))
        .route("/staff", get(staff::dashboard))
        .route("/staff/callbacks/rows", get(staff::dashboard_rows))
        .route("/staff/promises/rows", get(staff::promise_rows))
        .route("/staff/surveys", get(survey_pages::answers))
        .route("/staff/fans", get(survey_pages::fans))
        .route("/staff/fans/{customer_id}/thanked", post(survey_pages::thank))
        .route("/staff/insights", get(insight_pages::page))
        .route("/staff/insights/csv/{table}", get(insight_pages::download))
        .route("/staff/contracts", get(contract_pages::list))
        .route(
            "/staff/contracts/import",
            post(contract_import::preview).layer(DefaultBodyLimit::max(MAX_CSV_BYTES)),
        )
        .route(
            "/staff/contracts/import/confirm",
            // The file comes back as base64 in the form: a third larger.
            post(contract_import::confirm).layer(DefaultBodyLimit::max(MAX_CSV_BYTES * 3 / 2)),
        )
        .route("/staff/contracts/{id}", get(contract_pages::show))
        .route("/staff/contracts/{id}/outcome", post(contract_pages::outcome))
        .route("/staff/callbacks/{id}", get(staff::callback_page))
        .route("/staff/callbacks/{id}/outcome", post(staff::submit_outcome))
        .route("/staff/inbox/rows", get(inbox::rows))
        .route("/staff/conversations/{id}", get(inbox::conversation))
        .route("/staff/conversations/{id}/reply", post(inbox::reply))
        .route("/staff/customers/{id}/write", post(first_messages::write))
        .route("/staff/deliveries", get(deliveries::page))
        .route("/staff/deliveries/{id}/retry", post(deliveries::retry_from_page))
        .route("/staff/conversations/{id}/status", post(inbox::set_status))
        .route("/staff/conversations/{id}/assign", post(inbox::assign))
        .route("/staff/conversations/{id}/tags", post(inbox::tag))
        .route("/staff/inbox/bulk", post(inbox::bulk))
        .route("/staff/customers/{id}", get(customer_pages::customer))
        .route("/staff/customers/{id}/note", post(customer_pages::add_note))
        .route("/staff/customers/{id}/name", post(customer_pages::rename))
        .route("/staff/customers/{id}/contacts", post(customer_pages::add_contact))
        .route(
            "/staff/customers/{id}/merge",
            get(customer_pages::merge_form).post(customer_pages::merge),
        )
        .route("/staff/customers/{id}/call", post(customer_pages::log_call))
        .route("/staff/customers/{id}/follow-up", post(follow_ups::add))
        .route("/staff/follow-ups/{id}", post(follow_ups::close))
        .route("/staff/customers/{id}/export", get(privacy::export))
        .route("/staff/customers/{id}/erase", post(privacy::erase))
        .route("/staff/search", get(search_pages::search_page))
        .route("/staff/unreadable/{id}/handled", post(inbox::unreadable_handled))
        .route("/staff/replies/{id}/retry", post(inbox::retry_reply))
        .route("/staff/team", get(team::team))
        .route("/staff/team/invite", post(team::invite))
        .route("/staff/team/{id}", post(team::change_member))
        .route("/staff/team/{id}/password-link", post(team::send_password_link))
        .route("/staff/team/{id}/deactivate", post(team::deactivate))
        .route("/staff/account", get(team::account))
        .route("/staff/account/password", post(team::change_own_password))
        .route("/staff/account/tokens", post(team::create_token))
        .route("/staff/account/calendar", post(team::rotate_calendar))
        .route("/staff/account/tokens/{id}/revoke", post(team::revoke_token))
        .route("/staff/settings", get(settings::page).post(settings::save))
        .route("/staff/settings/tone/{id}/undo", post(settings::undo_tone_mark))
        .route("/staff/away", post(team::set_away))
        .route("/staff/language", post(staff::set_language))
        .route("/staff/events", get(events::changes))
        .route("/staff/today", get(appointment_pages::today))
        .route("/staff/today/rows", get(appointment_pages::today_rows))
        .route("/staff/appointments/{id}", get(appointment_pages::appointment))
        .route("/staff/appointments/{id}/status", post(appointment_pages::set_status))
        .route("/staff/appointments/{id}/on-my-way", post(appointment_pages::on_my_way))
        .route("/staff/booking", get(appointment_pages::setup))
        .route("/staff/booking/locations", post(appointment_pages::save_location))
        .route("/staff/booking/locations/{id}", post(appointment_pages::save_location))
        .route("/staff/booking/services", post(appointment_pages::save_service))
        .route("/staff/booking/services/{id}", post(appointment_pages::save_service))
        .route("/staff/booking/staff/{id}", post(appointment_pages::save_staff_hours))
        .route("/api/v1/callback-requests", get(api::list_callbacks))
        .route("/api/v1/callback-requests/{id}", get(api::get_callback))
        .route("/api/v1/callback-requests/{id}/outcome", post(api::record_outcome))
        .route(
            "/api/v1/inbound/message",
            post(conversations::inbound_message).layer(DefaultBodyLimit::max(MAX_TEXT_BODY_BYTES)),
        )
        .route(
            "/api/v1/inbound/email",
            post(conversations::inbound_email).layer(DefaultBodyLimit::max(kept_app::config::MAX_RAW_EMAIL_BYTES)),
        )
        .route(
            "/api/v1/conversations",
            get(conversations::list).post(first_messages::start),
        )
        .route("/api/v1/deliveries", get(deliveries::list))
        .route("/api/v1/deliveries/{id}/retry", post(deliveries::retry))
        .route("/api/v1/conversations/{id}", get(conversations::get))
        .route(
            "/api/v1/conversations/{id}/replies",
            post(conversations::reply).layer(DefaultBodyLimit::max(MAX_TEXT_BODY_BYTES)),
        )
        .route("/api/v1/conversations/{id}/update", post(conversations::update))
        .route("/api/v1/customers/{id}/timeline", get(conversations::timeline))
        .route("/api/v1/customers/{id}", get(customers::get))
        .route("/api/v1/customers/{id}/contacts", post(customers::add_contact))
        .route("/api/v1/customers/{id}/merge", post(customers::merge))
        .route("/api/v1/customers/{id}/export", get(customers::export))
        .route("/api/v1/customers/{id}/erase", post(customers::erase))
        .route(
            "/api/v1/customers/{id}/follow-ups",
            get(customers::follow_ups).post(customers::add_follow_up),
        )
        .route("/api/v1/follow-ups/{id}/done", post(customers::follow_up_done))
        .route("/api/v1/follow-ups/{id}/withdraw", post(customers::follow_up_withdraw))
        .route("/api/v1/staff", get(team::api_list).post(team::api_invite))
        .route("/api/v1/staff/{id}", put(team::api_change))
        .route("/api/v1/staff/{id}/away", post(team::api_set_away))
        .route("/api/v1/staff/{id}/reset-password", post(team::api_reset_password))
        .route("/api/v1/staff/{id}/deactivate", post(team::api_deactivate))
        .route("/api/v1/tokens", get(team::api_tokens).post(team::api_create_token))
        .route("/api/v1/tokens/{id}/revoke", post(team::api_revoke_token))
        .route("/api/v1/customers/{id}/notes", post(customers::add_note))
        .route("/api/v1/customers/{id}/calls", post(customers::add_call))
        .route("/api/v1/conversations/{id}/draft", post(templates::draft))
        .route("/api/v1/templates", get(templates::list).post(templates::save))
        .route("/api/v1/templates/{id}/delete", post(templates::delete))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/settings", get(settings::get).put(settings::put))
        .route("/api/v1/attachments/{id}", get(mail::attachment))
        .route("/api/v1/unreadable-mail", get(mail::unreadable))
        .route("/api/v1/unreadable-mail/{id}/raw", get(mail::unreadable_raw))
        .route("/api/v1/unreadable-mail/{id}/handled", post(mail::unreadable_handled))
        .route("/api/v1/tone/check", post(tone::check))
        .route("/api/v1/tone/mood", post(tone::mood))
        .route("/api/v1/tone/dismissals", post(tone::dismiss).get(tone::dismissals))
        .route("/api/v1/tone/dismissals/{id}", axum::routing::delete(tone::undo))
        .route(
            "/api/v1/locations",
            get(appointments::list_locations).post(appointments::add_location),
        )
        .route("/api/v1/locations/{id}", put(appointments::change_location))
        .route(
            "/api/v1/services",
            get(appointments::list_services).post(appointments::add_service),
        )
        .route("/api/v1/services/{id}", put(appointments::change_service))
        .route(
            "/api/v1/staff/{id}/schedule",
            get(appointments::get_schedule).put(appointments::set_schedule),
        )
        .route("/api/v1/appointments", get(appointments::list))
        .route("/api/v1/surveys", get(surveys::list))
        .route("/api/v1/insights", get(insights::insights))
        .route(
            "/api/v1/contracts/import",
            post(contracts::import).layer(DefaultBodyLimit::max(MAX_CSV_BYTES)),
        )
        .route("/api/v1/contracts", get(contracts::list).post(contracts::save))
        .route("/api/v1/contracts/{id}", get(contracts::get))
        .route("/api/v1/contracts/{id}/outcome", post(contracts::outcome))
        .route("/api/v1/promises", get(surveys::promises))
        .route("/api/v1/fans", get(surveys::fans))
        .route("/api/v1/fans/{customer_id}/thanked", post(surveys::thanked))
        .route("/api/v1/calendar", get(appointments::calendar_url))
        .route("/api/v1/calendar/rotate", post(appointments::rotate_calendar_url))
        .route("/api/v1/appointments/{id}", get(appointments::get))
        .route("/api/v1/appointments/{id}/on-my-way", post(appointments::on_my_way))
        .route("/api/v1/appointments/{id}/reschedule", post(appointments::reschedule))
        .route("/api/v1/appointments/{id}/{action}", post(appointments::act))
        .route("/api/openapi.json", get(openapi::openapi))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'",
        ))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        // Customer data must not stay behind in a browser's or proxy's cache.
        .layer(header_layer(header::CACHE_CONTROL, "no-store"));
    // `kept demo` answers its own chat: replies land here instead of at a chat service.
    let demo = match state.settings().demo {
        true => Router::new().route("/demo/channel", post(demo_channel)),
        false => Router::new(),
    };
    Router::new()
        .merge(public)
        .merge(public_api)
        .merge(staff.layer(axum::middleware::from_fn(flash::show_notice)))
        .merge(demo)
        .route("/healthz", get(healthz))
        .route("/assets/kept.js", get(|| script(include_str!("../../assets/kept.js"))))
        .route(
            "/assets/composer.js",
            get(|| script(include_str!("../../assets/composer.js"))),
        )
        .route(
            "/assets/embed.js",
            get(|| script(include_str!("../../assets/embed.js"))),
        )
        .route(
            "/assets/select.js",
            get(|| script(include_str!("../../assets/select.js"))),
        )
        .route("/favicon.ico", get(favicon))
        .route("/favicon.svg", get(favicon))
        .route(
            "/assets/survey.js",
            get(|| script(include_str!("../../assets/survey.js"))),
        )
        .route("/assets/kept.css", get(stylesheet))
        .layer(axum::middleware::from_fn(edge::refuse_unstorable))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error_pages::answer_errors,
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            drain::drain_unread_body,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The demo's chat service: takes a reply kept sends on the demo chat and writes it to the log.
async fn demo_channel(body: axum::body::Bytes) -> axum::http::StatusCode {
    let reply: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    tracing::info!(reply = %reply, "demo chat: a reply was sent to the visitor");
    axum::http::StatusCode::NO_CONTENT
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Liveness: the process answers. (Readiness of the database shows in every other request.)
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "kept is running")))]
pub async fn healthz() -> &'static str {
    "ok"
}

async fn script(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body)
}

/// kept's icon (browsers ask for /favicon.ico on every page; an SVG answers both names).
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../assets/favicon.svg"),
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../assets/kept.css"),
    )
}
