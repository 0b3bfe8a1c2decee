//! Files people attached (evidence), served as downloads.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::session::PageAuth;

/// Serves an evidence file as an attachment with the type its content
/// was recognised as, never inline.
pub async fn download_evidence(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let evidence = state.store.evidence(id).await?.ok_or(AppError::NotFound)?;
    if !auth
        .principal
        .can_view_report(&evidence.scope_path, &evidence.unit_path)
    {
        return Err(AppError::NotFound.into());
    }
    let sha = evidence.blob_sha256.clone().ok_or(AppError::NotFound)?;
    let (content_type, bytes) = state.store.blob(&sha).await?.ok_or(AppError::NotFound)?;
    let name = evidence
        .file_name
        .clone()
        .unwrap_or_else(|| "minh-chung".into());
    Ok(attachment(&content_type, &name, bytes))
}

pub fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::web::session::encode_component(file_name);
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
