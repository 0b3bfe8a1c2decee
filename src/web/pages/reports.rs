//! A unit's periodic report: the list of what is due, the form a unit
//! fills (tasks, targets, evidence, difficulties), and the focal point's
//! review.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::tasks::{HistoryRow, history_rows};
use super::views::{format_number, goal_label};
use crate::actions::reports::{
    self, EvidenceDraft, ReportInput, ReviewInput, TargetItemInput, TaskItemInput, parse_decision,
    parse_status,
};
use crate::actions::rounds;
use crate::domain::evidence::MAX_EVIDENCE_BYTES;
use crate::domain::goal::parse_number;
use crate::domain::report::{ReportStatus, TaskStatus, timeliness};
use crate::domain::round::{ItemComment, ReportView};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form, read_multipart};
use crate::web::labels::{evidence_label, round_label};
use crate::web::session::{Auth, ClientIp, PageAuth};

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
    mine: Vec<DueRow>,
    rounds: Vec<RoundRow>,
}

/// What is due for the user's unit, and the rounds the user follows.
pub async fn list_reports(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<ReportsPage, PageError> {
    let p = &auth.principal;
    let mine = reports::my_reports(&state, p, false).await?;
    let followed = rounds::followed_rounds(&state, p).await?;
    let now = state.store.clock().now_ms();
    Ok(ReportsPage {
        layout: Layout::new("Báo cáo định kỳ", &auth),
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

pub struct StatusOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct TaskItemRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub role: &'static str,
    pub deadline: String,
    pub statuses: Vec<StatusOption>,
    pub status_label: String,
    pub percent: String,
    pub result: String,
    pub reason: String,
    pub version: i64,
    pub review_comment: String,
    pub evidence: Vec<(i64, String, bool)>,
}

pub struct TargetItemRow {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub measure_unit: String,
    pub goal: String,
    pub value: String,
    pub source: String,
    pub version: i64,
    pub review_comment: String,
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
    tasks: Vec<TaskItemRow>,
    targets: Vec<TargetItemRow>,
    difficulties: String,
    recommendations: String,
    history: Vec<HistoryRow>,
    error: Option<String>,
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
        tasks: view
            .tasks
            .iter()
            .map(|i| {
                let u = i.update.as_ref();
                let status = u.and_then(|u| u.status);
                TaskItemRow {
                    id: i.task.id,
                    reference: i.task.reference.clone().unwrap_or_default(),
                    title: i.task.title.clone(),
                    role: if i.leads {
                        "Chủ trì"
                    } else {
                        "Phối hợp"
                    },
                    deadline: i.task.deadline.label_vi(),
                    statuses: TaskStatus::ALL
                        .iter()
                        .map(|s| StatusOption {
                            value: s.as_str(),
                            label: s.label_vi(),
                            selected: status == Some(*s),
                        })
                        .collect(),
                    status_label: status
                        .map(|s| s.label_vi().to_string())
                        .unwrap_or_else(|| "Chưa cập nhật".into()),
                    percent: u
                        .and_then(|u| u.percent)
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    result: u.and_then(|u| u.result.clone()).unwrap_or_default(),
                    reason: u.and_then(|u| u.suspend_reason.clone()).unwrap_or_default(),
                    version: u.map(|u| u.version).unwrap_or(0),
                    review_comment: u.and_then(|u| u.review_comment.clone()).unwrap_or_default(),
                    evidence: i
                        .evidence
                        .iter()
                        .map(|e| (e.id, evidence_label(e), e.kind == "file"))
                        .collect(),
                }
            })
            .collect(),
        targets: view
            .targets
            .iter()
            .map(|i| {
                let f = i.figure.as_ref();
                let year = view
                    .round
                    .unit_due_on
                    .format("%Y")
                    .to_string()
                    .parse::<i32>()
                    .unwrap_or(2026);
                TargetItemRow {
                    id: i.target.id,
                    reference: i.target.reference.clone().unwrap_or_default(),
                    name: i.target.name.clone(),
                    measure_unit: i.target.measure_unit.clone().unwrap_or_default(),
                    goal: i
                        .target
                        .goal_for(year)
                        .map(|g| goal_label(g.op, g.value))
                        .unwrap_or_default(),
                    value: f
                        .and_then(|f| f.value)
                        .map(format_number)
                        .unwrap_or_default(),
                    source: f.and_then(|f| f.source.clone()).unwrap_or_default(),
                    version: f.map(|f| f.version).unwrap_or(0),
                    review_comment: f.and_then(|f| f.review_comment.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        difficulties: r.difficulties.clone().unwrap_or_default(),
        recommendations: r.recommendations.clone().unwrap_or_default(),
        history,
        error: None,
    }
}

pub async fn show_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<ReportPage, PageError> {
    let view = reports::report(&state, &auth.principal, id).await?;
    let history = history_rows(&state.store.audit_of("unit_report", id).await?);
    Ok(page_of(state.store.clock().now_ms(), &auth, &view, history))
}

/// Reads the report form: each task and target of the report, as typed.
fn input_from(f: &FormPairs, view: &ReportView) -> Result<ReportInput, AppError> {
    let mut input = ReportInput {
        difficulties: f.optional("difficulties"),
        recommendations: f.optional("recommendations"),
        submit: f.text("action") == "submit",
        ..ReportInput::default()
    };
    for item in &view.tasks {
        let id = item.task.id;
        let percent = match f.optional(&format!("t{id}_percent")) {
            None => None,
            Some(p) => Some(p.parse::<u8>().ok().filter(|p| *p <= 100).ok_or_else(|| {
                AppError::Invalid(format!(
                    "Nhiệm vụ {}: tiến độ phải là số từ 0 đến 100",
                    reports::task_name(&item.task)
                ))
            })?),
        };
        input.tasks.push(TaskItemInput {
            task_id: id,
            version: f.text(&format!("t{id}_v")).parse::<i64>().unwrap_or(0),
            status: f
                .optional(&format!("t{id}_status"))
                .map(|s| parse_status(&s))
                .transpose()?,
            percent,
            result: f.optional(&format!("t{id}_result")),
            suspend_reason: f.optional(&format!("t{id}_reason")),
        });
    }
    for item in &view.targets {
        let id = item.target.id;
        let value = match f.optional(&format!("g{id}_value")) {
            None => None,
            Some(v) => Some(parse_number(&v).ok_or_else(|| {
                AppError::Invalid(format!(
                    "Chỉ tiêu {}: giá trị “{v}” không phải là số",
                    item.target.name
                ))
            })?),
        };
        input.targets.push(TargetItemInput {
            target_id: id,
            version: f.text(&format!("g{id}_v")).parse::<i64>().unwrap_or(0),
            value,
            source: f.optional(&format!("g{id}_source")),
        });
    }
    Ok(input)
}

pub async fn save_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let view = reports::report(&state, &auth.principal, id).await?;
    let f = FormPairs::parse(&body)?;
    let result = match input_from(&f, &view) {
        Ok(input) => reports::save(&state, &auth.caller(&ip), id, input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |_| Redirect::to(&format!("/reports/{id}")).into_response(),
        |e| async move {
            // The report as it is stored now, with the message; for an
            // invalid entry, what was typed in the notes at least.
            let view = reports::report(&state, &auth.principal, id).await?;
            let mut page = page_of(state.store.clock().now_ms(), &auth, &view, Vec::new());
            if matches!(e, AppError::Conflict { .. }) {
                page.error = Some(
                    "Báo cáo vừa được người khác cập nhật; dưới đây là nội dung hiện tại, hãy nhập lại thay đổi của bạn"
                        .into(),
                );
            } else {
                page.error = Some(e.to_string());
                page.difficulties = f.text("difficulties");
                page.recommendations = f.text("recommendations");
            }
            Ok(page)
        },
    )
    .await
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
    let reviewed = reports::review(&state, &auth.caller(&ip), id, input).await?;
    Ok(Redirect::to(&format!("/rounds/{}", reviewed.round.id)).into_response())
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
    let (f, mut files) = read_multipart(multipart, "file", 1, MAX_EVIDENCE_BYTES).await?;
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
    Ok(Redirect::to(&format!("/reports/{id}#t{task_id}")).into_response())
}

pub const EVIDENCE_LIMIT: usize = MAX_EVIDENCE_BYTES + 64 * 1024;
