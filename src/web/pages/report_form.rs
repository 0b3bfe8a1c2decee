//! The report form, read and written: one part per report (a unit that
//! owes several rounds due the same day fills them in one form, one part a
//! round), each task and target as a row, and the reading of what was
//! typed back into each report's input. A part's fields carry its prefix
//! (none for the report the page is about, `r{id}_` for the others), so the
//! same task in two rounds of one plan stays two items.

use super::views::{format_number, goal_label};
use crate::actions::Edit;
use crate::actions::reports::{
    EvidenceDraft, ReportInput, TargetItemInput, TaskItemInput, parse_status, task_name,
};
use crate::domain::attachment::UploadedFile;
use crate::domain::direction::Direction;
use crate::domain::goal::parse_number;
use crate::domain::report::TaskStatus;
use crate::domain::round::{ReportView, TargetItem, TaskItem};
use crate::domain::valid::Valid;
use crate::web::error::AppError;
use crate::web::forms::FormPairs;
use crate::web::labels::{evidence_label, round_label};

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
    /// A confidential task: status and progress only.
    pub confidential: bool,
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

/// A leader's direction to the unit, answered in its report.
pub struct DirectionRow {
    pub id: i64,
    pub about: String,
    pub body: String,
    pub given_by: String,
    pub given_on: String,
    pub answer: String,
}

impl From<Direction> for DirectionRow {
    fn from(d: Direction) -> Self {
        DirectionRow {
            id: d.id,
            about: d.about,
            body: d.body,
            given_by: d.given_by,
            given_on: crate::clock::vietnam_date(d.given_at)
                .format("%d/%m/%Y")
                .to_string(),
            answer: d.answer.unwrap_or_default(),
        }
    }
}

/// One report of the form.
pub struct Part {
    pub report_id: i64,
    /// Put before every field of this part's items and notes.
    pub prefix: String,
    pub plan_title: String,
    pub title: String,
    pub status: &'static str,
    pub tasks: Vec<TaskItemRow>,
    pub targets: Vec<TargetItemRow>,
    pub difficulties: String,
    pub recommendations: String,
}

impl Part {
    pub fn of(view: &ReportView, prefix: String) -> Part {
        let year = chrono::Datelike::year(&view.round.unit_due_on);
        Part {
            report_id: view.report.id,
            prefix,
            plan_title: view.round.plan_title.clone(),
            title: round_label(&view.round),
            status: view.report.status.label_vi(),
            tasks: view.tasks.iter().map(task_row).collect(),
            targets: view.targets.iter().map(|i| target_row(i, year)).collect(),
            difficulties: view.report.difficulties.clone().unwrap_or_default(),
            recommendations: view.report.recommendations.clone().unwrap_or_default(),
        }
    }

    /// Puts what a person typed back into the part (after a refusal, or
    /// from what was kept when their session ended), with the versions they
    /// had read, so a second save still notices someone else's.
    pub fn keep_typed(&mut self, f: &FormPairs) {
        let p = self.prefix.clone();
        for t in &mut self.tasks {
            let id = t.id;
            if let Some(code) = f.edit(&format!("{p}t{id}_status")) {
                for s in &mut t.statuses {
                    s.selected = s.value == code;
                }
            }
            keep(f, &format!("{p}t{id}_percent"), &mut t.percent);
            keep(f, &format!("{p}t{id}_result"), &mut t.result);
            keep(f, &format!("{p}t{id}_reason"), &mut t.reason);
            if f.has(&format!("{p}t{id}_v")) {
                t.nothing = f.checked(&format!("{p}t{id}_none"));
            }
            if let Ok(v) = f.text(&format!("{p}t{id}_v")).parse() {
                t.version = v;
            }
        }
        for g in &mut self.targets {
            let id = g.id;
            keep(f, &format!("{p}g{id}_value"), &mut g.value);
            keep(f, &format!("{p}g{id}_source"), &mut g.source);
            keep(f, &format!("{p}g{id}_nodata"), &mut g.no_data_reason);
            if f.has(&format!("{p}g{id}_v")) {
                g.nothing = f.checked(&format!("{p}g{id}_none"));
            }
            if let Ok(v) = f.text(&format!("{p}g{id}_v")).parse() {
                g.version = v;
            }
        }
        keep(f, &format!("{p}difficulties"), &mut self.difficulties);
        keep(f, &format!("{p}recommendations"), &mut self.recommendations);
    }
}

/// The form's value of a field, when it sent one.
fn keep(f: &FormPairs, name: &str, into: &mut String) {
    if f.has(name) {
        *into = f.raw(name);
    }
}

