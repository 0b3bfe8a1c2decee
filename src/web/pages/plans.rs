//! Plans: the list, one plan with its tasks and targets, and the form to
//! create or change a plan's header and reporting regime.

use crate::domain::external::ExternalChange;
use crate::domain::review::{TERM_END, TERM_START};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Layout;
use super::views::{PlanRow, TargetRow, TaskRow, attach_standings, target_rows, task_rows};
use crate::actions::access::{issuers_for, manageable_plan};
use crate::actions::plans::{self, PlanInput, PlanQuery};
use crate::domain::period::PeriodKind;
use crate::domain::plan::{Plan, ReportingRegime};
use crate::store::Page;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::labels;
use crate::web::session::{Auth, ClientIp, PageAuth};

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans.html")]
pub struct PlansPage {
    layout: Layout,
    q: String,
    plans: Vec<PlanRow>,
    total: String,
    chips: Vec<super::filters::Chip>,
    pager: super::filters::Pager,
    can_create: bool,
}

pub async fn list_plans(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<PlansPage, PageError> {
    let p = &auth.principal;
    let query = PlanQuery {
        query: q.q.clone(),
        ..PlanQuery::default()
    };
    let listing = plans::list_plans(&state, p, query, Page::new(q.page, Some(30))).await?;
    let active: Vec<super::filters::Active> =
        q.q.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| super::filters::Active {
                name: "q",
                value: v.to_string(),
                words: format!("Từ khóa: {v}"),
            })
            .into_iter()
            .collect();
    Ok(PlansPage {
        layout: Layout::new("Kế hoạch", &auth),
        q: q.q.unwrap_or_default(),
        plans: with_progress(
            listing.items.iter().map(PlanRow::from).collect(),
            &crate::actions::plans::progress(&state, &listing.items).await?,
        ),
        total: labels::int(listing.total),
        chips: super::filters::chips("/plans", &active),
        pager: super::filters::pager("/plans", &active, listing.page.page, 30, listing.total),
        can_create: !issuers_for(&state, p).await?.is_empty(),
    })
}

/// Each plan's progress in words: tasks done of those counted, overdue.
fn with_progress(mut rows: Vec<PlanRow>, progress: &[crate::store::PlanProgress]) -> Vec<PlanRow> {
    for row in rows.iter_mut() {
        if let Some(p) = progress.iter().find(|p| p.plan_id == row.id) {
            row.progress = format!(
                "{} nhiệm vụ · {} hoàn thành ({})",
                labels::int(p.tasks),
                labels::int(p.done),
                labels::share(p.done, p.tasks)
            );
            row.overdue = p.overdue;
        }
    }
    rows
}

#[derive(Template, WebTemplate)]
#[template(path = "plan.html")]
pub struct PlanPage {
    layout: Layout,
    id: i64,
    number: String,
    date: String,
    place: String,
    title: String,
    issuer: String,
    basis: Vec<String>,
    implements: Vec<PlanRow>,
    implemented_by: Vec<PlanRow>,
    regime: String,
    tasks: Vec<TaskRow>,
    /// "3/10 nhiệm vụ": how many of its tasks have all of the "6 rõ".
    six_clear: String,
    targets: Vec<TargetRow>,
    can_manage: bool,
    /// Follows the plan's rounds, so may download its reviews over the term.
    can_review_term: bool,
    review_years: Vec<i32>,
    this_year: i32,
}

pub async fn show_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<PlanPage, PageError> {
    let d = plans::plan_details(&state, &auth.principal, id).await?;
    let plan = d.plan;
    let row = PlanRow::from(&plan);
    let mut tasks = task_rows(&d.tasks);
    attach_standings(
        &mut tasks,
        &crate::actions::tasks::standings(&state, &d.tasks).await?,
    );
    Ok(PlanPage {
        layout: Layout::new(plan.title.clone(), &auth),
        id,
        number: row.number,
        date: row.date,
        place: plan.place.clone().unwrap_or_default(),
        title: plan.title.clone(),
        issuer: d.issuer_name.unwrap_or_default(),
        basis: plan.basis.clone(),
        implements: d.implements.iter().map(PlanRow::from).collect(),
        implemented_by: d.implemented_by.iter().map(PlanRow::from).collect(),
        regime: plan.regime.label_vi(),
        six_clear: format!(
            "{}/{} nhiệm vụ",
            labels::int(crate::domain::six_clear::complete_count(&d.tasks) as i64),
            labels::int(d.tasks.len() as i64)
        ),
        tasks,
        targets: target_rows(&d.targets),
        can_manage: d.can_manage,
        can_review_term: auth.principal.can_follow_round(&plan.issuer_path),
        review_years: (TERM_START..=TERM_END).collect(),
        this_year: chrono::Datelike::year(&state.store.clock().today()).clamp(TERM_START, TERM_END),
    })
}

pub struct PeriodChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_form.html")]
pub struct PlanForm {
    layout: Layout,
    action: String,
    editing: bool,
    version: i64,
    issuers: Vec<(i64, String, bool)>,
    number: String,
    date: String,
    place: String,
    title: String,
    basis: String,
    periods: Vec<PeriodChoice>,
    unit_due_day: String,
    consolidated_due_day: String,
    error: Option<String>,
}

