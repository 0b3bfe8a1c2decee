//! Who is asking: the session behind a request, resolved once by a
//! middleware and handed to handlers as an extractor. The same middleware
//! guards every state-changing request against CSRF.
//!
//! Pages use an HttpOnly, SameSite=Lax session cookie plus a per-session
//! token in every form (`_csrf`). The API takes the same cookie with the
//! token in an `X-CSRF-Token` header, or a bearer token from `POST
//! /api/login`, which a browser never sends by itself and so needs no CSRF
//! token.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::error::{ApiError, AppError, PageError};
use super::flash::{self, Flash};
use super::forms::FormPairs;
use super::kept_forms;
use crate::actions::{Caller, accounts};
use crate::auth::token::{constant_time_eq, random_token, sha256_hex};
use crate::config::millis;
use crate::domain::access::{Principal, Role, read_path_for};
use crate::store::{Actor, SignedIn};

pub const SESSION_COOKIE: &str = "theodoi_session";
/// Double-submit token for the login form, before there is a session.
pub const LOGIN_CSRF_COOKIE: &str = "theodoi_login_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub principal: Principal,
    pub token_hash: String,
    pub csrf_token: String,
    pub via_bearer: bool,
    /// An administrator without a second factor (a session older than the
    /// rule, or a role given since): nothing but enrolling until it has one.
    pub must_enrol: bool,
    /// What the previous action did, to say on this page.
    pub flash: Option<Flash>,
    /// What the person typed into this page's form and sent after their
    /// session had ended, kept for them and not saved yet.
    pub kept_form: Option<FormPairs>,
}

/// What an administrator who must enrol may still open.
const WHILE_ENROLLING: &[&str] = &[
    "/account",
    "/account/totp",
    "/account/logout-all",
    "/logout",
    "/static/style.css",
    "/healthz",
    "/api/me",
    "/api/logout",
    "/api/logout/all",
    "/api/account/totp",
    "/api/account/totp/confirm",
];

/// The caller's address, for the audit trail and login limits.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The CSRF token for a form shown to someone not signed in (the login
/// page, the public feedback pages): the double-submit cookie's value, and
/// the `Set-Cookie` header to send when the browser has none yet.
pub fn anonymous_csrf(secure_cookies: bool, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64) {
        Some(c) => (c, None),
        None => {
            let c = random_token();
            let secure = if secure_cookies { "; Secure" } else { "" };
            let header = format!("{LOGIN_CSRF_COOKIE}={c}; Path=/; HttpOnly; SameSite=Lax{secure}");
            (c, HeaderValue::from_str(&header).ok())
        }
    }
}

/// The token a form must carry for this visitor: the session's when signed
/// in, else the double-submit cookie's (see [`anonymous_csrf`]).
pub fn form_csrf(
    secure_cookies: bool,
    auth: Option<&Auth>,
    headers: &HeaderMap,
) -> (String, Option<HeaderValue>) {
    match auth {
        Some(a) => (a.csrf_token.clone(), None),
        None => anonymous_csrf(secure_cookies, headers),
    }
}

