//! What a signed-in person sees first: what waits for them ("Việc cần
//! làm", see [`super::todo`]), the plans they follow, and this year's
//! citizen feedback and initiatives.

use super::AppError;
use super::feedback::year_counts;
use super::initiatives::recognised_this_year;
use super::todo::{Todo, todo};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::feedback::FeedbackCounts;
use crate::domain::plan::Plan;
use crate::domain::unit::Unit;
use crate::store::{Listing, Page, PlanFilter};

/// How many of each list the home page shows; the rest is one click away.
const SHOWN: u32 = 10;

pub struct Home {
    pub unit: Option<Unit>,
    /// What waits for the person.
    pub todo: Todo,
    pub unread: i64,
    pub plans: Listing<Plan>,
    /// This year's feedback in scope, for people at a level.
    pub feedback: Option<(i32, FeedbackCounts)>,
    /// Initiatives recognised this year in scope.
    pub recognised: i64,
}

pub async fn home(state: &AppState, p: &Principal) -> Result<Home, AppError> {
    let store = &state.store;
    let plans_filter = PlanFilter {
        within_path: Some(p.read_path.clone()),
        ..PlanFilter::default()
    };
    let shown = Page::new(Some(1), Some(SHOWN));
    Ok(Home {
        unit: store.unit(p.unit_id).await?,
        todo: todo(state, p).await?,
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
