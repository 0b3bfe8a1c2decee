//! Plans (Kế hoạch) and the reporting regime each one states.

use chrono::NaiveDate;

use crate::domain::external::ExternalId;
use crate::domain::period::{PeriodKind, ReportingPeriod};
use crate::domain::text::normalize_spaces;
use crate::domain::valid::Valid;

/// Units report by this day of the month when a plan does not say; it is
/// the day most plans name ("trước ngày 15 hằng tháng").
pub const DEFAULT_UNIT_DUE_DAY: u32 = 15;
/// The consolidated report is due three days later unless stated.
pub const DEFAULT_CONSOLIDATED_DUE_DAY: u32 = 18;

/// Which reports a plan asks for, and by which day of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingRegime {
    pub periods: Vec<PeriodKind>,
    pub unit_due_day: Option<u32>,
    pub consolidated_due_day: Option<u32>,
}

impl Default for ReportingRegime {
    fn default() -> Self {
        ReportingRegime {
            periods: vec![PeriodKind::Monthly],
            unit_due_day: Some(DEFAULT_UNIT_DUE_DAY),
            consolidated_due_day: Some(DEFAULT_CONSOLIDATED_DUE_DAY),
        }
    }
}

impl ReportingRegime {
    /// The date by which each unit's report for `period` is due.
    pub fn unit_due_date(&self, period: &ReportingPeriod) -> NaiveDate {
        period.due_on(self.unit_due_day.unwrap_or(DEFAULT_UNIT_DUE_DAY))
    }

    /// The date by which the focal point's consolidated report is due.
    pub fn consolidated_due_date(&self, period: &ReportingPeriod) -> NaiveDate {
        period.due_on(
            self.consolidated_due_day
                .unwrap_or(DEFAULT_CONSOLIDATED_DUE_DAY),
        )
    }

    pub fn periods_text(&self) -> String {
        self.periods
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored comma list; unknown names are dropped rather than
    /// failing, so an older row never makes a plan unreadable.
    pub fn periods_from_text(text: &str) -> Vec<PeriodKind> {
        let mut periods = Vec::new();
        for kind in text.split(',').filter_map(|s| PeriodKind::parse(s.trim())) {
            if !periods.contains(&kind) {
                periods.push(kind);
            }
        }
        periods
    }

    pub fn label_vi(&self) -> String {
        let kinds = self
            .periods
            .iter()
            .map(|p| p.label_vi())
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{kinds}; đơn vị báo cáo trước ngày {} , tổng hợp trước ngày {}",
            self.unit_due_day.unwrap_or(DEFAULT_UNIT_DUE_DAY),
            self.consolidated_due_day
                .unwrap_or(DEFAULT_CONSOLIDATED_DUE_DAY)
        )
        .replace(" ,", ",")
    }
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: i64,
    pub issuer_unit_id: i64,
    /// Tree path of the issuing unit; access to the plan follows it.
    pub issuer_path: String,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub title: String,
    pub basis: Vec<String>,
    /// Plans of a higher level that this plan implements.
    pub implements: Vec<i64>,
    pub regime: ReportingRegime,
    /// Its id in another system, if one was given.
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl Plan {
    /// Whether the plan is a Party committee's (a Đảng ủy's): its number is
    /// written the Party's way, `12-KH/ĐU` (type after a hyphen, issuer
    /// after a slash), where the state writes `21/KH-UBND`. Its reports are
    /// laid out the Party's way too.
    pub fn is_party(&self) -> bool {
        self.number.as_deref().is_some_and(is_party_number)
    }
}

/// `12-KH/ĐU`, `-BC/ĐU` (a draft), `261-KH/TU`: the Party's form of a number.
pub fn is_party_number(number: &str) -> bool {
    let number = number
        .trim()
        .trim_start_matches("Số")
        .trim_start_matches(':')
        .trim();
    match number.rsplit_once('/') {
        Some((left, issuer)) => {
            !issuer.is_empty()
                && !issuer.contains('-')
                && issuer.chars().all(|c| c.is_uppercase())
                && left.contains('-')
        }
        None => false,
    }
}

/// The fields a person supplies for a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDraft {
    pub issuer_unit_id: i64,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub title: String,
    pub basis: Vec<String>,
    pub implements: Vec<i64>,
    pub regime: ReportingRegime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("Tên (trích yếu) kế hoạch không được để trống")]
    EmptyTitle,
    #[error("Trích yếu kế hoạch quá dài (tối đa 1000 ký tự)")]
    TitleTooLong,
    #[error("Ngày báo cáo phải từ 1 đến 31")]
    BadDueDay,
    #[error("Kế hoạch phải có ít nhất một kỳ báo cáo")]
    NoPeriods,
}

