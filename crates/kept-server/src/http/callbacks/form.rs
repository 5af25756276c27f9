//! What customers use: the callback form and the JSON endpoint behind the embeddable snippet.

use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kept_domain::{CallbackInput, FieldError, Lang};
use serde::Deserialize;

use crate::dto::{CallbackJson, CallbackRequest, CreatedCallback};
use crate::http::callbacks::views::{CallbackDonePage, CallbackFormPage};
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::{ClientIp, api_lang, json_body, request_lang};
use crate::http::pages::render;
use crate::i18n::status_texts;
use crate::i18n::texts;
use crate::state::AppState;
use kept_app::accept_callback;
use kept_app::error::AppError;
use kept_domain::StatusSubject;

#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    lang: Option<String>,
    embed: Option<String>,
}

impl FormQuery {
    fn embed(&self) -> bool {
        self.embed.as_deref().is_some_and(|v| v == "1" || v == "true")
    }
}

fn form_page(
    state: &AppState,
    lang: Lang,
    input: &CallbackInput,
    errors: &[FieldError],
    embed: bool,
) -> CallbackFormPage {
    let settings = state.settings();
    let business = &settings.business;
    let now = state.clock.now();
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    CallbackFormPage {
        texts: texts(lang),
        business: business.name.clone(),
        // A window that cannot start now says when it will ("— morgen vanaf 09:00").
        windows: business
            .windows
            .iter()
            .map(|w| {
                let starts = w
                    .schedule(&business.hours, now)
                    .start_hint(lang, now, business.time_zone());
                let label = match starts {
                    Some(when) => format!("{} — {when}", w.label(lang)),
                    None => w.label(lang).to_string(),
                };
                (w.code.clone(), label)
            })
            .collect(),
        phone: value(&input.phone),
        name: value(&input.name),
        note: value(&input.note),
        window: input.window.clone().unwrap_or_else(|| business.windows[0].code.clone()),
        errors: errors
            .iter()
            .map(|e| (e.field.to_string(), e.message.clone()))
            .collect(),
        embed,
    }
}

pub async fn callback_form(
    State(state): State<AppState>,
    Query(query): Query<FormQuery>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, HttpError> {
    let lang = request_lang(query.lang.as_deref(), &headers);
    render(&form_page(&state, lang, &CallbackInput::default(), &[], query.embed()))
}

pub async fn submit_callback_form(
    State(state): State<AppState>,
    ip: ClientIp,
    Query(query): Query<FormQuery>,
    headers: HeaderMap,
    Form(input): Form<CallbackInput>,
) -> Result<Response, HttpError> {
    let lang = input
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| request_lang(query.lang.as_deref(), &headers));
    let refused = |status: StatusCode, errors: &[FieldError]| -> Result<Response, HttpError> {
        Ok((status, render(&form_page(&state, lang, &input, errors, query.embed()))?).into_response())
    };
    if let Err(limited) = ip.check_rate(&state) {
        let error = FieldError {
            field: "phone",
            code: limited.code(),
            message: crate::i18n::error_texts(lang).for_code(limited.code()).1.to_string(),
        };
        return refused(StatusCode::TOO_MANY_REQUESTS, &[error]);
    }
    match accept_callback(&state, &input, lang).await {
        Ok(accepted) => {
            let settings = state.settings();
            let follow = match settings.business_settings.acknowledgements.callback_form {
                true => Some((
                    // Relative: the page stays on the address the customer used.
                    kept_app::status_path(&state, StatusSubject::Callback, &accepted.callback.id).await?,
                    status_texts(lang).follow,
                )),
                false => None,
            };
            let page = CallbackDonePage {
                // The language of this form: a repeat request joins an earlier one, maybe in
                // the other language.
                texts: texts(lang),
                business: settings.business.name.clone(),
                confirmation: accepted.confirmation,
                follow,
            };
            Ok((StatusCode::CREATED, render(&page)?).into_response())
        }
        Err(AppError::Invalid(errors)) => refused(StatusCode::UNPROCESSABLE_ENTITY, &errors),
        Err(other) => Err(other.into()),
    }
}

/// Ask to be called back. Only `phone` is required; `window` defaults to the first window.
#[utoipa::path(
    post,
    path = "/api/v1/callback-requests",
    request_body = CallbackRequest,
    responses(
        (status = 201, description = "Stored and committed", body = CreatedCallback),
        (status = 422, description = "A field was refused; nothing was stored", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn create_callback(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<CreatedCallback>), HttpError> {
    ip.check_rate(&state)?;
    let request: CallbackRequest = json_body(&body, "body", "The body is not the expected JSON")?;
    api_lang(request.lang.as_deref())?;
    let input = CallbackInput::from(request);
    let accepted = accept_callback(&state, &input, request_lang(None, &headers)).await?;
    let callback = CallbackJson::new(&accepted.callback, &state.settings().business, state.clock.now());
    Ok((
        StatusCode::CREATED,
        Json(CreatedCallback {
            callback,
            confirmation: accepted.confirmation,
        }),
    ))
}
