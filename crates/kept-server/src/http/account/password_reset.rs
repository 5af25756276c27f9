//! "Forgot your password?" on the login page: a form for the address, and the same answer
//! whether or not it is on the team. The link itself is set on the page of every password link
//! (`team::password_form`).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::http::account::views::ForgotPasswordPage;
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::{ClientIp, check_login_csrf, fresh_login_csrf, request_lang};
use crate::http::pages::render;
use crate::i18n::texts;
use crate::state::AppState;
use kept_app as app;

pub async fn form(
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<impl IntoResponse, HttpError> {
    let (jar, csrf) = fresh_login_csrf(&state, jar);
    let page = ForgotPasswordPage {
        texts: texts(request_lang(query.lang(), &headers)),
        csrf,
        sent: false,
    };
    Ok((jar, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    email: String,
    csrf: String,
}

/// Sends the link when the address is someone's on the team, and answers the same page in any
/// case, at once: the link is made and queued after the answer, so its time does not tell either.
pub async fn send(
    State(state): State<AppState>,
    ip: ClientIp,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<ForgotForm>,
) -> Result<impl IntoResponse, HttpError> {
    check_login_csrf(&jar, &form.csrf)?;
    if ip.check_reset_rate(&state, &form.email)? {
        let app = state.couriers.app.clone();
        tokio::spawn(async move {
            if let Err(error) = app::forgot_password(&app, &form.email).await {
                tracing::warn!(%error, "could not send a password link asked for on the login page");
            }
        });
    }
    let page = ForgotPasswordPage {
        texts: texts(request_lang(query.lang(), &headers)),
        csrf: String::new(),
        sent: true,
    };
    render(&page)
}
