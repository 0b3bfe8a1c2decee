//! What staff do with initiatives: register one for their unit (with
//! files), name the council, score as a member of it, record the decision,
//! add files; the lists (staff's, and the public list of recognised
//! ones); and linking a target to an automatic source (satisfaction with
//! answered feedback, initiatives recognised) with the figures it yields.
//!
//! As in `feedback.rs`, a change takes its input as the web layer read it
//! (`Result<T, AppError>`) and looks at it only after the access check.

use chrono::{Datelike, NaiveDate};

use crate::actions::access::{
    manageable_target, readable_initiative, readable_target, scorable_initiative,
};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::attachment::{AttachedFile, AttachedTo, UploadedFile};
use crate::domain::auto_figure::AutoSource;
use crate::domain::initiative::{
    Decision, Initiative, InitiativeDraft, InitiativeStatus, Review, Scores, council_average,
};
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;
use crate::store::{AuditEntry, AutoFigure, InitiativeFilter, Listing, Page, User};

/// Units the user may register an initiative for: inside a commune and
/// within their own unit.
pub async fn registrable_units(state: &AppState, p: &Principal) -> Result<Vec<Unit>, AppError> {
    Ok(state
        .store
        .subtree(&p.unit_path)
        .await?
        .into_iter()
        .filter(|u| u.commune_id.is_some() && p.can_register_initiative(&u.path))
        .collect())
}

/// Initiatives of the user's scope, a hundred to a page, matching the
/// words of `query` in their titles.
pub async fn list(
    state: &AppState,
    p: &Principal,
    status: Option<InitiativeStatus>,
    query: Option<String>,
    page: Option<u32>,
) -> Result<Listing<Initiative>, AppError> {
    let filter = InitiativeFilter {
        within_path: Some(p.read_path.clone()),
        status,
        query,
        ..InitiativeFilter::default()
    };
    Ok(state
        .store
        .initiatives(&filter, Page::new(page, Some(100)))
        .await?)
}

/// Recognised initiatives, for everyone, of one commune or all.
pub async fn recognised(
    state: &AppState,
    commune_id: Option<i64>,
    page: Page,
) -> Result<Listing<Initiative>, AppError> {
    let filter = InitiativeFilter {
        status: Some(InitiativeStatus::Recognised),
        commune_id,
        ..InitiativeFilter::default()
    };
    Ok(state.store.initiatives(&filter, page).await?)
}

/// This year, and how many initiatives of the user's scope were
/// recognised by a decision dated in it.
pub async fn recognised_this_year(state: &AppState, p: &Principal) -> Result<(i32, i64), AppError> {
    let year = state.store.clock().today().year();
    Ok((
        year,
        state.store.recognised_count(&p.read_path, year).await?,
    ))
}

/// A registration as typed; the unit is the draft's.
pub struct NewInitiative {
    pub draft: InitiativeDraft,
    /// The files as read, or why they could not be: looked at after the
    /// unit and the draft, as the API always has.
    pub files: Result<Vec<Valid<UploadedFile>>, AppError>,
}

/// Registers an initiative of a unit the user reports for (404 for a unit
/// they cannot read, 403 for one not theirs or outside any commune).
pub async fn create(
    state: &AppState,
    caller: &Caller<'_>,
    input: NewInitiative,
) -> Result<Initiative, AppError> {
    let p = caller.principal;
    let unit = match state.store.unit(input.draft.unit_id).await? {
        Some(u) if p.can_read(&u.path) => u,
        _ => return Err(AppError::NotFound),
    };
    if unit.commune_id.is_none() || !p.can_register_initiative(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let draft = input.draft.validate().map_err(AppError::invalid)?;
    let files = input.files?;
    AttachedTo::Initiative
        .check_all(&files)
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .create_initiative(draft, &unit, files, &caller.actor)
        .await?)
}

/// An initiative with its council's reviews.
pub struct InitiativeView {
    pub initiative: Initiative,
    pub reviews: Vec<Review>,
}

impl InitiativeView {
    pub fn average(&self) -> Option<f64> {
        council_average(&self.reviews)
    }
}

/// An initiative the user may read (else 404), with its reviews.
pub async fn get(state: &AppState, p: &Principal, id: i64) -> Result<InitiativeView, AppError> {
    let initiative = readable_initiative(state, p, id).await?;
    let reviews = state.store.reviews_of(id).await?;
    Ok(InitiativeView {
        initiative,
        reviews,
    })
}

/// Who may add files: the unit that registered it, or the commune's
/// focal point.
pub fn may_add_files(p: &Principal, i: &Initiative) -> bool {
    p.can_register_initiative(&i.unit_path) || p.can_manage(&i.commune_path)
}

/// One initiative with everything its page shows and what the user may do
/// while it is undecided.
pub struct InitiativeDetail {
    pub view: InitiativeView,
    pub files: Vec<AttachedFile>,
    pub history: Vec<AuditEntry>,
    pub can_name: bool,
    /// For those who may name the council: the commune's users.
    pub candidates: Vec<User>,
    pub can_score: bool,
    pub can_decide: bool,
    pub can_add_file: bool,
}

