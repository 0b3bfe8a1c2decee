//! Downloads and uploads around a round: the consolidated report as .docx
//! and .xlsx, the period sheet a focal point fills, and its upload. The
//! facts come from `actions::exports`, the words from
//! `web::report_document`, the files from `export`.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use chrono::Datelike;

use super::attachments::attachment;
use crate::actions::exchange::{self, ExportFormat};
use crate::actions::exports;
use crate::domain::attachment::AttachedTo;
use crate::domain::round::Round;
use crate::export;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::read_multipart;
use crate::web::report_document::{period_sheet, report_document};
use crate::web::review_file::{ReviewParams, review_file, review_request};
use crate::web::session::{ClientIp, PageAuth};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn file_stem(round: &Round) -> String {
    format!("bao-cao-{}", round.period_key.replace("..", "_"))
}

pub async fn report_docx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let facts = exports::round_report(&state, &auth.caller(&ip), id, "docx").await?;
    let bytes = export::report_docx(&report_document(&facts))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}.docx", file_stem(&facts.round));
    Ok(attachment(DOCX, &name, bytes))
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let facts = exports::round_report(&state, &auth.caller(&ip), id, "xlsx").await?;
    let bytes = export::report_xlsx(&report_document(&facts))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}.xlsx", file_stem(&facts.round));
    Ok(attachment(XLSX, &name, bytes))
}

pub async fn sheet_xlsx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let facts = exports::period_sheet(&state, &auth.caller(&ip), id).await?;
    let bytes = export::period_sheet_xlsx(&period_sheet(&facts))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!(
        "cap-nhat-{}.xlsx",
        facts.round.period_key.replace("..", "_")
    );
    Ok(attachment(XLSX, &name, bytes))
}

/// The full export of a unit's subtree (a province, a commune) as one
/// `.xlsx`, a sheet a kind, for its administrators, leaders and focal
/// points.
pub async fn unit_export_xlsx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (unit, bytes) =
        exchange::export_unit(&state, &auth.caller(&ip), id, ExportFormat::Xlsx).await?;
    let stem = unit.code.unwrap_or_else(|| unit.id.to_string());
    Ok(attachment(
        XLSX,
        &format!("xuat-du-lieu-{stem}.xlsx"),
        bytes,
    ))
}

/// A filled period sheet: every row is checked before anything is stored;
/// one bad row refuses the whole file and is named.
pub async fn upload_sheet(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // Access first, so a stranger's upload is refused before it is read.
    crate::actions::rounds::sheet_round(&state, &auth.principal, id).await?;
    let (_, mut files) = read_multipart(multipart, "file", AttachedTo::Evidence).await?;
    let file = files
        .pop()
        .ok_or_else(|| AppError::Invalid("Hãy chọn tệp .xlsx đã điền".into()))?;
    let rows = exports::upload_sheet(&state, &auth.caller(&ip), id, &file.bytes).await?;
    let flash = Flash::SheetUploaded {
        rows: u32::try_from(rows).unwrap_or(u32::MAX),
    };
    let to = format!("/rounds/{id}");
    Ok(redirect_with(&to, flash, state.config.secure_cookies))
}

/// What the plan page's review form sends.
#[derive(Debug, serde::Deserialize)]
pub struct ReviewForm {
    kind: Option<String>,
    year: Option<String>,
    quarter: Option<String>,
    half: Option<String>,
    format: Option<String>,
}

/// A review over the term of a plan (giao ban quý, sơ kết, tổng kết) as
/// .docx or .xlsx, asked for from the plan page.
pub async fn review_download(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    Query(form): Query<ReviewForm>,
) -> Result<Response, PageError> {
    let params = ReviewParams {
        year: form.year,
        quarter: form.quarter,
        half: form.half,
        format: form.format,
    };
    let kind = form.kind.unwrap_or_default();
    let request = review_request(&kind, &params, state.store.clock().today().year())?;
    Ok(review_file(&state, &auth.caller(&ip), id, request).await?)
}
