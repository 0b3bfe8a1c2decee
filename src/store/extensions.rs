//! Extension and adjustment requests: asked by the lead unit, decided by
//! the assigning level. An approval applies the new deadline as a deadline
//! change (the task's history of deadlines) and the changed product, with
//! the task's counters, the audit entry and the notifications, in one
//! transaction.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::notifications::{NewNotification, insert_notifications};
use super::rollups::{RollupDeltas, refresh_task};
use super::task_admin::{NewDeadline, apply_deadline};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::extension::{
    ExtensionAsk, ExtensionDecision, ExtensionError, ExtensionRequest, ExtensionState,
};

/// A request about to be made, with what the task holds now.
#[derive(Debug, Clone)]
pub struct NewExtension {
    pub task_id: i64,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub deadline_was: String,
    pub product_was: Option<String>,
    pub ask: ExtensionAsk,
}

const EXTENSION_SELECT: &str = "SELECT x.id, x.task_id, t.ref AS task_ref, t.title AS task_title,
        u.path AS scope_path, x.province_id, x.commune_id, x.deadline_was, x.deadline_asked,
        x.product_was, x.product_asked, x.reason, a.full_name AS asked_by, x.asked_by AS asked_by_id,
        x.asked_at, x.decision, d.full_name AS decided_by, x.decided_at, x.decision_note, x.version
    FROM extension_requests x JOIN tasks t ON t.id = x.task_id JOIN plans p ON p.id = t.plan_id
    JOIN units u ON u.id = p.issuer_unit_id JOIN users a ON a.id = x.asked_by
    LEFT JOIN users d ON d.id = x.decided_by";

fn with_events(notify: &[NewNotification], key: &str) -> Vec<NewNotification> {
    notify
        .iter()
        .map(|n| NewNotification {
            event_key: key.to_string(),
            ..n.clone()
        })
        .collect()
}

