//! The landing page: the user's own late work first (overdue tasks, reports
//! not sent, new warnings), then the way into dashboards and plans, and
//! this year's citizen feedback and initiatives.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::feedback::CountsView;
use super::views::{PlanRow, TaskRow, task_rows};
use crate::actions::home;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::labels::round_label;
use crate::web::session::{MaybeAuth, PageAuth};

pub struct Missing {
    pub report_id: i64,
    pub label: String,
    pub unit: String,
    pub due: String,
}

/// A task sent to the leaders, as the home page lists it.
pub struct EscalatedRow {
    task_id: i64,
    name: String,
    lead_unit: String,
    due: String,
    reminders: i64,
    explained: bool,
}

pub struct NoticeRow {
    pub message: String,
    pub link: Option<String>,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    unit_name: String,
    roles: String,
    overdue: Vec<TaskRow>,
    overdue_total: i64,
    escalated: Vec<EscalatedRow>,
    missing: Vec<Missing>,
    notices: Vec<NoticeRow>,
    unread: i64,
    plans: Vec<PlanRow>,
    total_plans: i64,
    can_manage: bool,
    /// Citizen feedback and initiatives in the user's scope this year.
    feedback: Option<CountsView>,
    recognised: i64,
}

pub async fn show_home(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
) -> Result<Response, PageError> {
    let Some(auth) = auth else {
        return Ok(Redirect::to("/login").into_response());
    };
    let p = &auth.principal;
    let h = home::home(&state, p).await?;
    let page = HomePage {
        layout: Layout::new("Trang chủ", &auth),
        unit_name: h.unit.map(|u| u.name).unwrap_or_default(),
        roles: p.role_labels(),
        overdue: task_rows(&h.overdue.items),
        overdue_total: h.overdue.total,
        escalated: h
            .escalated
            .into_iter()
            .map(|e| EscalatedRow {
                task_id: e.task_id,
                name: match e.task_reference {
                    Some(r) => format!("{r}. {}", e.task_title),
                    None => e.task_title,
                },
                lead_unit: e.lead_unit_name,
                due: e.due_on.format("%d/%m/%Y").to_string(),
                reminders: e.reminders,
                explained: e.explanation.is_some(),
            })
            .collect(),
        missing: h
            .missing
            .into_iter()
            .map(|(round, r)| Missing {
                report_id: r.id,
                label: round_label(&round),
                unit: r.unit_name,
                due: round.unit_due_on.format("%d/%m/%Y").to_string(),
            })
            .collect(),
        notices: h
            .notices
            .into_iter()
            .map(|n| NoticeRow {
                message: n.message,
                link: n.link,
                read: n.read,
            })
            .collect(),
        unread: h.unread,
        plans: h.plans.items.iter().map(PlanRow::from).collect(),
        total_plans: h.plans.total,
        can_manage: p.can_manage(&p.unit_path),
        feedback: h
            .feedback
            .map(|(year, counts)| CountsView::new(year, counts)),
        recognised: h.recognised,
    };
    Ok(page.into_response())
}

/// Marks the user's notifications read.
pub async fn read_notifications(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<Response, PageError> {
    home::read_notifications(&state, &auth.principal).await?;
    Ok(Redirect::to("/").into_response())
}
