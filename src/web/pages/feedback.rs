//! Feedback for staff: the list with the year's counts and deadline
//! warnings, one feedback with the person (only for staff of the commune
//! concerned), routing to another commune, assignment to a unit, and the
//! answer. Citizens' text is shown as plain text, never as HTML.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::Layout;
use super::public_feedback::Choice;
use super::tasks::{HistoryRow, history_rows};
use crate::actions::access::visible_feedback;
use crate::actions::citizen::{PersonView, person_for};
use crate::domain::access::Principal;
use crate::domain::feedback::{FeedbackStatus, satisfaction_percent, validate_answer};
use crate::domain::unit::UnitKind;
use crate::store::{Feedback, FeedbackCounts, FeedbackFilter, Page, UnitFilter};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::FormPairs;
use crate::web::session::{ClientIp, PageAuth};

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
    let year = state.store.clock().today().year();
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    );
    let counts = state.store.feedback_counts(&p.read_path, from, to).await?;
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

/// The filter matching what the user may see: a level's staff see their
/// level's feedback, a unit's reporter what is assigned to the unit.
pub fn scope_filter(p: &Principal, status: Option<FeedbackStatus>) -> FeedbackFilter {
    if p.is_at_level() {
        FeedbackFilter {
            within_path: Some(p.read_path.clone()),
            status,
            ..FeedbackFilter::default()
        }
    } else {
        FeedbackFilter {
            within_path: Some(p.read_path.clone()),
            assigned_within: Some(p.unit_path.clone()),
            status,
            ..FeedbackFilter::default()
        }
    }
}

