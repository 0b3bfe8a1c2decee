//! Signing in and out, for pages and the API alike: the same limits, the
//! same session table.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{AppError, PageError};
use super::session::{
    Auth, ClientIp, MaybeAuth, PageAuth, SESSION_COOKIE, anonymous_csrf, cookie, encode_component,
    with_cookie,
};
use crate::auth::token::{random_token, sha256_hex};
use crate::auth::{password, totp};
use crate::config::millis;
use crate::domain::account::{self, SecondStep};
use crate::store::{Actor, DORMANT, User};

/// A new session, as handed to the browser or API client.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// What a correct password leads to.
pub enum SignIn {
    /// No second factor: signed in.
    Session(Box<NewSession>),
    /// A code is still needed (or, for an administrator without one, an
    /// authenticator to enrol first).
    SecondStep(Challenge),
}

pub struct Challenge {
    /// Sent back with the code; valid for [`CHALLENGE_MINUTES`].
    pub token: String,
    pub enrolment: Option<Enrolment>,
}

/// A secret to add to an authenticator app, shown while enrolling only.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

impl Enrolment {
    pub fn for_secret(username: &str, secret: &[u8]) -> Enrolment {
        Enrolment {
            secret: totp::grouped(&totp::base32_encode(secret)),
            uri: totp::otpauth_uri(username, secret),
        }
    }
}

pub const CHALLENGE_MINUTES: i64 = 5;
pub const CHALLENGE_COOKIE: &str = "theodoi_login_challenge";

const DORMANT_MESSAGE: &str = "Tài khoản đã bị khóa vì không được sử dụng quá 45 ngày; hãy liên hệ quản trị hệ thống để mở lại";

fn actor_at(ip: &ClientIp, user_id: Option<i64>) -> Actor {
    Actor {
        user_id,
        ip: Some(ip.0.clone()),
    }
}

async fn refuse_busy_address(state: &AppState, ip: &ClientIp) -> Result<(), AppError> {
    let window = millis(state.config.lockout_for);
    if state
        .store
        .login_check(&ip.0, window)
        .await?
        .recent_failures_from_ip
        >= state.config.max_failures_per_ip
    {
        return Err(AppError::TooManyRequests(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ này; vui lòng thử lại sau ít phút".into(),
        ));
    }
    Ok(())
}

fn refuse_locked(user: &User, now: i64) -> Result<(), AppError> {
    if let Some(until) = user.locked_until.filter(|t| *t > now) {
        let minutes = (until - now + 59_999) / 60_000;
        return Err(AppError::TooManyRequests(format!(
            "Tài khoản tạm khóa do nhập sai nhiều lần; vui lòng thử lại sau {minutes} phút"
        )));
    }
    Ok(())
}

/// Counts a failed password or code toward the lockout, and says so.
async fn fail(
    state: &AppState,
    username: &str,
    user_id: Option<i64>,
    stage: &str,
    ip: &ClientIp,
    message: &str,
) -> AppError {
    let cfg = &state.config;
    let locked = state
        .store
        .record_login_failure(
            username,
            user_id,
            stage,
            cfg.lockout_after,
            millis(cfg.lockout_for),
            &actor_at(ip, None),
        )
        .await;
    match locked {
        Err(e) => e.into(),
        Ok(Some(_)) => AppError::TooManyRequests(
            "Tài khoản tạm khóa do nhập sai nhiều lần; vui lòng thử lại sau".into(),
        ),
        Ok(None) => AppError::Invalid(message.into()),
    }
}