impl PlanDraft {
    pub fn validate(mut self) -> Result<Valid<PlanDraft>, PlanError> {
        self.title = normalize_spaces(&self.title);
        if self.title.is_empty() {
            return Err(PlanError::EmptyTitle);
        }
        if self.title.chars().count() > 1000 {
            return Err(PlanError::TitleTooLong);
        }
        self.number = clean_optional(self.number);
        self.place = clean_optional(self.place);
        self.basis = self
            .basis
            .iter()
            .map(|b| normalize_spaces(b))
            .filter(|b| !b.is_empty())
            .collect();
        let day_ok = |d: Option<u32>| d.is_none_or(|d| (1..=31).contains(&d));
        if !day_ok(self.regime.unit_due_day) || !day_ok(self.regime.consolidated_due_day) {
            return Err(PlanError::BadDueDay);
        }
        if self.regime.periods.is_empty() {
            return Err(PlanError::NoPeriods);
        }
        self.implements.sort_unstable();
        self.implements.dedup();
        Ok(Valid::new(self))
    }
}

/// Trims a free-text field and turns an empty one into `None`.
pub fn clean_optional(value: Option<String>) -> Option<String> {
    value
        .map(|v| normalize_spaces(&v))
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_party_number_is_told_from_a_state_one() {
        for party in ["12-KH/ĐU", "Số 60-KH/ĐU", "261-KH/TU", "-BC/ĐU"] {
            assert!(is_party_number(party), "{party}");
        }
        for state in ["21/KH-UBND", "Số: 150/BC-UBND", "/KH-UBND", "217", ""] {
            assert!(!is_party_number(state), "{state}");
        }
    }

    fn draft() -> PlanDraft {
        PlanDraft {
            issuer_unit_id: 1,
            number: Some(" 12/KH-UBND ".into()),
            issued_on: NaiveDate::from_ymd_opt(2026, 1, 23),
            place: Some("".into()),
            title: "  Triển khai   Nghị quyết 57 ".into(),
            basis: vec!["".into(), "Kế hoạch số 06/KH-UBND".into()],
            implements: vec![3, 3, 2],
            regime: ReportingRegime::default(),
        }
    }

    #[test]
    fn a_draft_is_cleaned() {
        let plan = draft().validate().expect("valid");
        assert_eq!(plan.title, "Triển khai Nghị quyết 57");
        assert_eq!(plan.number.as_deref(), Some("12/KH-UBND"));
        assert_eq!(plan.place, None);
        assert_eq!(plan.basis, vec!["Kế hoạch số 06/KH-UBND".to_string()]);
        assert_eq!(plan.implements, vec![2, 3]);
    }

    #[test]
    fn a_plan_needs_a_title_and_a_period() {
        let mut d = draft();
        d.title = " ".into();
        assert_eq!(d.validate(), Err(PlanError::EmptyTitle));
        let mut d = draft();
        d.regime.periods.clear();
        assert_eq!(d.validate(), Err(PlanError::NoPeriods));
        let mut d = draft();
        d.regime.unit_due_day = Some(32);
        assert_eq!(d.validate(), Err(PlanError::BadDueDay));
    }

    #[test]
    fn units_report_by_the_15th_and_the_commune_by_the_18th() {
        let regime = ReportingRegime::default();
        let july = ReportingPeriod::month(2026, 7).expect("july");
        assert_eq!(
            regime.unit_due_date(&july),
            NaiveDate::from_ymd_opt(2026, 7, 15).expect("date")
        );
        assert_eq!(
            regime.consolidated_due_date(&july),
            NaiveDate::from_ymd_opt(2026, 7, 18).expect("date")
        );
        let q3 = ReportingPeriod::quarter(2026, 3).expect("q3");
        assert_eq!(
            regime.unit_due_date(&q3),
            NaiveDate::from_ymd_opt(2026, 9, 15).expect("date")
        );
    }

    #[test]
    fn stored_periods_round_trip_and_ignore_unknown_names() {
        let regime = ReportingRegime {
            periods: vec![PeriodKind::Monthly, PeriodKind::Yearly],
            ..ReportingRegime::default()
        };
        assert_eq!(regime.periods_text(), "monthly,yearly");
        assert_eq!(
            ReportingRegime::periods_from_text("monthly, weekly,yearly,monthly"),
            vec![PeriodKind::Monthly, PeriodKind::Yearly]
        );
    }
}
