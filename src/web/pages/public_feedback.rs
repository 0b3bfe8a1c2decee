//! The public feedback pages, open without an account: the form (after a
//! plain-language notice on personal data), the tracking page where the
//! person follows the status, reads the answer, rates it or has their
//! personal data erased, and the list of answered feedback — which shows
//! no name, contact or attachment, ever.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Layout;
use super::views::{Choice, day, rating_label};
use crate::actions::citizen::{self, Submission};
use crate::actions::feedback;
use crate::domain::attachment::AttachedTo;
use crate::domain::feedback::{ANSWER_DAYS, Contact, Feedback, FeedbackDraft, Topic, group_code};
use crate::store::Page;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form, read_multipart};
use crate::web::session::{ClientIp, MaybeAuth, form_csrf, with_cookie};

/// Communes a person may address, labelled with their province.
pub async fn commune_choices(
    state: &AppState,
    selected: Option<i64>,
) -> Result<Vec<Choice>, AppError> {
    let provinces = feedback::provinces(state).await?;
    let communes = feedback::communes(state).await?;
    Ok(communes
        .into_iter()
        .map(|c| {
            let province = provinces
                .iter()
                .find(|p| Some(p.id) == c.parent_id)
                .map(|p| format!(" — {}", p.name))
                .unwrap_or_default();
            Choice {
                value: c.id.to_string(),
                label: format!("{}{province}", c.name),
                selected: Some(c.id) == selected,
            }
        })
        .collect())
}

