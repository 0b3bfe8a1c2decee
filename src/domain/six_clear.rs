//! The "6 rõ" the plans demand of every task they assign: clear work,
//! clear responsibility, clear person, clear product, clear deadline,
//! clear authority. A task goes live (stops being a draft) only when none
//! is missing; a draft may lack any of them.
//!
//! How each is read from a task:
//! - **rõ việc**: the task has a title (a confidential task's placeholder
//!   counts: its content is kept off the system by rule);
//! - **rõ trách nhiệm**: a lead unit that is a unit of the tree, since only
//!   such a unit has accounts and reports;
//! - **rõ người**: a named responsible person, an account of the lead unit
//!   (that the account is one is checked where accounts can be read);
//! - **rõ sản phẩm**: the expected result or product, except on a
//!   confidential task, whose product may not be put on the system;
//! - **rõ thời hạn**: a deadline, in any form the plans write one
//!   ("Thường xuyên" is a deadline: the work never stops);
//! - **rõ thẩm quyền**: the level that assigns it, the unit that issued the
//!   task's plan.

use crate::domain::deadline::Deadline;
use crate::domain::task::{Task, TaskDraft, UnitMention};

/// One of the six, in the order the plans name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clear {
    Person,
    Work,
    Responsibility,
    Product,
    Deadline,
    Authority,
}

impl Clear {
    pub const ALL: [Clear; 6] = [
        Clear::Person,
        Clear::Work,
        Clear::Responsibility,
        Clear::Product,
        Clear::Deadline,
        Clear::Authority,
    ];

    /// The stable machine name, for the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Clear::Person => "person",
            Clear::Work => "work",
            Clear::Responsibility => "responsibility",
            Clear::Product => "product",
            Clear::Deadline => "deadline",
            Clear::Authority => "authority",
        }
    }

    /// The principle's words alone, where space is short.
    pub fn short_vi(self) -> &'static str {
        match self {
            Clear::Person => "rõ người",
            Clear::Work => "rõ việc",
            Clear::Responsibility => "rõ trách nhiệm",
            Clear::Product => "rõ sản phẩm",
            Clear::Deadline => "rõ thời hạn",
            Clear::Authority => "rõ thẩm quyền",
        }
    }

    /// How a person reads it: the principle's words and the field behind.
    pub fn label_vi(self) -> &'static str {
        match self {
            Clear::Person => "rõ người (người phụ trách)",
            Clear::Work => "rõ việc (tên nhiệm vụ)",
            Clear::Responsibility => "rõ trách nhiệm (đơn vị chủ trì)",
            Clear::Product => "rõ sản phẩm (kết quả, sản phẩm)",
            Clear::Deadline => "rõ thời hạn (thời hạn hoàn thành)",
            Clear::Authority => "rõ thẩm quyền (cấp giao nhiệm vụ)",
        }
    }
}

/// What the check reads of a task, a draft or a row being imported.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub title: &'a str,
    pub lead: &'a [UnitMention],
    pub responsible_user_id: Option<i64>,
    pub product: Option<&'a str>,
    pub deadline: &'a Deadline,
    /// The unit that issued the task's plan, if known.
    pub assigned_by: Option<i64>,
    pub confidential: bool,
}

/// Which of the six a task lacks, in the principle's order; empty when
/// it may go live.
pub fn missing(f: &Facts<'_>) -> Vec<Clear> {
    let said = |t: Option<&str>| t.is_some_and(|t| !t.trim().is_empty());
    Clear::ALL
        .into_iter()
        .filter(|c| match c {
            Clear::Person => f.responsible_user_id.is_none(),
            Clear::Work => f.title.trim().is_empty(),
            Clear::Responsibility => !f.lead.iter().any(|m| m.unit_id.is_some()),
            Clear::Product => !f.confidential && !said(f.product),
            Clear::Deadline => f.deadline.text().trim().is_empty(),
            Clear::Authority => f.assigned_by.is_none(),
        })
        .collect()
}

/// The facts of a draft of a plan issued by `assigned_by`.
pub fn facts_of_draft(d: &TaskDraft, assigned_by: Option<i64>) -> Facts<'_> {
    Facts {
        title: &d.title,
        lead: &d.lead,
        responsible_user_id: d.responsible_user_id,
        product: d.product.as_deref(),
        deadline: &d.deadline,
        assigned_by,
        confidential: d.confidential,
    }
}

