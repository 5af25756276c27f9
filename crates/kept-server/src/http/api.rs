//! The staff API for integrations (bearer tokens), and its OpenAPI document.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use kept_domain::CallbackStatus;
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use super::errors::ErrorBody;
use super::extract::{ApiStaff, json_body, status_filter};
use crate::app;
use crate::dto::{CallbackJson, CreatedCallback, OutcomeRequest, WebhookEvent};
use crate::error::AppError;
use crate::state::AppState;

const MAX_LIST: i64 = 1000;

#[derive(OpenApi)]
#[openapi(
    info(title = "kept", description = "Callback requests and the promises to call back; the tone checker."),
    paths(
        super::public::create_callback,
        list_callbacks,
        get_callback,
        record_outcome,
        super::conversations::inbound_message,
        super::conversations::inbound_email,
        super::conversations::list,
        super::conversations::get,
        super::conversations::reply,
        super::conversations::update,
        super::conversations::timeline,
        super::customers::get,
        super::customers::add_contact,
        super::customers::merge,
        super::customers::export,
        super::customers::erase,
        super::customers::add_follow_up,
        super::customers::follow_ups,
        super::customers::follow_up_done,
        super::customers::follow_up_withdraw,
        super::staff::api_set_away,
        super::customers::add_note,
        super::customers::add_call,
        super::tone::check,
        super::tone::mood,
        super::search::search,
        super::templates::list,
        super::templates::save,
        super::templates::delete,
        super::templates::draft,
        super::mail::attachment,
        super::mail::unreadable,
        super::mail::unreadable_raw,
        super::mail::unreadable_handled,
        super::healthz
    ),
    components(schemas(
        CallbackJson,
        CreatedCallback,
        OutcomeRequest,
        ErrorBody,
        WebhookEvent,
        super::tone::ToneCheckRequest,
        super::tone::ToneMoodRequest,
        super::conversations::ReplyRequest,
        super::conversations::ConversationUpdate,
        super::templates::TemplateRequest,
        super::customers::EraseRequest,
        super::customers::FollowUpRequest,
        super::staff::AwayRequest,
        super::templates::DraftRequest,
        super::templates::Draft,
        crate::search::SearchResult,
        super::customers::ContactRequest,
        super::customers::MergeRequest,
        super::customers::NoteRequest,
        super::customers::CallRequest
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("kept token create --email E"))
                        .build(),
                ),
            );
        }
    }
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// open, reached, wrong_number or cancelled; all when absent.
    status: Option<String>,
    /// At most 1000; default 200.
    limit: Option<i64>,
}

/// Callback requests; open ones sorted by due time, others newest first.
#[utoipa::path(
    get,
    path = "/api/v1/callback-requests",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CallbackJson>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_callbacks(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<CallbackJson>>, AppError> {
    let status = status_filter(
        query.status.as_deref(),
        CallbackStatus::parse,
        "open, reached, wrong_number or cancelled",
    )?;
    let limit = query.limit.unwrap_or(200).clamp(1, MAX_LIST);
    let views = state.store.list_callbacks(status, limit).await?;
    let now = state.clock.now();
    Ok(Json(
        views
            .iter()
            .map(|v| CallbackJson::new(v, &state.settings.business, now))
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/callback-requests/{id}",
    security(("bearer" = [])),
    responses((status = 200, body = CallbackJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_callback(
    State(state): State<AppState>,
    _staff: ApiStaff,
    Path(id): Path<String>,
) -> Result<Json<CallbackJson>, AppError> {
    let view = state.store.callback(&id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(CallbackJson::new(
        &view,
        &state.settings.business,
        state.clock.now(),
    )))
}

/// Records what happened when you called. `no_answer` keeps the request open with a new promise.
#[utoipa::path(
    post,
    path = "/api/v1/callback-requests/{id}/outcome",
    request_body = OutcomeRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = CallbackJson),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The request is already closed", body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
pub async fn record_outcome(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CallbackJson>, AppError> {
    let request: OutcomeRequest = json_body(
        &body,
        "outcome",
        r#"expected {"outcome": "reached"|"no_answer"|"wrong_number", "note": "…"}"#,
    )?;
    let view = app::record_outcome(&state, &staff, &id, request.outcome, request.note).await?;
    Ok(Json(CallbackJson::new(
        &view,
        &state.settings.business,
        state.clock.now(),
    )))
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::ApiDoc;

    /// Every successful JSON answer names its schema: a `$ref`, or an array of them. (A raw
    /// `{"type": "object"}` tells an integrator nothing.)
    #[test]
    fn every_successful_json_answer_has_a_named_schema() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut untyped = Vec::new();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let Some(schema) = response.pointer("/content/application~1json/schema") else {
                        continue;
                    };
                    let named = schema.get("$ref").is_some() || schema.pointer("/items/$ref").is_some();
                    if status.starts_with('2') && !named {
                        untyped.push(format!("{method} {path} {status}: {schema}"));
                    }
                }
            }
        }
        assert!(untyped.is_empty(), "untyped answers:\n{}", untyped.join("\n"));
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for name in [
            "ConversationJson",
            "MessageJson",
            "CustomerJson",
            "FollowUpJson",
            "ToneReportJson",
            "ErasureJson",
        ] {
            assert!(schemas.contains_key(name), "{name} is not in the document");
        }
    }
}