fn topic_choices(selected: Option<Topic>) -> Vec<Choice> {
    Topic::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str().to_string(),
            label: t.label_vi().to_string(),
            selected: Some(*t) == selected,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_form.html")]
pub struct FeedbackFormPage {
    layout: Layout,
    communes: Vec<Choice>,
    topics: Vec<Choice>,
    content: String,
    name: String,
    phone: String,
    email: String,
    notice: bool,
    consent: bool,
    question: String,
    token: String,
    personal: bool,
    retention_days: u32,
    answer_days: i64,
    max_files: usize,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    layout: Layout,
    draft: Option<&FeedbackDraft>,
    error: Option<String>,
) -> Result<FeedbackFormPage, AppError> {
    let challenge = citizen::new_challenge(state);
    Ok(FeedbackFormPage {
        layout,
        communes: commune_choices(state, draft.and_then(|d| d.commune_id)).await?,
        topics: topic_choices(draft.and_then(|d| d.topic)),
        content: draft.map(|d| d.content.clone()).unwrap_or_default(),
        name: draft
            .and_then(|d| d.contact.name.clone())
            .unwrap_or_default(),
        phone: draft
            .and_then(|d| d.contact.phone.clone())
            .unwrap_or_default(),
        email: draft
            .and_then(|d| d.contact.email.clone())
            .unwrap_or_default(),
        notice: draft.is_some_and(|d| d.notice_acknowledged),
        consent: draft.is_some_and(|d| d.contact_consent),
        question: challenge.question,
        token: challenge.token,
        personal: citizen::takes_personal_data(state),
        retention_days: state.config.retention_days,
        answer_days: ANSWER_DAYS,
        max_files: AttachedTo::Feedback.max_files(),
        error,
    })
}

pub async fn feedback_form(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (csrf, set_cookie) = form_csrf(state.config.secure_cookies, auth.as_deref(), &headers);
    let layout = Layout::public("Gửi phản ánh, kiến nghị", auth.as_deref(), csrf);
    let page = form_page(&state, layout, None, None).await?;
    Ok(with_cookie(page.into_response(), set_cookie))
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_sent.html")]
pub struct FeedbackSentPage {
    layout: Layout,
    code: String,
    commune: String,
    due: String,
}

fn draft_from(f: &FormPairs) -> FeedbackDraft {
    FeedbackDraft {
        commune_id: f.text("commune_id").parse().ok(),
        topic: Topic::parse(&f.text("topic")),
        content: f.raw("content"),
        contact: Contact {
            name: f.optional("name"),
            phone: f.optional("phone"),
            email: f.optional("email"),
        },
        notice_acknowledged: f.checked("notice"),
        contact_consent: f.checked("consent"),
    }
}

pub async fn submit_feedback(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    ip: ClientIp,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (csrf, _) = form_csrf(state.config.secure_cookies, auth.as_deref(), &headers);
    let layout = |title: &str| Layout::public(title, auth.as_deref(), csrf.clone());
    let read = read_multipart(multipart, "file", AttachedTo::Feedback).await;
    // A refused submission shows the form again with what was typed.
    let (draft, result) = match read {
        Ok((fields, files)) => {
            let draft = draft_from(&fields);
            let submission = Submission {
                draft: draft.clone(),
                honeypot: fields.text("website"),
                challenge_token: fields.text("challenge_token"),
                challenge_answer: fields.text("challenge_answer"),
                files,
            };
            (
                Some(draft),
                citizen::submit(&state, &ip.0, submission).await,
            )
        }
        Err(e) => (None, Err(e)),
    };
    answer_form(
        result,
        |(feedback, code)| {
            FeedbackSentPage {
                layout: layout("Đã gửi phản ánh, kiến nghị"),
                code: group_code(&code),
                commune: feedback.commune_name,
                due: day(feedback.due_on),
            }
            .into_response()
        },
        |e| {
            form_page(
                &state,
                layout("Gửi phản ánh, kiến nghị"),
                draft.as_ref(),
                Some(e.to_string()),
            )
        },
    )
    .await
}

/// A feedback as its author sees it: no personal data, even their own,
/// since anyone holding the code sees this page.
pub struct TrackView {
    pub topic: &'static str,
    pub commune: String,
    pub received: String,
    pub due: String,
    pub status: &'static str,
    pub timing: &'static str,
    pub late: bool,
    pub content: String,
    pub answer: Option<String>,
    pub answered: String,
    pub can_rate: bool,
    pub rating: Option<String>,
    pub has_contact: bool,
    pub erased: bool,
}

impl TrackView {
    fn new(f: &Feedback, today: chrono::NaiveDate) -> TrackView {
        let timing = f.timing(today);
        TrackView {
            topic: f.topic.label_vi(),
            commune: f.commune_name.clone(),
            received: day(f.received_on),
            due: day(f.due_on),
            status: f.status.label_vi(),
            timing: timing.label_vi(),
            late: timing.is_warning(),
            content: f.content.clone(),
            answer: f.answer.clone(),
            answered: f.answered_on.map(day).unwrap_or_default(),
            can_rate: f.answer.is_some() && f.satisfied.is_none(),
            rating: rating_label(f),
            has_contact: !f.contact.is_empty(),
            erased: f.personal_erased_at.is_some(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_track.html")]
pub struct TrackPage {
    layout: Layout,
    code: String,
    item: Option<TrackView>,
    message: Option<String>,
    error: Option<String>,
}

pub async fn track_form(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
) -> Response {
    let (csrf, set_cookie) = form_csrf(state.config.secure_cookies, auth.as_deref(), &headers);
    let page = TrackPage {
        layout: Layout::public("Theo dõi phản ánh, kiến nghị", auth.as_deref(), csrf),
        code: String::new(),
        item: None,
        message: None,
        error: None,
    };
    with_cookie(page.into_response(), set_cookie)
}

/// What the tracking page's forms post: the code, and for a rating or an
/// erasure request, their fields.
#[derive(Clone, Copy)]
enum TrackAction {
    Look,
    Rate,
    Erase,
}

async fn track_action(
    state: AppState,
    auth: Option<std::sync::Arc<crate::web::session::Auth>>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
    action: TrackAction,
) -> Result<Response, PageError> {
    let (csrf, _) = form_csrf(state.config.secure_cookies, auth.as_deref(), &headers);
    let f = FormPairs::parse(&body)?;
    let code = f.text("code");
    let today = state.store.clock().today();
    let result = match action {
        TrackAction::Look => citizen::find(&state, &ip.0, &code).await.map(|x| (x, None)),
        TrackAction::Rate => {
            let satisfied = match f.text("satisfied").as_str() {
                "yes" => Ok(true),
                "no" => Ok(false),
                _ => Err(AppError::Invalid(
                    "Hãy chọn Hài lòng hoặc Chưa hài lòng".into(),
                )),
            };
            match satisfied {
                Ok(s) => citizen::rate(&state, &ip.0, &code, s, f.optional("reason"))
                    .await
                    .map(|x| (x, Some("Cảm ơn bạn đã đánh giá câu trả lời.".to_string()))),
                Err(e) => Err(e),
            }
        }
        TrackAction::Erase => {
            if f.checked("confirm") {
                citizen::erase(&state, &ip.0, &code).await.map(|x| {
                    (x, Some("Đã xóa họ tên, thông tin liên hệ và tệp đính kèm của bạn. Nội dung phản ánh được giữ lại, không kèm thông tin cá nhân.".to_string()))
                })
            } else {
                Err(AppError::Invalid(
                    "Hãy đánh dấu xác nhận yêu cầu xóa thông tin cá nhân".into(),
                ))
            }
        }
    };
    let layout = || {
        Layout::public(
            "Theo dõi phản ánh, kiến nghị",
            auth.as_deref(),
            csrf.clone(),
        )
    };
    let shown = code.trim().to_uppercase();
    let (state, ip, code, shown) = (&state, &ip, &code, &shown);
    answer_form(
        result,
        |(feedback, message)| {
            TrackPage {
                layout: layout(),
                code: shown.clone(),
                item: Some(TrackView::new(&feedback, today)),
                message,
                error: None,
            }
            .into_response()
        },
        |e| async move {
            // Show the feedback again under a rating's error, not for a
            // code that does not open anything.
            let item = match action {
                TrackAction::Look => None,
                _ => citizen::find(state, &ip.0, code)
                    .await
                    .ok()
                    .map(|x| TrackView::new(&x, today)),
            };
            Ok::<_, AppError>(TrackPage {
                layout: layout(),
                code: shown.clone(),
                item,
                message: None,
                error: Some(e.to_string()),
            })
        },
    )
    .await
}

pub async fn track_submit(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    track_action(state, auth, ip, headers, body, TrackAction::Look).await
}

pub async fn rate_submit(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    track_action(state, auth, ip, headers, body, TrackAction::Rate).await
}

pub async fn erase_submit(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    ip: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    track_action(state, auth, ip, headers, body, TrackAction::Erase).await
}

pub struct AnsweredRow {
    pub commune: String,
    pub topic: &'static str,
    pub received: String,
    pub answered: String,
    pub content: String,
    pub answer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_answered.html")]
pub struct AnsweredPage {
    layout: Layout,
    communes: Vec<Choice>,
    commune: String,
    rows: Vec<AnsweredRow>,
    total: i64,
    page: u32,
    pages: i64,
}

#[derive(Deserialize)]
pub struct AnsweredQuery {
    xa: Option<String>,
    trang: Option<u32>,
}

/// Only fields free of personal data are copied out of the records here.
pub fn answered_row(f: &Feedback) -> AnsweredRow {
    AnsweredRow {
        commune: f.commune_name.clone(),
        topic: f.topic.label_vi(),
        received: day(f.received_on),
        answered: f.answered_on.map(day).unwrap_or_default(),
        content: f.content.clone(),
        answer: f.answer.clone().unwrap_or_default(),
    }
}

pub async fn answered_list(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
    Query(q): Query<AnsweredQuery>,
) -> Result<Response, PageError> {
    let (csrf, set_cookie) = form_csrf(state.config.secure_cookies, auth.as_deref(), &headers);
    let commune = q.xa.as_deref().and_then(|x| x.parse::<i64>().ok());
    let page = Page::new(q.trang, Some(20));
    let list = feedback::answered(&state, commune, page).await?;
    let body = AnsweredPage {
        layout: Layout::public("Phản ánh, kiến nghị đã trả lời", auth.as_deref(), csrf),
        communes: commune_choices(&state, commune).await?,
        commune: commune.map(|c| c.to_string()).unwrap_or_default(),
        rows: list.items.iter().map(answered_row).collect(),
        total: list.total,
        page: page.page,
        pages: (list.total + 19) / 20,
    };
    Ok(with_cookie(body.into_response(), set_cookie))
}
