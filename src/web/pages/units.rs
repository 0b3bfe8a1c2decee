//! The unit tree and a unit's page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::Layout;
use super::views::{PlanRow, TaskRow, UnitRow, task_rows, unit_rows};
use crate::actions::access::readable_unit;
use crate::store::{Page, PlanFilter, TaskFilter};
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::session::PageAuth;

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
pub struct UnitsPage {
    layout: Layout,
    units: Vec<UnitRow>,
}

pub async fn list_units(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<UnitsPage, PageError> {
    let units = state.store.subtree(&auth.principal.read_path).await?;
    Ok(UnitsPage {
        layout: Layout::new("Cây đơn vị", &auth),
        units: unit_rows(&units),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub struct UnitPage {
    layout: Layout,
    name: String,
    kind: &'static str,
    side: &'static str,
    aliases: String,
    parent: Option<(i64, String)>,
    children: Vec<UnitRow>,
    plans: Vec<PlanRow>,
    tasks: Vec<TaskRow>,
}

pub async fn show_unit(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<UnitPage, PageError> {
    let p = &auth.principal;
    let unit = readable_unit(&state, p, id).await?;
    let parent = match unit.parent_id {
        Some(pid) => state
            .store
            .unit(pid)
            .await?
            .filter(|u| p.can_read(&u.path))
            .map(|u| (u.id, u.name)),
        None => None,
    };
    let children = state
        .store
        .units(
            &crate::store::UnitFilter {
                parent_id: Some(id),
                ..Default::default()
            },
            Page::all(),
        )
        .await?
        .items;
    let plans = state
        .store
        .plans(
            &PlanFilter {
                issuer_unit_id: Some(id),
                ..Default::default()
            },
            Page::new(Some(1), Some(50)),
        )
        .await?
        .items;
    let tasks = state
        .store
        .tasks(
            &TaskFilter {
                unit_id: Some(id),
                ..Default::default()
            },
            Page::new(Some(1), Some(200)),
        )
        .await?
        .items;
    Ok(UnitPage {
        layout: Layout::new(unit.name.clone(), &auth),
        kind: unit.kind.label_vi(),
        side: unit.side.label_vi(),
        aliases: unit.aliases.join(", "),
        name: unit.name,
        parent,
        children: unit_rows(&children),
        plans: plans.iter().map(PlanRow::from).collect(),
        tasks: task_rows(&tasks),
    })
}
