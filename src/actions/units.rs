//! What a person does with the unit tree, for the pages and the API alike:
//! read the part of it they may see, and (an administrator) add or change
//! a unit under one they administer.

use chrono::NaiveDate;

use crate::actions::access::{administrable_unit, readable_unit};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::external::ExternalChange;
use crate::domain::plan::Plan;
use crate::domain::task::Task;
use crate::domain::unit::{FormerName, Side, Unit, UnitDraft, UnitError, UnitKind, check_rename};
use crate::domain::unit_history::UnitEvent;
use crate::store::{Listing, Page, PlanFilter, TaskFilter, UnitFilter};

/// Which units to list; never more than the caller may read.
#[derive(Debug, Default)]
pub struct UnitQuery {
    pub parent_id: Option<i64>,
    pub query: Option<String>,
}

pub async fn list_units(
    state: &AppState,
    principal: &Principal,
    q: UnitQuery,
    page: Page,
) -> Result<Listing<Unit>, AppError> {
    let filter = UnitFilter {
        within_path: Some(principal.read_path.clone()),
        parent_id: q.parent_id,
        kind: None,
        query: q.query,
    };
    Ok(state.store.units(&filter, page).await?)
}

/// Every unit the caller may read, in tree order.
pub async fn readable_units(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<Unit>, AppError> {
    Ok(state.store.subtree(&principal.read_path).await?)
}

/// One unit as its page shows it.
pub struct UnitDetails {
    pub unit: Unit,
    /// The unit above, if the caller may read it.
    pub parent: Option<Unit>,
    pub children: Vec<Unit>,
    /// The first plans it issued.
    pub plans: Vec<Plan>,
    /// The first tasks it leads or supports.
    pub tasks: Vec<Task>,
    /// The names it had before, oldest first.
    pub former_names: Vec<FormerName>,
    /// What happened to it, oldest first.
    pub history: Vec<UnitEvent>,
}

pub async fn unit_details(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<UnitDetails, AppError> {
    let unit = readable_unit(state, principal, id).await?;
    let parent = match unit.parent_id {
        Some(pid) => state
            .store
            .unit(pid)
            .await?
            .filter(|u| principal.can_read(&u.path)),
        None => None,
    };
    let children = state
        .store
        .units(
            &UnitFilter {
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
    let former_names = state.store.former_names(id).await?;
    let history = state.store.unit_history(id).await?;
    Ok(UnitDetails {
        unit,
        parent,
        children,
        plans,
        tasks,
        former_names,
        history,
    })
}

/// A unit as a person sends it, before it is checked.
#[derive(Debug, Clone)]
pub struct UnitInput {
    /// Required to create; a change that names another parent is refused
    /// (a unit moves only as an event of its history, with its date).
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub side: Side,
    /// Its id in another system: left as it is, set, or cleared.
    pub external: ExternalChange,
}

/// Adds a unit under one the caller administers.
pub async fn create_unit(
    state: &AppState,
    caller: &Caller<'_>,
    input: UnitInput,
) -> Result<Unit, AppError> {
    let parent_id = input
        .parent_id
        .ok_or_else(|| AppError::Invalid("Thiếu đơn vị cấp trên (parent_id)".into()))?;
    let parent = administrable_unit(state, caller.principal, parent_id).await?;
    let draft = UnitDraft {
        parent_id: Some(parent.id),
        kind: input.kind,
        name: input.name,
        aliases: input.aliases,
        side: input.side,
    }
    .validate(Some(parent.kind))
    .map_err(AppError::invalid)?;
    let external = input.external.apply(None);
    Ok(state
        .store
        .create_unit_with_external(draft, external.as_ref(), &caller.actor)
        .await?)
}

/// Changes a unit read at `version`; one changed since is a conflict.
pub async fn update_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    input: UnitInput,
) -> Result<Unit, AppError> {
    let unit = administrable_unit(state, caller.principal, id).await?;
    if input.parent_id.is_some() && input.parent_id != unit.parent_id {
        return Err(AppError::Invalid(
            "Không thể đổi đơn vị cấp trên (parent_id) khi sửa đơn vị: hãy bỏ trống hoặc gửi \
             đúng đơn vị cấp trên hiện tại"
                .into(),
        ));
    }
    if input.kind != unit.kind && (input.kind.is_level() || unit.kind.is_level()) {
        return Err(AppError::Invalid(format!(
            "Không thể đổi loại đơn vị từ \"{}\" sang \"{}\": cấp hành chính (tỉnh, xã) \
             chỉ thay đổi qua sáp nhập, chia tách hoặc giải thể",
            unit.kind.label_vi(),
            input.kind.label_vi()
        )));
    }
    let parent_kind = match unit.parent_id {
        Some(pid) => state.store.unit(pid).await?.map(|p| p.kind),
        None => None,
    };
    let external = input.external.clone();
    let draft = UnitDraft {
        parent_id: unit.parent_id,
        kind: input.kind,
        name: input.name,
        aliases: input.aliases,
        side: input.side,
    }
    .validate(parent_kind)
    .map_err(AppError::invalid)?;
    Ok(state
        .store
        .update_unit_with_external(id, version, draft, &external, &caller.actor)
        .await?)
}

/// Renames a unit read at `version` from `effective_on` (today at the
/// latest, after its last rename); the name it had is kept until then.
pub async fn rename_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    name: &str,
    effective_on: NaiveDate,
) -> Result<Unit, AppError> {
    let unit = administrable_unit(state, caller.principal, id).await?;
    let name = crate::domain::text::normalize_spaces(name);
    if name.is_empty() {
        return Err(AppError::invalid(UnitError::EmptyName));
    }
    if name.chars().count() > 300 {
        return Err(AppError::invalid(UnitError::NameTooLong));
    }
    let former = state.store.former_names(id).await?;
    let today = state.store.clock().today();
    check_rename(&unit.name, &name, &former, effective_on, today).map_err(AppError::invalid)?;
    let last = state.store.last_unit_event_on(id).await?;
    crate::domain::unit_history::check_date(effective_on, last, today)
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .rename_unit(id, version, &name, effective_on, &caller.actor)
        .await?)
}

/// The names a unit the caller reads had before, oldest first.
pub async fn former_names(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(Unit, Vec<FormerName>), AppError> {
    let unit = readable_unit(state, principal, id).await?;
    let former = state.store.former_names(id).await?;
    Ok((unit, former))
}

/// Merges communes into another of their province from `effective_on`
/// (A + B → C): an administrator of the province (or above) does it.
pub async fn merge_units(
    state: &AppState,
    caller: &Caller<'_>,
    successor_id: i64,
    source_ids: &[i64],
    effective_on: NaiveDate,
) -> Result<Unit, AppError> {
    let successor = readable_unit(state, caller.principal, successor_id).await?;
    let province = successor
        .province_id
        .ok_or_else(|| AppError::invalid(UnitError::MergeNotCommunes))?;
    administrable_unit(state, caller.principal, province).await?;
    for id in source_ids {
        readable_unit(state, caller.principal, *id).await?;
    }
    let joined: Vec<i64> = source_ids.iter().copied().chain([successor.id]).collect();
    crate::actions::unit_history::check_merge_date(state, &joined, effective_on).await?;
    Ok(state
        .store
        .merge_units(successor.id, source_ids, effective_on, &caller.actor)
        .await?)
}
