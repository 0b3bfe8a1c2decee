//! Feedback for staff: the list with the year's counts and deadline
//! warnings, one feedback with the person (only for staff of the commune
//! concerned), routing to another commune, assignment to a unit, and the
//! answer. Citizens' text is shown as plain text, never as HTML. The rules
//! are in `actions::feedback`; these handlers read forms and render.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Layout;
use super::tasks::{HistoryRow, history_rows};
use super::views::{Choice, day, rating_label};
use crate::actions::citizen::PersonView;
use crate::actions::feedback::{self, Answer, AssignTo, RouteTo};
use crate::domain::access::Principal;
use crate::domain::feedback::{FeedbackCounts, FeedbackStatus, satisfaction_percent};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::session::{Auth, ClientIp, PageAuth};

/// The year's counts for the user's scope, as the dashboards show them.
pub struct CountsView {
    pub year: i32,
    pub received: i64,
    pub on_time: i64,
    pub late: i64,
    pub open: i64,
    pub overdue: i64,
    pub satisfaction: String,
}

impl CountsView {
    pub fn new(year: i32, c: FeedbackCounts) -> CountsView {
        CountsView {
            year,
            received: c.received,
            on_time: c.answered_on_time,
            late: c.answered_late,
            open: c.open,
            overdue: c.overdue,
            satisfaction: satisfaction_percent(c.satisfied, c.rated)
                .map(|p| format!("{p}% ({}/{})", c.satisfied, c.rated))
                .unwrap_or_else(|| "chưa có đánh giá".into()),
        }
    }
}

pub async fn year_counts(state: &AppState, p: &Principal) -> Result<CountsView, AppError> {
    let (year, counts) = feedback::year_counts(state, p).await?;
    Ok(CountsView::new(year, counts))
}

pub struct FeedbackRow {
    pub id: i64,
    pub received: String,
    pub commune: String,
    pub topic: &'static str,
    pub excerpt: String,
    pub status: &'static str,
    pub timing: &'static str,
    pub warn: bool,
    pub unit: String,
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        out.push('…');
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_list.html")]
pub struct FeedbackListPage {
    layout: Layout,
    counts: Option<CountsView>,
    rows: Vec<FeedbackRow>,
    status: String,
    total: i64,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    page: Option<u32>,
}

pub async fn list_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<FeedbackListPage, PageError> {
    let p = &auth.principal;
    // An unknown status in the address shows everything, as a link would.
    let status = q.status.as_deref().and_then(FeedbackStatus::parse);
    let list = feedback::list(&state, p, status, q.page).await?;
    let today = state.store.clock().today();
    let rows = list
        .items
        .iter()
        .map(|f| {
            let timing = f.timing(today);
            FeedbackRow {
                id: f.id,
                received: day(f.received_on),
                commune: f.commune_name.clone(),
                topic: f.topic.label_vi(),
                excerpt: excerpt(&f.content),
                status: f.status.label_vi(),
                timing: timing.label_vi(),
                warn: timing.is_warning(),
                unit: f.assigned_unit_name.clone().unwrap_or_default(),
            }
        })
        .collect();
    let counts = if p.is_at_level() {
        Some(year_counts(&state, p).await?)
    } else {
        None
    };
    Ok(FeedbackListPage {
        layout: Layout::new("Phản ánh, kiến nghị", &auth),
        counts,
        rows,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        total: list.total,
    })
}

pub struct FileRow {
    pub id: i64,
    pub name: String,
    pub size_kb: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_item.html")]
pub struct FeedbackPage {
    layout: Layout,
    id: i64,
    version: i64,
    commune: String,
    topic: &'static str,
    content: String,
    received: String,
    due: String,
    status: &'static str,
    timing: &'static str,
    warn: bool,
    unit: String,
    person: PersonView,
    files: Vec<FileRow>,
    answer: Option<String>,
    answered: String,
    published: bool,
    rating: Option<String>,
    can_route: bool,
    can_answer: bool,
    communes: Vec<Choice>,
    units: Vec<Choice>,
    history: Vec<HistoryRow>,
    error: Option<String>,
    /// The answer as typed, when it has to be shown again (after a refusal,
    /// or kept when the session ended), and whether to publish it.
    typed_answer: String,
    typed_publish: bool,
    /// Where the kept answer is sent, to put it aside.
    kept: Option<String>,
}

impl FeedbackPage {
    /// Puts back an answer as typed (a refused one, or one kept when the
    /// session ended).
    fn keep_typed(&mut self, f: &FormPairs) {
        self.typed_answer = f.raw("answer");
        self.typed_publish = f.checked("publish");
        // The version read then, so an answer given since is noticed.
        if let Ok(v) = f.version() {
            self.version = v;
        }
    }
}

/// The feedback's page, with `error` above it when a change was refused.
async fn page_of(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<String>,
) -> Result<FeedbackPage, AppError> {
    let d = feedback::detail(state, &auth.principal, id).await?;
    let f = &d.feedback;
    let timing = f.timing(state.store.clock().today());
    Ok(FeedbackPage {
        layout: Layout::new(format!("Phản ánh, kiến nghị #{}", f.id), auth),
        id: f.id,
        version: f.version,
        commune: f.commune_name.clone(),
        topic: f.topic.label_vi(),
        content: f.content.clone(),
        received: day(f.received_on),
        due: day(f.due_on),
        status: f.status.label_vi(),
        timing: timing.label_vi(),
        warn: timing.is_warning(),
        unit: f.assigned_unit_name.clone().unwrap_or_default(),
        files: d
            .files
            .iter()
            .map(|x| FileRow {
                id: x.id,
                name: x.file_name.clone(),
                size_kb: x.size_kb(),
            })
            .collect(),
        answer: f.answer.clone(),
        answered: f.answered_on.map(day).unwrap_or_default(),
        published: f.published,
        rating: rating_label(f),
        can_route: d.can_route,
        can_answer: d.can_answer,
        communes: d
            .route_to
            .into_iter()
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.name,
                selected: false,
            })
            .collect(),
        units: d
            .assign_to
            .into_iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                selected: Some(u.id) == f.assigned_unit_id,
                label: u.name,
            })
            .collect(),
        history: history_rows(&d.history),
        person: d.person,
        error,
        typed_answer: String::new(),
        typed_publish: true,
        kept: None,
    })
}

