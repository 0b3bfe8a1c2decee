//! Attachments the same way for every kind (a report's evidence, a
//! citizen's files, an initiative's files): one check of what is received
//! (how many, how large, what the content really is) and one answer to
//! "may this person download this file", dispatched on what the file is
//! attached to. The web layer reads the bytes (multipart or base64) and
//! serves the download; the rules are here and in `domain::attachment`.

use crate::actions::AppError;
use crate::actions::access::{readable_initiative, visible_feedback};
use crate::actions::citizen::{FILE_FIELD, SEALED_FILE_UNREADABLE};
use crate::app::AppState;
use crate::auth::sealed::is_sealed_bytes;
use crate::domain::access::Principal;
use crate::domain::attachment::{AttachedFile, AttachedTo, UploadedFile};
use crate::domain::valid::Valid;

/// Checks one file as received for `of`: its size, then its content.
pub fn accept(
    of: AttachedTo,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Valid<UploadedFile>, AppError> {
    of.check(file_name, bytes).map_err(AppError::invalid)
}

/// Whether `count` files may go with one submission for `of`.
pub fn accept_count(of: AttachedTo, count: usize) -> Result<(), AppError> {
    of.check_count(count).map_err(AppError::invalid)
}

/// Checks a whole submission's files, as (name, bytes), count first.
pub fn accept_all(
    of: AttachedTo,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<Valid<UploadedFile>>, AppError> {
    accept_count(of, files.len())?;
    files
        .into_iter()
        .map(|(name, bytes)| accept(of, &name, bytes))
        .collect()
}

/// A file to send: its stored name, the type its content was recognised
/// as when it arrived, and the bytes.
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An attached file for someone who may see what it is attached to; any
/// other person gets a 404, as if it did not exist.
pub async fn download(
    state: &AppState,
    p: &Principal,
    of: AttachedTo,
    id: i64,
) -> Result<Download, AppError> {
    let file = state
        .store
        .attached_file(of, id)
        .await?
        .ok_or(AppError::NotFound)?;
    may_download(state, p, of, &file).await?;
    let (content_type, bytes) = state
        .store
        .blob(&file.blob_sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = open_sealed(state, bytes)?;
    Ok(Download {
        file_name: file.file_name,
        content_type,
        bytes,
    })
}

/// A citizen's file is kept sealed (files kept before sealing began are
/// not); it opens only with the data key it was sealed under.
fn open_sealed(state: &AppState, bytes: Vec<u8>) -> Result<Vec<u8>, AppError> {
    if !is_sealed_bytes(&bytes) {
        return Ok(bytes);
    }
    state
        .config
        .data_key
        .as_ref()
        .and_then(|key| key.open_bytes(FILE_FIELD, &bytes).ok())
        .ok_or_else(|| AppError::Invalid(SEALED_FILE_UNREADABLE.into()))
}

/// Who may download a file is who may see its record: the report (its
/// scope's managers and viewers, and its unit), the feedback (see
/// [`visible_feedback`]) or the initiative (anyone reading its commune).
async fn may_download(
    state: &AppState,
    p: &Principal,
    of: AttachedTo,
    file: &AttachedFile,
) -> Result<(), AppError> {
    match of {
        AttachedTo::Evidence => {
            let evidence = state
                .store
                .evidence(file.id)
                .await?
                .ok_or(AppError::NotFound)?;
            if p.can_view_report(&evidence.scope_path, &evidence.unit_path) {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        AttachedTo::Feedback => visible_feedback(state, p, file.owner_id).await.map(drop),
        AttachedTo::Initiative => readable_initiative(state, p, file.owner_id).await.map(drop),
    }
}