/// What a stored task lacks; its plan's issuer is the last unit of its
/// scope path.
pub fn missing_of_task(t: &Task) -> Vec<Clear> {
    let assigned_by = t
        .scope_path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|id| id.parse::<i64>().ok());
    missing(&Facts {
        title: &t.title,
        lead: &t.lead,
        responsible_user_id: t.responsible_user_id,
        product: t.product.as_deref(),
        deadline: &t.deadline,
        assigned_by,
        confidential: t.confidential,
    })
}

/// How many of these tasks have all six.
pub fn complete_count(tasks: &[Task]) -> usize {
    tasks
        .iter()
        .filter(|t| missing_of_task(t).is_empty())
        .count()
}

/// The six missing, as a sentence names them.
pub fn names_vi(missing: &[Clear]) -> String {
    missing
        .iter()
        .map(|c| c.label_vi())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A live task must have all six.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Nhiệm vụ chưa đủ «6 rõ» nên chưa thể giao chính thức, còn thiếu: {}. Hãy bổ sung, hoặc lưu ở dạng dự thảo.",
    names_vi(.0)
)]
pub struct NotClear(pub Vec<Clear>);

/// Refuses a live task that lacks any of the six; a draft may lack them.
pub fn check_live(draft: bool, f: &Facts<'_>) -> Result<(), NotClear> {
    let missing = missing(f);
    if draft || missing.is_empty() {
        Ok(())
    } else {
        Err(NotClear(missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete<'a>(lead: &'a [UnitMention], deadline: &'a Deadline) -> Facts<'a> {
        Facts {
            title: "Số hóa hồ sơ một cửa",
            lead,
            responsible_user_id: Some(7),
            product: Some("Kho dữ liệu số hóa"),
            deadline,
            assigned_by: Some(3),
            confidential: false,
        }
    }

    #[test]
    fn a_task_with_all_six_misses_nothing() {
        let lead = [UnitMention::resolved("Phòng Văn hóa - Xã hội", 5)];
        let deadline = Deadline::parse("Quý III/2026");
        assert_eq!(missing(&complete(&lead, &deadline)), vec![]);
        assert_eq!(check_live(false, &complete(&lead, &deadline)), Ok(()));
    }

    #[test]
    fn each_of_the_six_is_named_when_missing() {
        let lead = [UnitMention::resolved("Phòng Văn hóa - Xã hội", 5)];
        let by_name = [UnitMention {
            name: "Bưu điện tỉnh".into(),
            unit_id: None,
        }];
        let deadline = Deadline::parse("Quý III/2026");
        let none = Deadline::parse("  ");
        let base = complete(&lead, &deadline);
        let cases = [
            (
                Facts {
                    responsible_user_id: None,
                    ..base
                },
                Clear::Person,
            ),
            (Facts { title: " ", ..base }, Clear::Work),
            (Facts { lead: &[], ..base }, Clear::Responsibility),
            (
                Facts {
                    lead: &by_name,
                    ..base
                },
                Clear::Responsibility,
            ),
            (
                Facts {
                    product: Some(" "),
                    ..base
                },
                Clear::Product,
            ),
            (
                Facts {
                    deadline: &none,
                    ..base
                },
                Clear::Deadline,
            ),
            (
                Facts {
                    assigned_by: None,
                    ..base
                },
                Clear::Authority,
            ),
        ];
        for (facts, lacking) in cases {
            assert_eq!(missing(&facts), vec![lacking]);
            let refused = check_live(false, &facts).expect_err("refused");
            assert!(
                refused.to_string().contains(lacking.label_vi()),
                "{refused}"
            );
            assert_eq!(check_live(true, &facts), Ok(()), "a draft may lack it");
        }
    }

    #[test]
    fn missing_ones_come_in_the_principles_order() {
        let deadline = Deadline::parse("");
        let facts = Facts {
            title: "Việc",
            lead: &[],
            responsible_user_id: None,
            product: None,
            deadline: &deadline,
            assigned_by: Some(1),
            confidential: false,
        };
        assert_eq!(
            missing(&facts),
            vec![
                Clear::Person,
                Clear::Responsibility,
                Clear::Product,
                Clear::Deadline
            ]
        );
        let message = NotClear(missing(&facts)).to_string();
        assert!(
            message.contains("rõ người (người phụ trách), rõ trách nhiệm (đơn vị chủ trì)"),
            "{message}"
        );
    }

    #[test]
    fn a_confidential_task_needs_no_product_on_the_system() {
        let lead = [UnitMention::resolved("Công an xã", 9)];
        let deadline = Deadline::parse("Năm 2026");
        let facts = Facts {
            product: None,
            confidential: true,
            ..complete(&lead, &deadline)
        };
        assert_eq!(missing(&facts), vec![]);
    }
}
