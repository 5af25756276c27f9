//! The tone checker over HTTP, for the reply composer and integrations (staff token).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kept_tone::{CheckInput, usable_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{MoodJson, ToneReportJson};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::{ApiStaff, api_lang, json_body};
use crate::state::AppState;
use kept_app::error::AppError;

/// The moment the request says the reply is written at (to read "tomorrow" from), if any.
fn moment_of(now: Option<&str>) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let Some(text) = now.filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    let at = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        AppError::invalid(
            "now",
            "invalid_moment",
            "now must be a moment such as 2026-03-10T14:20:00+01:00",
        )
    })?;
    Ok(Some(at.with_timezone(&chrono::Utc)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ToneCheckRequest {
    /// The draft reply (at most 100 KB).
    #[schema(pattern = r"\S")]
    text: String,
    /// Detected when absent.
    #[schema(schema_with = crate::dto::schemas::optional_lang)]
    lang: Option<String>,
    /// How to address the customer, e.g. "meneer Jansen"; used in suggested greetings.
    customer_name: Option<String>,
    /// The customer's message being answered.
    #[schema(pattern = r"\S")]
    reply_to: Option<String>,
    /// When the draft is written (RFC 3339), for the due times of its commitments; now when
    /// absent.
    #[schema(value_type = Option<String>, format = DateTime)]
    now: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ToneMoodRequest {
    #[schema(pattern = r"\S")]
    text: String,
    /// Detected when absent.
    #[schema(schema_with = crate::dto::schemas::optional_lang)]
    lang: Option<String>,
}

fn text(text: &str, field: &'static str) -> Result<(), AppError> {
    usable_text(text.as_bytes())
        .map(|_| ())
        .map_err(|e| AppError::invalid(field, "unusable_text", e.to_string()))
}

/// Checks a draft reply for tone: each finding with the quoted text, why, and a better phrasing.
#[utoipa::path(
    post,
    path = "/api/v1/tone/check",
    request_body = ToneCheckRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The report", body = ToneReportJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn check(
    State(state): State<AppState>,
    _staff: ApiStaff,
    body: Bytes,
) -> Result<Json<ToneReportJson>, HttpError> {
    let request: ToneCheckRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    text(&request.text, "text")?;
    if let Some(reply_to) = &request.reply_to {
        text(reply_to, "reply_to")?;
    }
    let now = match moment_of(request.now.as_deref())? {
        Some(at) => at,
        None => state.clock.now(),
    };
    let input = CheckInput {
        text: &request.text,
        lang: api_lang(request.lang.as_deref())?,
        customer_name: request.customer_name.as_deref(),
        reply_to: request.reply_to.as_deref(),
    };
    let business = &state.settings().business;
    let commitments = kept_tone::read_commitments(&request.text, now, &business.hours);
    let report = kept_app::check_reply(&state, &state.tone, &input).await?;
    let vague_due = kept_app::vague_promise_due(&state);
    Ok(Json(ToneReportJson::new(
        &report,
        &commitments,
        vague_due,
        business.time_zone(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ToneDismissRequest {
    /// The rule of the finding (`generic_greeting`, …).
    #[schema(schema_with = crate::dto::schemas::tone_rule)]
    rule: String,
    /// The finding's words (its `excerpt`).
    #[schema(pattern = r"\S", max_length = 300)]
    excerpt: String,
}

/// What was marked: the rule, and the words as they are compared from now on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToneDismissedJson {
    rule: String,
    /// Lower case, single spaces, no closing comma.
    excerpt: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ToneDismissalJson {
    id: String,
    rule: String,
    /// The words, as compared: lower case, single spaces.
    excerpt: String,
    /// Who marked it.
    staff_name: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
}

/// Marks a finding as "not a problem here": these words are not flagged for this rule again in
/// this business (the owner sees each on the settings page and can take it back).
#[utoipa::path(
    post,
    path = "/api/v1/tone/dismissals",
    operation_id = "dismiss_tone_finding",
    request_body = ToneDismissRequest,
    security(("bearer" = [])),
    responses((status = 201, description = "Marked (again: nothing changes)", body = ToneDismissedJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn dismiss(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<ToneDismissedJson>), HttpError> {
    let request: ToneDismissRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    let (rule, excerpt) = kept_app::dismiss_finding(&state, &staff, &request.rule, &request.excerpt).await?;
    Ok((StatusCode::CREATED, Json(ToneDismissedJson { rule, excerpt })))
}

/// The findings this business marked as not a problem, latest first (owner only).
#[utoipa::path(
    get,
    path = "/api/v1/tone/dismissals",
    operation_id = "list_tone_dismissals",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ToneDismissalJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn dismissals(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<Vec<ToneDismissalJson>>, HttpError> {
    let marked = kept_app::tone_dismissals(&state, &staff).await?;
    Ok(Json(
        marked
            .into_iter()
            .map(|d| ToneDismissalJson {
                id: d.id,
                rule: d.rule,
                excerpt: d.excerpt,
                staff_name: d.staff_name,
                created_at: d.created_at,
            })
            .collect(),
    ))
}

/// Takes a mark back: the words are flagged again (owner only).
#[utoipa::path(
    delete,
    path = "/api/v1/tone/dismissals/{id}",
    operation_id = "undo_tone_dismissal",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn undo(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    kept_app::undo_tone_dismissal(&state, &staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How frustrated the writer of an incoming message is (0.0–1.0), and the signs of it.
#[utoipa::path(
    post,
    path = "/api/v1/tone/mood",
    request_body = ToneMoodRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The mood", body = MoodJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn mood(_staff: ApiStaff, body: Bytes) -> Result<Json<MoodJson>, HttpError> {
    let request: ToneMoodRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    text(&request.text, "text")?;
    Ok(Json(
        (&kept_tone::mood(&request.text, api_lang(request.lang.as_deref())?)).into(),
    ))
}
