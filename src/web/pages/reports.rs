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
use crate::domain::evidence::{MAX_EVIDENCE_BYTES, safe_file_name, sniff};
use crate::domain::goal::parse_number;
use crate::domain::report::{
    ReportStatus, TargetFigureDraft, TaskStatus, TaskUpdateDraft, timeliness,
};
use crate::store::{EvidenceInput, ItemComment, ReportEdits, ReportView, StoreError};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, parse_date};
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
    let store = &state.store;
    let plans = store
        .open_current_rounds_within(&p.read_path, store.clock().today())
        .await?;
    let now = store.clock().now_ms();
    let mine = store
        .reports_of_units(&p.unit_path, 100)
        .await?
        .into_iter()
        .filter(|(round, _)| p.can_read(&round.scope_path))
        .map(|(round, r)| DueRow {
            report_id: r.id,
            round_id: round.id,
            label: round.label_vi(),
            plan_title: round.plan_title.clone(),
            unit_name: r.unit_name.clone(),
            due: round.unit_due_on.format("%d/%m/%Y").to_string(),
            status: r.status.label_vi(),
            timeliness: timeliness(r.first_submitted_at, round.unit_due_on, now).label_vi(),
            needs_action: r.status.is_editable(),
        })
        .collect();
    let mut rounds = Vec::new();
    for plan in &plans {
        if !p.can_follow_round(&plan.issuer_path) {
            continue;
        }
        for round in store.rounds_of_plan(plan.id).await?.into_iter().take(6) {
            let (c, _) = store.round_completeness(round.id).await?;
            rounds.push(RoundRow {
                id: round.id,
                label: round.label_vi(),
                plan_title: round.plan_title.clone(),
                due: round.unit_due_on.format("%d/%m/%Y").to_string(),
                received: format!(
                    "{}/{} đơn vị đã nộp ({} đúng hạn)",
                    c.on_time + c.late,
                    c.expected,
                    c.on_time
                ),
            });
        }
    }
    Ok(ReportsPage {
        layout: Layout::new("Báo cáo định kỳ", &auth),
        mine,
        rounds,
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

async fn load_view(state: &AppState, auth: &Auth, id: i64) -> Result<ReportView, AppError> {
    let view = state
        .store
        .report_view(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !auth
        .principal
        .can_view_report(&view.round.scope_path, &view.report.unit_path)
    {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

fn page_of(state_now: i64, auth: &Auth, view: &ReportView, history: Vec<HistoryRow>) -> ReportPage {
    let p = &auth.principal;
    let r = &view.report;
    let editable = r.status.is_editable() && p.can_report_for(&r.unit_path);
    ReportPage {
        layout: Layout::new(format!("Báo cáo của {}", r.unit_name), auth),
        id: r.id,
        round_id: view.round.id,
        title: view.round.label_vi(),
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
                        .map(|e| (e.id, e.describe(), e.kind == "file"))
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
    let view = load_view(&state, &auth, id).await?;
    let history = history_rows(&state.store.audit_of("unit_report", id).await?);
    Ok(page_of(state.store.clock().now_ms(), &auth, &view, history))
}

/// Reads the form into edits, keeping only items whose values changed, so
/// an unchanged item never conflicts with someone else's save.
fn edits_from(f: &FormPairs, view: &ReportView) -> Result<ReportEdits, AppError> {
    let mut edits = ReportEdits::default();
    for item in &view.tasks {
        let id = item.task.id;
        let status = match f.optional(&format!("t{id}_status")) {
            None => None,
            Some(s) => Some(
                TaskStatus::parse(&s)
                    .ok_or_else(|| AppError::Invalid("Tình trạng không hợp lệ".into()))?,
            ),
        };
        let percent = match f.optional(&format!("t{id}_percent")) {
            None => None,
            Some(p) => Some(p.parse::<u8>().ok().filter(|p| *p <= 100).ok_or_else(|| {
                AppError::Invalid(format!(
                    "Nhiệm vụ {}: tiến độ phải là số từ 0 đến 100",
                    item.task.reference.clone().unwrap_or_default()
                ))
            })?),
        };
        let draft = TaskUpdateDraft {
            status,
            percent,
            result: f.optional(&format!("t{id}_result")),
            suspend_reason: f.optional(&format!("t{id}_reason")),
        };
        let current = item.update.as_ref();
        let unchanged = current.map(|u| u.status).unwrap_or(None) == draft.status
            && current.and_then(|u| u.percent) == draft.percent
            && current.and_then(|u| u.result.clone()) == draft.result
            && current.and_then(|u| u.suspend_reason.clone()) == draft.suspend_reason;
        if unchanged {
            continue;
        }
        let draft = draft.validate().map_err(|e| {
            AppError::Invalid(format!(
                "Nhiệm vụ {}: {e}",
                item.task.reference.clone().unwrap_or_default()
            ))
        })?;
        let version = f.text(&format!("t{id}_v")).parse::<i64>().unwrap_or(0);
        edits.tasks.push((id, version, draft));
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
        let draft = TargetFigureDraft {
            value,
            source: f.optional(&format!("g{id}_source")),
        };
        let current = item.figure.as_ref();
        if current.and_then(|c| c.value) == draft.value
            && current.and_then(|c| c.source.clone()) == draft.source
        {
            continue;
        }
        let draft = draft.validate().map_err(AppError::invalid)?;
        let version = f.text(&format!("g{id}_v")).parse::<i64>().unwrap_or(0);
        edits.targets.push((id, version, draft));
    }
    edits.notes = Some((f.optional("difficulties"), f.optional("recommendations")));
    Ok(edits)
}

pub async fn save_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let view = load_view(&state, &auth, id).await?;
    if !auth.principal.can_report_for(&view.report.unit_path) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let submit = f.text("action") == "submit";
    let result = match edits_from(&f, &view) {
        Ok(edits) => state
            .store
            .save_report_on(&view, edits, submit, &auth.actor(&ip))
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            // Show the report as it is stored now, with the message; for an
            // invalid entry, keep what was typed in the notes at least.
            let view = load_view(&state, &auth, id).await?;
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
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn review_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let view = load_view(&state, &auth, id).await?;
    if !auth.principal.can_review(&view.round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let accept = match f.text("decision").as_str() {
        "accept" => true,
        "return" => false,
        _ => return Err(AppError::Invalid("Hãy chọn tiếp nhận hoặc trả lại".into()).into()),
    };
    let comment = f.optional("comment");
    if !accept && comment.is_none() {
        return Err(AppError::Invalid(
            crate::domain::report::ReportError::MissingReturnReason.to_string(),
        )
        .into());
    }
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
    state
        .store
        .review_report(id, accept, comment, items, &auth.actor(&ip))
        .await?;
    Ok(Redirect::to(&format!("/rounds/{}", view.round.id)).into_response())
}

/// Evidence for one task of a report: a file (checked by content), an
/// issued document's number and date, or a link.
pub async fn add_evidence(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let view = load_view(&state, &auth, id).await?;
    if !auth.principal.can_report_for(&view.report.unit_path) {
        return Err(AppError::Forbidden.into());
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        AppError::BadRequest("Tệp tải lên không đọc được hoặc quá lớn (tối đa 10 MB)".into())
    })? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::Invalid("Tệp quá lớn: tối đa 10 MB".into()))?;
            if !bytes.is_empty() {
                file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::BadRequest("Biểu mẫu không hợp lệ".into()))?;
            fields.push((name, value));
        }
    }
    let f = FormPairs(fields);
    let task_id = f
        .id("task_id", "Nhiệm vụ")?
        .ok_or_else(|| AppError::Invalid("Thiếu nhiệm vụ".into()))?;
    let input = match (file, f.optional("number"), f.optional("url")) {
        (Some((name, bytes)), _, _) => {
            let kind = sniff(&bytes).map_err(AppError::invalid)?;
            EvidenceInput::File {
                file_name: safe_file_name(&name, kind),
                content_type: kind.content_type(),
                bytes,
            }
        }
        (None, Some(number), _) => EvidenceInput::Document {
            number,
            date: f
                .optional("date")
                .map(|d| parse_date(&d, "Ngày văn bản"))
                .transpose()?,
        },
        (None, None, Some(url)) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
                return Err(AppError::Invalid(
                    "Đường dẫn phải bắt đầu bằng http:// hoặc https://".into(),
                )
                .into());
            }
            EvidenceInput::Link { url }
        }
        _ => {
            return Err(AppError::Invalid(
                "Hãy chọn một tệp, hoặc nhập số văn bản, hoặc một đường dẫn làm minh chứng".into(),
            )
            .into());
        }
    };
    match state
        .store
        .add_evidence(id, task_id, input, &auth.actor(&ip))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}#t{task_id}")).into_response()),
        Err(StoreError::Refused(m)) => Err(AppError::Invalid(m).into()),
        Err(e) => Err(e.into()),
    }
}

pub const EVIDENCE_LIMIT: usize = MAX_EVIDENCE_BYTES + 64 * 1024;
