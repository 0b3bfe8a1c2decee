//! The reviews over the term of a plan as files, over the API: the same
//! .docx and .xlsx as the plan page offers.

use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;

use super::{ApiPath, ApiQuery};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::review_file::{ReviewParams, review_file, review_request};
use crate::web::session::{ApiAuth, ClientIp};

/// A file's bytes, as the OpenAPI document names them (a binary string).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "only describes the body in the OpenAPI document")]
pub struct FileBytes(Vec<u8>);

#[utoipa::path(get, path = "/api/plans/{id}/reviews/{kind}", tag = "plans",
    params(("id" = i64, Path),
        ("kind" = String, Path, description = "quarter, half_year, year, mid_term or end_of_term"),
        ReviewParams),
    responses(
        (status = 200, description = "The review as a file: the plan issuer's layout (Nghị định 30/2020 or Hướng dẫn 36-HD/VPTW)",
            content((inline(FileBytes) = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn download_review(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> Result<Response, ApiError> {
    let request = review_request(&kind, &params, state.store.clock().today().year())?;
    Ok(review_file(&state, &auth.caller(&ip), id, request).await?)
}
