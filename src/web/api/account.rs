//! The account API: the second step of a login, logout everywhere, a new
//! password, enrolling a second factor; for administrators, the accounts
//! of their subtree and the audit trail.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{LoginOut, MeOut};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::accounts;
use crate::actions::sign_in::sign_in_totp;
use crate::domain::access::Role;
use crate::store::{AuditEntry, User};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::params::AuditParams;
use crate::web::session::{ApiAuth, ClientIp};

#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpLoginIn {
    /// The `challenge` from `POST /api/login`.
    pub challenge: String,
    /// Six digits from the authenticator app.
    pub code: String,
}

#[utoipa::path(post, path = "/api/login/totp", tag = "auth", request_body = TotpLoginIn,
    responses((status = 200, body = LoginOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login_totp(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<TotpLoginIn>,
) -> Result<ApiJson<LoginOut>, ApiError> {
    let session = sign_in_totp(&state, &input.challenge, &input.code, &ip.0).await?;
    Ok(ApiJson(LoginOut::from_session(session)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogoutAllOut {
    pub sessions_ended: u64,
}

#[utoipa::path(post, path = "/api/logout/all", tag = "auth",
    responses((status = 200, body = LogoutAllOut), (status = 401, body = ErrorBody)))]
pub async fn logout_all(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
) -> Result<ApiJson<LogoutAllOut>, ApiError> {
    let sessions_ended = accounts::logout_everywhere(&state, &auth.caller(&ip)).await?;
    Ok(ApiJson(LogoutAllOut { sessions_ended }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordIn {
    pub current_password: String,
    pub new_password: String,
}

/// Every session of the user ends, this one included: sign in again.
#[utoipa::path(post, path = "/api/account/password", tag = "auth", request_body = PasswordIn,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<PasswordIn>,
) -> Result<StatusCode, ApiError> {
    accounts::change_password(
        &state,
        &auth.caller(&ip),
        &input.current_password,
        &input.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentOut {
    /// Base32, in groups of four; shown only until enrolment is confirmed.
    pub secret: String,
    pub otpauth_uri: String,
}

/// Starts (or shows again) enrolment of a second factor.
#[utoipa::path(post, path = "/api/account/totp", tag = "auth",
    responses((status = 200, body = EnrolmentOut), (status = 422, body = ErrorBody)))]
pub async fn totp_start(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> Result<ApiJson<EnrolmentOut>, ApiError> {
    let e = accounts::begin_enrolment(&state, &auth.principal).await?;
    Ok(ApiJson(EnrolmentOut {
        secret: e.secret,
        otpauth_uri: e.uri,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeIn {
    pub code: String,
}

#[utoipa::path(post, path = "/api/account/totp/confirm", tag = "auth", request_body = CodeIn,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<CodeIn>,
) -> Result<StatusCode, ApiError> {
    accounts::confirm_enrolment(&state, &auth.caller(&ip), &input.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    /// `dormant`: disabled after 45 days unused.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub totp_enabled: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// No password yet (a new account, or one reset): waiting for its
    /// owner to use the enrolment code.
    pub password_pending: bool,
    pub version: i64,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            totp_enabled: u.totp_enabled(),
            password_pending: u.password_hash == crate::store::NO_PASSWORD,
            email: u.email,
            phone: u.phone,
            version: u.version,
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            unit_id: u.unit_id,
            unit_name: u.unit_name,
            roles: u.roles,
            active: u.active,
            disabled_reason: u.disabled_reason,
            disabled_at: u.disabled_at,
            last_login_at: u.last_login_at,
        }
    }
}

/// Enables an account again (after 45 days unused, or disabled otherwise).
#[utoipa::path(post, path = "/api/users/{id}/enable", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable_user(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<UserOut>, ApiError> {
    let user = accounts::enable_user(&state, &auth.caller(&ip), id).await?;
    Ok(ApiJson(user.into()))
}

/// Turns off a user's second factor (a lost phone); an administrator
/// enrols again at the next login.
#[utoipa::path(post, path = "/api/users/{id}/totp/reset", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_totp(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::reset_totp(&state, &auth.caller(&ip), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RolesIn {
    pub roles: Vec<Role>,
}

#[utoipa::path(put, path = "/api/users/{id}/roles", tag = "accounts", request_body = RolesIn,
    params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_roles(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RolesIn>,
) -> Result<ApiJson<UserOut>, ApiError> {
    let user =
        crate::actions::staff::set_roles(&state, &auth.caller(&ip), id, &input.roles).await?;
    Ok(ApiJson(user.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub id: i64,
    /// Epoch milliseconds.
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditEntryOut {
    fn from(e: AuditEntry) -> Self {
        let parse = |t: Option<String>| {
            t.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
        };
        AuditEntryOut {
            id: e.id,
            at: e.at,
            user_id: e.user_id,
            username: e.username,
            ip: e.ip,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            province_id: e.province_id,
            commune_id: e.commune_id,
            before: parse(e.before),
            after: parse(e.after),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageOut {
    pub items: Vec<AuditEntryOut>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Administrators only, and only their subtree's entries. The CSV export
/// of the same search is `/admin/audit.csv`.
#[utoipa::path(get, path = "/api/audit", tag = "accounts", params(AuditParams),
    responses((status = 200, body = AuditPageOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<ApiJson<AuditPageOut>, ApiError> {
    let query = params.input().validate().map_err(AppError::invalid)?;
    let page = checked_page(params.page, params.per_page)?;
    let listing = accounts::search_audit(&state, &auth.principal, &query, page).await?;
    Ok(ApiJson(AuditPageOut {
        items: listing.items.into_iter().map(Into::into).collect(),
        total: listing.total,
        page: listing.page.page,
        per_page: listing.page.per_page,
    }))
}

impl LoginOut {
    pub fn from_session(session: crate::actions::sign_in::NewSession) -> LoginOut {
        LoginOut {
            token: session.token,
            csrf_token: session.csrf_token,
            user: MeOut {
                id: session.user.id,
                username: session.user.username,
                full_name: session.user.full_name,
                unit_id: session.user.unit_id,
                roles: session.user.roles,
            },
        }
    }
}
