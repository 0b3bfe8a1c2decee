//! What a signed-in person sees first: the late work in their scope
//! (overdue tasks, reports not sent), their warnings, the plans they
//! follow, and this year's citizen feedback and initiatives.

use super::AppError;
use super::feedback::year_counts;
use super::initiatives::recognised_this_year;
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::feedback::FeedbackCounts;
use crate::domain::plan::Plan;
use crate::domain::reminder::Escalation;
use crate::domain::round::{Round, UnitReport};
use crate::domain::task::Task;
use crate::domain::unit::Unit;
use crate::store::{Listing, Notification, Page, PlanFilter, StateFilter, TaskFilter};

/// How many of each list the home page shows; the rest is one click away.
const SHOWN: u32 = 10;

pub struct Home {
    pub unit: Option<Unit>,
    /// Overdue tasks the person's unit leads; for a level (a commune, a
    /// province), every overdue task beneath it.
    pub overdue: Listing<Task>,
    /// Tasks still late after three reminders, sent to the leaders: for a
    /// level every one beneath it, for a working unit those it leads.
    pub escalated: Vec<Escalation>,
    /// Reports of the person's unit past their due date and not sent.
    pub missing: Vec<(Round, UnitReport)>,
    pub notices: Vec<Notification>,
    pub unread: i64,
    pub plans: Listing<Plan>,
    /// This year's feedback in scope, for people at a level.
    pub feedback: Option<(i32, FeedbackCounts)>,
    /// Initiatives recognised this year in scope.
    pub recognised: i64,
}

pub async fn home(state: &AppState, p: &Principal) -> Result<Home, AppError> {
    let store = &state.store;
    let today = store.clock().today();
    let overdue_filter = TaskFilter {
        within_path: Some(p.read_path.clone()),
        unit_id: (!p.is_at_level()).then_some(p.unit_id),
        state: Some(StateFilter::Overdue(today)),
        ..TaskFilter::default()
    };
    let missing = store
        .reports_of_units(&p.unit_path, 50)
        .await?
        .into_iter()
        .filter(|(round, r)| {
            r.status.is_editable() && round.unit_due_on < today && p.can_read(&round.scope_path)
        })
        .collect();
    let plans_filter = PlanFilter {
        within_path: Some(p.read_path.clone()),
        ..PlanFilter::default()
    };
    let escalated = store
        .escalations_within(&p.read_path, true, i64::from(SHOWN) * 5)
        .await?
        .into_iter()
        .filter(|e| p.is_at_level() || e.lead_unit_path.starts_with(&p.unit_path))
        .take(SHOWN as usize)
        .collect();
    let shown = Page::new(Some(1), Some(SHOWN));
    Ok(Home {
        unit: store.unit(p.unit_id).await?,
        overdue: store.tasks(&overdue_filter, shown).await?,
        escalated,
        missing,
        notices: store.notifications_of(p.user_id, i64::from(SHOWN)).await?,
        unread: store.unread_count(p.user_id).await?,
        plans: store.plans(&plans_filter, shown).await?,
        feedback: if p.is_at_level() {
            Some(year_counts(state, p).await?)
        } else {
            None
        },
        recognised: recognised_this_year(state, p).await?.1,
    })
}

/// Marks the person's warnings read.
pub async fn read_notifications(state: &AppState, p: &Principal) -> Result<(), AppError> {
    Ok(state.store.mark_notifications_read(p.user_id).await?)
}