impl Store {
    /// Records a request and tells the people who decide; refused while
    /// another request of the task waits.
    pub async fn ask_extension(
        &self,
        x: NewExtension,
        notify: &[NewNotification],
        actor: &Actor,
    ) -> StoreResult<ExtensionRequest> {
        let now = self.now_ms();
        let asked_by = actor
            .user_id
            .ok_or_else(|| StoreError::Refused("Cần người đề nghị".into()))?;
        let mut tx = self.write.begin().await?;
        // The task's row lock: two requests at once take turns.
        sqlx::query("UPDATE tasks SET version = version WHERE id = $1")
            .bind(x.task_id)
            .execute(&mut *tx)
            .await?;
        let waiting = sqlx::query(
            "SELECT id FROM extension_requests WHERE task_id = $1 AND decision = 'pending'",
        )
        .bind(x.task_id)
        .fetch_optional(&mut *tx)
        .await?;
        if waiting.is_some() {
            return Err(StoreError::Refused(
                ExtensionError::AlreadyPending.to_string(),
            ));
        }
        let deadline_asked = x
            .ask
            .deadline
            .as_ref()
            .map(|c| c.deadline.text().to_string());
        let id: i64 = sqlx::query(
            "INSERT INTO extension_requests (task_id, province_id, commune_id, deadline_was,
                    deadline_asked, product_was, product_asked, reason, asked_by, asked_at, decision, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 1) RETURNING id",
        )
        .bind(x.task_id)
        .bind(x.province_id)
        .bind(x.commune_id)
        .bind(x.deadline_was.clone())
        .bind(deadline_asked.clone())
        .bind(x.product_was.clone())
        .bind(x.ask.product.clone())
        .bind(x.ask.reason.clone())
        .bind(asked_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        insert_notifications(
            &mut tx,
            &with_events(notify, &format!("extension:{id}")),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "ask_extension",
                entity: "task",
                entity_id: Some(x.task_id),
                province_id: x.province_id,
                commune_id: x.commune_id,
                before: Some(json!({"deadline": x.deadline_was, "product": x.product_was})),
                after: Some(json!({"extension_id": id, "deadline": deadline_asked,
                    "product": x.ask.product, "reason": x.ask.reason})),
            },
        )
        .await?;
        tx.commit().await?;
        self.extension(id).await?.ok_or(StoreError::NotFound)
    }

    /// Approves or refuses a waiting request read at `version`. An approval
    /// applies what was asked, provided the task's deadline is still the
    /// one the request was made against.
    pub async fn decide_extension(
        &self,
        id: i64,
        version: i64,
        decision: &ExtensionDecision,
        notify: &[NewNotification],
        actor: &Actor,
    ) -> StoreResult<ExtensionRequest> {
        let before = self.extension(id).await?.ok_or(StoreError::NotFound)?;
        if before.state != ExtensionState::Pending {
            return Err(StoreError::Refused(
                ExtensionError::AlreadyDecided.to_string(),
            ));
        }
        let task = self
            .task(before.task_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let changed = sqlx::query(
            "UPDATE extension_requests SET decision = $1, decided_by = $2, decided_at = $3,
                    decision_note = $4, version = version + 1
             WHERE id = $5 AND version = $6 AND decision = 'pending'",
        )
        .bind(decision.state().as_str())
        .bind(actor.user_id)
        .bind(now)
        .bind(decision.note().map(str::to_string))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        let mut deltas = RollupDeltas::new(now);
        if decision.state() == ExtensionState::Approved {
            apply_extension(&mut tx, &mut deltas, &before, &task, now, actor).await?;
        }
        let key = format!("extension:{id}:{}", decision.state().as_str());
        insert_notifications(&mut tx, &with_events(notify, &key), now).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "decide_extension",
                entity: "task",
                entity_id: Some(before.task_id),
                province_id: before.province_id,
                commune_id: before.commune_id,
                before: Some(
                    json!({"deadline": before.deadline_was, "product": before.product_was}),
                ),
                after: Some(
                    json!({"extension_id": id, "decision": decision.state().as_str(),
                    "note": decision.note(), "deadline": before.deadline_asked,
                    "product": before.product_asked}),
                ),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        self.extension(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn extension(&self, id: i64) -> StoreResult<Option<ExtensionRequest>> {
        let sql = format!("{EXTENSION_SELECT} WHERE x.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(extension_from_row).transpose()
    }

    /// A task's requests, oldest first.
    pub async fn extensions_of_task(&self, task_id: i64) -> StoreResult<Vec<ExtensionRequest>> {
        let sql = format!("{EXTENSION_SELECT} WHERE x.task_id = $1 ORDER BY x.asked_at, x.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(task_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(extension_from_row).collect()
    }

    /// Requests waiting for a decision on tasks of plans issued within
    /// `scope_path`, oldest first.
    pub async fn pending_extensions_within(
        &self,
        scope_path: &str,
        limit: i64,
    ) -> StoreResult<Vec<ExtensionRequest>> {
        let sql = format!(
            "{EXTENSION_SELECT} WHERE x.decision = 'pending' AND u.path LIKE $1
             ORDER BY x.asked_at, x.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{scope_path}%"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(extension_from_row).collect()
    }
}

/// What an approval changes: the deadline (kept as a deadline change)
/// and the product, and the task's counters.
async fn apply_extension(
    tx: &mut sqlx::AnyConnection,
    deltas: &mut RollupDeltas,
    x: &ExtensionRequest,
    task: &crate::domain::task::Task,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    if task.deadline.text() != x.deadline_was {
        return Err(StoreError::Refused(
            "Thời hạn của nhiệm vụ đã thay đổi từ khi đề nghị; hãy đề nghị lại".into(),
        ));
    }
    if let Some(asked) = &x.deadline_asked {
        let deadline = crate::domain::deadline::Deadline::parse(asked);
        let reason = format!("Gia hạn theo đề nghị của đơn vị: {}", x.reason);
        let change = NewDeadline {
            task_id: x.task_id,
            province_id: x.province_id,
            commune_id: x.commune_id,
            old_text: &x.deadline_was,
            deadline: &deadline,
            reason: &reason,
        };
        apply_deadline(tx, &change, now, actor).await?;
    }
    if let Some(product) = &x.product_asked {
        sqlx::query(
            "UPDATE tasks SET product = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        )
        .bind(product.clone())
        .bind(now)
        .bind(x.task_id)
        .execute(&mut *tx)
        .await?;
    }
    refresh_task(tx, deltas, x.task_id).await
}

fn extension_from_row(r: &AnyRow) -> StoreResult<ExtensionRequest> {
    let decision: String = r.try_get("decision")?;
    Ok(ExtensionRequest {
        id: r.try_get("id")?,
        task_id: r.try_get("task_id")?,
        task_reference: r.try_get("task_ref")?,
        task_title: r.try_get("task_title")?,
        scope_path: r.try_get("scope_path")?,
        province_id: r.try_get("province_id")?,
        commune_id: r.try_get("commune_id")?,
        deadline_was: r.try_get("deadline_was")?,
        deadline_asked: r.try_get("deadline_asked")?,
        product_was: r.try_get("product_was")?,
        product_asked: r.try_get("product_asked")?,
        reason: r.try_get("reason")?,
        asked_by: r.try_get("asked_by")?,
        asked_by_id: r.try_get("asked_by_id")?,
        asked_at: r.try_get("asked_at")?,
        state: ExtensionState::parse(&decision)
            .ok_or_else(|| StoreError::Corrupt(format!("extension decision {decision}")))?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
        version: r.try_get("version")?,
    })
}