/// Checks a username and password under the lockout and rate rules. A
/// user without a second factor gets a session; others a challenge for the
/// second step. Every refusal says the same thing about the password, so
/// the answer does not reveal which accounts exist.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password_text: &str,
    ip: &ClientIp,
) -> Result<SignIn, AppError> {
    let store = &state.store;
    refuse_busy_address(state, ip).await?;
    let username = username.trim();
    let user = store.user_by_username(username).await?;
    let now = store.clock().now_ms();
    if let Some(u) = &user {
        refuse_locked(u, now)?;
    }
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = password::verify_queued(password_text.to_string(), stored).await;
    const WRONG: &str = "Tên đăng nhập hoặc mật khẩu không đúng";
    let user = match user {
        Some(u) if ok && u.active => u,
        Some(u) if ok && u.disabled_reason.as_deref() == Some(DORMANT) => {
            return Err(AppError::Invalid(DORMANT_MESSAGE.into()));
        }
        other => {
            return Err(fail(state, username, other.map(|u| u.id), "password", ip, WRONG).await);
        }
    };
    // Checked here too, so a long-idle account cannot sign in before the
    // hourly housekeeping has disabled it.
    if account::is_dormant(user.last_activity(), now) {
        store
            .disable_user(user.id, DORMANT, &actor_at(ip, None))
            .await?;
        return Err(AppError::Invalid(DORMANT_MESSAGE.into()));
    }
    let enrolment = match account::second_step(&user.roles, user.totp_enabled()) {
        SecondStep::None => {
            return Ok(SignIn::Session(Box::new(
                open_session(state, user, ip).await?,
            )));
        }
        SecondStep::Code => None,
        SecondStep::Enrol => Some(start_enrolment(state, &user).await?),
    };
    let token = random_token();
    if token.is_empty() {
        return Err(AppError::Internal("no randomness".into()));
    }
    store
        .create_login_challenge(
            &sha256_hex(&token),
            user.id,
            now + CHALLENGE_MINUTES * 60_000,
            Some(&ip.0),
        )
        .await?;
    Ok(SignIn::SecondStep(Challenge { token, enrolment }))
}

/// A fresh secret for a user to enrol, kept pending until a code confirms
/// it.
pub async fn start_enrolment(state: &AppState, user: &User) -> Result<Enrolment, AppError> {
    let secret = totp::new_secret().ok_or_else(|| AppError::Internal("no randomness".into()))?;
    let sealed = totp::seal_secret(state.config.data_key.as_ref(), &secret)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state.store.set_totp_pending(user.id, Some(&sealed)).await?;
    Ok(Enrolment::for_secret(&user.username, &secret))
}

/// The pending secret of a user still enrolling, to show it again.
pub fn pending_enrolment(state: &AppState, user: &User) -> Option<Enrolment> {
    let stored = user.totp_pending.as_deref()?;
    let secret = totp::open_secret(state.config.data_key.as_ref(), stored)?;
    Some(Enrolment::for_secret(&user.username, &secret))
}

/// The user waiting at the second step of a challenge, if still valid.
pub async fn challenged_user(state: &AppState, challenge: &str) -> Result<User, AppError> {
    const EXPIRED: &str = "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại";
    let user_id = state
        .store
        .login_challenge(&sha256_hex(challenge.trim()))
        .await?
        .ok_or_else(|| AppError::Invalid(EXPIRED.into()))?;
    let user = state
        .store
        .user(user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::Invalid(EXPIRED.into()))?;
    Ok(user)
}

/// The second step: a code from the authenticator (or, for an
/// administrator enrolling, the first code of the new secret). A wrong
/// code counts toward the lockout like a wrong password.
pub async fn sign_in_totp(
    state: &AppState,
    challenge: &str,
    code: &str,
    ip: &ClientIp,
) -> Result<NewSession, AppError> {
    refuse_busy_address(state, ip).await?;
    let user = challenged_user(state, challenge).await?;
    let store = &state.store;
    let now = store.clock().now_ms();
    refuse_locked(&user, now)?;
    let key = state.config.data_key.as_ref();
    let enrolling = !user.totp_enabled();
    let stored = if enrolling {
        user.totp_pending.as_deref()
    } else {
        user.totp_secret.as_deref()
    };
    let secret = stored
        .and_then(|s| totp::open_secret(key, s))
        .ok_or_else(|| {
            AppError::Invalid(
            "Không đọc được mã bí mật xác thực hai lớp; hãy liên hệ quản trị hệ thống để đặt lại"
                .into(),
        )
        })?;
    const WRONG: &str = "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng";
    let step = totp::verify(&secret, code, now, user.totp_last_step);
    let accepted = match step {
        Some(step) if enrolling => {
            store
                .enable_totp(user.id, step, &actor_at(ip, Some(user.id)))
                .await?;
            true
        }
        Some(step) => store.accept_totp_step(user.id, step).await?,
        None => false,
    };
    if !accepted {
        let e = fail(state, &user.username, Some(user.id), "totp", ip, WRONG).await;
        if matches!(e, AppError::TooManyRequests(_)) {
            store
                .delete_login_challenge(&sha256_hex(challenge.trim()))
                .await?;
        }
        return Err(e);
    }
    store
        .delete_login_challenge(&sha256_hex(challenge.trim()))
        .await?;
    open_session(state, user, ip).await
}

