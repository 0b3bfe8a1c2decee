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
use super::boundary::refuse_control_pairs;
use super::error::{AppError, PageError};
use super::forms::answer_form;
use super::session::{
    Auth, ClientIp, MaybeAuth, PageAuth, SESSION_COOKIE, anonymous_csrf, cookie, encode_component,
    with_cookie,
};
use crate::actions::sign_in::{
    CHALLENGE_COOKIE, CHALLENGE_MINUTES, Enrolment, NewSession, SignIn, challenged_user,
    pending_enrolment, sign_in, sign_in_totp,
};

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
    /// Why the person is here again: their session ended while typing and
    /// what they sent was kept.
    notice: Option<&'static str>,
}

/// Said on the login page when a form sent after the session ended was
/// kept (`kept=1`, or `kept=files` when it carried files).
fn kept_notice(kept: Option<&str>) -> Option<&'static str> {
    match kept {
        Some("1") => Some(
            "Phiên làm việc đã hết hạn nên nội dung bạn vừa gửi chưa được lưu, nhưng đã được giữ lại. Hãy đăng nhập lại: biểu mẫu sẽ mở ra với nội dung đó để bạn kiểm tra và lưu.",
        ),
        Some("files") => Some(
            "Phiên làm việc đã hết hạn nên nội dung bạn vừa gửi chưa được lưu, nhưng phần chữ đã được giữ lại. Hãy đăng nhập lại: biểu mẫu sẽ mở ra với nội dung đó; các tệp đính kèm cần chọn lại.",
        ),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    kept: Option<String>,
}

/// Only a local path may be the target after login (no open redirect).
/// Browsers drop tabs and newlines from a URL and read `\\` as `/`, so
/// `/\t/evil.example` would be `//evil.example`: any control character,
/// space or backslash sends the person home instead. What is left is a
/// valid `Location` header value, so the redirect itself cannot fail.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A redirect that never panics on its target: one that is not a valid
/// header value goes home.
fn redirect_to(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(_) => Redirect::to(to).into_response(),
        Err(_) => Redirect::to("/").into_response(),
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
        return redirect_to(&next);
    }
    let (csrf, set_cookie) = anonymous_csrf(state.config.secure_cookies, &headers);
    let page = LoginPage {
        csrf,
        next,
        username: String::new(),
        error: None,
        notice: kept_notice(q.kept.as_deref()),
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
    let typed = [
        ("username", form.username.as_str()),
        ("password", form.password.as_str()),
        ("next", form.next.as_deref().unwrap_or("")),
    ];
    let result = match refuse_control_pairs(typed) {
        Ok(()) => sign_in(&state, &form.username, &form.password, &ip.0).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |signed| match signed {
            SignIn::Session(session) => signed_in(&state, &session, &next),
            SignIn::SecondStep(challenge) => {
                let to = format!("/login/totp?next={}", encode_component(&next));
                let mut res = redirect_to(&to);
                let cookie = challenge_cookie(&state, &challenge.token, CHALLENGE_MINUTES * 60);
                if let Ok(h) = HeaderValue::from_str(&cookie) {
                    res.headers_mut().append(SET_COOKIE, h);
                }
                res
            }
        },
        |e| {
            let page = LoginPage {
                csrf: form.csrf.clone(),
                next: next.clone(),
                username: form.username.clone(),
                error: Some(e.to_string()),
                notice: None,
            };
            async { Ok(page) }
        },
    )
    .await
}

/// The session cookie on a redirect to where the user was going; the
/// challenge cookie, if any, is cleared.
fn signed_in(state: &AppState, session: &NewSession, next: &str) -> Response {
    let max_age = state.config.session_absolute.as_secs();
    let mut res = redirect_to(next);
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
    let typed = [
        ("code", form.code.as_str()),
        ("next", form.next.as_deref().unwrap_or("")),
    ];
    let result = match refuse_control_pairs(typed) {
        Ok(()) => sign_in_totp(&state, &challenge, &form.code, &ip.0).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |session| signed_in(&state, &session, &next),
        |e| {
            let (state, challenge) = (&state, &challenge);
            let (csrf, next, error) = (form.csrf.clone(), next.clone(), e.to_string());
            async move {
                let enrolment = match challenged_user(state, challenge).await {
                    Ok(u) if !u.totp_enabled() => pending_enrolment(state, &u),
                    _ => None,
                };
                Ok(TotpPage {
                    csrf,
                    next,
                    enrolment,
                    error: Some(error),
                })
            }
        },
    )
    .await
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
        for bad in [
            "/\t/evil.example",
            "/\n/x",
            "/\0",
            "/\\/x",
            "/ /x",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some("/plans?tab=1&x=%20")), "/plans?tab=1&x=%20");
    }
}
