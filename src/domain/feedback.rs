//! Citizen feedback (phản ánh, kiến nghị — PAKN): what a person or business
//! sends, the rules it must meet, the tracking code they follow it with,
//! the answer's deadline, and the rating they give the answer.
//!
//! The plans ask communes to receive and answer feedback on science,
//! technology, innovation and digital transformation, and to reach a
//! satisfaction rate (98% and more). Personal data follows Luật Bảo vệ dữ
//! liệu cá nhân 91/2025/QH15: only what is needed to reply, with consent,
//! kept for a set time and erased on request.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::text::normalize_spaces;

/// Days a commune has to answer, counted from the day feedback arrives.
pub const ANSWER_DAYS: i64 = 15;
/// An open item this close to its deadline is flagged.
pub const WARN_DAYS: i64 = 3;
pub const MIN_CONTENT_CHARS: usize = 10;
pub const MAX_CONTENT_CHARS: usize = 5_000;
pub const MAX_ANSWER_CHARS: usize = 10_000;
pub const MAX_REASON_CHARS: usize = 1_000;
pub const MAX_NAME_CHARS: usize = 100;
/// Attachments a person may send with one feedback, and the size of each.
pub const MAX_FILES: usize = 3;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    DigitalTransformation,
    OnlinePublicServices,
    DigitalInfrastructure,
    DigitalSkills,
    ScienceTechnology,
    Innovation,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 7] = [
        Topic::DigitalTransformation,
        Topic::OnlinePublicServices,
        Topic::DigitalInfrastructure,
        Topic::DigitalSkills,
        Topic::ScienceTechnology,
        Topic::Innovation,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::DigitalTransformation => "digital_transformation",
            Topic::OnlinePublicServices => "online_public_services",
            Topic::DigitalInfrastructure => "digital_infrastructure",
            Topic::DigitalSkills => "digital_skills",
            Topic::ScienceTechnology => "science_technology",
            Topic::Innovation => "innovation",
            Topic::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Topic::DigitalTransformation => "Chuyển đổi số",
            Topic::OnlinePublicServices => "Dịch vụ công trực tuyến",
            Topic::DigitalInfrastructure => "Hạ tầng số, Internet, sóng di động",
            Topic::DigitalSkills => "Kỹ năng số, Bình dân học vụ số",
            Topic::ScienceTechnology => "Khoa học, công nghệ",
            Topic::Innovation => "Đổi mới sáng tạo",
            Topic::Other => "Khác",
        }
    }
}

/// Where a feedback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    /// Arrived at the commune's focal point.
    Received,
    /// Given to a unit to answer.
    Assigned,
    /// Answered; the answer is published to the person.
    Answered,
}

impl FeedbackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "received",
            FeedbackStatus::Assigned => "assigned",
            FeedbackStatus::Answered => "answered",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackStatus> {
        match s {
            "received" => Some(FeedbackStatus::Received),
            "assigned" => Some(FeedbackStatus::Assigned),
            "answered" => Some(FeedbackStatus::Answered),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            FeedbackStatus::Received => "Đã tiếp nhận",
            FeedbackStatus::Assigned => "Đang xử lý",
            FeedbackStatus::Answered => "Đã trả lời",
        }
    }

    /// Routing to another commune and assigning happen before the answer.
    pub fn is_open(self) -> bool {
        self != FeedbackStatus::Answered
    }
}

/// Whether an answer came, or is coming, in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    AnsweredOnTime,
    AnsweredLate,
    /// Open, the deadline some days away.
    Open,
    /// Open, the deadline within [`WARN_DAYS`].
    DueSoon,
    /// Open past its deadline.
    Overdue,
}

impl Timing {
    pub fn label_vi(self) -> &'static str {
        match self {
            Timing::AnsweredOnTime => "Trả lời đúng hạn",
            Timing::AnsweredLate => "Trả lời quá hạn",
            Timing::Open => "Trong hạn",
            Timing::DueSoon => "Sắp đến hạn",
            Timing::Overdue => "Quá hạn",
        }
    }

    pub fn is_warning(self) -> bool {
        matches!(self, Timing::DueSoon | Timing::Overdue)
    }
}

pub fn due_on(received_on: NaiveDate) -> NaiveDate {
    received_on + Duration::days(ANSWER_DAYS)
}

pub fn timing(due_on: NaiveDate, answered_on: Option<NaiveDate>, today: NaiveDate) -> Timing {
    match answered_on {
        Some(a) if a <= due_on => Timing::AnsweredOnTime,
        Some(_) => Timing::AnsweredLate,
        None if today > due_on => Timing::Overdue,
        None if (due_on - today).num_days() <= WARN_DAYS => Timing::DueSoon,
        None => Timing::Open,
    }
}