/// A new session with a new id (never one the browser brought along).
async fn open_session(state: &AppState, user: User, ip: &ClientIp) -> Result<NewSession, AppError> {
    let store = &state.store;
    let now = store.clock().now_ms();
    let token = random_token();
    let csrf_token = random_token();
    if token.is_empty() || csrf_token.is_empty() {
        return Err(AppError::Internal("no randomness".into()));
    }
    let expires_at = now + millis(state.config.session_absolute);
    store
        .create_session(
            &sha256_hex(&token),
            user.id,
            &csrf_token,
            expires_at,
            &actor_at(ip, Some(user.id)),
        )
        .await?;
    Ok(NewSession {
        token,
        csrf_token,
        user,
    })
}

pub fn session_cookie(state: &AppState, value: &str, max_age_secs: u64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only a local path may be the target after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: axum::http::HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if auth.is_some() {
        return Redirect::to(&next).into_response();
    }
    let (csrf, set_cookie) = anonymous_csrf(state.config.secure_cookies, &headers);
    let page = LoginPage {
        csrf,
        next,
        username: String::new(),
        error: None,
    };
    with_cookie(page.into_response(), set_cookie)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    match sign_in(&state, &form.username, &form.password, &ip).await {
        Ok(SignIn::Session(session)) => Ok(signed_in(&state, &session, &next)),
        Ok(SignIn::SecondStep(challenge)) => {
            let to = format!("/login/totp?next={}", encode_component(&next));
            let mut res = Redirect::to(&to).into_response();
            let cookie = challenge_cookie(&state, &challenge.token, CHALLENGE_MINUTES * 60);
            if let Ok(h) = HeaderValue::from_str(&cookie) {
                res.headers_mut().append(SET_COOKIE, h);
            }
            Ok(res)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests(_))) => {
            let status = e.status();
            let page = LoginPage {
                csrf: form.csrf,
                next,
                username: form.username,
                error: Some(e.to_string()),
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The session cookie on a redirect to where the user was going; the
/// challenge cookie, if any, is cleared.
fn signed_in(state: &AppState, session: &NewSession, next: &str) -> Response {
    let max_age = state.config.session_absolute.as_secs();
    let mut res = Redirect::to(next).into_response();
    for cookie in [
        session_cookie(state, &session.token, max_age),
        challenge_cookie(state, "", 0),
    ] {
        if let Ok(h) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, h);
        }
    }
    res
}

fn challenge_cookie(state: &AppState, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{CHALLENGE_COOKIE}={value}; Path=/login; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "login_totp.html")]
struct TotpPage {
    csrf: String,
    next: String,
    enrolment: Option<Enrolment>,
    error: Option<String>,
}

/// The second step of a login: a code, or enrolment for an administrator
/// who has no authenticator yet.
pub async fn totp_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(q.next.as_deref());
    let Some(challenge) = cookie(&headers, CHALLENGE_COOKIE).filter(|c| !c.is_empty()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let user = match challenged_user(&state, &challenge).await {
        Ok(u) => u,
        Err(AppError::Invalid(_)) => return Ok(Redirect::to("/login").into_response()),
        Err(e) => return Err(e.into()),
    };
    let (csrf, set_cookie) = anonymous_csrf(state.config.secure_cookies, &headers);
    let enrolment = if user.totp_enabled() {
        None
    } else {
        pending_enrolment(&state, &user)
    };
    let page = TotpPage {
        csrf,
        next,
        enrolment,
        error: None,
    };
    Ok(with_cookie(page.into_response(), set_cookie))
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: axum::http::HeaderMap,
    Form(form): Form<TotpForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    let challenge = cookie(&headers, CHALLENGE_COOKIE).unwrap_or_default();
    match sign_in_totp(&state, &challenge, &form.code, &ip).await {
        Ok(session) => Ok(signed_in(&state, &session, &next)),
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests(_))) => {
            let status = e.status();
            let enrolment = match challenged_user(&state, &challenge).await {
                Ok(u) if !u.totp_enabled() => pending_enrolment(&state, &u),
                _ => None,
            };
            let page = TotpPage {
                csrf: form.csrf,
                next,
                enrolment,
                error: Some(e.to_string()),
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
) -> Result<Response, PageError> {
    end_session(&state, &auth, &ip).await?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(h) = HeaderValue::from_str(&session_cookie(&state, "", 0)) {
        res.headers_mut().append(SET_COOKIE, h);
    }
    Ok(res)
}

pub async fn end_session(
    state: &AppState,
    auth: &Arc<Auth>,
    ip: &ClientIp,
) -> Result<(), AppError> {
    state
        .store
        .delete_session(&auth.token_hash, auth.principal.user_id, &auth.actor(ip))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_follow_a_login() {
        assert_eq!(safe_next(Some("/plans/3")), "/plans/3");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
