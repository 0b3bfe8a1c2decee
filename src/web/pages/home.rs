//! The landing page: where the user stands, the plans in their scope, and
//! this year's citizen feedback and initiatives.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;

use super::Layout;
use super::feedback::{CountsView, year_counts};
use super::views::PlanRow;
use crate::store::{Page, PlanFilter};
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::session::MaybeAuth;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    unit_name: String,
    roles: String,
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
    let unit = state.store.unit(p.unit_id).await?;
    let filter = PlanFilter {
        within_path: Some(p.read_path.clone()),
        ..PlanFilter::default()
    };
    let plans = state
        .store
        .plans(&filter, Page::new(Some(1), Some(20)))
        .await?;
    let page = HomePage {
        layout: Layout::new("Trang chủ", &auth),
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        roles: p.role_labels(),
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
