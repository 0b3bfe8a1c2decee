//! Guarded access to the zip container of .docx and .xlsx files. An upload
//! is untrusted: the declared sizes are checked first (total and ratio), and
//! every read is capped as well, because declared sizes can lie.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::ImportError;

/// Largest total of uncompressed entry sizes we accept.
pub const MAX_UNCOMPRESSED: u64 = 100 * 1024 * 1024;
/// Largest uncompressed/compressed ratio we accept for an entry.
pub const MAX_RATIO: u64 = 100;
/// Entries smaller than this are not ratio-checked: small XML parts of real
/// documents legitimately compress very well and cannot hurt.
const RATIO_MIN_SIZE: u64 = 1024 * 1024;

pub type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Which office format a zip holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    Docx,
    Xlsx,
}

/// Opens the zip and refuses it when its declared sizes look like a bomb.
pub fn open(bytes: &[u8], corrupt: fn(String) -> ImportError) -> Result<Archive<'_>, ImportError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(e.to_string()))?;
        let size = entry.size();
        let compressed = entry.compressed_size().max(1);
        total = total.saturating_add(size);
        if total > MAX_UNCOMPRESSED {
            return Err(ImportError::ZipBomb(format!(
                "tổng dung lượng giải nén vượt {} MB",
                MAX_UNCOMPRESSED / 1024 / 1024
            )));
        }
        if size >= RATIO_MIN_SIZE && size / compressed > MAX_RATIO {
            return Err(ImportError::ZipBomb(format!(
                "tỷ lệ nén của «{}» vượt {MAX_RATIO} lần",
                entry.name().unwrap_or_default()
            )));
        }
    }
    Ok(archive)
}

/// Which office format the archive holds, from its part names.
pub fn kind_of(archive: &Archive<'_>) -> Option<OfficeKind> {
    let names: Vec<&[u8]> = archive.file_names_raw().collect();
    if names.contains(&b"word/document.xml".as_slice()) {
        Some(OfficeKind::Docx)
    } else if names.contains(&b"xl/workbook.xml".as_slice()) {
        Some(OfficeKind::Xlsx)
    } else {
        None
    }
}

/// Reads one entry, never more than the remaining budget.
pub fn read_entry(
    archive: &mut Archive<'_>,
    name: &str,
    budget: &mut u64,
    corrupt: fn(String) -> ImportError,
) -> Result<Vec<u8>, ImportError> {
    let entry = archive
        .by_name(name)
        .map_err(|e| corrupt(format!("{name}: {e}")))?;
    let mut buf = Vec::new();
    entry
        .take(budget.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| corrupt(format!("{name}: {e}")))?;
    let used = buf.len() as u64;
    if used > *budget {
        return Err(ImportError::ZipBomb(format!(
            "«{name}» giải nén lớn hơn kích thước khai báo cho phép"
        )));
    }
    *budget -= used;
    Ok(buf)
}

/// Inflates every entry under the cap, for readers (calamine) that do their
/// own unzipping: afterwards we know the real sizes are harmless.
pub fn verify_all(
    archive: &mut Archive<'_>,
    corrupt: fn(String) -> ImportError,
) -> Result<(), ImportError> {
    let mut budget = MAX_UNCOMPRESSED;
    let names: Vec<String> = archive
        .file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    for name in names {
        if name.ends_with('/') {
            continue;
        }
        read_entry(archive, &name, &mut budget, corrupt)?;
    }
    Ok(())
}
