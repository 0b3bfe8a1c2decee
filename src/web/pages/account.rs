//! The user's own account page (password, second factor, logout
//! everywhere) and the administrators' list of accounts, where a disabled
//! account is enabled again.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use crate::actions::accounts;
use crate::actions::sign_in::Enrolment;
use crate::domain::access::Role;
use crate::store::User;
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

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_name: String,
    pub roles: String,
    pub active: bool,
    pub status: String,
    pub last_login: String,
    pub totp: bool,
}

impl From<&User> for UserRow {
    fn from(u: &User) -> Self {
        let status = if u.active {
            "Đang hoạt động".to_string()
        } else if u.disabled_reason.as_deref() == Some(crate::store::DORMANT) {
            format!(
                "Đã khóa do không dùng quá 45 ngày ({})",
                u.disabled_at.map(labels::date_time).unwrap_or_default()
            )
        } else {
            "Đã khóa".to_string()
        };
        UserRow {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            unit_name: u.unit_name.clone(),
            roles: u
                .roles
                .iter()
                .map(|r| r.label_vi())
                .collect::<Vec<_>>()
                .join(", "),
            active: u.active,
            status,
            last_login: u.last_login_at.map(labels::date_time).unwrap_or_default(),
            totp: u.totp_enabled(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    /// Units of the administrator's subtree a new account may sit on.
    units: Vec<(i64, String)>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    auth: &crate::web::session::Auth,
    error: Option<String>,
) -> Result<UsersPage, PageError> {
    let p = &auth.principal;
    let users = accounts::managed_users(state, p).await?;
    let units = crate::actions::units::readable_units(state, p)
        .await?
        .into_iter()
        .filter(|u| p.can_administer(&u.path))
        .map(|u| (u.id, u.name))
        .collect();
    Ok(UsersPage {
        layout: Layout::new("Tài khoản người dùng", auth),
        users: users.iter().map(UserRow::from).collect(),
        units,
        roles: crate::domain::access::Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_vi()))
            .collect(),
        error,
    })
}

/// An administrator creates an account on a unit of its subtree.
pub async fn create_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let f = crate::web::forms::FormPairs::parse(&body)?;
    let role = crate::domain::access::Role::parse(&f.text("role"))
        .ok_or_else(|| AppError::BadRequest("Vai trò không hợp lệ".into()))?;
    let input = accounts::NewAccount {
        username: f.text("username"),
        full_name: f.text("full_name"),
        unit_id: f
            .id("unit_id", "Đơn vị")?
            .ok_or_else(|| AppError::BadRequest("Chọn đơn vị".into()))?,
        role,
        email: f.optional("email"),
        password: f.text("password"),
    };
    match accounts::create_account(&state, &auth.caller(&ip), input).await {
        Ok(_) => Ok(crate::web::flash::redirect_with(
            "/admin/users",
            crate::web::flash::Flash::Saved,
            state.config.secure_cookies,
        )),
        Err(crate::actions::AppError::Invalid(message)) => {
            let page = users_page(&state, &auth, Some(message)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn list_users(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<UsersPage, PageError> {
    users_page(&state, &auth, None).await
}

pub async fn enable_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    accounts::enable_user(&state, &auth.caller(&ip), id).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn reset_totp_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    accounts::reset_totp(&state, &auth.caller(&ip), id).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
