//! Who is asking: a logged-in staff member (cookie), an API client (bearer token), their
//! address for rate limiting, and the language to answer in.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use kept_app::records::Staff;
use kept_domain::Lang;
use serde::Deserialize;
use utoipa::IntoParams;

use super::errors::HttpError;
use crate::state::AppState;
use kept_app::auth::token_hash;
use kept_app::error::AppError;

pub const SESSION_COOKIE: &str = "kept_session";
pub const LOGIN_CSRF_COOKIE: &str = "kept_login_csrf";

/// A staff member logged in through the web pages.
pub struct StaffSession {
    pub staff: Staff,
    pub csrf: String,
    pub token_hash: String,
}

impl StaffSession {
    /// Every state-changing form carries the session's CSRF token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if kept_app::auth::same_secret(&self.csrf, submitted) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let to_login = || Redirect::to("/login").into_response();
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .ok_or_else(to_login)?;
        let hash = token_hash(&token);
        match kept_app::session(state, &hash).await {
            Ok(Some(session)) => Ok(StaffSession {
                staff: session.staff,
                csrf: session.csrf_token,
                token_hash: hash,
            }),
            Ok(None) => Err(to_login()),
            Err(error) => Err(HttpError::from(error).into_response()),
        }
    }
}

/// A staff member calling the API: with `Authorization: Bearer <token>`, or from kept's own
/// pages with the session cookie (then anything but a read must carry the session's CSRF token
/// in `X-CSRF-Token`).
pub struct ApiStaff(pub Staff);

pub const CSRF_HEADER: &str = "x-csrf-token";

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty());
        if let Some(token) = bearer {
            let staff = kept_app::staff_by_api_token(state, &token_hash(token)).await?;
            return staff.map(ApiStaff).ok_or(AppError::Unauthorized.into());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar.get(SESSION_COOKIE).ok_or(AppError::Unauthorized)?;
        let session = kept_app::session(state, &token_hash(cookie.value()))
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !kept_app::auth::same_secret(&session.csrf_token, sent) {
                return Err(AppError::Forbidden.into());
            }
        }
        Ok(ApiStaff(session.staff))
    }
}

/// The client's address: the connection's peer, or — behind `trusted_proxies` proxies of the
/// business's own — the `X-Forwarded-For` entry the outermost of them added. Entries to the
/// left of it come from the client and prove nothing, so they are never used.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let proxies = state.settings().trusted_proxies;
        let forwarded = (proxies > 0)
            .then(|| parts.headers.get_all("x-forwarded-for"))
            .and_then(|values| {
                let entries: Vec<&str> = values
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .collect();
                entries.len().checked_sub(proxies).map(|i| entries[i])
            })
            .map(forwarded_address)
            .transpose()?;
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        forwarded
            .or(peer)
            .map(ClientIp)
            .ok_or_else(|| AppError::Internal("no client address".into()).into())
    }
}

/// The address in an `X-Forwarded-For` entry our own proxy wrote: a bare address, or one with a
/// port (`203.0.113.7:4711`, `[2001:db8::1]:443`, as some load balancers write it). Anything
/// else is refused: counting it as the proxy would put every client in one bucket.
fn forwarded_address(entry: &str) -> Result<IpAddr, AppError> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|a| a.ip()))
        .or_else(|_| entry.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>())
        .map_err(|_| {
            tracing::warn!(
                entry,
                "the proxy's X-Forwarded-For entry is not an address; check trusted_proxies"
            );
            AppError::BadRequest("the proxy in front of kept sent an unreadable X-Forwarded-For header".into())
        })
}

impl ClientIp {
    /// Public endpoints allow a few requests per minute per address.
    pub fn check_rate(&self, state: &AppState) -> Result<(), AppError> {
        match &state.limiter {
            Some(limiter) if limiter.check_key(&self.0).is_err() => Err(AppError::TooManyRequests),
            _ => Ok(()),
        }
    }

