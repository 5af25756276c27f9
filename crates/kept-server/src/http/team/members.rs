//! The team (everyone sees it; owners manage it), one's own account (password, API tokens),
//! the page a password link opens, and the staff API. Every handler is a thin shell around a
//! use case in `app::staff`, which checks who may do what.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use axum_extra::extract::CookieJar;
use kept_app::records::{ApiTokenView, Staff, StaffChange};
use kept_domain::staff::{LinkPurpose, OwnerOnly};
use kept_domain::{Lang, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::account::login::start_session;
use crate::http::errors::ErrorBody;
use crate::http::errors::HttpError;
use crate::http::extract::IdPath;
use crate::http::extract::LangQuery;
use crate::http::extract::{ApiStaff, Flash, StaffSession, json_body, request_lang};
use crate::http::pages::clock;
use crate::http::pages::render;
use crate::http::team::views::{AccountPage, PasswordPage, TeamPage, TeamRow, TokenRow};
use crate::i18n::{TeamTexts, error_texts, team_texts, texts};
use crate::state::AppState;
use kept_app::error::AppError;
use kept_app::{self as app, LinkSent, NewMember};

pub async fn team(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    jar: CookieJar,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let (flash, jar) = Flash::take(jar);
    Ok((jar, team_page(&state, session, lang, flash).await?).into_response())
}

/// Back to the team page, which says `notice` (and shows `pass_on`, a link to pass on) once.
fn back_to_team(state: &AppState, jar: CookieJar, notice: String, pass_on: Option<String>) -> Response {
    let flash = Flash {
        notice: Some(notice),
        secret: pass_on,
    };
    (flash.keep(state, jar), Redirect::to("/staff/team")).into_response()
}

async fn team_page(state: &AppState, session: StaffSession, lang: Lang, flash: Flash) -> Result<Response, HttpError> {
    let all = kept_app::team(state).await?;
    let t = texts(lang);
    let staff = all.iter().filter(|s| s.active).map(|s| team_row(s, &all, t)).collect();
    let page = TeamPage {
        texts: t,
        team: team_texts(lang),
        me_away: all.iter().any(|s| s.id == session.staff.id && s.away),
        can_stand_in: all.iter().any(|s| s.id != session.staff.id && s.active && !s.invited()),
        manages_team: session.staff.role.may(OwnerOnly::ManageStaff),
        staff,
        former: all.iter().filter(|s| !s.active).map(|s| s.name.clone()).collect(),
        notice: flash.notice,
        pass_on: flash.secret,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

/// A colleague on the team page, their stand-in by name.
fn team_row(member: &Staff, all: &[Staff], t: &crate::i18n::Texts) -> TeamRow {
    let delegate = member
        .delegate_id
        .as_ref()
        .and_then(|id| all.iter().find(|s| &s.id == id));
    TeamRow {
        id: member.id.clone(),
        name: member.name.clone(),
        email: member.email.clone(),
        is_owner: member.role == Role::Owner,
        role: match member.role {
            Role::Owner => t.role_owner,
            Role::Agent => t.role_agent,
        },
        away: member.away,
        delegate: delegate.map(|s| s.name.clone()),
        invited: member.invited(),
    }
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    csrf: String,
    name: String,
    email: String,
    role: String,
    lang: String,
}

/// The owner adds someone; the page says so and shows the link to pass on.
pub async fn invite(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<InviteForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let member = NewMember {
        email: form.email,
        name: form.name,
        role: parse_role(&form.role)?,
        lang: Lang::from_code(&form.lang).unwrap_or(session.staff.lang),
    };
    let sent = app::invite(&state, &session.staff, member).await?;
    let tt = team_texts(session.staff.lang);
    Ok(link_notice(&state, jar, tt, tt.invitation_sent, sent))
}

/// "Invitation sent to Piet (piet@…)", or that no e-mail could go out: then the link must be
/// passed on by hand.
fn link_notice(state: &AppState, jar: CookieJar, tt: &TeamTexts, what: &str, sent: LinkSent) -> Response {
    let who = format!("{} ({})", sent.staff.name, sent.staff.email);
    let notice = match state.settings().smtp_url {
        Some(_) => format!("{what} {who}."),
        None => format!("{} {who}.", tt.no_mail_pass_on),
    };
    back_to_team(state, jar, notice, Some(sent.link))
}

fn parse_role(code: &str) -> Result<Role, AppError> {
    Role::parse(code).ok_or_else(|| AppError::invalid("role", "unknown_role", "the role is owner or agent"))
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    csrf: String,
    name: String,
    role: String,
}

pub async fn change_member(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<MemberForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let change = StaffChange {
        name: Some(form.name),
        role: Some(parse_role(&form.role)?),
    };
    app::change_member(&state, &session.staff, &id, change).await?;
    let saved = team_texts(session.staff.lang).saved.to_string();
    Ok(back_to_team(&state, jar, saved, None))
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn send_password_link(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let sent = app::send_password_reset(&state, &session.staff, &id).await?;
    let tt = team_texts(session.staff.lang);
    Ok(link_notice(&state, jar, tt, tt.link_sent, sent))
}

#[derive(Debug, Deserialize)]
pub struct DeactivateForm {
    csrf: String,
    hand_over_to: String,
}

pub async fn deactivate(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<DeactivateForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::deactivate(&state, &session.staff, &id, &form.hand_over_to).await?;
    let successor = kept_app::staff_member(&state, &form.hand_over_to).await?;
    let notice = format!(
        "{} {}.",
        team_texts(session.staff.lang).taken_off,
        successor.map(|s| s.name).unwrap_or_default()
    );
    Ok(back_to_team(&state, jar, notice, None))
}

// ---- Away and back ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct AwayForm {
    csrf: String,
    away: String,
    delegate: Option<String>,
    /// Whom the change is for; yourself when left out (someone else: owners only).
    staff_id: Option<String>,
}

pub async fn set_away(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<AwayForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let delegate = match form.away.as_str() {
        "1" => Some(
            form.delegate
                .filter(|d| !d.is_empty())
                .ok_or_else(|| AppError::BadRequest("choose a stand-in".into()))?,
        ),
        _ => None,
    };
    let who = form
        .staff_id
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| session.staff.id.clone());
    app::set_away(&state, &session.staff, &who, delegate.as_deref()).await?;
    let team = kept_app::team(&state).await?;
    let name = |id: &str| {
        team.iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let tt = team_texts(session.staff.lang);
    let notice = match &delegate {
        Some(delegate) => tt.now_away.replace("{delegate}", &name(delegate)),
        None => tt.now_back.to_string(),
    }
    .replace("{who}", &name(&who));
    Ok(back_to_team(&state, jar, notice, None))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AwayRequest {
    /// The stand-in's staff id while away; null (or left out) when back.
    delegate: Option<String>,
}

/// Marks a staff member away with a stand-in (their open promises move to the stand-in), or
/// back. Anyone may mark themselves; marking someone else is for owners.
#[utoipa::path(
    post,
    path = "/api/v1/staff/{id}/away",
    params(IdPath),
    request_body = AwayRequest,
    security(("bearer" = [])),
    responses((status = 204, description = "Changed"), (status = 403, body = ErrorBody),
               (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn api_set_away(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: axum::body::Bytes,
) -> Result<StatusCode, HttpError> {
    let request: AwayRequest = json_body(&body, "body", "expected {\"delegate\": \"staff id\" | null}")?;
    app::set_away(&state, &staff, &id, request.delegate.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- One's own account -------------------------------------------------------------------

pub async fn account(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<LangQuery>,
    jar: CookieJar,
) -> Result<Response, HttpError> {
    let lang = session.lang(&query);
    let (flash, jar) = Flash::take(jar);
    Ok((
        jar,
        account_page(&state, session, lang, flash.notice, flash.secret).await?,
    )
        .into_response())
}

fn back_to_account(state: &AppState, jar: CookieJar, flash: Flash) -> Response {
    (flash.keep(state, jar), Redirect::to("/staff/account")).into_response()
}

async fn account_page(
    state: &AppState,
    session: StaffSession,
    lang: Lang,
    notice: Option<String>,
    new_token: Option<String>,
) -> Result<Response, HttpError> {
    let clock = clock(state, lang);
    let tokens = app::api_tokens(state, &session.staff)
        .await?
        .iter()
        .map(|token| TokenRow {
            id: token.id.clone(),
            name: token.name.clone(),
            whose: token.staff_name.clone(),
            created: clock.moment(token.created_at),
        })
        .collect();
    let page = AccountPage {
        calendar_url: app::calendar_url(state, &session.staff, false).await?,
        booking: crate::i18n::booking_texts(lang),
        texts: texts(lang),
        team: team_texts(lang),
        sees_all_tokens: session.staff.role.may(OwnerOnly::ManageStaff),
        tokens,
        notice,
        new_token,
        me: session.staff,
        csrf: session.csrf,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct OwnPasswordForm {
    csrf: String,
    current_password: String,
    password: String,
    repeat: String,
}

pub async fn change_own_password(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<OwnPasswordForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    if form.password != form.repeat {
        return Err(passwords_differ().into());
    }
    app::change_own_password(
        &state,
        &session.staff,
        Some(&session.token_hash),
        &form.current_password,
        &form.password,
    )
    .await?;
    let flash = Flash {
        notice: Some(team_texts(session.staff.lang).password_changed.into()),
        secret: None,
    };
    Ok(back_to_account(&state, jar, flash))
}

fn passwords_differ() -> AppError {
    AppError::invalid("repeat", "passwords_differ", "the two new passwords are not the same")
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<TokenForm>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    let (_, token) = app::create_api_token(&state, &session.staff, &form.name).await?;
    let flash = Flash {
        notice: None,
        secret: Some(token),
    };
    Ok(back_to_account(&state, jar, flash))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    jar: CookieJar,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::revoke_api_token(&state, &session.staff, &id).await?;
    let flash = Flash {
        notice: Some(team_texts(session.staff.lang).token_revoked.into()),
        secret: None,
    };
    Ok(back_to_account(&state, jar, flash))
}

/// A new calendar address; the old one stops working.
pub async fn rotate_calendar(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, HttpError> {
    session.check_csrf(&form.csrf)?;
    app::calendar_url(&state, &session.staff, true).await?;
    let flash = Flash {
        notice: Some(crate::i18n::booking_texts(session.staff.lang).saved.into()),
        secret: None,
    };
    Ok(back_to_account(&state, jar, flash))
}

// ---- The page a password link opens (no login: the link is the key) ------------------------

pub async fn password_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    password_page(&state, token, &headers, None).await
}

/// In the language of the person the link is for; a link that no longer works says so in
/// the browser's language.
async fn password_page(
    state: &AppState,
    token: String,
    headers: &HeaderMap,
    problem: Option<&'static str>,
) -> Result<Response, HttpError> {
    let Ok(link) = app::usable_password_link(state, &token).await else {
        let lang = request_lang(None, headers);
        let page = PasswordPage {
            texts: texts(lang),
            team: team_texts(lang),
            token: String::new(),
            name: None,
            email: String::new(),
            reset: false,
            problem: None,
        };
        return Ok((StatusCode::GONE, render(&page)?).into_response());
    };
    let lang = link.staff_lang;
    let page = PasswordPage {
        texts: texts(lang),
        team: team_texts(lang),
        token,
        name: Some(link.staff_name),
        email: link.staff_email,
        reset: link.purpose == LinkPurpose::Reset,
        problem,
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    password: String,
    repeat: String,
}

/// Sets the password, uses the link up and logs the person in.
pub async fn set_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Result<Response, HttpError> {
    let outcome = if form.password == form.repeat {
        app::set_password_with_link(&state, &token, &form.password).await
    } else {
        Err(passwords_differ())
    };
    match outcome {
        Ok(staff) => {
            let jar = start_session(&state, &staff, jar).await?;
            Ok((jar, Redirect::to("/staff")).into_response())
        }
        Err(AppError::Invalid(problems)) => {
            let lang = app::usable_password_link(&state, &token)
                .await
                .map_or(Lang::default(), |l| l.staff_lang);
            let problem = problems.first().and_then(|p| error_texts(lang).problem(p.code));
            password_page(&state, token, &headers, problem).await
        }
        Err(AppError::Gone(_)) => password_page(&state, token, &headers, None).await,
        Err(other) => Err(other.into()),
    }
}

// ---- The API -------------------------------------------------------------------------------

/// A staff member as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffJson {
    id: String,
    name: String,
    email: String,
    #[schema(schema_with = crate::dto::schemas::role)]
    role: Role,
    #[schema(schema_with = crate::dto::schemas::lang)]
    lang: Lang,
    away: bool,
    /// Who stands in while they are away.
    stand_in: Option<String>,
    /// False once taken off the team.
    active: bool,
    /// Invited, but no password chosen yet.
    invited: bool,
}

impl From<Staff> for StaffJson {
    fn from(staff: Staff) -> Self {
        StaffJson {
            invited: staff.invited(),
            id: staff.id,
            name: staff.name,
            email: staff.email,
            role: staff.role,
            lang: staff.lang,
            away: staff.away,
            stand_in: staff.delegate_id,
            active: staff.active,
        }
    }
}

/// The team, former members included (`active: false`).
#[utoipa::path(get, path = "/api/v1/staff", operation_id = "list_staff", security(("bearer" = [])),
    responses((status = 200, body = [StaffJson])))]
pub async fn api_list(State(state): State<AppState>, ApiStaff(_): ApiStaff) -> Result<Json<Vec<StaffJson>>, HttpError> {
    let staff = kept_app::team(&state).await?;
    Ok(Json(staff.into_iter().map(StaffJson::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteRequest {
    /// Their e-mail address: they log in with it (one not yet on the team, else 409).
    #[schema(format = Email, min_length = 3, max_length = 254)]
    email: String,
    /// One line, at most 100 characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[schema(schema_with = crate::dto::schemas::role)]
    role: String,
    /// nl (default) or en: the language of their e-mails and pages.
    #[schema(schema_with = crate::dto::schemas::optional_lang)]
    lang: Option<String>,
}

/// A new password link was sent (and may be passed on by hand).
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSentJson {
    staff: StaffJson,
    /// The one-time link the e-mail carries: valid for 7 days, until used or replaced.
    password_link: String,
}

impl From<LinkSent> for LinkSentJson {
    fn from(sent: LinkSent) -> Self {
        LinkSentJson {
            staff: sent.staff.into(),
            password_link: sent.link,
        }
    }
}

/// Adds someone to the team (owner): they get an invitation e-mail with a one-time link to
/// choose their password.
#[utoipa::path(post, path = "/api/v1/staff", operation_id = "invite_staff", request_body = InviteRequest,
    security(("bearer" = [])),
    responses((status = 201, body = LinkSentJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_invite(
    State(state): State<AppState>,
    ApiStaff(actor): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<LinkSentJson>), HttpError> {
    let request: InviteRequest = json_body(&body, "body", "expected {\"email\", \"name\", \"role\"}")?;
    let lang = match request.lang.as_deref() {
        None => Lang::default(),
        Some(code) => Lang::from_code(code).ok_or_else(|| AppError::invalid("lang", "unknown_lang", "nl or en"))?,
    };
    let member = NewMember {
        email: request.email,
        name: request.name,
        role: parse_role(&request.role)?,
        lang,
    };
    let sent = app::invite(&state, &actor, member).await?;
    Ok((StatusCode::CREATED, Json(sent.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffChangeRequest {
    /// One line, at most 100 characters; left out keeps the name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    #[schema(schema_with = crate::dto::schemas::optional_role)]
    role: Option<String>,
}

/// Renames someone or changes their role (owner). The team always keeps an owner (`422 last_owner`).
#[utoipa::path(put, path = "/api/v1/staff/{id}", operation_id = "change_staff", params(IdPath),
    request_body = StaffChangeRequest, security(("bearer" = [])),
    responses((status = 200, body = StaffJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn api_change(
    State(state): State<AppState>,
    ApiStaff(actor): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<Json<StaffJson>, HttpError> {
    let request: StaffChangeRequest = json_body(&body, "body", "expected {\"name\", \"role\"}")?;
    let change = StaffChange {
        name: request.name,
        role: request.role.as_deref().map(parse_role).transpose()?,
    };
    Ok(Json(app::change_member(&state, &actor, &id, change).await?.into()))
}

/// Sends someone a new one-time link to set their password (owner).
#[utoipa::path(post, path = "/api/v1/staff/{id}/reset-password", operation_id = "reset_staff_password",
    params(IdPath), security(("bearer" = [])),
    responses((status = 202, body = LinkSentJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_reset_password(
    State(state): State<AppState>,
    ApiStaff(actor): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<(StatusCode, Json<LinkSentJson>), HttpError> {
    let sent = app::send_password_reset(&state, &actor, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(sent.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeactivateRequest {
    /// Who takes over their open promises and conversations.
    hand_over_to: String,
}

/// Takes someone off the team (owner): their open work goes to `hand_over_to`, they can no
/// longer log in and their API tokens stop working.
#[utoipa::path(post, path = "/api/v1/staff/{id}/deactivate", operation_id = "deactivate_staff", params(IdPath),
    request_body = DeactivateRequest, security(("bearer" = [])),
    responses((status = 204, description = "Taken off the team"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_deactivate(
    State(state): State<AppState>,
    ApiStaff(actor): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
    body: Bytes,
) -> Result<StatusCode, HttpError> {
    let request: DeactivateRequest = json_body(&body, "body", "expected {\"hand_over_to\": \"staff id\"}")?;
    app::deactivate(&state, &actor, &id, &request.hand_over_to).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    id: String,
    name: String,
    staff_id: String,
    staff_name: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<ApiTokenView> for TokenJson {
    fn from(view: ApiTokenView) -> Self {
        TokenJson {
            id: view.id,
            name: view.name,
            staff_id: view.staff_id,
            staff_name: view.staff_name,
            created_at: view.created_at,
        }
    }
}

/// API tokens: your own, or everyone's for an owner. The tokens themselves are never shown again.
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "list_tokens", security(("bearer" = [])),
    responses((status = 200, body = [TokenJson])))]
pub async fn api_tokens(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<Vec<TokenJson>>, HttpError> {
    let tokens = app::api_tokens(&state, &staff).await?;
    Ok(Json(tokens.into_iter().map(TokenJson::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// What the token is for: one line, at most 60 characters.
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    listed: TokenJson,
    /// The token: shown this once.
    token: String,
}

/// Makes a new API token for yourself.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "create_token", request_body = TokenRequest,
    security(("bearer" = [])), responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)))]
pub async fn api_create_token(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    body: Bytes,
) -> Result<(StatusCode, Json<CreatedToken>), HttpError> {
    let request: TokenRequest = json_body(&body, "body", "expected {\"name\": \"what it is for\"}")?;
    let (view, token) = app::create_api_token(&state, &staff, &request.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            listed: view.into(),
            token,
        }),
    ))
}

/// Revokes a token: your own, or anyone's for an owner.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", operation_id = "revoke_token", params(IdPath),
    security(("bearer" = [])), responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody)))]
pub async fn api_revoke_token(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<StatusCode, HttpError> {
    app::revoke_api_token(&state, &staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
