//! What a person does with targets, for the pages and the API alike: list
//! and read them (with the figures reported and the trend's warnings),
//! create and change them.

use chrono::{Datelike, NaiveDate};

use crate::actions::access::{manageable_plan, manageable_target, readable_plan, readable_target};
use crate::actions::tasks::units_named;
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::auto_figure::AutoSource;
use crate::domain::external::ExternalChange;
use crate::domain::goal::{Direction, Goal};
use crate::domain::plan::Plan;
use crate::domain::status::{Measure, TargetState, TrajectoryWarning, target_state, trajectory};
use crate::domain::target::{Target, TargetDraft};
use crate::domain::task::{MentionInput, resolve_mentions};
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;
use crate::store::{AuditEntry, AutoFigure, Listing, Page, TargetFilter};

/// Which targets to list; never more than the caller may read.
#[derive(Debug, Default)]
pub struct TargetQuery {
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub query: Option<String>,
}

pub async fn list_targets(
    state: &AppState,
    principal: &Principal,
    q: TargetQuery,
    page: Page,
) -> Result<Listing<Target>, AppError> {
    let filter = TargetFilter {
        within_path: Some(principal.read_path.clone()),
        plan_id: q.plan_id,
        unit_id: q.unit_id,
        query: q.query,
    };
    Ok(state.store.targets(&filter, page).await?)
}

/// A figure reported for a target, judged against the goal of its year.
pub struct Figure {
    pub on: NaiveDate,
    pub value: f64,
    pub state: TargetState,
}

/// One target as its page shows it.
pub struct TargetDetails {
    pub target: Target,
    pub plan: Plan,
    pub history: Vec<AuditEntry>,
    pub figures: Vec<Figure>,
    /// Goals the trend of the figures would miss.
    pub warnings: Vec<TrajectoryWarning>,
    /// The automatic source it is linked to, and what it computed.
    pub source: Option<AutoSource>,
    pub auto_figures: Vec<AutoFigure>,
    /// Only a commune's plan has feedback and initiatives to count.
    pub linkable: bool,
    pub can_manage: bool,
}

pub async fn target_details(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<TargetDetails, AppError> {
    let target = readable_target(state, principal, id).await?;
    let plan = readable_plan(state, principal, target.plan_id).await?;
    let history = state.store.audit_of("target", id).await?;
    let measures = state.store.target_history(id).await?;
    let today = state.store.clock().today();
    let points: Vec<Measure> = measures
        .iter()
        .map(|(on, value)| Measure {
            on: *on,
            value: *value,
        })
        .collect();
    let warnings = trajectory(&target, &points, today);
    let figures = measures
        .into_iter()
        .map(|(on, value)| Figure {
            on,
            value,
            state: target_state(&target, on.year(), Some(value)),
        })
        .collect();
    let source = state.store.target_source(id).await?;
    let auto_figures = state.store.auto_figures_of(id).await?;
    Ok(TargetDetails {
        linkable: plan.commune_id.is_some(),
        can_manage: principal.can_manage(&target.scope_path),
        target,
        plan,
        history,
        figures,
        warnings,
        source,
        auto_figures,
    })
}

/// A target as a person sends it, before it is checked.
#[derive(Debug, Clone)]
pub struct TargetInput {
    /// Required to create; on a change, a plan other than the target's own
    /// is refused, since a target never moves.
    pub plan_id: Option<i64>,
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub name: String,
    pub measure_unit: Option<String>,
    pub lead: Vec<MentionInput>,
    pub goals: Vec<Goal>,
    pub note: Option<String>,
    /// Inferred from the goals when not given.
    pub direction: Option<Direction>,
    /// Its id in another system: left as it is, set, or cleared.
    pub external: ExternalChange,
}

pub async fn create_target(
    state: &AppState,
    caller: &Caller<'_>,
    input: TargetInput,
) -> Result<Target, AppError> {
    let plan_id = input
        .plan_id
        .ok_or_else(|| AppError::Invalid("Thiếu kế hoạch (plan_id)".into()))?;
    let plan = manageable_plan(state, caller.principal, plan_id).await?;
    let units = units_named(state, &plan, &[&input.lead]).await?;
    let external = input.external.apply(None);
    let draft = draft_of(input, &units)?;
    Ok(state
        .store
        .create_target_with_external(plan.id, draft, external.as_ref(), &caller.actor)
        .await?)
}

/// Changes a target read at `version`; one changed since is a conflict.
pub async fn update_target(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    input: TargetInput,
) -> Result<Target, AppError> {
    let target = manageable_target(state, caller.principal, id).await?;
    if input.plan_id.is_some_and(|p| p != target.plan_id) {
        return Err(AppError::Invalid(
            "Không thể chuyển chỉ tiêu sang kế hoạch khác".into(),
        ));
    }
    let plan = readable_plan(state, caller.principal, target.plan_id).await?;
    let units = units_named(state, &plan, &[&input.lead]).await?;
    let external = input.external.clone();
    let draft = draft_of(input, &units)?;
    Ok(state
        .store
        .update_target_with_external(id, version, draft, &external, &caller.actor)
        .await?)
}

fn draft_of(input: TargetInput, units: &[Unit]) -> Result<Valid<TargetDraft>, AppError> {
    TargetDraft {
        reference: input.reference,
        group_path: input.group_path,
        name: input.name,
        measure_unit: input.measure_unit,
        lead: resolve_mentions(input.lead, units).map_err(AppError::invalid)?,
        goals: input.goals,
        note: input.note,
        direction: input.direction,
    }
    .validate()
    .map_err(AppError::invalid)
}
