//! Initiatives (sáng kiến): an improvement proposed by staff or a unit,
//! scored by a council of named reviewers on published criteria, then
//! recognised or not by a decision with its number and date. Recognised
//! initiatives count toward the commune's initiative target for the year
//! of the decision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::evidence::MAX_EVIDENCE_BYTES;
use crate::domain::feedback::clean_multiline;
use crate::domain::text::normalize_spaces;
use crate::domain::valid::Valid;

pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Files one registration (or one addition) may carry, and the size of
/// each: a description, drawings, a scanned paper.
pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = MAX_EVIDENCE_BYTES;

/// One published scoring criterion and its maximum points; the maxima add
/// up to 100.
pub struct Criterion {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub max: i64,
}

pub const CRITERIA: [Criterion; 4] = [
    Criterion {
        key: "novelty",
        label: "Tính mới",
        description: "Chưa được áp dụng tại cơ quan, đơn vị, địa phương trước đó",
        max: 30,
    },
    Criterion {
        key: "applicability",
        label: "Khả năng áp dụng",
        description: "Đã hoặc có thể áp dụng trong thực tế tại xã",
        max: 30,
    },
    Criterion {
        key: "effectiveness",
        label: "Hiệu quả",
        description: "Lợi ích về thời gian, chi phí, chất lượng phục vụ người dân, doanh nghiệp",
        max: 30,
    },
    Criterion {
        key: "scalability",
        label: "Khả năng nhân rộng",
        description: "Có thể áp dụng ở đơn vị, địa phương khác",
        max: 10,
    },
];

/// The council's average at or above which it recommends recognition; the
/// decision itself is still recorded by a person.
pub const RECOMMEND_AT: f64 = 70.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeStatus {
    Registered,
    UnderReview,
    Recognised,
    NotRecognised,
}

