//! Tasks: the searchable list, one task with its history, and the form.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Layout;
use super::filters::{Active, Chip, Pager, chips, pager};
use super::views::{
    StandingView, TaskRow, UnitOption, attach_standings, mentions, task_rows, unit_options,
};
use crate::actions::tasks::{self, TaskQuery, TaskState};
use crate::actions::units::readable_units;
use crate::actions::{directions, escalations};
use crate::clock::vietnam_date;
use crate::domain::direction::DirectionSubject;
use crate::domain::unit::Unit;
use crate::store::{AuditEntry, Page};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form, parse_date};
use crate::web::labels;
use crate::web::session::{Auth, ClientIp, PageAuth};

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    due_by: Option<String>,
    /// A level unit whose tasks to list (a dashboard's drill-down).
    within: Option<i64>,
    /// The tasks of one plan (the plan list's overdue badge).
    plan: Option<i64>,
    /// `overdue`, `due_soon`, `done_on_time` or `done_late`.
    state: Option<String>,
    unit_id: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    layout: Layout,
    q: String,
    statuses: Vec<(String, &'static str, bool)>,
    states: Vec<(&'static str, &'static str, bool)>,
    due_by: String,
    within: String,
    plan: String,
    units: Vec<UnitOption>,
    tasks: Vec<TaskRow>,
    total: String,
    chips: Vec<Chip>,
    pager: Pager,
}

/// Where a task stands against its date, as the list filters it.
const STATES: [(&str, &str); 4] = [
    ("overdue", "Quá hạn"),
    ("due_soon", "Sắp đến hạn"),
    ("done_on_time", "Hoàn thành đúng hạn"),
    ("done_late", "Hoàn thành trễ hạn"),
];

/// How many tasks a page of the list shows.
const PER_PAGE: u32 = 50;

pub async fn list_tasks(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<TasksPage, PageError> {
    let p = &auth.principal;
    let unit_id = q.unit_id.as_deref().and_then(|s| s.parse::<i64>().ok());
    let task_state = match q.state.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            TaskState::parse(name)
                .ok_or_else(|| AppError::BadRequest("Tình trạng không hợp lệ".into()))?,
        ),
    };
    let query = TaskQuery {
        within: q.within,
        plan_id: q.plan,
        unit_id,
        query: q.q.clone(),
        status: q.status.clone().filter(|s| !s.is_empty()),
        due_by: q
            .due_by
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| parse_date(d, "Hạn"))
            .transpose()?,
        state: task_state,
        ..TaskQuery::default()
    };
    let listing = tasks::list_tasks(&state, p, query, Page::new(q.page, Some(PER_PAGE))).await?;
    let units = readable_units(&state, p).await?;
    let selected: Vec<i64> = unit_id.into_iter().collect();
    let chosen = q.status.clone().unwrap_or_default();
    let mut statuses: Vec<(String, &'static str, bool)> = crate::domain::report::TaskStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label_vi(), chosen == s.as_str()))
        .collect();
    statuses.push((
        "none".into(),
        "Chưa có báo cáo được tiếp nhận",
        chosen == "none",
    ));
    let within_name = match q.within {
        Some(id) => units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("đơn vị số {id}")),
        None => String::new(),
    };
    let active = active_filters(&q, &statuses, &units, &within_name);
    let mut rows = task_rows(&listing.items);
    attach_standings(&mut rows, &tasks::standings(&state, &listing.items).await?);
    let chosen_state = q.state.clone().unwrap_or_default();
    Ok(TasksPage {
        layout: Layout::new("Nhiệm vụ", &auth),
        q: q.q.unwrap_or_default(),
        statuses,
        states: STATES
            .iter()
            .map(|(code, words)| (*code, *words, chosen_state == *code))
            .collect(),
        due_by: q.due_by.unwrap_or_default(),
        within: q.within.map(|w| w.to_string()).unwrap_or_default(),
        plan: q.plan.map(|w| w.to_string()).unwrap_or_default(),
        units: unit_options(&units, &selected),
        tasks: rows,
        total: labels::int(listing.total),
        chips: chips("/tasks", &active),
        pager: pager(
            "/tasks",
            &active,
            listing.page.page,
            PER_PAGE,
            listing.total,
        ),
    })
}