pub async fn show_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<FeedbackPage, PageError> {
    let mut page = page_of(&state, &auth, id, None).await?;
    if let Some(kept) = &auth.kept_form
        && page.can_answer
    {
        page.keep_typed(kept);
        page.kept = Some(format!("/feedback/{id}/answer"));
    }
    Ok(page)
}

/// Answers a change to a feedback: back to its page, or the page again
/// with the message when the person can put it right.
async fn answer_change<T>(
    state: &AppState,
    auth: &Auth,
    id: i64,
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> Response,
) -> Result<Response, PageError> {
    answer_form(result, done, |e| {
        page_of(state, auth, id, Some(e.to_string()))
    })
    .await
}

fn route_to(body: &[u8]) -> Result<RouteTo, AppError> {
    let form = FormPairs::parse(body)?;
    let commune_id = form
        .id("commune_id", "Xã, phường")?
        .ok_or_else(|| AppError::Invalid("Hãy chọn xã, phường nhận phản ánh".into()))?;
    Ok(RouteTo {
        commune_id,
        version: form.version()?,
    })
}

pub async fn route_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = feedback::route(&state, &auth.caller(&ip), id, route_to(&body)).await;
    // The feedback now belongs to another commune: back to the list.
    answer_change(&state, &auth, id, result, |_| {
        Redirect::to("/feedback").into_response()
    })
    .await
}

fn assign_to(body: &[u8]) -> Result<AssignTo, AppError> {
    let form = FormPairs::parse(body)?;
    let unit_id = form
        .id("unit_id", "Đơn vị")?
        .ok_or_else(|| AppError::Invalid("Hãy chọn đơn vị xử lý".into()))?;
    Ok(AssignTo {
        unit_id,
        version: form.version()?,
    })
}

pub async fn assign_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = feedback::assign(&state, &auth.caller(&ip), id, assign_to(&body)).await;
    answer_change(&state, &auth, id, result, |_| back_to(id)).await
}

fn answer_of(body: &[u8]) -> Result<Answer, AppError> {
    let form = FormPairs::parse(body)?;
    Ok(Answer {
        text: form.raw("answer"),
        publish: form.checked("publish"),
        version: form.version()?,
    })
}

pub async fn answer_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = feedback::answer(&state, &auth.caller(&ip), id, answer_of(&body)).await;
    // A refused answer keeps what was typed on the page shown again.
    let typed = FormPairs::parse(&body).unwrap_or_default();
    answer_form(
        result,
        |_| back_to(id),
        |e| async move {
            let mut page = page_of(&state, &auth, id, Some(e.to_string())).await?;
            page.keep_typed(&typed);
            Ok(page)
        },
    )
    .await
}

fn back_to(id: i64) -> Response {
    Redirect::to(&format!("/feedback/{id}")).into_response()
}
