//! A unit's periodic report: the list of what is due, the form a unit
//! fills (tasks, targets, evidence, difficulties), and the focal point's
//! review.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Request, State};
use axum::response::Response;

use super::Layout;
use super::tasks::{HistoryRow, history_rows};
use super::views::{format_number, goal_label};
use crate::actions::Edit;
use crate::actions::reports::{
    self, EvidenceDraft, ReportInput, ReviewInput, TargetItemInput, TaskItemInput, parse_decision,
    parse_status,
};
use crate::actions::rounds;
use crate::domain::attachment::{AttachedTo, UploadedFile};
use crate::domain::evidence::MAX_EVIDENCE_BYTES;
use crate::domain::goal::parse_number;
use crate::domain::report::{ReportStatus, TaskStatus, timeliness};
use crate::domain::round::{ItemComment, ReportView};
use crate::domain::valid::Valid;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form, read_form, read_multipart};
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
    /// "Không phát sinh trong kỳ" ticked.
    pub nothing: bool,
    pub answered: bool,
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
    pub no_data_reason: String,
    pub nothing: bool,
    pub answered: bool,
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
    /// The form holds what was typed before the session ended, not saved:
    /// where the form is sent, to put it aside.
    kept: Option<String>,
}

impl ReportPage {
    /// Puts what a person typed back into the form (after a refusal, or
    /// from what was kept when their session ended), with the versions they
    /// had read, so a second save still notices someone else's.
    fn keep_typed(&mut self, f: &FormPairs) {
        for t in &mut self.tasks {
            let id = t.id;
            if let Some(code) = f.edit(&format!("t{id}_status")) {
                for s in &mut t.statuses {
                    s.selected = s.value == code;
                }
            }
            keep(f, &format!("t{id}_percent"), &mut t.percent);
            keep(f, &format!("t{id}_result"), &mut t.result);
            keep(f, &format!("t{id}_reason"), &mut t.reason);
            if f.has(&format!("t{id}_v")) {
                t.nothing = f.checked(&format!("t{id}_none"));
            }
            if let Ok(v) = f.text(&format!("t{id}_v")).parse() {
                t.version = v;
            }
        }
        for g in &mut self.targets {
            let id = g.id;
            keep(f, &format!("g{id}_value"), &mut g.value);
            keep(f, &format!("g{id}_source"), &mut g.source);
            keep(f, &format!("g{id}_nodata"), &mut g.no_data_reason);
            if f.has(&format!("g{id}_v")) {
                g.nothing = f.checked(&format!("g{id}_none"));
            }
            if let Ok(v) = f.text(&format!("g{id}_v")).parse() {
                g.version = v;
            }
        }
        keep(f, "difficulties", &mut self.difficulties);
        keep(f, "recommendations", &mut self.recommendations);
    }
}

/// The form's value of a field, when it sent one.
fn keep(f: &FormPairs, name: &str, into: &mut String) {
    if f.has(name) {
        *into = f.raw(name);
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
                    nothing: u.is_some_and(|u| u.nothing_this_period),
                    answered: i.is_answered(),
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
                    no_data_reason: f.and_then(|f| f.no_data_reason.clone()).unwrap_or_default(),
                    nothing: f.is_some_and(|f| f.nothing_this_period),
                    answered: i.is_answered(),
                }
            })
            .collect(),
        difficulties: r.difficulties.clone().unwrap_or_default(),
        recommendations: r.recommendations.clone().unwrap_or_default(),
        history,
        error: None,
        kept: None,
    }
}

