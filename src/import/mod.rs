//! Plan import (issue 3): turns an uploaded plan — .docx, .xlsx or a text /
//! Markdown export — into a `ParsedPlan` proposal: header, basis, reporting
//! regime, tasks and targets, with warnings for whatever needs a person.
//!
//! `parse_plan` is pure (bytes in, data out, no I/O). Every reader produces
//! the same blocks (paragraphs and tables), so recognition is shared.

mod archive;
mod clean;
mod docx;
mod groups;
mod header;
mod issuer;
mod model;
mod narrative;
mod recognise;
mod regime;
mod sections;
mod sheet;
mod table;
mod targets;
mod tasks;
mod text_reader;
mod units;
mod web_paste;
mod xlsx;

#[cfg(test)]
mod tests_demo;
#[cfg(test)]
mod tests_formats;
#[cfg(test)]
mod tests_seeds;
#[cfg(test)]
mod tests_shapes;

pub use model::{
    Adjustments, BasisRef, Block, Col as ColumnRole, ColumnChoice, ColumnReading, ImportWarning,
    ParsedPlan, ParsedTarget, ParsedTask, PlanInfo, Reporting, Row, RowChoice, RowOutcome,
    RowReading, TableReading,
};
pub use units::{
    Resolution, UnitEntry, looks_like_unit_name, resolve_units, split_by_directory, split_units,
};

pub use sheet::read_sheet;

use archive::OfficeKind;

/// Uploads larger than this are refused before any parsing.
pub const MAX_INPUT_BYTES: usize = 20 * 1024 * 1024;

/// Why a file could not be imported. Messages are shown to users as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("Tệp rỗng")]
    EmptyFile,
    #[error("Tệp quá lớn ({size} byte; tối đa {max} byte)")]
    TooLarge { size: usize, max: usize },
    #[error("Không nhận dạng được định dạng tệp (chỉ hỗ trợ .docx, .xlsx, văn bản)")]
    UnsupportedFormat,
    #[error("Tệp .docx bị hỏng hoặc không đầy đủ ({0})")]
    CorruptDocx(String),
    #[error("Tệp .xlsx bị hỏng hoặc không đầy đủ ({0})")]
    CorruptXlsx(String),
    #[error("Tệp nén bất thường (nghi zip bomb): {0}")]
    ZipBomb(String),
    #[error("Không tìm thấy nội dung kế hoạch trong tệp")]
    NoContent,
}

impl ImportError {
    /// Stable machine code for the API and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::EmptyFile => "empty_file",
            ImportError::TooLarge { .. } => "too_large",
            ImportError::UnsupportedFormat => "unsupported_format",
            ImportError::CorruptDocx(_) => "corrupt_docx",
            ImportError::CorruptXlsx(_) => "corrupt_xlsx",
            ImportError::ZipBomb(_) => "zip_bomb",
            ImportError::NoContent => "no_content",
        }
    }
}

/// Parses a plan file. The format is detected from the content; the file
/// name only decides which "corrupt" error a broken zip gets.
pub fn parse_plan(bytes: &[u8], file_name: Option<&str>) -> Result<ParsedPlan, ImportError> {
    parse_plan_with(bytes, file_name, &Adjustments::default())
}

/// Parses a plan with a person's corrections to its preview (a column
/// re-mapped, a row marked as a group). Storing the result of this call
/// with the same corrections stores exactly what the preview showed.
pub fn parse_plan_with(
    bytes: &[u8],
    file_name: Option<&str>,
    adjust: &Adjustments,
) -> Result<ParsedPlan, ImportError> {
    let blocks = read_blocks(bytes, file_name)?;
    if blocks.is_empty() {
        return Err(ImportError::NoContent);
    }
    Ok(recognise::recognise(blocks, adjust))
}

/// The shared intermediate form of any supported file.
pub fn read_blocks(bytes: &[u8], file_name: Option<&str>) -> Result<Vec<Block>, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::EmptyFile);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            size: bytes.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_office(bytes, file_name);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) if !text.contains('\0') => Ok(text_reader::read_text(text)),
        _ => Err(ImportError::UnsupportedFormat),
    }
}

fn read_office(bytes: &[u8], file_name: Option<&str>) -> Result<Vec<Block>, ImportError> {
    let named_xlsx = file_name.is_some_and(|n| n.to_lowercase().ends_with(".xlsx"));
    let corrupt_guess: fn(String) -> ImportError = if named_xlsx {
        ImportError::CorruptXlsx
    } else {
        ImportError::CorruptDocx
    };
    let mut zip = archive::open(bytes, corrupt_guess)?;
    match archive::kind_of(&zip) {
        Some(OfficeKind::Docx) => {
            let mut budget = archive::MAX_UNCOMPRESSED;
            let xml = archive::read_entry(
                &mut zip,
                "word/document.xml",
                &mut budget,
                ImportError::CorruptDocx,
            )?;
            docx::read_document_xml(&xml)
        }
        Some(OfficeKind::Xlsx) => {
            archive::verify_all(&mut zip, ImportError::CorruptXlsx)?;
            xlsx::read_xlsx(bytes)
        }
        None => Err(ImportError::UnsupportedFormat),
    }
}
