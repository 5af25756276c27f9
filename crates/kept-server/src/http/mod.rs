//! The HTTP layer: thin handlers that read a request, call a use case in [`kept_app`] (the
//! store is out of reach here) and render a page or JSON. A folder per feature, each with its
//! `routes()`; the router below is their union with the layers of the edge.

mod account;
mod appointments;
mod callbacks;
mod contracts;
mod conversations;
mod customers;
mod deliveries;
mod drain;
mod edge;
mod error_pages;
pub mod errors;
mod events;
mod extract;
mod flash;
mod home;
mod insights;
mod openapi;
mod pages;
mod search;
mod settings;
mod status_page;
mod surveys;
mod team;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
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

/// A feature's routes, by how the edge treats them: pages a customer opens, which the business
/// may show inside its own site; JSON any web site may call (the embeddable snippet); and the
/// staff's pages and the token API, never framed and never cached.
#[derive(Default)]
pub(crate) struct Routes {
    pub public: Router<AppState>,
    pub public_api: Router<AppState>,
    pub staff: Router<AppState>,
}

/// Every feature's routes together.
fn features() -> Routes {
    [
        account::routes(),
        appointments::routes(),
        callbacks::routes(),
        contracts::routes(),
        conversations::routes(),
        customers::routes(),
        deliveries::routes(),
        home::routes(),
        insights::routes(),
        search::routes(),
        settings::routes(),
        status_page::routes(),
        surveys::routes(),
        team::routes(),
    ]
    .into_iter()
    .fold(Routes::default(), |all, feature| Routes {
        public: all.public.merge(feature.public),
        public_api: all.public_api.merge(feature.public_api),
        staff: all.staff.merge(feature.staff),
    })
}

pub fn router(state: AppState) -> Router {
    let features = features();
    // The public pages may be shown inside the business's own site (an iframe).
    let public = features.public.layer(header_layer(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; frame-ancestors *",
    ));
    // Any web site may post to the JSON endpoints: that is what the embeddable snippet does.
    let public_api = features.public_api.layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods(Any)
            .allow_headers([header::CONTENT_TYPE]),
    );
    let staff = features
        .staff
        .route("/staff/events", get(events::changes))
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
        .route(
            "/assets/status.js",
            get(|| script(include_str!("../../assets/status.js"))),
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
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The span a request is logged in: its method and path — a customer's page without its
/// token, which is the key to it.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = status_page::loggable_path(request.uri().path());
    tracing::debug_span!("request", method = %request.method(), %path)
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
