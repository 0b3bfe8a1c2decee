//! The landing page: "Việc cần làm" first (what waits for this person, by
//! role, each item a link to the page that does it), then the way into
//! dashboards and plans, and this year's citizen feedback and initiatives.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::feedback::CountsView;
use super::todo::{TodoSection, sections};
use super::views::PlanRow;
use crate::actions::home;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::session::{MaybeAuth, PageAuth};

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    unit_name: String,
    roles: String,
    todo: Vec<TodoSection>,
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
        todo: sections(
            &h.todo,
            state.store.clock().today(),
            p.unit_id,
            p.is_at_level(),
        ),
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
