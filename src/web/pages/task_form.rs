//! The task form: a new task of a plan, or a change to one, with the
//! "6 rõ" it still lacks shown above the fields.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::views::{Choice, UnitOption, unit_options};
use crate::actions::access::{manageable_plan, manageable_task, readable_plan, units_of_plan};
use crate::actions::tasks::{self, Origin, TaskInput};
use crate::domain::deadline::Deadline;
use crate::domain::external::ExternalChange;
use crate::domain::plan::Plan;
use crate::domain::six_clear;
use crate::domain::task::{MentionInput, Task, UnitMention};
use crate::domain::unit::Unit;
use crate::store::AccountName;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::session::{Auth, ClientIp, PageAuth};

#[derive(Template, WebTemplate)]
#[template(path = "task_form.html")]
pub struct TaskForm {
    layout: Layout,
    action: String,
    plan_id: i64,
    plan_title: String,
    editing: bool,
    version: i64,
    reference: String,
    group: String,
    title: String,
    lead_units: Vec<UnitOption>,
    support_units: Vec<UnitOption>,
    lead_other: String,
    support_other: String,
    product: String,
    deadline: String,
    funding: String,
    basis: String,
    confidential: bool,
    /// The responsible person: the active accounts of the plan's units.
    responsible: Vec<Choice>,
    /// A live task being changed, or a new task not kept as a draft.
    live: bool,
    /// Which of the "6 rõ" the task as shown still lacks.
    missing: Vec<&'static str>,
    /// The unit that issued the plan: the level assigning the task.
    issuer_id: i64,
    error: Option<String>,
    /// The form holds what was typed before the session ended, not saved:
    /// where the form is sent, to put it aside.
    kept: Option<String>,
}

fn ids_of(list: &[UnitMention]) -> Vec<i64> {
    list.iter().filter_map(|m| m.unit_id).collect()
}

fn unresolved(list: &[UnitMention]) -> String {
    list.iter()
        .filter(|m| m.unit_id.is_none())
        .map(|m| m.name.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the form offers to choose from: the plan's units and the active
/// accounts among them.
pub struct Choices {
    units: Vec<Unit>,
    accounts: Vec<AccountName>,
}

/// At most this many accounts are offered (a province's plan reaches
/// every commune's staff).
const MAX_ACCOUNTS: i64 = 500;

fn account_choices(accounts: &[AccountName], chosen: Option<i64>) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: "— Chưa chọn —".into(),
        selected: chosen.is_none(),
    }];
    out.extend(accounts.iter().map(|a| Choice {
        value: a.id.to_string(),
        label: format!("{} ({}) — {}", a.full_name, a.username, a.unit_name),
        selected: chosen == Some(a.id),
    }));
    out
}

impl TaskForm {
    fn new(auth: &Auth, plan: &Plan, choices: &Choices, task: Option<&Task>) -> TaskForm {
        let units = &choices.units;
        let (lead, support) = match task {
            Some(t) => (ids_of(&t.lead), ids_of(&t.support)),
            None => (Vec::new(), Vec::new()),
        };
        let form = TaskForm {
            layout: Layout::new("Nhiệm vụ", auth),
            action: match task {
                Some(t) => format!("/tasks/{}", t.id),
                None => format!("/plans/{}/tasks", plan.id),
            },
            plan_id: plan.id,
            plan_title: plan.title.clone(),
            editing: task.is_some(),
            version: task.map(|t| t.version).unwrap_or(0),
            reference: task.and_then(|t| t.reference.clone()).unwrap_or_default(),
            group: task.map(|t| t.group_path.join("\n")).unwrap_or_default(),
            title: task.map(|t| t.title.clone()).unwrap_or_default(),
            lead_units: unit_options(units, &lead),
            support_units: unit_options(units, &support),
            lead_other: task.map(|t| unresolved(&t.lead)).unwrap_or_default(),
            support_other: task.map(|t| unresolved(&t.support)).unwrap_or_default(),
            product: task.and_then(|t| t.product.clone()).unwrap_or_default(),
            deadline: task
                .map(|t| t.deadline.text().to_string())
                .unwrap_or_default(),
            funding: task.and_then(|t| t.funding.clone()).unwrap_or_default(),
            basis: task.and_then(|t| t.legal_basis.clone()).unwrap_or_default(),
            confidential: task.is_some_and(|t| t.confidential),
            responsible: account_choices(
                &choices.accounts,
                task.and_then(|t| t.responsible_user_id),
            ),
            live: task.is_none_or(|t| !t.draft),
            missing: Vec::new(),
            issuer_id: plan.issuer_unit_id,
            error: None,
            kept: None,
        };
        form.recount()
    }