/// The list's filters in force, each in words.
fn active_filters(
    q: &ListQuery,
    statuses: &[(String, &'static str, bool)],
    units: &[Unit],
    within_name: &str,
) -> Vec<Active> {
    let mut out = Vec::new();
    let mut push = |name: &'static str, value: &Option<String>, words: &dyn Fn(&str) -> String| {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            out.push(Active {
                name,
                value: v.to_string(),
                words: words(v),
            });
        }
    };
    push("q", &q.q, &|v| format!("Từ khóa: {v}"));
    push("within", &q.within.map(|w| w.to_string()), &|_| {
        format!("Trong: {within_name}")
    });
    push("plan", &q.plan.map(|w| w.to_string()), &|v| {
        format!("Kế hoạch số {v}")
    });
    push("unit_id", &q.unit_id, &|v| {
        let name = v
            .parse::<i64>()
            .ok()
            .and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| v.to_string());
        format!("Đơn vị: {name}")
    });
    push("status", &q.status, &|v| {
        let words = statuses
            .iter()
            .find(|s| s.0 == v)
            .map(|s| s.1)
            .unwrap_or("khác");
        format!("Báo cáo: {words}")
    });
    push("state", &q.state, &|v| {
        STATES
            .iter()
            .find(|s| s.0 == v)
            .map(|s| s.1.to_string())
            .unwrap_or_else(|| v.to_string())
    });
    push("due_by", &q.due_by, &|v| {
        let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(labels::date)
            .unwrap_or_else(|_| v.to_string());
        format!("Hạn đến {day}")
    });
    out
}

pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: String,
}

