//! One error type for every handler, rendered once: as a Vietnamese HTML
//! page for the site and as `{"error": {"code", "message"}}` for the API.
//! Internal errors are logged here, once, and never shown in detail.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::actions::AppError;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::TotpEnrolmentRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) | AppError::BadSheet { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. }
            | AppError::Duplicate(_)
            | AppError::ExternalIdTaken { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::BadSheet { .. } => "bad_sheet",
            AppError::Conflict { .. } => "conflict",
            AppError::Duplicate(_) => "duplicate",
            AppError::ExternalIdTaken { .. } => "external_id_taken",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal",
            AppError::TotpEnrolmentRequired => "totp_enrolment_required",
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `not_found`, `forbidden`, `invalid`, …
    pub code: String,
    /// For people, in Vietnamese.
    pub message: String,
    /// The record as it is now, sent with a `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<serde_json::Value>,
    /// The record that holds the external id sent, with an
    /// `external_id_taken`: `{"kind": "plan", "id": 12}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<serde_json::Value>,
    /// The bad rows of a refused sheet (`bad_sheet`), each with its number
    /// and reason; row 0 is the file itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<crate::domain::onboarding::RowProblem>>,
}

/// The API's rendering.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let current = match &e {
            AppError::Conflict { current } => current.clone(),
            _ => None,
        };
        let holder = match &e {
            AppError::ExternalIdTaken {
                kind,
                holder: Some(id),
                ..
            } => Some(serde_json::json!({"kind": kind, "id": id})),
            _ => None,
        };
        let rows = match &e {
            AppError::BadSheet { rows, .. } => Some(rows.clone()),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code().to_string(),
                message: e.to_string(),
                current,
                holder,
                rows,
            },
        };
        (e.status(), Json(body)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
    show_login: bool,
}

/// The site's rendering.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let message = e.to_string();
        let page = ErrorPage {
            status: e.status().as_u16(),
            message: &message,
            show_login: matches!(e, AppError::Unauthorized | AppError::Csrf),
        };
        match page.render() {
            Ok(html) => (e.status(), Html(html)).into_response(),
            Err(_) => (e.status(), message).into_response(),
        }
    }
}
