//! What a citizen does without an account — submit feedback, follow it by
//! its tracking code, rate the answer, have their personal data erased —
//! and what staff may see of a citizen. Pages and the API call these, so
//! the abuse guards (honeypot, challenge, rate limit) and the privacy rules
//! apply the same way to both.

use crate::actions::AppError;
use crate::app::AppState;
use crate::auth::challenge::{self, Challenge};
use crate::auth::sealed::{DataKey, SealError, hmac_sha256};
use crate::auth::token::{hex, sha256_hex};
use crate::domain::access::Principal;
use crate::domain::attachment::{AttachedTo, UploadedFile};
use crate::domain::feedback::{
    Contact, Feedback, FeedbackDraft, FeedbackError, Rating, SealedContact, code_from_random,
    due_on, parse_code,
};
use crate::domain::valid::Valid;
use crate::store::{Actor, NewFeedback, StoreError};

const HOUR_MS: i64 = 60 * 60 * 1000;
/// Lookups by tracking code one address may make in an hour; codes have
/// about 50 bits, this only keeps scanners slow.
const LOOKUPS_PER_HOUR: i64 = 60;

/// The field a citizen's file is sealed under.
pub const FILE_FIELD: &str = "feedback_files.bytes";

pub const NO_FILE_KEY_MESSAGE: &str = "Hệ thống chưa được cấu hình khóa bảo vệ dữ liệu cá nhân nên chưa nhận tệp gửi kèm; hãy gửi ý kiến không kèm tệp";

pub const SEALED_FILE_UNREADABLE: &str = "Tệp này được niêm phong bằng một khóa dữ liệu khác khóa đang dùng nên không mở được; hãy báo quản trị hệ thống";

pub const NO_KEY_MESSAGE: &str = "Hệ thống chưa được cấu hình khóa bảo vệ dữ liệu cá nhân nên chưa nhận họ tên, số điện thoại, thư điện tử; hãy xóa các thông tin này và gửi lại (bạn vẫn theo dõi được bằng mã theo dõi)";

/// A submission as typed, with the guards' fields.
pub struct Submission {
    pub draft: FeedbackDraft,
    /// Hidden from people by CSS; a script that fills every field fills it.
    pub honeypot: String,
    pub challenge_token: String,
    pub challenge_answer: String,
    pub files: Vec<Valid<UploadedFile>>,
}

// Each value is sealed bound to its column, so a sealed name cannot be
// moved into the phone column and opened there.
pub(crate) const NAME_FIELD: &str = "feedback.contact_name";
pub(crate) const PHONE_FIELD: &str = "feedback.contact_phone";
pub(crate) const EMAIL_FIELD: &str = "feedback.contact_email";

// Sealing needs the data key and a cipher, which the domain does not
// hold: the domain keeps `SealedContact` as data, and this is the one
// place that turns a `Contact` into it and back.
impl SealedContact {
    /// Seals each contact value under the data key, before it is stored.
    pub fn seal(key: &DataKey, contact: &Contact) -> Result<SealedContact, SealError> {
        let seal =
            |field: &str, v: &Option<String>| v.as_deref().map(|v| key.seal(field, v)).transpose();
        Ok(SealedContact {
            name: seal(NAME_FIELD, &contact.name)?,
            phone: seal(PHONE_FIELD, &contact.phone)?,
            email: seal(EMAIL_FIELD, &contact.email)?,
        })
    }

    /// Opens the sealed values with the data key.
    pub fn open(&self, key: &DataKey) -> Result<Contact, SealError> {
        let open =
            |field: &str, v: &Option<String>| v.as_deref().map(|v| key.open(field, v)).transpose();
        Ok(Contact {
            name: open(NAME_FIELD, &self.name)?,
            phone: open(PHONE_FIELD, &self.phone)?,
            email: open(EMAIL_FIELD, &self.email)?,
        })
    }
}

/// Citizens' actions are not tied to their address in the audit trail:
/// the address is personal data and the trail does not need it.
fn anonymous() -> Actor {
    Actor::default()
}

/// The form a feedback question is bound to.
const FEEDBACK_FORM: &str = "feedback";

/// A genuine token is spent before its answer is looked at: right or
/// wrong, it serves once.
async fn spend_and_check(state: &AppState, token: &str, answer: &str) -> Result<(), AppError> {
    let secret = &state.config.form_secret;
    let now = state.store.clock().now_ms();
    let ticket = challenge::ticket(secret, FEEDBACK_FORM, token, now).map_err(AppError::invalid)?;
    if !state
        .store
        .spend_challenge(&ticket.nonce, ticket.expires)
        .await?
    {
        return Err(AppError::invalid(challenge::ChallengeError::Spent));
    }
    challenge::check(secret, FEEDBACK_FORM, &ticket, answer).map_err(AppError::invalid)
}

pub fn new_challenge(state: &AppState) -> Challenge {
    challenge::issue_now(
        &state.config.form_secret,
        FEEDBACK_FORM,
        state.store.clock().now_ms(),
    )
}

/// Whether the personal fields are open: only with a data key to seal them.
pub fn takes_personal_data(state: &AppState) -> bool {
    state.config.data_key.is_some()
}

