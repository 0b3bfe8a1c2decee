//! The unit tree and a unit's page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;

use super::Layout;
use super::views::{PlanRow, TaskRow, UnitRow, task_rows, unit_rows};
use crate::actions::onboarding::apply_template;
use crate::actions::units::{readable_units, unit_details};
use crate::domain::unit::UnitKind;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::flash::{Flash, redirect_with};
use crate::web::session::{ClientIp, PageAuth};

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
    let units = readable_units(&state, &auth.principal).await?;
    Ok(UnitsPage {
        layout: Layout::new("Cây đơn vị", &auth),
        units: unit_rows(&units),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub struct UnitPage {
    layout: Layout,
    id: i64,
    name: String,
    kind: &'static str,
    side: &'static str,
    aliases: String,
    parent: Option<(i64, String)>,
    /// The official code of a province or commune.
    code: Option<String>,
    /// The day it was merged into its parent, as dd/mm/yyyy.
    merged_on: Option<String>,
    /// The day it ended otherwise (split, dissolved), as dd/mm/yyyy.
    ended_on: Option<String>,
    /// Lịch sử đơn vị: (dd/mm/yyyy, kind in words, the event in words).
    history: Vec<(String, &'static str, String)>,
    /// "Tên cũ (đến dd/mm/yyyy)", oldest first.
    former_names: Vec<String>,
    /// The unit's id when the reader may download its subtree's export.
    export: Option<i64>,
    children: Vec<UnitRow>,
    plans: Vec<PlanRow>,
    tasks: Vec<TaskRow>,
    /// An administrator of a commune in force may add its usual units.
    can_template: bool,
}

pub async fn show_unit(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<UnitPage, PageError> {
    let d = unit_details(&state, &auth.principal, id).await?;
    let unit = d.unit;
    let can_template = unit.kind == UnitKind::Commune
        && unit.ended_on.is_none()
        && auth.principal.can_administer(&unit.path);
    Ok(UnitPage {
        id: unit.id,
        can_template,
        layout: Layout::new(unit.name.clone(), &auth),
        kind: unit.kind.label_vi(),
        side: unit.side.label_vi(),
        aliases: unit.aliases.join(", "),
        name: unit.name,
        parent: d.parent.map(|u| (u.id, u.name)),
        code: unit.code,
        merged_on: unit
            .ended_on
            .filter(|_| unit.successor_id.is_some() && unit.successor_id == unit.parent_id)
            .map(|d| d.format("%d/%m/%Y").to_string()),
        ended_on: unit
            .ended_on
            .filter(|_| unit.successor_id.is_none() || unit.successor_id != unit.parent_id)
            .map(|d| d.format("%d/%m/%Y").to_string()),
        history: d
            .history
            .iter()
            .map(|e| {
                (
                    e.effective_on.format("%d/%m/%Y").to_string(),
                    e.kind.label_vi(),
                    e.describe_vi(unit.id),
                )
            })
            .collect(),
        former_names: d
            .former_names
            .iter()
            .map(|f| format!("{} (đến {})", f.name, f.until_on.format("%d/%m/%Y")))
            .collect(),
        export: auth.principal.can_export(&unit.path).then_some(unit.id),
        children: unit_rows(&d.children),
        plans: d.plans.iter().map(PlanRow::from).collect(),
        tasks: task_rows(&d.tasks),
    })
}

/// An administrator adds the commune's usual working units it lacks.
pub async fn apply_unit_template(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    apply_template(&state, &auth.caller(&ip), id).await?;
    Ok(redirect_with(
        &format!("/units/{id}"),
        Flash::Saved,
        state.config.secure_cookies,
    ))
}