pub async fn show_report(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<ReportPage, PageError> {
    let (view, history) = reports::report_with_history(&state, &auth.principal, id).await?;
    let history = history_rows(&history);
    let mut page = page_of(state.store.clock().now_ms(), &auth, &view, history);
    if let Some(kept) = &auth.kept_form
        && page.editable
    {
        page.keep_typed(kept);
        page.kept = Some(format!("/reports/{id}"));
    }
    Ok(page)
}

/// Reads the report form: each task and target of the report as typed (a
/// field the form did not send is left as it is), and the evidence
/// attached to each task in the same request.
fn input_from(
    f: &FormPairs,
    files: &mut Vec<(String, Valid<UploadedFile>)>,
    view: &ReportView,
) -> Result<ReportInput, AppError> {
    let mut input = ReportInput {
        difficulties: Edit::text(f.edit("difficulties")),
        recommendations: Edit::text(f.edit("recommendations")),
        submit: f.text("action") == "submit",
        ..ReportInput::default()
    };
    for item in &view.tasks {
        let id = item.task.id;
        let percent = match f.edit(&format!("t{id}_percent")) {
            None => Edit::Keep,
            Some(p) if p.is_empty() => Edit::Set(None),
            Some(p) => Edit::Set(Some(
                p.parse::<u8>().ok().filter(|p| *p <= 100).ok_or_else(|| {
                    AppError::Invalid(format!(
                        "Nhiệm vụ {}: tiến độ phải là số từ 0 đến 100",
                        reports::task_name(&item.task)
                    ))
                })?,
            )),
        };
        input.tasks.push(TaskItemInput {
            task_id: id,
            version: f.text(&format!("t{id}_v")).parse::<i64>().unwrap_or(0),
            status: match f.edit(&format!("t{id}_status")) {
                None => Edit::Keep,
                Some(code) => Edit::Set(parse_status(&code)?),
            },
            percent,
            result: Edit::text(f.edit(&format!("t{id}_result"))),
            suspend_reason: Edit::text(f.edit(&format!("t{id}_reason"))),
            nothing_this_period: checkbox(f, &format!("t{id}_v"), &format!("t{id}_none")),
        });
        if let Some(draft) = evidence_of(f, files, id)? {
            input.evidence.push(draft);
        }
    }
    for item in &view.targets {
        let id = item.target.id;
        let value = match f.edit(&format!("g{id}_value")) {
            None => Edit::Keep,
            Some(v) if v.is_empty() => Edit::Set(None),
            Some(v) => Edit::Set(Some(parse_number(&v).ok_or_else(|| {
                AppError::Invalid(format!(
                    "Chỉ tiêu {}: giá trị “{v}” không phải là số",
                    item.target.name
                ))
            })?)),
        };
        input.targets.push(TargetItemInput {
            target_id: id,
            version: f.text(&format!("g{id}_v")).parse::<i64>().unwrap_or(0),
            value,
            source: Edit::text(f.edit(&format!("g{id}_source"))),
            no_data_reason: Edit::text(f.edit(&format!("g{id}_nodata"))),
            nothing_this_period: checkbox(f, &format!("g{id}_v"), &format!("g{id}_none")),
        });
    }
    Ok(input)
}

/// A checkbox of an item: a browser sends nothing for an unticked box, so
/// it is read as unticked only when its item was on the form (its version
/// field is there), and left as it is otherwise.
fn checkbox(f: &FormPairs, item_field: &str, name: &str) -> Edit<bool> {
    if f.has(name) {
        Edit::Set(Some(f.checked(name)))
    } else if f.has(item_field) {
        Edit::Set(Some(false))
    } else {
        Edit::Keep
    }
}

/// The evidence a task's card of the form carries, if any: its file, or a
/// document's number and date, or a link.
fn evidence_of(
    f: &FormPairs,
    files: &mut Vec<(String, Valid<UploadedFile>)>,
    task_id: i64,
) -> Result<Option<EvidenceDraft>, AppError> {
    let field = format!("t{task_id}_file");
    let file = files
        .iter()
        .position(|(name, _)| *name == field)
        .map(|i| files.remove(i).1);
    let number = f.optional(&format!("t{task_id}_evnumber"));
    let url = f.optional(&format!("t{task_id}_evurl"));
    if file.is_none() && number.is_none() && url.is_none() {
        return Ok(None);
    }
    Ok(Some(EvidenceDraft {
        task_id,
        file,
        number,
        date: f.date(&format!("t{task_id}_evdate"), "Ngày văn bản")?,
        url,
    }))
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
    let result = match input_from(&f, &mut files, &view) {
        Ok(input) => reports::save(&state, &auth.caller(&ip), id, input).await,
        Err(e) => Err(e),
    };
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |saved| {
            let flash = if saved.report.status == ReportStatus::Submitted {
                Flash::ReportSubmitted {
                    evidence: saved.evidence as u32,
                }
            } else {
                Flash::ReportSaved {
                    evidence: saved.evidence as u32,
                }
            };
            redirect_with(&format!("/reports/{id}"), flash, secure)
        },
        |e| async move {
            let view = reports::report(&state, &auth.principal, id).await?;
            let mut page = page_of(state.store.clock().now_ms(), &auth, &view, Vec::new());
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
