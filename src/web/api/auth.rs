//! Signing in and out over the API.

use axum::extract::State;
use axum::http::StatusCode;

use super::ApiJson;
use super::dto::{LoginIn, LoginOut, LoginResult, MeOut, SecondStepOut};
use crate::actions::sign_in::{SignIn, sign_in};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::login::end_session;
use crate::web::session::{ApiAuth, ClientIp};

/// Signs in. Without a second factor the answer is the session; with one
/// (always for administrators) it is `{"totp_required": true, "challenge"}`,
/// to send with a code to `POST /api/login/totp`. An administrator who has
/// no authenticator yet also gets `totp_enrolment_required` with the new
/// secret, and enrols by sending its first code the same way.
#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = LoginIn,
    responses((status = 200, body = LoginResult), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<LoginIn>,
) -> Result<ApiJson<LoginResult>, ApiError> {
    match sign_in(&state, &input.username, &input.password, &ip.0).await? {
        SignIn::Session(session) => Ok(ApiJson(LoginResult::Session(LoginOut::from_session(
            *session,
        )))),
        SignIn::SecondStep(challenge) => {
            let enrol = challenge.enrolment;
            Ok(ApiJson(LoginResult::SecondStep(SecondStepOut {
                totp_required: true,
                challenge: challenge.token,
                totp_enrolment_required: enrol.is_some(),
                secret: enrol.as_ref().map(|e| e.secret.clone()),
                otpauth_uri: enrol.map(|e| e.uri),
            })))
        }
    }
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