impl PlanForm {
    fn fill_from(mut self, plan: &Plan) -> PlanForm {
        self.number = plan.number.clone().unwrap_or_default();
        self.date = plan.issued_on.map(|d| d.to_string()).unwrap_or_default();
        self.place = plan.place.clone().unwrap_or_default();
        self.title = plan.title.clone();
        self.basis = plan.basis.join("\n");
        self.periods = period_choices(&plan.regime.periods);
        self.unit_due_day = plan
            .regime
            .unit_due_day
            .map(|d| d.to_string())
            .unwrap_or_default();
        self.consolidated_due_day = plan
            .regime
            .consolidated_due_day
            .map(|d| d.to_string())
            .unwrap_or_default();
        self.version = plan.version;
        self
    }

    fn fill_from_form(mut self, f: &FormPairs) -> PlanForm {
        self.number = f.text("number");
        self.date = f.text("date");
        self.place = f.text("place");
        self.title = f.text("title");
        self.basis = f.text("basis");
        let chosen: Vec<PeriodKind> = f
            .all("periods")
            .iter()
            .filter_map(|s| PeriodKind::parse(s))
            .collect();
        self.periods = period_choices(&chosen);
        self.unit_due_day = f.text("unit_due_day");
        self.consolidated_due_day = f.text("consolidated_due_day");
        self
    }
}

fn period_choices(chosen: &[PeriodKind]) -> Vec<PeriodChoice> {
    PeriodKind::ALL
        .iter()
        .map(|k| PeriodChoice {
            value: k.as_str(),
            label: k.label_vi(),
            checked: chosen.contains(k),
        })
        .collect()
}

async fn blank_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    selected_issuer: Option<i64>,
) -> Result<PlanForm, AppError> {
    let issuers = issuers_for(state, &auth.principal)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name, Some(u.id) == selected_issuer))
        .collect();
    Ok(PlanForm {
        layout: Layout::new("Kế hoạch", auth),
        action,
        editing: false,
        version: 0,
        issuers,
        number: String::new(),
        date: String::new(),
        place: String::new(),
        title: String::new(),
        basis: String::new(),
        periods: period_choices(&ReportingRegime::default().periods),
        unit_due_day: "15".into(),
        consolidated_due_day: "18".into(),
        error: None,
    })
}

/// The form for a new plan, for a user who may issue plans somewhere.
async fn new_form(
    state: &AppState,
    auth: &Auth,
    selected_issuer: Option<i64>,
) -> Result<PlanForm, AppError> {
    let form = blank_form(state, auth, "/plans".into(), selected_issuer).await?;
    if form.issuers.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(form)
}

pub async fn new_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<PlanForm, PageError> {
    Ok(new_form(&state, &auth, None).await?)
}

/// The form read into a plan's header and regime; the plans it
/// implements are not on the form and stay as stored.
fn plan_input(f: &FormPairs) -> Result<PlanInput, AppError> {
    let periods: Vec<PeriodKind> = f
        .all("periods")
        .iter()
        .filter_map(|s| PeriodKind::parse(s))
        .collect();
    Ok(PlanInput {
        // The forms do not show it: a page keeps what the API set.
        external: ExternalChange::Keep,
        number: f.optional("number"),
        issued_on: f.date("date", "Ngày ban hành")?,
        place: f.optional("place"),
        title: f.text("title"),
        basis: f.lines("basis"),
        implements: None,
        regime: ReportingRegime {
            periods,
            unit_due_day: f.day("unit_due_day", "Ngày đơn vị báo cáo")?,
            consolidated_due_day: f.day("consolidated_due_day", "Ngày tổng hợp báo cáo")?,
        },
    })
}

pub async fn create_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let issuer_id = f
        .id("issuer_unit_id", "Cơ quan ban hành")?
        .ok_or(AppError::Invalid("Hãy chọn cơ quan ban hành".into()))?;
    let result = match plan_input(&f) {
        Ok(input) => plans::create_plan(&state, &auth.caller(&ip), issuer_id, input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |plan| Redirect::to(&format!("/plans/{}", plan.id)).into_response(),
        |e| async move {
            let mut form = new_form(&state, &auth, Some(issuer_id))
                .await?
                .fill_from_form(&f);
            form.error = Some(e.to_string());
            Ok(form)
        },
    )
    .await
}

/// The form filled with a plan the user manages, as stored now.
async fn edit_form(state: &AppState, auth: &Auth, id: i64) -> Result<(PlanForm, Plan), AppError> {
    let plan = manageable_plan(state, &auth.principal, id).await?;
    let mut form = blank_form(
        state,
        auth,
        format!("/plans/{id}"),
        Some(plan.issuer_unit_id),
    )
    .await?
    .fill_from(&plan);
    form.editing = true;
    Ok((form, plan))
}

pub async fn edit_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<PlanForm, PageError> {
    Ok(edit_form(&state, &auth, id).await?.0)
}

pub async fn update_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let result = match plan_input(&f) {
        Ok(input) => plans::update_plan(&state, &auth.caller(&ip), id, version, input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |_| Redirect::to(&format!("/plans/{id}")).into_response(),
        |e| async move {
            let (form, _) = edit_form(&state, &auth, id).await?;
            // On a conflict, show what is stored now and keep the new
            // version, so a second save is a deliberate choice; any other
            // refusal keeps what was typed.
            let mut form = if matches!(e, AppError::Conflict { .. }) {
                form
            } else {
                let mut typed = form.fill_from_form(&f);
                typed.version = version;
                typed
            };
            form.error = Some(e.to_string());
            Ok(form)
        },
    )
    .await
}