/// Percent of rated answers that satisfied, to one decimal; `None` while
/// nothing is rated (a rate of 0% would be a false alarm).
pub fn satisfaction_percent(satisfied: i64, rated: i64) -> Option<f64> {
    if rated <= 0 {
        return None;
    }
    let p = satisfied.clamp(0, rated) as f64 * 100.0 / rated as f64;
    Some((p * 10.0).round() / 10.0)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error(
        "Bạn cần đọc và xác nhận thông báo về xử lý dữ liệu cá nhân trước khi gửi phản ánh, kiến nghị"
    )]
    NoticeNotAcknowledged,
    #[error(
        "Bạn đã để lại thông tin liên hệ: hãy đánh dấu đồng ý cho xã lưu thông tin này để trả lời, hoặc xóa thông tin liên hệ"
    )]
    ContactWithoutConsent,
    #[error("Hãy chọn xã, phường mà phản ánh, kiến nghị đề cập")]
    NoCommune,
    #[error("Hãy chọn lĩnh vực của phản ánh, kiến nghị")]
    NoTopic,
    #[error("Nội dung quá ngắn: hãy viết ít nhất 10 ký tự")]
    ContentTooShort,
    #[error("Nội dung quá dài: tối đa 5.000 ký tự; hãy rút gọn hoặc gửi kèm tệp")]
    ContentTooLong,
    #[error("Họ tên quá dài (tối đa 100 ký tự)")]
    NameTooLong,
    #[error("Số điện thoại không hợp lệ: chỉ gồm chữ số (9 đến 15 số), có thể bắt đầu bằng +")]
    BadPhone,
    #[error("Địa chỉ thư điện tử không hợp lệ")]
    BadEmail,
    #[error("Nội dung trả lời không được để trống")]
    EmptyAnswer,
    #[error("Nội dung trả lời quá dài (tối đa 10.000 ký tự)")]
    AnswerTooLong,
    #[error("Phản ánh, kiến nghị chưa được trả lời nên chưa thể đánh giá")]
    NotAnswered,
    #[error("Bạn đã đánh giá câu trả lời này rồi")]
    AlreadyRated,
    #[error("Hãy cho biết lý do chưa hài lòng để xã cải thiện")]
    MissingReason,
    #[error("Lý do quá dài (tối đa 1.000 ký tự)")]
    ReasonTooLong,
    #[error("Phản ánh, kiến nghị đã được trả lời; không thể chuyển hay giao lại")]
    AlreadyAnswered,
    #[error("Mã theo dõi không đúng hoặc không tồn tại")]
    BadCode,
}

/// Contact details a person may leave for a reply; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

/// A person's contact details as kept: each value sealed (encrypted and
/// bound to its column, see `auth/sealed.rs`), or absent. Only a holder of
/// the data key opens them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedContact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl SealedContact {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

/// A feedback as kept, with its commune and the unit it is assigned to.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub id: i64,
    pub province_id: Option<i64>,
    pub commune_id: i64,
    pub commune_name: String,
    pub commune_path: String,
    pub topic: Topic,
    pub content: String,
    pub status: FeedbackStatus,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub assigned_unit_id: Option<i64>,
    pub assigned_unit_name: Option<String>,
    pub assigned_unit_path: Option<String>,
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub published: bool,
    pub satisfied: Option<bool>,
    pub rating_reason: Option<String>,
    pub rated_on: Option<NaiveDate>,
    pub contact: SealedContact,
    pub contact_consent: bool,
    pub personal_until: Option<i64>,
    pub personal_erased_at: Option<i64>,
    pub version: i64,
}

impl Feedback {
    pub fn timing(&self, today: NaiveDate) -> Timing {
        timing(self.due_on, self.answered_on, today)
    }
}

/// What the dashboards show for a scope and a span of days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedbackCounts {
    pub received: i64,
    pub answered_on_time: i64,
    pub answered_late: i64,
    /// Still open, past the deadline.
    pub overdue: i64,
    pub open: i64,
    pub rated: i64,
    pub satisfied: i64,
}

/// What a person submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackDraft {
    pub commune_id: Option<i64>,
    pub topic: Option<Topic>,
    pub content: String,
    pub contact: Contact,
    /// "I have read the notice on personal data."
    pub notice_acknowledged: bool,
    /// "I agree that the commune keeps my contact details to reply."
    pub contact_consent: bool,
}

