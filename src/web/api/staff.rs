//! Staff administration over the API: the accounts of the caller's
//! subtree (paged, filtered), one account, creating one (with an
//! enrolment code instead of a password), editing and moving it,
//! disabling it, resetting its password; and, without a session, setting
//! a password with an enrolment code.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::account::UserOut;
use super::dto::ListOut;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::accounts::managed_user;
use crate::actions::staff::{self, Issued, NewAccount, UserQuery};
use crate::domain::access::Role;
use crate::domain::staff::Profile;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::params::checked_page;
use crate::web::session::{ApiAuth, ClientIp};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersParams {
    /// Accounts on this unit and the units beneath it.
    pub unit_id: Option<i64>,
    pub role: Option<Role>,
    /// `true`: active accounts only; `false`: disabled ones only.
    pub active: Option<bool>,
    /// Part of the username or the full name.
    pub q: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// Administrators only: the accounts of their own subtree.
#[utoipa::path(get, path = "/api/users", tag = "accounts", params(UsersParams),
    responses((status = 200, body = ListOut<UserOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<UsersParams>,
) -> Result<ApiJson<ListOut<UserOut>>, ApiError> {
    let page = checked_page(q.page, q.per_page)?;
    let query = UserQuery {
        unit_id: q.unit_id,
        role: q.role,
        active: q.active,
        query: q.q,
    };
    let listing = staff::list_users(&state, &auth.principal, &query, page).await?;
    Ok(ApiJson(ListOut::from_listing(listing, UserOut::from)))
}

#[utoipa::path(get, path = "/api/users/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<UserOut>, ApiError> {
    Ok(ApiJson(
        managed_user(&state, &auth.principal, id).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserIn {
    pub username: String,
    pub full_name: String,
    pub unit_id: i64,
    pub role: Role,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// An enrolment code just issued: `code` and `link` appear only here, once,
/// and only when the code was not e-mailed (`emailed_to`).
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentIssuedOut {
    pub user: UserOut,
    pub code: Option<String>,
    /// The path of the page that sets the password with the code.
    pub link: Option<String>,
    pub emailed_to: Option<String>,
    /// Epoch milliseconds.
    pub expires_at: i64,
}

impl From<Issued> for EnrolmentIssuedOut {
    fn from(i: Issued) -> Self {
        EnrolmentIssuedOut {
            user: i.user.into(),
            code: i.code,
            link: i.link,
            emailed_to: i.emailed_to,
            expires_at: i.expires_at,
        }
    }
}

/// Creates an account without a password: its owner sets one with the
/// enrolment code answered here (72 hours, once).
#[utoipa::path(post, path = "/api/users", tag = "accounts", request_body = NewUserIn,
    responses((status = 201, body = EnrolmentIssuedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<NewUserIn>,
) -> Result<(StatusCode, ApiJson<EnrolmentIssuedOut>), ApiError> {
    let issued = staff::create_account(
        &state,
        &auth.caller(&ip),
        NewAccount {
            username: input.username,
            full_name: input.full_name,
            unit_id: input.unit_id,
            role: input.role,
            email: input.email,
            phone: input.phone,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, ApiJson(issued.into())))
}

/// The profile as it will be (every field sent; an absent e-mail or
/// phone clears it) and, to move the account, its new unit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserIn {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Another unit of the caller's subtree; absent keeps the unit.
    pub unit_id: Option<i64>,
    /// The version read; a stale one answers 409.
    pub version: i64,
}

#[utoipa::path(put, path = "/api/users/{id}", tag = "accounts", request_body = UserIn,
    params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<UserIn>,
) -> Result<ApiJson<UserOut>, ApiError> {
    let profile = Profile::parse(
        &input.full_name,
        input.email.as_deref(),
        input.phone.as_deref(),
    )
    .map_err(AppError::invalid)?;
    let caller = auth.caller(&ip);
    // The move is checked first, so a refused move changes nothing.
    if let Some(unit_id) = input.unit_id {
        let user = managed_user(&state, caller.principal, id).await?;
        crate::actions::access::administrable_unit(&state, caller.principal, unit_id).await?;
        if user.version != input.version {
            return Err(AppError::Conflict { current: None }.into());
        }
    }
    let mut user = staff::update_profile(&state, &caller, id, input.version, profile).await?;
    if let Some(unit_id) = input.unit_id {
        user = staff::move_user(&state, &caller, id, unit_id).await?;
    }
    Ok(ApiJson(user.into()))
}

/// Disables an account: it cannot sign in, and its sessions end now.
#[utoipa::path(post, path = "/api/users/{id}/disable", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disable_user(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<UserOut>, ApiError> {
    let user = staff::disable_user(&state, &auth.caller(&ip), id).await?;
    Ok(ApiJson(user.into()))
}

/// Resets a password: it stops working, every session of the account
/// ends, and the owner sets a new one with the code answered here.
#[utoipa::path(post, path = "/api/users/{id}/password-reset", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = EnrolmentIssuedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<EnrolmentIssuedOut>, ApiError> {
    let issued = staff::reset_password(&state, &auth.caller(&ip), id).await?;
    Ok(ApiJson(issued.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrolIn {
    /// The enrolment code (case, spaces and dashes do not matter).
    pub code: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolOut {
    /// The account whose password was set; sign in with it.
    pub username: String,
}

/// Sets a password with a one-time enrolment code (no session needed).
#[utoipa::path(post, path = "/api/enrol", tag = "auth", request_body = EnrolIn, security(()),
    responses((status = 200, body = EnrolOut), (status = 422, body = ErrorBody)))]
pub async fn enrol(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<EnrolIn>,
) -> Result<ApiJson<EnrolOut>, ApiError> {
    let user = staff::enrol(&state, &ip.0, &input.code, &input.password).await?;
    Ok(ApiJson(EnrolOut {
        username: user.username,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotIn {
    /// The account's username or e-mail address.
    pub login: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForgotOut {
    /// The same answer whether an account matched or not.
    pub message: String,
}

/// Asks for a one-time code by e-mail to set a new password (no session
/// needed); 422 when the server cannot send mail.
#[utoipa::path(post, path = "/api/password/forgot", tag = "auth", request_body = ForgotIn,
    security(()), responses((status = 200, body = ForgotOut), (status = 422, body = ErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<ForgotIn>,
) -> Result<ApiJson<ForgotOut>, ApiError> {
    let message =
        crate::actions::password_reset::request_reset(&state, &input.login, &ip.0).await?;
    Ok(ApiJson(ForgotOut { message }))
}
