//! A commune's public page ("công khai, minh bạch"): its plans with their
//! progress, the share of its tasks done and overdue, its targets with
//! their latest accepted figures, and how much citizens' feedback was
//! answered. Nothing here names a person: only units, plans and figures.

use chrono::Datelike;

use super::AppError;
use crate::app::AppState;
use crate::domain::figures::{Figures, figures};
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{Page, PlanFilter, PlanProgress};

/// How many plans a commune's public page lists.
const PLANS_SHOWN: u32 = 50;

/// A target's state (`met`, …) and latest accepted value this year.
pub type TargetStanding = Option<(String, Option<f64>)>;

pub struct CommunePublic {
    pub commune: Unit,
    pub province: Option<Unit>,
    pub plans: Vec<(Plan, Option<PlanProgress>)>,
    pub figures: Figures,
    pub year: i32,
    /// Each target with its state and latest accepted value this year.
    pub targets: Vec<(Target, TargetStanding)>,
    /// Feedback answered and published.
    pub answered: i64,
}

/// Every commune, for the public index.
pub async fn communes(state: &AppState) -> Result<Vec<Unit>, AppError> {
    super::feedback::communes(state).await
}

/// A commune's public page; 404 for anything but a commune.
pub async fn commune_page(state: &AppState, id: i64) -> Result<CommunePublic, AppError> {
    let store = &state.store;
    let commune = store
        .unit(id)
        .await?
        .filter(|u| u.kind == UnitKind::Commune)
        .ok_or(AppError::NotFound)?;
    let province = match commune.parent_id {
        Some(p) => store.unit(p).await?,
        None => None,
    };
    let filter = PlanFilter {
        within_path: Some(commune.path.clone()),
        ..PlanFilter::default()
    };
    let plans = store
        .plans(&filter, Page::new(Some(1), Some(PLANS_SHOWN)))
        .await?
        .items;
    let today = store.clock().today();
    let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let progress = store.plan_progress(&ids, today).await?;
    let mut targets = Vec::new();
    for plan in &plans {
        targets.extend(store.targets_of_plan(plan.id).await?);
    }
    let year = today.year();
    let target_ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
    let standings = store.target_standings(&target_ids, year).await?;
    let calendar = store.work_calendar().await?;
    Ok(CommunePublic {
        figures: figures(&store.rollup(commune.id).await?, today, &calendar),
        plans: plans
            .into_iter()
            .map(|p| {
                let pr = progress.iter().find(|x| x.plan_id == p.id).cloned();
                (p, pr)
            })
            .collect(),
        targets: targets
            .into_iter()
            .map(|t| {
                let st = standings
                    .iter()
                    .find(|(id, _, _)| *id == t.id)
                    .map(|(_, s, v)| (s.clone(), *v));
                (t, st)
            })
            .collect(),
        year,
        answered: store
            .answered_public(Some(commune.id), Page::new(Some(1), Some(1)))
            .await?
            .total,
        commune,
        province,
    })
}
