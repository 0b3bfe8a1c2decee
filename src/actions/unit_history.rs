//! A unit's history, for the pages and the API alike: split, move and
//! dissolve a unit (an administrator of the level above it: a unit never
//! reshapes itself), and read what happened to a unit the caller reads.

use chrono::NaiveDate;

use crate::actions::access::{administrable_unit, readable_unit};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::unit::Unit;
use crate::domain::unit_history::{
    NewUnit, UnitEvent, check_date, check_dissolve, check_move, check_split,
};

/// The unit, readable by the caller (else 404), whose parent the caller
/// administers (else 403).
async fn reshapable_unit(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Unit, AppError> {
    let unit = readable_unit(state, principal, id).await?;
    let parent = match unit.parent_id {
        Some(pid) => state.store.unit(pid).await?,
        None => None,
    };
    match parent {
        Some(p) if principal.can_administer(&p.path) => Ok(unit),
        _ => Err(AppError::Forbidden),
    }
}

/// Splits a unit into new ones beside it from `effective_on`.
pub async fn split_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    into: Vec<NewUnit>,
    effective_on: NaiveDate,
) -> Result<Vec<Unit>, AppError> {
    let unit = reshapable_unit(state, caller.principal, id).await?;
    let last = state.store.last_unit_event_on(id).await?;
    let today = state.store.clock().today();
    let into = check_split(&unit, into, effective_on, last, today).map_err(AppError::invalid)?;
    Ok(state
        .store
        .split_unit(&unit, &into, effective_on, &caller.actor)
        .await?)
}

/// Moves a unit with its subtree under `parent_id`: the caller administers
/// both the old parent and the new one.
pub async fn move_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    parent_id: i64,
    effective_on: NaiveDate,
) -> Result<Unit, AppError> {
    let unit = reshapable_unit(state, caller.principal, id).await?;
    let to = administrable_unit(state, caller.principal, parent_id).await?;
    let last = state.store.last_unit_event_on(id).await?;
    let today = state.store.clock().today();
    check_move(&unit, &to, effective_on, last, today).map_err(AppError::invalid)?;
    Ok(state
        .store
        .move_unit(&unit, &to, effective_on, &caller.actor)
        .await?)
}

/// Ends a unit with no successor, once nothing is left open on it.
pub async fn dissolve_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    effective_on: NaiveDate,
) -> Result<Unit, AppError> {
    let unit = reshapable_unit(state, caller.principal, id).await?;
    let last = state.store.last_unit_event_on(id).await?;
    let today = state.store.clock().today();
    let open = state.store.open_work(id).await?;
    check_dissolve(&unit, &open, effective_on, last, today).map_err(AppError::invalid)?;
    Ok(state
        .store
        .dissolve_unit(&unit, effective_on, &caller.actor)
        .await?)
}

/// Checks a merge's day against the last event of each unit it joins.
pub async fn check_merge_date(
    state: &AppState,
    unit_ids: &[i64],
    effective_on: NaiveDate,
) -> Result<(), AppError> {
    let today = state.store.clock().today();
    for id in unit_ids {
        let last = state.store.last_unit_event_on(*id).await?;
        check_date(effective_on, last, today).map_err(AppError::invalid)?;
    }
    Ok(())
}

/// What happened to a unit the caller reads, oldest first.
pub async fn unit_history(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(Unit, Vec<UnitEvent>), AppError> {
    let unit = readable_unit(state, principal, id).await?;
    let events = state.store.unit_history(id).await?;
    Ok((unit, events))
}
