//! One error type for every handler, rendered once: as a Vietnamese HTML
//! page for the site and as `{"error": {"code", "message"}}` for the API.
//! Internal errors are logged here, once, and never shown in detail.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Không tìm thấy trang hoặc dữ liệu yêu cầu")]
    NotFound,
    #[error("Bạn cần đăng nhập để tiếp tục")]
    Unauthorized,
    #[error("Bạn không có quyền thực hiện thao tác này")]
    Forbidden,
    #[error("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang và thử lại")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Invalid(String),
    #[error("Dữ liệu đã được người khác thay đổi; hãy xem giá trị hiện tại và lưu lại")]
    Conflict { current: Option<serde_json::Value> },
    #[error("Dữ liệu đã tồn tại: {0}")]
    Duplicate(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("Dữ liệu gửi lên quá lớn")]
    PayloadTooLarge,
    #[error("Hệ thống gặp lỗi; vui lòng thử lại sau")]
    Internal(String),
    #[error(
        "Tài khoản quản trị phải bật xác thực hai lớp trước khi làm việc khác (trang /account/totp)"
    )]
    TotpEnrolmentRequired,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::TotpEnrolmentRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } | AppError::Duplicate(_) => StatusCode::CONFLICT,
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
            AppError::Conflict { .. } => "conflict",
            AppError::Duplicate(_) => "duplicate",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal",
            AppError::TotpEnrolmentRequired => "totp_enrolment_required",
        }
    }

    pub fn invalid(e: impl std::fmt::Display) -> AppError {
        AppError::Invalid(e.to_string())
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { .. } => AppError::Conflict { current: None },
            StoreError::Duplicate(what) => AppError::Duplicate(what),
            StoreError::Refused(message) => AppError::Invalid(message),
            StoreError::InvalidReference(what) => {
                AppError::Invalid(format!("Tham chiếu không hợp lệ: {what}"))
            }
            other => AppError::Internal(other.to_string()),
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
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code().to_string(),
                message: e.to_string(),
                current,
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
