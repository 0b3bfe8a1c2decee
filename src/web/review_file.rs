//! A review over the term as a file, for the plan page and the API alike:
//! which review a URL asks for, and its .docx or .xlsx.

use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::actions::reviews;
use crate::domain::review::ReviewKind;
use crate::export;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::pages::attachments::attachment;
use crate::web::review_document::{file_stem, review_document};

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Which review and in which file.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewParams {
    /// The year of the quarter, half or year (2026–2030); this year when
    /// left out. The term's reviews (mid_term: 2026–2028, end_of_term:
    /// 2026–2030) ignore it.
    pub year: Option<String>,
    /// 1–4, for `quarter`.
    pub quarter: Option<String>,
    /// 1 (the first six months, by default) or 2, for `half_year`.
    pub half: Option<String>,
    /// `docx` (by default) or `xlsx`.
    pub format: Option<String>,
}

/// A review asked for: its kind, year and file format.
pub struct ReviewRequest {
    pub kind: ReviewKind,
    pub year: i32,
    pub xlsx: bool,
}

/// Reads a review's kind and parameters as a URL gives them; a wrong one
/// is refused with a message saying what is allowed.
pub fn review_request(
    kind: &str,
    params: &ReviewParams,
    this_year: i32,
) -> Result<ReviewRequest, AppError> {
    fn number<T: std::str::FromStr>(
        value: Option<&String>,
        name: &str,
    ) -> Result<Option<T>, AppError> {
        match value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                AppError::Invalid(format!(
                    "{name} “{}” không phải là số",
                    v.chars().take(20).collect::<String>()
                ))
            }),
        }
    }
    let year = number::<i32>(params.year.as_ref(), "Năm")?.unwrap_or(this_year);
    let quarter = number::<u32>(params.quarter.as_ref(), "Quý")?;
    let half = number::<u32>(params.half.as_ref(), "Nửa năm")?;
    let kind =
        ReviewKind::parse(kind, quarter, half).map_err(|e| AppError::Invalid(e.to_string()))?;
    let xlsx = match params.format.as_deref().map(str::trim) {
        None | Some("") | Some("docx") => false,
        Some("xlsx") => true,
        Some(_) => {
            return Err(AppError::Invalid(
                "Định dạng tệp phải là docx hoặc xlsx".into(),
            ));
        }
    };
    Ok(ReviewRequest { kind, year, xlsx })
}

/// Builds the review's file for whoever follows the plan's rounds; the
/// download is recorded.
pub async fn review_file(
    state: &AppState,
    caller: &crate::actions::Caller<'_>,
    plan_id: i64,
    request: ReviewRequest,
) -> Result<Response, AppError> {
    let format = if request.xlsx { "xlsx" } else { "docx" };
    let facts =
        reviews::plan_review(state, caller, plan_id, request.kind, request.year, format).await?;
    let doc = review_document(&facts);
    let bytes = if request.xlsx {
        export::review_xlsx(&doc)
    } else {
        export::report_docx(&doc)
    }
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (content_type, name) = if request.xlsx {
        (XLSX, format!("{}.xlsx", file_stem(&facts)))
    } else {
        (DOCX, format!("{}.docx", file_stem(&facts)))
    };
    Ok(attachment(content_type, &name, bytes))
}
