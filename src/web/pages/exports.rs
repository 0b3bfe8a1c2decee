//! Downloads and uploads around a round: the consolidated report as .docx
//! and .xlsx, the period sheet a focal point fills, and its upload.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;

use super::attachments::attachment;
use super::rounds::load_round;
use super::views::{format_number, goal_label, mentions};
use crate::domain::period::ReportingPeriod;
use crate::domain::report::{ReportStatus, TaskStatus};
use crate::domain::target::Target;
use crate::export::{
    self, BulkRow, PeriodSheet, ReportDocument, Section, SheetTarget, SheetTask, TargetLine,
    TaskLine,
};
use crate::store::{BulkUpdate, ReportView, Round, Store, StoreError};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::session::{ClientIp, PageAuth};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn accepted_views(store: &Store, round: &Round) -> Result<Vec<ReportView>, AppError> {
    let mut views = Vec::new();
    for r in store.reports_of_round(round.id).await? {
        if r.status == ReportStatus::Accepted
            && let Some(v) = store.report_view(r.id).await?
        {
            views.push(v);
        }
    }
    Ok(views)
}

fn strip_level(name: &str) -> String {
    for prefix in [
        "Xã ",
        "xã ",
        "Phường ",
        "phường ",
        "Tỉnh ",
        "tỉnh ",
        "Thành phố ",
        "Đặc khu ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    name.to_string()
}

fn period_label(round: &Round) -> String {
    ReportingPeriod::parse_key(&round.period_key)
        .map(|p| p.label_vi())
        .unwrap_or_else(|| round.label_vi())
}

fn assessment(target: &Target, year: i32, value: Option<f64>) -> String {
    match value.and_then(|v| target.is_met(year, v)) {
        Some(true) => "Đạt".into(),
        Some(false) => "Chưa đạt".into(),
        None => "Chưa có số liệu".into(),
    }
}

/// The consolidated report of a round, in words, from its accepted reports.
pub async fn report_document(store: &Store, round: &Round) -> Result<ReportDocument, AppError> {
    let plan = store.plan(round.plan_id).await?.ok_or(AppError::NotFound)?;
    let issuer = store
        .unit(plan.issuer_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let province = match issuer.province_id.filter(|p| *p != issuer.id) {
        Some(id) => store.unit(id).await?,
        None => None,
    };
    let views = accepted_views(store, round).await?;
    let consolidated = store.consolidated(round.id).await?;
    let year = round.unit_due_on.year();
    let (completeness, _) = store.round_completeness(round.id).await?;

    let mut tasks = Vec::new();
    let mut last_group: Vec<String> = Vec::new();
    let (mut done, mut in_progress, mut not_reported) = (0, 0, 0);
    for task in store.tasks_of_plan(plan.id).await? {
        if task.draft || task.not_applicable_reason.is_some() {
            continue;
        }
        if task.group_path != last_group {
            if let Some(g) = task.group_path.last() {
                tasks.push(TaskLine {
                    group: Some(g.clone()),
                    reference: String::new(),
                    title: String::new(),
                    lead: String::new(),
                    deadline: String::new(),
                    status: String::new(),
                    progress: String::new(),
                    result: String::new(),
                    evidence: String::new(),
                });
            }
            last_group = task.group_path.clone();
        }
        // The lead unit's word first; a supporting unit's if the lead said nothing.
        let items: Vec<_> = views
            .iter()
            .flat_map(|v| v.tasks.iter().filter(|i| i.task.id == task.id))
            .filter(|i| i.update.is_some())
            .collect();
        let item = items.iter().find(|i| i.leads).or(items.first());
        let update = item.and_then(|i| i.update.clone());
        match update.as_ref().and_then(|u| u.status) {
            Some(s) if s.is_done() => done += 1,
            Some(_) => in_progress += 1,
            None => not_reported += 1,
        }
        tasks.push(TaskLine {
            group: None,
            reference: task.reference.clone().unwrap_or_default(),
            title: task.title.clone(),
            lead: mentions(&task.lead),
            deadline: task.deadline.label_vi(),
            status: update
                .as_ref()
                .and_then(|u| u.status)
                .map(|s| s.label_vi().to_string())
                .unwrap_or_else(|| "Chưa báo cáo".into()),
            progress: update
                .as_ref()
                .and_then(|u| u.percent)
                .map(|p| format!("{p}%"))
                .unwrap_or_default(),
            result: update
                .as_ref()
                .and_then(|u| u.result.clone())
                .unwrap_or_default(),
            evidence: items
                .iter()
                .flat_map(|i| i.evidence.iter().map(|e| e.describe()))
                .collect::<Vec<_>>()
                .join("; "),
        });
    }

    let mut targets = Vec::new();
    let (mut met, mut measured) = (0, 0);
    for target in store.targets_of_plan(plan.id).await? {
        let figure = views
            .iter()
            .flat_map(|v| v.targets.iter().filter(|i| i.target.id == target.id))
            .find_map(|i| i.figure.clone());
        let value = figure.as_ref().and_then(|f| f.value);
        if value.is_some() {
            measured += 1;
            if value.and_then(|v| target.is_met(year, v)) == Some(true) {
                met += 1;
            }
        }
        targets.push(TargetLine {
            group: None,
            reference: target.reference.clone().unwrap_or_default(),
            name: target.name.clone(),
            measure_unit: target.measure_unit.clone().unwrap_or_default(),
            lead: mentions(&target.lead),
            goal: target
                .goal_for(year)
                .map(|g| goal_label(g.op, g.value))
                .unwrap_or_default(),
            value: value.map(format_number).unwrap_or_default(),
            assessment: assessment(&target, year, value),
            source: figure.and_then(|f| f.source).unwrap_or_default(),
        });
    }
    let targets_total = targets.len();

    let notes = |pick: fn(&ReportView) -> Option<String>| -> Vec<String> {
        views
            .iter()
            .filter_map(|v| pick(v).map(|t| format!("{}: {t}", v.report.unit_name)))
            .collect()
    };
    let difficulties = notes(|v| v.report.difficulties.clone());
    let recommendations = notes(|v| v.report.recommendations.clone());
    let place = strip_level(&issuer.name);
    let period = period_label(round);
    let plan_ref = match (&plan.number, plan.issued_on) {
        (Some(n), Some(d)) => format!("Kế hoạch số {n} ngày {}", d.format("%d/%m/%Y")),
        (Some(n), None) => format!("Kế hoạch số {n}"),
        _ => format!("Kế hoạch “{}”", plan.title),
    };
    let sections = vec![
        Section {
            heading: "I. KẾT QUẢ THỰC HIỆN".into(),
            paragraphs: vec![
                format!(
                    "Thực hiện {plan_ref} của {}, Ủy ban nhân dân xã báo cáo kết quả thực hiện {} như sau (chi tiết tại Phụ lục I và Phụ lục II kèm theo).",
                    issuer.name,
                    period.to_lowercase()
                ),
                format!(
                    "Về nhiệm vụ: {} nhiệm vụ đã hoàn thành, {} nhiệm vụ đang thực hiện, {} nhiệm vụ chưa có báo cáo.",
                    done, in_progress, not_reported
                ),
                format!(
                    "Về chỉ tiêu: {measured}/{targets_total} chỉ tiêu có số liệu, trong đó {met} chỉ tiêu đạt mục tiêu năm {year}."
                ),
                format!(
                    "Về chế độ báo cáo: {}/{} đơn vị đã gửi báo cáo ({} đúng hạn, {} trễ hạn), {} đơn vị chưa gửi.",
                    completeness.on_time + completeness.late,
                    completeness.expected,
                    completeness.on_time,
                    completeness.late,
                    completeness.missing + completeness.not_due
                ),
            ],
        },
        Section {
            heading: "II. KHÓ KHĂN, VƯỚNG MẮC".into(),
            paragraphs: if difficulties.is_empty() {
                vec!["Không có.".into()]
            } else {
                difficulties
            },
        },
        Section {
            heading: "III. KIẾN NGHỊ, ĐỀ XUẤT".into(),
            paragraphs: if recommendations.is_empty() {
                vec!["Không có.".into()]
            } else {
                recommendations
            },
        },
    ];
    let province_name = province.as_ref().map(|p| p.name.clone());
    let mut recipients = Vec::new();
    if let Some(p) = &province_name {
        recipients.push(format!("UBND {}", crate::domain::text::lower_first(p)));
    }
    recipients.push("Thường trực Đảng ủy xã".into());
    recipients.push("Lưu: VT, VHXH".into());
    let date = consolidated
        .as_ref()
        .and_then(|c| c.approved_at.or(c.consolidated_at))
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| (t + chrono::Duration::hours(7)).date_naive())
        .unwrap_or_else(|| store.clock().today());
    Ok(ReportDocument {
        parent_body: None,
        issuer: format!("ỦY BAN NHÂN DÂN {}", issuer.name.to_uppercase()),
        number: consolidated.as_ref().and_then(|c| c.number.clone()),
        symbol: "BC-UBND".into(),
        place,
        date,
        summary: format!("Kết quả thực hiện {plan_ref} {}", period.to_lowercase()),
        addressees: province_name
            .map(|p| {
                vec![format!(
                    "Ủy ban nhân dân {}",
                    crate::domain::text::lower_first(&p)
                )]
            })
            .unwrap_or_default(),
        sections,
        recipients,
        signer_authority: "TM. ỦY BAN NHÂN DÂN".into(),
        signer_titles: vec!["CHỦ TỊCH".into()],
        signer_name: String::new(),
        tasks,
        targets,
        tasks_title: format!("KẾT QUẢ THỰC HIỆN NHIỆM VỤ {}", period.to_uppercase()),
        targets_title: format!("KẾT QUẢ THỰC HIỆN CHỈ TIÊU {}", period.to_uppercase()),
    })
}

fn file_stem(round: &Round) -> String {
    format!("bao-cao-{}", round.period_key.replace("..", "_"))
}

pub async fn report_docx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let round = load_round(&state, &auth, id).await?;
    let doc = report_document(&state.store, &round).await?;
    let bytes = export::report_docx(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .record_export(&auth.actor(&ip), "round", id, "docx")
        .await?;
    Ok(attachment(
        DOCX,
        &format!("{}.docx", file_stem(&round)),
        bytes,
    ))
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let round = load_round(&state, &auth, id).await?;
    let doc = report_document(&state.store, &round).await?;
    let bytes = export::report_xlsx(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .record_export(&auth.actor(&ip), "round", id, "xlsx")
        .await?;
    Ok(attachment(
        XLSX,
        &format!("{}.xlsx", file_stem(&round)),
        bytes,
    ))
}

/// The sheet a focal point fills for a round: every live task and target
/// of the plan, pre-filled with what units reported so far.
pub async fn period_sheet(store: &Store, round: &Round) -> Result<PeriodSheet, AppError> {
    let year = round.unit_due_on.year();
    let mut views = Vec::new();
    for r in store.reports_of_round(round.id).await? {
        if let Some(v) = store.report_view(r.id).await? {
            views.push(v);
        }
    }
    let tasks = store
        .tasks_of_plan(round.plan_id)
        .await?
        .into_iter()
        .filter(|t| !t.draft && t.not_applicable_reason.is_none())
        .map(|t| {
            let update = views
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
    let targets = store
        .targets_of_plan(round.plan_id)
        .await?
        .into_iter()
        .map(|g| {
            let figure = views
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
    Ok(PeriodSheet {
        plan_title: round.plan_title.clone(),
        period_key: round.period_key.clone(),
        period_label: period_label(round),
        tasks,
        targets,
    })
}

pub async fn sheet_xlsx(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let round = load_round(&state, &auth, id).await?;
    if !auth.principal.can_review(&round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    let sheet = period_sheet(&state.store, &round).await?;
    let bytes = export::period_sheet_xlsx(&sheet).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .record_export(&auth.actor(&ip), "round", id, "sheet")
        .await?;
    Ok(attachment(
        XLSX,
        &format!("cap-nhat-{}.xlsx", round.period_key.replace("..", "_")),
        bytes,
    ))
}

/// A filled period sheet: every row is checked before anything is stored;
/// one bad row refuses the whole file and is named.
pub async fn upload_sheet(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let round = load_round(&state, &auth, id).await?;
    if !auth.principal.can_review(&round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        AppError::BadRequest("Tệp tải lên không đọc được hoặc quá lớn (tối đa 10 MB)".into())
    })? {
        if field.name() == Some("file") {
            bytes = Some(
                field
                    .bytes()
                    .await
                    .map_err(|_| AppError::Invalid("Tệp quá lớn: tối đa 10 MB".into()))?,
            );
        }
    }
    let bytes = bytes.ok_or_else(|| AppError::Invalid("Hãy chọn tệp .xlsx đã điền".into()))?;
    let rows = export::parse_period_sheet(&bytes, &round.period_key)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let updates = bulk_updates(rows)?;
    match state.store.apply_bulk(id, updates, &auth.actor(&ip)).await {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(StoreError::Refused(m)) => Err(AppError::Invalid(m).into()),
        Err(e) => Err(e.into()),
    }
}

/// Turns sheet rows into validated domain drafts, naming the first bad row.
pub fn bulk_updates(rows: Vec<BulkRow>) -> Result<Vec<BulkUpdate>, AppError> {
    use crate::domain::report::{TargetFigureDraft, TaskUpdateDraft};
    rows.into_iter()
        .map(|row| match row {
            BulkRow::Task {
                row,
                id,
                status,
                percent,
                result,
            } => {
                let draft = TaskUpdateDraft {
                    status: Some(TaskStatus::parse_any(&status).ok_or_else(|| {
                        AppError::Invalid(format!("Dòng {row}: tình trạng “{status}” không hợp lệ"))
                    })?),
                    percent,
                    result: Some(result),
                    suspend_reason: None,
                }
                .validate()
                .map_err(|e| AppError::Invalid(format!("Dòng {row}: {e}")))?;
                Ok(BulkUpdate::Task {
                    row,
                    task_id: id,
                    draft,
                })
            }
            BulkRow::Target {
                row,
                id,
                value,
                source,
            } => {
                let draft = TargetFigureDraft {
                    value,
                    source: Some(source),
                }
                .validate()
                .map_err(|e| AppError::Invalid(format!("Dòng {row}: {e}")))?;
                Ok(BulkUpdate::Target {
                    row,
                    target_id: id,
                    draft,
                })
            }
        })
        .collect()
}
