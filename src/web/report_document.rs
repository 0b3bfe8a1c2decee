//! The consolidated report of a round and its period sheet, in words: the
//! one place that says what the .docx and the .xlsx hold. The facts come
//! from `actions::exports`; `export` lays the words out as files.

use chrono::Datelike;

use super::labels::{evidence_label, period_label};
use super::pages::views::{goal_label, mentions};
use crate::actions::exports::{RoundReport, SheetFacts};
use crate::domain::auto_figure::AutoSource;
use crate::domain::plan::Plan;
use crate::domain::round::{ReportView, TaskItem, TaskUpdate};
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::domain::text::lower_first;
use crate::domain::unit::Unit;
use crate::export::{
    DocumentFormat, PeriodSheet, ReportDocument, Section, SheetTarget, SheetTask, TargetLine,
    TaskLine,
};

/// Who issues a report and signs it, in the state's words (Nghị định
/// 30/2020, for a People's Committee's plan) or the Party's (Hướng dẫn
/// 36-HD/VPTW, for a Đảng ủy's).
pub(super) struct Frame {
    pub(super) format: DocumentFormat,
    pub(super) parent_body: Option<String>,
    pub(super) issuer: String,
    /// How the body names the issuer: "Ủy ban nhân dân xã", "Đảng ủy xã".
    pub(super) speaker: &'static str,
    pub(super) symbol: &'static str,
    pub(super) addressees: Vec<String>,
    pub(super) recipients: Vec<String>,
    pub(super) signer_authority: &'static str,
    pub(super) signer_titles: Vec<String>,
}

fn frame(r: &RoundReport) -> Frame {
    frame_of(&r.plan, &r.issuer, r.province.as_ref())
}

/// The frame of a report on `plan`, issued by `issuer` under `province`.
pub(super) fn frame_of(plan: &Plan, issuer: &Unit, province: Option<&Unit>) -> Frame {
    let place = strip_level(&issuer.name);
    let province = province.map(|p| p.name.clone());
    if plan.is_party() {
        return Frame {
            format: DocumentFormat::Party,
            parent_body: province
                .as_deref()
                .map(|p| format!("ĐẢNG BỘ TỈNH {}", strip_level(p).to_uppercase())),
            issuer: format!("ĐẢNG ỦY XÃ {}", place.to_uppercase()),
            speaker: "Đảng ủy xã",
            symbol: "BC/ĐU",
            // A Party report names its superior among the recipients.
            addressees: Vec::new(),
            recipients: vec![
                "Ban Thường vụ Tỉnh ủy (để báo cáo)".into(),
                "Các đồng chí Ủy viên Ban Chấp hành Đảng bộ xã".into(),
                "Các chi, đảng bộ trực thuộc".into(),
                "Lưu Văn phòng Đảng ủy".into(),
            ],
            signer_authority: "T/M ĐẢNG ỦY",
            signer_titles: vec!["BÍ THƯ".into()],
        };
    }
    Frame {
        format: DocumentFormat::State,
        parent_body: None,
        issuer: format!("ỦY BAN NHÂN DÂN {}", issuer.name.to_uppercase()),
        speaker: "Ủy ban nhân dân xã",
        symbol: "BC-UBND",
        addressees: province
            .iter()
            .map(|p| format!("Ủy ban nhân dân {}", lower_first(p)))
            .collect(),
        recipients: recipients(province.as_deref()),
        signer_authority: "TM. ỦY BAN NHÂN DÂN",
        signer_titles: vec!["CHỦ TỊCH".into()],
    }
}

/// The commune's consolidated report of a round, in the layout of whoever
/// issued the plan.
pub fn report_document(r: &RoundReport) -> ReportDocument {
    let year = r.round.unit_due_on.year();
    let (tasks, tally) = task_lines(&r.tasks, &r.accepted);
    let (targets, measured, met) = target_lines(&r.targets, &r.accepted, &r.automatic, year);
    let period = period_label(&r.round);
    let plan_ref = plan_reference(r);
    let frame = frame(r);
    ReportDocument {
        format: frame.format,
        parent_body: frame.parent_body,
        issuer: frame.issuer,
        number: r.consolidated.as_ref().and_then(|c| c.number.clone()),
        symbol: frame.symbol.into(),
        place: strip_level(&r.issuer.name),
        date: report_date(r),
        summary: format!("Kết quả thực hiện {plan_ref} {}", period.to_lowercase()),
        addressees: frame.addressees,
        sections: sections(
            r,
            (&plan_ref, frame.speaker),
            &period,
            tally,
            (measured, met, targets.len()),
        ),
        recipients: frame.recipients,
        signer_authority: frame.signer_authority.into(),
        signer_titles: frame.signer_titles,
        signer_name: String::new(),
        tasks,
        targets,
        tasks_title: format!("KẾT QUẢ THỰC HIỆN NHIỆM VỤ {}", period.to_uppercase()),
        targets_title: format!("KẾT QUẢ THỰC HIỆN CHỈ TIÊU {}", period.to_uppercase()),
        review: None,
    }
}

