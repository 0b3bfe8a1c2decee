//! The working-day calendar every deadline follows: read by everyone,
//! changed only by a national administrator (every commune uses it).

use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::{Principal, Role};
use crate::domain::calendar::{Holiday, WorkCalendar};

/// Only a national administrator changes the calendar every commune uses.
pub fn may_edit(p: &Principal) -> bool {
    p.has(Role::Administrator) && p.unit_path.matches('/').count() == 2
}

/// The days that differ from the usual week, and the calendar they make.
pub async fn calendar(state: &AppState) -> Result<(Vec<Holiday>, WorkCalendar), AppError> {
    Ok((
        state.store.calendar_days().await?,
        state.store.work_calendar().await?,
    ))
}

/// Sets a holiday, a swapped day or a make-up Saturday.
pub async fn set_day(state: &AppState, caller: &Caller<'_>, day: Holiday) -> Result<(), AppError> {
    if !may_edit(caller.principal) {
        return Err(AppError::Forbidden);
    }
    if day.name.trim().is_empty() {
        return Err(AppError::Invalid(
            "Hãy ghi tên ngày nghỉ hoặc lý do làm bù".into(),
        ));
    }
    Ok(state.store.set_calendar_day(day, &caller.actor).await?)
}

/// Takes a day back to the usual week.
pub async fn remove_day(
    state: &AppState,
    caller: &Caller<'_>,
    date: chrono::NaiveDate,
) -> Result<(), AppError> {
    if !may_edit(caller.principal) {
        return Err(AppError::Forbidden);
    }
    Ok(state.store.remove_calendar_day(date, &caller.actor).await?)
}
