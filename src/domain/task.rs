//! Tasks (nhiệm vụ) of a plan, with the units that lead and support them.

use crate::domain::deadline::Deadline;
use crate::domain::external::ExternalId;
use crate::domain::plan::clean_optional;
use crate::domain::text::normalize_spaces;
use crate::domain::unit::Unit;
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
    /// The named person answering for it ("rõ người"): an account of the
    /// lead unit.
    pub responsible_user_id: Option<i64>,
    pub product: Option<String>,
    pub deadline: Deadline,
    pub funding: Option<String>,
    pub legal_basis: Option<String>,
    pub parent_task_id: Option<i64>,
    /// Not live yet: a candidate read from a plan, or a task still lacking
    /// one of the "6 rõ" (see [`crate::domain::six_clear`]).
    pub draft: bool,
    /// Set when the task does not apply to this plan's unit, with why.
    pub not_applicable_reason: Option<String>,
    /// A task marked "mật": the system keeps only a placeholder title, its
    /// deadline and lead; its content, results and evidence stay off it.
    pub confidential: bool,
    /// Its id in another system, if one was given.
    pub external: Option<ExternalId>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDraft {
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub title: String,
    pub lead: Vec<UnitMention>,
    pub support: Vec<UnitMention>,
    pub responsible_user_id: Option<i64>,
    pub product: Option<String>,
    pub deadline: Deadline,
    pub funding: Option<String>,
    pub legal_basis: Option<String>,
    pub parent_task_id: Option<i64>,
    pub draft: bool,
    pub confidential: bool,
}

/// The title a confidential task is known by on the system.
pub const CONFIDENTIAL_TITLE: &str = "Nhiệm vụ mật";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error(
        "Nhiệm vụ mật chỉ lưu tên thay thế «{CONFIDENTIAL_TITLE}», thời hạn và đơn vị chủ trì; không đưa lên hệ thống: {}.",
        .0.join(", ")
    )]
    ConfidentialContent(Vec<&'static str>),
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
        if self.confidential {
            let content = self.confidential_content();
            if !content.is_empty() {
                return Err(TaskError::ConfidentialContent(content));
            }
            self.title = CONFIDENTIAL_TITLE.to_string();
        }
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

    /// What a confidential task may not carry, by the words of the form.
    pub fn confidential_content(&self) -> Vec<&'static str> {
        let said = |t: &Option<String>| t.as_deref().is_some_and(|t| !t.trim().is_empty());
        let title = normalize_spaces(&self.title);
        let mut out = Vec::new();
        if !title.is_empty() && title != CONFIDENTIAL_TITLE {
            out.push("tên, nội dung nhiệm vụ");
        }
        if said(&self.product) {
            out.push("sản phẩm");
        }
        if said(&self.funding) {
            out.push("kinh phí");
        }
        if said(&self.legal_basis) {
            out.push("căn cứ");
        }
        if !self.support.is_empty() {
            out.push("đơn vị phối hợp");
        }
        out
    }

    /// Marking a task confidential takes its content off: what is left is
    /// what a confidential task keeps.
    pub fn without_content(mut self) -> TaskDraft {
        self.title = CONFIDENTIAL_TITLE.to_string();
        self.product = None;
        self.funding = None;
        self.legal_basis = None;
        self.support = Vec::new();
        self
    }
}

/// A unit named on a task or target as a person sends it: a unit of the
/// plan's tree by id (with, optionally, the plan's own wording for it), or
/// only a name, for a body that is not a unit of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionInput {
    pub unit_id: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MentionError {
    #[error("Đơn vị {0} không thuộc phạm vi kế hoạch")]
    OutsidePlan(i64),
    #[error("Mỗi đơn vị cần có unit_id hoặc name")]
    Empty,
}

/// Resolves named units against the units a plan may name (its issuer's
/// subtree): a unit id must be one of them and, without wording of its
/// own, is named as the unit is; a name alone stays unresolved.
pub fn resolve_mentions(
    input: Vec<MentionInput>,
    units: &[Unit],
) -> Result<Vec<UnitMention>, MentionError> {
    let mut out = Vec::new();
    for m in input {
        let name = m.name.filter(|n| !n.trim().is_empty());
        match (m.unit_id, name) {
            (Some(id), name) => {
                let unit = units
                    .iter()
                    .find(|u| u.id == id)
                    .ok_or(MentionError::OutsidePlan(id))?;
                out.push(UnitMention::resolved(
                    name.unwrap_or_else(|| unit.name.clone()),
                    id,
                ));
            }
            (None, Some(name)) => out.push(UnitMention {
                name,
                unit_id: None,
            }),
            (None, None) => return Err(MentionError::Empty),
        }
    }
    Ok(out)
}

/// A new deadline for a task, with the reason it changed: both are
/// required, since the change is kept in the task's history.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineChange {
    pub deadline: Deadline,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineChangeError {
    #[error("Hãy nhập thời hạn mới")]
    NoDeadline,
    #[error("Hãy nêu lý do thay đổi thời hạn")]
    NoReason,
}

