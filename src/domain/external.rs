//! External ids: the id another system knows a record by (the national
//! system's `KH-2025-0012`, a province document system's), unique per
//! source, so an import from or an export to that system never makes a
//! duplicate. Units, plans, tasks and targets may each carry one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest source name, in characters.
pub const MAX_SOURCE: usize = 40;
/// Longest id within a source, in characters.
pub const MAX_ID: usize = 120;

/// A record's id in another system: `source` names the system as a
/// lowercase slug (`vbdh-quoc-gia`), `id` is that system's id, as it
/// writes it (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct ExternalId {
    pub source: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalIdError {
    #[error("Nguồn của mã liên thông (source) không được để trống")]
    EmptySource,
    #[error("Nguồn của mã liên thông (source) quá dài (tối đa {MAX_SOURCE} ký tự)")]
    SourceTooLong,
    #[error(
        "Nguồn của mã liên thông (source) chỉ gồm chữ thường không dấu, chữ số, dấu gạch ngang, gạch dưới hoặc dấu chấm, bắt đầu bằng chữ hoặc số (ví dụ vbdh-quoc-gia)"
    )]
    SourceNotSlug,
    #[error("Mã liên thông (id) không được để trống")]
    EmptyId,
    #[error("Mã liên thông (id) quá dài (tối đa {MAX_ID} ký tự)")]
    IdTooLong,
    #[error("Mã liên thông (id) không được chứa ký tự điều khiển")]
    IdControl,
}

impl ExternalId {
    /// Checks and trims a source and an id as another system sends them.
    pub fn parse(source: &str, id: &str) -> Result<ExternalId, ExternalIdError> {
        let source = source.trim();
        if source.is_empty() {
            return Err(ExternalIdError::EmptySource);
        }
        if source.chars().count() > MAX_SOURCE {
            return Err(ExternalIdError::SourceTooLong);
        }
        let slug_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
        let starts_well = source
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !starts_well || !source.chars().all(slug_char) {
            return Err(ExternalIdError::SourceNotSlug);
        }
        let id = id.trim();
        if id.is_empty() {
            return Err(ExternalIdError::EmptyId);
        }
        if id.chars().count() > MAX_ID {
            return Err(ExternalIdError::IdTooLong);
        }
        if id.chars().any(char::is_control) {
            return Err(ExternalIdError::IdControl);
        }
        Ok(ExternalId {
            source: source.to_string(),
            id: id.to_string(),
        })
    }

    /// Both columns as stored, or neither.
    pub fn from_columns(source: Option<String>, id: Option<String>) -> Option<ExternalId> {
        match (source, id) {
            (Some(source), Some(id)) => Some(ExternalId { source, id }),
            _ => None,
        }
    }
}

impl std::fmt::Display for ExternalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.source, self.id)
    }
}

/// What a change does to a record's external id: a request that leaves it
/// out keeps it, `null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExternalChange {
    #[default]
    Keep,
    Set(ExternalId),
    Clear,
}

impl ExternalChange {
    /// The external id after the change, from the one before it.
    pub fn apply(&self, current: Option<&ExternalId>) -> Option<ExternalId> {
        match self {
            ExternalChange::Keep => current.cloned(),
            ExternalChange::Set(id) => Some(id.clone()),
            ExternalChange::Clear => None,
        }
    }
}

/// The kinds of record that carry an external id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Unit,
    Plan,
    Task,
    Target,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Unit,
        RecordKind::Plan,
        RecordKind::Task,
        RecordKind::Target,
    ];

    /// The name used in paths and the audit trail (`plan`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Unit => "unit",
            RecordKind::Plan => "plan",
            RecordKind::Task => "task",
            RecordKind::Target => "target",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            RecordKind::Unit => "đơn vị",
            RecordKind::Plan => "kế hoạch",
            RecordKind::Task => "nhiệm vụ",
            RecordKind::Target => "chỉ tiêu",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_id_is_trimmed_and_checked() {
        let ok = ExternalId::parse(" vbdh-quoc-gia ", "  KH-2025-0012 ").expect("valid");
        assert_eq!(ok.source, "vbdh-quoc-gia");
        assert_eq!(ok.id, "KH-2025-0012");
        assert_eq!(ok.to_string(), "vbdh-quoc-gia/KH-2025-0012");
        assert_eq!(
            ExternalId::parse("", "1"),
            Err(ExternalIdError::EmptySource)
        );
        assert_eq!(ExternalId::parse("a", "  "), Err(ExternalIdError::EmptyId));
        for bad in ["VBDH", "vb dh", "-vbdh", "vbđh", "a/b"] {
            assert_eq!(
                ExternalId::parse(bad, "1"),
                Err(ExternalIdError::SourceNotSlug),
                "{bad}"
            );
        }
        assert_eq!(
            ExternalId::parse(&"a".repeat(MAX_SOURCE + 1), "1"),
            Err(ExternalIdError::SourceTooLong)
        );
        assert_eq!(
            ExternalId::parse("a", &"x".repeat(MAX_ID + 1)),
            Err(ExternalIdError::IdTooLong)
        );
        assert_eq!(
            ExternalId::parse("a", "KH\u{0}1"),
            Err(ExternalIdError::IdControl)
        );
        // An id may be written in the other system's own way, Vietnamese
        // included.
        assert!(ExternalId::parse("tinh.son-lam_2", "Số 12/KH-UBND").is_ok());
    }

    #[test]
    fn a_change_keeps_sets_or_clears() {
        let a = ExternalId::parse("a", "1").expect("valid");
        let b = ExternalId::parse("b", "2").expect("valid");
        assert_eq!(ExternalChange::Keep.apply(Some(&a)), Some(a.clone()));
        assert_eq!(ExternalChange::Set(b.clone()).apply(Some(&a)), Some(b));
        assert_eq!(ExternalChange::Clear.apply(Some(&a)), None);
        assert_eq!(ExternalChange::Keep.apply(None), None);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RecordKind::parse("round"), None);
    }
}
