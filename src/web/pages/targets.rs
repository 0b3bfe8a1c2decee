//! Targets: one target with its goals and history, and the form.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::task_form::mention_inputs;
use super::tasks::{HistoryRow, history_rows};
use super::views::{UnitOption, goal_label, mentions, unit_options};
use crate::actions::access::{manageable_plan, manageable_target, readable_plan, units_of_plan};
use crate::actions::targets::{self, TargetDetails, TargetInput};
use crate::domain::auto_figure::AutoSource;
use crate::domain::external::ExternalChange;
use crate::domain::goal::{Direction, Goal};
use crate::domain::period::ReportingPeriod;
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::unit::Unit;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::labels;
use crate::web::session::{Auth, ClientIp, PageAuth};

#[derive(Template, WebTemplate)]
#[template(path = "target.html")]
pub struct TargetPage {
    layout: Layout,
    id: i64,
    plan_id: i64,
    plan_title: String,
    reference: String,
    group: Vec<String>,
    name: String,
    measure_unit: String,
    lead: String,
    goals: Vec<(String, String, String)>,
    note: String,
    direction: &'static str,
    history: Vec<HistoryRow>,
    can_manage: bool,
    figures: Vec<(String, String, &'static str)>,
    warnings: Vec<String>,
    auto: AutoView,
}

/// The target's automatic source and the figures computed from it.
pub struct AutoView {
    pub source: Option<&'static str>,
    pub options: Vec<(&'static str, &'static str, bool)>,
    /// Period label, value, counts (e.g. `49/50 đánh giá hài lòng`).
    pub figures: Vec<(String, String, String)>,
    pub linkable: bool,
}

fn auto_view(d: &TargetDetails) -> AutoView {
    let figures = d
        .auto_figures
        .iter()
        .map(|f| {
            let label = ReportingPeriod::parse_key(&f.period_key)
                .map(|p| p.label_vi())
                .unwrap_or_else(|| f.period_key.clone());
            let value = f
                .value
                .map(|v| match f.source {
                    AutoSource::FeedbackSatisfaction => format!("{}%", labels::number(v, 1)),
                    AutoSource::InitiativesRecognised => labels::number(v, 2),
                })
                .unwrap_or_else(|| "—".into());
            let counts = match f.source {
                AutoSource::FeedbackSatisfaction => {
                    format!("{}/{} đánh giá hài lòng", f.numerator, f.denominator)
                }
                AutoSource::InitiativesRecognised => {
                    format!("{} sáng kiến được công nhận", f.numerator)
                }
            };
            (label, value, counts)
        })
        .collect();
    AutoView {
        source: d.source.map(|s| s.label_vi()),
        options: AutoSource::ALL
            .iter()
            .map(|a| (a.as_str(), a.label_vi(), Some(*a) == d.source))
            .collect(),
        figures,
        linkable: d.linkable,
    }
}

pub async fn show_target(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<TargetPage, PageError> {
    let d = targets::target_details(&state, &auth.principal, id).await?;
    let auto = auto_view(&d);
    let target = &d.target;
    Ok(TargetPage {
        layout: Layout::new(target.name.clone(), &auth),
        id,
        plan_id: d.plan.id,
        plan_title: d.plan.title.clone(),
        reference: target.reference.clone().unwrap_or_default(),
        group: target.group_path.clone(),
        name: target.name.clone(),
        measure_unit: target.measure_unit.clone().unwrap_or_default(),
        lead: mentions(&target.lead),
        goals: target
            .goals
            .iter()
            .map(|g| {
                (
                    g.year.map(|y| y.to_string()).unwrap_or_default(),
                    goal_label(g.op, g.value),
                    g.text.clone(),
                )
            })
            .collect(),
        note: target.note.clone().unwrap_or_default(),
        direction: direction_label(target.direction),
        history: history_rows(&d.history),
        can_manage: d.can_manage,
        figures: d
            .figures
            .iter()
            .map(|f| {
                (
                    labels::period_key(&f.on.format("%Y-%m").to_string()),
                    labels::number(f.value, 4),
                    f.state.label_vi(),
                )
            })
            .collect(),
        warnings: d.warnings.iter().map(|w| w.message.clone()).collect(),
        auto,
    })
}

/// Links the target to an automatic source, or unlinks it (`source` empty).
pub async fn link_source(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let source = match f.optional("source") {
        None => Ok(None),
        Some(s) => AutoSource::parse(&s)
            .map(Some)
            .ok_or_else(|| AppError::Invalid("Nguồn số liệu không hợp lệ".into())),
    };
    crate::actions::initiatives::link_target_source(&state, &auth.caller(&ip), id, source).await?;
    Ok(Redirect::to(&format!("/targets/{id}#so-lieu-tu-dong")).into_response())
}

fn direction_label(d: Direction) -> &'static str {
    match d {
        Direction::HigherIsBetter => "Càng cao càng tốt",
        Direction::LowerIsBetter => "Càng thấp càng tốt",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "target_form.html")]
pub struct TargetForm {
    layout: Layout,
    action: String,
    plan_id: i64,
    plan_title: String,
    editing: bool,
    version: i64,
    reference: String,
    group: String,
    name: String,
    measure_unit: String,
    lead_units: Vec<UnitOption>,
    lead_other: String,
    goals: String,
    note: String,
    lower_is_better: bool,
    error: Option<String>,
}

impl TargetForm {
    fn new(auth: &Auth, plan: &Plan, units: &[Unit], target: Option<&Target>) -> TargetForm {
        let lead: Vec<i64> = target
            .map(|t| t.lead.iter().filter_map(|m| m.unit_id).collect())
            .unwrap_or_default();
        TargetForm {
            layout: Layout::new("Chỉ tiêu", auth),
            action: match target {
                Some(t) => format!("/targets/{}", t.id),
                None => format!("/plans/{}/targets", plan.id),
            },
            plan_id: plan.id,
            plan_title: plan.title.clone(),
            editing: target.is_some(),
            version: target.map(|t| t.version).unwrap_or(0),
            reference: target.and_then(|t| t.reference.clone()).unwrap_or_default(),
            group: target.map(|t| t.group_path.join("\n")).unwrap_or_default(),
            name: target.map(|t| t.name.clone()).unwrap_or_default(),
            measure_unit: target
                .and_then(|t| t.measure_unit.clone())
                .unwrap_or_default(),
            lead_units: unit_options(units, &lead),
            lead_other: target
                .map(|t| {
                    t.lead
                        .iter()
                        .filter(|m| m.unit_id.is_none())
                        .map(|m| m.name.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            goals: target
                .map(|t| {
                    t.goals
                        .iter()
                        .map(|g| match g.year {
                            Some(y) => format!("{y}: {}", g.text),
                            None => g.text.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            note: target.and_then(|t| t.note.clone()).unwrap_or_default(),
            lower_is_better: target.is_some_and(|t| t.direction == Direction::LowerIsBetter),
            error: None,
        }
    }

    fn keep_typed(mut self, f: &FormPairs, units: &[Unit]) -> TargetForm {
        self.reference = f.text("ref");
        self.group = f.text("group");
        self.name = f.text("name");
        self.measure_unit = f.text("measure_unit");
        self.lead_units = unit_options(units, &f.ids("lead", "Đơn vị").unwrap_or_default());
        self.lead_other = f.text("lead_other");
        self.goals = f.text("goals");
        self.note = f.text("note");
        self.lower_is_better = f.text("direction") == "lower_is_better";
        self
    }
}

/// One goal per line: `2026: ≥ 90`, `2030: Top 10`.
pub fn parse_goal_lines(lines: &[String]) -> Result<Vec<Goal>, AppError> {
    let mut goals = Vec::new();
    for line in lines {
        let (year, text) = match line.split_once(':') {
            Some((y, t)) if y.trim().parse::<i32>().is_ok() => {
                (y.trim().parse::<i32>().ok(), t.trim())
            }
            _ => (None, line.trim()),
        };
        let goal = Goal::parse(text, year).ok_or_else(|| {
            AppError::Invalid(format!(
                "Không đọc được mục tiêu “{line}”; hãy nhập theo dạng “2026: ≥ 90”"
            ))
        })?;
        goals.push(goal);
    }
    Ok(goals)
}

/// The form read into a target; a direction not chosen follows the goals.
fn target_input(f: &FormPairs, plan_id: Option<i64>) -> Result<TargetInput, AppError> {
    let direction = match f.text("direction").as_str() {
        "lower_is_better" => Some(Direction::LowerIsBetter),
        "higher_is_better" => Some(Direction::HigherIsBetter),
        _ => None,
    };
    Ok(TargetInput {
        // The forms do not show it: a page keeps what the API set.
        external: ExternalChange::Keep,
        plan_id,
        reference: f.optional("ref"),
        group_path: f.lines("group"),
        name: f.text("name"),
        measure_unit: f.optional("measure_unit"),
        lead: mention_inputs(f, "lead")?,
        goals: parse_goal_lines(&f.lines("goals"))?,
        note: f.optional("note"),
        direction,
    })
}

/// The empty form for a new target of a plan the user manages.
async fn new_form(
    state: &AppState,
    auth: &Auth,
    plan_id: i64,
) -> Result<(TargetForm, Vec<Unit>), AppError> {
    let plan = manageable_plan(state, &auth.principal, plan_id).await?;
    let units = units_of_plan(state, &plan).await?;
    Ok((TargetForm::new(auth, &plan, &units, None), units))
}

/// The form filled with a target the user manages, as stored now.
async fn edit_form(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> Result<(TargetForm, Vec<Unit>), AppError> {
    let target = manageable_target(state, &auth.principal, id).await?;
    let plan = readable_plan(state, &auth.principal, target.plan_id).await?;
    let units = units_of_plan(state, &plan).await?;
    Ok((TargetForm::new(auth, &plan, &units, Some(&target)), units))
}

pub async fn new_target(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(plan_id): Path<i64>,
) -> Result<TargetForm, PageError> {
    Ok(new_form(&state, &auth, plan_id).await?.0)
}

pub async fn create_target(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(plan_id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let result = match target_input(&f, Some(plan_id)) {
        Ok(input) => targets::create_target(&state, &auth.caller(&ip), input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |target| Redirect::to(&format!("/targets/{}", target.id)).into_response(),
        |e| async move {
            let (form, units) = new_form(&state, &auth, plan_id).await?;
            let mut form = form.keep_typed(&f, &units);
            form.error = Some(e.to_string());
            Ok(form)
        },
    )
    .await
}

pub async fn edit_target(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<TargetForm, PageError> {
    Ok(edit_form(&state, &auth, id).await?.0)
}

pub async fn update_target(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let result = match target_input(&f, None) {
        Ok(input) => targets::update_target(&state, &auth.caller(&ip), id, version, input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |_| Redirect::to(&format!("/targets/{id}")).into_response(),
        |e| async move {
            let (form, units) = edit_form(&state, &auth, id).await?;
            // After a conflict the form shows the target as stored now, with
            // its version; any other refusal keeps what was typed.
            let mut form = if matches!(e, AppError::Conflict { .. }) {
                form
            } else {
                let mut typed = form.keep_typed(&f, &units);
                typed.version = version;
                typed
            };
            form.error = Some(e.to_string());
            Ok(form)
        },
    )
    .await
}
