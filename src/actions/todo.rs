//! "Việc cần làm": what waits for this person, by their roles. A reporter
//! fills its unit's reports and answers those returned; a focal point
//! reviews what was sent and consolidates rounds; a leader approves
//! consolidated reports; everyone at a level sees the overdue tasks of
//! their scope, once, and their unread warnings that the lists above do
//! not already say. Each kind is a field; a new kind is one more field and
//! one more section on the page.

use super::AppError;
use crate::app::AppState;
use crate::domain::access::{Principal, Role};
use crate::domain::extension::ExtensionRequest;
use crate::domain::reminder::Escalation;
use crate::domain::report::ReportStatus;
use crate::domain::round::{Round, UnitReport};
use crate::domain::task::Task;
use crate::store::{Listing, Notification, Page, StateFilter, TaskFilter};

/// How many of each kind the home page lists; the page behind the link
/// lists all.
pub const SHOWN: i64 = 10;

/// Warnings the lists already say: an overdue task is in the overdue
/// list, a missing report in the reports to fill, an escalated task in the
/// escalated ones, a request to decide in the requests.
const SAID_BY_LISTS: [&str; 4] = ["overdue", "missing_report", "escalation", "extension"];

pub struct Todo {
    /// The person's own unit's reports still to type and send, soonest
    /// due first.
    pub to_fill: Vec<(Round, UnitReport)>,
    /// Reports sent back to the person's unit, with how many items carry
    /// a comment.
    pub returned: Vec<(Round, UnitReport, i64)>,
    /// Reports sent to the focal point, waiting for review.
    pub to_review: Vec<(Round, UnitReport)>,
    /// Rounds the focal point can consolidate.
    pub to_consolidate: Vec<Round>,
    /// Consolidated reports waiting for the leader's approval.
    pub to_approve: Vec<Round>,
    /// Overdue tasks in the person's scope.
    pub overdue: Listing<Task>,
    /// Tasks still late after three reminders, sent to the leaders (see
    /// `domain::reminder`): for a level every one beneath it, for a
    /// working unit those it leads, to explain.
    pub escalated: Vec<Escalation>,
    /// Extension and adjustment requests waiting for this person's
    /// decision (a focal point or leader of the assigning level).
    pub extensions: Vec<ExtensionRequest>,
    /// Unread warnings not said by the lists above.
    pub warnings: Vec<Notification>,
}

impl Todo {
    pub fn is_empty(&self) -> bool {
        self.to_fill.is_empty()
            && self.returned.is_empty()
            && self.to_review.is_empty()
            && self.to_consolidate.is_empty()
            && self.to_approve.is_empty()
            && self.overdue.items.is_empty()
            && self.escalated.is_empty()
            && self.extensions.is_empty()
            && self.warnings.is_empty()
    }
}

pub async fn todo(state: &AppState, p: &Principal) -> Result<Todo, AppError> {
    let store = &state.store;
    let today = store.clock().today();
    let (to_fill, returned) = if p.has(Role::UnitReporter) || p.has(Role::FocalPoint) {
        own_reports(state, p).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let reviews = p.has(Role::FocalPoint) || p.has(Role::Administrator);
    let to_review = if reviews {
        store
            .reports_waiting_review(&p.unit_path, SHOWN)
            .await?
            .into_iter()
            .filter(|(round, _)| own_level(p, round))
            .collect()
    } else {
        Vec::new()
    };
    let to_consolidate = if reviews {
        store
            .rounds_to_consolidate(&p.unit_path, today, SHOWN)
            .await?
            .into_iter()
            .filter(|round| own_level(p, round))
            .collect()
    } else {
        Vec::new()
    };
    let to_approve = if p.has(Role::Leader) {
        store
            .rounds_waiting_approval(&p.unit_path, SHOWN)
            .await?
            .into_iter()
            .filter(|round| own_level(p, round) && p.can_approve(&round.scope_path))
            .collect()
    } else {
        Vec::new()
    };
    let overdue = TaskFilter {
        within_path: Some(p.read_path.clone()),
        unit_id: (!p.is_at_level()).then_some(p.unit_id),
        state: Some(StateFilter::Overdue(today)),
        ..TaskFilter::default()
    };
    let shown = u32::try_from(SHOWN).unwrap_or(10);
    let warnings = store
        .notifications_of(p.user_id, SHOWN * 5)
        .await?
        .into_iter()
        .filter(|n| !n.read && !SAID_BY_LISTS.contains(&n.kind.as_str()))
        .take(shown as usize)
        .collect();
    let escalated = store
        .escalations_within(&p.read_path, true, SHOWN * 5)
        .await?
        .into_iter()
        .filter(|e| p.is_at_level() || e.lead_unit_path.starts_with(&p.unit_path))
        .take(shown as usize)
        .collect();
    Ok(Todo {
        to_fill,
        returned,
        to_review,
        to_consolidate,
        to_approve,
        overdue: store
            .tasks(&overdue, Page::new(Some(1), Some(shown)))
            .await?,
        escalated,
        extensions: super::extensions::to_decide(state, p)
            .await?
            .into_iter()
            .take(shown as usize)
            .collect(),
        warnings,
    })
}

/// A round of a plan the person's own unit issued: a province's focal
/// point and leader follow the communes' rounds, but the review,
/// consolidation and approval on their list are their own level's.
fn own_level(p: &Principal, round: &Round) -> bool {
    round.scope_path == p.unit_path
        && (p.can_review(&round.scope_path) || p.can_approve(&round.scope_path))
}

type Returned = Vec<(Round, UnitReport, i64)>;

/// The reports the person types: their own unit's (and, for a working
/// unit, the units beneath it), still open for typing.
async fn own_reports(
    state: &AppState,
    p: &Principal,
) -> Result<(Vec<(Round, UnitReport)>, Returned), AppError> {
    let store = &state.store;
    store
        .open_current_rounds_within(&p.read_path, store.clock().today())
        .await?;
    let mut open: Vec<(Round, UnitReport)> = store
        .reports_of_units(&p.unit_path, 100)
        .await?
        .into_iter()
        .filter(|(round, r)| {
            r.status.is_editable()
                && p.can_report_for(&r.unit_path)
                && p.can_view_report(&round.scope_path, &r.unit_path)
                && (!p.is_at_level() || r.unit_id == p.unit_id)
        })
        .collect();
    open.sort_by_key(|(round, r)| (round.unit_due_on, r.id));
    let shown = usize::try_from(SHOWN).unwrap_or(10);
    let (mut to_fill, mut returned) = (Vec::new(), Vec::new());
    for (round, report) in open {
        if report.status == ReportStatus::Returned {
            if returned.len() < shown {
                let comments = store.item_comment_count(report.id).await?;
                returned.push((round, report, comments));
            }
        } else if to_fill.len() < shown {
            to_fill.push((round, report));
        }
    }
    Ok((to_fill, returned))
}
