//! What staff do with citizen feedback: the list a person may see, one
//! feedback with what they may do with it, sending it to the right
//! commune, assigning it to a unit, answering it, and the figures for a
//! span of days. The public side (submit, follow, rate, erase) is in
//! `citizen.rs`.
//!
//! A change takes its input as the web layer read it, `Result<T,
//! AppError>`, an unreadable form included, and looks at it only after the
//! access check: someone who may not act is refused (403/404) whatever
//! they sent, and the pages and the API refuse in the same order.

use chrono::{Datelike, NaiveDate};

use crate::actions::access::visible_feedback;
use crate::actions::citizen::{PersonView, person_for};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::attachment::AttachedFile;
use crate::domain::feedback::{Feedback, FeedbackCounts, FeedbackStatus, validate_answer};
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{AuditEntry, FeedbackFilter, Listing, Page, UnitFilter};

/// The filter matching what the user may see: a level's staff see their
/// level's feedback, a unit's reporter what is assigned to the unit.
pub fn scope_filter(p: &Principal, status: Option<FeedbackStatus>) -> FeedbackFilter {
    if p.is_at_level() {
        FeedbackFilter {
            within_path: Some(p.read_path.clone()),
            status,
            ..FeedbackFilter::default()
        }
    } else {
        FeedbackFilter {
            within_path: Some(p.read_path.clone()),
            assigned_within: Some(p.unit_path.clone()),
            status,
            ..FeedbackFilter::default()
        }
    }
}

/// The feedback the user may see, newest first, a hundred to a page; the
/// total is the filter's.
pub async fn list(
    state: &AppState,
    p: &Principal,
    status: Option<FeedbackStatus>,
    page: Option<u32>,
) -> Result<Listing<Feedback>, AppError> {
    let mut list = state
        .store
        .feedback_list(&scope_filter(p, status), Page::new(page, Some(100)))
        .await?;
    list.items
        .retain(|f| p.can_view_feedback(&f.commune_path, f.assigned_unit_path.as_deref()));
    Ok(list)
}

/// Answered feedback published by its commune, for everyone; whoever
/// shows it shows no personal data from it.
pub async fn answered(
    state: &AppState,
    commune_id: Option<i64>,
    page: Page,
) -> Result<Listing<Feedback>, AppError> {
    Ok(state.store.answered_public(commune_id, page).await?)
}

async fn units_of_kind(state: &AppState, kind: UnitKind) -> Result<Vec<Unit>, AppError> {
    let filter = UnitFilter {
        kind: Some(kind),
        ..UnitFilter::default()
    };
    Ok(state.store.units(&filter, Page::all()).await?.items)
}

/// Every commune a person may address feedback to: those still running
/// (not the former communes of a merger, split or dissolution).
pub async fn communes(state: &AppState) -> Result<Vec<Unit>, AppError> {
    let mut communes = units_of_kind(state, UnitKind::Commune).await?;
    communes.retain(|u| u.ended_on.is_none());
    Ok(communes)
}

/// Every province, to name a commune's province beside it.
pub async fn provinces(state: &AppState) -> Result<Vec<Unit>, AppError> {
    units_of_kind(state, UnitKind::Province).await
}