    /// "Forgot password" e-mails: `Ok(true)` to send one; `Ok(false)` when this account had its
    /// share this hour (said to nobody: the page looks the same); too many from one address is
    /// a 429, which tells nothing about any account.
    pub fn check_reset_rate(&self, state: &AppState, email: &str) -> Result<bool, AppError> {
        let Some(limits) = &state.reset_limiter else {
            return Ok(true);
        };
        use std::hash::BuildHasher;
        if limits.per_address.check_key(&state.rate_keys.hash_one(self.0)).is_err() {
            return Err(AppError::TooManyRequests);
        }
        let email: String = email.trim().to_lowercase().chars().take(254).collect();
        Ok(limits.per_account.check_key(&state.rate_keys.hash_one(email)).is_ok())
    }

    /// Log-in attempts: a few per minute from one address, and a few per minute for one account.
    pub fn check_login_rate(&self, state: &AppState, email: &str) -> Result<(), AppError> {
        let Some(limiter) = &state.login_limiter else {
            return Ok(());
        };
        use std::hash::BuildHasher;
        // An address longer than any real one (RFC 5321: 254) is counted by its start.
        let email: String = email.trim().to_lowercase().chars().take(254).collect();
        let account = state.rate_keys.hash_one(("account", email));
        let address = state.rate_keys.hash_one(("address", self.0));
        // Both are counted, so guessing from many addresses still locks the account.
        let by_account = limiter.check_key(&account);
        let by_address = limiter.check_key(&address);
        if by_account.is_err() || by_address.is_err() {
            return Err(AppError::TooManyRequests);
        }
        Ok(())
    }
}

/// The pages before a session (log in, forgot password) carry a CSRF token in a cookie of
/// their own: a fresh one, set in `jar`.
pub fn fresh_login_csrf(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let csrf = kept_app::auth::new_token();
    let jar = jar.add(private_cookie(state, LOGIN_CSRF_COOKIE, csrf.clone(), SameSite::Strict));
    (jar, csrf)
}

/// The form's CSRF token must be the one in the pre-session cookie.
pub fn check_login_csrf(jar: &CookieJar, csrf: &str) -> Result<(), AppError> {
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value()).unwrap_or_default();
    if expected.is_empty() || !kept_app::auth::same_secret(expected, csrf) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The language an API client asked for.
pub fn api_lang(code: Option<&str>) -> Result<Option<Lang>, AppError> {
    code.map(|c| {
        Lang::from_code(c).ok_or_else(|| AppError::invalid("lang", "unknown_language", "lang must be nl or en"))
    })
    .transpose()
}

/// `?lang=` wins, then the browser's `Accept-Language`.
pub fn request_lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    query.and_then(Lang::parse).unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    })
}

/// A cookie only our own pages send back, never readable by scripts.
pub fn private_cookie(state: &AppState, name: &'static str, value: String, same_site: SameSite) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(state.settings().cookie_secure)
        .same_site(same_site)
        .build()
}

/// Parses a JSON body; anything else is a 422 naming `field`, so that a client sees what to fix.
/// (The body is taken as bytes because axum's own JSON rejection answers in plain text.)
pub fn json_body<'a, T: serde::Deserialize<'a>>(
    body: &'a [u8],
    field: &'static str,
    expected: &str,
) -> Result<T, AppError> {
    // "\u0000" in any string: PostgreSQL cannot store it as text, and no real message holds it.
    if body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(AppError::invalid(
            field,
            "nul_character",
            "the JSON holds a NUL character (\\u0000)",
        ));
    }
    // Every body kept takes is an object; serde would also fill a struct from an array.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(AppError::invalid(
            field,
            "invalid_json",
            format!("{expected}: send a JSON object"),
        ));
    }
    let refused = |e: serde_json::Error| AppError::invalid(field, "invalid_json", format!("{expected}: {e}"));
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        // JSON has one kind of number: 30.0 is the integer 30 to JSON Schema (and to clients
        // generated from the API's description), while serde refuses it for an integer field.
        Err(first) if body.contains(&b'.') => {
            let mut value: serde_json::Value = serde_json::from_slice(body).map_err(refused)?;
            integral_numbers_as_integers(&mut value);
            T::deserialize(value).map_err(|_| refused(first))
        }
        Err(first) => Err(refused(first)),
    }
}

