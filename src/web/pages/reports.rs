//! A unit's periodic report: the list of what is due, the form a unit
//! fills (tasks, targets, evidence, difficulties), and the focal point's
//! review.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::response::Response;

use super::Layout;
use super::filters::{Active, Chip, Pager, chips, pager};
use super::report_form::{DirectionRow, Part, input_from};
use super::tasks::{HistoryRow, history_rows};
use crate::actions::reports::{self, EvidenceDraft, ReportInput, ReviewInput, parse_decision};
use crate::actions::{directions, rounds};
use crate::domain::attachment::{AttachedTo, UploadedFile};
use crate::domain::evidence::MAX_EVIDENCE_BYTES;
use crate::domain::report::{ReportStatus, timeliness};
use crate::domain::round::{ItemComment, ReportView};
use crate::domain::valid::Valid;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form, read_form, read_multipart};
use crate::web::labels::round_label;
use crate::web::session::{Auth, ClientIp, PageAuth};

/// The statuses the list filters by.
const STATUSES: [ReportStatus; 5] = [
    ReportStatus::Pending,
    ReportStatus::Draft,
    ReportStatus::Submitted,
    ReportStatus::Returned,
    ReportStatus::Accepted,
];

pub struct DueRow {
    pub report_id: i64,
    pub round_id: i64,
    pub label: String,
    pub plan_title: String,
    pub unit_name: String,
    pub due: String,
    pub status: &'static str,
    pub timeliness: &'static str,
    pub needs_action: bool,
}

pub struct RoundRow {
    pub id: i64,
    pub label: String,
    pub plan_title: String,
    pub due: String,
    pub received: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    layout: Layout,
    /// "Báo cáo của đơn vị", or of the units in scope for a level.
    heading: &'static str,
    mine: Vec<DueRow>,
    total: String,
    statuses: Vec<(&'static str, &'static str, bool)>,
    chips: Vec<Chip>,
    pager: Pager,
    rounds: Vec<RoundRow>,
}

#[derive(serde::Deserialize)]
pub struct ReportsQuery {
    status: Option<String>,
    page: Option<u32>,
}

/// How many reports a page of the list shows.
const REPORTS_PER_PAGE: u32 = 20;

