//! Directions (ý kiến chỉ đạo): what a leader asks of a unit about a task,
//! a plan or the unit itself, and the unit's answer, given in its next
//! report. The seeds ask leaders to "chỉ đạo điều chỉnh, bổ sung nhiệm vụ";
//! a direction and its answer stay with the task and go into the
//! consolidated report.

use crate::domain::valid::Valid;

/// The longest direction or answer kept.
pub const MAX_DIRECTION: usize = 4000;

/// What a direction is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectionSubject {
    Task(i64),
    Plan(i64),
    Unit(i64),
}

impl DirectionSubject {
    pub fn kind(self) -> &'static str {
        match self {
            DirectionSubject::Task(_) => "task",
            DirectionSubject::Plan(_) => "plan",
            DirectionSubject::Unit(_) => "unit",
        }
    }

    pub fn parse(kind: &str, id: i64) -> Option<DirectionSubject> {
        match kind {
            "task" => Some(DirectionSubject::Task(id)),
            "plan" => Some(DirectionSubject::Plan(id)),
            "unit" => Some(DirectionSubject::Unit(id)),
            _ => None,
        }
    }

    pub fn id(self) -> i64 {
        match self {
            DirectionSubject::Task(id)
            | DirectionSubject::Plan(id)
            | DirectionSubject::Unit(id) => id,
        }
    }
}

/// A direction as it is read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Direction {
    pub id: i64,
    pub subject: DirectionSubject,
    /// The task, plan or unit in words ("nhiệm vụ 2.1 “…”").
    pub about: String,
    /// The unit that must answer.
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    /// Whose subtree may read it: the task's or plan's issuer, or the unit.
    pub scope_path: String,
    pub body: String,
    pub given_by: String,
    pub given_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub answer_report_id: Option<i64>,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectionError {
    #[error("Hãy ghi nội dung ý kiến chỉ đạo.")]
    EmptyDirection,
    #[error("Hãy ghi nội dung trả lời ý kiến chỉ đạo.")]
    EmptyAnswer,
    #[error("Nội dung dài quá {MAX_DIRECTION} ký tự.")]
    TooLong,
    #[error("Nhiệm vụ chưa có đơn vị chủ trì trong cây đơn vị để nhận ý kiến chỉ đạo.")]
    NoUnit,
}

fn words(text: &str, empty: DirectionError) -> Result<Valid<String>, DirectionError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(empty);
    }
    if text.chars().count() > MAX_DIRECTION {
        return Err(DirectionError::TooLong);
    }
    Ok(Valid::new(text.to_string()))
}

pub fn validate_direction(text: &str) -> Result<Valid<String>, DirectionError> {
    words(text, DirectionError::EmptyDirection)
}

pub fn validate_answer(text: &str) -> Result<Valid<String>, DirectionError> {
    words(text, DirectionError::EmptyAnswer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_direction_and_its_answer_are_words_within_bounds() {
        assert_eq!(
            validate_direction(" ").map(Valid::into_inner),
            Err(DirectionError::EmptyDirection)
        );
        assert_eq!(
            validate_answer("").map(Valid::into_inner),
            Err(DirectionError::EmptyAnswer)
        );
        assert_eq!(
            validate_answer(&"x".repeat(MAX_DIRECTION + 1)).map(Valid::into_inner),
            Err(DirectionError::TooLong)
        );
        assert_eq!(
            validate_direction(" Hoàn thành trước 30/6 ").map(Valid::into_inner),
            Ok("Hoàn thành trước 30/6".to_string())
        );
        assert_eq!(
            DirectionSubject::parse("plan", 4),
            Some(DirectionSubject::Plan(4))
        );
        assert_eq!(DirectionSubject::parse("x", 4), None);
    }
}