/// 30.0 → 30, in every number of the document that is a whole number within i64.
pub fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(whole) = n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
            {
                *value = serde_json::Value::from(whole);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// An optional `?status=` filter; an unknown value is a 422 that lists the known ones.
pub fn status_filter<T>(value: Option<&str>, parse: fn(&str) -> Option<T>, known: &str) -> Result<Option<T>, AppError> {
    value
        .map(|v| {
            parse(v).ok_or_else(|| AppError::invalid("status", "unknown_status", format!("status must be {known}")))
        })
        .transpose()
}

/// The staff page a request came from (the Referer), as a path on this site: with its query
/// string when `with_query`, and `None` when it is not one of the staff pages.
pub fn staff_page_before(headers: &HeaderMap, with_query: bool) -> Option<String> {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| reqwest::Url::parse(referer).ok())
        .map(|url| match url.query().filter(|_| with_query) {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        })
        .filter(|path| path.starts_with("/staff") && !path.contains("//"))
}

pub const FLASH_COOKIE: &str = "kept_flash";

/// What a page says once after a form was sent (the form answers with a redirect, so a reload
/// does not send it again): a notice, and a secret to show this once (a new API token, a link
/// to pass on). Carried in a short-lived HttpOnly cookie, read and removed by the next page.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub notice: Option<String>,
    pub secret: Option<String>,
}

impl Flash {
    /// Puts the flash in `jar` for the next page.
    pub fn keep(self, state: &AppState, jar: CookieJar) -> CookieJar {
        let value = serde_json::to_string(&self).unwrap_or_default();
        let value = percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC).to_string();
        jar.add(private_cookie(state, FLASH_COOKIE, value, SameSite::Strict))
    }

    /// Takes the flash out of `jar` (empty when there is none).
    pub fn take(jar: CookieJar) -> (Flash, CookieJar) {
        let flash = jar
            .get(FLASH_COOKIE)
            .and_then(|c| {
                percent_encoding::percent_decode_str(c.value())
                    .decode_utf8()
                    .ok()
                    .map(|v| v.to_string())
            })
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default();
        (flash, jar.remove(Cookie::build(FLASH_COOKIE).path("/")))
    }
}

/// A form that carries nothing but its CSRF token: a button that does one thing.
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// `?lang=` on a staff page: the page in another language than the staff member's own.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    pub fn lang(&self) -> Option<&str> {
        self.lang.as_deref()
    }
}

impl StaffSession {
    pub fn lang(&self, query: &LangQuery) -> Lang {
        query.lang.as_deref().and_then(Lang::parse).unwrap_or(self.staff.lang)
    }
}

/// `{id}` in a path: an id from one of kept's answers. Anything else is `404`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// An id from one of kept's answers.
    pub id: String,
}

/// What the writer decided about the commitments the composer listed, from the form's fields
/// (see [`ReplyForm`]).
pub fn commitment_choices(
    shown: bool,
    choices: &std::collections::HashMap<String, String>,
    hours: &kept_domain::hours::BusinessHours,
) -> kept_app::CommitmentChoices {
    let local = |key: &str| {
        choices
            .get(key)
            .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok())
            .map(|local| hours.instant(local.date(), local.time()))
    };
    let with_prefix = |prefix: &'static str| {
        choices
            .keys()
            .filter_map(move |key| key.strip_prefix(prefix).map(|rest| (key, rest.to_string())))
    };
    let kept = with_prefix("keep_")
        .map(|(_, key)| (key.clone(), local(&format!("due_{key}"))))
        .collect();
    let made_definite = with_prefix("vague_")
        .filter_map(|(field, _)| Some((choices.get(field)?.clone(), local(&format!("due_{field}"))?)))
        .collect();
    kept_app::CommitmentChoices {
        shown,
        listed: with_prefix("listed_").map(|(_, key)| key).collect(),
        kept,
        made_definite,
    }
}
