//! Extension and adjustment (gia hạn, điều chỉnh): the lead unit asks,
//! with a reason and before the deadline passes, for a new deadline or a
//! changed product; the assigning level (its focal point or a leader)
//! approves or refuses. An approved deadline becomes a
//! [`DeadlineChange`], so the original and every approved deadline stay in
//! the task's history, and a completion is judged by the deadline in force
//! when it was sent (`status::progress_judged`). A refused request, or one
//! asked after the deadline, changes nothing.

use chrono::NaiveDate;

use crate::domain::deadline::Deadline;
use crate::domain::plan::clean_optional;
use crate::domain::report::end_of_day_ms;
use crate::domain::status::due_date_for;
use crate::domain::task::{DeadlineChange, DeadlineChangeError};

/// The longest reason, product or note kept.
pub const MAX_EXTENSION_TEXT: usize = 4000;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionState {
    Pending,
    Approved,
    Refused,
}

impl ExtensionState {
    /// The stored name, also the API's.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionState::Pending => "pending",
            ExtensionState::Approved => "approved",
            ExtensionState::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<ExtensionState> {
        [
            ExtensionState::Pending,
            ExtensionState::Approved,
            ExtensionState::Refused,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ExtensionState::Pending => "Chờ xem xét",
            ExtensionState::Approved => "Đã đồng ý",
            ExtensionState::Refused => "Không đồng ý",
        }
    }
}

/// A request as it is read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtensionRequest {
    pub id: i64,
    pub task_id: i64,
    pub task_reference: Option<String>,
    pub task_title: String,
    /// The path of the task's plan issuer: who may read and decide.
    pub scope_path: String,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    /// The deadline when it was asked, and the one asked for (if any).
    pub deadline_was: String,
    pub deadline_asked: Option<String>,
    pub product_was: Option<String>,
    pub product_asked: Option<String>,
    pub reason: String,
    pub asked_by: String,
    pub asked_by_id: i64,
    pub asked_at: i64,
    pub state: ExtensionState,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub version: i64,
}

/// What a lead unit asks: a new deadline (kept as the deadline change it
/// will become), a changed product, or both, with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtensionAsk {
    pub deadline: Option<DeadlineChange>,
    pub product: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    #[error("Hãy nhập thời hạn mới hoặc sản phẩm điều chỉnh")]
    NothingAsked,
    #[error("Hãy nêu lý do đề nghị gia hạn, điều chỉnh")]
    NoReason,
    #[error("Nội dung quá dài (tối đa 4000 ký tự)")]
    TooLong,
    #[error("Thời hạn mới trùng với thời hạn hiện tại")]
    SameDeadline,
    #[error(
        "Đã quá thời hạn {0}: chỉ đề nghị gia hạn, điều chỉnh được trước khi hết hạn; đề nghị không được ghi nhận"
    )]
    PastDeadline(String),
    #[error("Nhiệm vụ đã có đề nghị gia hạn, điều chỉnh đang chờ xem xét")]
    AlreadyPending,
    #[error("Đề nghị này đã được xem xét")]
    AlreadyDecided,
    #[error("Không đồng ý thì hãy nêu lý do")]
    NoRefusalNote,
    #[error("Quyết định phải là approve (đồng ý) hoặc refuse (không đồng ý)")]
    BadDecision,
}

impl From<DeadlineChangeError> for ExtensionError {
    fn from(e: DeadlineChangeError) -> Self {
        match e {
            DeadlineChangeError::NoDeadline => ExtensionError::NothingAsked,
            DeadlineChangeError::NoReason => ExtensionError::NoReason,
        }
    }
}

fn too_long(s: &str) -> bool {
    s.chars().count() > MAX_EXTENSION_TEXT
}

impl ExtensionAsk {
    /// Reads a request: a blank field asks nothing of it; at least one of
    /// deadline and product, and a reason, are required.
    pub fn parse(
        deadline: Option<&str>,
        product: Option<&str>,
        reason: &str,
        current: &Deadline,
    ) -> Result<ExtensionAsk, ExtensionError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ExtensionError::NoReason);
        }
        let product = clean_optional(product.map(str::to_string));
        if too_long(reason) || product.as_deref().is_some_and(too_long) {
            return Err(ExtensionError::TooLong);
        }
        let deadline = match deadline.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => {
                let change = DeadlineChange::parse(d, reason)?;
                if change.deadline.text() == current.text() {
                    return Err(ExtensionError::SameDeadline);
                }
                Some(change)
            }
            None => None,
        };
        if deadline.is_none() && product.is_none() {
            return Err(ExtensionError::NothingAsked);
        }
        Ok(ExtensionAsk {
            deadline,
            product,
            reason: reason.to_string(),
        })
    }
}

/// Whether a request may still be made at `now` (epoch ms): until the end
/// of the due date the task answers to on `today`; a task without a due
/// date ("Thường xuyên") may always ask.
pub fn check_in_time(
    deadline: &Deadline,
    today: NaiveDate,
    now: i64,
) -> Result<(), ExtensionError> {
    match due_date_for(deadline, today) {
        Some(due) if now > end_of_day_ms(due) => Err(ExtensionError::PastDeadline(
            due.format("%d/%m/%Y").to_string(),
        )),
        _ => Ok(()),
    }
}