/// Adds the cookie from [`anonymous_csrf`] to a response, when there is one.
pub fn with_cookie(mut res: Response, set_cookie: Option<HeaderValue>) -> Response {
    if let Some(h) = set_cookie {
        res.headers_mut().append(SET_COOKIE, h);
    }
    res
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// Resolves the session, checks CSRF on unsafe methods, and puts `Auth`
/// and `ClientIp` into the request for the extractors below.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = ClientIp(client_ip(&req, &state.config.trusted_proxies));
    req.extensions_mut().insert(ip.clone());
    let is_api = req.uri().path().starts_with("/api/");
    let auth = match load(&state, req.headers()).await {
        Ok(auth) => auth,
        Err(e) => return render(e, is_api),
    };
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_api && auth.is_none() {
        // A long form sent after the session ended: kept, not lost.
        req = match kept_forms::keep_if_expired(&state, req).await {
            Ok(kept) => return kept,
            Err(req) => req,
        };
    }
    if !safe {
        let checked = if is_api {
            check_api_csrf(auth.as_ref(), req.headers()).map(|()| req)
        } else {
            check_form_csrf(&state, auth.as_ref(), req).await
        };
        req = match checked {
            Ok(req) => req,
            Err(e) => return render(e, is_api),
        };
    }
    let Some(mut auth) = auth else {
        return next.run(req).await;
    };
    if auth.must_enrol && !WHILE_ENROLLING.contains(&req.uri().path()) {
        if is_api {
            return render(AppError::TotpEnrolmentRequired, true);
        }
        return Redirect::to("/account/totp").into_response();
    }
    let path = req.uri().path().to_string();
    if safe && !is_api {
        auth.kept_form = kept_forms::kept_for(&state, auth.principal.user_id, &path).await;
    }
    let shows_flash = auth.flash.is_some();
    let user_id = auth.principal.user_id;
    // An inspector's reads are recorded; one that cannot be is not given.
    let audited_read = (safe && auth.principal.reads_are_audited()).then(|| {
        let address = req
            .uri()
            .path_and_query()
            .map_or(path.clone(), |p| p.as_str().to_string());
        (auth.actor(&ip), address)
    });
    req.extensions_mut().insert(Arc::new(auth));
    let mut res = next.run(req).await;
    if let Some((actor, address)) = audited_read
        && res.status().is_success()
        && let Err(e) = accounts::record_read(&state, &actor, &address).await
    {
        return render(e, is_api);
    }
    if shows_flash {
        flash::clear_after_shown(&mut res, state.config.secure_cookies);
    }
    // A long form saved: what was kept of it when a session ended is done.
    if !safe && !is_api && res.status().is_redirection() && kept_forms::page_of(&path).is_some() {
        kept_forms::forget(&state, user_id, &path).await;
    }
    res
}

fn render(e: AppError, is_api: bool) -> Response {
    if is_api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

/// The peer's address, or the client's behind a trusted proxy.
fn client_ip(req: &Request, trusted: &[crate::proxy::Cidr]) -> String {
    let Some(peer) = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "local".to_string();
    };
    // A header sent on several lines is one list, in order.
    let header = |name: &str| {
        let lines: Vec<&str> = req
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!lines.is_empty()).then(|| lines.join(","))
    };
    let (forwarded, x_forwarded_for) = (header("forwarded"), header("x-forwarded-for"));
    crate::proxy::client_ip(
        peer,
        forwarded.as_deref(),
        x_forwarded_for.as_deref(),
        trusted,
    )
    .to_string()
}

async fn load(state: &AppState, headers: &HeaderMap) -> Result<Option<Auth>, AppError> {
    let (token, via_bearer) = match (bearer(headers), cookie(headers, SESSION_COOKIE)) {
        (Some(t), _) => (t, true),
        (None, Some(t)) => (t, false),
        (None, None) => return Ok(None),
    };
    let token_hash = sha256_hex(&token);
    let Some(SignedIn {
        session,
        user,
        unit_kind,
        unit_commune_id,
    }) = state.store.signed_in(&token_hash).await?
    else {
        return Ok(None);
    };
    let now = state.store.clock().now_ms();
    let idle = millis(state.config.session_idle);
    if now > session.expires_at || now - session.last_seen_at > idle {
        return Ok(None);
    }
    if !user.active {
        return Ok(None);
    }
    // Writing on every request would queue reads behind the single SQLite
    // writer: marked at a quarter of the idle time, at most once a minute.
    if crate::domain::account::touch_due(idle, now - session.last_seen_at) {
        state.store.touch_session(&token_hash).await?;
    }
    let must_enrol = user.roles.contains(&Role::Administrator) && !user.totp_enabled();
    let commune_path = unit_commune_id.and_then(|c| path_upto(&user.unit_path, c));
    let read_path = read_path_for(
        &user.unit_path,
        unit_kind.is_level(),
        commune_path.as_deref(),
    );
    Ok(Some(Auth {
        principal: Principal {
            user_id: user.id,
            username: user.username,
            full_name: user.full_name,
            unit_id: user.unit_id,
            unit_path: user.unit_path,
            read_path,
            roles: user.roles,
        },
        token_hash,
        csrf_token: session.csrf_token,
        via_bearer,
        must_enrol,
        flash: Flash::from_headers(headers),
        kept_form: None,
    }))
}