fn task_row(i: &TaskItem) -> TaskItemRow {
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
        confidential: i.task.confidential,
        answered: i.is_answered(),
    }
}

fn target_row(i: &TargetItem, year: i32) -> TargetItemRow {
    let f = i.figure.as_ref();
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
}

/// Reads one report's part of the form: each task and target as typed (a
/// field the form did not send is left as it is), and the evidence attached
/// to each task in the same request.
pub fn input_from(
    f: &FormPairs,
    files: &mut Vec<(String, Valid<UploadedFile>)>,
    view: &ReportView,
    prefix: &str,
) -> Result<ReportInput, AppError> {
    let mut input = ReportInput {
        difficulties: Edit::text(f.edit(&format!("{prefix}difficulties"))),
        recommendations: Edit::text(f.edit(&format!("{prefix}recommendations"))),
        submit: f.text("action") == "submit",
        ..ReportInput::default()
    };
    for item in &view.tasks {
        input.tasks.push(task_input(f, item, prefix)?);
        if let Some(draft) = evidence_of(f, files, prefix, item.task.id)? {
            input.evidence.push(draft);
        }
    }
    for item in &view.targets {
        input.targets.push(target_input(f, item, prefix)?);
    }
    // Directions are the unit's, answered once on the form's first part.
    if prefix.is_empty() {
        input.directions =
            f.0.iter()
                .filter_map(|(k, v)| {
                    let id = k.strip_prefix('d')?.strip_suffix("_answer")?.parse().ok()?;
                    Some((id, v.clone()))
                })
                .collect();
    }
    Ok(input)
}

fn task_input(f: &FormPairs, item: &TaskItem, p: &str) -> Result<TaskItemInput, AppError> {
    let id = item.task.id;
    let percent = match f.edit(&format!("{p}t{id}_percent")) {
        None => Edit::Keep,
        Some(v) if v.is_empty() => Edit::Set(None),
        Some(v) => Edit::Set(Some(
            v.parse::<u8>().ok().filter(|v| *v <= 100).ok_or_else(|| {
                AppError::Invalid(format!(
                    "Nhiệm vụ {}: tiến độ phải là số từ 0 đến 100",
                    task_name(&item.task)
                ))
            })?,
        )),
    };
    Ok(TaskItemInput {
        task_id: id,
        version: f.text(&format!("{p}t{id}_v")).parse::<i64>().unwrap_or(0),
        status: match f.edit(&format!("{p}t{id}_status")) {
            None => Edit::Keep,
            Some(code) => Edit::Set(parse_status(&code)?),
        },
        percent,
        result: Edit::text(f.edit(&format!("{p}t{id}_result"))),
        suspend_reason: Edit::text(f.edit(&format!("{p}t{id}_reason"))),
        nothing_this_period: checkbox(f, &format!("{p}t{id}_v"), &format!("{p}t{id}_none")),
    })
}

fn target_input(f: &FormPairs, item: &TargetItem, p: &str) -> Result<TargetItemInput, AppError> {
    let id = item.target.id;
    let value = match f.edit(&format!("{p}g{id}_value")) {
        None => Edit::Keep,
        Some(v) if v.is_empty() => Edit::Set(None),
        Some(v) => Edit::Set(Some(parse_number(&v).ok_or_else(|| {
            AppError::Invalid(format!(
                "Chỉ tiêu {}: giá trị “{v}” không phải là số",
                item.target.name
            ))
        })?)),
    };
    Ok(TargetItemInput {
        target_id: id,
        version: f.text(&format!("{p}g{id}_v")).parse::<i64>().unwrap_or(0),
        value,
        source: Edit::text(f.edit(&format!("{p}g{id}_source"))),
        no_data_reason: Edit::text(f.edit(&format!("{p}g{id}_nodata"))),
        nothing_this_period: checkbox(f, &format!("{p}g{id}_v"), &format!("{p}g{id}_none")),
    })
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
    p: &str,
    task_id: i64,
) -> Result<Option<EvidenceDraft>, AppError> {
    let field = format!("{p}t{task_id}_file");
    let file = files
        .iter()
        .position(|(name, _)| *name == field)
        .map(|i| files.remove(i).1);
    let number = f.optional(&format!("{p}t{task_id}_evnumber"));
    let url = f.optional(&format!("{p}t{task_id}_evurl"));
    if file.is_none() && number.is_none() && url.is_none() {
        return Ok(None);
    }
    Ok(Some(EvidenceDraft {
        task_id,
        file,
        number,
        date: f.date(&format!("{p}t{task_id}_evdate"), "Ngày văn bản")?,
        url,
    }))
}
