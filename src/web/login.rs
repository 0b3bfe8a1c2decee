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
    Auth, ClientIp, MaybeAuth, PageAuth, SESSION_COOKIE, anonymous_csrf, with_cookie,
};
use crate::auth::password;
use crate::auth::token::{random_token, sha256_hex};
use crate::config::millis;
use crate::store::{Actor, User};

/// A new session, as handed to the browser or API client.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// Checks a username and password under the lockout and rate rules, and
/// opens a session. Every refusal says the same thing about the password,
/// so the answer does not reveal which accounts exist.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password_text: &str,
    ip: &ClientIp,
) -> Result<NewSession, AppError> {
    let store = &state.store;
    let cfg = &state.config;
    let actor = Actor {
        user_id: None,
        ip: Some(ip.0.clone()),
    };
    let window = millis(cfg.lockout_for);
    if store
        .login_check(&ip.0, window)
        .await?
        .recent_failures_from_ip
        >= cfg.max_failures_per_ip
    {
        return Err(AppError::TooManyRequests(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ này; vui lòng thử lại sau ít phút".into(),
        ));
    }
    let username = username.trim();
    let user = store.user_by_username(username).await?;
    let now = store.clock().now_ms();
    if let Some(until) = user
        .as_ref()
        .and_then(|u| u.locked_until)
        .filter(|t| *t > now)
    {
        let minutes = (until - now + 59_999) / 60_000;
        return Err(AppError::TooManyRequests(format!(
            "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; vui lòng thử lại sau {minutes} phút"
        )));
    }
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let attempt = password_text.to_string();
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || password::verify(&attempt, &stored))
        .await
        .unwrap_or(false);
    let user = match user {
        Some(u) if ok && u.active => u,
        other => {
            let locked = store
                .record_login_failure(
                    username,
                    other.as_ref().map(|u| u.id),
                    cfg.lockout_after,
                    window,
                    &actor,
                )
                .await?;
            if locked.is_some() {
                return Err(AppError::TooManyRequests(
                    "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; vui lòng thử lại sau"
                        .into(),
                ));
            }
            return Err(AppError::Invalid(
                "Tên đăng nhập hoặc mật khẩu không đúng".into(),
            ));
        }
    };
    let token = random_token();
    let csrf_token = random_token();
    if token.is_empty() || csrf_token.is_empty() {
        return Err(AppError::Internal("no randomness".into()));
    }
    let expires_at = now + millis(cfg.session_absolute);
    let actor = Actor {
        user_id: Some(user.id),
        ip: Some(ip.0.clone()),
    };
    store
        .create_session(
            &sha256_hex(&token),
            user.id,
            &csrf_token,
            expires_at,
            &actor,
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
        Ok(session) => {
            let max_age = state.config.session_absolute.as_secs();
            let mut res = Redirect::to(&next).into_response();
            if let Ok(h) = HeaderValue::from_str(&session_cookie(&state, &session.token, max_age)) {
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
