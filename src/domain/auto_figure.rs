//! Figures that reach a plan's targets by themselves: a focal point links a
//! target to an automatic source, and every change to the source's inputs
//! recomputes the target's figure for the periods it falls in.
//!
//! - `feedback_satisfaction`: percent of rated answers, rated in the period,
//!   that the person found satisfying (satisfied ÷ rated × 100, one decimal).
//! - `initiatives_recognised`: initiatives whose recognition decision is
//!   dated in the year.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::period::{PeriodKind, ReportingPeriod};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AutoSource {
    FeedbackSatisfaction,
    InitiativesRecognised,
}

impl AutoSource {
    pub const ALL: [AutoSource; 2] = [
        AutoSource::FeedbackSatisfaction,
        AutoSource::InitiativesRecognised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AutoSource::FeedbackSatisfaction => "feedback_satisfaction",
            AutoSource::InitiativesRecognised => "initiatives_recognised",
        }
    }

    pub fn parse(s: &str) -> Option<AutoSource> {
        AutoSource::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            AutoSource::FeedbackSatisfaction => {
                "Tỷ lệ hài lòng với trả lời phản ánh, kiến nghị (%)"
            }
            AutoSource::InitiativesRecognised => "Số sáng kiến được công nhận trong năm",
        }
    }

    /// The periods whose figure an input dated `date` counts in: every
    /// reporting period containing it for satisfaction (month to year), the
    /// year only for initiatives, whose targets are set per year.
    pub fn periods_for(self, date: NaiveDate) -> Vec<ReportingPeriod> {
        let kinds: &[PeriodKind] = match self {
            AutoSource::FeedbackSatisfaction => &[
                PeriodKind::Monthly,
                PeriodKind::Quarterly,
                PeriodKind::HalfYearly,
                PeriodKind::NineMonths,
                PeriodKind::Yearly,
            ],
            AutoSource::InitiativesRecognised => &[PeriodKind::Yearly],
        };
        kinds
            .iter()
            .filter_map(|k| ReportingPeriod::containing(*k, date))
            .collect()
    }

    /// The figure from its two counts: a percent, or the count itself.
    pub fn value(self, numerator: i64, denominator: i64) -> Option<f64> {
        match self {
            AutoSource::FeedbackSatisfaction => {
                crate::domain::feedback::satisfaction_percent(numerator, denominator)
            }
            AutoSource::InitiativesRecognised => Some(numerator as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_counts_in_every_period_that_holds_it() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 12).expect("date");
        let keys: Vec<String> = AutoSource::FeedbackSatisfaction
            .periods_for(d)
            .iter()
            .map(|p| p.key())
            .collect();
        assert_eq!(
            keys,
            vec!["2026-03", "2026-Q1", "2026-H1", "2026-9M", "2026"]
        );
        let late = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        assert_eq!(
            AutoSource::FeedbackSatisfaction.periods_for(late).len(),
            4,
            "November is outside the nine months"
        );
        let keys: Vec<String> = AutoSource::InitiativesRecognised
            .periods_for(d)
            .iter()
            .map(|p| p.key())
            .collect();
        assert_eq!(keys, vec!["2026"]);
    }

    #[test]
    fn values_follow_the_source() {
        assert_eq!(AutoSource::FeedbackSatisfaction.value(1, 2), Some(50.0));
        assert_eq!(AutoSource::FeedbackSatisfaction.value(0, 0), None);
        assert_eq!(AutoSource::InitiativesRecognised.value(3, 3), Some(3.0));
        assert_eq!(
            AutoSource::parse("initiatives_recognised"),
            Some(AutoSource::InitiativesRecognised)
        );
    }
}
