//! Extractors shared by the pages and the API: JSON bodies, queries and
//! path ids that fail as a JSON error with a stable code, never as axum's
//! plain-text rejection.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, AppError};

/// JSON body; a malformed or oversized body is a JSON error, not axum's
/// plain-text rejection.
pub struct ApiJson<T>(pub T);

/// Read through [`super::boundary::json_body`]: text with a control
/// character is refused with a 422 before any handler sees it.
impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Ok(ApiJson(super::boundary::json_body(req, state).await?))
    }
}

impl<T: Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => {
                AppError::BadRequest("Yêu cầu phải có Content-Type: application/json".into())
            }
            JsonRejection::JsonSyntaxError(e) => {
                AppError::BadRequest(format!("JSON không đúng cú pháp: {}", e.body_text()))
            }
            JsonRejection::JsonDataError(e) => {
                AppError::Invalid(format!("Dữ liệu JSON không hợp lệ: {}", e.body_text()))
            }
            JsonRejection::BytesRejection(_) => AppError::PayloadTooLarge,
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest(format!("Tham số truy vấn không hợp lệ: {}", r.body_text()))
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::BadRequest("Mã định danh trong đường dẫn không hợp lệ".into())
    }
}
