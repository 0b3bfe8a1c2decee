//! The province–commune loop as stored: the communes' rounds matching a
//! province round, a commune's consolidated report sent back, and the
//! communes' copies of a split task with their last accepted progress.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::rows::parse_date;
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::report::TaskStatus;

/// A plan implementing a province plan, with its round of the same period
/// (if opened) and its consolidated report (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneRound {
    pub plan_id: i64,
    /// The commune (or, for a plan above communes, the issuing unit).
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub round_id: Option<i64>,
    pub consolidated_due_on: Option<NaiveDate>,
    /// `consolidated`, `approved` or `returned`.
    pub status: Option<String>,
    pub number: Option<String>,
    pub consolidated_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub return_reason: Option<String>,
}

/// A commune's copy of a split task.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildTask {
    pub task_id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub status: Option<TaskStatus>,
    pub percent: Option<u8>,
    pub not_applicable: bool,
}

impl Store {
    /// The plans implementing `plan_id`, each with its round of `period_key`.
    pub async fn commune_rounds(
        &self,
        plan_id: i64,
        period_key: &str,
    ) -> StoreResult<Vec<CommuneRound>> {
        let rows = sqlx::query(
            "SELECT p.id AS plan_id, u.id AS unit_id, u.name AS unit_name, u.path AS unit_path,
                    rr.id AS round_id, rr.consolidated_due_on, cr.status, cr.number,
                    cr.consolidated_at, cr.returned_at, cr.return_reason
             FROM plan_links l
             JOIN plans p ON p.id = l.plan_id
             JOIN units u ON u.id = COALESCE(p.commune_id, p.issuer_unit_id)
             LEFT JOIN report_rounds rr ON rr.plan_id = p.id AND rr.period_key = $2
             LEFT JOIN consolidated_reports cr ON cr.round_id = rr.id
             WHERE l.implements_plan_id = $1
             ORDER BY u.path, p.id",
        )
        .bind(plan_id)
        .bind(period_key.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(CommuneRound {
                plan_id: r.try_get("plan_id")?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                unit_path: r.try_get("unit_path")?,
                round_id: r.try_get("round_id")?,
                consolidated_due_on: parse_date(r.try_get("consolidated_due_on")?)?,
                status: r.try_get("status")?,
                number: r.try_get("number")?,
                consolidated_at: r.try_get("consolidated_at")?,
                returned_at: r.try_get("returned_at")?,
                return_reason: r.try_get("return_reason")?,
            });
        }
        Ok(out)
    }

    /// The province sends a commune's consolidated report back, with why:
    /// the commune consolidates it again.
    pub async fn return_consolidated(
        &self,
        round_id: i64,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let round = self.round(round_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE consolidated_reports SET status = 'returned', returned_at = $1,
                    returned_by = $2, return_reason = $3, version = version + 1
             WHERE round_id = $4 AND status IN ('consolidated', 'approved')",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(reason.to_string())
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(
                "Đơn vị chưa gửi báo cáo tổng hợp của kỳ này, hoặc báo cáo đã được trả lại".into(),
            ));
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "return",
                entity: "round",
                entity_id: Some(round_id),
                province_id: round.province_id,
                commune_id: round.commune_id,
                before: None,
                after: Some(json!({"status": "returned", "reason": reason})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tasks of other plans that carry out `task_id`, each with the
    /// status its facts keep and the percent of its last accepted update.
    pub async fn child_progress(&self, task_id: i64) -> StoreResult<Vec<ChildTask>> {
        let rows = sqlx::query(
            "SELECT t.id AS task_id, t.plan_id, t.not_applicable_reason, f.status,
                    u.id AS unit_id, u.name AS unit_name, u.path AS unit_path,
                    (SELECT tu.percent FROM task_updates tu
                       JOIN unit_reports ur ON ur.id = tu.report_id
                       JOIN report_rounds rr ON rr.id = ur.round_id
                     WHERE tu.task_id = t.id AND ur.status = 'accepted' AND tu.percent IS NOT NULL
                     ORDER BY rr.unit_due_on DESC, tu.id DESC LIMIT 1) AS percent
             FROM tasks t
             JOIN plans p ON p.id = t.plan_id
             JOIN units u ON u.id = COALESCE(p.commune_id, p.issuer_unit_id)
             LEFT JOIN task_facts f ON f.task_id = t.id
             WHERE t.parent_task_id = $1
             ORDER BY u.path, t.id",
        )
        .bind(task_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let status: Option<String> = r.try_get("status")?;
            let status = match status {
                Some(s) => Some(
                    TaskStatus::parse(&s)
                        .ok_or_else(|| StoreError::Corrupt(format!("task status {s}")))?,
                ),
                None => None,
            };
            let percent: Option<i64> = r.try_get("percent")?;
            out.push(ChildTask {
                task_id: r.try_get("task_id")?,
                plan_id: r.try_get("plan_id")?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                unit_path: r.try_get("unit_path")?,
                status,
                percent: percent.map(|p| p.clamp(0, 100) as u8),
                not_applicable: r
                    .try_get::<Option<String>, _>("not_applicable_reason")?
                    .is_some(),
            });
        }
        Ok(out)
    }
}