/// A checked draft, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFeedback {
    pub commune_id: i64,
    pub topic: Topic,
    pub content: String,
    pub contact: Contact,
    pub contact_consent: bool,
}

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| normalize_spaces(&t)).filter(|t| !t.is_empty())
}

/// Keeps line breaks (people write paragraphs) but trims each line and
/// drops control characters other than the newline.
pub fn clean_multiline(text: &str) -> String {
    let lines: Vec<String> = text
        .replace("\r\n", "\n")
        .split('\n')
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect();
    lines.join("\n").trim().to_string()
}

impl FeedbackDraft {
    pub fn validate(self) -> Result<ValidFeedback, FeedbackError> {
        if !self.notice_acknowledged {
            return Err(FeedbackError::NoticeNotAcknowledged);
        }
        let commune_id = self.commune_id.ok_or(FeedbackError::NoCommune)?;
        let topic = self.topic.ok_or(FeedbackError::NoTopic)?;
        let content = clean_multiline(&self.content);
        let chars = content.chars().count();
        if chars < MIN_CONTENT_CHARS {
            return Err(FeedbackError::ContentTooShort);
        }
        if chars > MAX_CONTENT_CHARS {
            return Err(FeedbackError::ContentTooLong);
        }
        let contact = Contact {
            name: clean(self.contact.name),
            phone: clean(self.contact.phone),
            email: clean(self.contact.email),
        };
        if contact
            .name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
        {
            return Err(FeedbackError::NameTooLong);
        }
        let phone = match contact.phone {
            None => None,
            Some(p) => Some(normalize_phone(&p).ok_or(FeedbackError::BadPhone)?),
        };
        if contact.email.as_deref().is_some_and(|e| !is_email(e)) {
            return Err(FeedbackError::BadEmail);
        }
        let contact = Contact { phone, ..contact };
        if !contact.is_empty() && !self.contact_consent {
            return Err(FeedbackError::ContactWithoutConsent);
        }
        Ok(ValidFeedback {
            commune_id,
            topic,
            content,
            contact_consent: !contact.is_empty() && self.contact_consent,
            contact,
        })
    }
}

/// `0912 345 678`, `+84 912-345-678` → digits with an optional leading `+`.
pub fn normalize_phone(text: &str) -> Option<String> {
    let text = text.trim();
    let (plus, rest) = match text.strip_prefix('+') {
        Some(r) => ("+", r),
        None => ("", text),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'))
    {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    (9..=15)
        .contains(&digits.len())
        .then(|| format!("{plus}{digits}"))
}

/// A plain check: one `@`, something before it, a dot in the domain, no
/// spaces, at most 254 characters. The reply itself is the real test.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn validate_answer(text: &str) -> Result<String, FeedbackError> {
    let text = clean_multiline(text);
    if text.is_empty() {
        return Err(FeedbackError::EmptyAnswer);
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Err(FeedbackError::AnswerTooLong);
    }
    Ok(text)
}

/// A person's rating of the answer: satisfied, or not with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub satisfied: bool,
    pub reason: Option<String>,
}

impl Rating {
    pub fn validate(
        satisfied: bool,
        reason: Option<String>,
        status: FeedbackStatus,
        already_rated: bool,
    ) -> Result<Rating, FeedbackError> {
        if status != FeedbackStatus::Answered {
            return Err(FeedbackError::NotAnswered);
        }
        if already_rated {
            return Err(FeedbackError::AlreadyRated);
        }
        let reason = reason
            .map(|r| clean_multiline(&r))
            .filter(|r| !r.is_empty());
        if !satisfied && reason.is_none() {
            return Err(FeedbackError::MissingReason);
        }
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
        {
            return Err(FeedbackError::ReasonTooLong);
        }
        Ok(Rating { satisfied, reason })
    }
}

/// Tracking codes: 10 characters from an alphabet without look-alikes
/// (no 0/O, 1/I/L), about 50 bits, shown as two groups of five.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 10;

/// Builds a code from random bytes; bytes that would bias the choice are
/// skipped, so it needs somewhat more than [`CODE_LEN`] of them. `None`
/// when they run out.
pub fn code_from_random(bytes: &[u8]) -> Option<String> {
    let n = CODE_ALPHABET.len() as u8;
    let limit: u16 = 256 - 256 % u16::from(n);
    let code: String = bytes
        .iter()
        .filter(|b| u16::from(**b) < limit)
        .take(CODE_LEN)
        .map(|b| CODE_ALPHABET[usize::from(b % n)] as char)
        .collect();
    (code.len() == CODE_LEN).then_some(code)
}

/// Reads a typed code: case, spaces and dashes forgiven.
pub fn parse_code(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
    ok.then_some(code)
}