/// What is due for the user's unit (or, at a level, the units in scope),
/// by status and a page at a time, and the rounds the user follows.
pub async fn list_reports(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ReportsQuery>,
) -> Result<ReportsPage, PageError> {
    let p = &auth.principal;
    let chosen = q
        .status
        .as_deref()
        .and_then(ReportStatus::parse)
        .filter(|_| q.status.is_some());
    let all = reports::my_reports(&state, p, false).await?;
    let mine: Vec<_> = all
        .into_iter()
        .filter(|(_, r)| chosen.is_none_or(|s| r.status == s))
        .collect();
    let total = i64::try_from(mine.len()).unwrap_or(0);
    let active: Vec<Active> = chosen
        .map(|s| Active {
            name: "status",
            value: s.as_str().to_string(),
            words: s.label_vi().to_string(),
        })
        .into_iter()
        .collect();
    let pager = pager(
        "/reports",
        &active,
        q.page.unwrap_or(1),
        REPORTS_PER_PAGE,
        total,
    );
    let skip = usize::try_from((pager.page - 1) * REPORTS_PER_PAGE).unwrap_or(0);
    let mine: Vec<_> = mine
        .into_iter()
        .skip(skip)
        .take(REPORTS_PER_PAGE as usize)
        .collect();
    let followed = rounds::followed_rounds(&state, p).await?;
    let now = state.store.clock().now_ms();
    Ok(ReportsPage {
        layout: Layout::new("Báo cáo định kỳ", &auth),
        heading: if p.is_at_level() {
            "Báo cáo của các đơn vị trong phạm vi"
        } else {
            "Báo cáo của đơn vị"
        },
        total: crate::web::labels::int(total),
        statuses: STATUSES
            .iter()
            .map(|s| (s.as_str(), s.label_vi(), chosen == Some(*s)))
            .collect(),
        chips: chips("/reports", &active),
        pager,
        mine: mine
            .into_iter()
            .map(|(round, r)| DueRow {
                report_id: r.id,
                round_id: round.id,
                label: round_label(&round),
                plan_title: round.plan_title.clone(),
                unit_name: r.unit_name.clone(),
                due: round.unit_due_on.format("%d/%m/%Y").to_string(),
                status: r.status.label_vi(),
                timeliness: timeliness(r.first_submitted_at, round.unit_due_on, now).label_vi(),
                needs_action: r.status.is_editable(),
            })
            .collect(),
        rounds: followed
            .into_iter()
            .map(|(round, c)| RoundRow {
                id: round.id,
                label: round_label(&round),
                plan_title: round.plan_title.clone(),
                due: round.unit_due_on.format("%d/%m/%Y").to_string(),
                received: format!(
                    "{}/{} đơn vị đã nộp ({} đúng hạn)",
                    c.on_time + c.late,
                    c.expected,
                    c.on_time
                ),
            })
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    layout: Layout,
    id: i64,
    round_id: i64,
    title: String,
    plan_title: String,
    unit_name: String,
    due: String,
    status: &'static str,
    timeliness: &'static str,
    editable: bool,
    can_review: bool,
    review_comment: String,
    version: i64,
    /// The report the page is about first, then the unit's other reports
    /// due the same day, filled in the same form.
    parts: Vec<Part>,
    /// The leaders' directions the unit answers in this report.
    directions: Vec<DirectionRow>,
    history: Vec<HistoryRow>,
    error: Option<String>,
    /// The form holds what was typed before the session ended, not saved:
    /// where the form is sent, to put it aside.
    kept: Option<String>,
}

impl ReportPage {
    /// Puts what a person typed back into every part of the form.
    fn keep_typed(&mut self, f: &FormPairs) {
        for part in &mut self.parts {
            part.keep_typed(f);
        }
        for d in &mut self.directions {
            let name = format!("d{}_answer", d.id);
            if f.has(&name) {
                d.answer = f.raw(&name);
            }
        }
    }
}

fn page_of(state_now: i64, auth: &Auth, view: &ReportView, history: Vec<HistoryRow>) -> ReportPage {
    let p = &auth.principal;
    let r = &view.report;
    let editable = r.status.is_editable() && p.can_report_for(&r.unit_path);
    ReportPage {
        layout: Layout::new(format!("Báo cáo của {}", r.unit_name), auth),
        id: r.id,
        round_id: view.round.id,
        title: round_label(&view.round),
        plan_title: view.round.plan_title.clone(),
        unit_name: r.unit_name.clone(),
        due: view.round.unit_due_on.format("%d/%m/%Y").to_string(),
        status: r.status.label_vi(),
        timeliness: timeliness(r.first_submitted_at, view.round.unit_due_on, state_now).label_vi(),
        editable,
        can_review: r.status == ReportStatus::Submitted && p.can_review(&view.round.scope_path),
        review_comment: r.review_comment.clone().unwrap_or_default(),
        version: r.version,
        parts: vec![Part::of(view, String::new())],
        directions: Vec::new(),
        history,
        error: None,
        kept: None,
    }
}

/// The report page, with the unit's other reports due the same day as
/// further parts of the same form when the person may type into it.
async fn form_page(
    state: &AppState,
    auth: &Auth,
    view: &ReportView,
    history: Vec<HistoryRow>,
) -> Result<ReportPage, AppError> {
    let mut page = page_of(state.store.clock().now_ms(), auth, view, history);
    page.directions = directions::to_answer_in(state, view.report.unit_id, view.report.id)
        .await?
        .into_iter()
        .map(DirectionRow::from)
        .collect();
    if page.editable {
        for other in reports::due_with(state, &auth.principal, view).await? {
            let prefix = format!("r{}_", other.report.id);
            page.parts.push(Part::of(&other, prefix));
        }
    }
    Ok(page)
}

pub async fn show_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<ReportPage, PageError> {
    let (view, history) = reports::report_with_history(&state, &auth.principal, id).await?;
    let mut page = form_page(&state, &auth, &view, history_rows(&history)).await?;
    if let Some(kept) = &auth.kept_form
        && page.editable
    {
        page.keep_typed(kept);
        page.kept = Some(format!("/reports/{id}"));
    }
    Ok(page)
}

/// Most files one save of the report form may attach.
const MAX_FILES_PER_SAVE: usize = 3;

/// The report form's body limit: its files and the typed text.
pub const REPORT_FORM_LIMIT: usize = MAX_FILES_PER_SAVE * MAX_EVIDENCE_BYTES + 1024 * 1024;

pub async fn save_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response, PageError> {
    let view = reports::report(&state, &auth.principal, id).await?;
    let (f, mut files) = read_form(req, AttachedTo::Evidence, MAX_FILES_PER_SAVE).await?;
    let result = match inputs_of(&state, &auth, &f, &mut files, view).await {
        Ok(inputs) => reports::save_together(&state, &auth.caller(&ip), inputs).await,
        Err(e) => Err(e),
    };
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |saved| {
            let evidence: usize = saved.iter().map(|s| s.evidence).sum();
            let sent = saved
                .first()
                .is_some_and(|s| s.report.status == ReportStatus::Submitted);
            let flash = if sent {
                Flash::ReportSubmitted {
                    evidence: evidence as u32,
                }
            } else {
                Flash::ReportSaved {
                    evidence: evidence as u32,
                }
            };
            redirect_with(&format!("/reports/{id}"), flash, secure)
        },
        |e| async move {
            let view = reports::report(&state, &auth.principal, id).await?;
            let mut page = form_page(&state, &auth, &view, Vec::new()).await?;
            if matches!(e, AppError::Conflict { .. }) {
                // What is stored now, so the person sees the other save.
                page.error = Some(
                    "Báo cáo vừa được người khác cập nhật; dưới đây là nội dung hiện tại, hãy nhập lại thay đổi của bạn"
                        .into(),
                );
            } else {
                // What was typed, so nothing is lost; files are asked again.
                page.keep_typed(&f);
                page.error = Some(e.to_string());
            }
            Ok(page)
        },
    )
    .await
}

/// The inputs of every report the form carries: this one, and each other
/// report of the unit due the same day it lists (`also`).
async fn inputs_of(
    state: &AppState,
    auth: &Auth,
    f: &FormPairs,
    files: &mut Vec<(String, Valid<UploadedFile>)>,
    view: ReportView,
) -> Result<Vec<(i64, ReportInput)>, AppError> {
    let mut inputs = vec![(view.report.id, input_from(f, files, &view, "")?)];
    for other in f.ids("also", "Báo cáo")? {
        let other_view = reports::report(state, &auth.principal, other).await?;
        let prefix = format!("r{other}_");
        inputs.push((other, input_from(f, files, &other_view, &prefix)?));
    }
    Ok(inputs)
}

pub async fn review_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let view = reports::report(&state, &auth.principal, id).await?;
    let f = FormPairs::parse(&body)?;
    let mut items = Vec::new();
    for i in &view.tasks {
        if let Some(c) = f.optional(&format!("c_t{}", i.task.id)) {
            items.push(ItemComment::Task(i.task.id, c));
        }
    }
    for i in &view.targets {
        if let Some(c) = f.optional(&format!("c_g{}", i.target.id)) {
            items.push(ItemComment::Target(i.target.id, c));
        }
    }
    let input = ReviewInput {
        accept: parse_decision(&f.text("decision"))?,
        comment: f.optional("comment"),
        items,
    };
    let accepted = input.accept;
    let reviewed = reports::review(&state, &auth.caller(&ip), id, input).await?;
    let flash = if accepted {
        Flash::ReportAccepted
    } else {
        Flash::ReportReturned
    };
    let to = format!("/rounds/{}", reviewed.round.id);
    Ok(redirect_with(&to, flash, state.config.secure_cookies))
}

/// Evidence for one task of a report: a file (checked by content), an
/// issued document's number and date, or a link.
pub async fn add_evidence(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // Access first, so a stranger's upload is refused before it is read.
    reports::report(&state, &auth.principal, id).await?;
    let (f, mut files) = read_multipart(multipart, "file", AttachedTo::Evidence).await?;
    let task_id = f
        .id("task_id", "Nhiệm vụ")?
        .ok_or_else(|| AppError::Invalid("Thiếu nhiệm vụ".into()))?;
    let draft = EvidenceDraft {
        task_id,
        file: files.pop(),
        number: f.optional("number"),
        date: f.date("date", "Ngày văn bản")?,
        url: f.optional("url"),
    };
    reports::add_evidence(&state, &auth.caller(&ip), id, draft).await?;
    let to = format!("/reports/{id}#t{task_id}");
    Ok(redirect_with(
        &to,
        Flash::EvidenceAdded,
        state.config.secure_cookies,
    ))
}

pub const EVIDENCE_LIMIT: usize = MAX_EVIDENCE_BYTES + 64 * 1024;
