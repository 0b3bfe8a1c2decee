//! The API's shapes, as published in the OpenAPI document. Outgoing types
//! are built from domain types; incoming ones are parsed into domain drafts
//! by the handlers.

use std::future::Future;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actions::AppError;

use crate::domain::access::Role;
use crate::domain::external::{ExternalChange, ExternalId};
use crate::domain::goal::Goal;
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::task::{Task, UnitMention};
use crate::domain::unit::{Side, Unit, UnitKind};
use crate::store::Listing;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitOut {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub side: Side,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    /// The official code of a province or commune, if it has one.
    pub code: Option<String>,
    /// The day it ended: merged into `successor_id`, split or dissolved
    /// (see its history).
    pub ended_on: Option<String>,
    pub successor_id: Option<i64>,
    /// Its id in another system (`{"source": "vbdh-quoc-gia", "id": "KH-2025-0012"}`), or `null`.
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl From<Unit> for UnitOut {
    fn from(u: Unit) -> Self {
        UnitOut {
            id: u.id,
            parent_id: u.parent_id,
            kind: u.kind,
            name: u.name,
            aliases: u.aliases,
            side: u.side,
            province_id: u.province_id,
            commune_id: u.commune_id,
            code: u.code,
            ended_on: u.ended_on.map(|d| d.to_string()),
            successor_id: u.successor_id,
            external: u.external,
            version: u.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameIn {
    pub name: String,
    /// The day the new name takes effect (`YYYY-MM-DD`, today at the latest).
    pub effective_on: String,
    /// The version read.
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The communes merged into this one.
    pub sources: Vec<i64>,
    /// The day the merge takes effect (`YYYY-MM-DD`, today at the latest).
    pub effective_on: String,
}

/// A unit's name now and the names it had before.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitNamesOut {
    pub unit_id: i64,
    pub name: String,
    pub former: Vec<crate::domain::unit::FormerName>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    /// Required for every unit but the nation.
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub side: Side,
    /// The version read; required on update.
    /// Its id in another system, unique per source: left out keeps the one
    /// it has, `null` clears it; one another record holds is refused (409
    /// `external_id_taken`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ExternalIn>)]
    pub external: Option<Option<ExternalIn>>,
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportingOut {
    /// `monthly`, `quarterly`, `half_yearly`, `nine_months`, `yearly`, `ad_hoc`.
    pub periods: Vec<String>,
    pub unit_due_day: Option<u32>,
    pub consolidated_due_day: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub issuer_unit_id: i64,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub number: Option<String>,
    /// ISO date `YYYY-MM-DD`.
    pub date: Option<String>,
    pub place: Option<String>,
    pub title: String,
    pub basis: Vec<String>,
    pub implements: Vec<i64>,
    pub reporting: ReportingOut,
    /// Its id in another system (`{"source": "vbdh-quoc-gia", "id": "KH-2025-0012"}`), or `null`.
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl From<Plan> for PlanOut {
    fn from(p: Plan) -> Self {
        PlanOut {
            id: p.id,
            issuer_unit_id: p.issuer_unit_id,
            province_id: p.province_id,
            commune_id: p.commune_id,
            number: p.number,
            date: p.issued_on.map(|d| d.to_string()),
            place: p.place,
            title: p.title,
            basis: p.basis,
            implements: p.implements,
            reporting: ReportingOut {
                periods: p
                    .regime
                    .periods
                    .iter()
                    .map(|k| k.as_str().to_string())
                    .collect(),
                unit_due_day: p.regime.unit_due_day,
                consolidated_due_day: p.regime.consolidated_due_day,
            },
            external: p.external,
            version: p.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    /// The unit that issues the plan (a commune, a province); fixed once created.
    pub issuer_unit_id: i64,
    pub number: Option<String>,
    /// ISO date `YYYY-MM-DD`.
    pub date: Option<String>,
    pub place: Option<String>,
    pub title: String,
    #[serde(default)]
    pub basis: Vec<String>,
    /// Ids of higher-level plans this plan implements.
    #[serde(default)]
    pub implements: Vec<i64>,
    pub reporting: Option<ReportingOut>,
    /// Its id in another system, unique per source: left out keeps the one
    /// it has, `null` clears it; one another record holds is refused (409
    /// `external_id_taken`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ExternalIn>)]
    pub external: Option<Option<ExternalIn>>,
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MentionOut {
    /// The unit as the plan names it.
    pub name: String,
    /// The unit it was resolved to, if any.
    pub unit_id: Option<i64>,
}

impl From<UnitMention> for MentionOut {
    fn from(m: UnitMention) -> Self {
        MentionOut {
            name: m.name,
            unit_id: m.unit_id,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentionIn {
    /// A unit of the plan's subtree.
    pub unit_id: Option<i64>,
    /// A name, for bodies outside the tree (or to keep the plan's wording).
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineOut {
    pub text: String,
    /// `month`, `quarter`, `half_year`, `year`, `date`, `range`, `ongoing`,
    /// `yearly`, `periodic` or `unknown`.
    pub kind: String,
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub plan_id: i64,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub group: Vec<String>,
    pub title: String,
    pub lead: Vec<MentionOut>,
    pub support: Vec<MentionOut>,
    pub product: Option<String>,
    pub deadline: DeadlineOut,
    pub funding: Option<String>,
    pub basis: Option<String>,
    pub parent_task_id: Option<i64>,
    pub draft: bool,
    pub confidential: bool,
    /// The responsible person ("rõ người"), an account of the lead unit.
    pub responsible_user_id: Option<i64>,
    /// Which of the "6 rõ" the task lacks (`person`, `work`,
    /// `responsibility`, `product`, `deadline`, `authority`); a live task
    /// lacks none.
    pub six_clear_missing: Vec<String>,
    /// Its id in another system (`{"source": "vbdh-quoc-gia", "id": "KH-2025-0012"}`), or `null`.
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl From<Task> for TaskOut {
    fn from(t: Task) -> Self {
        let six_clear_missing = crate::domain::six_clear::missing_of_task(&t)
            .into_iter()
            .map(|c| c.as_str().to_string())
            .collect();
        TaskOut {
            id: t.id,
            plan_id: t.plan_id,
            reference: t.reference,
            group: t.group_path,
            title: t.title,
            lead: t.lead.into_iter().map(MentionOut::from).collect(),
            support: t.support.into_iter().map(MentionOut::from).collect(),
            product: t.product,
            deadline: DeadlineOut {
                text: t.deadline.text().to_string(),
                kind: t.deadline.kind().as_str().to_string(),
                start: t.deadline.start().map(|d| d.to_string()),
                end: t.deadline.end().map(|d| d.to_string()),
            },
            funding: t.funding,
            basis: t.legal_basis,
            parent_task_id: t.parent_task_id,
            draft: t.draft,
            confidential: t.confidential,
            responsible_user_id: t.responsible_user_id,
            six_clear_missing,
            external: t.external,
            version: t.version,
        }
    }
}

/// A field that may be sent as `null`: sent (even `null`) is `Some`,
/// left out is `None` by `#[serde(default)]`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An external id as sent: the other system's name (a lowercase slug such
/// as `vbdh-quoc-gia`) and its id there.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalIn {
    pub source: String,
    pub id: String,
}

/// What a body's `external` asks: left out keeps, `null` clears, a value
/// (checked) sets.
pub fn external_change(sent: Option<Option<ExternalIn>>) -> Result<ExternalChange, AppError> {
    match sent {
        None => Ok(ExternalChange::Keep),
        Some(None) => Ok(ExternalChange::Clear),
        Some(Some(e)) => ExternalId::parse(&e.source, &e.id)
            .map(ExternalChange::Set)
            .map_err(AppError::invalid),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskIn {
    /// Required on create; a task never moves to another plan.
    pub plan_id: Option<i64>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub group: Vec<String>,
    pub title: String,
    #[serde(default)]
    pub lead: Vec<MentionIn>,
    #[serde(default)]
    pub support: Vec<MentionIn>,
    pub product: Option<String>,
    /// As written in plans: `Tháng 7/2026`, `Quý III/2026`, `Thường xuyên`…
    pub deadline: Option<String>,
    pub funding: Option<String>,
    pub basis: Option<String>,
    /// A task of a higher-level plan that this one implements.
    pub parent_task_id: Option<i64>,
    /// A live task (not a draft) needs all of the "6 rõ": a lead unit of
    /// the tree, `responsible_user_id`, a product and a deadline besides
    /// its title; a draft may lack them.
    #[serde(default)]
    pub draft: bool,
    /// An active account of a lead unit; `null` clears it, left out the
    /// task keeps the one it has.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub responsible_user_id: Option<Option<i64>>,
    /// "Mật": the system keeps only a placeholder title (send `""`), the
    /// deadline and the lead; content, results and evidence are refused.
    /// Left out, a task keeps what it is.
    pub confidential: Option<bool>,
    /// Its id in another system, unique per source: left out keeps the one
    /// it has, `null` clears it; one another record holds is refused (409
    /// `external_id_taken`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ExternalIn>)]
    pub external: Option<Option<ExternalIn>>,
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalOut {
    pub year: Option<i32>,
    /// `>=`, `>`, `<=`, `<`, `=` or `top`.
    pub op: String,
    pub value: f64,
    pub text: String,
}

impl From<Goal> for GoalOut {
    fn from(g: Goal) -> Self {
        GoalOut {
            year: g.year,
            op: serde_json::to_value(g.op)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            value: g.value,
            text: g.text,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetOut {
    pub id: i64,
    pub plan_id: i64,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub group: Vec<String>,
    pub name: String,
    /// Unit of measure (`%`, `Điểm`, `Thứ bậc`…).
    pub unit: Option<String>,
    pub lead: Vec<MentionOut>,
    pub goals: Vec<GoalOut>,
    pub note: Option<String>,
    /// `higher_is_better` or `lower_is_better`.
    pub direction: String,
    /// Its id in another system (`{"source": "vbdh-quoc-gia", "id": "KH-2025-0012"}`), or `null`.
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl From<Target> for TargetOut {
    fn from(t: Target) -> Self {
        TargetOut {
            id: t.id,
            plan_id: t.plan_id,
            reference: t.reference,
            group: t.group_path,
            name: t.name,
            unit: t.measure_unit,
            lead: t.lead.into_iter().map(MentionOut::from).collect(),
            goals: t.goals.into_iter().map(GoalOut::from).collect(),
            note: t.note,
            direction: match t.direction {
                crate::domain::goal::Direction::HigherIsBetter => "higher_is_better".into(),
                crate::domain::goal::Direction::LowerIsBetter => "lower_is_better".into(),
            },
            external: t.external,
            version: t.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalIn {
    pub year: Option<i32>,
    /// As written: `≥ 90`, `Top 20`, `$\geq 1,1$`, `100`.
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetIn {
    pub plan_id: Option<i64>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub group: Vec<String>,
    pub name: String,
    pub unit: Option<String>,
    #[serde(default)]
    pub lead: Vec<MentionIn>,
    #[serde(default)]
    pub goals: Vec<GoalIn>,
    pub note: Option<String>,
    /// `higher_is_better` or `lower_is_better`; inferred from the goals if absent.
    pub direction: Option<String>,
    /// Its id in another system, unique per source: left out keeps the one
    /// it has, `null` clears it; one another record holds is refused (409
    /// `external_id_taken`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ExternalIn>)]
    pub external: Option<Option<ExternalIn>>,
    pub version: Option<i64>,
}

/// A write refused for a stale version, answered with the record as it is
/// stored now so the client can merge and send again; `current` is read
/// only then. Any other result passes through.
pub async fn with_current<T, C: Serialize>(
    result: Result<T, AppError>,
    current: impl Future<Output = Result<C, AppError>>,
) -> Result<T, AppError> {
    match result {
        Err(AppError::Conflict { .. }) => Err(AppError::Conflict {
            current: serde_json::to_value(current.await?).ok(),
        }),
        other => other,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListOut<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T: ToSchema> ListOut<T> {
    pub fn from_listing<S>(l: Listing<S>, f: impl Fn(S) -> T) -> ListOut<T> {
        ListOut {
            total: l.total,
            page: l.page.page,
            per_page: l.page.per_page,
            items: l.items.into_iter().map(f).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// The cursor of the last change read (`next` of the previous page);
    /// none to start from the beginning.
    pub since: Option<String>,
    /// Changes per page, 100 by default, at most 1000.
    pub limit: Option<u32>,
}

/// One change to a shared record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeOut {
    /// Opaque; changes come in cursor order.
    pub cursor: String,
    /// Epoch milliseconds.
    pub at: i64,
    /// `create`, `update`, `submit`, `accept`, …
    pub action: String,
    /// `unit`, `plan`, `task`, `target`, `round`, `unit_report`,
    /// `task_update`, `target_figure` or `evidence`.
    pub entity: String,
    pub entity_id: Option<i64>,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    /// The record after the change, as the audit trail keeps it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesOut {
    pub changes: Vec<ChangeOut>,
    /// Where to resume: pass it as `since`.
    pub next: String,
    /// More changes follow now.
    pub more: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Items per page, 1 to 500 (default 50); out of range is refused.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
    /// Search words; diacritics optional (`chuyen doi so`).
    pub q: Option<String>,
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// A deadline kind (`month`, `ongoing`, …) for tasks.
    pub deadline_kind: Option<String>,
    /// Tasks whose latest accepted status is this (`not_started`,
    /// `in_progress`, `done`, `done_late`, `suspended`), or `none`.
    pub status: Option<String>,
    /// Tasks under this group heading.
    pub group: Option<String>,
    /// One-off tasks due on or before this ISO date.
    pub due_by: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub username: String,
    pub password: String,
}

/// The answer to a login: a session, or the second step still to come.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginResult {
    Session(LoginOut),
    SecondStep(SecondStepOut),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecondStepOut {
    pub totp_required: bool,
    /// Send with the code to `POST /api/login/totp`; valid 5 minutes.
    pub challenge: String,
    /// An administrator without an authenticator: add `secret` to an app,
    /// then send its first code.
    pub totp_enrolment_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otpauth_uri: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginOut {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Needed only when calling with the session cookie instead.
    pub csrf_token: String,
    pub user: MeOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_id: i64,
    pub roles: Vec<Role>,
}