impl InitiativeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InitiativeStatus::Registered => "registered",
            InitiativeStatus::UnderReview => "under_review",
            InitiativeStatus::Recognised => "recognised",
            InitiativeStatus::NotRecognised => "not_recognised",
        }
    }

    pub fn parse(s: &str) -> Option<InitiativeStatus> {
        [
            InitiativeStatus::Registered,
            InitiativeStatus::UnderReview,
            InitiativeStatus::Recognised,
            InitiativeStatus::NotRecognised,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            InitiativeStatus::Registered => "Đã đăng ký",
            InitiativeStatus::UnderReview => "Hội đồng đang chấm điểm",
            InitiativeStatus::Recognised => "Được công nhận",
            InitiativeStatus::NotRecognised => "Không được công nhận",
        }
    }

    pub fn is_decided(self) -> bool {
        matches!(
            self,
            InitiativeStatus::Recognised | InitiativeStatus::NotRecognised
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitiativeError {
    #[error("Tên sáng kiến không được để trống")]
    EmptyTitle,
    #[error("Tên sáng kiến quá dài (tối đa 300 ký tự)")]
    TitleTooLong,
    #[error("Hãy ghi tác giả hoặc nhóm tác giả của sáng kiến")]
    NoAuthors,
    #[error("Hãy mô tả {0}")]
    Missing(&'static str),
    #[error("Phần mô tả quá dài (tối đa 10.000 ký tự mỗi phần)")]
    TextTooLong,
    #[error("Điểm “{label}” phải từ 0 đến {max}")]
    ScoreOutOfRange { label: &'static str, max: i64 },
    #[error("Sáng kiến đã có quyết định; không thể thay đổi")]
    AlreadyDecided,
    #[error("Hội đồng chưa chấm điểm: cần ít nhất một thành viên chấm trước khi quyết định")]
    NotScored,
    #[error("Hãy ghi số quyết định")]
    NoDecisionNumber,
    #[error("Hãy chọn ngày ký quyết định")]
    NoDecisionDate,
    #[error("Bạn không có tên trong hội đồng chấm sáng kiến này")]
    NotAReviewer,
}

/// An initiative as kept, with its unit and commune.
#[derive(Debug, Clone, PartialEq)]
pub struct Initiative {
    pub id: i64,
    pub province_id: Option<i64>,
    pub commune_id: i64,
    pub commune_name: String,
    pub commune_path: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub title: String,
    pub authors: Vec<String>,
    pub problem: String,
    pub solution: String,
    pub benefit: String,
    pub status: InitiativeStatus,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub decision_note: Option<String>,
    pub created_at: i64,
    pub version: i64,
}

/// A council member and, once given, their scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub scores: Option<Scores>,
    pub comment: Option<String>,
}

/// The council's average total over the reviews scored so far.
pub fn council_average(reviews: &[Review]) -> Option<f64> {
    let scored: Vec<Scores> = reviews.iter().filter_map(|r| r.scores).collect();
    average_total(&scored)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiativeDraft {
    pub unit_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub problem: String,
    pub solution: String,
    pub benefit: String,
}

fn required(text: &str, what: &'static str) -> Result<String, InitiativeError> {
    let text = clean_multiline(text);
    if text.is_empty() {
        return Err(InitiativeError::Missing(what));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(InitiativeError::TextTooLong);
    }
    Ok(text)
}

impl InitiativeDraft {
    pub fn validate(self) -> Result<Valid<InitiativeDraft>, InitiativeError> {
        let title = normalize_spaces(&self.title);
        if title.is_empty() {
            return Err(InitiativeError::EmptyTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(InitiativeError::TitleTooLong);
        }
        let authors: Vec<String> = self
            .authors
            .iter()
            .map(|a| normalize_spaces(a))
            .filter(|a| !a.is_empty())
            .collect();
        if authors.is_empty() {
            return Err(InitiativeError::NoAuthors);
        }
        Ok(Valid::new(InitiativeDraft {
            unit_id: self.unit_id,
            title,
            authors,
            problem: required(&self.problem, "vấn đề cần giải quyết")?,
            solution: required(&self.solution, "giải pháp")?,
            benefit: required(&self.benefit, "hiệu quả, lợi ích dự kiến")?,
        }))
    }
}

/// One reviewer's points, in the order of [`CRITERIA`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores(pub [i64; 4]);

impl Scores {
    pub fn validate(points: [i64; 4]) -> Result<Scores, InitiativeError> {
        for (p, c) in points.iter().zip(CRITERIA.iter()) {
            if !(0..=c.max).contains(p) {
                return Err(InitiativeError::ScoreOutOfRange {
                    label: c.label,
                    max: c.max,
                });
            }
        }
        Ok(Scores(points))
    }

    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }
}

/// The council's average total, to one decimal; `None` before anyone scored.
pub fn average_total(scored: &[Scores]) -> Option<f64> {
    if scored.is_empty() {
        return None;
    }
    let sum: i64 = scored.iter().map(Scores::total).sum();
    let avg = sum as f64 / scored.len() as f64;
    Some((avg * 10.0).round() / 10.0)
}

/// Whether a decision may be recorded now: once only, and only after at
/// least one council member has scored. The store applies it inside the
/// decision's transaction, to the status and the scores it reads there.
pub fn may_decide(status: InitiativeStatus, scored: usize) -> Result<(), InitiativeError> {
    if status.is_decided() {
        return Err(InitiativeError::AlreadyDecided);
    }
    if scored == 0 {
        return Err(InitiativeError::NotScored);
    }
    Ok(())
}

/// A decision on an initiative, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub recognised: bool,
    pub number: String,
    pub date: NaiveDate,
    pub note: Option<String>,
}

impl Decision {
    /// The decision's own parts; whether the initiative may be decided now
    /// is [`may_decide`].
    pub fn validate(
        recognised: bool,
        number: Option<String>,
        date: Option<NaiveDate>,
        note: Option<String>,
    ) -> Result<Valid<Decision>, InitiativeError> {
        let number = number
            .map(|n| normalize_spaces(&n))
            .filter(|n| !n.is_empty())
            .ok_or(InitiativeError::NoDecisionNumber)?;
        let date = date.ok_or(InitiativeError::NoDecisionDate)?;
        Ok(Valid::new(Decision {
            recognised,
            number,
            date,
            note: note.map(|n| clean_multiline(&n)).filter(|n| !n.is_empty()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_add_up_to_a_hundred() {
        assert_eq!(CRITERIA.iter().map(|c| c.max).sum::<i64>(), 100);
    }

    #[test]
    fn a_draft_needs_its_parts() {
        let d = InitiativeDraft {
            unit_id: 1,
            title: "  Số hóa  hồ sơ hộ tịch ".into(),
            authors: vec!["Nguyễn Văn A".into(), " ".into()],
            problem: "Tra cứu chậm".into(),
            solution: "Quét và đánh chỉ mục".into(),
            benefit: "Giảm thời gian tra cứu".into(),
        };
        let v = d.clone().validate().expect("valid");
        assert_eq!(v.title, "Số hóa hồ sơ hộ tịch");
        assert_eq!(v.authors, vec!["Nguyễn Văn A"]);
        let no_authors = InitiativeDraft {
            authors: vec![],
            ..d.clone()
        };
        assert_eq!(no_authors.validate(), Err(InitiativeError::NoAuthors));
        let no_benefit = InitiativeDraft {
            benefit: " ".into(),
            ..d
        };
        assert!(matches!(
            no_benefit.validate(),
            Err(InitiativeError::Missing(_))
        ));
    }

    #[test]
    fn scores_are_bounded_per_criterion() {
        assert!(Scores::validate([30, 30, 30, 10]).is_ok());
        assert!(Scores::validate([31, 0, 0, 0]).is_err());
        assert!(Scores::validate([0, 0, 0, 11]).is_err());
        assert!(Scores::validate([-1, 0, 0, 0]).is_err());
        let s = [Scores([20, 20, 20, 5]), Scores([25, 25, 25, 8])];
        assert_eq!(average_total(&s), Some(74.0));
        assert_eq!(average_total(&[]), None);
    }

    #[test]
    fn a_decision_needs_scores_a_number_and_a_date() {
        assert_eq!(may_decide(InitiativeStatus::UnderReview, 2), Ok(()));
        assert_eq!(
            may_decide(InitiativeStatus::UnderReview, 0),
            Err(InitiativeError::NotScored)
        );
        assert_eq!(
            may_decide(InitiativeStatus::Recognised, 2),
            Err(InitiativeError::AlreadyDecided)
        );
        let date = NaiveDate::from_ymd_opt(2026, 3, 20);
        assert!(Decision::validate(true, Some("12/QĐ-UBND".into()), date, None).is_ok());
        assert_eq!(
            Decision::validate(true, None, date, None),
            Err(InitiativeError::NoDecisionNumber)
        );
        assert_eq!(
            Decision::validate(true, Some("12/QĐ-UBND".into()), None, None),
            Err(InitiativeError::NoDecisionDate)
        );
    }
}
