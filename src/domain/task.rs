//! Tasks (nhiệm vụ) of a plan, with the units that lead and support them.

use crate::domain::deadline::Deadline;
use crate::domain::plan::clean_optional;
use crate::domain::text::normalize_spaces;
use crate::domain::valid::Valid;

/// A unit as a plan names it, and the stored unit it was resolved to, if
/// any. The plan's own words are kept so nothing is lost when a name does
/// not match a unit yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitMention {
    pub name: String,
    pub unit_id: Option<i64>,
}

impl UnitMention {
    pub fn resolved(name: impl Into<String>, unit_id: i64) -> UnitMention {
        UnitMention {
            name: name.into(),
            unit_id: Some(unit_id),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: i64,
    pub plan_id: i64,
    /// Tree path of the plan's issuing unit; access follows it.
    pub scope_path: String,
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub position: i64,
    pub title: String,
    pub lead: Vec<UnitMention>,
    pub support: Vec<UnitMention>,
    pub product: Option<String>,
    pub deadline: Deadline,
    pub funding: Option<String>,
    pub legal_basis: Option<String>,
    pub parent_task_id: Option<i64>,
    /// A candidate read from a plan's narrative that still lacks a lead
    /// unit and a deadline.
    pub draft: bool,
    /// Set when the task does not apply to this plan's unit, with why.
    pub not_applicable_reason: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDraft {
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub title: String,
    pub lead: Vec<UnitMention>,
    pub support: Vec<UnitMention>,
    pub product: Option<String>,
    pub deadline: Deadline,
    pub funding: Option<String>,
    pub legal_basis: Option<String>,
    pub parent_task_id: Option<i64>,
    pub draft: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error("Tên nhiệm vụ không được để trống")]
    EmptyTitle,
    #[error("Tên nhiệm vụ quá dài (tối đa 4000 ký tự)")]
    TitleTooLong,
    #[error("Số thứ tự nhiệm vụ quá dài (tối đa 20 ký tự)")]
    ReferenceTooLong,
}

impl TaskDraft {
    pub fn validate(mut self) -> Result<Valid<TaskDraft>, TaskError> {
        self.title = normalize_spaces(&self.title);
        if self.title.is_empty() {
            return Err(TaskError::EmptyTitle);
        }
        if self.title.chars().count() > 4000 {
            return Err(TaskError::TitleTooLong);
        }
        self.reference = clean_optional(self.reference);
        if self
            .reference
            .as_ref()
            .is_some_and(|r| r.chars().count() > 20)
        {
            return Err(TaskError::ReferenceTooLong);
        }
        self.group_path = clean_list(self.group_path);
        self.lead = clean_mentions(self.lead);
        self.support = clean_mentions(self.support);
        self.product = clean_optional(self.product);
        self.funding = clean_optional(self.funding);
        self.legal_basis = clean_optional(self.legal_basis);
        Ok(Valid::new(self))
    }
}

pub fn clean_list(items: Vec<String>) -> Vec<String> {
    items
        .iter()
        .map(|s| normalize_spaces(s))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Drops empty names and repeated mentions of the same unit or name.
pub fn clean_mentions(mentions: Vec<UnitMention>) -> Vec<UnitMention> {
    let mut out: Vec<UnitMention> = Vec::new();
    for m in mentions {
        let name = normalize_spaces(&m.name);
        if name.is_empty() {
            continue;
        }
        let duplicate = out
            .iter()
            .any(|o| (m.unit_id.is_some() && o.unit_id == m.unit_id) || o.name == name);
        if !duplicate {
            out.push(UnitMention {
                name,
                unit_id: m.unit_id,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_draft_is_cleaned() {
        let draft = TaskDraft {
            reference: Some(" 2.1 ".into()),
            group_path: vec!["II. Nhiệm vụ cụ thể".into(), " ".into()],
            title: " Khai thác  cơ sở dữ liệu ".into(),
            lead: vec![
                UnitMention::resolved("UBND xã", 5),
                UnitMention::resolved("Ủy ban nhân dân xã", 5),
                UnitMention {
                    name: "Công an xã".into(),
                    unit_id: None,
                },
            ],
            support: vec![],
            product: Some("".into()),
            deadline: Deadline::parse("Thường xuyên"),
            funding: None,
            legal_basis: None,
            parent_task_id: None,
            draft: false,
        };
        let task = draft.validate().expect("valid");
        assert_eq!(task.reference.as_deref(), Some("2.1"));
        assert_eq!(task.group_path, vec!["II. Nhiệm vụ cụ thể".to_string()]);
        assert_eq!(task.title, "Khai thác cơ sở dữ liệu");
        assert_eq!(task.lead.len(), 2, "the same unit twice is one lead");
        assert_eq!(task.product, None);
    }

    #[test]
    fn a_task_needs_a_title() {
        let draft = TaskDraft {
            reference: None,
            group_path: vec![],
            title: "".into(),
            lead: vec![],
            support: vec![],
            product: None,
            deadline: Deadline::parse(""),
            funding: None,
            legal_basis: None,
            parent_task_id: None,
            draft: false,
        };
        assert_eq!(draft.validate().err(), Some(TaskError::EmptyTitle));
    }
}
