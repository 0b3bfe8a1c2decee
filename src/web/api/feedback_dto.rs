//! The API's shapes for citizen feedback, initiatives and automatic
//! figures. Public shapes carry no personal data by construction: they
//! have no field for it.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actions::attachments::{accept, accept_count};
use crate::actions::citizen::PersonView;
use crate::actions::initiatives::TargetSource;
use crate::domain::attachment::{AttachedTo, UploadedFile};
use crate::domain::feedback::Feedback;
use crate::domain::initiative::{CRITERIA, Initiative, Review};
use crate::domain::valid::Valid;
use crate::store::AutoFigure;
use crate::web::error::AppError;

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeOut {
    /// A sum in Vietnamese words; answer it in digits.
    pub question: String,
    /// Send back as `challenge_token` with the answer.
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentIn {
    pub file_name: String,
    /// The file's bytes in base64; PDF, DOCX, XLSX, PNG or JPEG.
    pub content_base64: String,
}

/// Decodes attachments sent in JSON and checks them as attachments of
/// `of`, the same check as a form's files.
pub fn attachments(
    list: Vec<AttachmentIn>,
    of: AttachedTo,
) -> Result<Vec<Valid<UploadedFile>>, AppError> {
    accept_count(of, list.len())?;
    list.into_iter()
        .map(|a| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(a.content_base64.trim())
                .map_err(|_| {
                    AppError::Invalid(format!("Tệp {} không phải base64 hợp lệ", a.file_name))
                })?;
            accept(of, &a.file_name, bytes)
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackIn {
    pub commune_id: i64,
    /// `digital_transformation`, `online_public_services`,
    /// `digital_infrastructure`, `digital_skills`, `science_technology`,
    /// `innovation` or `other`.
    pub topic: String,
    pub content: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Must be true: the person has read the notice on personal data.
    #[serde(default)]
    pub notice_acknowledged: bool,
    /// Needed when a name, phone or e-mail is given.
    #[serde(default)]
    pub contact_consent: bool,
    /// Leave empty (a trap for scripts).
    #[serde(default)]
    pub website: Option<String>,
    pub challenge_token: String,
    pub challenge_answer: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedOut {
    /// Shown once; keep it to follow the feedback.
    pub tracking_code: String,
    pub status: String,
    pub due_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeIn {
    pub tracking_code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RateIn {
    pub tracking_code: String,
    pub satisfied: bool,
    /// Required when not satisfied.
    pub reason: Option<String>,
}

/// A feedback as its author (anyone with the code) sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicFeedbackOut {
    pub commune: String,
    pub topic: String,
    pub content: String,
    /// `received`, `assigned` or `answered`.
    pub status: String,
    pub received_on: String,
    pub due_on: String,
    pub answer: Option<String>,
    pub answered_on: Option<String>,
    pub satisfied: Option<bool>,
    /// Whether contact details are kept (never the details themselves).
    pub has_contact: bool,
    pub personal_data_erased: bool,
}

impl From<&Feedback> for PublicFeedbackOut {
    fn from(f: &Feedback) -> Self {
        PublicFeedbackOut {
            commune: f.commune_name.clone(),
            topic: f.topic.as_str().to_string(),
            content: f.content.clone(),
            status: f.status.as_str().to_string(),
            received_on: f.received_on.to_string(),
            due_on: f.due_on.to_string(),
            answer: f.answer.clone(),
            answered_on: f.answered_on.map(|d| d.to_string()),
            satisfied: f.satisfied,
            has_contact: !f.contact.is_empty(),
            personal_data_erased: f.personal_erased_at.is_some(),
        }
    }
}

/// One answered feedback on the public list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnsweredOut {
    pub commune_id: i64,
    pub commune: String,
    pub topic: String,
    pub content: String,
    pub received_on: String,
    pub answer: String,
    pub answered_on: Option<String>,
}

impl From<&Feedback> for AnsweredOut {
    fn from(f: &Feedback) -> Self {
        AnsweredOut {
            commune_id: f.commune_id,
            commune: f.commune_name.clone(),
            topic: f.topic.as_str().to_string(),
            content: f.content.clone(),
            received_on: f.received_on.to_string(),
            answer: f.answer.clone().unwrap_or_default(),
            answered_on: f.answered_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicListParams {
    pub commune_id: Option<i64>,
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneOut {
    pub id: i64,
    pub name: String,
    pub province_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A feedback for staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackOut {
    pub id: i64,
    pub commune_id: i64,
    pub commune: String,
    pub topic: String,
    pub content: String,
    pub status: String,
    /// `answered_on_time`, `answered_late`, `open`, `due_soon` or `overdue`.
    pub timing: String,
    pub received_on: String,
    pub due_on: String,
    pub assigned_unit_id: Option<i64>,
    pub assigned_unit: Option<String>,
    pub answer: Option<String>,
    pub answered_on: Option<String>,
    pub published: bool,
    pub satisfied: Option<bool>,
    pub rating_reason: Option<String>,
    /// `shown`, `hidden` (not for this user), `anonymous`, `erased` or
    /// `unreadable`.
    pub person: String,
    /// Only for staff of the commune concerned.
    pub contact: Option<ContactOut>,
    pub version: i64,
}

impl FeedbackOut {
    pub fn new(f: &Feedback, timing: crate::domain::feedback::Timing, person: PersonView) -> Self {
        let (person, contact) = match person {
            PersonView::Shown(c) => (
                "shown",
                Some(ContactOut {
                    name: c.name,
                    phone: c.phone,
                    email: c.email,
                }),
            ),
            PersonView::Hidden => ("hidden", None),
            PersonView::Anonymous => ("anonymous", None),
            PersonView::Erased => ("erased", None),
            PersonView::Unreadable => ("unreadable", None),
        };
        FeedbackOut {
            id: f.id,
            commune_id: f.commune_id,
            commune: f.commune_name.clone(),
            topic: f.topic.as_str().to_string(),
            content: f.content.clone(),
            status: f.status.as_str().to_string(),
            timing: serde_json::to_value(timing)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            received_on: f.received_on.to_string(),
            due_on: f.due_on.to_string(),
            assigned_unit_id: f.assigned_unit_id,
            assigned_unit: f.assigned_unit_name.clone(),
            answer: f.answer.clone(),
            answered_on: f.answered_on.map(|d| d.to_string()),
            published: f.published,
            satisfied: f.satisfied,
            rating_reason: f.rating_reason.clone(),
            person: person.to_string(),
            contact,
            version: f.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackParams {
    /// `received`, `assigned` or `answered`.
    pub status: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RouteIn {
    pub commune_id: i64,
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignIn {
    pub unit_id: i64,
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerIn {
    pub answer: String,
    /// Show the question and answer on the public list (without personal data).
    #[serde(default = "yes")]
    pub publish: bool,
    pub version: i64,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day received, `2026-01-01`; default 1 January this year.
    pub from: Option<String>,
    /// Last day received; default 31 December this year.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackStatsOut {
    pub from: String,
    pub to: String,
    pub received: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    pub open: i64,
    pub overdue: i64,
    pub rated: i64,
    pub satisfied: i64,
    /// satisfied ÷ rated × 100, one decimal; null before any rating.
    pub satisfaction_percent: Option<f64>,
    pub initiatives_recognised: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InitiativeIn {
    pub unit_id: i64,
    pub title: String,
    pub authors: Vec<String>,
    pub problem: String,
    pub solution: String,
    pub benefit: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub reviewer_id: i64,
    pub reviewer: String,
    /// Points per criterion, in the order of `criteria`; null until scored.
    pub scores: Option<Vec<i64>>,
    pub total: Option<i64>,
    pub comment: Option<String>,
}

impl From<&Review> for ReviewOut {
    fn from(r: &Review) -> Self {
        ReviewOut {
            reviewer_id: r.reviewer_id,
            reviewer: r.reviewer_name.clone(),
            scores: r.scores.map(|s| s.0.to_vec()),
            total: r.scores.map(|s| s.total()),
            comment: r.comment.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionOut {
    pub key: String,
    pub label: String,
    pub max: i64,
}

pub fn criteria() -> Vec<CriterionOut> {
    CRITERIA
        .iter()
        .map(|c| CriterionOut {
            key: c.key.to_string(),
            label: c.label.to_string(),
            max: c.max,
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeOut {
    pub id: i64,
    pub commune_id: i64,
    pub commune: String,
    pub unit_id: i64,
    pub unit: String,
    pub title: String,
    pub authors: Vec<String>,
    pub problem: String,
    pub solution: String,
    pub benefit: String,
    /// `registered`, `under_review`, `recognised` or `not_recognised`.
    pub status: String,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub version: i64,
}

impl From<&Initiative> for InitiativeOut {
    fn from(i: &Initiative) -> Self {
        InitiativeOut {
            id: i.id,
            commune_id: i.commune_id,
            commune: i.commune_name.clone(),
            unit_id: i.unit_id,
            unit: i.unit_name.clone(),
            title: i.title.clone(),
            authors: i.authors.clone(),
            problem: i.problem.clone(),
            solution: i.solution.clone(),
            benefit: i.benefit.clone(),
            status: i.status.as_str().to_string(),
            decision_number: i.decision_number.clone(),
            decision_date: i.decision_date.map(|d| d.to_string()),
            version: i.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeDetailOut {
    pub initiative: InitiativeOut,
    pub criteria: Vec<CriterionOut>,
    pub reviews: Vec<ReviewOut>,
    pub average_total: Option<f64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InitiativeParams {
    pub status: Option<String>,
    pub q: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewersIn {
    pub user_ids: Vec<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreIn {
    pub novelty: i64,
    pub applicability: i64,
    pub effectiveness: i64,
    pub scalability: i64,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionIn {
    pub recognised: bool,
    pub number: String,
    /// `2026-03-20` or `20/03/2026`.
    pub date: String,
    pub note: Option<String>,
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SourceIn {
    /// `feedback_satisfaction`, `initiatives_recognised`, or null to unlink.
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoFigureOut {
    pub target_id: i64,
    pub period: String,
    pub source: String,
    pub value: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    pub updated_at: i64,
}

impl From<&AutoFigure> for AutoFigureOut {
    fn from(f: &AutoFigure) -> Self {
        AutoFigureOut {
            target_id: f.target_id,
            period: f.period_key.clone(),
            source: f.source.as_str().to_string(),
            value: f.value,
            numerator: f.numerator,
            denominator: f.denominator,
            updated_at: f.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetSourceOut {
    pub target_id: i64,
    pub source: Option<String>,
    pub figures: Vec<AutoFigureOut>,
}

impl From<&TargetSource> for TargetSourceOut {
    fn from(t: &TargetSource) -> Self {
        TargetSourceOut {
            target_id: t.target_id,
            source: t.source.map(|s| s.as_str().to_string()),
            figures: t.figures.iter().map(AutoFigureOut::from).collect(),
        }
    }
}
