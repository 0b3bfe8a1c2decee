//! A unit's periodic report: what it has to fill in, saving and submitting
//! it item by item, evidence, and the focal point's review. The page and
//! the API read the request into the inputs below and call these.

use chrono::NaiveDate;

use super::directions;
use super::tasks::refused_confidential;
use super::{AppError, Caller, Edit};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::attachment::UploadedFile;
use crate::domain::direction::validate_answer;
use crate::domain::evidence::{Evidence, EvidenceInput};
use crate::domain::report::{ReportError, TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use crate::domain::round::{
    ItemComment, ReportView, Round, TargetItem, TaskItem, Unanswered, UnitReport,
};
use crate::domain::task::Task;
use crate::domain::valid::Valid;
use crate::store::{AuditEntry, ReportEdits};

/// How many of a unit's reports its list shows, newest due date first: a
/// unit has one a round, so this is years of monthly rounds.
const MY_REPORTS_LIMIT: i64 = 100;

/// A report the principal may see (its unit's, or any in a round it
/// follows); 404 otherwise, so other communes' reports cannot be probed.
pub async fn report(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<ReportView, AppError> {
    state
        .store
        .report_view_for(id, |round, report| {
            principal.can_view_report(&round.scope_path, &report.unit_path)
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// A report with its history (who saved, sent, returned, accepted it).
pub async fn report_with_history(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(ReportView, Vec<AuditEntry>), AppError> {
    let view = report(state, principal, id).await?;
    let history = state.store.audit_of("unit_report", id).await?;
    Ok((view, history))
}

/// A report the caller may type into: visible (else 404) and its unit's
/// (else 403).
async fn own_report(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<ReportView, AppError> {
    let view = report(state, principal, id).await?;
    if !principal.can_report_for(&view.report.unit_path) {
        return Err(AppError::Forbidden);
    }
    Ok(view)
}

/// The reports of the principal's unit (and the units below it), newest
/// due date first, with their rounds; only those still to be typed or sent
/// again when `editable_only`. The current periods are opened first: the
/// hourly job may not have opened today's rounds yet, and a unit asking
/// what it has to fill in must see them.
pub async fn my_reports(
    state: &AppState,
    principal: &Principal,
    editable_only: bool,
) -> Result<Vec<(Round, UnitReport)>, AppError> {
    let store = &state.store;
    store
        .open_current_rounds_within(&principal.read_path, store.clock().today())
        .await?;
    Ok(store
        .reports_of_units(&principal.unit_path, MY_REPORTS_LIMIT)
        .await?
        .into_iter()
        .filter(|(round, r)| {
            principal.can_view_report(&round.scope_path, &r.unit_path)
                && (!editable_only || r.status.is_editable())
        })
        .collect())
}

/// What a reporter sent for one task, read but not yet checked. A field
/// the request did not name is left as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskItemInput {
    pub task_id: i64,
    /// The item's version as read (0 when it had never been saved).
    pub version: i64,
    pub status: Edit<TaskStatus>,
    pub percent: Edit<u8>,
    pub result: Edit<String>,
    pub suspend_reason: Edit<String>,
    /// "Không phát sinh trong kỳ".
    pub nothing_this_period: Edit<bool>,
}

/// What a reporter sent for one target, read but not yet checked.
#[derive(Debug, Clone, Default)]
pub struct TargetItemInput {
    pub target_id: i64,
    pub version: i64,
    pub value: Edit<f64>,
    pub source: Edit<String>,
    /// Why there is no figure yet ("chưa có số liệu").
    pub no_data_reason: Edit<String>,
    pub nothing_this_period: Edit<bool>,
}

/// A save (and, with `submit`, a submission) of a unit's report, with the
/// evidence attached in the same request. Items and notes the request did
/// not name are left as they are.
#[derive(Debug, Default)]
pub struct ReportInput {
    pub tasks: Vec<TaskItemInput>,
    pub targets: Vec<TargetItemInput>,
    pub difficulties: Edit<String>,
    pub recommendations: Edit<String>,
    pub evidence: Vec<EvidenceDraft>,
    /// Answers to the leaders' directions to the unit, by direction; a
    /// blank answer is none.
    pub directions: Vec<(i64, String)>,
    pub submit: bool,
}

/// What a save did.
#[derive(Debug)]
pub struct Saved {
    pub report: UnitReport,
    pub evidence: usize,
    /// The report as it is now: the one read to check access, with what
    /// this save wrote; `None` when evidence was attached too (the caller
    /// reads it again if it needs it).
    pub view: Option<ReportView>,
}

/// Reads a status code as sent by a form or the API; blank means none.
pub fn parse_status(code: &str) -> Result<Option<TaskStatus>, AppError> {
    if code.trim().is_empty() {
        return Ok(None);
    }
    TaskStatus::parse(code.trim())
        .map(Some)
        .ok_or_else(|| AppError::Invalid(format!("Tình trạng không hợp lệ: {code}")))
}

/// Saves what a unit typed, with the evidence it attached, and submits it
/// when asked. Everything is checked before anything is written. Only items
/// whose values changed are written, so an item left as it was never
/// conflicts with someone else's save; a stale item refuses the whole
/// save. Evidence goes first, while the report is still open to its unit.
pub async fn save(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: ReportInput,
) -> Result<Saved, AppError> {
    let mut saved = save_together(state, caller, vec![(id, input)]).await?;
    saved.pop().ok_or(AppError::NotFound)
}

/// Several reports of one unit filled in one form (a monthly and a
/// half-year round due the same day): every report is checked first, and
/// only then are they saved, each as its own report, in order. A submission
/// with an item left anywhere sends none of them.
pub async fn save_together(
    state: &AppState,
    caller: &Caller<'_>,
    reports: Vec<(i64, ReportInput)>,
) -> Result<Vec<Saved>, AppError> {
    let mut prepared = Vec::new();
    for (id, input) in reports {
        let view = own_report(state, caller.principal, id).await?;
        refuse_confidential_content(state, caller, &view, &input).await?;
        let answers = direction_answers(state, &view, &input.directions).await?;
        let mut ready = prepare(view, input)?;
        ready.answers = answers;
        prepared.push(ready);
    }
    let mut out = Vec::new();
    for p in prepared {
        out.push(apply(state, caller, p).await?);
    }
    Ok(out)
}

/// Results, reasons and evidence offered for a confidential task ("mật")
/// are refused, naming the task, and each attempt is kept in the audit
/// trail (which task, never what was offered).
async fn refuse_confidential_content(
    state: &AppState,
    caller: &Caller<'_>,
    view: &ReportView,
    input: &ReportInput,
) -> Result<(), AppError> {
    let offered = |e: &Edit<String>| matches!(e, Edit::Set(Some(t)) if !t.trim().is_empty());
    let confidential = |task_id: i64| {
        view.tasks
            .iter()
            .find(|i| i.task.id == task_id && i.task.confidential)
            .map(|i| &i.task)
    };
    let mut refused: Vec<&Task> = Vec::new();
    let with_text = input
        .tasks
        .iter()
        .filter(|i| offered(&i.result) || offered(&i.suspend_reason))
        .map(|i| i.task_id);
    let with_evidence = input.evidence.iter().map(|e| e.task_id);
    for task in with_text.chain(with_evidence).filter_map(confidential) {
        if !refused.iter().any(|t| t.id == task.id) {
            refused.push(task);
        }
    }
    let Some(first) = refused.first() else {
        return Ok(());
    };
    let message = ReportError::ConfidentialContent(task_name(first)).to_string();
    let plan = state
        .store
        .plan(first.plan_id)
        .await?
        .ok_or(AppError::NotFound)?;
    for task in &refused {
        refused_confidential(state, caller, &plan, Some(task.id), &message).await?;
    }
    Err(AppError::Invalid(message))
}

/// A save checked against its report and the rules, ready to write.
struct Prepared {
    view: ReportView,
    edits: ReportEdits,
    evidence: Vec<(i64, EvidenceInput)>,
    answers: Vec<(i64, Valid<String>)>,
    submit: bool,
}

/// The answers a report gives to directions its unit must answer, checked:
/// only those directions, only while the report is open to the unit.
async fn direction_answers(
    state: &AppState,
    view: &ReportView,
    given: &[(i64, String)],
) -> Result<Vec<(i64, Valid<String>)>, AppError> {
    let given: Vec<&(i64, String)> = given.iter().filter(|(_, a)| !a.trim().is_empty()).collect();
    if given.is_empty() {
        return Ok(Vec::new());
    }
    if !view.report.status.is_editable() {
        return Err(AppError::Invalid(ReportError::Locked.to_string()));
    }
    let open = directions::to_answer_in(state, view.report.unit_id, view.report.id).await?;
    let mut out = Vec::new();
    for (id, answer) in given {
        let Some(direction) = open.iter().find(|d| d.id == *id) else {
            return Err(AppError::NotFound);
        };
        if direction.answer.as_deref() == Some(answer.trim()) {
            continue;
        }
        let valid = validate_answer(answer).map_err(AppError::invalid)?;
        out.push((*id, valid));
    }
    Ok(out)
}

fn prepare(view: ReportView, input: ReportInput) -> Result<Prepared, AppError> {
    let mut evidence = Vec::new();
    for draft in input.evidence {
        task_item(&view, draft.task_id)?;
        evidence.push((
            draft.task_id,
            evidence_input(draft.file, draft.number, draft.date, draft.url)?,
        ));
    }
    let notes = (
        crate::domain::report::clean(input.difficulties.apply(view.report.difficulties.clone()))
            .map_err(AppError::invalid)?,
        crate::domain::report::clean(
            input
                .recommendations
                .apply(view.report.recommendations.clone()),
        )
        .map_err(AppError::invalid)?,
    );
    let mut edits = ReportEdits {
        notes: Some(notes),
        ..ReportEdits::default()
    };
    for item in input.tasks {
        if let Some(edit) = task_edit(&view, item)? {
            edits.tasks.push(edit);
        }
    }
    for item in input.targets {
        if let Some(edit) = target_edit(&view, item)? {
            edits.targets.push(edit);
        }
    }
    if !view.report.status.is_editable() && !evidence.is_empty() {
        return Err(AppError::Invalid(ReportError::Locked.to_string()));
    }
    if input.submit {
        refuse_unanswered(&view, &edits, &evidence)?;
    }
    Ok(Prepared {
        view,
        edits,
        evidence,
        answers: Vec::new(),
        submit: input.submit,
    })
}

async fn apply(state: &AppState, caller: &Caller<'_>, p: Prepared) -> Result<Saved, AppError> {
    let attached = p.evidence.len();
    for (task_id, input) in p.evidence {
        state
            .store
            .add_evidence(p.view.report.id, task_id, input, &caller.actor)
            .await?;
    }
    let saved = state
        .store
        .save_report_on(&p.view, p.edits, p.submit, &caller.actor)
        .await?;
    let report = saved.report.clone();
    for (id, answer) in p.answers {
        state
            .store
            .answer_direction(id, answer, report.id, &caller.actor)
            .await?;
    }
    let view = (attached == 0).then(|| p.view.with_saved(saved.report, saved.tasks, saved.figures));
    Ok(Saved {
        report,
        evidence: attached,
        view,
    })
}

/// The other reports of the same unit due the same day as this one and
/// still open to it: filled in the same form.
pub async fn due_with(
    state: &AppState,
    principal: &Principal,
    view: &ReportView,
) -> Result<Vec<ReportView>, AppError> {
    let mut out = Vec::new();
    for r in state
        .store
        .reports_due_with(view.report.unit_id, view.round.unit_due_on)
        .await?
    {
        if r.id == view.report.id || !r.status.is_editable() {
            continue;
        }
        out.push(own_report(state, principal, r.id).await?);
    }
    Ok(out)
}

/// A report is sent only with every item answered (see
/// `domain::report::task_answered`): the refusal names the items left.
fn refuse_unanswered(
    view: &ReportView,
    edits: &ReportEdits,
    evidence: &[(i64, EvidenceInput)],
) -> Result<(), AppError> {
    let tasks: Vec<(i64, &TaskUpdateDraft)> =
        edits.tasks.iter().map(|(id, _, d)| (*id, &**d)).collect();
    let targets: Vec<(i64, &TargetFigureDraft)> =
        edits.targets.iter().map(|(id, _, d)| (*id, &**d)).collect();
    let attached: Vec<i64> = evidence.iter().map(|(id, _)| *id).collect();
    let left = view.unanswered_after(&tasks, &targets, &attached);
    if left.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = left
        .iter()
        .map(|u| match u {
            Unanswered::Task(_, name) => format!("nhiệm vụ {name}"),
            Unanswered::Target(_, name) => format!("chỉ tiêu “{name}”"),
        })
        .collect();
    Err(AppError::Invalid(format!(
        "Chưa gửi được: còn {} mục chưa trả lời ({}). Với mỗi mục, hãy cập nhật tình trạng (nhiệm vụ đã hoàn thành cần kết quả hoặc minh chứng), hoặc nhập số liệu và nguồn, hoặc ghi lý do chưa có số liệu, hoặc đánh dấu «Không phát sinh trong kỳ».",
        left.len(),
        names.join(", ")
    )))
}

/// One task item checked against the report and the rules: `None` when it
/// is unchanged.
fn task_edit(
    view: &ReportView,
    input: TaskItemInput,
) -> Result<Option<(i64, i64, Valid<TaskUpdateDraft>)>, AppError> {
    let item = task_item(view, input.task_id)?;
    let current = item
        .update
        .as_ref()
        .map(TaskUpdateDraft::from)
        .unwrap_or_default();
    let draft = TaskUpdateDraft {
        status: input.status.apply(current.status),
        percent: input.percent.apply(current.percent),
        result: input.result.apply(current.result.clone()),
        suspend_reason: input.suspend_reason.apply(current.suspend_reason.clone()),
        nothing_this_period: input
            .nothing_this_period
            .apply(Some(current.nothing_this_period))
            .unwrap_or(false),
    };
    if draft == current {
        return Ok(None);
    }
    let valid = draft
        .validate()
        .map_err(|e| AppError::Invalid(format!("Nhiệm vụ {}: {e}", task_name(&item.task))))?;
    Ok(Some((input.task_id, input.version, valid)))
}

fn target_edit(
    view: &ReportView,
    input: TargetItemInput,
) -> Result<Option<(i64, i64, Valid<TargetFigureDraft>)>, AppError> {
    let item = target_item(view, input.target_id)?;
    let current = item
        .figure
        .as_ref()
        .map(TargetFigureDraft::from)
        .unwrap_or_default();
    let draft = TargetFigureDraft {
        value: input.value.apply(current.value),
        source: input.source.apply(current.source.clone()),
        no_data_reason: input.no_data_reason.apply(current.no_data_reason.clone()),
        nothing_this_period: input
            .nothing_this_period
            .apply(Some(current.nothing_this_period))
            .unwrap_or(false),
    };
    if draft == current {
        return Ok(None);
    }
    let valid = draft
        .validate()
        .map_err(|e| AppError::Invalid(format!("Chỉ tiêu {}: {e}", item.target.name)))?;
    Ok(Some((input.target_id, input.version, valid)))
}

fn task_item(view: &ReportView, task_id: i64) -> Result<&TaskItem, AppError> {
    view.tasks
        .iter()
        .find(|i| i.task.id == task_id)
        .ok_or_else(|| AppError::Invalid(format!("Nhiệm vụ {task_id} không thuộc báo cáo này")))
}

fn target_item(view: &ReportView, target_id: i64) -> Result<&TargetItem, AppError> {
    view.targets
        .iter()
        .find(|i| i.target.id == target_id)
        .ok_or_else(|| AppError::Invalid(format!("Chỉ tiêu {target_id} không thuộc báo cáo này")))
}

/// How a message names a task: its number in the plan, else its id.
pub fn task_name(task: &crate::domain::task::Task) -> String {
    task.reference
        .clone()
        .unwrap_or_else(|| task.id.to_string())
}

/// The focal point's decision on a submitted report.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub accept: bool,
    /// Required to return a report: the unit must know what to fix.
    pub comment: Option<String>,
    pub items: Vec<ItemComment>,
}

/// Reads `accept` / `return`.
pub fn parse_decision(code: &str) -> Result<bool, AppError> {
    match code {
        "accept" => Ok(true),
        "return" => Ok(false),
        _ => Err(AppError::Invalid(
            "Hãy chọn tiếp nhận hoặc trả lại báo cáo".into(),
        )),
    }
}

/// Accepts a submitted report (final) or returns it to its unit, with
/// comments per item either way. The report stays as it was read by the
/// caller's round: returns the report as it is now.
pub async fn review(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: ReviewInput,
) -> Result<ReportView, AppError> {
    let view = report(state, caller.principal, id).await?;
    if !caller.principal.can_review(&view.round.scope_path) {
        return Err(AppError::Forbidden);
    }
    for item in &input.items {
        match item {
            ItemComment::Task(task_id, _) => {
                task_item(&view, *task_id)?;
            }
            ItemComment::Target(target_id, _) => {
                target_item(&view, *target_id)?;
            }
        }
    }
    let comment = input.comment.filter(|c| !c.trim().is_empty());
    state
        .store
        .review_report(id, input.accept, comment, input.items, &caller.actor)
        .await?;
    report(state, caller.principal, id).await
}

/// Evidence for one task of a report, as sent: a file (already read and
/// recognised by content), or an issued document's number and date, or a
/// link. The first one given is taken, in that order.
#[derive(Debug, Default)]
pub struct EvidenceDraft {
    pub task_id: i64,
    pub file: Option<Valid<UploadedFile>>,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub url: Option<String>,
}

/// Longest link kept as evidence.
const MAX_URL_CHARS: usize = 2000;

pub async fn add_evidence(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    draft: EvidenceDraft,
) -> Result<Evidence, AppError> {
    let view = own_report(state, caller.principal, id).await?;
    let offered = ReportInput {
        evidence: vec![EvidenceDraft {
            task_id: draft.task_id,
            file: None,
            number: None,
            date: None,
            url: None,
        }],
        ..ReportInput::default()
    };
    refuse_confidential_content(state, caller, &view, &offered).await?;
    let input = evidence_input(draft.file, draft.number, draft.date, draft.url)?;
    Ok(state
        .store
        .add_evidence(id, draft.task_id, input, &caller.actor)
        .await?)
}

fn evidence_input(
    file: Option<Valid<UploadedFile>>,
    number: Option<String>,
    date: Option<NaiveDate>,
    url: Option<String>,
) -> Result<EvidenceInput, AppError> {
    let number = number.filter(|n| !n.trim().is_empty());
    let url = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
    match (file, number, url) {
        (Some(f), _, _) => {
            let f = f.into_inner();
            Ok(EvidenceInput::File {
                bytes: f.bytes,
                content_type: f.content_type,
                file_name: f.file_name,
            })
        }
        (None, Some(number), _) => Ok(EvidenceInput::Document {
            number: number.trim().to_string(),
            date,
        }),
        (None, None, Some(url)) => {
            let web = url.starts_with("https://") || url.starts_with("http://");
            if !web || url.chars().count() > MAX_URL_CHARS {
                return Err(AppError::Invalid(
                    "Đường dẫn phải bắt đầu bằng http:// hoặc https:// (tối đa 2000 ký tự)".into(),
                ));
            }
            Ok(EvidenceInput::Link { url })
        }
        (None, None, None) => Err(AppError::Invalid(
            "Hãy chọn một tệp, hoặc nhập số văn bản, hoặc một đường dẫn làm minh chứng".into(),
        )),
    }
}