pub fn history_rows(entries: &[AuditEntry]) -> Vec<HistoryRow> {
    entries
        .iter()
        .map(|e| HistoryRow {
            at: labels::date_time(e.at),
            who: e.username.clone().unwrap_or_else(|| "hệ thống".into()),
            action: labels::audit_action(&e.action).to_string(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
pub struct TaskPage {
    layout: Layout,
    id: i64,
    plan_id: i64,
    plan_title: String,
    reference: String,
    group: Vec<String>,
    title: String,
    lead: String,
    support: String,
    product: String,
    deadline: String,
    deadline_kind: &'static str,
    due: String,
    funding: String,
    basis: String,
    draft: bool,
    /// The responsible person and unit, empty when none is named.
    responsible: String,
    /// Which of the "6 rõ" it lacks, named; empty when none.
    six_clear_missing: String,
    history: Vec<HistoryRow>,
    /// Where it stands, from its latest accepted report.
    standing: StandingView,
    /// Every report that named it: who, when, what, the review.
    reports: Vec<ReportLineView>,
    can_manage: bool,
    not_applicable: Option<String>,
    parent: Option<(i64, String)>,
    children: Vec<(i64, String, String)>,
    split_targets: Vec<(i64, String)>,
    confidential: bool,
    directions: Vec<DirectionView>,
    /// The person is a leader who may give directions on the task.
    may_direct: bool,
    /// A refused direction: why, and what was typed.
    direction_error: Option<(String, String)>,
    escalations: Vec<EscalationRow>,
    /// A refused explanation: which escalation, why, and what was typed.
    explain_error: Option<(i64, String, String)>,
    /// Extension and adjustment: the deadlines, the requests, the forms.
    pub(super) ext: super::extensions::ExtensionSection,
}

/// A direction on the task and its answer, as the task page shows them.
pub struct DirectionView {
    given_by: String,
    given_on: String,
    body: String,
    unit: String,
    answer: Option<String>,
}

/// A time the task went to the leaders, as its page shows it.
pub struct EscalationRow {
    id: i64,
    version: i64,
    due: String,
    escalated_on: String,
    reminders: i64,
    lead_unit: String,
    explanation: Option<String>,
    explained_by: String,
    may_explain: bool,
}

async fn escalation_rows(
    state: &AppState,
    auth: &Auth,
    task_id: i64,
) -> Result<Vec<EscalationRow>, AppError> {
    Ok(escalations::of_task(state, &auth.principal, task_id)
        .await?
        .into_iter()
        .map(|e| EscalationRow {
            id: e.id,
            version: e.version,
            due: e.due_on.format("%d/%m/%Y").to_string(),
            escalated_on: e.escalated_on.format("%d/%m/%Y").to_string(),
            reminders: e.reminders,
            may_explain: escalations::may_explain(&auth.principal, &e),
            lead_unit: e.lead_unit_name,
            explanation: e.explanation,
            explained_by: e.explained_by_name.unwrap_or_default(),
        })
        .collect())
}

/// One report on the task page's history of reports.
pub struct ReportLineView {
    pub report_id: i64,
    pub period: String,
    pub unit: String,
    pub said: String,
    pub review: String,
    pub when: String,
    pub comment: String,
}

fn report_line(l: crate::store::TaskReportLine) -> ReportLineView {
    let status = l
        .status
        .as_deref()
        .and_then(crate::domain::report::TaskStatus::parse)
        .map(|s| s.label_vi().to_string());
    let mut said: Vec<String> = Vec::new();
    if l.nothing_this_period {
        said.push("Không phát sinh trong kỳ".into());
    }
    said.extend(status);
    said.extend(l.percent.map(|p| format!("{p}%")));
    said.extend(l.result.clone().filter(|r| !r.is_empty()));
    if l.evidence > 0 {
        said.push(format!("{} minh chứng", labels::int(l.evidence)));
    }
    let review = crate::domain::report::ReportStatus::parse(&l.report_status)
        .map(|s| s.label_vi())
        .unwrap_or("Khác")
        .to_string();
    ReportLineView {
        report_id: l.report_id,
        period: l
            .round_title
            .clone()
            .unwrap_or_else(|| labels::period_key(&l.period_key)),
        unit: l.unit_name,
        said: said.join(" · "),
        review,
        when: l
            .reviewed_at
            .or(l.submitted_at)
            .map(labels::date_time)
            .unwrap_or_default(),
        comment: l.review_comment.unwrap_or_default(),
    }
}

pub async fn show_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<TaskPage, PageError> {
    Ok(task_page(&state, &auth, id).await?)
}

pub(super) async fn task_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> Result<TaskPage, AppError> {
    let d = tasks::task_details(state, &auth.principal, id).await?;
    let standing = tasks::standings(state, std::slice::from_ref(&d.task))
        .await?
        .first()
        .map(StandingView::from)
        .ok_or(AppError::NotFound)?;
    let reports = tasks::report_lines(state, &auth.principal, id)
        .await?
        .into_iter()
        .map(report_line)
        .collect();
    let task = d.task;
    let reference = task.reference.clone().unwrap_or_default();
    Ok(TaskPage {
        layout: Layout::new(format!("Nhiệm vụ {reference}"), auth),
        id,
        plan_id: d.plan.id,
        plan_title: d.plan.title,
        reference,
        group: task.group_path.clone(),
        title: task.title.clone(),
        lead: mentions(&task.lead),
        support: mentions(&task.support),
        product: task.product.clone().unwrap_or_default(),
        deadline: task.deadline.label_vi(),
        deadline_kind: task.deadline.kind().label_vi(),
        due: task
            .deadline
            .final_due_date()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        funding: task.funding.clone().unwrap_or_default(),
        basis: task.legal_basis.clone().unwrap_or_default(),
        draft: task.draft,
        responsible: d.responsible.unwrap_or_default(),
        six_clear_missing: crate::domain::six_clear::names_vi(
            &crate::domain::six_clear::missing_of_task(&task),
        ),
        history: history_rows(&d.history),
        standing,
        reports,
        can_manage: d.can_manage,
        not_applicable: task.not_applicable_reason.clone(),
        parent: d.parent.map(|t| (t.id, t.title)),
        children: d
            .children
            .into_iter()
            .map(|(child, unit)| (child.id, unit, child.title))
            .collect(),
        split_targets: d
            .split_choices
            .into_iter()
            .map(|(plan, unit)| (plan.id, format!("{unit} — {}", plan.title)))
            .collect(),
        confidential: task.confidential,
        directions: directions::of_task(state, &auth.principal, id)
            .await?
            .into_iter()
            .map(|d| DirectionView {
                given_by: d.given_by,
                given_on: vietnam_date(d.given_at).format("%d/%m/%Y").to_string(),
                body: d.body,
                unit: d.unit_name,
                answer: d.answer,
            })
            .collect(),
        may_direct: directions::may_direct(&auth.principal, &task.scope_path),
        direction_error: None,
        escalations: escalation_rows(state, auth, id).await?,
        explain_error: None,
        ext: super::extensions::section(state, auth, &task).await?,
    })
}

/// A leader's direction on the task; a refused one shows the page again
/// with what was typed.
pub async fn give_direction(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let text = f.text("body");
    let subject = DirectionSubject::Task(id);
    let result = directions::give(&state, &auth.caller(&ip), subject, &text).await;
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |_| redirect_with(&format!("/tasks/{id}#directions"), Flash::Saved, secure),
        |error| async move {
            let mut page = task_page(&state, &auth, id).await?;
            page.direction_error = Some((error.to_string(), text));
            Ok(page)
        },
    )
    .await
}

/// The lead unit's explanation of an escalated task; a refused one shows
/// the task page again with what was typed.
pub async fn explain_escalation(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let text = f.text("explanation");
    let result = escalations::explain(&state, &auth.caller(&ip), id, version, &text).await;
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |e| {
            redirect_with(
                &format!("/tasks/{}#escalations", e.task_id),
                Flash::Explained,
                secure,
            )
        },
        |error| async move {
            let e = escalations::readable(&state, &auth.principal, id).await?;
            let mut page = task_page(&state, &auth, e.task_id).await?;
            page.explain_error = Some((id, error.to_string(), text));
            Ok(page)
        },
    )
    .await
}

/// A changed deadline keeps the reason it changed for.
pub async fn change_deadline(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let caller = auth.caller(&ip);
    tasks::change_deadline(&state, &caller, id, &f.text("deadline"), &f.text("reason")).await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

/// Marks the task not applicable with a reason, or (`applicable=1`)
/// applicable again.
pub async fn set_not_applicable(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let applies = f.text("applicable") == "1";
    let reason = f.optional("reason");
    tasks::set_applicability(&state, &auth.caller(&ip), id, applies, reason.as_deref()).await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

/// Hands a higher-level task down to the commune plans that implement its
/// plan, as draft tasks linked to it.
pub async fn split_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let chosen = f.ids("plan", "Kế hoạch")?;
    tasks::split_task(&state, &auth.caller(&ip), id, &chosen).await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}