async fn take_slot(state: &AppState, ip: &str, kind: &str, limit: i64) -> Result<(), AppError> {
    let ip_hash = hex(&hmac_sha256(&state.config.form_secret, ip.as_bytes()));
    if state
        .store
        .take_public_slot(&ip_hash, kind, limit, HOUR_MS)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::TooManyRequests(
            "Có quá nhiều yêu cầu gửi từ địa chỉ này trong một giờ; vui lòng thử lại sau".into(),
        ))
    }
}

fn new_code() -> Result<String, AppError> {
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|_| AppError::Internal("no randomness".into()))?;
    code_from_random(&random).ok_or_else(|| AppError::Internal("no tracking code".into()))
}

/// Checks and stores a submission; returns it with its tracking code,
/// which is shown once and kept only as a hash.
pub async fn submit(
    state: &AppState,
    ip: &str,
    s: Submission,
) -> Result<(Feedback, String), AppError> {
    if !s.honeypot.trim().is_empty() {
        return Err(AppError::Invalid(
            "Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại".into(),
        ));
    }
    spend_and_check(state, &s.challenge_token, &s.challenge_answer).await?;
    AttachedTo::Feedback
        .check_all(&s.files)
        .map_err(AppError::invalid)?;
    let valid = s.draft.validate().map_err(AppError::invalid)?;
    let sealed = if valid.contact.is_empty() {
        SealedContact::default()
    } else {
        let key = state
            .config
            .data_key
            .as_ref()
            .ok_or_else(|| AppError::Invalid(NO_KEY_MESSAGE.into()))?;
        SealedContact::seal(key, &valid.contact).map_err(|e| AppError::Internal(e.to_string()))?
    };
    let files = seal_files(state, s.files)?;
    take_slot(state, ip, "feedback", state.config.public_per_hour).await?;
    let code = new_code()?;
    let today = state.store.clock().today();
    let new = NewFeedback {
        feedback: valid,
        sealed,
        tracking_hash: sha256_hex(&code),
        received_on: today,
        due_on: due_on(today),
        retention_days: state.config.retention_days,
        files,
    };
    match state.store.create_feedback(new, &anonymous()).await {
        Ok(f) => Ok((f, code)),
        Err(StoreError::InvalidReference(_)) => Err(AppError::invalid(FeedbackError::NoCommune)),
        Err(e) => Err(e.into()),
    }
}

/// A citizen's files sealed under the data key before they are stored: a
/// photo or a scanned paper may show an ID number. Without a key no file
/// is taken, as no name or phone is.
fn seal_files(
    state: &AppState,
    files: Vec<Valid<UploadedFile>>,
) -> Result<Vec<Valid<UploadedFile>>, AppError> {
    if files.is_empty() {
        return Ok(files);
    }
    let key = state
        .config
        .data_key
        .as_ref()
        .ok_or_else(|| AppError::Invalid(NO_FILE_KEY_MESSAGE.into()))?;
    files
        .into_iter()
        .map(|f| f.sealed(|bytes| key.seal_bytes(FILE_FIELD, bytes)))
        .collect::<Result<_, SealError>>()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The feedback a typed tracking code stands for.
pub async fn find(state: &AppState, ip: &str, code: &str) -> Result<Feedback, AppError> {
    take_slot(state, ip, "track", LOOKUPS_PER_HOUR).await?;
    let code = parse_code(code).ok_or_else(|| AppError::invalid(FeedbackError::BadCode))?;
    state
        .store
        .feedback_by_code(&sha256_hex(&code))
        .await?
        .ok_or_else(|| AppError::invalid(FeedbackError::BadCode))
}

pub async fn rate(
    state: &AppState,
    ip: &str,
    code: &str,
    satisfied: bool,
    reason: Option<String>,
) -> Result<Feedback, AppError> {
    let f = find(state, ip, code).await?;
    let rating = Rating::validate(satisfied, reason, f.status, f.satisfied.is_some())
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .rate_feedback(f.id, rating, &anonymous())
        .await?)
}

/// Erases the person's name, contact and attachments on their request;
/// the feedback stays, anonymous.
pub async fn erase(state: &AppState, ip: &str, code: &str) -> Result<Feedback, AppError> {
    let f = find(state, ip, code).await?;
    Ok(state
        .store
        .erase_personal_data(f.id, "request", &anonymous())
        .await?)
}

/// What a staff member may see of the person behind a feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonView {
    /// Not theirs to see (another level, another unit).
    Hidden,
    /// The person left no contact.
    Anonymous,
    /// Erased on request or after the retention period.
    Erased,
    /// The key in use does not open it.
    Unreadable,
    Shown(Contact),
}

pub fn person_for(state: &AppState, p: &Principal, f: &Feedback) -> PersonView {
    if !p.sees_personal_data(&f.commune_path, f.assigned_unit_path.as_deref()) {
        return PersonView::Hidden;
    }
    if f.personal_erased_at.is_some() {
        return PersonView::Erased;
    }
    if f.contact.is_empty() {
        return PersonView::Anonymous;
    }
    match state.config.data_key.as_ref().map(|k| f.contact.open(k)) {
        Some(Ok(c)) => PersonView::Shown(c),
        _ => PersonView::Unreadable,
    }
}
