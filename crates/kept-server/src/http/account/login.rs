//! Logging in and out, and the language a staff member reads kept in.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use kept_app::records::Staff;
use kept_domain::Lang;
use serde::Deserialize;

use crate::http::account::views::LoginPage;
use crate::http::errors::HttpError;
use crate::http::extract::LangQuery;
use crate::http::extract::{
    ClientIp, CsrfForm, LOGIN_CSRF_COOKIE, SESSION_COOKIE, StaffSession, check_login_csrf, fresh_login_csrf,
    private_cookie, request_lang,
};
use crate::http::pages::render;
use crate::i18n::texts;
use crate::state::AppState;
use kept_app as app;
use kept_app::error::AppError;

pub async fn home() -> Redirect {
    Redirect::to("/staff")
}

pub async fn login_form(
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<impl IntoResponse, HttpError> {
    let (jar, csrf) = fresh_login_csrf(&state, jar);
    let page = LoginPage {
        texts: texts(request_lang(query.lang(), &headers)),
        csrf,
        email: String::new(),
        failed: false,
    };
    Ok((jar, render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, HttpError> {
    check_login_csrf(&jar, &form.csrf)?;
    ip.check_login_rate(&state, &form.email)?;
    let Some(token) = app::log_in(&state, &form.email, &form.password).await? else {
        let page = LoginPage {
            texts: texts(request_lang(query.lang(), &headers)),
            csrf: form.csrf,
            email: form.email,
            failed: true,
        };
        return Ok((
            StatusCode::UNAUTHORIZED,
            axum::Extension(crate::http::errors::OwnPage),
            render(&page)?,
        )
            .into_response());
    };
    let jar = with_session_cookie(&state, jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/")), token);
    Ok((jar, Redirect::to("/staff")).into_response())
}

/// Logs `staff` in: a new session, its cookie in `jar`.
pub(crate) async fn start_session(state: &AppState, staff: &Staff, jar: CookieJar) -> Result<CookieJar, HttpError> {
    let token = app::start_session(state, staff).await?;
    Ok(with_session_cookie(state, jar, token))
}

/// The session's token as the cookie every staff request carries.
fn with_session_cookie(state: &AppState, jar: CookieJar, token: String) -> CookieJar {
    jar.add(private_cookie(state, SESSION_COOKIE, token, SameSite::Lax))
}

pub async fn logout(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::log_out(&state, &session.token_hash).await?;
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    csrf: String,
    lang: String,
}

/// "English" / "Nederlands" in the header: the staff member's language from now on; back to
/// the page it was chosen on.
pub async fn set_language(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let lang = Lang::from_code(&form.lang).ok_or_else(|| AppError::BadRequest("unknown language".into()))?;
    app::set_own_language(&state, &session.staff, lang).await?;
    // Back to the staff page it came from, without its ?lang= (only a path on this site).
    let back = crate::http::extract::staff_page_before(&headers, false).unwrap_or_else(|| "/staff".to_string());
    Ok(Redirect::to(&back).into_response())
}
