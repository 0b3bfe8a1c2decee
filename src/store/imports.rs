//! Storing an imported plan: the plan, its tasks and targets in one
//! transaction, idempotent by the file's digest (importing the same file
//! twice under the same unit changes nothing).

use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::plans::{insert_plan, plan_json};
use super::rollups::RollupDeltas;
use super::targets::insert_target;
use super::tasks::insert_task;
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::plan::{Plan, PlanDraft, ReportingRegime};
use crate::domain::six_clear;
use crate::domain::target::TargetDraft;
use crate::domain::task::{TaskDraft, UnitMention};
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;
use crate::import::{ParsedPlan, Resolution};

#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub plan: Plan,
    /// False when the same file was imported before under this unit.
    pub created: bool,
    pub tasks: usize,
    pub targets: usize,
    /// Plans already in the store that this one cites and now implements.
    pub linked: Vec<i64>,
}

impl Store {
    pub async fn plan_by_digest(
        &self,
        issuer_unit_id: i64,
        digest: &str,
    ) -> StoreResult<Option<Plan>> {
        let row =
            sqlx::query("SELECT id FROM plans WHERE issuer_unit_id = $1 AND source_digest = $2")
                .bind(issuer_unit_id)
                .bind(digest.to_string())
                .fetch_optional(&self.read)
                .await?;
        match row {
            Some(r) => self.plan(r.try_get("id")?).await,
            None => Ok(None),
        }
    }

    /// Plans whose number is `number` (as printed, e.g. `15/KH-UBND`).
    pub async fn plans_numbered(&self, number: &str) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM plans WHERE number = $1 ORDER BY id")
            .bind(number.to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>("id").map_err(StoreError::from))
            .collect()
    }

    pub async fn import_plan(
        &self,
        issuer: &Unit,
        parsed: &ParsedPlan,
        resolution: &Resolution,
        digest: &str,
        actor: &Actor,
    ) -> StoreResult<ImportOutcome> {
        if let Some(plan) = self.plan_by_digest(issuer.id, digest).await? {
            let tasks = self.tasks_of_plan(plan.id).await?.len();
            let targets = self.targets_of_plan(plan.id).await?.len();
            return Ok(ImportOutcome {
                linked: plan.implements.clone(),
                plan,
                created: false,
                tasks,
                targets,
            });
        }
        let mut linked = Vec::new();
        for basis in &parsed.plan.basis {
            for id in self.plans_numbered(&basis.number).await? {
                let matches_date =
                    match (basis.date, self.plan(id).await?.and_then(|p| p.issued_on)) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    };
                if matches_date && !linked.contains(&id) {
                    linked.push(id);
                }
            }
        }
        let draft = plan_draft(issuer, parsed, linked.clone())?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let mut deltas = RollupDeltas::new(now);
        let plan = insert_plan(&mut tx, issuer, draft, Some(digest), now).await?;
        let mention = |name: &String| UnitMention {
            name: name.clone(),
            unit_id: resolution.get(name),
        };
        for (i, t) in parsed.tasks.iter().enumerate() {
            let draft = TaskDraft {
                reference: t.reference.clone(),
                group_path: t.group.clone(),
                title: t.title.clone(),
                lead: t.lead.iter().map(mention).collect(),
                support: t.support.iter().map(mention).collect(),
                // A plan names units, never accounts: a person is chosen
                // on the system, so an imported task starts as a draft.
                responsible_user_id: None,
                product: t.product.clone(),
                deadline: t.deadline.clone(),
                funding: t.funding.clone(),
                legal_basis: t.basis.clone(),
                parent_task_id: None,
                draft: t.draft,
                confidential: false,
            };
            // It goes live once it has all of the "6 rõ"; what it still
            // lacks is what the preview listed.
            let lacking = six_clear::missing(&six_clear::facts_of_draft(&draft, Some(issuer.id)));
            let draft = TaskDraft {
                draft: draft.draft || !lacking.is_empty(),
                ..draft
            };
            // A row the importer kept but that fails the rules (no title)
            // is skipped here; the preview already warned about it.
            if let Ok(draft) = draft.validate() {
                insert_task(&mut tx, &mut deltas, &plan, i as i64 + 1, draft, now).await?;
            }
        }
        for (i, t) in parsed.targets.iter().enumerate() {
            let draft = TargetDraft {
                reference: t.reference.clone(),
                group_path: t.group.clone(),
                name: t.name.clone(),
                measure_unit: t.unit.clone(),
                lead: t.lead.iter().map(mention).collect(),
                goals: t.goals.clone(),
                note: t.note.clone(),
                direction: None,
            };
            if let Ok(draft) = draft.validate() {
                insert_target(&mut tx, &mut deltas, &plan, i as i64 + 1, draft, now).await?;
            }
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "import",
                entity: "plan",
                entity_id: Some(plan.id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: None,
                after: Some(json!({
                    "plan": plan_json(&plan),
                    "digest": digest,
                    "tasks": parsed.tasks.len(),
                    "targets": parsed.targets.len(),
                    "unresolved": resolution.unresolved(),
                })),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        let tasks = self.tasks_of_plan(plan.id).await?.len();
        let targets = self.targets_of_plan(plan.id).await?.len();
        Ok(ImportOutcome {
            plan,
            created: true,
            tasks,
            targets,
            linked,
        })
    }
}

