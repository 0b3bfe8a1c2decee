//! The landing page: the user's own late work first (overdue tasks, reports
//! not sent, new warnings), then the way into dashboards and plans, and
//! this year's citizen feedback and initiatives.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;

use super::Layout;
use super::feedback::{CountsView, year_counts};
use super::views::{PlanRow, TaskRow, task_rows};
use crate::store::{Page, PlanFilter, StateFilter, TaskFilter};
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::session::{MaybeAuth, PageAuth};

pub struct Missing {
    pub report_id: i64,
    pub label: String,
    pub unit: String,
    pub due: String,
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
    let store = &state.store;
    let today = store.clock().today();
    let unit = store.unit(p.unit_id).await?;
    // Overdue tasks the user's unit leads; for a level (a commune, a
    // province), every overdue task beneath it.
    let overdue_filter = TaskFilter {
        within_path: Some(p.read_path.clone()),
        unit_id: (!p.is_at_level()).then_some(p.unit_id),
        state: Some(StateFilter::Overdue(today)),
        ..TaskFilter::default()
    };
    let overdue = store
        .tasks(&overdue_filter, Page::new(Some(1), Some(10)))
        .await?;
    let missing = store
        .reports_of_units(&p.unit_path, 50)
        .await?
        .into_iter()
        .filter(|(round, r)| {
            r.status.is_editable() && round.unit_due_on < today && p.can_read(&round.scope_path)
        })
        .map(|(round, r)| Missing {
            report_id: r.id,
            label: crate::web::labels::round_label(&round),
            unit: r.unit_name,
            due: round.unit_due_on.format("%d/%m/%Y").to_string(),
        })
        .collect();
    let notices = store
        .notifications_of(p.user_id, 10)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            message: n.message,
            link: n.link,
            read: n.read,
        })
        .collect();
    let plans = store
        .plans(
            &PlanFilter {
                within_path: Some(p.read_path.clone()),
                ..PlanFilter::default()
            },
            Page::new(Some(1), Some(10)),
        )
        .await?;
    let page = HomePage {
        layout: Layout::new("Trang chủ", &auth),
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        roles: p.role_labels(),
        overdue: task_rows(&overdue.items),
        overdue_total: overdue.total,
        missing,
        notices,
        unread: store.unread_count(p.user_id).await?,
        plans: plans.items.iter().map(PlanRow::from).collect(),
        total_plans: plans.total,
        can_manage: p.can_manage(&p.unit_path),
        feedback: if p.is_at_level() {
            Some(year_counts(&state, p).await?)
        } else {
            None
        },
        recognised: state
            .store
            .recognised_count(&p.read_path, state.store.clock().today().year())
            .await?,
    };
    Ok(page.into_response())
}

/// Marks the user's notifications read.
pub async fn read_notifications(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<Response, PageError> {
    state
        .store
        .mark_notifications_read(auth.principal.user_id)
        .await?;
    Ok(Redirect::to("/").into_response())
}