/// The prefix of `path` that ends at the ancestor `id` (`/1/4/9/`, 4 →
/// `/1/4/`).
fn path_upto(path: &str, id: i64) -> Option<String> {
    let needle = format!("/{id}/");
    path.find(&needle)
        .map(|at| path[..at + needle.len()].to_string())
}

fn check_api_csrf(auth: Option<&Auth>, headers: &HeaderMap) -> Result<(), AppError> {
    match auth {
        // No session: the handler answers 401 (or it is the login itself).
        None => Ok(()),
        Some(a) if a.via_bearer => Ok(()),
        Some(a) => {
            let sent = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if constant_time_eq(sent, &a.csrf_token) {
                Ok(())
            } else {
                Err(AppError::Csrf)
            }
        }
    }
}

/// Forms carry `_csrf` in the body (url-encoded) or, for file uploads, in
/// the query string. The body is read here, bounded, and put back.
async fn check_form_csrf(
    state: &AppState,
    auth: Option<&Auth>,
    req: Request,
) -> Result<Request, AppError> {
    let expected = match auth {
        Some(a) => Some(a.csrf_token.clone()),
        None => cookie(req.headers(), LOGIN_CSRF_COOKIE),
    };
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return Err(AppError::Csrf);
    };
    if let Some(sent) = req
        .uri()
        .query()
        .and_then(|q| field(q.as_bytes(), CSRF_FIELD))
    {
        return if constant_time_eq(&sent, &expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let sent = field(&bytes, CSRF_FIELD).unwrap_or_default();
    if !constant_time_eq(&sent, &expected) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn field(encoded: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

impl Auth {
    pub fn actor(&self, ip: &ClientIp) -> Actor {
        Actor {
            user_id: Some(self.principal.user_id),
            ip: Some(ip.0.clone()),
        }
    }

    /// The caller an action acts for: this user, from this address.
    pub fn caller(&self, ip: &ClientIp) -> Caller<'_> {
        Caller {
            principal: &self.principal,
            actor: self.actor(ip),
        }
    }
}

/// A page that needs a signed-in user; others are sent to the login page.
pub struct PageAuth(pub Arc<Auth>);

pub struct LoginRedirect(Response);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageAuth {
    type Rejection = LoginRedirect;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Arc<Auth>>() {
            Some(a) => Ok(PageAuth(a.clone())),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let to = format!("/login?next={}", encode_component(next));
                Err(LoginRedirect(Redirect::to(&to).into_response()))
            }
        }
    }
}

/// An API call that needs a signed-in user; others get a JSON 401.
pub struct ApiAuth(pub Arc<Auth>);

impl<S: Send + Sync> FromRequestParts<S> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<Auth>>()
            .cloned()
            .map(ApiAuth)
            .ok_or(ApiError(AppError::Unauthorized))
    }
}

/// The signed-in user if there is one (the login page, the home page).
pub struct MaybeAuth(pub Option<Arc<Auth>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(parts.extensions.get::<Arc<Auth>>().cloned()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .cloned()
            .unwrap_or_else(|| ClientIp("local".into())))
    }
}

pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_cut_at_its_ancestor() {
        assert_eq!(path_upto("/1/4/9/", 4).as_deref(), Some("/1/4/"));
        assert_eq!(path_upto("/1/44/9/", 4), None);
    }

    #[test]
    fn form_fields_are_found_in_encoded_bodies() {
        assert_eq!(
            field(b"a=1&_csrf=abc%20d&b=2", CSRF_FIELD).as_deref(),
            Some("abc d")
        );
        assert_eq!(field(b"a=1", CSRF_FIELD), None);
        assert_eq!(field(&[0xff, 0xfe], CSRF_FIELD), None);
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "a=1; theodoi_session=xyz".parse().expect("header"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "b"), None);
    }
}
