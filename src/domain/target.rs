//! Targets (chỉ tiêu) of a plan: what is measured, in which unit, and the
//! goal for each year.

use crate::domain::external::ExternalId;
use crate::domain::goal::{Direction, Goal};
use crate::domain::plan::clean_optional;
use crate::domain::task::{UnitMention, clean_list, clean_mentions};
use crate::domain::text::normalize_spaces;
use crate::domain::valid::Valid;

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: i64,
    pub plan_id: i64,
    /// Tree path of the plan's issuing unit; access follows it.
    pub scope_path: String,
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub position: i64,
    pub name: String,
    pub measure_unit: Option<String>,
    pub lead: Vec<UnitMention>,
    pub goals: Vec<Goal>,
    pub note: Option<String>,
    pub direction: Direction,
    /// Its id in another system, if one was given.
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl Target {
    /// The goal that applies to `year`: the one set for that year, or else
    /// the nearest later one (a 2030 goal stands for 2027-2029 too).
    pub fn goal_for(&self, year: i32) -> Option<&Goal> {
        self.goals
            .iter()
            .filter(|g| g.year.is_some_and(|y| y >= year))
            .min_by_key(|g| g.year)
            .or_else(|| self.goals.iter().find(|g| g.year.is_none()))
    }

    /// Whether `measured` meets the goal for `year`; `None` when the target
    /// has no goal for that year.
    pub fn is_met(&self, year: i32, measured: f64) -> Option<bool> {
        self.goal_for(year).map(|g| g.is_met_by(measured))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetDraft {
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub name: String,
    pub measure_unit: Option<String>,
    pub lead: Vec<UnitMention>,
    pub goals: Vec<Goal>,
    pub note: Option<String>,
    pub direction: Option<Direction>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("Tên chỉ tiêu không được để trống")]
    EmptyName,
    #[error("Tên chỉ tiêu quá dài (tối đa 2000 ký tự)")]
    NameTooLong,
    #[error("Mỗi năm chỉ có một mục tiêu")]
    DuplicateYear,
    #[error("Giá trị mục tiêu không hợp lệ")]
    BadValue,
}

impl TargetDraft {
    /// Cleans the draft; the direction, when not given, follows the goals
    /// (a rank or an upper bound means lower is better), and is always set
    /// on the valid draft.
    pub fn validate(mut self) -> Result<Valid<TargetDraft>, TargetError> {
        self.name = normalize_spaces(&self.name);
        if self.name.is_empty() {
            return Err(TargetError::EmptyName);
        }
        if self.name.chars().count() > 2000 {
            return Err(TargetError::NameTooLong);
        }
        self.reference = clean_optional(self.reference);
        self.group_path = clean_list(self.group_path);
        self.measure_unit = clean_optional(self.measure_unit);
        self.note = clean_optional(self.note);
        self.lead = clean_mentions(self.lead);
        if self.goals.iter().any(|g| !g.value.is_finite()) {
            return Err(TargetError::BadValue);
        }
        let mut years: Vec<Option<i32>> = self.goals.iter().map(|g| g.year).collect();
        years.sort_unstable();
        let before = years.len();
        years.dedup();
        if years.len() != before {
            return Err(TargetError::DuplicateYear);
        }
        let direction = self.direction.unwrap_or_else(|| {
            self.goals
                .first()
                .map(|g| g.direction())
                .unwrap_or(Direction::HigherIsBetter)
        });
        self.direction = Some(direction);
        Ok(Valid::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goal::Comparator;

    fn target(goals: Vec<Goal>) -> Target {
        Target {
            id: 1,
            plan_id: 1,
            scope_path: "/1/".into(),
            reference: Some("12".into()),
            group_path: vec![],
            position: 1,
            name: "Chỉ số phát triển con người (HDI)".into(),
            measure_unit: Some("Giá trị".into()),
            lead: vec![],
            goals,
            note: None,
            direction: Direction::HigherIsBetter,
            external: None,
            version: 1,
        }
    }

    #[test]
    fn the_goal_of_a_later_year_stands_for_the_years_before_it() {
        let t = target(vec![
            Goal::parse("≥ 0.79", Some(2026)).expect("goal"),
            Goal::parse("> 0.8", Some(2030)).expect("goal"),
        ]);
        assert_eq!(t.goal_for(2026).map(|g| g.op), Some(Comparator::Ge));
        assert_eq!(t.goal_for(2028).map(|g| g.op), Some(Comparator::Gt));
        assert_eq!(t.goal_for(2031), None);
        assert_eq!(t.is_met(2026, 0.8), Some(true));
        assert_eq!(t.is_met(2030, 0.8), Some(false));
    }

    #[test]
    fn a_rank_goal_means_lower_is_better() {
        let draft = TargetDraft {
            reference: Some("9".into()),
            group_path: vec!["D. Phát triển hệ sinh thái đổi mới sáng tạo".into()],
            name: "Xếp hạng PII".into(),
            measure_unit: Some("Thứ bậc".into()),
            lead: vec![],
            goals: vec![Goal::parse("Top 20", Some(2026)).expect("goal")],
            note: None,
            direction: None,
        };
        let valid = draft.validate().expect("valid");
        assert_eq!(valid.direction, Some(Direction::LowerIsBetter));
    }

    #[test]
    fn two_goals_for_one_year_are_refused() {
        let draft = TargetDraft {
            reference: None,
            group_path: vec![],
            name: "Tỷ lệ".into(),
            measure_unit: None,
            lead: vec![],
            goals: vec![
                Goal::parse("100", Some(2026)).expect("goal"),
                Goal::parse("90", Some(2026)).expect("goal"),
            ],
            note: None,
            direction: None,
        };
        assert_eq!(draft.validate().err(), Some(TargetError::DuplicateYear));
    }
}
