//! Managing tasks around reporting: deadlines changed with a reason, tasks
//! marked not applicable, and a higher-level task split into the commune
//! tasks that carry it out.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::audit::{self, Change};
use super::rollups::{RollupDeltas, refresh_task};
use super::rows::date_text;
use super::tasks::{insert_task, task_json};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::deadline::Deadline;
use crate::domain::task::{Task, TaskDraft};

impl Store {
    pub async fn change_deadline(
        &self,
        task_id: i64,
        deadline: Deadline,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<Task> {
        let before = self.task(task_id).await?.ok_or(StoreError::NotFound)?;
        let plan = self
            .plan(before.plan_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let change = NewDeadline {
            task_id,
            province_id: plan.province_id,
            commune_id: plan.commune_id,
            old_text: before.deadline.text(),
            deadline: &deadline,
            reason,
        };
        apply_deadline(&mut tx, &change, now, actor).await?;
        let mut deltas = RollupDeltas::new(now);
        refresh_task(&mut tx, &mut deltas, task_id).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "change_deadline",
                entity: "task",
                entity_id: Some(task_id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: Some(json!({"deadline": before.deadline})),
                after: Some(json!({"deadline": deadline, "reason": reason})),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        self.task(task_id).await?.ok_or(StoreError::NotFound)
    }

    /// A task's deadline changes, oldest first: (old text, new text, when,
    /// why). The first old text is the original deadline.
    pub async fn deadline_changes_of(
        &self,
        task_id: i64,
    ) -> StoreResult<Vec<(String, String, i64, String)>> {
        let rows = sqlx::query(
            "SELECT old_text, new_text, changed_at, reason FROM deadline_changes
             WHERE task_id = $1 ORDER BY changed_at, id",
        )
        .bind(task_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("old_text")?,
                    r.try_get("new_text")?,
                    r.try_get("changed_at")?,
                    r.try_get("reason")?,
                ))
            })
            .collect()
    }

    /// Marks a task not applicable (with a reason), or applicable again
    /// when `reason` is `None`.
    pub async fn set_not_applicable(
        &self,
        task_id: i64,
        reason: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<Task> {
        let before = self.task(task_id).await?.ok_or(StoreError::NotFound)?;
        let plan = self
            .plan(before.plan_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE tasks SET not_applicable_reason = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        )
        .bind(reason.map(str::to_string))
        .bind(now)
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
        let mut deltas = RollupDeltas::new(now);
        refresh_task(&mut tx, &mut deltas, task_id).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "not_applicable",
                entity: "task",
                entity_id: Some(task_id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: Some(json!({"not_applicable_reason": before.not_applicable_reason})),
                after: Some(json!({"not_applicable_reason": reason})),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        self.task(task_id).await?.ok_or(StoreError::NotFound)
    }

    /// Copies a higher-level task into each of `plan_ids` (commune plans),
    /// linked to it, so the province sees each commune's task under its own.
    /// A plan that already has a task under this parent is skipped.
    pub async fn split_task(
        &self,
        parent_id: i64,
        plan_ids: &[i64],
        actor: &Actor,
    ) -> StoreResult<Vec<Task>> {
        let parent = self.task(parent_id).await?.ok_or(StoreError::NotFound)?;
        let mut created = Vec::new();
        for plan_id in plan_ids {
            let plan = self.plan(*plan_id).await?.ok_or(StoreError::NotFound)?;
            let exists =
                sqlx::query("SELECT id FROM tasks WHERE plan_id = $1 AND parent_task_id = $2")
                    .bind(*plan_id)
                    .bind(parent_id)
                    .fetch_optional(&self.read)
                    .await?;
            if exists.is_some() || plan.id == parent.plan_id {
                continue;
            }
            let now = self.now_ms();
            let mut tx = self.write.begin().await?;
            super::plans::lock_plan(&mut tx, *plan_id).await?;
            let position: i64 = sqlx::query(
                "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM tasks WHERE plan_id = $1",
            )
            .bind(*plan_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("next")?;
            let draft = TaskDraft {
                reference: parent.reference.clone(),
                group_path: parent.group_path.clone(),
                title: parent.title.clone(),
                // The commune assigns its own units; the province's units
                // are not the commune's.
                lead: Vec::new(),
                support: Vec::new(),
                responsible_user_id: None,
                product: parent.product.clone(),
                deadline: parent.deadline.clone(),
                funding: parent.funding.clone(),
                legal_basis: parent.legal_basis.clone(),
                parent_task_id: Some(parent_id),
                draft: true,
                confidential: parent.confidential,
            }
            .validate()
            .map_err(|e| StoreError::Refused(e.to_string()))?;
            let mut deltas = RollupDeltas::new(now);
            let task = insert_task(&mut tx, &mut deltas, &plan, position, draft, now).await?;
            audit::record(
                &mut tx,
                now,
                actor,
                Change {
                    action: "split_task",
                    entity: "task",
                    entity_id: Some(task.id),
                    province_id: plan.province_id,
                    commune_id: plan.commune_id,
                    before: None,
                    after: Some(task_json(&task)),
                },
            )
            .await?;
            deltas.commit(tx).await?;
            created.push(task);
        }
        Ok(created)
    }

    /// Tasks of other plans that carry out `task_id`.
    pub async fn child_tasks(&self, task_id: i64) -> StoreResult<Vec<Task>> {
        let rows = sqlx::query("SELECT id FROM tasks WHERE parent_task_id = $1 ORDER BY id")
            .bind(task_id)
            .fetch_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(t) = self.task(r.try_get("id")?).await? {
                out.push(t);
            }
        }
        Ok(out)
    }
}

/// A deadline about to replace a task's current one.
pub(super) struct NewDeadline<'a> {
    pub task_id: i64,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub old_text: &'a str,
    pub deadline: &'a Deadline,
    pub reason: &'a str,
}

/// Sets the task's deadline and keeps the change (old, new, when, why,
/// who) in `deadline_changes`, the task's history of deadlines; the caller
/// refreshes the task's counters and audits.
pub(super) async fn apply_deadline(
    conn: &mut AnyConnection,
    change: &NewDeadline<'_>,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    let d = change.deadline;
    sqlx::query(
        "UPDATE tasks SET deadline_text = $1, deadline_kind = $2, deadline_start = $3, deadline_end = $4,
                updated_at = $5, version = version + 1 WHERE id = $6",
    )
    .bind(d.text().to_string())
    .bind(d.kind().as_str())
    .bind(date_text(d.start()))
    .bind(date_text(d.end()))
    .bind(now)
    .bind(change.task_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO deadline_changes (task_id, province_id, commune_id, old_text, new_text, reason,
                changed_at, changed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(change.task_id)
    .bind(change.province_id)
    .bind(change.commune_id)
    .bind(change.old_text.to_string())
    .bind(d.text().to_string())
    .bind(change.reason.to_string())
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
