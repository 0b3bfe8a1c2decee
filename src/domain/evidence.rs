//! Evidence files: what is accepted, recognised by content rather than by
//! the name or the type a browser claims, and the evidence a report keeps.

use chrono::NaiveDate;

/// Larger files are refused; scans of signed documents fit well below.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;
/// The name of a file that came without one ("evidence").
pub const UNNAMED_FILE: &str = "minh-chung";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Png,
    Jpeg,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("Tệp rỗng")]
    Empty,
    #[error("Tệp quá lớn: tối đa 10 MB")]
    TooLarge,
    #[error("Loại tệp không được chấp nhận: chỉ nhận PDF, DOCX, XLSX, PNG, JPEG")]
    Refused,
}

/// Recognises an accepted file by its first bytes; for Office files, by the
/// part names inside the zip (a .docx has `word/`, a .xlsx has `xl/`).
pub fn sniff(bytes: &[u8]) -> Result<FileKind, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge);
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let reader = std::io::Cursor::new(bytes);
        if let Ok(archive) = zip::ZipArchive::new(reader) {
            let names: Vec<String> = archive
                .file_names()
                .filter_map(|n| n.ok().map(|n| n.to_string()))
                .collect();
            let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
            if has("[Content_Types].xml") && has("word/") {
                return Ok(FileKind::Docx);
            }
            if has("[Content_Types].xml") && has("xl/") {
                return Ok(FileKind::Xlsx);
            }
        }
    }
    Err(EvidenceError::Refused)
}

/// A file name safe to show and to offer for download: no path, no control
/// characters, bounded, with the extension of what the content really is.
pub fn safe_file_name(name: &str, kind: FileKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map(|(s, _)| s).unwrap_or(base);
    let cleaned: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim();
    let stem = if cleaned.is_empty() {
        UNNAMED_FILE
    } else {
        cleaned
    };
    format!("{stem}.{}", kind.extension())
}

/// A piece of evidence on a unit's report: a file kept by its SHA-256, an
/// issued document by number and date, or a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub id: i64,
    pub report_id: i64,
    pub task_id: i64,
    pub kind: String,
    pub blob_sha256: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub doc_number: Option<String>,
    pub doc_date: Option<NaiveDate>,
    pub url: Option<String>,
    pub scope_path: String,
    pub unit_path: String,
}

pub enum EvidenceInput {
    File {
        bytes: Vec<u8>,
        content_type: &'static str,
        file_name: String,
    },
    Document {
        number: String,
        date: Option<NaiveDate>,
    },
    Link {
        url: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(FileKind::Jpeg));
        assert_eq!(sniff(b"MZ\x90\x00 an exe"), Err(EvidenceError::Refused));
        assert_eq!(
            sniff(b"<script>alert(1)</script>"),
            Err(EvidenceError::Refused)
        );
        assert_eq!(
            sniff(b"PK\x03\x04 not really a zip"),
            Err(EvidenceError::Refused)
        );
        assert_eq!(sniff(b""), Err(EvidenceError::Empty));
        assert_eq!(
            sniff(&vec![b'%'; MAX_EVIDENCE_BYTES + 1]),
            Err(EvidenceError::TooLarge)
        );
    }

    #[test]
    fn names_lose_paths_and_take_the_real_extension() {
        assert_eq!(
            safe_file_name("../../etc/passwd", FileKind::Pdf),
            "passwd.pdf"
        );
        assert_eq!(
            safe_file_name("C:\\tmp\\Báo cáo tháng 7.exe", FileKind::Docx),
            "Báo cáo tháng 7.docx"
        );
        assert_eq!(safe_file_name("", FileKind::Png), "minh-chung.png");
    }
}