/// The decision on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionDecision {
    Approve {
        note: Option<String>,
    },
    /// A refusal says why.
    Refuse {
        note: String,
    },
}

impl ExtensionDecision {
    pub fn parse(decision: &str, note: Option<&str>) -> Result<ExtensionDecision, ExtensionError> {
        let note = clean_optional(note.map(str::to_string));
        if note.as_deref().is_some_and(too_long) {
            return Err(ExtensionError::TooLong);
        }
        match decision.trim() {
            "approve" => Ok(ExtensionDecision::Approve { note }),
            "refuse" => note
                .map(|note| ExtensionDecision::Refuse { note })
                .ok_or(ExtensionError::NoRefusalNote),
            _ => Err(ExtensionError::BadDecision),
        }
    }

    pub fn state(&self) -> ExtensionState {
        match self {
            ExtensionDecision::Approve { .. } => ExtensionState::Approved,
            ExtensionDecision::Refuse { .. } => ExtensionState::Refused,
        }
    }

    pub fn note(&self) -> Option<&str> {
        match self {
            ExtensionDecision::Approve { note } => note.as_deref(),
            ExtensionDecision::Refuse { note } => Some(note),
        }
    }
}

/// One deadline of a task's history: the original, then each change.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineStep {
    pub deadline: String,
    /// When it came into force and why; `None` for the original.
    pub since: Option<(i64, String)>,
}

/// The original deadline and every later one, oldest first, from the
/// changes (old text, new text, when, why; oldest first) and the current
/// deadline.
pub fn deadline_history(
    current: &str,
    changes: &[(String, String, i64, String)],
) -> Vec<DeadlineStep> {
    let original = changes.first().map_or(current.to_string(), |c| c.0.clone());
    std::iter::once(DeadlineStep {
        deadline: original,
        since: None,
    })
    .chain(changes.iter().map(|(_, new, at, why)| DeadlineStep {
        deadline: new.clone(),
        since: Some((*at, why.clone())),
    }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_request_needs_a_reason_and_something_to_change() {
        let now = Deadline::parse("Tháng 6/2026");
        assert_eq!(
            ExtensionAsk::parse(Some("Tháng 8/2026"), None, " ", &now).err(),
            Some(ExtensionError::NoReason)
        );
        assert_eq!(
            ExtensionAsk::parse(Some(" "), Some(""), "Chờ kinh phí", &now).err(),
            Some(ExtensionError::NothingAsked)
        );
        assert_eq!(
            ExtensionAsk::parse(Some("Tháng 6/2026"), None, "Chờ kinh phí", &now).err(),
            Some(ExtensionError::SameDeadline)
        );
        let ask =
            ExtensionAsk::parse(Some("Tháng 8/2026"), None, " Chờ kinh phí ", &now).expect("ask");
        assert_eq!(ask.reason, "Chờ kinh phí");
        assert_eq!(
            ask.deadline.map(|c| c.deadline.final_due_date()),
            Some(Some(d(2026, 8, 31)))
        );
        let product = ExtensionAsk::parse(None, Some("Quyết định ban hành"), "Đổi sản phẩm", &now)
            .expect("product");
        assert_eq!(product.product.as_deref(), Some("Quyết định ban hành"));
    }

    #[test]
    fn a_request_after_the_due_day_is_too_late() {
        let due = Deadline::parse("Tháng 6/2026");
        let today = d(2026, 6, 30);
        assert!(check_in_time(&due, today, end_of_day_ms(today)).is_ok());
        let later = d(2026, 7, 1);
        assert_eq!(
            check_in_time(&due, later, end_of_day_ms(later)),
            Err(ExtensionError::PastDeadline("30/06/2026".into()))
        );
        let ongoing = Deadline::parse("Thường xuyên");
        assert!(check_in_time(&ongoing, later, end_of_day_ms(later)).is_ok());
    }

    #[test]
    fn a_refusal_says_why() {
        assert_eq!(
            ExtensionDecision::parse("refuse", Some(" ")),
            Err(ExtensionError::NoRefusalNote)
        );
        assert_eq!(
            ExtensionDecision::parse("approve", None).map(|d| d.state()),
            Ok(ExtensionState::Approved)
        );
        assert_eq!(
            ExtensionDecision::parse("maybe", None),
            Err(ExtensionError::BadDecision)
        );
        assert_eq!(
            ExtensionState::parse("refused"),
            Some(ExtensionState::Refused)
        );
    }

    #[test]
    fn the_history_starts_with_the_original_deadline() {
        assert_eq!(
            deadline_history("Tháng 6/2026", &[]),
            vec![DeadlineStep {
                deadline: "Tháng 6/2026".into(),
                since: None
            }]
        );
        let changes = vec![
            (
                "Tháng 6/2026".to_string(),
                "Tháng 8/2026".to_string(),
                5,
                "a".to_string(),
            ),
            (
                "Tháng 8/2026".to_string(),
                "Quý IV/2026".to_string(),
                9,
                "b".to_string(),
            ),
        ];
        let h = deadline_history("Quý IV/2026", &changes);
        let texts: Vec<&str> = h.iter().map(|s| s.deadline.as_str()).collect();
        assert_eq!(texts, vec!["Tháng 6/2026", "Tháng 8/2026", "Quý IV/2026"]);
        assert_eq!(h[2].since, Some((9, "b".to_string())));
    }
}