    /// The "6 rõ" the form's values still lack, as the action will judge.
    fn recount(mut self) -> TaskForm {
        let mut lead: Vec<UnitMention> = self
            .lead_units
            .iter()
            .filter(|u| u.selected)
            .map(|u| UnitMention::resolved(u.label.clone(), u.id))
            .collect();
        lead.extend(self.lead_other.lines().map(|name| UnitMention {
            name: name.to_string(),
            unit_id: None,
        }));
        let responsible = self
            .responsible
            .iter()
            .find(|c| c.selected)
            .and_then(|c| c.value.parse::<i64>().ok());
        let deadline = Deadline::parse(&self.deadline);
        let title = if self.confidential {
            crate::domain::task::CONFIDENTIAL_TITLE
        } else {
            &self.title
        };
        let missing = six_clear::missing(&six_clear::Facts {
            title,
            lead: &lead,
            responsible_user_id: responsible,
            product: Some(&self.product),
            deadline: &deadline,
            assigned_by: Some(self.issuer_id),
            confidential: self.confidential,
        });
        self.missing = missing.into_iter().map(|c| c.label_vi()).collect();
        self
    }

    /// What was typed and kept when the session ended, put back.
    fn with_kept(self, auth: &Auth, choices: &Choices) -> TaskForm {
        match &auth.kept_form {
            Some(kept) => {
                let action = self.action.clone();
                let mut form = self.keep_typed(kept, choices);
                // The version read then, so a change made since is noticed.
                if let Ok(v) = kept.version() {
                    form.version = v;
                }
                form.kept = Some(action);
                form
            }
            None => self,
        }
    }

    fn keep_typed(mut self, f: &FormPairs, choices: &Choices) -> TaskForm {
        let units = &choices.units;
        self.reference = f.text("ref");
        self.group = f.text("group");
        self.title = f.text("title");
        let lead = f.ids("lead", "Đơn vị").unwrap_or_default();
        let support = f.ids("support", "Đơn vị").unwrap_or_default();
        self.lead_units = unit_options(units, &lead);
        self.support_units = unit_options(units, &support);
        self.lead_other = f.text("lead_other");
        self.support_other = f.text("support_other");
        self.product = f.text("product");
        self.deadline = f.text("deadline");
        self.funding = f.text("funding");
        self.basis = f.text("basis");
        self.confidential = f.optional("confidential").is_some();
        let responsible = f.optional("responsible").and_then(|v| v.parse().ok());
        self.responsible = account_choices(&choices.accounts, responsible);
        if !self.editing {
            self.live = f.optional("draft").is_none();
        }
        self.recount()
    }
}

/// Chosen units by id, then the names typed in for bodies that are not
/// units of the tree; the targets' form reads its units the same way.
pub(super) fn mention_inputs(f: &FormPairs, field: &str) -> Result<Vec<MentionInput>, AppError> {
    let mut out: Vec<MentionInput> = f
        .ids(field, "Đơn vị")?
        .into_iter()
        .map(|id| MentionInput {
            unit_id: Some(id),
            name: None,
        })
        .collect();
    out.extend(
        f.lines(&format!("{field}_other"))
            .into_iter()
            .map(|name| MentionInput {
                unit_id: None,
                name: Some(name),
            }),
    );
    Ok(out)
}