pub async fn detail(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<InitiativeDetail, AppError> {
    let view = get(state, p, id).await?;
    let i = &view.initiative;
    let open = !i.status.is_decided();
    let can_name = open && p.can_manage(&i.commune_path);
    let candidates = if can_name {
        state.store.users(&i.commune_path, Page::all()).await?.items
    } else {
        Vec::new()
    };
    Ok(InitiativeDetail {
        files: state.store.initiative_files(i.id).await?,
        history: state.store.audit_of("initiative", i.id).await?,
        can_name,
        candidates,
        can_score: open && view.reviews.iter().any(|r| r.reviewer_id == p.user_id),
        can_decide: open && p.can_decide_initiative(&i.commune_path),
        can_add_file: open && may_add_files(p, i),
        view,
    })
}

/// Names the council (the commune's focal point); members already named
/// keep their scores.
pub async fn name_reviewers(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    user_ids: Result<Vec<i64>, AppError>,
) -> Result<Vec<Review>, AppError> {
    let i = readable_initiative(state, caller.principal, id).await?;
    if !caller.principal.can_manage(&i.commune_path) {
        return Err(AppError::Forbidden);
    }
    let user_ids = user_ids?;
    if user_ids.is_empty() {
        return Err(AppError::Invalid(
            "Hãy chọn ít nhất một thành viên hội đồng".into(),
        ));
    }
    Ok(state
        .store
        .name_reviewers(id, &user_ids, &caller.actor)
        .await?)
}

/// A council member's points, in the order of the criteria.
pub struct ScoreInput {
    pub points: [i64; 4],
    pub comment: Option<String>,
}

/// The user's own scores, as a member of the council (else 403).
pub async fn score(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: Result<ScoreInput, AppError>,
) -> Result<(), AppError> {
    scorable_initiative(state, caller.principal, id).await?;
    let input = input?;
    let scores = Scores::validate(input.points).map_err(AppError::invalid)?;
    state
        .store
        .score_initiative(
            id,
            caller.principal.user_id,
            scores,
            input.comment,
            &caller.actor,
        )
        .await?;
    Ok(())
}

/// A decision as typed.
pub struct DecisionInput {
    pub recognised: bool,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i64,
}

/// Records the decision (the commune's focal point or a leader). Whether
/// the council has scored is judged by the store, inside the decision's
/// transaction.
pub async fn decide(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: Result<DecisionInput, AppError>,
) -> Result<Initiative, AppError> {
    let i = readable_initiative(state, caller.principal, id).await?;
    if !caller.principal.can_decide_initiative(&i.commune_path) {
        return Err(AppError::Forbidden);
    }
    let input = input?;
    let decision = Decision::validate(input.recognised, input.number, input.date, input.note)
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .decide_initiative(id, decision, input.version, &caller.actor)
        .await?)
}

/// Adds files to an initiative, in one transaction.
pub async fn add_files(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    files: Result<Vec<Valid<UploadedFile>>, AppError>,
) -> Result<(), AppError> {
    let i = readable_initiative(state, caller.principal, id).await?;
    if !may_add_files(caller.principal, &i) {
        return Err(AppError::Forbidden);
    }
    let files = files?;
    if files.is_empty() {
        return Err(AppError::Invalid("Hãy chọn tệp".into()));
    }
    AttachedTo::Initiative
        .check_all(&files)
        .map_err(AppError::invalid)?;
    Ok(state
        .store
        .add_initiative_files(id, files, &caller.actor)
        .await?)
}

/// A target's automatic source, if linked, and the figures computed from
/// it per period.
pub struct TargetSource {
    pub target_id: i64,
    pub source: Option<AutoSource>,
    pub figures: Vec<AutoFigure>,
}

async fn source_of(state: &AppState, target_id: i64) -> Result<TargetSource, AppError> {
    Ok(TargetSource {
        target_id,
        source: state.store.target_source(target_id).await?,
        figures: state.store.auto_figures_of(target_id).await?,
    })
}

/// For anyone who reads the target.
pub async fn target_source(
    state: &AppState,
    p: &Principal,
    target_id: i64,
) -> Result<TargetSource, AppError> {
    readable_target(state, p, target_id).await?;
    source_of(state, target_id).await
}

/// Links a target to an automatic source, or unlinks it (`None`); for
/// those who manage the target.
pub async fn link_target_source(
    state: &AppState,
    caller: &Caller<'_>,
    target_id: i64,
    source: Result<Option<AutoSource>, AppError>,
) -> Result<TargetSource, AppError> {
    manageable_target(state, caller.principal, target_id).await?;
    let source = source?;
    state
        .store
        .link_target_source(target_id, source, &caller.actor)
        .await?;
    source_of(state, target_id).await
}