fn plan_draft(
    issuer: &Unit,
    parsed: &ParsedPlan,
    implements: Vec<i64>,
) -> StoreResult<Valid<PlanDraft>> {
    let info = &parsed.plan;
    let reporting = &info.reporting;
    let regime = if reporting.periods.is_empty() {
        ReportingRegime::default()
    } else {
        ReportingRegime {
            periods: reporting.periods.clone(),
            unit_due_day: reporting.unit_due_day,
            consolidated_due_day: reporting.consolidated_due_day,
        }
    };
    let title = info
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| "Kế hoạch (chưa có trích yếu)".to_string());
    let draft = PlanDraft {
        issuer_unit_id: issuer.id,
        number: info.number.clone(),
        issued_on: info.date,
        place: info.place.clone(),
        title,
        basis: info.basis.iter().map(|b| b.text.clone()).collect(),
        implements,
        regime,
    };
    // The importer's output always has a title and periods, so this only
    // trims; a refusal would be a bug in the importer, named to the user.
    draft
        .validate()
        .map_err(|e| StoreError::Refused(e.to_string()))
}

/// A plan file held between preview and confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedUpload {
    pub token: String,
    pub user_id: i64,
    pub issuer_unit_id: i64,
    pub blob_sha256: String,
    pub file_name: String,
    pub created_at: i64,
}

impl Store {
    pub async fn stage_upload(
        &self,
        token: &str,
        user_id: i64,
        issuer_unit_id: i64,
        blob_sha256: &str,
        file_name: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO import_uploads (token, user_id, issuer_unit_id, blob_sha256, file_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.to_string())
        .bind(user_id)
        .bind(issuer_unit_id)
        .bind(blob_sha256.to_string())
        .bind(file_name.to_string())
        .bind(self.now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn staged_upload(&self, token: &str) -> StoreResult<Option<StagedUpload>> {
        let row = sqlx::query(
            "SELECT token, user_id, issuer_unit_id, blob_sha256, file_name, created_at
             FROM import_uploads WHERE token = $1",
        )
        .bind(token.to_string())
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(StagedUpload {
                token: r.try_get("token")?,
                user_id: r.try_get("user_id")?,
                issuer_unit_id: r.try_get("issuer_unit_id")?,
                blob_sha256: r.try_get("blob_sha256")?,
                file_name: r.try_get("file_name")?,
                created_at: r.try_get("created_at")?,
            })),
        }
    }

    pub async fn drop_staged_upload(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM import_uploads WHERE token = $1")
            .bind(token.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