/// The form read into a task. It shows neither the parent task nor the
/// draft flag of a task being changed, so both stay as stored; ticking
/// `confirm` ends a draft, and a new task is a draft when `draft` is
/// ticked.
fn task_input(f: &FormPairs, plan_id: Option<i64>) -> Result<TaskInput, AppError> {
    Ok(TaskInput {
        // The forms do not show it: a page keeps what the API set.
        external: ExternalChange::Keep,
        plan_id,
        reference: f.optional("ref"),
        group_path: f.lines("group"),
        title: f.text("title"),
        lead: mention_inputs(f, "lead")?,
        support: mention_inputs(f, "support")?,
        responsible: Some(match f.optional("responsible") {
            Some(id) => Some(
                id.parse::<i64>()
                    .map_err(|_| AppError::Invalid("Người phụ trách không hợp lệ".into()))?,
            ),
            None => None,
        }),
        product: f.optional("product"),
        deadline: Deadline::parse(&f.text("deadline")),
        funding: f.optional("funding"),
        legal_basis: f.optional("basis"),
        confidential: Some(f.optional("confidential").is_some()),
        origin: Origin::Kept {
            confirm: f.optional("confirm").is_some(),
            as_draft: f.optional("draft").is_some(),
        },
    })
}

async fn choices(state: &AppState, plan: &Plan) -> Result<Choices, AppError> {
    let units = units_of_plan(state, plan).await?;
    let accounts = state
        .store
        .active_accounts(&plan.issuer_path, MAX_ACCOUNTS)
        .await?;
    Ok(Choices { units, accounts })
}

/// The empty form for a new task of a plan the user manages.
async fn new_form(
    state: &AppState,
    auth: &Auth,
    plan_id: i64,
) -> Result<(TaskForm, Choices), AppError> {
    let plan = manageable_plan(state, &auth.principal, plan_id).await?;
    let choices = choices(state, &plan).await?;
    Ok((TaskForm::new(auth, &plan, &choices, None), choices))
}

/// The form filled with a task the user manages, as stored now.
async fn edit_form(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> Result<(TaskForm, Choices), AppError> {
    let task = manageable_task(state, &auth.principal, id).await?;
    let plan = readable_plan(state, &auth.principal, task.plan_id).await?;
    let choices = choices(state, &plan).await?;
    Ok((TaskForm::new(auth, &plan, &choices, Some(&task)), choices))
}

pub async fn new_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(plan_id): Path<i64>,
) -> Result<TaskForm, PageError> {
    let (form, units) = new_form(&state, &auth, plan_id).await?;
    Ok(form.with_kept(&auth, &units))
}

pub async fn create_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(plan_id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let result = match task_input(&f, Some(plan_id)) {
        Ok(input) => tasks::create_task(&state, &auth.caller(&ip), input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |task| Redirect::to(&format!("/tasks/{}", task.id)).into_response(),
        |e| async move {
            let (form, units) = new_form(&state, &auth, plan_id).await?;
            let mut form = form.keep_typed(&f, &units);
            form.error = Some(e.to_string());
            Ok(form)
        },
    )
    .await
}

pub async fn edit_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<TaskForm, PageError> {
    let (form, units) = edit_form(&state, &auth, id).await?;
    Ok(form.with_kept(&auth, &units))
}

pub async fn update_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let result = match task_input(&f, None) {
        Ok(input) => tasks::update_task(&state, &auth.caller(&ip), id, version, input).await,
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |_| Redirect::to(&format!("/tasks/{id}")).into_response(),
        |e| async move {
            let (form, units) = edit_form(&state, &auth, id).await?;
            // After a conflict the form shows the task as stored now, with
            // its version, and the person applies their change again; any
            // other refusal keeps what they typed.
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