impl DeadlineChange {
    pub fn parse(deadline: &str, reason: &str) -> Result<DeadlineChange, DeadlineChangeError> {
        let deadline = Deadline::parse(deadline);
        if deadline.text().is_empty() {
            return Err(DeadlineChangeError::NoDeadline);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeadlineChangeError::NoReason);
        }
        Ok(DeadlineChange {
            deadline,
            reason: reason.to_string(),
        })
    }
}

/// Whether a task applies to its plan's unit; one that does not says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    Applies,
    DoesNotApply { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Hãy nêu lý do nhiệm vụ không áp dụng")]
pub struct NoReasonGiven;

impl Applicability {
    /// `applies` as asked; a task said not to apply needs a reason.
    pub fn parse(applies: bool, reason: Option<&str>) -> Result<Applicability, NoReasonGiven> {
        if applies {
            return Ok(Applicability::Applies);
        }
        match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => Ok(Applicability::DoesNotApply {
                reason: reason.to_string(),
            }),
            None => Err(NoReasonGiven),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Applicability::Applies => None,
            Applicability::DoesNotApply { reason } => Some(reason),
        }
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
            responsible_user_id: None,
            product: Some("".into()),
            deadline: Deadline::parse("Thường xuyên"),
            funding: None,
            legal_basis: None,
            parent_task_id: None,
            draft: false,
            confidential: false,
        };
        let task = draft.validate().expect("valid");
        assert_eq!(task.reference.as_deref(), Some("2.1"));
        assert_eq!(task.group_path, vec!["II. Nhiệm vụ cụ thể".to_string()]);
        assert_eq!(task.title, "Khai thác cơ sở dữ liệu");
        assert_eq!(task.lead.len(), 2, "the same unit twice is one lead");
        assert_eq!(task.product, None);
    }

    fn unit(id: i64, name: &str) -> Unit {
        Unit {
            id,
            parent_id: Some(1),
            kind: crate::domain::unit::UnitKind::Department,
            name: name.into(),
            aliases: vec![],
            side: crate::domain::unit::Side::Government,
            path: format!("/1/{id}/"),
            province_id: Some(1),
            commune_id: None,
            code: None,
            ended_on: None,
            successor_id: None,
            external: None,
            version: 1,
        }
    }

    #[test]
    fn mentions_resolve_within_the_plans_units_only() {
        let units = vec![unit(5, "Công an xã")];
        let input = vec![
            MentionInput {
                unit_id: Some(5),
                name: None,
            },
            MentionInput {
                unit_id: Some(5),
                name: Some("Công an".into()),
            },
            MentionInput {
                unit_id: None,
                name: Some("Bưu điện tỉnh".into()),
            },
        ];
        assert_eq!(
            resolve_mentions(input, &units),
            Ok(vec![
                UnitMention::resolved("Công an xã", 5),
                UnitMention::resolved("Công an", 5),
                UnitMention {
                    name: "Bưu điện tỉnh".into(),
                    unit_id: None,
                },
            ])
        );
        let outside = vec![MentionInput {
            unit_id: Some(9),
            name: None,
        }];
        assert_eq!(
            resolve_mentions(outside, &units),
            Err(MentionError::OutsidePlan(9))
        );
        let empty = vec![MentionInput {
            unit_id: None,
            name: Some(" ".into()),
        }];
        assert_eq!(resolve_mentions(empty, &units), Err(MentionError::Empty));
    }

    #[test]
    fn a_deadline_changes_only_with_a_reason() {
        assert_eq!(
            DeadlineChange::parse(" ", "Chờ kinh phí").err(),
            Some(DeadlineChangeError::NoDeadline)
        );
        assert_eq!(
            DeadlineChange::parse("Quý IV/2026", " ").err(),
            Some(DeadlineChangeError::NoReason)
        );
        let change = DeadlineChange::parse("Quý IV/2026", " Chờ kinh phí ").expect("change");
        assert_eq!(change.reason, "Chờ kinh phí");
    }

    #[test]
    fn a_task_that_does_not_apply_says_why() {
        assert_eq!(Applicability::parse(true, None), Ok(Applicability::Applies));
        assert_eq!(Applicability::parse(false, Some("  ")), Err(NoReasonGiven));
        assert_eq!(
            Applicability::parse(false, Some("Không có đối tượng"))
                .expect("reason")
                .reason(),
            Some("Không có đối tượng")
        );
    }

    #[test]
    fn a_task_needs_a_title() {
        let draft = TaskDraft {
            reference: None,
            group_path: vec![],
            title: "".into(),
            lead: vec![],
            support: vec![],
            responsible_user_id: None,
            product: None,
            deadline: Deadline::parse(""),
            funding: None,
            legal_basis: None,
            parent_task_id: None,
            draft: false,
            confidential: false,
        };
        assert_eq!(draft.validate().err(), Some(TaskError::EmptyTitle));
    }
}
