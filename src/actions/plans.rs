//! What a person does with plans, for the pages and the API alike: list
//! and read them, issue one for a level they manage, and change its header
//! and reporting regime.

use chrono::NaiveDate;

use crate::actions::access::{manageable_plan, readable_plan, readable_unit};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::external::ExternalChange;
use crate::domain::plan::{Plan, PlanDraft, ReportingRegime};
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::store::{Listing, Page, PlanFilter};

/// Which plans to list; never more than the caller may read.
#[derive(Debug, Default)]
pub struct PlanQuery {
    pub issuer_unit_id: Option<i64>,
    pub query: Option<String>,
}

pub async fn list_plans(
    state: &AppState,
    principal: &Principal,
    q: PlanQuery,
    page: Page,
) -> Result<Listing<Plan>, AppError> {
    let filter = PlanFilter {
        within_path: Some(principal.read_path.clone()),
        issuer_unit_id: q.issuer_unit_id,
        query: q.query,
    };
    Ok(state.store.plans(&filter, page).await?)
}

/// One plan as its page shows it.
pub struct PlanDetails {
    pub plan: Plan,
    pub issuer_name: Option<String>,
    /// The higher-level plans it implements.
    pub implements: Vec<Plan>,
    /// The lower-level plans that implement it and the caller may read.
    pub implemented_by: Vec<Plan>,
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    pub can_manage: bool,
}

pub async fn plan_details(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<PlanDetails, AppError> {
    let plan = readable_plan(state, principal, id).await?;
    let issuer_name = state.store.unit(plan.issuer_unit_id).await?.map(|u| u.name);
    // Shown as the plan names them, even those the caller could not open:
    // they are part of what this plan says.
    let mut implements = Vec::new();
    for parent in &plan.implements {
        if let Some(higher) = state.store.plan(*parent).await? {
            implements.push(higher);
        }
    }
    let implemented_by = state
        .store
        .plans_implementing(id)
        .await?
        .into_iter()
        .filter(|c| principal.can_read(&c.issuer_path))
        .collect();
    let tasks = state.store.tasks_of_plan(id).await?;
    let targets = state.store.targets_of_plan(id).await?;
    Ok(PlanDetails {
        can_manage: principal.can_manage(&plan.issuer_path),
        plan,
        issuer_name,
        implements,
        implemented_by,
        tasks,
        targets,
    })
}

/// A plan's header and regime as a person sends them, before they are
/// checked.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub title: String,
    pub basis: Vec<String>,
    /// The higher-level plans it implements; `None` keeps those stored (the
    /// page's form does not show them).
    pub implements: Option<Vec<i64>>,
    pub regime: ReportingRegime,
    /// Its id in another system: left as it is, set, or cleared.
    pub external: ExternalChange,
}

impl PlanInput {
    /// The draft to check, for a plan of `issuer_unit_id` implementing
    /// `implements`.
    pub fn into_draft(self, issuer_unit_id: i64, implements: Vec<i64>) -> PlanDraft {
        PlanDraft {
            issuer_unit_id,
            number: self.number,
            issued_on: self.issued_on,
            place: self.place,
            title: self.title,
            basis: self.basis,
            implements,
            regime: self.regime,
        }
    }
}

/// Issues a plan for a level unit the caller manages; any plan it names
/// as implemented must be readable.
pub async fn create_plan(
    state: &AppState,
    caller: &Caller<'_>,
    issuer_unit_id: i64,
    mut input: PlanInput,
) -> Result<Plan, AppError> {
    let p = caller.principal;
    let issuer = readable_unit(state, p, issuer_unit_id).await?;
    if !p.can_manage(&issuer.path) || !issuer.kind.is_level() {
        return Err(AppError::Forbidden);
    }
    let implements = input.implements.take().unwrap_or_default();
    check_readable(state, p, &implements).await?;
    let external = input.external.apply(None);
    let draft = input
        .into_draft(issuer.id, implements)
        .validate()
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .create_plan_with_external(draft, external.as_ref(), &caller.actor)
        .await?)
}

/// Changes a plan read at `version`; its issuer never changes, and a plan
/// changed since is a conflict.
pub async fn update_plan(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    mut input: PlanInput,
) -> Result<Plan, AppError> {
    let p = caller.principal;
    let plan = manageable_plan(state, p, id).await?;
    let implements = match input.implements.take() {
        Some(given) => {
            check_readable(state, p, &given).await?;
            given
        }
        None => plan.implements.clone(),
    };
    let external = input.external.clone();
    let draft = input
        .into_draft(plan.issuer_unit_id, implements)
        .validate()
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .update_plan_with_external(id, version, draft, &external, &caller.actor)
        .await?)
}

async fn check_readable(state: &AppState, p: &Principal, plans: &[i64]) -> Result<(), AppError> {
    for id in plans {
        readable_plan(state, p, *id).await?;
    }
    Ok(())
}

/// The progress of each of these plans (already read, so readable).
pub async fn progress(
    state: &AppState,
    plans: &[Plan],
) -> Result<Vec<crate::store::PlanProgress>, AppError> {
    let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let today = state.store.clock().today();
    Ok(state.store.plan_progress(&ids, today).await?)
}