/// One feedback the user may see, with the person as they may see them.
pub async fn get(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<(Feedback, PersonView), AppError> {
    let f = visible_feedback(state, p, id).await?;
    let person = person_for(state, p, &f);
    Ok((f, person))
}

/// One feedback with everything its page shows and what the user may do.
pub struct FeedbackDetail {
    pub feedback: Feedback,
    pub person: PersonView,
    pub files: Vec<AttachedFile>,
    pub history: Vec<AuditEntry>,
    /// Open, and the user manages its commune: it may be sent elsewhere
    /// and assigned.
    pub can_route: bool,
    /// Open, and the user manages its commune or reports for its unit.
    pub can_answer: bool,
    /// For those who may route it: the other communes of its province.
    pub route_to: Vec<Unit>,
    /// For those who may route it: the units of its commune.
    pub assign_to: Vec<Unit>,
}

pub async fn detail(state: &AppState, p: &Principal, id: i64) -> Result<FeedbackDetail, AppError> {
    let (f, person) = get(state, p, id).await?;
    let open = f.status.is_open();
    let can_route = open && p.can_route_feedback(&f.commune_path);
    let can_answer =
        open && p.can_answer_feedback(&f.commune_path, f.assigned_unit_path.as_deref());
    let (route_to, assign_to) = if can_route {
        let communes = communes(state)
            .await?
            .into_iter()
            .filter(|c| c.province_id == f.province_id && c.id != f.commune_id)
            .collect();
        let units = state
            .store
            .subtree(&f.commune_path)
            .await?
            .into_iter()
            .filter(|u| u.id != f.commune_id)
            .collect();
        (communes, units)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(FeedbackDetail {
        files: state.store.feedback_files(f.id).await?,
        history: state.store.audit_of("feedback", f.id).await?,
        feedback: f,
        person,
        can_route,
        can_answer,
        route_to,
        assign_to,
    })
}

/// Feedback that may be routed or assigned by the user: visible (else
/// 404) and theirs to route (else 403).
async fn routable(state: &AppState, p: &Principal, id: i64) -> Result<Feedback, AppError> {
    let f = visible_feedback(state, p, id).await?;
    if p.can_route_feedback(&f.commune_path) {
        Ok(f)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Where to send feedback that reached the wrong commune.
pub struct RouteTo {
    pub commune_id: i64,
    pub version: i64,
}

/// Sends feedback to another commune of its province; its deadline stays.
pub async fn route(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: Result<RouteTo, AppError>,
) -> Result<Feedback, AppError> {
    let f = routable(state, caller.principal, id).await?;
    let input = input?;
    let to = state
        .store
        .unit(input.commune_id)
        .await?
        .filter(|u| {
            u.kind == UnitKind::Commune && u.province_id == f.province_id && u.ended_on.is_none()
        })
        .ok_or_else(|| AppError::Invalid("Hãy chọn một xã, phường trong tỉnh".into()))?;
    Ok(state
        .store
        .route_feedback(id, &to, input.version, &caller.actor)
        .await?)
}

/// The unit of the commune that is to handle a feedback.
pub struct AssignTo {
    pub unit_id: i64,
    pub version: i64,
}

pub async fn assign(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: Result<AssignTo, AppError>,
) -> Result<Feedback, AppError> {
    let f = routable(state, caller.principal, id).await?;
    let input = input?;
    let unit = state
        .store
        .unit(input.unit_id)
        .await?
        .filter(|u| u.is_within(&f.commune_path))
        .ok_or_else(|| AppError::Invalid("Hãy chọn một đơn vị của xã".into()))?;
    Ok(state
        .store
        .assign_feedback(id, &unit, input.version, &caller.actor)
        .await?)
}

/// The answer as typed, and whether it goes on the public list.
pub struct Answer {
    pub text: String,
    pub publish: bool,
    pub version: i64,
}

/// Records the answer: by the commune's focal point, or the assigned unit.
pub async fn answer(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: Result<Answer, AppError>,
) -> Result<Feedback, AppError> {
    let p = caller.principal;
    let f = visible_feedback(state, p, id).await?;
    if !p.can_answer_feedback(&f.commune_path, f.assigned_unit_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let input = input?;
    let text = validate_answer(&input.text).map_err(AppError::invalid)?;
    Ok(state
        .store
        .answer_feedback(id, text, input.publish, input.version, &caller.actor)
        .await?)
}

/// The figures of the feedback received in a span of days, in the user's
/// scope, and the initiatives recognised in the span's last year.
pub struct FeedbackStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub counts: FeedbackCounts,
    pub initiatives_recognised: i64,
}

fn year_span(year: i32) -> Result<(NaiveDate, NaiveDate), AppError> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(AppError::Internal(format!("no calendar for {year}"))),
    }
}

/// From `from` to `to` (inclusive), by default this calendar year.
pub async fn stats(
    state: &AppState,
    p: &Principal,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<FeedbackStats, AppError> {
    let (first, last) = year_span(state.store.clock().today().year())?;
    let (from, to) = (from.unwrap_or(first), to.unwrap_or(last));
    let counts = state.store.feedback_counts(&p.read_path, from, to).await?;
    let initiatives_recognised = state
        .store
        .recognised_count(&p.read_path, to.year())
        .await?;
    Ok(FeedbackStats {
        from,
        to,
        counts,
        initiatives_recognised,
    })
}

/// This year's counts in the user's scope, as the dashboards show them.
pub async fn year_counts(
    state: &AppState,
    p: &Principal,
) -> Result<(i32, FeedbackCounts), AppError> {
    let year = state.store.clock().today().year();
    let (from, to) = year_span(year)?;
    let counts = state.store.feedback_counts(&p.read_path, from, to).await?;
    Ok((year, counts))
}