/// Tasks done, in progress and not reported, as the report counts them.
#[derive(Debug, Clone, Copy, Default)]
struct TaskTally {
    done: usize,
    in_progress: usize,
    not_reported: usize,
}

/// Appendix I: each live task with what its units reported, under its
/// group headings.
fn task_lines(tasks: &[Task], views: &[ReportView]) -> (Vec<TaskLine>, TaskTally) {
    let mut lines = Vec::new();
    let mut tally = TaskTally::default();
    let mut last_group: Vec<String> = Vec::new();
    for task in tasks {
        if task.group_path != last_group {
            if let Some(g) = task.group_path.last() {
                lines.push(group_line(g));
            }
            last_group = task.group_path.clone();
        }
        let items: Vec<&TaskItem> = views
            .iter()
            .flat_map(|v| v.tasks.iter().filter(|i| i.task.id == task.id))
            .filter(|i| i.update.is_some())
            .collect();
        // The lead unit's word first; a supporting unit's if the lead said nothing.
        let update = items
            .iter()
            .find(|i| i.leads)
            .or(items.first())
            .and_then(|i| i.update.as_ref());
        match update.and_then(|u| u.status) {
            Some(s) if s.is_done() => tally.done += 1,
            Some(_) => tally.in_progress += 1,
            None => tally.not_reported += 1,
        }
        lines.push(task_line(task, update, &items));
    }
    (lines, tally)
}

fn group_line(group: &str) -> TaskLine {
    TaskLine {
        group: Some(group.to_string()),
        reference: String::new(),
        title: String::new(),
        lead: String::new(),
        deadline: String::new(),
        status: String::new(),
        progress: String::new(),
        result: String::new(),
        evidence: String::new(),
    }
}

