//! Downloads of attached files, one way for every kind: a report's
//! evidence (`/evidence/{id}`), a feedback's files (`/feedback/files/{id}`)
//! and an initiative's files (`/initiative-files/{id}`). Always sent as an
//! attachment with the type its content was recognised as when it arrived,
//! never shown inline, so a file cannot run as a page of this site.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::actions::attachments::download;
use crate::domain::attachment::AttachedTo;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::session::PageAuth;

/// Serves one attached file to someone who may see what it belongs to.
pub async fn serve(
    state: &AppState,
    auth: &PageAuth,
    of: AttachedTo,
    id: i64,
) -> Result<Response, PageError> {
    let file = download(state, &auth.0.principal, of, id).await?;
    Ok(attachment(&file.content_type, &file.file_name, file.bytes))
}

pub async fn evidence_file(
    State(state): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    serve(&state, &auth, AttachedTo::Evidence, id).await
}

pub async fn feedback_file(
    State(state): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    serve(&state, &auth, AttachedTo::Feedback, id).await
}

pub async fn initiative_file(
    State(state): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    serve(&state, &auth, AttachedTo::Initiative, id).await
}

/// A download response: the bytes with their type, and the file's name in
/// `Content-Disposition` both as plain ASCII (for old clients) and in full
/// as UTF-8 (RFC 6266), since Vietnamese names are rarely ASCII.
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
