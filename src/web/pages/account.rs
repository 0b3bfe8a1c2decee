//! The user's own account page (password, second factor, logout
//! everywhere). Other people's accounts are administered in `staff.rs`.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use crate::actions::accounts;
use crate::actions::sign_in::Enrolment;
use crate::domain::access::Role;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::labels;
use crate::web::login::session_cookie;
use crate::web::session::{ClientIp, PageAuth};

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    layout: Layout,
    username: String,
    unit_name: String,
    roles: String,
    totp_since: Option<String>,
    is_admin: bool,
    sessions: i64,
    error: Option<String>,
}

async fn account_page(
    state: &AppState,
    auth: &crate::web::session::Auth,
    error: Option<String>,
) -> Result<AccountPage, AppError> {
    let (user, sessions) = accounts::me_with_sessions(state, &auth.principal).await?;
    Ok(AccountPage {
        layout: Layout::new("Tài khoản", auth),
        username: user.username.clone(),
        unit_name: user.unit_name.clone(),
        roles: auth.principal.role_labels(),
        totp_since: user.totp_enabled_at.map(labels::date_time),
        is_admin: auth.principal.has(Role::Administrator),
        sessions,
        error,
    })
}

pub async fn show_account(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<AccountPage, PageError> {
    Ok(account_page(&state, &auth, None).await?)
}

/// The browser's session cookie, cleared.
fn signed_out(state: &AppState) -> Response {
    let mut res = Redirect::to("/login").into_response();
    if let Ok(h) = HeaderValue::from_str(&session_cookie(state, "", 0)) {
        res.headers_mut().append(SET_COOKIE, h);
    }
    res
}

pub async fn logout_all_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
) -> Result<Response, PageError> {
    accounts::logout_everywhere(&state, &auth.caller(&ip)).await?;
    Ok(signed_out(&state))
}

pub async fn password_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let new = f.raw("new_password");
    let result = if new != f.raw("confirm_password") {
        Err(AppError::Invalid(
            "Hai lần nhập mật khẩu mới không khớp".into(),
        ))
    } else {
        accounts::change_password(&state, &auth.caller(&ip), &f.raw("current_password"), &new).await
    };
    answer_form(
        result,
        |()| signed_out(&state),
        |e| account_page(&state, &auth, Some(e.to_string())),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "account_totp.html")]
pub struct TotpPage {
    layout: Layout,
    enabled: bool,
    must_enrol: bool,
    enrolment: Option<Enrolment>,
    error: Option<String>,
}

async fn totp_view(
    state: &AppState,
    auth: &crate::web::session::Auth,
    error: Option<String>,
) -> Result<TotpPage, AppError> {
    let user = accounts::me(state, &auth.principal).await?;
    let enrolment = if user.totp_enabled() {
        None
    } else {
        Some(accounts::begin_enrolment(state, &auth.principal).await?)
    };
    Ok(TotpPage {
        layout: Layout::new("Xác thực hai lớp", auth),
        enabled: user.totp_enabled(),
        must_enrol: auth.must_enrol,
        enrolment,
        error,
    })
}

pub async fn totp_page(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<TotpPage, PageError> {
    Ok(totp_view(&state, &auth, None).await?)
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let result = accounts::confirm_enrolment(&state, &auth.caller(&ip), &f.text("code")).await;
    answer_form(
        result,
        |()| Redirect::to("/account").into_response(),
        |e| totp_view(&state, &auth, Some(e.to_string())),
    )
    .await
}

pub async fn totp_disable_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let result = accounts::disable_own_totp(&state, &auth.caller(&ip), &f.text("code")).await;
    answer_form(
        result,
        |()| Redirect::to("/account").into_response(),
        |e| account_page(&state, &auth, Some(e.to_string())),
    )
    .await
}
