//! Signing in and out over the API.

use axum::extract::State;
use axum::http::StatusCode;

use super::ApiJson;
use super::dto::{LoginIn, LoginOut, MeOut};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::login::{end_session, sign_in};
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = LoginIn,
    responses((status = 200, body = LoginOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<LoginIn>,
) -> Result<ApiJson<LoginOut>, ApiError> {
    let session = sign_in(&state, &input.username, &input.password, &ip).await?;
    Ok(ApiJson(LoginOut {
        token: session.token,
        csrf_token: session.csrf_token,
        user: MeOut {
            id: session.user.id,
            username: session.user.username,
            full_name: session.user.full_name,
            unit_id: session.user.unit_id,
            roles: session.user.roles,
        },
    }))
}

#[utoipa::path(post, path = "/api/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
) -> Result<StatusCode, ApiError> {
    end_session(&state, &auth, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)))]
pub async fn me(ApiAuth(auth): ApiAuth) -> ApiJson<MeOut> {
    let p = &auth.principal;
    ApiJson(MeOut {
        id: p.user_id,
        username: p.username.clone(),
        full_name: p.full_name.clone(),
        unit_id: p.unit_id,
        roles: p.roles.clone(),
    })
}