fn task_line(task: &Task, update: Option<&TaskUpdate>, items: &[&TaskItem]) -> TaskLine {
    TaskLine {
        group: None,
        reference: task.reference.clone().unwrap_or_default(),
        title: task.title.clone(),
        lead: mentions(&task.lead),
        deadline: task.deadline.label_vi(),
        status: update
            .and_then(|u| u.status)
            .map(|s| s.label_vi().to_string())
            .unwrap_or_else(|| "Chưa báo cáo".into()),
        progress: update
            .and_then(|u| u.percent)
            .map(|p| format!("{p}%"))
            .unwrap_or_default(),
        result: update.and_then(|u| u.result.clone()).unwrap_or_default(),
        evidence: items
            .iter()
            .flat_map(|i| i.evidence.iter().map(evidence_label))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Appendix II: each target with its accepted (or automatic) figure and whether it meets
/// the year's goal; also how many have a figure and how many are met.
fn target_lines(
    targets: &[Target],
    views: &[ReportView],
    automatic: &[(i64, AutoSource, Option<f64>)],
    year: i32,
) -> (Vec<TargetLine>, usize, usize) {
    let (mut measured, mut met) = (0, 0);
    let lines = targets
        .iter()
        .map(|target| {
            let figure = views
                .iter()
                .flat_map(|v| v.targets.iter().filter(|i| i.target.id == target.id))
                .find_map(|i| i.figure.clone());
            let auto = automatic.iter().find(|(id, _, _)| *id == target.id);
            // A target fed by an automatic source is judged by that figure.
            let (value, source) = match auto {
                Some((_, source, value)) => (*value, Some(source.label_vi().to_string())),
                None => (
                    figure.as_ref().and_then(|f| f.value),
                    figure.and_then(|f| f.source),
                ),
            };
            let reached = value.and_then(|v| target.is_met(year, v));
            if value.is_some() {
                measured += 1;
            }
            if reached == Some(true) {
                met += 1;
            }
            TargetLine {
                group: None,
                reference: target.reference.clone().unwrap_or_default(),
                name: target.name.clone(),
                measure_unit: target.measure_unit.clone().unwrap_or_default(),
                lead: mentions(&target.lead),
                goal: target
                    .goal_for(year)
                    .map(|g| goal_label(g.op, g.value))
                    .unwrap_or_default(),
                value: value
                    .map(|v| crate::web::labels::number(v, 4))
                    .unwrap_or_default(),
                assessment: assessment(reached).into(),
                source: source.unwrap_or_default(),
            }
        })
        .collect();
    (lines, measured, met)
}

fn assessment(reached: Option<bool>) -> &'static str {
    match reached {
        Some(true) => "Đạt",
        Some(false) => "Chưa đạt",
        None => "Chưa có số liệu",
    }
}

fn sections(
    r: &RoundReport,
    (plan_ref, speaker): (&str, &str),
    period: &str,
    tally: TaskTally,
    (measured, met, targets_total): (usize, usize, usize),
) -> Vec<Section> {
    let c = &r.completeness;
    let year = r.round.unit_due_on.year();
    let results = vec![
        format!(
            "Thực hiện {plan_ref} của {}, {speaker} báo cáo kết quả thực hiện {} như sau (chi tiết tại Phụ lục I và Phụ lục II kèm theo).",
            r.issuer.name,
            period.to_lowercase()
        ),
        format!(
            "Về nhiệm vụ: {} nhiệm vụ đã hoàn thành, {} nhiệm vụ đang thực hiện, {} nhiệm vụ chưa có báo cáo.",
            tally.done, tally.in_progress, tally.not_reported
        ),
        format!(
            "Về chỉ tiêu: {measured}/{targets_total} chỉ tiêu có số liệu, trong đó {met} chỉ tiêu đạt mục tiêu năm {year}."
        ),
        format!(
            "Về chế độ báo cáo: {}/{} đơn vị đã gửi báo cáo ({} đúng hạn, {} trễ hạn), {} đơn vị chưa gửi{}.",
            c.on_time + c.late,
            c.expected,
            c.on_time,
            c.late,
            c.missing + c.not_due,
            if r.missing_units.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.missing_units.join(", "))
            }
        ),
    ];
    let mut results = results;
    if !r.off_track.is_empty() {
        let listed: Vec<String> = r
            .off_track
            .iter()
            .map(|t| format!("{}: {}", t.name, t.warning))
            .collect();
        results.push(format!(
            "Chỉ tiêu có nguy cơ không đạt mục tiêu theo đà hiện nay: {}.",
            listed.join("; ")
        ));
    }
    results.extend(escalated_paragraphs(r));
    results.extend(direction_paragraphs(r));
    vec![
        Section {
            heading: "I. KẾT QUẢ THỰC HIỆN".into(),
            paragraphs: results,
        },
        Section {
            heading: "II. KHÓ KHĂN, VƯỚNG MẮC".into(),
            paragraphs: notes(&r.accepted, |v| v.report.difficulties.clone()),
        },
        Section {
            heading: "III. KIẾN NGHỊ, ĐỀ XUẤT".into(),
            paragraphs: notes(&r.accepted, |v| v.report.recommendations.clone()),
        },
    ]
}

/// The leaders' directions and what each unit answered.
fn direction_paragraphs(r: &RoundReport) -> Vec<String> {
    if r.directions.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!(
        "Ý kiến chỉ đạo và việc thực hiện ({} ý kiến):",
        r.directions.len()
    )];
    for d in &r.directions {
        let answer = match &d.answer {
            Some(a) => format!("{} trả lời: {a}", d.unit_name),
            None => format!("{} chưa trả lời", d.unit_name),
        };
        out.push(format!(
            "- {} chỉ đạo về {}: {}; {answer}.",
            d.given_by,
            d.about,
            d.body.trim_end_matches('.')
        ));
    }
    out
}