pub async fn list_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<FeedbackListPage, PageError> {
    let p = &auth.principal;
    let status = q.status.as_deref().and_then(FeedbackStatus::parse);
    let list = state
        .store
        .feedback_list(&scope_filter(p, status), Page::new(q.page, Some(100)))
        .await?;
    let today = state.store.clock().today();
    let rows = list
        .items
        .iter()
        .filter(|f| p.can_view_feedback(&f.commune_path, f.assigned_unit_path.as_deref()))
        .map(|f| {
            let timing = f.timing(today);
            FeedbackRow {
                id: f.id,
                received: f.received_on.format("%d/%m/%Y").to_string(),
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
}

async fn page_of(
    state: &AppState,
    auth: &crate::web::session::Auth,
    f: &Feedback,
    error: Option<String>,
) -> Result<FeedbackPage, AppError> {
    let p = &auth.principal;
    let today = state.store.clock().today();
    let timing = f.timing(today);
    let open = f.status.is_open();
    let can_route = open && p.can_route_feedback(&f.commune_path);
    let can_answer =
        open && p.can_answer_feedback(&f.commune_path, f.assigned_unit_path.as_deref());
    let (communes, units) = if can_route {
        let communes = state
            .store
            .units(
                &UnitFilter {
                    kind: Some(UnitKind::Commune),
                    ..UnitFilter::default()
                },
                Page::all(),
            )
            .await?
            .items
            .into_iter()
            .filter(|c| c.province_id == f.province_id && c.id != f.commune_id)
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.name,
                selected: false,
            })
            .collect();
        let units = state
            .store
            .subtree(&f.commune_path)
            .await?
            .into_iter()
            .filter(|u| u.id != f.commune_id)
            .map(|u| Choice {
                value: u.id.to_string(),
                selected: Some(u.id) == f.assigned_unit_id,
                label: u.name,
            })
            .collect();
        (communes, units)
    } else {
        (Vec::new(), Vec::new())
    };
    let files = state
        .store
        .feedback_files(f.id)
        .await?
        .into_iter()
        .map(|x| FileRow {
            id: x.id,
            name: x.file_name,
            size_kb: (x.size + 1023) / 1024,
        })
        .collect();
    Ok(FeedbackPage {
        layout: Layout::new(format!("Phản ánh, kiến nghị #{}", f.id), auth),
        id: f.id,
        version: f.version,
        commune: f.commune_name.clone(),
        topic: f.topic.label_vi(),
        content: f.content.clone(),
        received: f.received_on.format("%d/%m/%Y").to_string(),
        due: f.due_on.format("%d/%m/%Y").to_string(),
        status: f.status.label_vi(),
        timing: timing.label_vi(),
        warn: timing.is_warning(),
        unit: f.assigned_unit_name.clone().unwrap_or_default(),
        person: person_for(state, p, f),
        files,
        answer: f.answer.clone(),
        answered: f
            .answered_on
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        published: f.published,
        rating: f.satisfied.map(|s| {
            if s {
                "Hài lòng".to_string()
            } else {
                format!(
                    "Chưa hài lòng: {}",
                    f.rating_reason.clone().unwrap_or_default()
                )
            }
        }),
        can_route,
        can_answer,
        communes,
        units,
        history: history_rows(&state.store.audit_of("feedback", f.id).await?),
        error,
    })
}

pub async fn show_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<FeedbackPage, PageError> {
    let f = visible_feedback(&state, &auth.principal, id).await?;
    Ok(page_of(&state, &auth, &f, None).await?)
}

/// Runs a change and shows the feedback again: redirected on success, the
/// page with the message on a refusal a person can fix.
async fn after_change(
    state: &AppState,
    auth: &crate::web::session::Auth,
    id: i64,
    result: Result<Feedback, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/feedback/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let f = visible_feedback(state, &auth.principal, id).await?;
            let page = page_of(state, auth, &f, Some(e.to_string())).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn route_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = visible_feedback(&state, &auth.principal, id).await?;
    if !auth.principal.can_route_feedback(&f.commune_path) {
        return Err(AppError::Forbidden.into());
    }
    let form = FormPairs::parse(&body)?;
    let result = async {
        let to_id = form
            .id("commune_id", "Xã, phường")?
            .ok_or_else(|| AppError::Invalid("Hãy chọn xã, phường nhận phản ánh".into()))?;
        let to = state
            .store
            .unit(to_id)
            .await?
            .filter(|u| u.kind == UnitKind::Commune && u.province_id == f.province_id)
            .ok_or_else(|| AppError::Invalid("Hãy chọn một xã, phường trong tỉnh".into()))?;
        Ok(state
            .store
            .route_feedback(id, &to, form.version()?, &auth.actor(&ip))
            .await?)
    }
    .await;
    match result {
        // The feedback now belongs to another commune: back to the list.
        Ok(_) => Ok(Redirect::to("/feedback").into_response()),
        Err(e) => after_change(&state, &auth, id, Err(e)).await,
    }
}

pub async fn assign_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = visible_feedback(&state, &auth.principal, id).await?;
    if !auth.principal.can_route_feedback(&f.commune_path) {
        return Err(AppError::Forbidden.into());
    }
    let form = FormPairs::parse(&body)?;
    let result = async {
        let unit_id = form
            .id("unit_id", "Đơn vị")?
            .ok_or_else(|| AppError::Invalid("Hãy chọn đơn vị xử lý".into()))?;
        let unit = state
            .store
            .unit(unit_id)
            .await?
            .filter(|u| u.is_within(&f.commune_path))
            .ok_or_else(|| AppError::Invalid("Hãy chọn một đơn vị của xã".into()))?;
        Ok(state
            .store
            .assign_feedback(id, &unit, form.version()?, &auth.actor(&ip))
            .await?)
    }
    .await;
    after_change(&state, &auth, id, result).await
}

pub async fn answer_feedback(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = visible_feedback(&state, &auth.principal, id).await?;
    if !auth
        .principal
        .can_answer_feedback(&f.commune_path, f.assigned_unit_path.as_deref())
    {
        return Err(AppError::Forbidden.into());
    }
    let form = FormPairs::parse(&body)?;
    let result = async {
        let answer = validate_answer(&form.raw("answer")).map_err(AppError::invalid)?;
        Ok(state
            .store
            .answer_feedback(
                id,
                answer,
                form.checked("publish"),
                form.version()?,
                &auth.actor(&ip),
            )
            .await?)
    }
    .await;
    after_change(&state, &auth, id, result).await
}

/// An attachment, for those who see the feedback, always as a download.
pub async fn download_file(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let file = state
        .store
        .feedback_file(id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_feedback(&state, &auth.principal, file.feedback_id).await?;
    let (content_type, bytes) = state
        .store
        .blob(&file.blob_sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::attachments::attachment(
        &content_type,
        &file.file_name,
        bytes,
    ))
}
