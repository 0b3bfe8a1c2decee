//! A review over the term (giao ban quý, sơ kết 6 tháng, tổng kết năm,
//! sơ kết giữa nhiệm kỳ, tổng kết nhiệm kỳ) in words: the one place that
//! says what its .docx and .xlsx hold. The facts come from
//! `actions::reviews`, the header and signature from the same frame as a
//! round's consolidated report (the state's or the Party's, as the plan's
//! issuer is), the files from `export`.

use super::labels::number;
use super::pages::views::{goal_label, mentions};
use super::report_document::{frame_of, plan_reference_of, strip_level};
use crate::actions::reviews::ReviewFacts;
use crate::domain::report::TaskStatus;
use crate::domain::review::{
    Accumulation, FigureCell, ReviewKind, TargetReview, TaskCell, TaskReview,
};
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::export::{ReportDocument, ReviewTables, ReviewTargetLine, ReviewTaskLine, Section};

/// The review as a document, in the layout of whoever issued the plan.
pub fn review_document(f: &ReviewFacts) -> ReportDocument {
    let frame = frame_of(&f.plan, &f.issuer, f.province.as_ref());
    let plan_ref = plan_reference_of(&f.plan);
    let span = f.span.label_vi();
    let summary = match f.span.kind {
        ReviewKind::Quarter(_) => format!("Giao ban {span}: kết quả thực hiện {plan_ref}"),
        ReviewKind::HalfYear(_) => format!("Sơ kết {span} thực hiện {plan_ref}"),
        ReviewKind::Year => format!("Tổng kết {span} thực hiện {plan_ref}"),
        ReviewKind::MidTerm => format!("Sơ kết giữa nhiệm kỳ thực hiện {plan_ref} {span}"),
        ReviewKind::EndOfTerm => format!("Tổng kết thực hiện {plan_ref} {span}"),
    };
    let tables = tables(f);
    ReportDocument {
        format: frame.format,
        parent_body: frame.parent_body,
        issuer: frame.issuer,
        number: None,
        symbol: frame.symbol.into(),
        place: strip_level(&f.issuer.name),
        date: f.today,
        summary,
        addressees: frame.addressees,
        sections: sections(f, &plan_ref, frame.speaker),
        recipients: frame.recipients,
        signer_authority: frame.signer_authority.into(),
        signer_titles: frame.signer_titles,
        signer_name: String::new(),
        tasks: Vec::new(),
        targets: Vec::new(),
        tasks_title: format!("KẾT QUẢ THỰC HIỆN NHIỆM VỤ {}", span.to_uppercase()),
        targets_title: format!("KẾT QUẢ THỰC HIỆN CHỈ TIÊU {}", span.to_uppercase()),
        review: Some(tables),
    }
}

/// The file's name without extension: `tong-ket-nam-2026`.
pub fn file_stem(f: &ReviewFacts) -> String {
    let first = f.span.columns.first().map_or(0, |c| c.year_number());
    let last = f.span.end_year();
    match f.span.kind {
        ReviewKind::Quarter(q) => format!("giao-ban-quy-{q}-{first}"),
        ReviewKind::HalfYear(h) => format!("so-ket-6-thang-{h}-{first}"),
        ReviewKind::Year => format!("tong-ket-nam-{first}"),
        ReviewKind::MidTerm => format!("so-ket-giua-nhiem-ky-{first}-{last}"),
        ReviewKind::EndOfTerm => format!("tong-ket-nhiem-ky-{first}-{last}"),
    }
}

fn tables(f: &ReviewFacts) -> ReviewTables {
    let columns: Vec<String> = f.span.columns.iter().map(|c| c.label_vi()).collect();
    let mut tasks = Vec::new();
    let mut last_group: Vec<String> = Vec::new();
    for (task, review) in f.tasks.iter().zip(&f.task_reviews) {
        if task.group_path != last_group {
            if let Some(g) = task.group_path.last() {
                tasks.push(ReviewTaskLine {
                    group: Some(g.clone()),
                    reference: String::new(),
                    title: String::new(),
                    lead: String::new(),
                    deadline: String::new(),
                    cells: Vec::new(),
                    last: String::new(),
                    completed_in: String::new(),
                });
            }
            last_group = task.group_path.clone();
        }
        tasks.push(task_line(task, review, &columns));
    }
    let year = f.span.end_year();
    let targets = f
        .targets
        .iter()
        .zip(&f.target_reviews)
        .map(|(t, r)| target_line(t, r, &columns, year))
        .collect();
    ReviewTables {
        span: format!("Cả {}", f.span.label_vi()),
        completed: f.completed.iter().map(usize::to_string).collect(),
        completed_total: f.completed.iter().sum::<usize>().to_string(),
        columns,
        tasks,
        targets,
    }
}

fn task_words(cell: &TaskCell) -> String {
    match cell {
        TaskCell::Missing => "Chưa có báo cáo".into(),
        TaskCell::Nothing => "Không phát sinh".into(),
        TaskCell::Reported { status, percent } => {
            match (status.map(TaskStatus::label_vi), percent) {
                (Some(s), Some(p)) => format!("{s} ({p}%)"),
                (Some(s), None) => s.to_string(),
                (None, Some(p)) => format!("{p}%"),
                (None, None) => "Đã báo cáo".into(),
            }
        }
    }
}