/// Tasks still late after three reminders, as the leaders were told of
/// them, each with its unit's explanation (or that none was given).
fn escalated_paragraphs(r: &RoundReport) -> Vec<String> {
    if r.escalated.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!(
        "Nhiệm vụ quá hạn đã báo cáo lãnh đạo sau 3 lần nhắc chưa có tiến độ ({} nhiệm vụ):",
        r.escalated.len()
    )];
    for e in &r.escalated {
        let name = match &e.task_reference {
            Some(reference) => format!("nhiệm vụ {reference} “{}”", e.task_title),
            None => format!("nhiệm vụ “{}”", e.task_title),
        };
        let explanation = match &e.explanation {
            Some(x) => format!("giải trình: {x}"),
            None => "chưa giải trình".to_string(),
        };
        out.push(format!(
            "- {} ({}, hạn {}): {explanation}.",
            capitalize(&name),
            e.lead_unit_name,
            e.due_on.format("%d/%m/%Y")
        ));
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Each unit's note, named; "Không có." when no unit wrote one.
fn notes(views: &[ReportView], pick: fn(&ReportView) -> Option<String>) -> Vec<String> {
    let lines: Vec<String> = views
        .iter()
        .filter_map(|v| pick(v).map(|t| format!("{}: {t}", v.report.unit_name)))
        .collect();
    if lines.is_empty() {
        vec!["Không có.".into()]
    } else {
        lines
    }
}

fn plan_reference(r: &RoundReport) -> String {
    plan_reference_of(&r.plan)
}

/// `Kế hoạch số 21/KH-UBND ngày 15/4/2026`, or the plan's title.
pub(super) fn plan_reference_of(plan: &Plan) -> String {
    match (&plan.number, plan.issued_on) {
        (Some(n), Some(d)) => format!("Kế hoạch số {n} ngày {}", d.format("%d/%m/%Y")),
        (Some(n), None) => format!("Kế hoạch số {n}"),
        _ => format!("Kế hoạch “{}”", plan.title),
    }
}

fn recipients(province_name: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = province_name {
        out.push(format!("UBND {}", lower_first(p)));
    }
    out.push("Thường trực Đảng ủy xã".into());
    out.push("Lưu: VT, VHXH".into());
    out
}

/// The day the report was approved, else consolidated, else today (Vietnam
/// time).
fn report_date(r: &RoundReport) -> chrono::NaiveDate {
    r.consolidated
        .as_ref()
        .and_then(|c| c.approved_at.or(c.consolidated_at))
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| (t + chrono::Duration::hours(7)).date_naive())
        .unwrap_or(r.today)
}

/// The place name of a level unit: "Tân Phong" for "Xã Tân Phong".
pub(super) fn strip_level(name: &str) -> String {
    const LEVELS: [&str; 8] = [
        "Xã ",
        "xã ",
        "Phường ",
        "phường ",
        "Tỉnh ",
        "tỉnh ",
        "Thành phố ",
        "Đặc khu ",
    ];
    LEVELS
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name)
        .to_string()
}

/// The sheet a focal point fills for a round: every live task and target
/// of the plan, pre-filled with what units reported so far.
pub fn period_sheet(facts: &SheetFacts) -> PeriodSheet {
    let year = facts.round.unit_due_on.year();
    let tasks = facts
        .tasks
        .iter()
        .map(|t| {
            let update = facts
                .views
                .iter()
                .flat_map(|v| v.tasks.iter().filter(|i| i.task.id == t.id && i.leads))
                .find_map(|i| i.update.clone());
            SheetTask {
                id: t.id,
                reference: t.reference.clone().unwrap_or_default(),
                title: t.title.clone(),
                lead: mentions(&t.lead),
                deadline: t.deadline.label_vi(),
                status: update
                    .as_ref()
                    .and_then(|u| u.status)
                    .map(|s| s.label_vi().to_string())
                    .unwrap_or_default(),
                percent: update.as_ref().and_then(|u| u.percent),
                result: update.and_then(|u| u.result).unwrap_or_default(),
            }
        })
        .collect();
    let targets = facts
        .targets
        .iter()
        .map(|g| {
            let figure = facts
                .views
                .iter()
                .flat_map(|v| v.targets.iter().filter(|i| i.target.id == g.id))
                .find_map(|i| i.figure.clone());
            SheetTarget {
                id: g.id,
                reference: g.reference.clone().unwrap_or_default(),
                name: g.name.clone(),
                measure_unit: g.measure_unit.clone().unwrap_or_default(),
                goal: g
                    .goal_for(year)
                    .map(|x| goal_label(x.op, x.value))
                    .unwrap_or_default(),
                value: figure.as_ref().and_then(|f| f.value),
                source: figure.and_then(|f| f.source).unwrap_or_default(),
            }
        })
        .collect();
    PeriodSheet {
        plan_title: facts.round.plan_title.clone(),
        period_key: facts.round.period_key.clone(),
        period_label: period_label(&facts.round),
        tasks,
        targets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_unit_is_named_by_its_place() {
        assert_eq!(strip_level("Xã Tân Phong"), "Tân Phong");
        assert_eq!(strip_level("Tỉnh Sơn Lâm"), "Sơn Lâm");
        assert_eq!(strip_level("Ban Chỉ đạo"), "Ban Chỉ đạo");
    }

    #[test]
    fn a_round_without_notes_says_none() {
        assert_eq!(
            notes(&[], |v| v.report.difficulties.clone()),
            vec!["Không có."]
        );
    }
}