pub fn group_code(code: &str) -> String {
    if code.len() == CODE_LEN && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> FeedbackDraft {
        FeedbackDraft {
            commune_id: Some(3),
            topic: Some(Topic::OnlinePublicServices),
            content: "  Cổng dịch vụ công\r\n thường bị lỗi khi nộp hồ sơ  ".into(),
            contact: Contact::default(),
            notice_acknowledged: true,
            contact_consent: false,
        }
    }

    #[test]
    fn a_plain_draft_is_cleaned() {
        let v = draft().validate().expect("valid");
        assert_eq!(v.content, "Cổng dịch vụ công\nthường bị lỗi khi nộp hồ sơ");
        assert!(!v.contact_consent);
    }

    #[test]
    fn the_notice_must_be_acknowledged() {
        let d = FeedbackDraft {
            notice_acknowledged: false,
            ..draft()
        };
        assert_eq!(d.validate(), Err(FeedbackError::NoticeNotAcknowledged));
    }

    #[test]
    fn contact_details_need_consent() {
        let mut d = draft();
        d.contact.phone = Some("0912 345 678".into());
        assert_eq!(
            d.clone().validate(),
            Err(FeedbackError::ContactWithoutConsent)
        );
        d.contact_consent = true;
        let v = d.validate().expect("valid");
        assert_eq!(v.contact.phone.as_deref(), Some("0912345678"));
        assert!(v.contact_consent);
    }

    #[test]
    fn content_is_bounded() {
        let mut d = draft();
        d.content = "ngắn".into();
        assert_eq!(d.clone().validate(), Err(FeedbackError::ContentTooShort));
        d.content = "a".repeat(MAX_CONTENT_CHARS + 1);
        assert_eq!(d.validate(), Err(FeedbackError::ContentTooLong));
    }

    #[test]
    fn phones_and_emails_are_checked() {
        assert_eq!(
            normalize_phone("+84 912-345-678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(normalize_phone("12345"), None);
        assert_eq!(normalize_phone("0912abc678"), None);
        assert!(is_email("an.nguyen@example.vn"));
        assert!(!is_email("an nguyen@example.vn"));
        assert!(!is_email("an@localhost"));
        assert!(!is_email("@example.vn"));
    }

    #[test]
    fn deadlines_warn_before_and_after() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let due = due_on(d("2026-03-10"));
        assert_eq!(due, d("2026-03-25"));
        assert_eq!(timing(due, None, d("2026-03-12")), Timing::Open);
        assert_eq!(timing(due, None, d("2026-03-23")), Timing::DueSoon);
        assert_eq!(timing(due, None, d("2026-03-26")), Timing::Overdue);
        assert_eq!(
            timing(due, Some(d("2026-03-25")), d("2026-04-01")),
            Timing::AnsweredOnTime
        );
        assert_eq!(
            timing(due, Some(d("2026-03-26")), d("2026-04-01")),
            Timing::AnsweredLate
        );
    }

    #[test]
    fn satisfaction_is_a_percent_of_rated_answers() {
        assert_eq!(satisfaction_percent(0, 0), None);
        assert_eq!(satisfaction_percent(1, 1), Some(100.0));
        assert_eq!(satisfaction_percent(2, 3), Some(66.7));
        assert_eq!(satisfaction_percent(49, 50), Some(98.0));
    }

    #[test]
    fn a_rating_needs_an_answer_and_a_reason_when_unhappy() {
        let answered = FeedbackStatus::Answered;
        assert_eq!(
            Rating::validate(true, None, FeedbackStatus::Assigned, false),
            Err(FeedbackError::NotAnswered)
        );
        assert_eq!(
            Rating::validate(false, Some("  ".into()), answered, false),
            Err(FeedbackError::MissingReason)
        );
        assert_eq!(
            Rating::validate(true, None, answered, true),
            Err(FeedbackError::AlreadyRated)
        );
        assert!(Rating::validate(true, None, answered, false).is_ok());
    }

    #[test]
    fn codes_are_unambiguous_and_forgiving() {
        let bytes: Vec<u8> = (0..=255).collect();
        let code = code_from_random(&bytes).expect("code");
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(code_from_random(&[255; 40]), None, "biased bytes skipped");
        let grouped = group_code("ABCDE23456");
        assert_eq!(grouped, "ABCDE-23456");
        assert_eq!(parse_code(" abcde-23456 ").as_deref(), Some("ABCDE23456"));
        assert_eq!(parse_code("ABCDE2345"), None);
        assert_eq!(parse_code("ABCDE2345I"), None);
    }
}