fn task_line(task: &Task, review: &TaskReview, columns: &[String]) -> ReviewTaskLine {
    let last = match (&review.last, &review.result) {
        (None, _) => "Chưa có báo cáo".to_string(),
        (Some(cell), Some(result)) => format!("{}: {result}", task_words(cell)),
        (Some(cell), None) => task_words(cell),
    };
    ReviewTaskLine {
        group: None,
        reference: task.reference.clone().unwrap_or_default(),
        title: task.title.clone(),
        lead: mentions(&task.lead),
        deadline: task.deadline.label_vi(),
        cells: review.cells.iter().map(task_words).collect(),
        last,
        completed_in: review
            .done_in
            .and_then(|c| columns.get(c).cloned())
            .unwrap_or_default(),
    }
}

fn target_line(
    target: &Target,
    review: &TargetReview,
    columns: &[String],
    year: i32,
) -> ReviewTargetLine {
    let cells = review
        .cells
        .iter()
        .map(|c| match c {
            FigureCell::Missing => "Chưa có số liệu".to_string(),
            FigureCell::Nothing => "Không phát sinh".to_string(),
            FigureCell::Value(v) => number(*v, 4),
        })
        .collect();
    let missing: Vec<&str> = review
        .missing
        .iter()
        .filter_map(|i| columns.get(*i).map(String::as_str))
        .collect();
    let total = match (review.total, review.accumulation) {
        (None, _) => "Chưa có số liệu".to_string(),
        (Some(v), Accumulation::Sum) if missing.is_empty() => format!("Cộng: {}", number(v, 4)),
        (Some(v), Accumulation::Sum) => format!(
            "Cộng: {} (thiếu số liệu {})",
            number(v, 4),
            missing.join(", ")
        ),
        (Some(v), Accumulation::Latest) => format!("Mới nhất: {}", number(v, 4)),
    };
    let assessment = match review.total.map(|v| target.is_met(year, v)) {
        None => "Chưa có số liệu",
        Some(Some(true)) => "Đạt",
        Some(Some(false)) => "Chưa đạt",
        Some(None) => "",
    };
    ReviewTargetLine {
        group: None,
        reference: target.reference.clone().unwrap_or_default(),
        name: target.name.clone(),
        measure_unit: target.measure_unit.clone().unwrap_or_default(),
        goal: target
            .goal_for(year)
            .map(|g| goal_label(g.op, g.value))
            .unwrap_or_default(),
        cells,
        total,
        assessment: assessment.into(),
    }
}

fn sections(f: &ReviewFacts, plan_ref: &str, speaker: &str) -> Vec<Section> {
    let span = f.span.label_vi();
    let columns: Vec<String> = f.span.columns.iter().map(|c| c.label_vi()).collect();
    let per_period: Vec<String> = columns
        .iter()
        .zip(&f.completed)
        .map(|(c, n)| format!("{c}: {n}"))
        .collect();
    let completed: usize = f.completed.iter().sum();
    let unreported = f.task_reviews.iter().filter(|t| t.last.is_none()).count();
    let year = f.span.end_year();
    let measured = f
        .target_reviews
        .iter()
        .filter(|t| t.total.is_some())
        .count();
    let met = f
        .targets
        .iter()
        .zip(&f.target_reviews)
        .filter(|(t, r)| r.total.and_then(|v| t.is_met(year, v)) == Some(true))
        .count();
    let results = vec![
        format!(
            "Thực hiện {plan_ref} của {}, {speaker} báo cáo kết quả thực hiện {span} như sau (chi tiết tại Phụ lục I và Phụ lục II kèm theo). Số liệu chỉ tính từ các báo cáo đã được tiếp nhận; kỳ chưa có số liệu được ghi «Chưa có số liệu», không tính bằng 0.",
            f.issuer.name
        ),
        format!(
            "Về nhiệm vụ: {completed}/{} nhiệm vụ hoàn thành trong {span} ({}); {unreported} nhiệm vụ chưa có báo cáo nào trong kỳ.",
            f.tasks.len(),
            per_period.join("; ")
        ),
        format!(
            "Về chỉ tiêu: {measured}/{} chỉ tiêu có số liệu, trong đó {met} chỉ tiêu đạt mục tiêu năm {year}.",
            f.targets.len()
        ),
    ];
    let gaps: Vec<String> = f
        .targets
        .iter()
        .zip(&f.target_reviews)
        .filter(|(_, r)| !r.missing.is_empty())
        .map(|(t, r)| {
            let periods: Vec<&str> = r
                .missing
                .iter()
                .filter_map(|i| columns.get(*i).map(String::as_str))
                .collect();
            format!("{}: {}", t.name, periods.join(", "))
        })
        .collect();
    vec![
        Section {
            heading: "I. KẾT QUẢ THỰC HIỆN".into(),
            paragraphs: results,
        },
        Section {
            heading: "II. CHỈ TIÊU CHƯA CÓ SỐ LIỆU".into(),
            paragraphs: if gaps.is_empty() {
                vec!["Không có.".into()]
            } else {
                gaps
            },
        },
    ]
}
